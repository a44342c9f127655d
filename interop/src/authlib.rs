//! Scenarios against Authlib: the auto client authentication finding and remembering the one
//! method a client is registered with, the password grant with rotating refresh tokens, and a
//! revoked token replaced behind the bearer middleware.

use std::time::Duration;

use oauth_core::{AuthMethod, BasicEncoding, ErrorCode, Grant};
use oauth_providers::rfc6749::Builder;

use crate::TRICKY_SECRET;
use crate::adapter::Adapter;
use crate::admin::Admin;
use crate::check::{ChallengeRule, Outcome, Refusal};
use crate::steps::{
    BASIC, CC, PASSWORD, POST, RefreshPlan, fetch, learn, password_then_refresh, refuse, revoked_token_refetched,
};

/// The server's lifetime for `password` and `refresh_token` grant tokens is 2 s (exactly: it
/// answers `expires_in: 2`). A call 1.2 s in is inside the last second, the refresh window.
const REFRESH_PLAN: RefreshPlan = RefreshPlan {
    skew: Duration::from_secs(1),
    inside_window: Duration::from_millis(1200),
    past_expiry: Duration::from_millis(2200),
    first: &[(PASSWORD, BASIC, 200)],
    refresh_method: BASIC,
    user: "\"ana\"",
};

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    AutoFallsBackToPost,
    BasicPercent,
    FormPlusRefused,
    WrongSecretPost,
    PasswordRefreshRotation,
    RevokedTokenRefetched,
    WrongPassword,
}

impl Scenario {
    pub(crate) const ALL: [Self; 7] = [
        Self::AutoFallsBackToPost,
        Self::BasicPercent,
        Self::FormPlusRefused,
        Self::WrongSecretPost,
        Self::PasswordRefreshRotation,
        Self::RevokedTokenRefetched,
        Self::WrongPassword,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::AutoFallsBackToPost => "auto_auth_falls_back_to_post_and_remembers",
            Self::BasicPercent => "client_credentials_basic_percent",
            Self::FormPlusRefused => "form_plus_basic_refused",
            Self::WrongSecretPost => "wrong_secret_post_gets_basic_challenge",
            Self::PasswordRefreshRotation => "password_then_rotating_refresh",
            Self::RevokedTokenRefetched => "revoked_token_refetched_once",
            Self::WrongPassword => "wrong_password",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        let token_url = format!("{}/token", server.base());
        let basic_client = || Builder::new(&token_url).client("basic-client", TRICKY_SECRET);
        let post_client = || Builder::new(&token_url).client("post-client", TRICKY_SECRET);
        match self {
            // Both Basic spellings are refused, the body works, and the next fetch starts there.
            Self::AutoFallsBackToPost => {
                let learning = [(CC, BASIC, 401), (CC, BASIC, 401), (CC, POST, 200)];
                learn(server, adapter, post_client(), &learning, &[(CC, POST, 200)]).await
            }
            Self::BasicPercent => fetch(server, adapter, basic_client(), &[(CC, BASIC, 200)]).await,
            // Authlib `unquote`s the credentials, which leaves `+` a plus: the secret is wrong.
            Self::FormPlusRefused => {
                let builder = basic_client().auth_method(AuthMethod::Basic(BasicEncoding::FormPlus));
                let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Basic, None, &[]);
                refuse(server, adapter, builder, &expected, &[(CC, BASIC, 401)]).await
            }
            // Unlike oidc-provider, Authlib sends a Basic challenge to a body-authenticated client.
            Self::WrongSecretPost => {
                let builder =
                    Builder::new(&token_url).client("post-client", "not-the-secret").auth_method(AuthMethod::Post);
                let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Basic, None, &[]);
                refuse(server, adapter, builder, &expected, &[(CC, POST, 401)]).await
            }
            Self::PasswordRefreshRotation => {
                let builder = basic_client().grant(Grant::password("ana", "pa55 w0rd"));
                password_then_refresh(server, adapter, builder, &REFRESH_PLAN).await
            }
            Self::RevokedTokenRefetched => {
                revoked_token_refetched(server, adapter, basic_client(), "\"basic-client\"", &[(CC, BASIC, 200)]).await
            }
            // Authlib answers a wrong resource-owner password with `invalid_request`.
            Self::WrongPassword => {
                let builder = basic_client().grant(Grant::password("ana", "not-the-password"));
                let expected = Refusal::new(400, ErrorCode::InvalidRequest, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[(PASSWORD, BASIC, 400)]).await
            }
        }
    }
}
