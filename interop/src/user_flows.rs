//! The user-facing flows against oidc-provider, end to end: discovery, the authorization code
//! with PKCE and the RFC 9207 `iss` check, refresh through a refresh-only token source, the
//! device flow, revocation and introspection — each over both adapters' transports, the library
//! building every request and reading every answer — and the same flows through the `oauth`
//! command (`discover`, `login`, `device`, `introspect`, `revoke`) run as a child process.
//!
//! The person at the browser is [`Browser`]: plain HTTP through oidc-provider's development
//! login and consent pages (`devInteractions`), stopping at the redirect to the client. For the
//! library's scenarios that redirect is handed to [`PendingAuthorization::accept`] as an app's
//! listener would; for `oauth login` the headless user visits it, so it reaches the command's
//! loopback receiver. The server's clients: `native-app` (public, native, loopback redirect on
//! any port) and `token-admin` (confidential, allowed to introspect and revoke any token); see
//! `interop/servers/oidc-provider/server.mjs`.

use std::io::{BufRead, BufReader, Read};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::{Response, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use oauth_core::authorization::{
    AuthorizationError, AuthorizationRequest, ENTROPY_LEN, PendingAuthorization, loopback_redirect_uri,
};
use oauth_core::device::{
    DEFAULT_INTERVAL, DEVICE_CODE_GRANT_TYPE, DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow,
    DeviceStep,
};
use oauth_core::discovery::{DiscoveryError, Issuer, ServerMetadata, WellKnown};
use oauth_core::introspection::{Introspection, IntrospectionError, IntrospectionRequest};
use oauth_core::revocation::RevocationRequest;
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, EndpointUrl, ErrorCode, Scope, Token, TokenEndpoint,
};
use oauth_hyper::HyperTransport;
use oauth_providers::rfc6749::Builder;
use oauth_reqwest::ReqwestTransport;
use oauth_token_source::{ClientError, TokenSource, Transport};
use oauth_tokio::TokioRuntime;
use serde_json::Value;

use crate::TRICKY_SECRET;
use crate::adapter::Adapter;
use crate::admin::{Admin, describe};
use crate::browser::{Browser, Consent, End, form_encode, query_param};
use crate::check::{self, Outcome, ensure};
use crate::steps::REFRESH;

/// The public native client, and the confidential client that may introspect and revoke.
const NATIVE_APP: &str = "native-app";
const TOKEN_ADMIN: &str = "token-admin";

/// Who signs in (oidc-provider's development login takes any name and password; the name
/// becomes the subject).
const USER: &str = "ana";

/// The loopback port of the library scenarios' redirect URI. Nothing listens there: the headless
/// user stops at the redirect and hands it over, as an app's own listener would.
const REDIRECT_PORT: u16 = 8400;

/// How the token log names these requests.
const CODE: &str = "authorization_code";
const NONE: &str = "none";

/// How long one request through an adapter may take; the server is local.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The library's scenarios, in the order they run, each over both adapters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    Discovery,
    DiscoveryOtherIssuer,
    AuthorizationCode,
    RedirectChecks,
    DeviceFlow,
    RevokeIntrospect,
}

impl Scenario {
    pub(crate) const ALL: [Self; 6] = [
        Self::Discovery,
        Self::DiscoveryOtherIssuer,
        Self::AuthorizationCode,
        Self::RedirectChecks,
        Self::DeviceFlow,
        Self::RevokeIntrospect,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Discovery => "discovery_metadata",
            Self::DiscoveryOtherIssuer => "discovery_other_issuer_refused",
            Self::AuthorizationCode => "authorization_code_pkce_then_refresh",
            Self::RedirectChecks => "authorization_redirect_refusals",
            Self::DeviceFlow => "device_flow",
            Self::RevokeIntrospect => "introspect_then_revoke",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        let transport = transport(adapter)?;
        match self {
            Self::Discovery => discovery(server, &transport).await,
            Self::DiscoveryOtherIssuer => discovery_other_issuer(server, &transport).await,
            Self::AuthorizationCode => authorization_code(server, &transport).await,
            Self::RedirectChecks => redirect_refusals(server, &transport).await,
            Self::DeviceFlow => device_flow(server, &transport).await,
            Self::RevokeIntrospect => introspect_then_revoke(server, &transport).await,
        }
    }
}

/// The adapter's transport, as an application would make it.
fn transport(adapter: Adapter) -> Result<Arc<dyn Transport>, String> {
    Ok(match adapter {
        Adapter::Reqwest => {
            let transport = ReqwestTransport::new().map_err(|e| format!("reqwest transport: {e}"))?;
            Arc::new(transport.with_timeout(REQUEST_TIMEOUT))
        }
        Adapter::Hyper => Arc::new(HyperTransport::new(HttpConnector::new()).with_timeout(REQUEST_TIMEOUT)),
    })
}

