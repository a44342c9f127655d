//! The same client authentication through the `oauth` command: `--private-key-file` (RS256)
//! against the plain listener, and `--auth tls-client-auth` with `--client-cert-file`,
//! `--client-key-file` and `--cacert` against the HTTPS listener; and `oauth introspect` and
//! `oauth revoke` with `--private-key-file` (ES256), each request with its own assertion. The
//! keys are written to the sandbox owner-only and are canaries: no line of them may appear in
//! what the command prints.

use std::path::Path;

use oauth_core::AuthMethod;
use serde_json::{Value, json};

use super::endpoints::{INTROSPECTION, REVOCATION, accepted};
use super::jwt::{ES256_KEY, ES256_KID, KEY_CLIENT, RS256_KEY, RS256_KID, expect_assertions};
use super::listed;
use super::mtls::{CA, CA_SIGNED, TLS_CLIENT, TLS_URL_VARIABLE, expect_certificate, thumbprint};
use crate::admin::Admin;
use crate::check::{self, Outcome, ensure};
use crate::command::{Run, Sandbox};
use crate::steps::CC;

/// The command's client-authentication scenarios, each run once.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CliScenario {
    PrivateKeyJwt,
    TlsClientAuth,
    PrivateKeyJwtIntrospectRevoke,
}

impl CliScenario {
    pub(crate) const ALL: [Self; 3] = [Self::PrivateKeyJwt, Self::TlsClientAuth, Self::PrivateKeyJwtIntrospectRevoke];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::PrivateKeyJwt => "cli_private_key_jwt_rs256",
            Self::TlsClientAuth => "cli_tls_client_auth",
            Self::PrivateKeyJwtIntrospectRevoke => "cli_private_key_jwt_introspect_revoke",
        }
    }

    pub(crate) async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
        match self {
            Self::PrivateKeyJwt => private_key_jwt(server, oauth).await,
            Self::TlsClientAuth => tls_client_auth(server, oauth).await,
            Self::PrivateKeyJwtIntrospectRevoke => introspect_revoke(server, oauth).await,
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

/// `oauth token`, then with the token in `OAUTH_TOKEN` `oauth introspect`, `oauth revoke` and
/// `oauth introspect` again, each as `jwt-key-client` with `--private-key-file es256.pem
/// --key-id es256-key` and the endpoints found through `--issuer`: the token active with the
/// client's id, revoked (exit 0, `revoked` on stderr), then `{"active": false}`. The endpoint
/// log saw three ES256 assertions, each addressed to the endpoint it went to.
async fn introspect_revoke(server: &Admin, oauth: &Path) -> Outcome {
    let mut sandbox = Sandbox::new(oauth)?;
    let key = sandbox.file("es256.pem", ES256_KEY, true)?;
    let base = server.base();
    let client = ["--issuer", base, "--client-id", KEY_CLIENT, "--private-key-file", &key, "--key-id", ES256_KID];
    let with = |command, rest: &[&'static str]| [&[command][..], &client, rest].concat();
    let mark = server.mark().await?;
    let got = sandbox.run(&with("token", &["--format", "json"])).await?;
    got.exit(0)?;
    let token = got.json_token(false)?.access_token;
    got.quiet()?;
    let granted = server.seen_since(mark).await?;
    check::seen(&granted, &[(CC, "private_key_jwt", 200)])?;

    let run = |args| run_with_token(&sandbox, args, &token);
    let introspect_json = |run: &Run| -> Result<Value, String> {
        run.quiet()?;
        serde_json::from_str(&run.stdout).map_err(|e| run.bad_stdout(&format!("not JSON ({e})")))
    };
    let mark = server.endpoint_mark().await?;
    let active = run(with("introspect", &[])).await?;
    let json = introspect_json(&active)?;
    ensure(json["active"] == Value::Bool(true) && json["client_id"] == KEY_CLIENT, || {
        active.bad_stdout(&format!("expected active with client_id {KEY_CLIENT}"))
    })?;
    let revoked = run(with("revoke", &[])).await?;
    ensure(revoked.stdout.is_empty() && revoked.stderr.trim() == "revoked", || {
        format!("{}: stdout {:?}, stderr {:?}", revoked.command, revoked.stdout, revoked.stderr)
    })?;
    let inactive = run(with("introspect", &[])).await?;
    ensure(introspect_json(&inactive)? == json!({ "active": false }), || {
        inactive.bad_stdout("expected {\"active\": false}")
    })?;

    let seen = server.endpoint_seen_since(mark).await?;
    let url = |path: &str| format!("{base}{path}");
    let expected = [INTROSPECTION, REVOCATION, INTROSPECTION]
        .map(|(path, name)| accepted(name, "private_key_jwt", "ES256", Some(ES256_KID), &url(path)));
    let endpoints = check::endpoint_seen(&seen, &expected)?;
    Ok(format!(
        "{} → exit 0, the token log {}; {} → exit 0, active, client_id {KEY_CLIENT}; revoke → exit 0, \
         `revoked`; introspect → exit 0, {{\"active\": false}}; server saw {endpoints}; neither the token nor a \
         line of the key printed",
        got.command,
        listed(&granted),
        active.command
    ))
}

/// Runs `oauth args…` with `token` in `OAUTH_TOKEN`: exit 0, the token in neither stdout nor
/// stderr.
async fn run_with_token(sandbox: &Sandbox, args: Vec<&str>, token: &str) -> Result<Run, String> {
    let run = sandbox.spawn(&args, &[("OAUTH_TOKEN", token.to_owned())])?.finish().await?;
    run.exit(0)?;
    run.absent(&[("the access token", token)])?;
    Ok(run)
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
