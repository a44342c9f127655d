//! The client side every user-facing command shares: how the client authenticates, the
//! transport (with `-v` tracing), and discovery of an issuer's endpoints.

use std::time::Duration;

use oauth_core::discovery::{Issuer, ServerMetadata, WellKnown};
use oauth_core::{AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, EndpointUrl};
use oauth_reqwest::ReqwestTransport;
use oauth_token_source::Transport;

use crate::cli::Connection;
use crate::credentials::{self, KeySettings, Proof};
use crate::failure::{Chain, Failure};
use crate::secrets::{self, Kind, Layer, Sources};
use crate::session::http_client_builder;
use crate::tls::TlsSettings;
use crate::trace::Traced;

/// A user-facing command's client: how it authenticates, and the transport that presents its
/// certificate — the TLS files read once for both.
pub(crate) struct Prepared {
    pub(crate) auth: ClientAuth,
    pub(crate) transport: Traced<ReqwestTransport>,
}

/// The client of `command` as the flags describe it.
pub(crate) fn prepare(flags: &Connection, command: &str) -> Result<Prepared, Failure> {
    let tls = tls_settings(flags)?;
    let auth = client_auth(client_id(flags, command)?, flags, &tls)?;
    let transport = transport(&tls, flags.timeout, flags.verbose)?;
    Ok(Prepared { auth, transport })
}

/// The client as it authenticates: with `--private-key-file` (`private_key_jwt`), with the
/// `--client-cert-file` certificate (`--auth tls-client-auth`), or with a secret
/// (`OAUTH_CLIENT_SECRET` or the file) by `--auth` (Basic by default); without any, a public
/// client (its id in the body), as most native apps are registered. A certificate, when
/// given, binds the client's tokens whatever the method.
fn client_auth(id: ClientId, flags: &Connection, tls: &TlsSettings) -> Result<ClientAuth, Failure> {
    let private_key = Sources { flag_file: flags.private_key_file.clone(), ..Sources::default() };
    let secret = Sources { flag_file: flags.client_secret_file.clone(), ..Sources::default() };
    let settings = KeySettings {
        auth: flags.auth.map(|choice| (choice, Layer::CommandLine)),
        private_key: &private_key,
        key_id: flags.key_id.as_deref(),
        client_cert_file: flags.client_cert_file.as_deref(),
        secret_configured: secrets::layer(Kind::ClientSecret, &secret).is_some(),
    };
    let auth = match credentials::choose(&settings)? {
        Proof::PrivateKey(key) => ClientAuth::private_key_jwt(id, key),
        Proof::Certificate(method) => ClientAuth::tls(id, method).map_err(|e| Failure::usage(e.to_string()))?,
        Proof::Secret(method) => match (secrets::find(Kind::ClientSecret, &secret)?, method) {
            (Some(value), method) => {
                let method = method.unwrap_or(AuthMethod::Basic(BasicEncoding::Percent));
                ClientAuth::new(id, Some(ClientSecret::new(value)), method)
                    .map_err(|e| Failure::usage(e.to_string()))?
            }
            (None, Some(AuthMethod::ClientSecretJwt)) => {
                let value = secrets::require(Kind::ClientSecret, &secret)?;
                ClientAuth::client_secret_jwt(id, ClientSecret::new(value))
            }
            (None, _) => ClientAuth::public(id),
        },
    };
    let auth = match &flags.assertion_audience {
        Some(audience) => auth.with_assertion_audience(audience.as_str()),
        None => auth,
    };
    Ok(tls.bind(auth))
}

/// 16 bytes from the operating system's generator for a client assertion's `jti`: a JWT
/// client signs a fresh assertion for each request with them (other clients ignore them).
pub(crate) fn assertion_entropy() -> Result<[u8; 16], Failure> {
    let mut entropy = [0_u8; 16];
    getrandom::fill(&mut entropy).map_err(|e| Failure::network(format!("no randomness: {e}")))?;
    Ok(entropy)
}

