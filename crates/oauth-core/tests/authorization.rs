//! The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9207): RFC 7636 Appendix B, the authorization
//! URL's parameters exactly, the redirect read back (state, iss, error, code) in the shapes servers send it, property
//! tests for what must be refused, the code exchange's bytes for every kind of client, and no secret in any rendering.
//!
//! This file holds the RFC examples, the request and the readers of a URL and a redirect every group shares; the
//! cases are grouped by topic: `pkce` (RFC 7636 Appendix B, the verifier and the state), `request_url` (the
//! authorization URL), `redirect` (reading the redirect), `exchange` (the code exchange), `redaction` (no secret in
//! any rendering) and `properties` (what must be refused, for any input).

use oauth_core::authorization::{
    AuthorizationError, AuthorizationRequest, ENTROPY_LEN, PendingAuthorization, VERIFIER_ENTROPY_LEN,
};
use oauth_core::http::Uri;
use oauth_core::{ClientId, EndpointUrl, Grant, TokenEndpoint};

#[path = "authorization/exchange.rs"]
mod exchange;
#[path = "authorization/pkce.rs"]
mod pkce;
#[path = "authorization/properties.rs"]
mod properties;
#[path = "authorization/redaction.rs"]
mod redaction;
#[path = "authorization/redirect.rs"]
mod redirect;
#[path = "authorization/request_url.rs"]
mod request_url;

/// RFC 7636 Appendix B: the 32 octets, the verifier they make, its S256 challenge.
const APPENDIX_B_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
    91, 88, 5, 88, 83, 132, 141, 121,
];
const APPENDIX_B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const APPENDIX_B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// RFC 6749 §4.1's example client, redirect URI and code.
const CLIENT_ID: &str = "s6BhdRkqt3";
const CLIENT_SECRET: &str = "gX1fBat3bV";
const REDIRECT: &str = "https://client.example.com/cb";
const CODE: &str = "SplxlOBeZQQYbYS6WxSbIA";
const ISSUER: &str = "https://server.example.com";

fn url(text: &str) -> EndpointUrl {
    EndpointUrl::new(text).expect("a valid fixture URL")
}

fn client_id() -> ClientId {
    ClientId::new(CLIENT_ID).expect("non-empty")
}

fn request() -> AuthorizationRequest {
    AuthorizationRequest::new(url("https://server.example.com/authorize"), client_id(), url(REDIRECT))
}

/// Entropy whose verifier part is Appendix B's octets and whose state part is `state_byte` repeated.
fn appendix_b_entropy(state_byte: u8) -> [u8; ENTROPY_LEN] {
    let mut entropy = [state_byte; ENTROPY_LEN];
    entropy[..VERIFIER_ENTROPY_LEN].copy_from_slice(&APPENDIX_B_OCTETS);
    entropy
}

fn start(request: AuthorizationRequest) -> (Uri, PendingAuthorization) {
    request.start(appendix_b_entropy(0x5a)).expect("a URL of ordinary length")
}

/// The query's pairs, decoded, in order.
fn pairs(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect()
}

fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

/// A redirect query carrying `pairs`, form-encoded.
fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn token_endpoint() -> TokenEndpoint {
    TokenEndpoint::new("https://server.example.com/token").expect("valid")
}

fn accept(
    pending: PendingAuthorization,
    pairs: &[(&str, &str)],
) -> Result<oauth_core::authorization::CodeExchange, AuthorizationError> {
    pending.accept_query(&query(pairs))
}

fn code_of(exchange: oauth_core::authorization::CodeExchange) -> String {
    match exchange.into_token_request().grant() {
        Grant::AuthorizationCode { code, .. } => code.secret().to_owned(),
        other => panic!("{other:?}"),
    }
}
