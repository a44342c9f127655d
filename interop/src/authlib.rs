//! Scenarios against Authlib: the auto client authentication finding and remembering the one
//! method a client is registered with, the password grant with rotating refresh tokens, and a
//! revoked token replaced behind the bearer middleware.

use std::time::Duration;

use oauth_core::{AccessToken, AuthMethod, BasicEncoding, ErrorCode, Grant};
use oauth_providers::rfc6749::Builder;
use oauth_token_source::TokenSource;

use crate::TRICKY_SECRET;
use crate::adapter::{Adapter, Api, token_source};
use crate::admin::{Admin, describe};
use crate::check::{self, ChallengeRule, Outcome, Refusal, ensure};
use crate::steps::{fetch, profile, refuse};

const CC: &str = "client_credentials";
const PASSWORD: &str = "password";
const REFRESH: &str = "refresh_token";
const BASIC: &str = "client_secret_basic";
const POST: &str = "client_secret_post";

/// The server's lifetime for `password` and `refresh_token` grant tokens.
const SHORT_LIFETIME: Duration = Duration::from_secs(2);

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
            Self::AutoFallsBackToPost => auto_falls_back(server, adapter, post_client()).await,
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
                password_then_refresh(server, adapter, builder).await
            }
            Self::RevokedTokenRefetched => revoked_token_refetched(server, adapter, basic_client()).await,
            // Authlib answers a wrong resource-owner password with `invalid_request`.
            Self::WrongPassword => {
                let builder = basic_client().grant(Grant::password("ana", "not-the-password"));
                let expected = Refusal::new(400, ErrorCode::InvalidRequest, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[(PASSWORD, BASIC, 400)]).await
            }
        }
    }
}

/// A client registered for `client_secret_post` under the generic profile's auto mode: both
/// Basic spellings are refused, the body works, and the next fetch goes straight to the body.
async fn auto_falls_back(server: &Admin, adapter: Adapter, builder: Builder) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    let first = check::token(source.token().await)?;
    let learning = server.seen_since(mark).await?;
    check::seen(&learning, &[(CC, BASIC, 401), (CC, BASIC, 401), (CC, POST, 200)])?;

    source.invalidate();
    let mark = server.mark().await?;
    let second = check::token(source.token().await)?;
    let remembered = server.seen_since(mark).await?;
    check::seen(&remembered, &[(CC, POST, 200)])?;
    ensure(!second.same_as(&first), || "the token after invalidate is the old one".to_owned())?;
    Ok(format!("learned {}, then {}", describe(&learning), describe(&remembered)))
}

/// The password grant with 2 s tokens: a call inside the refresh window gets the current token
/// while a refresh runs behind it; a call after expiry waits for a refresh. Both refreshes use
/// the `refresh_token` grant, the second with the rotated refresh token (the first one is revoked
/// by then: sending it would get `invalid_grant` and a password grant would show up).
async fn password_then_refresh(server: &Admin, adapter: Adapter, builder: Builder) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b.refresh_skew(Duration::from_secs(1)))?;
    let api = Api::new(adapter, source.clone());
    let me = format!("{}/api/me", server.base());

    let mark = server.mark().await?;
    let first = check::token(source.token().await)?;
    check::seen(&server.seen_since(mark).await?, &[(PASSWORD, BASIC, 200)])?;
    expect_me(&api, &me, "\"ana\"").await?;

    // Inside the refresh window (the last second of the token's life).
    tokio::time::sleep(SHORT_LIFETIME.mul_f32(0.6)).await;
    let mark = server.mark().await?;
    let during_refresh = check::token(source.token().await)?;
    ensure(during_refresh.same_as(&first), || {
        "inside the refresh window the call did not get the current token".to_owned()
    })?;
    let second = next_token(&source, &first).await?;
    check::seen(&server.seen_since(mark).await?, &[(REFRESH, BASIC, 200)])?;

    // Past the new token's expiry.
    tokio::time::sleep(SHORT_LIFETIME + Duration::from_millis(200)).await;
    let mark = server.mark().await?;
    let third = check::token(source.token().await)?;
    ensure(!third.same_as(&second), || "an expired token was served".to_owned())?;
    check::seen(&server.seen_since(mark).await?, &[(REFRESH, BASIC, 200)])?;
    expect_me(&api, &me, "\"ana\"").await?;
    Ok("password → refresh ahead (background) → refresh after expiry with the rotated refresh token".to_owned())
}

/// Waits (up to 3 s) for the background refresh to replace `old`.
async fn next_token(source: &TokenSource, old: &AccessToken) -> Result<AccessToken, String> {
    for _ in 0..60 {
        let token = check::token(source.token().await)?;
        if !token.same_as(old) {
            return Ok(token);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the refresh ahead of expiry never replaced the token".to_owned())
}

/// After the server revokes every token, the API answers the cached token with 401
/// `invalid_token`; the middleware fetches one new token and the retried call succeeds.
async fn revoked_token_refetched(server: &Admin, adapter: Adapter, builder: Builder) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let api = Api::new(adapter, source.clone());
    let me = format!("{}/api/me", server.base());
    expect_me(&api, &me, "\"basic-client\"").await?;
    let first = check::token(source.token().await)?;

    server.revoke_all().await?;
    let (refused, answer) = plain_get(&me, &first).await?;
    ensure(refused, || format!("the revoked token got {answer}, expected 401 with a Bearer invalid_token challenge"))?;

    let mark = server.mark().await?;
    expect_me(&api, &me, "\"basic-client\"").await?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, BASIC, 200)])?;
    let now = check::token(source.token().await)?;
    ensure(!now.same_as(&first), || "the revoked token is still cached".to_owned())?;
    Ok(format!("401 invalid_token → one refetch {} → retried call 200", describe(&seen)))
}

/// GETs `url` through the middleware and expects a 200 whose body contains `needle`.
async fn expect_me(api: &Api, url: &str, needle: &str) -> Result<(), String> {
    let (status, body) = api.get(url).await?;
    let text = String::from_utf8_lossy(&body);
    ensure(status == 200 && text.contains(needle), || format!("GET {url}: {status} {text}"))
}

/// GETs `url` with `token`, outside the middleware: whether the answer says the token is no
/// good (401 with a Bearer `invalid_token` challenge), and the answer's status and challenge.
async fn plain_get(url: &str, token: &AccessToken) -> Result<(bool, String), String> {
    let response = reqwest::Client::new().get(url).bearer_auth(token.secret()).send().await;
    let response = response.map_err(|e| format!("GET {url}: {e}"))?;
    let refused = oauth_core::is_invalid_token(response.status(), response.headers());
    let challenge = response.headers().get(http::header::WWW_AUTHENTICATE);
    let challenge = challenge.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).unwrap_or_default();
    Ok((refused, format!("{} `{challenge}`", response.status())))
}