/// Sends `request` through `transport`.
async fn send(transport: &Arc<dyn Transport>, request: http::Request<Vec<u8>>) -> Result<Response<Vec<u8>>, String> {
    let shown = format!("{} {}", request.method(), request.uri());
    transport.send(request).await.map_err(|e| format!("{shown}: {e}"))
}

/// The issuer's metadata document of kind `well_known`, read against `issuer`.
async fn metadata(
    transport: &Arc<dyn Transport>,
    issuer: &Issuer,
    well_known: WellKnown,
) -> Result<Result<ServerMetadata, DiscoveryError>, String> {
    let (request, pending) = issuer.metadata_request(well_known);
    let response = send(transport, request).await?;
    Ok(pending.finish(&response))
}

/// The server's metadata, from its OpenID Connect discovery document.
async fn discover(server: &Admin, transport: &Arc<dyn Transport>) -> Result<ServerMetadata, String> {
    let issuer = Issuer::new(server.base()).map_err(|e| format!("issuer {}: {e}", server.base()))?;
    metadata(transport, &issuer, WellKnown::OpenIdConfiguration).await?.map_err(|e| format!("discovery: {e}"))
}

/// An endpoint the metadata must name.
fn endpoint<'m>(found: Option<&'m EndpointUrl>, member: &str) -> Result<&'m EndpointUrl, String> {
    found.ok_or_else(|| format!("the metadata names no {member}"))
}

