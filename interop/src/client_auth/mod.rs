//! Client authentication beyond the shared secret, against oidc-provider, over both adapters:
//! the JWT methods (RFC 7523 §2.2: `client_secret_jwt` HS256, `private_key_jwt` ES256, EdDSA
//! and RS256, a key the server does not know refused) in `jwt`, and mutual TLS (RFC 8705:
//! `tls_client_auth`, `self_signed_tls_client_auth`, no certificate refused) in `mtls`, over
//! oidc-provider's HTTPS listener (`OAUTH_INTEROP_OIDC_PROVIDER_TLS_URL`); and the JWT clients
//! introspecting and revoking their own tokens (RFC 7662, RFC 7009) with a fresh assertion each,
//! in `endpoints`.
//!
//! Every token comes from a `TokenSource` over the adapter's transport: for the JWT methods a
//! profile of the generic RFC 6749 builder (`client` with `auth_method`, `private_key_jwt`,
//! `assertion_audience`), for mutual TLS a `TokenConfig` around `ClientAuth::tls` over a
//! transport presenting the certificate. Each scenario checks what the server's token log saw:
//! the method, the assertion's `alg` and `kid`, the client certificate, and which method
//! authenticated the client. The keys and certificates are the test-only fixtures of
//! `interop/servers/oidc-provider/{jwt,tls}/`, compiled in; the server reads the same files.

mod cli;
mod endpoints;
mod jwt;
mod mtls;

pub(crate) use cli::CliScenario;

use oauth_core::AccessToken;
use oauth_token_source::{ClientError, TokenSource};

use crate::adapter::Adapter;
use crate::admin::{Admin, Seen};
use crate::check::{self, Outcome, ensure};
use crate::steps::CC;

/// The scenarios, in the order they run, each over both adapters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    ClientSecretJwt,
    PrivateKeyJwtEs256,
    PrivateKeyJwtEdDsa,
    PrivateKeyJwtRs256,
    UnknownKeyRefused,
    TlsClientAuth,
    SelfSignedTlsClientAuth,
    NoCertificateRefused,
    PrivateKeyJwtIntrospectRevoke,
    ClientSecretJwtIntrospectRevoke,
}

impl Scenario {
    pub(crate) const ALL: [Self; 10] = [
        Self::ClientSecretJwt,
        Self::PrivateKeyJwtEs256,
        Self::PrivateKeyJwtEdDsa,
        Self::PrivateKeyJwtRs256,
        Self::UnknownKeyRefused,
        Self::TlsClientAuth,
        Self::SelfSignedTlsClientAuth,
        Self::NoCertificateRefused,
        Self::PrivateKeyJwtIntrospectRevoke,
        Self::ClientSecretJwtIntrospectRevoke,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ClientSecretJwt => "client_secret_jwt_hs256",
            Self::PrivateKeyJwtEs256 => "private_key_jwt_es256",
            Self::PrivateKeyJwtEdDsa => "private_key_jwt_eddsa",
            Self::PrivateKeyJwtRs256 => "private_key_jwt_rs256",
            Self::UnknownKeyRefused => "private_key_jwt_unknown_key_refused",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
            Self::NoCertificateRefused => "tls_client_auth_without_certificate_refused",
            Self::PrivateKeyJwtIntrospectRevoke => "private_key_jwt_introspect_revoke",
            Self::ClientSecretJwtIntrospectRevoke => "client_secret_jwt_introspect_revoke",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        match self {
            Self::ClientSecretJwt => jwt::client_secret_jwt(server, adapter).await,
            Self::PrivateKeyJwtEs256 => jwt::private_key_jwt(server, adapter, jwt::Key::Es256).await,
            Self::PrivateKeyJwtEdDsa => jwt::private_key_jwt(server, adapter, jwt::Key::Ed25519).await,
            Self::PrivateKeyJwtRs256 => jwt::private_key_jwt(server, adapter, jwt::Key::Rs256).await,
            Self::UnknownKeyRefused => jwt::unknown_key_refused(server, adapter).await,
            Self::TlsClientAuth => mtls::tls_client_auth(server, adapter).await,
            Self::SelfSignedTlsClientAuth => mtls::self_signed_tls_client_auth(server, adapter).await,
            Self::NoCertificateRefused => mtls::without_certificate_refused(server, adapter).await,
            Self::PrivateKeyJwtIntrospectRevoke => endpoints::private_key_jwt(server, adapter).await,
            Self::ClientSecretJwtIntrospectRevoke => endpoints::client_secret_jwt(server, adapter).await,
        }
    }
}

