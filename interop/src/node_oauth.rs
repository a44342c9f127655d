//! Scenarios against @node-oauth/oauth2-server, which reads a Basic header raw (split on the
//! first `:`, nothing decoded): the generic profile's default client authentication falls back
//! from percent-encoded to raw Basic, or to the body for a client id with a colon; the password
//! grant with rotating and with kept refresh tokens; a revoked refresh token replaced by the
//! password grant; the refusals `interop/README.md` records.

use std::time::Duration;

use oauth_core::{AuthMethod, BasicEncoding, ErrorCode, Grant, Params};
use oauth_providers::rfc6749::Builder;

use crate::TRICKY_SECRET;
use crate::adapter::{Adapter, token_source};
use crate::admin::{Admin, describe};
use crate::check::{self, ChallengeRule, Outcome, Refusal, ensure};
use crate::steps::{
    BASIC, CC, Expected, PASSWORD, POST, REFRESH, RefreshPlan, fetch, learn, password_then_refresh, profile, refuse,
    revoked_token_refetched,
};

/// The resource owner of the password grant, and a password with the characters a form
/// encoding changes.
const USER: &str = "bob";
const USER_PASSWORD: &str = "p@ss w0rd+&=%";

/// A client id that only the body can carry (raw Basic cannot, percent-encoded Basic is not
/// decoded by this server).
const COLON_ID: &str = "urn:app:1";

/// The server's password and refresh tokens live 3 s, and it answers `expires_in` rounded down:
/// 2 or 3. With a 1.5 s skew (capped at half the lifetime) the refresh window opens at 1 s or
/// 1.5 s and closes at 2 s or 3 s: a call 1.6 s in is inside it either way.
const REFRESH_PLAN: RefreshPlan = RefreshPlan {
    skew: Duration::from_millis(1500),
    inside_window: Duration::from_millis(1600),
    past_expiry: Duration::from_millis(3200),
    // The default percent-encoded Basic is refused; raw Basic gets the token.
    first: &[(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 200)],
    refresh_method: BASIC,
    user: "\"bob\"",
};

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    DefaultAuthRawBasic,
    ReservedClientIdRawBasic,
    ColonClientIdPost,
    Post,
    RawBasic,
    FormPlusRefused,
    WrongSecretBasic,
    WrongSecretPost,
    WrongSecretAuto,
    PasswordRefreshRotation,
    RefreshWithoutRotation,
    RevokedRefreshToken,
    WrongPassword,
    GrantNotAllowed,
    UnsupportedGrant,
    RevokedTokenRefetched,
}