/// The issuer's document: its `issuer` checked, the endpoints of every flow present where
/// oidc-provider puts them, PKCE with S256 and the `iss` parameter announced; the RFC 8414
/// document (which oidc-provider also serves) read the same.
async fn discovery(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
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
async fn discovery_other_issuer(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
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

/// 48 bytes from the operating system's generator, for the PKCE verifier and the `state`.
fn entropy() -> Result<[u8; ENTROPY_LEN], String> {
    let mut bytes = [0; ENTROPY_LEN];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|e| format!("no entropy from /dev/urandom: {e}"))?;
    Ok(bytes)
}

/// The native app's authorization request: `openid offline_access` with `prompt=consent` (the
/// only way oidc-provider keeps `offline_access`), the `iss` check from the metadata.
fn authorization_request(metadata: &ServerMetadata) -> Result<AuthorizationRequest, String> {
    let authorize = endpoint(metadata.authorization_endpoint(), "authorization_endpoint")?;
    let port = NonZeroU16::new(REDIRECT_PORT).ok_or("port 0")?;
    let scope = Scope::parse("openid offline_access").map_err(|e| e.to_string())?;
    Ok(AuthorizationRequest::new(authorize.clone(), native_id()?, loopback_redirect_uri(port))
        .with_scope(scope)
        .with_prompt("consent")
        .with_issuer(metadata.issuer().as_str(), metadata.authorization_response_iss_parameter_supported()))
}

fn native_id() -> Result<ClientId, String> {
    ClientId::new(NATIVE_APP).map_err(|e| e.to_string())
}

/// Starts `request` and has the headless user answer it with `consent`: the redirect, and the
/// pending request that reads it.
async fn redirect_for(
    server: &Admin,
    request: AuthorizationRequest,
    consent: Consent,
) -> Result<(Uri, PendingAuthorization, usize), String> {
    let (url, pending) = request.start(entropy()?).map_err(|e| e.to_string())?;
    let mut browser = Browser::new(server.base(), USER)?;
    let redirect_uri = pending.redirect_uri().to_string();
    let redirect = browser.authorize(&url.to_string(), &redirect_uri, consent).await?;
    let redirect: Uri = redirect.parse().map_err(|e| format!("the redirect {redirect:?}: {e}"))?;
    ensure(pending.is_redirect(&redirect), || format!("{redirect} is not a request to {redirect_uri}"))?;
    Ok((redirect, pending, browser.steps()))
}

/// A user's token, from a code the headless user got, exchanged through `transport`.
struct SignedIn {
    token: Token,
    metadata: ServerMetadata,
    /// How many requests the headless user made.
    steps: usize,
}

/// Discovery, the authorization request, the headless user, the redirect checked (`state`,
/// `iss`), the code exchanged with its PKCE verifier.
async fn sign_in(server: &Admin, transport: &Arc<dyn Transport>) -> Result<SignedIn, String> {
    let metadata = discover(server, transport).await?;
    let (redirect, pending, steps) = redirect_for(server, authorization_request(&metadata)?, Consent::Approve).await?;
    let exchange = pending.accept(&redirect).map_err(|e| format!("the redirect was refused: {e}"))?;
    ensure(exchange.issuer() == Some(server.base()), || {
        format!("the redirect's iss is {:?}, expected {}", exchange.issuer(), server.base())
    })?;
    let token_endpoint = TokenEndpoint::at(endpoint(metadata.token_endpoint(), "token_endpoint")?.clone());
    let (request, pending) = exchange.build_request(&token_endpoint, &ClientAuth::public(native_id()?));
    let sent_at = Instant::now();
    let response = send(transport, request).await?;
    let token = pending.finish(&response, sent_at).map_err(|e| format!("the code exchange: {e}"))?;
    Ok(SignedIn { token, metadata, steps })
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
async fn authorization_code(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
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

/// `result` must be `AuthorizationRequired` carrying the server's `invalid_grant`.
fn authorization_required(result: Result<oauth_core::AccessToken, ClientError>, what: &str) -> Result<String, String> {
    match result {
        Err(ClientError::AuthorizationRequired { refusal: Some(refusal) }) => {
            let Some(oauth_core::TokenError::Server(error)) = refusal.token_error() else {
                return Err(format!("{what}: refused without the server's answer: {refusal}"));
            };
            ensure(error.code.as_ref() == Some(&ErrorCode::InvalidGrant), || {
                format!("{what}: refused with {:?}, expected invalid_grant", error.code)
            })?;
            Ok(format!(
                "AuthorizationRequired ({} invalid_grant \"{}\")",
                error.status.as_u16(),
                error.description.as_deref().unwrap_or_default()
            ))
        }
        Err(other) => Err(format!("{what}: expected AuthorizationRequired with invalid_grant, got {other}")),
        Ok(_) => Err(format!("{what}: got a token, expected AuthorizationRequired")),
    }
}

/// What `accept` refuses, each after a real sign-in and with no token request made: a redirect
/// whose `state` was changed; a redirect from the server when the request expected another
/// issuer (RFC 9207); the user cancelling at the consent page (`access_denied`).
async fn redirect_refusals(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let metadata = discover(server, transport).await?;
    let mark = server.mark().await?;

    let (redirect, pending, _) = redirect_for(server, authorization_request(&metadata)?, Consent::Approve).await?;
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
    let (redirect, pending, _) = redirect_for(server, request, Consent::Approve).await?;
    let iss = query_param(&redirect.to_string(), "iss").unwrap_or_default();
    match pending.accept(&redirect) {
        Err(AuthorizationError::IssuerMismatch { expected, received }) => {
            ensure(&*expected == elsewhere && *received == *server.base(), || {
                format!("IssuerMismatch names expected {expected}, received {received}")
            })?;
        }
        other => return Err(format!("iss {iss} for another issuer: expected IssuerMismatch, got {other:?}")),
    }

    let (redirect, pending, _) = redirect_for(server, authorization_request(&metadata)?, Consent::Deny).await?;
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
async fn device_flow(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let metadata = discover(server, transport).await?;
    let device_url = endpoint(metadata.device_authorization_endpoint(), "device_authorization_endpoint")?;
    let token_url = endpoint(metadata.token_endpoint(), "token_endpoint")?;
    let auth = ClientAuth::public(native_id()?);
    let scope = Scope::parse("openid offline_access").map_err(|e| e.to_string())?;
    let (request, pending) = DeviceAuthorizationEndpoint::new(device_url.clone())
        .build_request(&auth, &DeviceAuthorizationRequest::new().with_scope(scope));
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

/// A user code as a report shows it: its shape only.
fn mask_code(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() { '*' } else { c }).collect()
}

/// The confidential client that may introspect and revoke any token.
fn admin_auth(secret: &str) -> Result<ClientAuth, String> {
    let id = ClientId::new(TOKEN_ADMIN).map_err(|e| e.to_string())?;
    Ok(ClientAuth::basic(id, ClientSecret::new(secret)))
}

async fn introspect(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &IntrospectionRequest,
) -> Result<Result<Introspection, IntrospectionError>, String> {
    let (http_request, pending) = request.build_request(endpoint, auth);
    Ok(pending.finish(&send(transport, http_request).await?))
}

async fn introspected(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &IntrospectionRequest,
) -> Result<Introspection, String> {
    introspect(transport, endpoint, auth, request).await?.map_err(|e| format!("introspection: {e}"))
}

async fn revoke(
    transport: &Arc<dyn Transport>,
    endpoint: &EndpointUrl,
    auth: &ClientAuth,
    request: &RevocationRequest,
) -> Result<(), String> {
    let (http_request, pending) = request.build_request(endpoint, auth);
    pending.finish(&send(transport, http_request).await?).map_err(|e| format!("revocation: {e}"))
}

/// Revocation and introspection by `token-admin`: the access token introspected active (the
/// user, the client, the scope, a future `exp`), so is the refresh token; the refresh token
/// revoked, after which both are inactive (oidc-provider revokes the grant with it); the access
/// token revoked too (200: RFC 7009 answers an unknown token as a revoked one). Then another
/// sign-in whose access token alone is revoked: its refresh token is gone as well. A wrong
/// secret is refused with 401 invalid_client.
async fn introspect_then_revoke(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
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

    revoke(transport, revocation, &admin, &RevocationRequest::refresh_token(refresh_token)).await?;
    for (what, request) in [("refresh", &refresh), ("access", &access)] {
        let answer = introspected(transport, introspection, &admin, request).await?;
        ensure(!answer.is_active(), || format!("the {what} token is active after the refresh token was revoked"))?;
    }
    revoke(transport, revocation, &admin, &RevocationRequest::access_token(token.access_token())).await?;
    ensure(!introspected(transport, introspection, &admin, &access).await?.is_active(), || {
        "the revoked access token is active".to_owned()
    })?;

    // RFC 7009 §2.1 lets the server revoke the refresh token with the access token, or not.
    // oidc-provider asks its adapter to revoke the grant's access tokens; its in-memory adapter
    // indexes every token of a grant together, so the refresh token goes too.
    let second = sign_in(server, transport).await?.token;
    revoke(transport, revocation, &admin, &RevocationRequest::access_token(second.access_token())).await?;
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

// ---------------------------------------------------------------------------------------------
// The `oauth` command.

/// The longest one run of the command may take before it is killed (a device flow waits 5 s).
const RUN_LIMIT: Duration = Duration::from_secs(20);

/// How long the command may take to print what the headless user needs.
const LINE_LIMIT: Duration = Duration::from_secs(10);

/// The command's scenarios, in the order they run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CliScenario {
    Discover,
    DiscoverOtherIssuer,
    Login,
    LoginForgedState,
    Device,
    DeviceDenied,
    IntrospectRevoke,
}

impl CliScenario {
    pub(crate) const ALL: [Self; 7] = [
        Self::Discover,
        Self::DiscoverOtherIssuer,
        Self::Login,
        Self::LoginForgedState,
        Self::Device,
        Self::DeviceDenied,
        Self::IntrospectRevoke,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Discover => "cli_discover",
            Self::DiscoverOtherIssuer => "cli_discover_other_issuer_exit_3",
            Self::Login => "cli_login_loopback",
            Self::LoginForgedState => "cli_login_forged_state_exit_3",
            Self::Device => "cli_device",
            Self::DeviceDenied => "cli_device_denied_exit_3",
            Self::IntrospectRevoke => "cli_introspect_revoke",
        }
    }

    pub(crate) async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
        let sandbox = Sandbox::new(oauth)?;
        match self {
            Self::Discover => cli_discover(server, &sandbox).await,
            Self::DiscoverOtherIssuer => cli_discover_other_issuer(server, &sandbox).await,
            Self::Login => cli_login(server, &sandbox).await,
            Self::LoginForgedState => cli_login_forged_state(server, &sandbox).await,
            Self::Device => cli_device(server, &sandbox, Consent::Approve).await,
            Self::DeviceDenied => cli_device(server, &sandbox, Consent::Deny).await,
            Self::IntrospectRevoke => cli_introspect_revoke(server, &sandbox).await,
        }
    }
}

/// `oauth discover <issuer>`: the endpoints, as JSON.
async fn cli_discover(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let base = server.base();
    let run = sandbox.spawn(&["discover", base], &[])?.finish().await?;
    run.exit(0)?;
    run.quiet()?;
    let json: Value = serde_json::from_str(&run.stdout).map_err(|e| format!("{}: not JSON ({e})", run.command))?;
    let expected = [
        ("issuer", base.to_owned()),
        ("authorization_endpoint", format!("{base}/auth")),
        ("token_endpoint", format!("{base}/token")),
        ("device_authorization_endpoint", format!("{base}/device/auth")),
        ("revocation_endpoint", format!("{base}/token/revocation")),
        ("introspection_endpoint", format!("{base}/token/introspection")),
    ];
    for (member, value) in expected {
        ensure(json[member].as_str() == Some(value.as_str()), || {
            format!("{}: {member} is {}, expected {value}", run.command, json[member])
        })?;
    }
    ensure(json["authorization_response_iss_parameter_supported"] == Value::Bool(true), || {
        format!("{}: iss parameter support not shown: {}", run.command, run.stdout)
    })?;
    ensure(json["code_challenge_methods_supported"] == serde_json::json!(["S256"]), || {
        format!("{}: code_challenge_methods_supported {}", run.command, json["code_challenge_methods_supported"])
    })?;
    Ok(format!("{}: exit 0, JSON with the issuer and the five endpoints, S256, iss supported", run.command))
}

/// `oauth discover <issuer>/`: the document names `<issuer>`, so it is refused.
async fn cli_discover_other_issuer(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let issuer = format!("{}/", server.base());
    let run = sandbox.spawn(&["discover", &issuer], &[])?.finish().await?;
    let line = run.refused()?;
    for wanted in [format!("{:?}", server.base()), format!("{issuer:?}"), "RFC 8414 §3.3".to_owned()] {
        ensure(line.contains(&wanted), || format!("{}: the line lacks `{wanted}`: {line:?}", run.command))?;
    }
    Ok(format!("{}: exit 3, {line:?}", run.command))
}

/// The arguments of `oauth login` for the native app.
fn login_args(base: &str) -> [&str; 12] {
    [
        "login",
        "--issuer",
        base,
        "--client-id",
        NATIVE_APP,
        "--no-browser",
        "--format",
        "json",
        "--show-refresh-token",
        "--scope",
        "openid offline_access",
        "--wait=15",
    ]
}

/// The authorization URL `oauth login` prints on stderr.
fn authorization_url(line: &str) -> Option<String> {
    let line = line.trim();
    line.starts_with("http").then(|| line.to_owned())
}

/// `oauth login --issuer … --no-browser`: the headless user opens the URL the command printed,
/// signs in, consents, and follows the redirect to the command's loopback receiver, which
/// answers "Signed in"; the command exchanges the code (PKCE, the `iss` checked) and prints the
/// token. Without `prompt=consent`, oidc-provider drops `offline_access` from the grant; the
/// refresh token comes from the server's configuration.
async fn cli_login(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let base = server.base();
    let mark = server.mark().await?;
    let mut running = sandbox.spawn(&login_args(base), &[])?;
    let url = running.line("the authorization URL", authorization_url).await?;
    let redirect_uri = query_param(&url, "redirect_uri").ok_or_else(|| format!("no redirect_uri in {url}"))?;
    ensure(url.starts_with(&format!("{base}/auth?")) && redirect_uri.starts_with("http://127.0.0.1:"), || {
        format!("the printed URL {url} is not the server's authorization endpoint with a loopback redirect")
    })?;
    let mut browser = Browser::new(base, USER)?;
    let redirect = browser.authorize(&url, &redirect_uri, Consent::Approve).await?;
    let code = query_param(&redirect, "code").ok_or_else(|| format!("no code in {redirect}"))?;
    let (status, page) = browser.visit(&redirect).await?;
    let run = running.finish().await?;
    ensure(status == StatusCode::OK && page.contains("Signed in"), || {
        format!("{}: the loopback receiver answered {status} `{page}`", run.command)
    })?;
    run.exit(0)?;
    run.absent(&[("the authorization code", &code)])?;
    let token = run.json_token(true)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CODE, NONE, 200)])?;
    let lines = run.stderr.lines().filter(|l| !l.trim().is_empty()).count();
    Ok(format!(
        "{}: the headless user followed the printed URL ({} requests) to {}/callback → {status} `Signed in…`; exit 0, \
         {}, granted scope `{}`; stderr {lines} lines (the prompt and the URL), no token or code in it; server saw \
         {}",
        run.command,
        browser.steps(),
        redirect_uri.trim_end_matches("/callback"),
        token.detail,
        token.scope,
        describe(&seen)
    ))
}

