//! The same client authentication through the `oauth` command: `--private-key-file` (RS256)
//! against the plain listener, and `--auth tls-client-auth` with `--client-cert-file`,
//! `--client-key-file` and `--cacert` against the HTTPS listener. The keys are written to the
//! sandbox owner-only and are canaries: no line of them may appear in what the command prints.

use std::path::Path;

use oauth_core::AuthMethod;

use super::jwt::{KEY_CLIENT, RS256_KEY, RS256_KID, expect_assertions};
use super::listed;
use super::mtls::{CA, CA_SIGNED, TLS_CLIENT, TLS_URL_VARIABLE, expect_certificate, thumbprint};
use crate::admin::Admin;
use crate::check::{self, Outcome, ensure};
use crate::command::Sandbox;
use crate::steps::CC;

/// The command's client-authentication scenarios, each run once.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CliScenario {
    PrivateKeyJwt,
    TlsClientAuth,
}

impl CliScenario {
    pub(crate) const ALL: [Self; 2] = [Self::PrivateKeyJwt, Self::TlsClientAuth];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::PrivateKeyJwt => "cli_private_key_jwt_rs256",
            Self::TlsClientAuth => "cli_tls_client_auth",
        }
    }

    pub(crate) async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
        match self {
            Self::PrivateKeyJwt => private_key_jwt(server, oauth).await,
            Self::TlsClientAuth => tls_client_auth(server, oauth).await,
        }
    }
}

/// `oauth token --private-key-file rs256.pem --key-id rs256-key`: one token, the server saw an
/// RS256 assertion with that `kid` authenticate the client.
async fn private_key_jwt(server: &Admin, oauth: &Path) -> Outcome {
    let mut sandbox = Sandbox::new(oauth)?;
    let key = sandbox.file("rs256.pem", RS256_KEY, true)?;
    let token_url = format!("{}/token", server.base());
    let args = [
        "token",
        "--token-url",
        &token_url,
        "--client-id",
        KEY_CLIENT,
        "--private-key-file",
        &key,
        "--key-id",
        RS256_KID,
        "--format",
        "json",
    ];
    let mark = server.mark().await?;
    let run = sandbox.run(&args).await?;
    run.exit(0)?;
    let token = run.json_token(false)?;
    run.quiet()?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, "private_key_jwt", 200)])?;
    expect_assertions(&seen, "RS256", Some(RS256_KID))?;
    authenticated_by(&seen, AuthMethod::PrivateKeyJwt)?;
    Ok(format!("{}: exit 0, JSON token, expires_in {}; server saw {}", run.command, token.expires_in, listed(&seen)))
}

/// `oauth token --auth tls-client-auth --client-cert-file … --client-key-file … --cacert …`
/// against the HTTPS listener: one token, the server saw the CA-signed certificate.
async fn tls_client_auth(server: &Admin, oauth: &Path) -> Outcome {
    let base = std::env::var(TLS_URL_VARIABLE)
        .ok()
        .filter(|url| !url.is_empty())
        .ok_or_else(|| format!("{TLS_URL_VARIABLE} is not set: run the suite with `cargo xtask interop`"))?;
    let mut sandbox = Sandbox::new(oauth)?;
    let certificate = sandbox.file("client.pem", CA_SIGNED.certificate, false)?;
    let key = sandbox.file("client.key.pem", CA_SIGNED.key, true)?;
    let ca = sandbox.file("ca.pem", CA, false)?;
    let token_url = format!("{}/token", base.trim_end_matches('/'));
    let args = [
        "token",
        "--token-url",
        &token_url,
        "--client-id",
        TLS_CLIENT,
        "--auth",
        "tls-client-auth",
        "--client-cert-file",
        &certificate,
        "--client-key-file",
        &key,
        "--cacert",
        &ca,
        "--format",
        "json",
    ];
    let mark = server.mark().await?;
    let run = sandbox.run(&args).await?;
    run.exit(0)?;
    let token = run.json_token(false)?;
    run.quiet()?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, "tls_client_auth", 200)])?;
    expect_certificate(&seen, &thumbprint(CA_SIGNED.certificate)?, true)?;
    authenticated_by(&seen, AuthMethod::TlsClientAuth)?;
    Ok(format!("{}: exit 0, JSON token, expires_in {}; server saw {}", run.command, token.expires_in, listed(&seen)))
}

/// Checks the server says `method` authenticated the client of every request.
fn authenticated_by(seen: &[crate::admin::Seen], method: AuthMethod) -> Result<(), String> {
    for entry in seen {
        ensure(entry.detail.authenticated_by.as_deref() == Some(method.name()), || {
            format!(
                "the server says {:?} authenticated the client, expected {}",
                entry.detail.authenticated_by,
                method.name()
            )
        })?;
    }
    Ok(())
}
