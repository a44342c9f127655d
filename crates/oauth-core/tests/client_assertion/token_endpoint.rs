//! The assertion itself, on the token endpoint: HS256 with the client secret, ES256 and EdDSA
//! with a key (each signature verified), the exact claims, a new one for every request, keys
//! from DER, no secret or key in any rendering, and no fallback to or from the JWT methods.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use oauth_core::{
    AssertionKey, AuthFallback, AuthMethod, ClientAuth, ClientSecret, Grant, MisuseError, TokenConfig, TokenRequest,
};
use serde_json::json;

use crate::{EC_PEM, ED_PEM, NOW_SECS, SECRET, TOKEN_URL, decode, endpoint, expected_claims, id, now, pairs, split};

/// Sends one client-credentials request and returns the body pairs and the assertion.
fn assertion(auth: &ClientAuth, at: SystemTime, entropy: [u8; 16]) -> (Vec<(String, String)>, String) {
    let (request, _) = endpoint().build_request_at(auth, &TokenRequest::new(Grant::ClientCredentials), at, entropy);
    assert!(request.headers().get("authorization").is_none());
    let pairs = pairs(request.body());
    let jwt = pairs.iter().find(|(name, _)| name == "client_assertion").unwrap().1.clone();
    (pairs, jwt)
}

