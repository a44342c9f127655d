//! Token-request vectors: the exact bytes of every grant under every client-authentication method, the Basic
//! encodings, extra parameters, endpoint checks, and what `PendingExchange` does with the answer.
//!
//! This file holds the credentials and helpers every group of cases shares; the cases are grouped by topic:
//! `vectors` (exact request bytes), `basic` (the Basic encodings), `params` (extra parameters), `endpoints`
//! (endpoint checks), `pending` (what `PendingExchange` does with the answer) and `scrubbing` (echoed credentials).

use oauth_core::http::Response;
use oauth_core::{AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, Params, SecretParam};

#[path = "requests/basic.rs"]
mod basic;
#[path = "requests/endpoints.rs"]
mod endpoints;
#[path = "requests/params.rs"]
mod params;
#[path = "requests/pending.rs"]
mod pending;
#[path = "requests/scrubbing.rs"]
mod scrubbing;
#[path = "requests/vectors.rs"]
mod vectors;

const PERCENT: AuthMethod = AuthMethod::Basic(BasicEncoding::Percent);
const FORM_PLUS: AuthMethod = AuthMethod::Basic(BasicEncoding::FormPlus);
const RAW: AuthMethod = AuthMethod::Basic(BasicEncoding::Raw);

/// MXO's documented example credentials (seeds/000).
const MXO_ID: &str = "2e8fec0e-34fb-4851-800e-9989331e55d2";
const MXO_SECRET: &str = "d7f4484f-9817-4778-9161-6eb06d1f6cf7";
/// The header seeds/000 documents for them (joined: the page wraps it).
const MXO_BASIC: &str =
    "Basic MmU4ZmVjMGUtMzRmYi00ODUxLTgwMGUtOTk4OTMzMWU1NWQyOmQ3ZjQ0ODRmLTk4MTctNDc3OC05MTYxLTZlYjA2ZDFmNmNmNw==";
/// RFC 6749's example client (§4.4.2, §4.3.2, §6): `s6BhdRkqt3` / `gX1fBat3bV`.
const RFC_BASIC: &str = "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW";
/// INTEROP.md's secret that tells the Basic encodings apart.
const INTEROP_SECRET: &str = "a b+c/d:e%f&g=h";

fn id(value: &str) -> ClientId {
    ClientId::new(value).expect("non-empty fixture id")
}

fn auth(client_id: &str, secret: Option<&str>, method: AuthMethod) -> ClientAuth {
    ClientAuth::new(id(client_id), secret.map(ClientSecret::new), method).expect("fixture credentials are valid")
}

fn rfc_client(method: AuthMethod) -> ClientAuth {
    auth("s6BhdRkqt3", Some("gX1fBat3bV"), method)
}

fn params(pairs: &[(&'static str, &str)]) -> Params {
    let mut params = Params::new();
    for (name, value) in pairs {
        params.push(*name, *value).expect("fixture names are not reserved");
    }
    params
}

fn jwt_bearer() -> Grant {
    let mut params = Params::new();
    params
        .push_secret("assertion", SecretParam::new("eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP"))
        .expect("assertion is not reserved");
    Grant::extension("urn:ietf:params:oauth:grant-type:jwt-bearer", params).expect("a valid grant type")
}

fn json_answer(status: u16, body: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .expect("valid")
}
