//! RS256 client assertions (RFC 7518 §3.3) and reading keys of every kind from PEM: the
//! signature verifies with the public key, keys under 2048 bits and keys that are not private
//! keys are refused by a typed error that quotes nothing of the text.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::{AssertionKey, ClientAuth, ClientId, Grant, MisuseError, TokenEndpoint, TokenRequest};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::Verifier as _;
use serde_json::Value;

const RSA_PKCS8: &str = include_str!("fixtures/keys/rsa-2048.pkcs8.pem");
const RSA_PKCS1: &str = include_str!("fixtures/keys/rsa-2048.pkcs1.pem");
const RSA_1024: &str = include_str!("fixtures/keys/rsa-1024.pkcs8.pem");
const RSA_ENCRYPTED: &str = include_str!("fixtures/keys/rsa-2048.encrypted.pem");
const P384: &str = include_str!("fixtures/keys/p384.pkcs8.pem");
const EC_PEM: &str = include_str!("fixtures/keys/p256.pkcs8.pem");
const ED_PEM: &str = include_str!("fixtures/keys/ed25519.pkcs8.pem");

/// The assertion a `private_key_jwt` client signed with `key` sends to the token endpoint.
fn assertion(key: AssertionKey) -> String {
    let auth = ClientAuth::private_key_jwt(ClientId::new("client-1").unwrap(), key);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let endpoint = TokenEndpoint::new("https://as.example/token").unwrap();
    let (request, _) = endpoint.build_request_at(&auth, &TokenRequest::new(Grant::ClientCredentials), now, [3; 16]);
    form_urlencoded::parse(request.body())
        .find(|(name, _)| name == "client_assertion")
        .map(|(_, value)| value.into_owned())
        .expect("a client_assertion")
}

fn verifying_key() -> rsa::pkcs1v15::VerifyingKey<sha2::Sha256> {
    let private = rsa::PrivateKey::from_pkcs8_pem(RSA_PKCS8).unwrap();
    rsa::pkcs1v15::VerifyingKey::new(private.as_public_key().clone())
}

#[test]
fn an_rs256_assertion_verifies_with_the_public_key_and_names_its_kid() {
    let jwt = assertion(AssertionKey::rs256_pkcs8_pem(RSA_PKCS8).unwrap().with_kid("rsa-1"));
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(input.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1"}));
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    assert_eq!(signature.len(), 256, "a 2048-bit modulus signs 256 bytes");
    let signature = rsa::pkcs1v15::Signature::try_from(signature.as_slice()).unwrap();
    verifying_key().verify(input.as_bytes(), &signature).unwrap();
    assert!(verifying_key().verify(b"another input", &signature).is_err());
}

#[test]
fn rs256_signs_deterministically_without_an_rng() {
    let key = AssertionKey::rs256_pkcs8_pem(RSA_PKCS8).unwrap();
    assert_eq!(assertion(key.clone()), assertion(key));
}

#[test]
fn the_pkcs1_form_of_a_key_signs_as_its_pkcs8_form() {
    let pkcs1 = AssertionKey::rs256_pkcs1_pem(RSA_PKCS1).unwrap();
    assert_eq!(assertion(pkcs1), assertion(AssertionKey::rs256_pkcs8_pem(RSA_PKCS8).unwrap()));
}

#[test]
fn from_pem_picks_the_algorithm_of_the_key() {
    for (pem, alg) in [(RSA_PKCS8, "RS256"), (RSA_PKCS1, "RS256"), (EC_PEM, "ES256"), (ED_PEM, "EdDSA")] {
        assert_eq!(AssertionKey::from_pem(pem).unwrap().alg(), alg);
    }
}

#[test]
fn the_per_algorithm_readers_refuse_a_key_of_another_kind() {
    assert!(AssertionKey::rs256_pkcs8_pem(EC_PEM).is_err());
    assert!(AssertionKey::es256_pkcs8_pem(RSA_PKCS8).is_err());
    assert!(AssertionKey::ed25519_pkcs8_pem(RSA_PKCS8).is_err());
}

#[test]
fn an_rsa_key_under_2048_bits_is_refused() {
    let error = AssertionKey::rs256_pkcs8_pem(RSA_1024).unwrap_err();
    assert!(matches!(error, MisuseError::InvalidAssertionKey { .. }));
    assert!(error.to_string().contains("2048"), "{error}");
    let error = AssertionKey::from_pem(RSA_1024).unwrap_err();
    assert!(error.to_string().contains("2048"), "{error}");
}

#[test]
fn what_is_not_a_supported_private_key_is_refused_without_being_quoted() {
    let public_only = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";
    for pem in [RSA_ENCRYPTED, P384, public_only, "", "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"] {
        let error = AssertionKey::from_pem(pem).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("PKCS#8"), "{text}");
        for line in pem.lines().filter(|line| line.len() > 8 && !line.starts_with("-----")) {
            assert!(!text.contains(line), "the error quotes the key: {text}");
        }
    }
}

#[test]
fn debug_shows_the_algorithm_and_kid_only() {
    let key = AssertionKey::from_pem(RSA_PKCS1).unwrap().with_kid("k");
    assert_eq!(format!("{key:?}"), r#"AssertionKey { alg: "RS256", kid: Some("k") }"#);
}

#[test]
fn the_credential_binding_tells_private_keys_apart_without_holding_them() {
    let config = |pem: &str| {
        let auth =
            ClientAuth::private_key_jwt(ClientId::new("client-1").unwrap(), AssertionKey::from_pem(pem).unwrap());
        let endpoint = TokenEndpoint::new("https://as.example/token").unwrap();
        oauth_core::TokenConfig::new(endpoint, auth, TokenRequest::new(Grant::ClientCredentials))
    };
    assert_eq!(config(RSA_PKCS8).binding(), config(RSA_PKCS1).binding(), "one key in two encodings");
    assert_eq!(config(RSA_PKCS8).identity(), config(EC_PEM).identity(), "the key is not part of the identity");
    let bindings = [config(RSA_PKCS8).binding(), config(EC_PEM).binding(), config(ED_PEM).binding()];
    assert_ne!(bindings[0], bindings[1]);
    assert_ne!(bindings[1], bindings[2]);
    for binding in &bindings {
        let (name, value) = binding.secrets().next().unwrap();
        assert_eq!(name, "assertion_key");
        assert_eq!(value.len(), 64, "a SHA-256 digest in hex");
    }
}
