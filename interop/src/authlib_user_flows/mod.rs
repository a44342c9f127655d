//! The user-facing features against Authlib (1.9.9 behind Flask), where Authlib supports the
//! same as oidc-provider: revocation (RFC 7009) and introspection (RFC 7662), JWT client
//! authentication at the token endpoint (RFC 7523 §2.2: `client_secret_jwt`, `private_key_jwt`)
//! and at the revocation and introspection endpoints (`private_key_jwt`), and the authorization
//! code with PKCE signed in by the headless user — each over both adapters' transports, the
//! library building every request and reading every answer.
//!
//! The server's clients (`interop/servers/authlib/store.py`): `long-lived-client` (Basic, 3600 s
//! tokens, password grant with a refresh token), `basic-client` and `post-client` (here only
//! their client_credentials tokens, which live 3600 s), `secret-jwt-client`
//! (`client_secret_jwt`), `key-jwt-client` (`private_key_jwt`, the public keys of
//! `interop/servers/authlib/keys/`), `native-app` (public, code with PKCE). Each is accepted only
//! with the method it was registered with, at every endpoint.

mod client_auth;
mod jwt_endpoints;
mod revocation;
mod sign_in;

use std::sync::Arc;

use oauth_core::{ClientId, EndpointUrl, TokenConfig};
use oauth_token_source::{TokenSource, Transport};
use oauth_tokio::TokioRuntime;
use serde_json::Value;

use crate::adapter::{Adapter, send, transport};
use crate::admin::Admin;
use crate::check::Outcome;
use crate::steps::entropy;

/// The confidential client whose password grant gives tokens that live an hour, with a
/// refresh token.
const LONG_LIVED: &str = "long-lived-client";
/// Who the password grant and the sign-in page know.
const USER: &str = "ana";
const PASSWORD: &str = "pa55 w0rd";

/// The scenarios, in the order they run, each over both adapters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    RevokeRefreshToken,
    RevokeAccessToken,
    Introspection,
    ClientSecretJwt,
    PrivateKeyJwtRs256,
    PrivateKeyJwtEs256,
    PrivateKeyJwtEdDsa,
    AssertionAudience,
    UnknownKey,
    ReplayedAssertion,
    PrivateKeyJwtIntrospectRevoke,
    AuthorizationCode,
    RedirectRefusals,
}

impl Scenario {
    pub(crate) const ALL: [Self; 13] = [
        Self::RevokeRefreshToken,
        Self::RevokeAccessToken,
        Self::Introspection,
        Self::ClientSecretJwt,
        Self::PrivateKeyJwtRs256,
        Self::PrivateKeyJwtEs256,
        Self::PrivateKeyJwtEdDsa,
        Self::AssertionAudience,
        Self::UnknownKey,
        Self::ReplayedAssertion,
        Self::PrivateKeyJwtIntrospectRevoke,
        Self::AuthorizationCode,
        Self::RedirectRefusals,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RevokeRefreshToken => "revoke_refresh_token_then_refresh_refused",
            Self::RevokeAccessToken => "revoke_access_token_api_401",
            Self::Introspection => "introspection_active_and_inactive",
            Self::ClientSecretJwt => "client_secret_jwt_hs256",
            Self::PrivateKeyJwtRs256 => "private_key_jwt_rs256",
            Self::PrivateKeyJwtEs256 => "private_key_jwt_es256",
            Self::PrivateKeyJwtEdDsa => "private_key_jwt_eddsa_refused",
            Self::AssertionAudience => "assertion_audience_issuer_or_refused",
            Self::UnknownKey => "private_key_jwt_unknown_key_refused",
            Self::ReplayedAssertion => "replayed_assertion_refused",
            Self::PrivateKeyJwtIntrospectRevoke => "private_key_jwt_introspect_revoke",
            Self::AuthorizationCode => "authorization_code_pkce_then_refresh",
            Self::RedirectRefusals => "authorization_redirect_refusals",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        let transport = &transport(adapter)?;
        match self {
            Self::RevokeRefreshToken => revocation::revoke_refresh_token(server, adapter, transport).await,
            Self::RevokeAccessToken => revocation::revoke_access_token(server, adapter, transport).await,
            Self::Introspection => revocation::introspection(server, adapter, transport).await,
            Self::ClientSecretJwt => client_auth::client_secret_jwt(server, adapter, transport).await,
            Self::PrivateKeyJwtRs256 => client_auth::private_key_jwt(server, adapter, transport, "RS256").await,
            Self::PrivateKeyJwtEs256 => client_auth::private_key_jwt(server, adapter, transport, "ES256").await,
            Self::PrivateKeyJwtEdDsa => client_auth::eddsa_refused(server, transport).await,
            Self::AssertionAudience => client_auth::assertion_audience(server, transport).await,
            Self::UnknownKey => client_auth::unknown_key(server, transport).await,
            Self::ReplayedAssertion => client_auth::replayed_assertion(server, transport).await,
            Self::PrivateKeyJwtIntrospectRevoke => jwt_endpoints::private_key_jwt(server, transport).await,
            Self::AuthorizationCode => sign_in::authorization_code(server, transport).await,
            Self::RedirectRefusals => sign_in::redirect_refusals(server).await,
        }
    }
}

/// A token source for `config` over `transport`.
fn source(transport: &Arc<dyn Transport>, config: TokenConfig) -> Result<TokenSource, String> {
    TokenSource::builder(config, Arc::clone(transport), TokioRuntime).build().map_err(|e| format!("token source: {e}"))
}

/// The server's endpoint at `path` (`/token`, `/revoke`, …).
fn endpoint(server: &Admin, path: &str) -> Result<EndpointUrl, String> {
    let url = format!("{}{path}", server.base());
    EndpointUrl::new(&url).map_err(|e| format!("{url}: {e}"))
}

fn client_id(id: &str) -> Result<ClientId, String> {
    ClientId::new(id).map_err(|e| e.to_string())
}

/// The `alg` and `kid` of each client assertion among the token requests seen since `mark`
/// (`/admin/token-log`'s `assertion`; `-` for a request without one, `none` for no `kid`).
async fn assertions_since(server: &Admin, mark: usize) -> Result<Vec<String>, String> {
    let url = format!("{}/admin/token-log", server.base());
    let answer = reqwest::get(&url).await.and_then(reqwest::Response::error_for_status);
    let body = answer.map_err(|e| format!("GET {url}: {e}"))?.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
    let json: Value = serde_json::from_slice(&body).map_err(|e| format!("GET {url}: {e}"))?;
    let entries = json["entries"].as_array().ok_or_else(|| format!("GET {url}: no `entries` array"))?;
    let entries = entries.get(mark..).ok_or_else(|| format!("the token log shrank below {mark} entries"))?;
    Ok(entries
        .iter()
        .map(|entry| match &entry["assertion"] {
            Value::Object(header) => format!(
                "{} kid {}",
                header.get("alg").and_then(Value::as_str).unwrap_or("?"),
                header.get("kid").and_then(Value::as_str).unwrap_or("none")
            ),
            _ => "-".to_owned(),
        })
        .collect())
}
