//! Scenario steps the servers' scenarios share: one token fetch, one refusal, a client
//! authentication learned and remembered, the password grant with refreshes, a revoked token
//! replaced behind the bearer middleware — each with the token requests the server saw checked —
//! and an introspection or revocation request built by the library and sent through a transport.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauth_core::introspection::{Introspection, IntrospectionError, IntrospectionRequest};
use oauth_core::revocation::{RevocationError, RevocationRequest};
use oauth_core::{AccessToken, ClientAuth, EndpointUrl};
use oauth_providers::rfc6749::Builder;
use oauth_token_source::{TokenSource, Transport};

use crate::adapter::{Adapter, Api, send, token_source};
use crate::admin::{Admin, describe};
use crate::check::{self, Outcome, Refusal, ensure};

/// One token request as a scenario expects the server to see it: grant type, client
/// authentication (as the token log names it), status.
pub(crate) type Expected = (&'static str, &'static str, u16);

pub(crate) const CC: &str = "client_credentials";
pub(crate) const PASSWORD: &str = "password";
pub(crate) const REFRESH: &str = "refresh_token";
pub(crate) const BASIC: &str = "client_secret_basic";
pub(crate) const POST: &str = "client_secret_post";

/// The profile `builder` makes, or why it cannot.
pub(crate) fn profile(builder: Builder) -> Result<oauth_providers::Profile, String> {
    builder.build().map_err(|e| format!("profile: {e}"))
}

/// Fetches one token with `builder`'s profile and checks the requests the server saw.
pub(crate) async fn fetch(server: &Admin, adapter: Adapter, builder: Builder, expected: &[Expected]) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, expected)?;
    Ok(format!("token; server saw {}", describe(&seen)))
}

/// Asks for a token with `builder`'s profile, expecting `expected`, and checks the requests the
/// server saw (refusals are not retryable: no request repeats).
pub(crate) async fn refuse(
    server: &Admin,
    adapter: Adapter,
    builder: Builder,
    expected: &Refusal,
    seen: &[Expected],
) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    let detail = check::refusal(source.token().await, expected)?;
    check::seen(&server.seen_since(mark).await?, seen)?;
    Ok(detail)
}

/// The generic profile's auto client authentication: the first fetch sends `learning` (methods
/// refused, then the one that works); after `invalidate` the next fetch sends `remembered`,
/// starting with the method that worked, and gets a new token.
pub(crate) async fn learn(
    server: &Admin,
    adapter: Adapter,
    builder: Builder,
    learning: &[Expected],
    remembered: &[Expected],
) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    let first = check::token(source.token().await)?;
    let learned = server.seen_since(mark).await?;
    check::seen(&learned, learning)?;

    source.invalidate();
    let mark = server.mark().await?;
    let second = check::token(source.token().await)?;
    let again = server.seen_since(mark).await?;
    check::seen(&again, remembered)?;
    ensure(!second.same_as(&first), || "the token after invalidate is the old one".to_owned())?;
    Ok(format!("learned {}, then {}", describe(&learned), describe(&again)))
}

/// How a password-then-refresh scenario is timed, and what it expects.
pub(crate) struct RefreshPlan {
    /// The token source's refresh skew.
    pub(crate) skew: Duration,
    /// How long after the first token a call is inside its refresh window, yet before expiry.
    pub(crate) inside_window: Duration,
    /// How long after the second token it has surely expired.
    pub(crate) past_expiry: Duration,
    /// What the first fetch sends: the password grant, with any client-authentication fallback.
    pub(crate) first: &'static [Expected],
    /// The client authentication the refreshes use (the one the first fetch ended with).
    pub(crate) refresh_method: &'static str,
    /// Text `/api/me` must answer: the resource owner.
    pub(crate) user: &'static str,
}

