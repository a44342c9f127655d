//! The user-facing flows over the adapters, the library building every request and reading
//! every answer: discovery, the authorization code with PKCE then refresh, the redirect
//! refusals, the device flow, introspection and revocation.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::{StatusCode, Uri};
use oauth_core::authorization::AuthorizationError;
use oauth_core::device::{
    DEFAULT_INTERVAL, DEVICE_CODE_GRANT_TYPE, DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow,
    DeviceStep,
};
use oauth_core::discovery::{DiscoveryError, Issuer, ServerMetadata, WellKnown};
use oauth_core::introspection::{IntrospectionError, IntrospectionRequest};
use oauth_core::revocation::RevocationRequest;
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, ErrorCode, Scope, Token, TokenEndpoint,
};
use oauth_providers::rfc6749::Builder;
use oauth_token_source::{ClientError, TokenSource, Transport};
use oauth_tokio::TokioRuntime;

use super::sign_in::{SignedIn, authorization_request, discover, endpoint, metadata, native_id, send, sign_in};
use super::{CODE, NATIVE_APP, NONE, TOKEN_ADMIN, USER, mask_code};
use crate::TRICKY_SECRET;
use crate::admin::{Admin, describe};
use crate::browser::{Browser, Consent, form_encode, query_param, redirect_for};
use crate::check::{self, Outcome, authorization_required, ensure};
use crate::steps::{REFRESH, introspect, introspected, revoked};

/// The issuer's document: its `issuer` checked, the endpoints of every flow present where
/// oidc-provider puts them, PKCE with S256 and the `iss` parameter announced; the RFC 8414
/// document (which oidc-provider also serves) read the same.
pub(super) async fn discovery(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let base = server.base();
    let issuer = Issuer::new(base).map_err(|e| format!("issuer {base}: {e}"))?;
    let openid = metadata(transport, &issuer, WellKnown::OpenIdConfiguration).await?;
    let openid = openid.map_err(|e| format!("{}: {e}", issuer.metadata_url(WellKnown::OpenIdConfiguration)))?;
    ensure(openid.issuer().as_str() == base, || format!("issuer {}, expected {base}", openid.issuer()))?;
    let expected = [
        ("authorization_endpoint", openid.authorization_endpoint(), "/auth"),
        ("token_endpoint", openid.token_endpoint(), "/token"),
        ("device_authorization_endpoint", openid.device_authorization_endpoint(), "/device/auth"),
        ("revocation_endpoint", openid.revocation_endpoint(), "/token/revocation"),
        ("introspection_endpoint", openid.introspection_endpoint(), "/token/introspection"),
    ];
    for (member, found, path) in expected {
        let url = endpoint(found, member)?.to_string();
        ensure(url == format!("{base}{path}"), || format!("{member} {url}, expected {base}{path}"))?;
    }
    ensure(openid.code_challenge_methods_supported().contains("S256"), || {
        format!("code_challenge_methods_supported {:?} lacks S256", openid.code_challenge_methods_supported())
    })?;
    ensure(openid.authorization_response_iss_parameter_supported(), || {
        "authorization_response_iss_parameter_supported is not true".to_owned()
    })?;
    for grant in ["authorization_code", "refresh_token", DEVICE_CODE_GRANT_TYPE] {
        ensure(openid.grant_types_supported().contains(grant), || format!("grant_types_supported lacks {grant}"))?;
    }
    let (public, confidential) = (openid.preferred_auth_method(false), openid.preferred_auth_method(true));
    ensure(public == Some(AuthMethod::None), || format!("preferred method for a public client: {public:?}"))?;
    ensure(confidential == Some(AuthMethod::Basic(BasicEncoding::Percent)), || {
        format!("preferred method for a confidential client: {confidential:?}")
    })?;

    let oauth = metadata(transport, &issuer, WellKnown::OAuthAuthorizationServer).await?;
    let oauth = oauth.map_err(|e| format!("{}: {e}", issuer.metadata_url(WellKnown::OAuthAuthorizationServer)))?;
    ensure(oauth.token_endpoint() == openid.token_endpoint() && oauth.issuer() == openid.issuer(), || {
        "the RFC 8414 document differs from the OpenID Connect one".to_owned()
    })?;
    Ok(format!(
        "GET /.well-known/openid-configuration → issuer {base}, authorization, token, device, revocation and \
         introspection endpoints, S256, iss announced, public client → none; /.well-known/oauth-authorization-server \
         the same"
    ))
}

