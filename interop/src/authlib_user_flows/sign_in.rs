//! The authorization code with PKCE against Authlib's `AuthorizationCodeGrant` (with
//! `CodeChallenge(required=True)` and the RFC 9207 `IssuerParameter`): the headless user signs
//! in at the server's login and consent pages (`interop/servers/authlib/sign_in.py`), the
//! library reads the redirect and exchanges the code, then refreshes.

use std::num::NonZeroU16;
use std::sync::Arc;
use std::time::Instant;

use http::Uri;
use oauth_core::authorization::{AuthorizationError, AuthorizationRequest, loopback_redirect_uri};
use oauth_core::{ClientAuth, ErrorCode, Scope, Token, TokenConfig, TokenEndpoint, TokenRequest};
use oauth_token_source::{TokenSource, Transport};
use oauth_tokio::TokioRuntime;

use super::{USER, client_id, endpoint, send};
use crate::admin::{Admin, describe};
use crate::browser::{Consent, query_param, redirect_for};
use crate::check::{self, Outcome, authorization_required, ensure};
use crate::steps::REFRESH;

const NATIVE_APP: &str = "native-app";
/// Where nothing listens: the headless user stops at the redirect and hands it over.
const REDIRECT_PORT: u16 = 8400;
/// How the token log names these requests.
const CODE: &str = "authorization_code";
const NONE: &str = "none";

fn public() -> Result<ClientAuth, String> {
    Ok(ClientAuth::public(client_id(NATIVE_APP)?))
}

/// `native-app`'s request for `profile`, expecting the server's `iss` on the redirect.
fn authorization_request(server: &Admin, issuer: &str) -> Result<AuthorizationRequest, String> {
    let port = NonZeroU16::new(REDIRECT_PORT).ok_or("port 0")?;
    let scope = Scope::parse("profile").map_err(|e| e.to_string())?;
    Ok(AuthorizationRequest::new(endpoint(server, "/authorize")?, client_id(NATIVE_APP)?, loopback_redirect_uri(port))
        .with_scope(scope)
        .with_issuer(issuer, true))
}

/// A refresh-only source of the native app, seeded with `token`.
fn refresh_only(server: &Admin, transport: &Arc<dyn Transport>, token: Token) -> Result<TokenSource, String> {
    let token_endpoint = TokenEndpoint::at(endpoint(server, "/token")?);
    let config = TokenConfig::new(token_endpoint, public()?, TokenRequest::new(oauth_core::Grant::ClientCredentials));
    TokenSource::builder(config, Arc::clone(transport), TokioRuntime)
        .seed(token)
        .refresh_only()
        .build()
        .map_err(|e| format!("token source: {e}"))
}

/// The code flow: the headless user signs in and consents, `accept` checks `state` and `iss`,
/// the code is exchanged with its PKCE verifier (a token with a refresh token). A refresh-only
/// source refreshes (Authlib rotates the refresh token); the rotated-away one sent again is
/// refused with `invalid_grant` — and unlike oidc-provider, Authlib does not revoke the grant
/// for it: the current refresh token still works.
pub(super) async fn authorization_code(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let mark = server.mark().await?;
    let (redirect, pending, steps) =
        redirect_for(server.base(), USER, authorization_request(server, server.base())?, Consent::Approve).await?;
    let exchange = pending.accept(&redirect).map_err(|e| format!("the redirect was refused: {e}"))?;
    ensure(exchange.issuer() == Some(server.base()), || format!("the redirect's iss is {:?}", exchange.issuer()))?;
    let token_endpoint = TokenEndpoint::at(endpoint(server, "/token")?);
    let (request, pending) = exchange.build_request(&token_endpoint, &public()?).map_err(|e| e.to_string())?;
    let sent_at = Instant::now();
    let token = pending.finish(&send(transport, request).await?, sent_at).map_err(|e| format!("the exchange: {e}"))?;
    let exchanged = server.seen_since(mark).await?;
    check::seen(&exchanged, &[(CODE, NONE, 200)])?;
    let first_refresh = token.refresh_token().cloned().ok_or("the code exchange answered no refresh token")?;
    let scope = token.scope().map(Scope::as_str).unwrap_or_default().to_owned();
    ensure(scope == "profile", || format!("granted scope `{scope}`, expected `profile`"))?;

    let source = refresh_only(server, transport, token.clone())?;
    source.invalidate();
    let mark = server.mark().await?;
    let refreshed = check::token(source.token().await)?;
    ensure(!refreshed.same_as(token.access_token()), || "the refresh answered the old access token".to_owned())?;
    let rotated = source.current_token().and_then(|t| t.refresh_token().cloned());
    let rotated = rotated.ok_or("no refresh token held after the refresh")?;
    ensure(rotated.secret() != first_refresh.secret(), || "the refresh token was not rotated".to_owned())?;

    let replay = refresh_only(server, transport, token)?;
    replay.invalidate();
    let replayed = authorization_required(replay.token().await, "the rotated-away refresh token")?;
    source.invalidate();
    check::token(source.token().await).map_err(|e| format!("the current refresh token after the replay: {e}"))?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(REFRESH, NONE, 200), (REFRESH, NONE, 400), (REFRESH, NONE, 200)])?;
    Ok(format!(
        "headless sign-in ({steps} requests: login, consent) → state and iss checked → code + PKCE exchanged {} \
         (scope `{scope}`, refresh token); refresh-only source refreshed (rotated), the old refresh token → \
         {replayed}, the current one still refreshes: {}",
        describe(&exchanged),
        describe(&seen)
    ))
}