/// `oauth login`, and a redirect whose `state` is not the request's reaches the receiver: the
/// command answers the browser "Sign-in failed", exchanges nothing, and exits 3.
async fn cli_login_forged_state(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let base = server.base();
    let mark = server.mark().await?;
    let mut running = sandbox.spawn(&login_args(base), &[])?;
    let url = running.line("the authorization URL", authorization_url).await?;
    let redirect_uri = query_param(&url, "redirect_uri").ok_or_else(|| format!("no redirect_uri in {url}"))?;
    let state = query_param(&url, "state").ok_or_else(|| format!("no state in {url}"))?;
    let mut browser = Browser::new(base, USER)?;
    let redirect = browser.authorize(&url, &redirect_uri, Consent::Approve).await?;
    let forged = redirect.replace(&format!("state={state}"), "state=forged-by-another-site");
    ensure(forged != redirect, || format!("no state={state} in the redirect"))?;
    let (status, page) = browser.visit(&forged).await?;
    let run = running.finish().await?;
    ensure(status == StatusCode::BAD_REQUEST && page.contains("Sign-in failed"), || {
        format!("{}: the loopback receiver answered {status} `{page}`", run.command)
    })?;
    run.exit(3)?;
    ensure(run.stdout.is_empty(), || format!("{}: stdout {:?}", run.command, run.stdout))?;
    let last = run.stderr.lines().last().unwrap_or_default().to_owned();
    ensure(last.starts_with("oauth: ") && last.contains("state"), || {
        format!("{}: the last stderr line does not name the state: {:?}", run.command, run.stderr)
    })?;
    check::seen(&server.seen_since(mark).await?, &[])?;
    Ok(format!(
        "{}: forged state → the receiver answered {status} `Sign-in failed…`; exit 3, {last:?}; no token request",
        run.command
    ))
}