/// Fetches a token from `source`, then (invalidated) another: each request must carry a fresh
/// client authentication (oidc-provider refuses a client assertion's `jti` seen before). Returns
/// both tokens and the requests the server saw, which must be two client_credentials requests
/// authenticated by `method` (the token log's name), each 200.
async fn two_tokens(
    server: &Admin,
    source: &TokenSource,
    method: &'static str,
) -> Result<(AccessToken, AccessToken, Vec<Seen>), String> {
    let mark = server.mark().await?;
    let first = check::token(source.token().await)?;
    source.invalidate();
    let second = check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, method, 200), (CC, method, 200)])?;
    ensure(!second.same_as(&first), || "the token after invalidate is the old one".to_owned())?;
    for entry in &seen {
        ensure(entry.detail.authenticated_by.as_deref() == Some(method), || {
            format!("the server says {:?} authenticated the client, expected {method}", entry.detail.authenticated_by)
        })?;
    }
    Ok((first, second, seen))
}

/// Every text a caller could show of `error`: its Display, its Debug, and each source's Display.
fn error_texts(error: &ClientError) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }
    texts
}

/// The requests as the server saw them, with what it logged of their client authentication:
/// `[client_credentials private_key_jwt (ES256, kid es256-key) → 200, authenticated by
/// private_key_jwt, …]`, or `… tls_client_auth (TLS, certificate CN=…, CA-verified) → 200 …`.
fn listed(seen: &[Seen]) -> String {
    let all: Vec<String> = seen
        .iter()
        .map(|entry| {
            let detail = &entry.detail;
            let mut about = Vec::new();
            if let Some((alg, kid)) = &detail.assertion {
                about.push(alg.clone());
                about.extend(kid.as_ref().map(|kid| format!("kid {kid}")));
            }
            if detail.tls {
                about.push("TLS".to_owned());
                about.push(match &detail.certificate {
                    Some(c) => format!(
                        "certificate {}, {}",
                        c.subject,
                        if c.authorized { "CA-verified" } else { "not CA-verified" }
                    ),
                    None => "no certificate".to_owned(),
                });
            }
            let mut line = format!("{} {}", entry.grant_type, entry.method);
            if !about.is_empty() {
                line.push_str(&format!(" ({})", about.join(", ")));
            }
            line.push_str(&format!(" → {}", entry.status));
            if let Some(error) = &entry.error {
                line.push_str(&format!(" {error}"));
            }
            if let Some(by) = &detail.authenticated_by {
                line.push_str(&format!(", authenticated by {by}"));
            }
            line
        })
        .collect();
    format!("[{}]", all.join("; "))
}

/// How much of a PEM file's base64 an error text may not repeat: any run this long.
const KEY_EXCERPT: usize = 20;

/// Fails when any of `texts` holds a JWT (every JOSE header's base64url starts `eyJ`, `{"`), a
/// `client_assertion` parameter, or any [`KEY_EXCERPT`] characters in a row of the base64 of
/// the PEM files in `pems`. The texts are not shown: they may be the leak.
fn ensure_nothing_leaks(texts: &[String], pems: &[&str]) -> Result<(), String> {
    let bodies: Vec<String> =
        pems.iter().map(|pem| pem.lines().map(str::trim).filter(|line| !line.starts_with("-----")).collect()).collect();
    for text in texts {
        ensure(!text.contains("eyJ"), || "the error text holds something like a JWT".to_owned())?;
        ensure(!text.contains("client_assertion="), || "the error text holds a client_assertion".to_owned())?;
        let leaks = bodies.iter().any(|body| {
            let body = body.as_bytes();
            body.windows(KEY_EXCERPT).any(|excerpt| text.as_bytes().windows(KEY_EXCERPT).any(|part| part == excerpt))
        });
        ensure(!leaks, || "the error text holds key material".to_owned())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ensure_nothing_leaks;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgP0cUML4rvd2UJ+K4
jRE/D5r75oYORfZtRWjxlclf40ehRANCAATBOi/M8Ng8ehSZJ4mKj5l1s25ZpcAB
-----END PRIVATE KEY-----";

    fn check(text: &str) -> Result<(), String> {
        ensure_nothing_leaks(&[text.to_owned()], &[PEM])
    }

    #[test]
    fn the_leak_check_finds_what_it_looks_for() {
        assert!(
            check("token endpoint refused the client: 401 invalid_client \"client authentication failed\"").is_ok()
        );
        assert!(check("sent eyJhbGciOiJFUzI1NiJ9.e30.sig").is_err());
        assert!(check("body client_assertion_type=x&client_assertion=abc").is_err());
        // Twenty characters of the key's base64, across a line break of the PEM.
        assert!(check("…9UJ+K4jRE/D5r75oYORfZt…").is_err());
        assert!(check("the PEM line MIGHAgEAMBMGByqGSM49 in an error").is_err());
    }
}
