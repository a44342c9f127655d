//! What a configuration's `CredentialBinding` holds for the credentials that never travel in a
//! request: a TLS client certificate is bound by its thumbprint, so a cache or a fleet store
//! does not serve one certificate's token to another, nor to the same id without a certificate.

use oauth_core::{AuthMethod, ClientAuth, ClientId, Grant, TokenConfig, TokenEndpoint, TokenRequest};

fn config(auth: ClientAuth) -> TokenConfig {
    let endpoint = TokenEndpoint::new("https://mtls.as.example/token").unwrap();
    TokenConfig::new(endpoint, auth, TokenRequest::new(Grant::ClientCredentials))
}

fn tls(certificate: Option<&[u8]>) -> ClientAuth {
    let auth = ClientAuth::tls(ClientId::new("app").unwrap(), AuthMethod::TlsClientAuth).unwrap();
    match certificate {
        Some(der) => auth.with_client_certificate(der),
        None => auth,
    }
}

#[test]
fn the_certificate_thumbprint_binds_a_mutual_tls_client() {
    let (one, other) = (config(tls(Some(b"certificate one"))), config(tls(Some(b"certificate two"))));
    assert_eq!(one.identity(), other.identity(), "the certificate is not part of the identity");
    assert_ne!(one.binding(), other.binding());
    assert_ne!(one.binding(), config(tls(None)).binding());
    assert_eq!(one.binding(), config(tls(Some(b"certificate one"))).binding());
    let binding = one.binding();
    let (name, thumbprint) = binding.secrets().next().unwrap();
    assert_eq!(name, "client_certificate");
    assert_eq!(thumbprint.len(), 43, "base64url of a SHA-256, unpadded");
}

#[test]
fn the_thumbprint_survives_a_change_of_method() {
    let auth = tls(Some(b"certificate one")).with_method(AuthMethod::SelfSignedTlsClientAuth).unwrap();
    assert_eq!(auth.client_certificate_thumbprint(), tls(Some(b"certificate one")).client_certificate_thumbprint());
    assert!(format!("{auth:?}").contains("client_certificate"));
}