/// The password grant with short-lived tokens: a call inside the refresh window gets the
/// current token while a refresh runs behind it; a call after expiry waits for a refresh. Both
/// refreshes use the `refresh_token` grant, the second with the rotated refresh token (the first
/// one is revoked by then: sending it would get `invalid_grant` and a password grant would show
/// up).
pub(crate) async fn password_then_refresh(
    server: &Admin,
    adapter: Adapter,
    builder: Builder,
    plan: &RefreshPlan,
) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b.refresh_skew(plan.skew))?;
    let api = Api::new(adapter, source.clone());
    let me = format!("{}/api/me", server.base());
    let refresh: &[Expected] = &[(REFRESH, plan.refresh_method, 200)];

    let mark = server.mark().await?;
    let first = check::token(source.token().await)?;
    check::seen(&server.seen_since(mark).await?, plan.first)?;
    expect_me(&api, &me, plan.user).await?;

    tokio::time::sleep(plan.inside_window).await;
    let mark = server.mark().await?;
    let during_refresh = check::token(source.token().await)?;
    ensure(during_refresh.same_as(&first), || {
        "inside the refresh window the call did not get the current token".to_owned()
    })?;
    let second = next_token(&source, &first).await?;
    check::seen(&server.seen_since(mark).await?, refresh)?;

    tokio::time::sleep(plan.past_expiry).await;
    let mark = server.mark().await?;
    let third = check::token(source.token().await)?;
    ensure(!third.same_as(&second), || "an expired token was served".to_owned())?;
    check::seen(&server.seen_since(mark).await?, refresh)?;
    expect_me(&api, &me, plan.user).await?;
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
/// `invalid_token`; the middleware fetches one new token (`refetch`: what the server sees) and
/// the retried call succeeds. `/api/me` must answer `who`.
pub(crate) async fn revoked_token_refetched(
    server: &Admin,
    adapter: Adapter,
    builder: Builder,
    who: &str,
    refetch: &[Expected],
) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let api = Api::new(adapter, source.clone());
    let me = format!("{}/api/me", server.base());
    expect_me(&api, &me, who).await?;
    let first = check::token(source.token().await)?;

    server.revoke_all().await?;
    let (refused, answer) = plain_get(&me, &first).await?;
    ensure(refused, || format!("the revoked token got {answer}, expected 401 with a Bearer invalid_token challenge"))?;

    let mark = server.mark().await?;
    expect_me(&api, &me, who).await?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, refetch)?;
    let now = check::token(source.token().await)?;
    ensure(!now.same_as(&first), || "the revoked token is still cached".to_owned())?;
    Ok(format!("{answer} → one refetch {} → retried call 200", describe(&seen)))
}

/// GETs `url` through the middleware and expects a 200 whose body contains `needle`.
pub(crate) async fn expect_me(api: &Api, url: &str, needle: &str) -> Result<(), String> {
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

/// `N` bytes from the operating system's generator.
pub(crate) fn entropy<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|e| format!("no entropy from /dev/urandom: {e}"))?;
    Ok(bytes)
}

/// `request` sent to the introspection `endpoint` through `transport`, authenticated as `auth`:
/// built with `build_request_at` (now, fresh `jti` entropy), so a JWT client's request carries
/// a fresh assertion. The server's answer, or (outside) why there was none.
pub(crate) async fn introspect(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &IntrospectionRequest,
) -> Result<Result<Introspection, IntrospectionError>, String> {
    let (http_request, pending) = request.build_request_at(endpoint, auth, SystemTime::now(), entropy()?);
    Ok(pending.finish(&send(transport, http_request).await?))
}

/// `request` sent to the revocation `endpoint`, as [`introspect`] sends its request.
pub(crate) async fn revoke(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &RevocationRequest,
) -> Result<Result<(), RevocationError>, String> {
    let (http_request, pending) = request.build_request_at(endpoint, auth, SystemTime::now(), entropy()?);
    Ok(pending.finish(&send(transport, http_request).await?))
}

/// [`introspect`]'s answer, a refusal as the error.
pub(crate) async fn introspected(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &IntrospectionRequest,
) -> Result<Introspection, String> {
    introspect(transport, endpoint, auth, request).await?.map_err(|e| format!("introspection: {e}"))
}

/// [`revoke`], a refusal as the error.
pub(crate) async fn revoked(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &RevocationRequest,
) -> Result<(), String> {
    revoke(transport, endpoint, auth, request).await?.map_err(|e| format!("revocation: {e}"))
}
