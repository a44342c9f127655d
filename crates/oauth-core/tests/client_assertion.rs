//! JWT client authentication (RFC 7523 §2.2): the assertion's header and claims exactly, its
//! signature verified, a fresh one per request, and no secret or key in any rendering — on the
//! token endpoint and on every other endpoint that authenticates the client.
//!
//! This file holds the keys, the clock and the readers of an assertion every group shares; the
//! cases are grouped by topic: `token_endpoint` (the assertion itself, on the token endpoint),
//! `endpoints` (revocation, introspection, device authorization, the device flow's polling and
//! the code exchange carry one too, addressed to the right place), `without_time` (the builders
//! that take no time refuse the JWT methods with a typed error, and build for every other
//! method) and `scrubbing` (a server that echoes the assertion never gets it into an error).

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::{AssertionKey, ClientAuth, ClientId, ClientSecret, TokenEndpoint};
use serde_json::{Value, json};

#[path = "client_assertion/endpoints.rs"]
mod endpoints;
#[path = "client_assertion/scrubbing.rs"]
mod scrubbing;
#[path = "client_assertion/token_endpoint.rs"]
mod token_endpoint;
#[path = "client_assertion/without_time.rs"]
mod without_time;

const EC_PEM: &str = include_str!("fixtures/keys/p256.pkcs8.pem");
const ED_PEM: &str = include_str!("fixtures/keys/ed25519.pkcs8.pem");
const SECRET: &str = "s3cr3t-hmac-key";
const TOKEN_URL: &str = "https://as.example/oauth/token";
const NOW_SECS: u64 = 1_700_000_000;
/// The `client_assertion_type` of a JWT assertion, as the form body spells it.
const JWT_BEARER_IN_FORM: &str =
    "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn endpoint() -> TokenEndpoint {
    TokenEndpoint::new(TOKEN_URL).expect("a valid token URL")
}

fn id() -> ClientId {
    ClientId::new("client-1").expect("a non-empty client id")
}

/// `client_secret_jwt` with [`SECRET`].
fn secret_jwt_client() -> ClientAuth {
    ClientAuth::client_secret_jwt(id(), ClientSecret::new(SECRET))
}

/// `private_key_jwt` with the Ed25519 key.
fn key_jwt_client() -> ClientAuth {
    ClientAuth::private_key_jwt(id(), AssertionKey::ed25519_pkcs8_pem(ED_PEM).expect("a valid Ed25519 key"))
}

/// The body's pairs, decoded.
fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The `client_assertion` the body carries.
fn jwt_in(body: &[u8]) -> String {
    pairs(body).into_iter().find(|(name, _)| name == "client_assertion").expect("a client_assertion").1
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// Header, claims, signing input and signature of a compact JWS.
fn split(jwt: &str) -> (&str, &str, &str, Vec<u8>) {
    let mut parts = jwt.split('.');
    let (header, claims, signature) =
        (parts.next().expect("a header"), parts.next().expect("claims"), parts.next().expect("a signature"));
    assert!(parts.next().is_none());
    let signing_input = &jwt[..header.len() + 1 + claims.len()];
    (header, claims, signing_input, URL_SAFE_NO_PAD.decode(signature).expect("base64url"))
}

fn claims_of(jwt: &str) -> Value {
    decode(split(jwt).1)
}

fn expected_claims(aud: &str, jti: [u8; 16]) -> Value {
    json!({
        "iss": "client-1",
        "sub": "client-1",
        "aud": aud,
        "jti": URL_SAFE_NO_PAD.encode(jti),
        "iat": NOW_SECS,
        "exp": NOW_SECS + 60,
    })
}

/// What every JWT-authenticated body must be: `client_id`, then the assertion type and the
/// assertion (whose claims are those of [`expected_claims`] for `aud` and `jti`), no secret,
/// and no `Authorization` header. Returns the assertion.
fn assert_carries_assertion(request: &http::Request<Vec<u8>>, aud: &str, jti: [u8; 16]) -> String {
    let body = std::str::from_utf8(request.body()).expect("a UTF-8 form");
    assert!(body.contains(&format!("client_id=client-1&{JWT_BEARER_IN_FORM}&client_assertion=ey")), "{body}");
    assert!(!body.contains(SECRET) && !body.contains("client_secret"), "{body}");
    assert!(request.headers().get("authorization").is_none());
    let jwt = jwt_in(request.body());
    assert_eq!(claims_of(&jwt), expected_claims(aud, jti), "{body}");
    jwt
}

/// Checks an HS256 assertion's signature with [`SECRET`].
fn verify_hs256(jwt: &str) {
    use hmac::{KeyInit as _, Mac as _};
    let (header, _, input, signature) = split(jwt);
    assert_eq!(decode(header), json!({"alg": "HS256", "typ": "JWT"}));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(input.as_bytes());
    mac.verify_slice(&signature).expect("signed with the client secret");
}
