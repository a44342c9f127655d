//! Signing the native app's user in through the library, for both kinds of scenario: an
//! adapter's transport, discovery, the authorization request answered by the headless user,
//! and the code exchanged.

use std::num::NonZeroU16;
use std::sync::Arc;
use std::time::Instant;

use oauth_core::authorization::{AuthorizationRequest, loopback_redirect_uri};
use oauth_core::discovery::{DiscoveryError, Issuer, ServerMetadata, WellKnown};
use oauth_core::{ClientAuth, ClientId, EndpointUrl, Scope, Token, TokenEndpoint};
use oauth_token_source::Transport;

use super::{NATIVE_APP, USER};
use crate::admin::Admin;
use crate::browser::{Consent, redirect_for};
use crate::check::ensure;

/// The loopback port of the library scenarios' redirect URI. Nothing listens there: the headless
/// user stops at the redirect and hands it over, as an app's own listener would.
const REDIRECT_PORT: u16 = 8400;

pub(super) use crate::adapter::{send, transport};

/// The issuer's metadata document of kind `well_known`, read against `issuer`.
pub(super) async fn metadata(
    transport: &Arc<dyn Transport>,
    issuer: &Issuer,
    well_known: WellKnown,
) -> Result<Result<ServerMetadata, DiscoveryError>, String> {
    let (request, pending) = issuer.metadata_request(well_known);
    let response = send(transport, request).await?;
    Ok(pending.finish(&response))
}

/// The server's metadata, from its OpenID Connect discovery document.
pub(super) async fn discover(server: &Admin, transport: &Arc<dyn Transport>) -> Result<ServerMetadata, String> {
    let issuer = Issuer::new(server.base()).map_err(|e| format!("issuer {}: {e}", server.base()))?;
    metadata(transport, &issuer, WellKnown::OpenIdConfiguration).await?.map_err(|e| format!("discovery: {e}"))
}

/// An endpoint the metadata must name.
pub(super) fn endpoint<'m>(found: Option<&'m EndpointUrl>, member: &str) -> Result<&'m EndpointUrl, String> {
    found.ok_or_else(|| format!("the metadata names no {member}"))
}

/// The native app's authorization request: `openid offline_access` with `prompt=consent` (the
/// only way oidc-provider keeps `offline_access`), the `iss` check from the metadata.
pub(super) fn authorization_request(metadata: &ServerMetadata) -> Result<AuthorizationRequest, String> {
    let authorize = endpoint(metadata.authorization_endpoint(), "authorization_endpoint")?;
    let port = NonZeroU16::new(REDIRECT_PORT).ok_or("port 0")?;
    let scope = Scope::parse("openid offline_access").map_err(|e| e.to_string())?;
    Ok(AuthorizationRequest::new(authorize.clone(), native_id()?, loopback_redirect_uri(port))
        .with_scope(scope)
        .with_prompt("consent")
        .with_issuer(metadata.issuer().as_str(), metadata.authorization_response_iss_parameter_supported()))
}

pub(super) fn native_id() -> Result<ClientId, String> {
    ClientId::new(NATIVE_APP).map_err(|e| e.to_string())
}

/// A user's token, from a code the headless user got, exchanged through `transport`.
pub(super) struct SignedIn {
    pub(super) token: Token,
    pub(super) metadata: ServerMetadata,
    /// How many requests the headless user made.
    pub(super) steps: usize,
}

/// Discovery, the authorization request, the headless user, the redirect checked (`state`,
/// `iss`), the code exchanged with its PKCE verifier.
pub(super) async fn sign_in(server: &Admin, transport: &Arc<dyn Transport>) -> Result<SignedIn, String> {
    let metadata = discover(server, transport).await?;
    let (redirect, pending, steps) =
        redirect_for(server.base(), USER, authorization_request(&metadata)?, Consent::Approve).await?;
    let exchange = pending.accept(&redirect).map_err(|e| format!("the redirect was refused: {e}"))?;
    ensure(exchange.issuer() == Some(server.base()), || {
        format!("the redirect's iss is {:?}, expected {}", exchange.issuer(), server.base())
    })?;
    let token_endpoint = TokenEndpoint::at(endpoint(metadata.token_endpoint(), "token_endpoint")?.clone());
    let (request, pending) =
        exchange.build_request(&token_endpoint, &ClientAuth::public(native_id()?)).map_err(|e| e.to_string())?;
    let sent_at = Instant::now();
    let response = send(transport, request).await?;
    let token = pending.finish(&response, sent_at).map_err(|e| format!("the code exchange: {e}"))?;
    Ok(SignedIn { token, metadata, steps })
}