/// `oauth device --issuer …`: the command prints the address and the user code; the headless
/// user enters it at `/device` and confirms, signs in, consents, and the command's poll (5 s
/// later: oidc-provider names no interval) gets the token — or aborts at the confirmation
/// page, and the poll gets `access_denied`: exit 3. (The scope is needed: oidc-provider answers
/// a request granting no scope at all with `access_denied`, after the user consented.)
async fn cli_device(server: &Admin, sandbox: &Sandbox, consent: Consent) -> Outcome {
    let base = server.base();
    let args = [
        "device",
        "--issuer",
        base,
        "--client-id",
        NATIVE_APP,
        "--scope",
        "openid offline_access",
        "--format",
        "json",
        "--show-refresh-token",
    ];
    let mark = server.mark().await?;
    let mut running = sandbox.spawn(&args, &[])?;
    let line = running.line("the user code", |line| line.contains("enter the code ").then(|| line.to_owned())).await?;
    let code = line.rsplit("enter the code ").next().unwrap_or_default().trim().to_owned();
    let address = line.split("open ").nth(1).and_then(|rest| rest.split(" and enter").next()).unwrap_or_default();
    ensure(address == format!("{base}/device") && !code.is_empty(), || {
        format!("{}: the line {line:?} does not name {base}/device and a code", running.command)
    })?;
    let mut browser = Browser::new(base, USER)?;
    let end = browser.enter_user_code(address, &code, consent).await?;
    let run = match consent {
        Consent::Approve => {
            ensure(end.is_device_success(), || format!("the approval ended on {end:?}: {browser}"))?;
            running.finish().await?
        }
        Consent::Deny => {
            let interrupted = matches!(&end, End::Page { text, .. } if text.contains("interrupted"));
            ensure(interrupted, || format!("the abort ended on {end:?}: {browser}"))?;
            let run = running.finish().await?;
            let line = run.stderr.lines().last().unwrap_or_default().to_owned();
            run.exit(3)?;
            ensure(run.stdout.is_empty() && line.starts_with("oauth: ") && line.contains("access_denied"), || {
                format!("{}: stdout {:?}, stderr {:?}", run.command, run.stdout, run.stderr)
            })?;
            let seen = server.seen_since(mark).await?;
            check::seen(&seen, &[(DEVICE_CODE_GRANT_TYPE, NONE, 400)])?;
            return Ok(format!(
                "{}: the headless user aborted at the confirmation page; exit 3, {line:?}; server saw {}",
                run.command,
                describe(&seen)
            ));
        }
    };
    run.exit(0)?;
    let token = run.json_token(true)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(DEVICE_CODE_GRANT_TYPE, NONE, 200)])?;
    Ok(format!(
        "{}: printed {address} and a code {}; the headless user approved it ({} requests); exit 0, {}, granted scope \
         `{}`; server saw {}",
        run.command,
        mask_code(&code),
        browser.steps(),
        token.detail,
        token.scope,
        describe(&seen)
    ))
}