/// Another issuer text for the same server is refused, not followed: `<base>/` gets the same
/// document (the well-known URL drops a trailing `/`), which names `<base>` — a mix-up; and
/// `<base>/tenant` has no document (404).
pub(super) async fn discovery_other_issuer(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let base = server.base();
    let slash = Issuer::new(&format!("{base}/")).map_err(|e| format!("issuer {base}/: {e}"))?;
    let mismatch = match metadata(transport, &slash, WellKnown::OpenIdConfiguration).await? {
        Err(DiscoveryError::IssuerMismatch { expected, found }) => {
            ensure(*expected == format!("{base}/") && *found == *base, || {
                format!("mismatch names expected {expected:?}, found {found:?}")
            })?;
            format!("issuer {base}/ → IssuerMismatch (the document names {found})")
        }
        other => return Err(format!("issuer {base}/: expected IssuerMismatch, got {other:?}")),
    };
    let tenant = Issuer::new(&format!("{base}/tenant")).map_err(|e| format!("issuer {base}/tenant: {e}"))?;
    let mut missing = Vec::new();
    for well_known in [WellKnown::OpenIdConfiguration, WellKnown::OAuthAuthorizationServer] {
        let url = tenant.metadata_url(well_known).to_string();
        match metadata(transport, &tenant, well_known).await? {
            Err(DiscoveryError::Server(error)) if error.status == StatusCode::NOT_FOUND => {
                ensure(!DiscoveryError::Server(error).is_retryable(), || format!("{url}: a 404 called retryable"))?;
                missing.push(url.trim_start_matches(base).to_owned());
            }
            other => return Err(format!("{url}: expected a 404, got {other:?}")),
        }
    }
    Ok(format!("{mismatch}; issuer {base}/tenant → 404 at {}", missing.join(" and ")))
}

/// A refresh-only token source for the native app, seeded with `token`.
fn refresh_only(
    metadata: &ServerMetadata,
    transport: &Arc<dyn Transport>,
    token: Token,
) -> Result<TokenSource, String> {
    let token_url = endpoint(metadata.token_endpoint(), "token_endpoint")?.to_string();
    let profile = Builder::new(token_url).public_client(NATIVE_APP).build().map_err(|e| format!("profile: {e}"))?;
    TokenSource::builder(profile, Arc::clone(transport), TokioRuntime)
        .seed(token)
        .refresh_only()
        .build()
        .map_err(|e| format!("token source: {e}"))
}

