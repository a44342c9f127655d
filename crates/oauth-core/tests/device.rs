//! The device authorization grant (RFC 8628) on a virtual clock — a base `Instant` plus offsets,
//! never the wall clock: the device authorization request and its answer (§3.1, §3.2, the RFC's
//! example verbatim), and `DeviceFlow`'s polling (§3.4, §3.5) driven by scripts of answers, with
//! the exact instants each request is handed out at. The device code must never show in any
//! `Debug`, `Display` or error.
//!
//! This file holds the RFC's example, the virtual clock and the endpoints every group shares; the
//! cases are grouped by topic: `request` (§3.1, the device authorization request), `answer`
//! (§3.2, reading its answer), `polling` (§3.4, §3.5, the token requests and their timing),
//! `redaction` (the device code never printed) and `properties` (polling's promises under any
//! timing); `script` drives a flow through a script of answers.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use oauth_core::device::{
    DeviceAnswerProblem, DeviceAuthorization, DeviceAuthorizationEndpoint, DeviceAuthorizationError,
    DeviceAuthorizationRequest, DeviceFlow,
};
use oauth_core::http::Response;
use oauth_core::{ClientAuth, ClientId, EndpointUrl, TokenEndpoint};

#[path = "device/answer.rs"]
mod answer;
#[path = "device/polling.rs"]
mod polling;
#[path = "device/properties.rs"]
mod properties;
#[path = "device/redaction.rs"]
mod redaction;
#[path = "device/request.rs"]
mod request;
#[path = "device/script.rs"]
mod script;

/// RFC 8628 §3.2's example answer, verbatim.
const RFC_8628_ANSWER: &str = r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device","verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}"#;

/// The RFC example's device code: it must never be printed.
const DEVICE_CODE: &str = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";

/// RFC 8628 §3.1's example client.
const CLIENT_ID: &str = "1406020730";

/// The virtual clock's origin: one real `Instant`, read once.
fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// `secs` seconds after the origin.
fn at(secs: u64) -> Instant {
    base() + Duration::from_secs(secs)
}

/// Seconds since the origin (whole seconds: every instant in these scripts is one).
fn secs_of(instant: Instant) -> u64 {
    instant.duration_since(base()).as_secs()
}

fn json(status: u16, body: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn device_endpoint() -> DeviceAuthorizationEndpoint {
    DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://example.com/device_authorization").unwrap())
}

fn token_endpoint() -> TokenEndpoint {
    TokenEndpoint::new("https://example.com/token").unwrap()
}

fn public_client() -> ClientAuth {
    ClientAuth::public(ClientId::new(CLIENT_ID).unwrap())
}

/// The answer `body` read as the answer to a request sent at `sent_at`.
fn read_answer(answer: &Response<Vec<u8>>, sent_at: Instant) -> Result<DeviceAuthorization, DeviceAuthorizationError> {
    let (_, pending) = device_endpoint()
        .build_request(&public_client(), &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    pending.finish(answer, sent_at)
}

/// The RFC's example authorization, its request sent at 0.
fn rfc_authorization() -> DeviceAuthorization {
    read_answer(&json(200, RFC_8628_ANSWER), at(0)).unwrap()
}

/// A flow for the RFC's example, started at 0.
fn rfc_flow() -> DeviceFlow {
    DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(0))
}

fn problem(error: &DeviceAuthorizationError) -> &DeviceAnswerProblem {
    match error {
        DeviceAuthorizationError::Protocol(e) => &e.kind,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}