impl Scenario {
    pub(crate) const ALL: [Self; 16] = [
        Self::DefaultAuthRawBasic,
        Self::ReservedClientIdRawBasic,
        Self::ColonClientIdPost,
        Self::Post,
        Self::RawBasic,
        Self::FormPlusRefused,
        Self::WrongSecretBasic,
        Self::WrongSecretPost,
        Self::WrongSecretAuto,
        Self::PasswordRefreshRotation,
        Self::RefreshWithoutRotation,
        Self::RevokedRefreshToken,
        Self::WrongPassword,
        Self::GrantNotAllowed,
        Self::UnsupportedGrant,
        Self::RevokedTokenRefetched,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::DefaultAuthRawBasic => "default_auth_falls_back_to_raw_basic_and_remembers",
            Self::ReservedClientIdRawBasic => "reserved_chars_client_id_raw_basic",
            Self::ColonClientIdPost => "colon_client_id_falls_back_to_post",
            Self::Post => "client_credentials_post",
            Self::RawBasic => "raw_basic_accepted",
            Self::FormPlusRefused => "form_plus_basic_refused",
            Self::WrongSecretBasic => "wrong_secret_basic",
            Self::WrongSecretPost => "wrong_secret_post",
            Self::WrongSecretAuto => "wrong_secret_auto_tries_each_method",
            Self::PasswordRefreshRotation => "password_then_rotating_refresh",
            Self::RefreshWithoutRotation => "refresh_without_rotation_keeps_refresh_token",
            Self::RevokedRefreshToken => "revoked_refresh_token_falls_back_to_password",
            Self::WrongPassword => "wrong_password",
            Self::GrantNotAllowed => "grant_not_allowed_unauthorized_client",
            Self::UnsupportedGrant => "unsupported_grant_type",
            Self::RevokedTokenRefetched => "revoked_token_refetched_once",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        let token_url = format!("{}/token", server.base());
        let client = |id: &str| Builder::new(&token_url).client(id, TRICKY_SECRET);
        let wrong = |id: &str| Builder::new(&token_url).client(id, "not-the-secret");
        let password = || Grant::password(USER, USER_PASSWORD);
        let invalid_client_basic =
            || Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::BasicWithoutError, None, &[]);
        match self {
            // The percent-encoded secret is taken literally, so it is wrong; raw Basic carries it.
            Self::DefaultAuthRawBasic => {
                let learning = [(CC, BASIC, 401), (CC, BASIC, 200)];
                learn(server, adapter, client("basic-client"), &learning, &[(CC, BASIC, 200)]).await
            }
            // `abc%2Bdef%2Fghi%3D%3D` is no client here; `abc+def/ghi==` raw is.
            Self::ReservedClientIdRawBasic => {
                let learning = [(CC, BASIC, 401), (CC, BASIC, 200)];
                learn(server, adapter, client("abc+def/ghi=="), &learning, &[(CC, BASIC, 200)]).await
            }
            // Raw Basic cannot carry `urn:app:1` and is skipped: the body gets the token.
            Self::ColonClientIdPost => {
                let learning = [(CC, BASIC, 401), (CC, POST, 200)];
                learn(server, adapter, client(COLON_ID), &learning, &[(CC, POST, 200)]).await
            }
            Self::Post => {
                fetch(server, adapter, client("post-client").auth_method(AuthMethod::Post), &[(CC, POST, 200)]).await
            }
            Self::RawBasic => {
                let builder = client("basic-client").auth_method(AuthMethod::Basic(BasicEncoding::Raw));
                fetch(server, adapter, builder, &[(CC, BASIC, 200)]).await
            }
            Self::FormPlusRefused => {
                let builder = client("basic-client").auth_method(AuthMethod::Basic(BasicEncoding::FormPlus));
                refuse(server, adapter, builder, &invalid_client_basic(), &[(CC, BASIC, 401)]).await
            }
            // A Basic challenge with a realm and no error, only when the request used Basic.
            Self::WrongSecretBasic => {
                let builder = wrong("basic-client").auth_method(AuthMethod::Basic(BasicEncoding::Percent));
                refuse(server, adapter, builder, &invalid_client_basic(), &[(CC, BASIC, 401)]).await
            }
            // Credentials in the body are refused with 400, not 401.
            Self::WrongSecretPost => {
                let builder = wrong("post-client").auth_method(AuthMethod::Post);
                let expected = Refusal::new(400, ErrorCode::InvalidClient, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[(CC, POST, 400)]).await
            }
            // Each method once; the first refusal is the one reported.
            Self::WrongSecretAuto => {
                const TRIED: &[AuthMethod] = &[
                    AuthMethod::Basic(BasicEncoding::Percent),
                    AuthMethod::Basic(BasicEncoding::Raw),
                    AuthMethod::Post,
                ];
                let expected =
                    Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::BasicWithoutError, None, TRIED);
                let seen = [(CC, BASIC, 401), (CC, BASIC, 401), (CC, POST, 400)];
                refuse(server, adapter, wrong("basic-client"), &expected, &seen).await
            }
            Self::PasswordRefreshRotation => {
                let builder = client("basic-client").grant(password());
                password_then_refresh(server, adapter, builder, &REFRESH_PLAN).await
            }
            Self::RefreshWithoutRotation => {
                let builder = Builder::new(format!("{}/no-rotation/token", server.base()))
                    .client(COLON_ID, TRICKY_SECRET)
                    .grant(password());
                refresh_without_rotation(server, adapter, builder).await
            }
            Self::RevokedRefreshToken => {
                revoked_refresh_token(server, adapter, client("basic-client").grant(password())).await
            }
            // A wrong resource-owner password is `invalid_grant`, as RFC 6749 §5.2 says.
            Self::WrongPassword => {
                let builder = client("basic-client").grant(Grant::password(USER, "not-the-password"));
                let expected = Refusal::new(400, ErrorCode::InvalidGrant, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 400)]).await
            }
            Self::GrantNotAllowed => {
                let builder = client("cc-only-client").grant(password());
                let expected = Refusal::new(400, ErrorCode::UnauthorizedClient, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 400)]).await
            }
            // An extension grant is not replayed with other client authentication, so the client
            // names the method the server takes.
            Self::UnsupportedGrant => {
                let grant =
                    Grant::extension("urn:example:unknown", Params::new()).map_err(|e| format!("grant: {e}"))?;
                let builder = client("post-client").auth_method(AuthMethod::Post).grant(grant);
                let expected = Refusal::new(400, ErrorCode::UnsupportedGrantType, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[("urn:example:unknown", POST, 400)]).await
            }
            Self::RevokedTokenRefetched => {
                let refetch = [(CC, BASIC, 200)];
                revoked_token_refetched(server, adapter, client("basic-client"), "\"basic-client\"", &refetch).await
            }
        }
    }
}

/// Fetches a token and checks what the server saw since `mark`.
async fn token_seeing(
    server: &Admin,
    source: &oauth_token_source::TokenSource,
    expected: &[Expected],
) -> Result<String, String> {
    let mark = server.mark().await?;
    check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, expected)?;
    Ok(describe(&seen))
}

/// With `alwaysIssueNewRefreshToken: false` a refresh answers no refresh token: the client keeps
/// the one it holds and refreshes with it again (were it dropped, a password grant would show).
/// The colon client id goes in the body, which the password grant learned and the refreshes use.
async fn refresh_without_rotation(server: &Admin, adapter: Adapter, builder: Builder) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let learned = token_seeing(server, &source, &[(PASSWORD, BASIC, 401), (PASSWORD, POST, 200)]).await?;
    source.invalidate();
    let first = token_seeing(server, &source, &[(REFRESH, POST, 200)]).await?;
    source.invalidate();
    let second = token_seeing(server, &source, &[(REFRESH, POST, 200)]).await?;
    Ok(format!("{learned}, then {first} and {second} with the same refresh token"))
}

/// The server revokes every refresh token: the next refresh gets `invalid_grant`, and the same
/// call gets its token from the password grant, with the client authentication learned before.
async fn revoked_refresh_token(server: &Admin, adapter: Adapter, builder: Builder) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let learned = token_seeing(server, &source, REFRESH_PLAN.first).await?;
    server.revoke_refresh_tokens().await?;
    source.invalidate();
    let mark = server.mark().await?;
    check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(REFRESH, BASIC, 400), (PASSWORD, BASIC, 200)])?;
    let refusal = seen.first().and_then(|s| s.error.as_deref());
    ensure(refusal == Some("invalid_grant"), || format!("the refresh got {refusal:?}, expected invalid_grant"))?;
    Ok(format!("{learned}; refresh tokens revoked, then {}", describe(&seen)))
}