/// The code flow, then the refresh token: a refresh-only source refreshes (oidc-provider rotates
/// a public client's refresh token); the rotated-away refresh token sent again is refused with
/// `invalid_grant` — and oidc-provider then revokes the whole grant, so the current one is
/// refused too. Both refusals are `AuthorizationRequired`: the user must sign in again.
pub(super) async fn authorization_code(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let mark = server.mark().await?;
    let SignedIn { token, metadata, steps } = sign_in(server, transport).await?;
    let exchanged = server.seen_since(mark).await?;
    check::seen(&exchanged, &[(CODE, NONE, 200)])?;
    let first_refresh = token.refresh_token().cloned().ok_or("the code exchange answered no refresh token")?;
    let scope = token.scope().map(Scope::as_str).unwrap_or_default().to_owned();
    ensure(scope.split(' ').any(|s| s == "offline_access"), || {
        format!("granted scope `{scope}` lacks offline_access")
    })?;
    ensure(token.id_token().is_some(), || "no id_token for the openid scope".to_owned())?;

    let source = refresh_only(&metadata, transport, token.clone())?;
    let seeded = check::token(source.token().await)?;
    ensure(seeded.same_as(token.access_token()), || "the seeded token was not served".to_owned())?;
    source.invalidate();
    let mark = server.mark().await?;
    let refreshed = check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(REFRESH, NONE, 200)])?;
    ensure(!refreshed.same_as(token.access_token()), || "the refresh answered the old access token".to_owned())?;
    let rotated = source.current_token().and_then(|t| t.refresh_token().cloned());
    let rotated = rotated.ok_or("no refresh token held after the refresh")?;
    ensure(rotated.secret() != first_refresh.secret(), || {
        "the public client's refresh token was not rotated".to_owned()
    })?;

    let replay = refresh_only(&metadata, transport, token)?;
    replay.invalidate();
    let mark = server.mark().await?;
    let replayed = authorization_required(replay.token().await, "the rotated-away refresh token")?;
    source.invalidate();
    let current = authorization_required(source.token().await, "the current refresh token after the replay")?;
    let refused = server.seen_since(mark).await?;
    check::seen(&refused, &[(REFRESH, NONE, 400), (REFRESH, NONE, 400)])?;
    Ok(format!(
        "headless sign-in ({steps} requests) → code + PKCE exchanged {} (scope `{scope}`, id_token, refresh token); \
         refresh-only source refreshed {} with the refresh token rotated; the old one replayed → {replayed}, then \
         the current one → {current} (the grant revoked)",
        describe(&exchanged),
        describe(&seen)
    ))
}

/// What `accept` refuses, each after a real sign-in and with no token request made: a redirect
/// whose `state` was changed; a redirect from the server when the request expected another
/// issuer (RFC 9207); the user cancelling at the consent page (`access_denied`).
pub(super) async fn redirect_refusals(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let metadata = discover(server, transport).await?;
    let mark = server.mark().await?;

    let (redirect, pending, _) =
        redirect_for(server.base(), USER, authorization_request(&metadata)?, Consent::Approve).await?;
    let state = pending.state().to_owned();
    // The same length and alphabet, one character changed.
    let forged_state =
        format!("{}{}", if state.starts_with('A') { 'B' } else { 'A' }, state.get(1..).unwrap_or_default());
    let tampered = redirect.to_string().replace(&format!("state={state}"), &format!("state={forged_state}"));
    ensure(tampered != redirect.to_string(), || format!("no state={state} in {redirect}"))?;
    let tampered: Uri = tampered.parse().map_err(|e| format!("{e}"))?;
    match pending.accept(&tampered) {
        Err(AuthorizationError::StateMismatch) => {}
        other => return Err(format!("a changed state: expected StateMismatch, got {other:?}")),
    }

    let elsewhere = "http://127.0.0.1:1";
    let request = authorization_request(&metadata)?.with_issuer(elsewhere, true);
    let (redirect, pending, _) = redirect_for(server.base(), USER, request, Consent::Approve).await?;
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
        redirect_for(server.base(), USER, authorization_request(&metadata)?, Consent::Deny).await?;
    let denied = match pending.accept(&redirect) {
        Err(AuthorizationError::Server { code: ErrorCode::AccessDenied, description, .. }) => {
            format!("access_denied \"{}\"", description.as_deref().unwrap_or_default())
        }
        other => return Err(format!("the user cancelled: expected access_denied, got {other:?}")),
    };
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[])?;
    Ok(format!(
        "changed state → StateMismatch; iss {iss} when another issuer was expected → IssuerMismatch; consent \
         cancelled → {denied}; no token request"
    ))
}