/// `oauth introspect` and `oauth revoke` as `token-admin`, the token in `OAUTH_TOKEN` and the
/// secret in `OAUTH_CLIENT_SECRET`: the access token active; the refresh token revoked; the
/// access token then inactive; a wrong secret → exit 3 naming invalid_client.
async fn cli_introspect_revoke(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let token = sign_in(server, &transport(Adapter::Reqwest)?).await?.token;
    let access = token.access_token().secret().to_owned();
    let refresh = token.refresh_token().ok_or("no refresh token")?.secret().to_owned();
    let base = server.base();
    let as_admin =
        |secret: &str, token: &str| vec![("OAUTH_CLIENT_SECRET", secret.to_owned()), ("OAUTH_TOKEN", token.to_owned())];
    let introspect_args = ["introspect", "--issuer", base, "--client-id", TOKEN_ADMIN];
    let revoke_args = ["revoke", "--issuer", base, "--client-id", TOKEN_ADMIN, "--hint", "refresh-token"];
    let canaries = |run: &Run, secret: &str| {
        let mut forbidden = secret_forms(TOKEN_ADMIN, secret);
        forbidden.push(("the access token", access.clone()));
        forbidden.push(("the refresh token", refresh.clone()));
        let forbidden: Vec<(&str, &str)> = forbidden.iter().map(|(what, value)| (*what, value.as_str())).collect();
        run.absent(&forbidden)
    };

    let active = sandbox.spawn(&introspect_args, &as_admin(TRICKY_SECRET, &access))?.finish().await?;
    active.exit(0)?;
    active.quiet()?;
    canaries(&active, TRICKY_SECRET)?;
    let json: Value =
        serde_json::from_str(&active.stdout).map_err(|e| format!("{}: not JSON ({e})", active.command))?;
    ensure(json["active"] == Value::Bool(true) && json["client_id"] == NATIVE_APP && json["sub"] == USER, || {
        format!("{}: {}", active.command, active.stdout)
    })?;

    let revoked = sandbox.spawn(&revoke_args, &as_admin(TRICKY_SECRET, &refresh))?.finish().await?;
    revoked.exit(0)?;
    canaries(&revoked, TRICKY_SECRET)?;
    ensure(revoked.stdout.is_empty() && revoked.stderr.trim() == "revoked", || {
        format!("{}: stdout {:?}, stderr {:?}", revoked.command, revoked.stdout, revoked.stderr)
    })?;

    let inactive = sandbox.spawn(&introspect_args, &as_admin(TRICKY_SECRET, &access))?.finish().await?;
    inactive.exit(0)?;
    inactive.quiet()?;
    canaries(&inactive, TRICKY_SECRET)?;
    let json: Value =
        serde_json::from_str(&inactive.stdout).map_err(|e| format!("{}: not JSON ({e})", inactive.command))?;
    ensure(json == serde_json::json!({ "active": false }), || format!("{}: {}", inactive.command, inactive.stdout))?;

    let wrong_secret = "wrong-secret-canary";
    let refused = sandbox.spawn(&revoke_args, &as_admin(wrong_secret, &refresh))?.finish().await?;
    canaries(&refused, wrong_secret)?;
    let line = refused.refused()?;
    ensure(line.contains("invalid_client"), || {
        format!("{}: the line names no invalid_client: {line:?}", refused.command)
    })?;
    Ok(format!(
        "{} → exit 0, active, client_id {NATIVE_APP}, sub {USER}; {} → exit 0, `revoked`; introspect again → \
         exit 0, {{\"active\": false}}; a wrong secret → exit 3, {line:?}; neither token nor the secret printed",
        active.command, revoked.command
    ))
}