#[test]
fn client_secret_jwt_is_hs256_with_the_secret_and_the_exact_claims() {
    let auth = ClientAuth::client_secret_jwt(id(), ClientSecret::new(SECRET));
    let (pairs, jwt) = assertion(&auth, now(), [1; 16]);
    let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["grant_type", "client_id", "client_assertion_type", "client_assertion"]);
    assert_eq!(pairs[1].1, "client-1");
    assert_eq!(pairs[2].1, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert!(pairs.iter().all(|(_, value)| !value.contains(SECRET)));

    let (header, claims, input, signature) = split(&jwt);
    assert_eq!(decode(header), json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(decode(claims), expected_claims(TOKEN_URL, [1; 16]));
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    mac.verify_slice(&signature).unwrap();
}

#[test]
fn private_key_jwt_es256_verifies_with_the_public_key() {
    use p256::ecdsa::signature::Verifier as _;
    use p256::pkcs8::DecodePrivateKey as _;
    let key = AssertionKey::es256_pkcs8_pem(EC_PEM).unwrap().with_kid("ec-1");
    let auth = ClientAuth::private_key_jwt(id(), key);
    let (_, jwt) = assertion(&auth, now(), [2; 16]);
    let (header, claims, input, signature) = split(&jwt);
    assert_eq!(decode(header), json!({"alg": "ES256", "typ": "JWT", "kid": "ec-1"}));
    assert_eq!(decode(claims), expected_claims(TOKEN_URL, [2; 16]));
    assert_eq!(signature.len(), 64, "JWS ES256 is r || s, not DER");
    let signing = p256::ecdsa::SigningKey::from_pkcs8_pem(EC_PEM).unwrap();
    let verifying = p256::ecdsa::VerifyingKey::from(&signing);
    let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
    verifying.verify(input.as_bytes(), &signature).unwrap();
    assert!(verifying.verify(b"another input", &signature).is_err());
}

#[test]
fn private_key_jwt_eddsa_verifies_with_the_public_key_and_audience_can_be_the_issuer() {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    let key = AssertionKey::ed25519_pkcs8_pem(ED_PEM).unwrap();
    let auth = ClientAuth::private_key_jwt(id(), key).with_assertion_audience("https://as.example");
    let (_, jwt) = assertion(&auth, now(), [3; 16]);
    let (header, claims, input, signature) = split(&jwt);
    assert_eq!(decode(header), json!({"alg": "EdDSA", "typ": "JWT"}));
    assert_eq!(decode(claims), expected_claims("https://as.example", [3; 16]));
    let verifying = ed25519_dalek::SigningKey::from_pkcs8_pem(ED_PEM).unwrap().verifying_key();
    let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
    verifying.verify_strict(input.as_bytes(), &signature).unwrap();
}

#[test]
fn keys_from_der_sign_the_same() {
    let der = |pem: &str| {
        let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    };
    let from_der = ClientAuth::private_key_jwt(id(), AssertionKey::ed25519_pkcs8_der(&der(ED_PEM)).unwrap());
    let from_pem = ClientAuth::private_key_jwt(id(), AssertionKey::ed25519_pkcs8_pem(ED_PEM).unwrap());
    // Ed25519 is deterministic: the same key signs the same input the same way.
    assert_eq!(assertion(&from_der, now(), [4; 16]).1, assertion(&from_pem, now(), [4; 16]).1);
    assert_eq!(AssertionKey::es256_pkcs8_der(&der(EC_PEM)).unwrap().alg(), "ES256");
    assert_eq!(
        AssertionKey::es256_pkcs8_pem(ED_PEM).unwrap_err(),
        MisuseError::InvalidAssertionKey { expected: "a PKCS#8 P-256 key in PEM" }
    );
    assert!(AssertionKey::ed25519_pkcs8_der(&der(EC_PEM)).is_err());
}

#[test]
fn every_request_gets_a_new_assertion() {
    let auth = ClientAuth::client_secret_jwt(id(), ClientSecret::new(SECRET));
    let (_, first) = assertion(&auth, now(), [5; 16]);
    let later = now() + Duration::from_secs(3);
    let (_, second) = assertion(&auth, later, [6; 16]);
    assert_ne!(first, second);
    let claims = |jwt: &str| decode(split(jwt).1);
    assert_ne!(claims(&first)["jti"], claims(&second)["jti"]);
    assert_eq!(claims(&second)["iat"], NOW_SECS + 3);
    assert_eq!(claims(&second)["exp"], NOW_SECS + 63);
}

#[test]
fn no_secret_or_key_in_any_rendering() {
    let key = AssertionKey::es256_pkcs8_pem(EC_PEM).unwrap().with_kid("ec-1");
    let jwt_key = ClientAuth::private_key_jwt(id(), key.clone());
    let jwt_secret = ClientAuth::client_secret_jwt(id(), ClientSecret::new(SECRET));
    let renderings = [
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{jwt_key:?}"),
        format!("{jwt_secret:?}"),
        format!("{jwt_secret:#?}"),
        format!("{}", AssertionKey::es256_pkcs8_pem("junk").unwrap_err()),
        format!("{:?}", AssertionKey::es256_pkcs8_pem("junk").unwrap_err()),
    ];
    let key_lines: Vec<&str> = EC_PEM.lines().filter(|line| !line.starts_with("-----")).collect();
    for rendering in &renderings {
        assert!(!rendering.contains(SECRET), "{rendering}");
        for line in &key_lines {
            assert!(!rendering.contains(line), "{rendering}");
        }
    }
    assert_eq!(format!("{key:?}"), r#"AssertionKey { alg: "ES256", kid: Some("ec-1") }"#);
}

#[test]
fn jwt_methods_need_their_signer_and_never_fall_back() {
    assert_eq!(
        ClientAuth::new(id(), None, AuthMethod::ClientSecretJwt).unwrap_err(),
        MisuseError::MissingAssertionSigner { method: "client_secret_jwt", needs: "a client secret" }
    );
    assert!(ClientAuth::new(id(), Some(ClientSecret::new(SECRET)), AuthMethod::PrivateKeyJwt).is_err());
    let with_key = ClientAuth::private_key_jwt(id(), AssertionKey::ed25519_pkcs8_pem(ED_PEM).unwrap());
    assert_eq!(with_key.with_method(AuthMethod::PrivateKeyJwt).unwrap().method(), AuthMethod::PrivateKeyJwt);

    let request = TokenRequest::new(Grant::ClientCredentials);
    let from_jwt =
        TokenConfig::new(endpoint(), ClientAuth::client_secret_jwt(id(), ClientSecret::new(SECRET)), request.clone())
            .with_auth_fallbacks([AuthMethod::Post]);
    let fallback = AuthFallback::new(&from_jwt);
    assert_eq!(fallback.methods().len(), 1);
    assert_eq!(fallback.skipped(), [AuthMethod::Post]);

    let to_jwt = TokenConfig::new(endpoint(), ClientAuth::basic(id(), ClientSecret::new(SECRET)), request)
        .with_auth_fallbacks([AuthMethod::ClientSecretJwt, AuthMethod::Post]);
    let fallback = AuthFallback::new(&to_jwt);
    let methods: Vec<AuthMethod> = fallback.methods().iter().map(ClientAuth::method).collect();
    assert_eq!(methods, [AuthMethod::default(), AuthMethod::Post]);
    assert_eq!(fallback.skipped(), [AuthMethod::ClientSecretJwt]);
}

#[test]
fn mutual_tls_sends_the_client_id_and_no_secret() {
    for method in [AuthMethod::TlsClientAuth, AuthMethod::SelfSignedTlsClientAuth] {
        let auth = ClientAuth::tls(id(), method).unwrap();
        let (request, _) = endpoint()
            .build_request(&auth, &TokenRequest::new(Grant::ClientCredentials))
            .expect("no assertion to sign");
        assert_eq!(request.body(), b"grant_type=client_credentials&client_id=client-1");
        assert!(request.headers().get("authorization").is_none());
        // With a secret at hand (a fallback from a secret method), still none is sent.
        let carried = ClientAuth::post(id(), ClientSecret::new(SECRET)).with_method(method).unwrap();
        let (request, _) = endpoint()
            .build_request(&carried, &TokenRequest::new(Grant::ClientCredentials))
            .expect("no assertion to sign");
        assert_eq!(request.body(), b"grant_type=client_credentials&client_id=client-1");
    }
    assert_eq!(AuthMethod::TlsClientAuth.name(), "tls_client_auth");
    assert_eq!(AuthMethod::SelfSignedTlsClientAuth.name(), "self_signed_tls_client_auth");
}
