//! The generic profile with every client-authentication method a standard server may ask for:
//! the JWT methods sign a fresh assertion (addressed where the profile says), the mTLS methods
//! send only the client id, and a JWT method without its key or secret is a typed error.

use std::time::{Duration, SystemTime};

use oauth_core::{AssertionKey, AuthMethod, TokenConfig};
use oauth_providers::ProfileError;
use oauth_providers::rfc6749::Builder;

const TOKEN_URL: &str = "https://as.example/oauth/token";
const ED_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
-----END PRIVATE KEY-----";

fn body(config: &TokenConfig) -> Vec<(String, String)> {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let (request, _) = config.endpoint().build_request_at(config.auth(), config.request(), now, [1; 16]);
    assert!(request.headers().get("authorization").is_none());
    form_urlencoded::parse(request.body()).into_owned().collect()
}

/// The assertion's claims, decoded.
fn claims(body: &[(String, String)]) -> serde_json::Value {
    use base64::Engine as _;
    let jwt = &body.iter().find(|(name, _)| name == "client_assertion").expect("an assertion").1;
    let claims = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap()
}

#[test]
fn private_key_jwt_signs_for_the_token_url_or_the_audience_given() {
    let key = AssertionKey::from_pem(ED_PEM).unwrap();
    let profile = Builder::new(TOKEN_URL).private_key_jwt("app", key.clone()).build().unwrap();
    let config = profile.token_config().unwrap();
    assert_eq!(config.auth().method(), AuthMethod::PrivateKeyJwt);
    let sent = body(config);
    assert_eq!(claims(&sent)["aud"], TOKEN_URL);
    assert_eq!(claims(&sent)["iss"], "app");

    let profile =
        Builder::new(TOKEN_URL).private_key_jwt("app", key).assertion_audience("https://as.example").build().unwrap();
    assert_eq!(claims(&body(profile.token_config().unwrap()))["aud"], "https://as.example");
}

#[test]
fn client_secret_jwt_never_sends_the_secret() {
    let profile =
        Builder::new(TOKEN_URL).client("app", "s3cr3t").auth_method(AuthMethod::ClientSecretJwt).build().unwrap();
    let sent = body(profile.token_config().unwrap());
    assert!(sent.iter().all(|(_, value)| !value.contains("s3cr3t")));
    assert_eq!(claims(&sent)["sub"], "app");
}

#[test]
fn the_mtls_methods_send_only_the_client_id() {
    for method in [AuthMethod::TlsClientAuth, AuthMethod::SelfSignedTlsClientAuth] {
        let profile = Builder::new(TOKEN_URL).tls_client("app", method).build().unwrap();
        let sent = body(profile.token_config().unwrap());
        assert_eq!(sent, [("grant_type".into(), "client_credentials".into()), ("client_id".into(), "app".into())]);
    }
}

#[test]
fn a_jwt_method_without_what_signs_is_a_typed_error() {
    let no_key = Builder::new(TOKEN_URL).public_client("app").auth_method(AuthMethod::PrivateKeyJwt).build();
    assert!(matches!(no_key, Err(ProfileError::Invalid(_))), "{no_key:?}");
    let no_secret = Builder::new(TOKEN_URL).public_client("app").auth_method(AuthMethod::ClientSecretJwt).build();
    assert!(matches!(no_secret, Err(ProfileError::Invalid(_))), "{no_secret:?}");
}

#[test]
fn tls_client_refuses_a_method_that_is_not_mutual_tls() {
    let built = Builder::new(TOKEN_URL).tls_client("app", AuthMethod::Post).build();
    assert!(matches!(built, Err(ProfileError::Invalid(_))), "{built:?}");
}

#[test]
fn the_last_client_set_is_the_one_built() {
    let key = || AssertionKey::from_pem(ED_PEM).unwrap();
    let method = |builder: Builder| builder.build().unwrap().token_config().unwrap().auth().method();
    let tls = || Builder::new(TOKEN_URL).tls_client("app", AuthMethod::TlsClientAuth);
    assert_eq!(method(tls().private_key_jwt("app", key())), AuthMethod::PrivateKeyJwt);
    assert_eq!(method(tls().client("app", "s3cr3t")), AuthMethod::Basic(oauth_core::BasicEncoding::Percent));
    assert_eq!(method(tls().public_client("app")), AuthMethod::None);
    let signed = || Builder::new(TOKEN_URL).private_key_jwt("app", key());
    assert_eq!(method(signed().client("app", "s3cr3t")), AuthMethod::Basic(oauth_core::BasicEncoding::Percent));
    assert_eq!(
        method(signed().tls_client("app", AuthMethod::SelfSignedTlsClientAuth)),
        AuthMethod::SelfSignedTlsClientAuth
    );
    let secret = Builder::new(TOKEN_URL).private_key_jwt("app", key()).client("app", "s3cr3t").build().unwrap();
    assert!(secret.token_config().unwrap().auth().assertion_key().is_none(), "the key is gone");
    // A method chosen before the secret is kept.
    assert_eq!(method(Builder::new(TOKEN_URL).auth_method(AuthMethod::Post).client("app", "s")), AuthMethod::Post);
}