/// The client secret in every form a request carries it, as canaries.
fn secret_forms(id: &str, secret: &str) -> Vec<(&'static str, String)> {
    let what = "the client secret (or a form of it)";
    let mut forms = vec![(what, secret.to_owned()), (what, percent_encode(secret)), (what, form_encode(secret))];
    for credentials in [format!("{id}:{secret}"), format!("{}:{}", percent_encode(id), percent_encode(secret))] {
        forms.push((what, base64(credentials.as_bytes())));
    }
    forms
}

/// A temporary home for the command, removed when dropped.
struct Sandbox {
    dir: PathBuf,
    oauth: PathBuf,
}

static NEXT_SANDBOX: AtomicUsize = AtomicUsize::new(0);

impl Sandbox {
    fn new(oauth: &Path) -> Result<Self, String> {
        let n = NEXT_SANDBOX.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("oauth-interop-user-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|e| format!("cannot create the sandbox {}: {e}", dir.display()))?;
        Ok(Self { dir, oauth: oauth.to_owned() })
    }

    /// Starts `oauth args…` with an environment cleared but for `PATH`, the sandbox's home,
    /// XDG dirs and cache, `NO_PROXY=*`, and `env` (secrets and tokens, never arguments).
    fn spawn(&self, args: &[&str], env: &[(&'static str, String)]) -> Result<Running, String> {
        let home = &self.dir;
        let mut command = Command::new(&self.oauth);
        command.args(args).env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("xdg-cache"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("OAUTH_CACHE_DIR", home.join("cache"))
            .env("NO_PROXY", "*");
        for (name, value) in env {
            command.env(name, value);
        }
        command.current_dir(home).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let variables: String = env.iter().map(|(name, _)| format!("{name}=… ")).collect();
        let shown = format!("{variables}oauth {}", args.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" "));
        let mut child = command.spawn().map_err(|e| format!("{shown}: cannot run {}: {e}", self.oauth.display()))?;
        let stdout = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = out.read_to_string(&mut text);
                text
            })
        });
        let (lines, stderr) = mpsc::channel();
        let stderr_thread = child.stderr.take().map(|err| {
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    if lines.send(line).is_err() {
                        break;
                    }
                }
            })
        });
        Ok(Running { command: shown, child, stderr, stderr_lines: Vec::new(), stdout, stderr_thread, ended: false })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An argument as a shell would need it written.
fn shell_word(arg: &str) -> String {
    if arg.contains(' ') { format!("'{arg}'") } else { arg.to_owned() }
}

/// A run of the command still going: its stderr readable line by line. Dropping it kills the
/// child (this process's own, by its handle) if it has not ended.
struct Running {
    command: String,
    child: Child,
    stderr: mpsc::Receiver<String>,
    stderr_lines: Vec<String>,
    stdout: Option<JoinHandle<String>>,
    stderr_thread: Option<JoinHandle<()>>,
    ended: bool,
}