/// What `accept` refuses, each after a real sign-in and with no token request: a changed
/// `state`; a redirect from this server when another issuer was expected (Authlib's `iss` is
/// its own); the person cancelling at the consent page (`access_denied`, with `iss` too).
pub(super) async fn redirect_refusals(server: &Admin) -> Outcome {
    let mark = server.mark().await?;
    let (redirect, pending, _) =
        redirect_for(server.base(), USER, authorization_request(server, server.base())?, Consent::Approve).await?;
    let state = pending.state().to_owned();
    // The same length and alphabet, one character changed.
    let forged = format!("{}{}", if state.starts_with('A') { 'B' } else { 'A' }, state.get(1..).unwrap_or_default());
    let tampered = redirect.to_string().replace(&format!("state={state}"), &format!("state={forged}"));
    ensure(tampered != redirect.to_string(), || format!("no state={state} in {redirect}"))?;
    let tampered: Uri = tampered.parse().map_err(|e| format!("{e}"))?;
    match pending.accept(&tampered) {
        Err(AuthorizationError::StateMismatch) => {}
        other => return Err(format!("a changed state: expected StateMismatch, got {other:?}")),
    }

    let elsewhere = "http://127.0.0.1:1";
    let (redirect, pending, _) =
        redirect_for(server.base(), USER, authorization_request(server, elsewhere)?, Consent::Approve).await?;
    let iss = query_param(&redirect.to_string(), "iss").unwrap_or_default();
    match pending.accept(&redirect) {
        Err(AuthorizationError::IssuerMismatch { expected, received }) => {
            ensure(&*expected == elsewhere && *received == *server.base(), || {
                format!("IssuerMismatch names expected {expected}, received {received}")
            })?;
        }
        other => return Err(format!("iss {iss} for another issuer: expected IssuerMismatch, got {other:?}")),
    }

    let (redirect, pending, _) =
        redirect_for(server.base(), USER, authorization_request(server, server.base())?, Consent::Deny).await?;
    let denied_iss = query_param(&redirect.to_string(), "iss").unwrap_or_default();
    let denied = match pending.accept(&redirect) {
        Err(AuthorizationError::Server { code: ErrorCode::AccessDenied, description, .. }) => {
            format!("access_denied \"{}\"", description.as_deref().unwrap_or_default())
        }
        other => return Err(format!("the user cancelled: expected access_denied, got {other:?}")),
    };
    ensure(denied_iss == server.base(), || format!("the denial's iss is `{denied_iss}`"))?;
    check::seen(&server.seen_since(mark).await?, &[])?;
    Ok(format!(
        "changed state → StateMismatch; iss {iss} when another issuer was expected → IssuerMismatch; consent \
         cancelled → {denied} (iss checked); no token request"
    ))
}
