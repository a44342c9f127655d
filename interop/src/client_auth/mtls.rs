//! Mutual-TLS client authentication (RFC 8705 §2) against oidc-provider's HTTPS listener
//! (`OAUTH_INTEROP_OIDC_PROVIDER_TLS_URL`), which asks every connection for a certificate:
//! `tls_client_auth` as `mtls-client` with a certificate the test CA signed (registered by its
//! subject DN), `self_signed_tls_client_auth` as `self-signed-mtls-client` with a self-signed one
//! (registered in its JWK Set, `x5c`), and `mtls-client` without a certificate refused. Both
//! clients get certificate-bound tokens (RFC 8705 §3), which introspection shows.
//!
//! The transports are what an application would build: reqwest with the test CA as its only
//! root and the certificate as its `Identity`, handed to `ReqwestTransport::from_builder`; hyper
//! with a hyper-rustls connector over a rustls `ClientConfig` with the same root and
//! `with_client_auth_cert`, handed to `HyperTransport::new`.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use oauth_core::{
    AccessToken, AuthMethod, ClientAuth, ClientId, ErrorCode, Grant, TokenConfig, TokenEndpoint, TokenRequest,
};
use oauth_hyper::HyperTransport;
use oauth_reqwest::ReqwestTransport;
use oauth_token_source::TokenSource;
use oauth_tokio::TokioRuntime;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;
use sha2::Digest as _;

use super::{listed, two_tokens};
use crate::TRICKY_SECRET;
use crate::adapter::{Adapter, REQUEST_TIMEOUT};
use crate::admin::{Admin, Seen};
use crate::check::{self, ChallengeRule, Outcome, Refusal, ensure};
use crate::steps::CC;

/// The variable holding the base URL of oidc-provider's HTTPS listener.
pub(super) const TLS_URL_VARIABLE: &str = "OAUTH_INTEROP_OIDC_PROVIDER_TLS_URL";

pub(super) const TLS_CLIENT: &str = "mtls-client";
const SELF_SIGNED_CLIENT: &str = "self-signed-mtls-client";

// Test-only certificates and keys, public in this repository
// (`interop/servers/oidc-provider/tls/README.md`).
/// The test CA: the only root the transports trust, and the server's CA for client certificates.
pub(super) const CA: &str = include_str!("../../servers/oidc-provider/tls/ca.pem");

/// A client certificate and its private key, PEM.
#[derive(Debug, Clone, Copy)]
pub(super) struct Identity {
    pub(super) certificate: &'static str,
    pub(super) key: &'static str,
}

/// Signed by the test CA: `tls_client_auth`.
pub(super) const CA_SIGNED: Identity = Identity {
    certificate: include_str!("../../servers/oidc-provider/tls/client.pem"),
    key: include_str!("../../servers/oidc-provider/tls/client.key.pem"),
};

/// Self-signed: `self_signed_tls_client_auth`.
const SELF_SIGNED: Identity = Identity {
    certificate: include_str!("../../servers/oidc-provider/tls/self-signed.pem"),
    key: include_str!("../../servers/oidc-provider/tls/self-signed.key.pem"),
};

/// `tls_client_auth` with the CA-signed certificate: two tokens, each bound to it.
pub(super) async fn tls_client_auth(server: &Admin, adapter: Adapter) -> Outcome {
    certificate_tokens(server, adapter, TLS_CLIENT, AuthMethod::TlsClientAuth, CA_SIGNED).await
}

/// `self_signed_tls_client_auth` with the self-signed certificate: two tokens, each bound to it.
pub(super) async fn self_signed_tls_client_auth(server: &Admin, adapter: Adapter) -> Outcome {
    certificate_tokens(server, adapter, SELF_SIGNED_CLIENT, AuthMethod::SelfSignedTlsClientAuth, SELF_SIGNED).await
}

/// `mtls-client` over TLS without a client certificate: 401 `invalid_client`, not retryable.
pub(super) async fn without_certificate_refused(server: &Admin, adapter: Adapter) -> Outcome {
    let config = config(TLS_CLIENT, AuthMethod::TlsClientAuth)?;
    let source = source(adapter, config, None)?;
    let mark = server.mark().await?;
    let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Absent, None, &[]);
    let detail = check::refusal(source.token().await, &expected)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, "tls_client_auth", 401)])?;
    let entry = &seen[0].detail;
    ensure(entry.tls && entry.certificate.is_none(), || {
        format!("the server saw tls {}, certificate {:?}, expected TLS without one", entry.tls, entry.certificate)
    })?;
    Ok(format!("{detail}; server saw {}", listed(&seen)))
}

/// Two tokens for `client` authenticated by `method` with `identity`'s certificate; the server
/// saw that certificate on each request (verified by its CA or not, as `identity` is), and
/// introspection binds the second token to it.
async fn certificate_tokens(
    server: &Admin,
    adapter: Adapter,
    client: &str,
    method: AuthMethod,
    identity: Identity,
) -> Outcome {
    let thumbprint = thumbprint(identity.certificate)?;
    let source = source(adapter, config(client, method)?, Some(identity))?;
    let (_, token, seen) = two_tokens(server, &source, method.name()).await?;
    let ca_signed = matches!(method, AuthMethod::TlsClientAuth);
    expect_certificate(&seen, &thumbprint, ca_signed)?;
    let bound = introspect_binding(server, &token, client, &thumbprint).await?;
    Ok(format!("two tokens; server saw {}; {bound}", listed(&seen)))
}