impl Running {
    /// Waits (up to [`LINE_LIMIT`]) for a stderr line `pick` takes something from.
    async fn line(&mut self, what: &str, pick: impl Fn(&str) -> Option<String>) -> Result<String, String> {
        let deadline = Instant::now() + LINE_LIMIT;
        loop {
            match self.stderr.try_recv() {
                Ok(line) => {
                    let found = pick(&line);
                    self.stderr_lines.push(line);
                    if let Some(found) = found {
                        return Ok(found);
                    }
                }
                Err(TryRecvError::Empty) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(10)).await
                }
                Err(TryRecvError::Empty) => {
                    return Err(format!(
                        "{}: no {what} on stderr within {LINE_LIMIT:?}; stderr so far {:?}",
                        self.command, self.stderr_lines
                    ));
                }
                Err(TryRecvError::Disconnected) => {
                    return Err(format!("{}: stderr closed before {what}: {:?}", self.command, self.stderr_lines));
                }
            }
        }
    }

    /// Waits for the end (killing the child after [`RUN_LIMIT`]) and collects its output.
    async fn finish(mut self) -> Result<Run, String> {
        let deadline = Instant::now() + RUN_LIMIT;
        let code = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status.code(),
                Ok(None) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(10)).await,
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
                Err(e) => return Err(format!("{}: cannot wait for it: {e}", self.command)),
            }
        };
        self.ended = true;
        let stdout = self.stdout.take().map(|reader| reader.join().unwrap_or_default()).unwrap_or_default();
        if let Some(reader) = self.stderr_thread.take() {
            let _ = reader.join();
        }
        self.stderr_lines.extend(self.stderr.try_iter());
        let mut stderr = self.stderr_lines.join("\n");
        if !stderr.is_empty() {
            stderr.push('\n');
        }
        Ok(Run { command: std::mem::take(&mut self.command), code, stdout, stderr })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.ended {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A run of the command that ended.
struct Run {
    /// As reports show it: variable names, never their values.
    command: String,
    /// `None` when it was killed after [`RUN_LIMIT`] or ended by a signal.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// What `--format json` printed.
struct JsonToken {
    scope: String,
    detail: String,
}

impl Run {
    fn exit(&self, expected: i32) -> Result<(), String> {
        ensure(self.code == Some(expected), || {
            let code =
                self.code.map_or_else(|| format!("no exit code (killed after {RUN_LIMIT:?}?)"), |c| c.to_string());
            format!(
                "{}: exit {code}, expected {expected}; stdout {:?}, stderr {:?}",
                self.command, self.stdout, self.stderr
            )
        })
    }

    /// Nothing on stderr.
    fn quiet(&self) -> Result<(), String> {
        ensure(self.stderr.is_empty(), || format!("{}: unexpected stderr {:?}", self.command, self.stderr))
    }

    /// None of `values` in stdout or stderr.
    fn absent(&self, values: &[(&str, &str)]) -> Result<(), String> {
        for (what, value) in values.iter().filter(|(_, value)| !value.is_empty()) {
            for (stream, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
                ensure(!text.contains(value), || format!("{}: {what} is in {stream}", self.command))?;
            }
        }
        Ok(())
    }

    /// Exit 3, nothing on stdout, one `oauth: …` line on stderr.
    fn refused(&self) -> Result<&str, String> {
        self.exit(3)?;
        ensure(self.stdout.is_empty(), || format!("{}: stdout {:?} on a refusal", self.command, self.stdout))?;
        match self.stderr.lines().collect::<Vec<_>>().as_slice() {
            [line] if line.starts_with("oauth: ") => Ok(line),
            _ => Err(format!("{}: stderr is not one `oauth: …` line: {:?}", self.command, self.stderr)),
        }
    }

    /// `--format json --show-refresh-token`: access_token, token_type `Bearer`, expires_in > 0,
    /// expires_at, a refresh token when `refresh`; neither token in stderr.
    fn json_token(&self, refresh: bool) -> Result<JsonToken, String> {
        let bad = |why: String| format!("{}: {why}; stdout {:?}", self.command, self.stdout);
        let json: Value = serde_json::from_str(&self.stdout).map_err(|e| bad(format!("not JSON ({e})")))?;
        let text = |field: &str| json[field].as_str().filter(|t| !t.is_empty()).map(str::to_owned);
        let access_token = text("access_token").ok_or_else(|| bad("no access_token".to_owned()))?;
        ensure(json["token_type"] == "Bearer", || bad(format!("token_type {}", json["token_type"])))?;
        let expires_in = json["expires_in"].as_u64().filter(|&s| s > 0);
        let expires_in = expires_in.ok_or_else(|| bad("expires_in is not a positive integer".to_owned()))?;
        let expires_at = text("expires_at").unwrap_or_default();
        ensure(expires_at.len() >= 20 && expires_at.as_bytes()[10] == b'T', || {
            bad(format!("expires_at {expires_at:?}"))
        })?;
        let refresh_token = text("refresh_token");
        ensure(refresh_token.is_some() == refresh, || {
            bad(format!("refresh_token present: {}", refresh_token.is_some()))
        })?;
        let refresh_token = refresh_token.unwrap_or_default();
        for (what, token) in [("the access token", &access_token), ("the refresh token", &refresh_token)] {
            ensure(token.is_empty() || !self.stderr.contains(token.as_str()), || {
                format!("{}: {what} printed on stdout is also in stderr", self.command)
            })?;
        }
        let with_refresh = if refresh { ", refresh_token" } else { "" };
        Ok(JsonToken {
            scope: text("scope").unwrap_or_default(),
            detail: format!("JSON access_token, token_type Bearer, expires_in {expires_in}{with_refresh}"),
        })
    }
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Standard base64 with padding, as `Authorization: Basic` carries the credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0_u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}