/// RFC 8628 against oidc-provider: the device authorization (no `interval`: the default 5 s),
/// the first poll answered `authorization_pending`, then the headless user enters the user code
/// at `/device`, confirms, signs in and consents, and the next poll gets the token.
pub(super) async fn device_flow(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let metadata = discover(server, transport).await?;
    let device_url = endpoint(metadata.device_authorization_endpoint(), "device_authorization_endpoint")?;
    let token_url = endpoint(metadata.token_endpoint(), "token_endpoint")?;
    let auth = ClientAuth::public(native_id()?);
    let scope = Scope::parse("openid offline_access").map_err(|e| e.to_string())?;
    let (request, pending) = DeviceAuthorizationEndpoint::new(device_url.clone())
        .build_request(&auth, &DeviceAuthorizationRequest::new().with_scope(scope))
        .map_err(|e| e.to_string())?;
    let sent_at = Instant::now();
    let response = send(transport, request).await?;
    let authorization = pending.finish(&response, sent_at).map_err(|e| format!("device authorization: {e}"))?;
    let verification = format!("{}/device", server.base());
    ensure(authorization.verification_uri() == verification, || {
        format!("verification_uri {}, expected {verification}", authorization.verification_uri())
    })?;
    let complete = authorization.verification_uri_complete().unwrap_or_default();
    ensure(complete.contains(&form_encode(authorization.user_code())), || {
        format!("verification_uri_complete {complete:?} lacks the user code")
    })?;
    ensure(authorization.interval() == DEFAULT_INTERVAL, || {
        format!("interval {:?}, expected the default {DEFAULT_INTERVAL:?}", authorization.interval())
    })?;

    let mark = server.mark().await?;
    let mut flow = DeviceFlow::new(TokenEndpoint::at(token_url.clone()), auth, &authorization, Instant::now());
    let mut approved = None;
    let token = loop {
        match flow.poll(Instant::now()) {
            DeviceStep::Send(request, pending) => {
                let sent_at = Instant::now();
                let result = match transport.send(request).await {
                    Ok(response) => pending.finish(&response, sent_at).map_err(ClientError::from),
                    Err(error) => Err(ClientError::Transport(error)),
                };
                let still_pending = matches!(&result, Err(e) if e.code() == Some(&ErrorCode::AuthorizationPending));
                if let Some(error) = flow.answered(Instant::now(), result) {
                    ensure(still_pending && approved.is_none(), || format!("a poll answered {error}"))?;
                    let mut browser = Browser::new(server.base(), USER)?;
                    let end =
                        browser.enter_user_code(&verification, authorization.user_code(), Consent::Approve).await?;
                    ensure(end.is_device_success(), || format!("the approval ended on {end:?}: {browser}"))?;
                    approved = Some(browser.steps());
                }
            }
            DeviceStep::Wait(until) => tokio::time::sleep_until(until.into()).await,
            DeviceStep::Done(token) => break token.clone(),
            DeviceStep::Failed(error) => return Err(format!("the device flow failed: {error}")),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(DEVICE_CODE_GRANT_TYPE, NONE, 400), (DEVICE_CODE_GRANT_TYPE, NONE, 200)])?;
    ensure(seen.first().and_then(|s| s.error.as_deref()) == Some("authorization_pending"), || {
        format!("the first poll answered {}, expected authorization_pending", describe(&seen))
    })?;
    ensure(token.refresh_token().is_some(), || "the device grant answered no refresh token".to_owned())?;
    Ok(format!(
        "user code {} (expires in {} s, interval {:?}); polls {}; the headless user approved at /device in {} \
         requests between them; token with a refresh token",
        mask_code(authorization.user_code()),
        authorization.lifetime().as_secs(),
        authorization.interval(),
        describe(&seen),
        approved.unwrap_or_default()
    ))
}

/// The confidential client that may introspect and revoke any token.
fn admin_auth(secret: &str) -> Result<ClientAuth, String> {
    let id = ClientId::new(TOKEN_ADMIN).map_err(|e| e.to_string())?;
    Ok(ClientAuth::basic(id, ClientSecret::new(secret)))
}