/// The client certificate and CAs the flags name.
pub(crate) fn tls_settings(flags: &Connection) -> Result<TlsSettings, Failure> {
    let client_key = Sources { flag_file: flags.client_key_file.clone(), ..Sources::default() };
    TlsSettings::read(flags.client_cert_file.as_deref(), &client_key, flags.cacert.as_deref())
}

/// The HTTP transport of a command: redirects refused, the `timeout` (seconds), the TLS
/// client certificate and `--cacert` when given, `-v` tracing.
pub(crate) fn transport(tls: &TlsSettings, timeout: u64, verbose: bool) -> Result<Traced<ReqwestTransport>, Failure> {
    let transport = ReqwestTransport::from_builder(http_client_builder(tls))
        .map_err(|e| Failure::network(format!("cannot set up HTTP: {}", Chain(&e))))?
        .with_timeout(Duration::from_secs(timeout));
    Ok(Traced::new(transport, verbose))
}

/// The client id `--client-id` (or `OAUTH_CLIENT_ID`) names.
pub(crate) fn client_id(flags: &Connection, command: &str) -> Result<ClientId, Failure> {
    let id = flags.client_id.clone().ok_or_else(|| Failure::usage(format!("{command} needs --client-id")))?;
    ClientId::new(id).map_err(|e| Failure::usage(e.to_string()))
}

/// A URL flag, checked like every endpoint (`--allow-http` for plain http off loopback).
pub(crate) fn endpoint(text: &str, flag: &str, flags: &Connection) -> Result<EndpointUrl, Failure> {
    let checked = if flags.allow_http { EndpointUrl::new_allowing_http(text) } else { EndpointUrl::new(text) };
    checked.map_err(|e| Failure::usage(format!("{flag}: {e}")))
}

/// The issuer's metadata (RFC 8414, then OpenID Connect Discovery when the first is not there),
/// its `issuer` checked against the one asked for, fetched through `transport`.
pub(crate) async fn discover(
    issuer: &str,
    allow_http: bool,
    transport: &Traced<ReqwestTransport>,
) -> Result<ServerMetadata, Failure> {
    let checked = if allow_http { Issuer::new_allowing_http(issuer) } else { Issuer::new(issuer) };
    let issuer = checked.map_err(|e| Failure::usage(format!("the issuer: {e}")))?;
    let mut last = None;
    for well_known in [WellKnown::OAuthAuthorizationServer, WellKnown::OpenIdConfiguration] {
        let (request, pending) = issuer.metadata_request(well_known);
        let shown = crate::trace::shown_uri(request.uri());
        let response = transport.send(request).await.map_err(|e| Failure::transport(&e, &shown))?;
        if response.status() == http::StatusCode::NOT_FOUND {
            last = Some(shown);
            continue;
        }
        return pending.finish(&response).map_err(|e| Failure::refused(format!("{shown}: {}", Chain(&e))));
    }
    Err(Failure::refused(format!(
        "{}: no metadata at either well-known URL (last tried {})",
        issuer.as_str(),
        last.unwrap_or_default()
    )))
}

/// The token a command acts on: from `--token-file` (`-` for stdin) or `OAUTH_TOKEN`, never
/// the command line.
pub(crate) fn token_input(file: Option<&std::path::Path>) -> Result<String, Failure> {
    let text = match file {
        Some(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Failure::usage(format!("cannot read the token from stdin: {e}")))?;
            text
        }
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read the token file {}: {e}", path.display())))?,
        None => std::env::var("OAUTH_TOKEN")
            .map_err(|_| Failure::usage("no token: set OAUTH_TOKEN, or --token-file FILE (or - for stdin)"))?,
    };
    let token = text.trim().to_owned();
    if token.is_empty() {
        return Err(Failure::usage("the token is empty"));
    }
    Ok(token)
}