/// The client-credentials configuration of `client` at the HTTPS listener's token endpoint.
fn config(client: &str, method: AuthMethod) -> Result<TokenConfig, String> {
    let base = match std::env::var(TLS_URL_VARIABLE) {
        Ok(url) if !url.is_empty() => url,
        _ => return Err(format!("{TLS_URL_VARIABLE} is not set: run the suite with `cargo xtask interop`")),
    };
    let id = ClientId::new(client).map_err(|e| format!("client id: {e}"))?;
    let auth = ClientAuth::tls(id, method).map_err(|e| format!("ClientAuth::tls: {e}"))?;
    client_credentials(&format!("{}/token", base.trim_end_matches('/')), auth)
}

/// A client-credentials `TokenConfig` at `token_url` that authenticates with `auth`.
fn client_credentials(token_url: &str, auth: ClientAuth) -> Result<TokenConfig, String> {
    let endpoint = TokenEndpoint::new(token_url).map_err(|e| format!("token endpoint {token_url}: {e}"))?;
    Ok(TokenConfig::new(endpoint, auth, TokenRequest::new(Grant::ClientCredentials)))
}

/// A token source for `config` over `adapter`'s transport, trusting only the test CA and
/// presenting `identity`'s certificate, if any.
fn source(adapter: Adapter, config: TokenConfig, identity: Option<Identity>) -> Result<TokenSource, String> {
    let builder = match adapter {
        Adapter::Reqwest => {
            let ca = reqwest::Certificate::from_pem(CA.as_bytes()).map_err(|e| format!("the test CA: {e}"))?;
            let mut client = reqwest::Client::builder().tls_certs_only([ca]);
            if let Some(identity) = identity {
                let pem = [identity.certificate, identity.key].concat();
                let identity =
                    reqwest::Identity::from_pem(pem.as_bytes()).map_err(|e| format!("the client certificate: {e}"))?;
                client = client.identity(identity);
            }
            let transport = ReqwestTransport::from_builder(client).map_err(|e| format!("reqwest transport: {e}"))?;
            TokenSource::builder(config, transport.with_timeout(REQUEST_TIMEOUT), TokioRuntime)
        }
        Adapter::Hyper => {
            let transport = HyperTransport::new(https_connector(identity)?).with_timeout(REQUEST_TIMEOUT);
            TokenSource::builder(config, transport, TokioRuntime)
        }
    };
    builder.build().map_err(|e| format!("token source: {e}"))
}

/// A hyper-rustls connector (HTTPS only, HTTP/1.1) trusting only the test CA, presenting
/// `identity`'s certificate when asked, if any.
fn https_connector(identity: Option<Identity>) -> Result<HttpsConnector<HttpConnector>, String> {
    let ca = CertificateDer::from_pem_slice(CA.as_bytes()).map_err(|e| format!("the test CA: {e}"))?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).map_err(|e| format!("the test CA: {e}"))?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("rustls: {e}"))?
        .with_root_certificates(roots);
    let config = match identity {
        Some(identity) => {
            let chain = CertificateDer::pem_slice_iter(identity.certificate.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("the client certificate: {e}"))?;
            // The error names the PEM section, never the key.
            let key =
                PrivateKeyDer::from_pem_slice(identity.key.as_bytes()).map_err(|e| format!("the client key: {e}"))?;
            config.with_client_auth_cert(chain, key).map_err(|e| format!("rustls client certificate: {e}"))?
        }
        None => config.with_no_client_auth(),
    };
    Ok(HttpsConnectorBuilder::new().with_tls_config(config).https_only().enable_http1().build())
}

/// RFC 8705 §3.1's `x5t#S256` of a PEM certificate: the base64url SHA-256 of its DER.
pub(super) fn thumbprint(pem: &str) -> Result<String, String> {
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| format!("a test certificate: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der.as_ref())))
}

/// Checks that each request came over TLS with the certificate whose thumbprint is
/// `thumbprint`, which the server's CA verified when `ca_signed` and did not otherwise.
pub(super) fn expect_certificate(seen: &[Seen], thumbprint: &str, ca_signed: bool) -> Result<(), String> {
    for entry in seen {
        let certificate = entry.detail.certificate.as_ref();
        let matches =
            entry.detail.tls && certificate.is_some_and(|c| c.thumbprint == thumbprint && c.authorized == ca_signed);
        ensure(matches, || {
            format!(
                "the server saw tls {}, certificate {certificate:?}; expected x5t#S256 {thumbprint}, CA-verified {ca_signed}",
                entry.detail.tls
            )
        })?;
    }
    Ok(())
}

/// Introspects `token` as `token-admin` (outside the adapters, `client_secret_post`): active,
/// issued to `client`, and bound to the certificate (`cnf.x5t#S256` = `thumbprint`).
async fn introspect_binding(server: &Admin, token: &AccessToken, client: &str, thumbprint: &str) -> Outcome {
    let url = format!("{}/token/introspection", server.base());
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token.secret())
        .append_pair("client_id", "token-admin")
        .append_pair("client_secret", TRICKY_SECRET)
        .finish();
    let response = reqwest::Client::new()
        .post(&url)
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("POST {url}: {e}"))?;
    let body = response.bytes().await.map_err(|e| format!("POST {url}: {e}"))?;
    let answer: Value = serde_json::from_slice(&body).map_err(|e| format!("POST {url}: {e}"))?;
    let bound = answer["cnf"]["x5t#S256"].as_str();
    let ok = answer["active"] == true && answer["client_id"] == client && bound == Some(thumbprint);
    ensure(ok, || {
        format!(
            "introspection: active {}, client_id {}, cnf {}; expected x5t#S256 {thumbprint}",
            answer["active"], answer["client_id"], answer["cnf"]
        )
    })?;
    let shown: String = thumbprint.chars().take(10).collect();
    Ok(format!("introspected active, client_id {client}, cnf.x5t#S256 {shown}… = the certificate's thumbprint"))
}
