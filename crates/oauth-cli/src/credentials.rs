//! How the client proves who it is: a secret, a private key that signs assertions
//! (`private_key_jwt`), or a TLS client certificate (RFC 8705) — chosen by `--auth`, or by the
//! key that was given. Keys come from owner-only files or variables, never the command line.
//!
//! Settings come in layers — the command line (flags and their variables), the profile, then
//! the generic `OAUTH_*` variables — and a nearer layer wins: a profile's key gives way to
//! `--auth basic`, a profile's `auth` to `--private-key-file`. Two choices in the same layer
//! are a usage error, and so is a key that would silently replace a configured secret.

use std::path::Path;

use oauth_core::{AssertionKey, AuthMethod};
use zeroize::Zeroizing;

use crate::cli::AuthChoice;
use crate::failure::Failure;
use crate::secrets::{self, Kind, Layer, Sources};

/// The way in a command takes, before the client id and secret are read.
pub(crate) enum Proof {
    /// `private_key_jwt` with this key.
    PrivateKey(AssertionKey),
    /// `tls_client_auth` or `self_signed_tls_client_auth`: the transport presents the
    /// certificate; the body carries the client id alone.
    Certificate(AuthMethod),
    /// The client secret when there is one, with this method (`None`: the usual default).
    Secret(Option<AuthMethod>),
}

/// Where a command's client-authentication settings come from.
pub(crate) struct KeySettings<'a> {
    /// `--auth` (or the profile's `auth`), and the layer it came from.
    pub(crate) auth: Option<(AuthChoice, Layer)>,
    pub(crate) private_key: &'a Sources,
    pub(crate) key_id: Option<&'a str>,
    pub(crate) client_cert_file: Option<&'a Path>,
    /// Whether a client secret is configured anywhere.
    pub(crate) secret_configured: bool,
}

/// The proof `settings` ask for: `--auth`, else a private key given (`private_key_jwt`), else
/// a secret. The key is read only when it is the one used.
pub(crate) fn choose(settings: &KeySettings<'_>) -> Result<Proof, Failure> {
    let key_layer = secrets::layer(Kind::PrivateKey, settings.private_key);
    match (settings.auth, key_layer) {
        (Some((AuthChoice::PrivateKeyJwt, _)), None) => Err(Failure::usage(
            "--auth private-key-jwt needs the key: --private-key-file FILE, OAUTH_PRIVATE_KEY, or `private_key_file` in the profile",
        )),
        (Some((AuthChoice::PrivateKeyJwt, _)), Some(_)) => private_key(settings),
        // Another method, and a key: the nearer layer wins; one layer naming both is a mistake.
        (Some((choice, auth_layer)), Some(key_layer)) if auth_layer == key_layer => Err(Failure::usage(format!(
            "{} names a private key and `--auth {}`; give one of them",
            key_layer.describe(),
            choice.name()
        ))),
        (Some((_, auth_layer)), Some(key_layer)) if key_layer < auth_layer => private_key(settings),
        (Some((choice, _)), _) => by_method(choice.method(), settings),
        (None, Some(Layer::CommandLine)) => private_key(settings),
        (None, Some(layer)) if settings.secret_configured => Err(Failure::usage(format!(
            "{} names a private key, and a client secret is configured too; choose with --auth private-key-jwt or \
             --auth basic (or post, …)",
            layer.describe()
        ))),
        (None, Some(_)) => private_key(settings),
        (None, None) => Ok(Proof::Secret(None)),
    }
}

/// `method` without a key: a certificate method needs the certificate.
fn by_method(method: Option<AuthMethod>, settings: &KeySettings<'_>) -> Result<Proof, Failure> {
    match method {
        Some(method @ (AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth)) => {
            if settings.client_cert_file.is_none() {
                return Err(Failure::usage(format!(
                    "--auth {} needs the certificate: --client-cert-file FILE",
                    method.name().replace('_', "-")
                )));
            }
            Ok(Proof::Certificate(method))
        }
        method => Ok(Proof::Secret(method)),
    }
}

/// `private_key_jwt` with the key from its sources, named `key_id` when given.
fn private_key(settings: &KeySettings<'_>) -> Result<Proof, Failure> {
    let missing = || Failure::usage("the private key's source is set but empty");
    let pem = secrets::find(Kind::PrivateKey, settings.private_key)?.map(Zeroizing::new).ok_or_else(missing)?;
    let key = AssertionKey::from_pem(&pem).map_err(|error| Failure::usage(format!("the private key: {error}")))?;
    Ok(Proof::PrivateKey(match settings.key_id {
        Some(kid) => key.with_kid(kid),
        None => key,
    }))
}