/// Revocation and introspection by `token-admin`: the access token introspected active (the
/// user, the client, the scope, a future `exp`), so is the refresh token; the refresh token
/// revoked, after which both are inactive (oidc-provider revokes the grant with it); the access
/// token revoked too (200: RFC 7009 answers an unknown token as a revoked one). Then another
/// sign-in whose access token alone is revoked: its refresh token is gone as well. A wrong
/// secret is refused with 401 invalid_client.
pub(super) async fn introspect_then_revoke(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let SignedIn { token, metadata, .. } = sign_in(server, transport).await?;
    let introspection = endpoint(metadata.introspection_endpoint(), "introspection_endpoint")?;
    let revocation = endpoint(metadata.revocation_endpoint(), "revocation_endpoint")?;
    let admin = admin_auth(TRICKY_SECRET)?;
    let access = IntrospectionRequest::access_token(token.access_token());
    let refresh_token = token.refresh_token().ok_or("no refresh token")?;
    let refresh = IntrospectionRequest::refresh_token(refresh_token);

    let answer = introspected(transport, introspection, &admin, &access).await?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    ensure(answer.is_active(), || "the fresh access token is introspected inactive".to_owned())?;
    ensure(answer.client_id() == Some(NATIVE_APP) && answer.sub() == Some(USER), || {
        format!("client_id {:?}, sub {:?}", answer.client_id(), answer.sub())
    })?;
    ensure(answer.exp().is_some_and(|exp| exp > now) && answer.iss() == Some(server.base()), || {
        format!("exp {:?}, iss {:?}", answer.exp(), answer.iss())
    })?;
    let token_type = answer.token_type().map(|t| t.as_str().to_owned()).unwrap_or_default();
    let scope = answer.scope().map(Scope::as_str).unwrap_or_default().to_owned();
    let refresh_answer = introspected(transport, introspection, &admin, &refresh).await?;
    ensure(refresh_answer.is_active(), || "the fresh refresh token is introspected inactive".to_owned())?;

    revoked(transport, revocation, &admin, &RevocationRequest::refresh_token(refresh_token)).await?;
    for (what, request) in [("refresh", &refresh), ("access", &access)] {
        let answer = introspected(transport, introspection, &admin, request).await?;
        ensure(!answer.is_active(), || format!("the {what} token is active after the refresh token was revoked"))?;
    }
    revoked(transport, revocation, &admin, &RevocationRequest::access_token(token.access_token())).await?;
    ensure(!introspected(transport, introspection, &admin, &access).await?.is_active(), || {
        "the revoked access token is active".to_owned()
    })?;

    // RFC 7009 §2.1 lets the server revoke the refresh token with the access token, or not.
    // oidc-provider asks its adapter to revoke the grant's access tokens; its in-memory adapter
    // indexes every token of a grant together, so the refresh token goes too.
    let second = sign_in(server, transport).await?.token;
    revoked(transport, revocation, &admin, &RevocationRequest::access_token(second.access_token())).await?;
    let second_refresh = second.refresh_token().ok_or("no refresh token at the second sign-in")?;
    for (what, request) in [
        ("access", IntrospectionRequest::access_token(second.access_token())),
        ("refresh", IntrospectionRequest::refresh_token(second_refresh)),
    ] {
        let answer = introspected(transport, introspection, &admin, &request).await?;
        ensure(!answer.is_active(), || format!("the {what} token is active after the access token alone was revoked"))?;
    }

    let wrong = admin_auth("not-the-secret")?;
    let refused = match introspect(transport, introspection, &wrong, &access).await? {
        Err(IntrospectionError::Server(error))
            if error.status == StatusCode::UNAUTHORIZED && error.code.as_ref() == Some(&ErrorCode::InvalidClient) =>
        {
            "401 invalid_client"
        }
        other => return Err(format!("a wrong secret: expected 401 invalid_client, got {other:?}")),
    };
    Ok(format!(
        "access token active (client_id {NATIVE_APP}, sub {USER}, token_type {token_type}, scope `{scope}`), refresh \
         token active → refresh token revoked → both inactive → access token revoked → 200, inactive; another \
         sign-in's access token alone revoked → its refresh token inactive too; a wrong secret → {refused}"
    ))
}
