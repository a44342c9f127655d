//! What a command's HTTPS connections present and trust beyond the defaults: the TLS client
//! certificate (RFC 8705; its key from the same owner-only file or its own source) and
//! `--cacert`, read once per command and handed to every client it builds.

use std::path::Path;

use oauth_reqwest::reqwest::{Certificate, ClientBuilder, Identity};
use zeroize::Zeroizing;

use crate::failure::Failure;
use crate::secrets::{self, Kind, Sources};

/// What a command's HTTPS connections present and trust beyond the defaults.
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    /// The client certificate and its key.
    pub(crate) identity: Option<Identity>,
    /// The only CAs trusted (`--cacert`), instead of the system's.
    pub(crate) roots: Option<Vec<Certificate>>,
    /// The DER of the client certificate (the chain's first), which binds cached tokens to it.
    pub(crate) certificate_der: Option<Vec<u8>>,
}

impl TlsSettings {
    /// Reads the client certificate (see [`tls_identity`]) and the `--cacert` bundle.
    pub(crate) fn read(cert_file: Option<&Path>, key: &Sources, cacert: Option<&Path>) -> Result<Self, Failure> {
        let identity = tls_identity(cert_file, key)?;
        let roots = cacert.map(ca_bundle).transpose()?;
        let certificate_der = match cert_file {
            Some(path) => Some(first_certificate_der(path)?),
            None => None,
        };
        Ok(Self { identity, roots, certificate_der })
    }

    /// `auth`, bound to the client certificate when there is one (a certificate-bound token is
    /// of no use with another certificate, and a cached one is not served with it).
    pub(crate) fn bind(&self, auth: oauth_core::ClientAuth) -> oauth_core::ClientAuth {
        match &self.certificate_der {
            Some(der) => auth.with_client_certificate(der),
            None => auth,
        }
    }

    /// `builder` presenting and trusting these.
    pub(crate) fn apply(&self, builder: ClientBuilder) -> ClientBuilder {
        let builder = match &self.identity {
            Some(identity) => builder.identity(identity.clone()),
            None => builder,
        };
        match &self.roots {
            Some(roots) => builder.tls_certs_only(roots.iter().cloned()),
            None => builder,
        }
    }
}

/// The DER of the first certificate of a PEM file (one that [`tls_identity`] accepted).
fn first_certificate_der(path: &Path) -> Result<Vec<u8>, Failure> {
    use base64::Engine as _;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let unreadable = || Failure::usage(format!("{}: the first certificate is not valid PEM", path.display()));
    // The file may hold the certificate's key too: wiped when done.
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|_| unreadable())?);
    let body = text.split_once(BEGIN).and_then(|(_, rest)| rest.split_once("-----END CERTIFICATE-----"));
    let base64: String = body.ok_or_else(unreadable)?.0.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(base64).map_err(|_| unreadable())
}

/// The CA certificates of a PEM bundle.
fn ca_bundle(path: &Path) -> Result<Vec<Certificate>, Failure> {
    let shown = path.display();
    let pem =
        std::fs::read(path).map_err(|error| Failure::usage(format!("cannot read the CA file {shown}: {error}")))?;
    match Certificate::from_pem_bundle(&pem) {
        Ok(certificates) if !certificates.is_empty() => Ok(certificates),
        _ => Err(Failure::usage(format!("{shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"))),
    }
}

/// The TLS client certificate and its key, for the transport: the certificate file (PEM, the
/// chain after the leaf), and the key from that same file — which must then be owner-only — or
/// from the key's own sources. `None` without a certificate file.
fn tls_identity(cert_file: Option<&Path>, key: &Sources) -> Result<Option<Identity>, Failure> {
    let Some(path) = cert_file else {
        if key.flag_file.is_some() || key.profile_file.is_some() {
            return Err(Failure::usage("--client-key-file is the key of --client-cert-file, which is missing"));
        }
        return Ok(None);
    };
    let shown = path.display();
    let certificates = std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|error| Failure::usage(format!("cannot read the client certificate {shown}: {error}")))?;
    if !certificates.contains("-----BEGIN CERTIFICATE-----") {
        return Err(Failure::usage(format!("{shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")));
    }
    let pem = Zeroizing::new(if certificates.contains("PRIVATE KEY-----") {
        // The key is in the certificate file: read it as the secret it holds.
        secrets::read_file(Kind::ClientKey, path)?
    } else {
        let key = secrets::find(Kind::ClientKey, key)?.map(Zeroizing::new).ok_or_else(|| {
            Failure::usage(format!(
                "the client certificate {shown} needs its key: --client-key-file FILE, OAUTH_CLIENT_KEY, \
                 or the key in the certificate file"
            ))
        })?;
        format!("{}\n{}", key.as_str(), certificates.as_str())
    });
    // The TLS stack reads the certificate when a client is built, so one is built here, where a
    // bad file is a usage error. Its own message could quote the PEM it choked on; say what was
    // expected instead.
    let unusable = || {
        Failure::usage(format!(
            "{shown}: not a usable client certificate and key (a PEM certificate chain, and an unencrypted \
             PKCS#8, PKCS#1 or SEC1 private key that goes with it)"
        ))
    };
    let identity = Identity::from_pem(pem.as_bytes()).map_err(|_| unusable())?;
    oauth_reqwest::reqwest::Client::builder().identity(identity.clone()).build().map_err(|_| unusable())?;
    Ok(Some(identity))
}
