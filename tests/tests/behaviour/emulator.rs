//! The testkit's emulators behind one trait, and what their recorded requests say.

use std::future::Future;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::AUTHORIZATION;
use http::{Method, StatusCode};
use oauth_testkit::{BrightPattern, CloudCx, Fault, Mxo, Rfc6749};
use wiremock::Request;

use crate::stack::ApiCall;

/// How many token and API requests an emulator saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) tokens: usize,
    pub(crate) api: usize,
}

/// What every vendor emulator offers a scenario.
pub(crate) trait Emulator: Send + Sync {
    fn counts(&self) -> Counts;
    fn inject(&self, fault: Fault, n: usize);
    fn expire_tokens(&self);
    fn lifetime(&self, secs: u64);
    fn requests(&self) -> impl Future<Output = Vec<Request>> + Send;
    /// The vendor's one guarded API call.
    fn api_call(&self) -> ApiCall;
    /// Whether `request` went to the token endpoint.
    fn is_token_request(&self, request: &Request) -> bool;
}

macro_rules! emulator {
    ($($vendor:ty => $call:expr;)*) => {$(
        impl Emulator for $vendor {
            fn counts(&self) -> Counts {
                Counts { tokens: self.token_requests(), api: self.api_requests() }
            }

            fn inject(&self, fault: Fault, n: usize) {
                self.fail_next(fault, n);
            }

            fn expire_tokens(&self) {
                self.expire_all_tokens();
            }

            fn lifetime(&self, secs: u64) {
                self.set_expires_in(secs);
            }

            fn requests(&self) -> impl Future<Output = Vec<Request>> + Send {
                self.received_requests()
            }

            fn api_call(&self) -> ApiCall {
                let call: fn(&Self) -> ApiCall = $call;
                call(self)
            }

            fn is_token_request(&self, request: &Request) -> bool {
                request.url.path().ends_with("token")
            }
        }
    )*};
}

emulator! {
    // The Interaction API: POST with a JSON body and a site key.
    Mxo => |mxo| ApiCall {
        method: Method::POST,
        url: oauth_providers::mxo::interaction_url(&mxo.profile(), "ONE-ABC-1234", None).expect("a URL").to_string(),
        json: Some(r#"{"uri":"app://home"}"#),
    };
    CloudCx => |cx| ApiCall {
        method: Method::GET,
        url: oauth_providers::cloudcx::user_page_url(&cx.profile(), 1, 25, None).expect("a URL").to_string(),
        json: None,
    };
    BrightPattern => |bp| ApiCall {
        method: Method::GET,
        url: bp.user_url(bp.credentials().client_id()),
        json: None,
    };
    Rfc6749 => |server| ApiCall {
        method: Method::GET,
        url: format!("{}{}", server.uri(), Rfc6749::RESOURCE_PATH),
        json: None,
    };
}

/// The token of an `Authorization: Bearer …` request.
pub(crate) fn bearer(request: &Request) -> Option<String> {
    let value = request.headers.get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_owned)
}

/// The decoded `id:secret` of an `Authorization: Basic …` request.
pub(crate) fn basic(request: &Request) -> Option<String> {
    let value = request.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let decoded = STANDARD.decode(value.strip_prefix("Basic ")?).ok()?;
    String::from_utf8(decoded).ok()
}

/// The raw `Authorization: Basic …` credentials (base64, as sent).
pub(crate) fn basic_raw(request: &Request) -> Option<String> {
    let value = request.headers.get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Basic ").map(str::to_owned)
}

/// The first value of `name` in a form body.
pub(crate) fn form_field(request: &Request, name: &str) -> Option<String> {
    form_urlencoded::parse(&request.body).find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

/// The tokens of the bearer-carrying API requests, in order.
pub(crate) fn bearers<E: Emulator>(vendor: &E, requests: &[Request]) -> Vec<String> {
    requests.iter().filter(|r| !vendor.is_token_request(r)).filter_map(bearer).collect()
}

/// The token requests, in order.
pub(crate) fn token_requests<'a, E: Emulator>(vendor: &E, requests: &'a [Request]) -> Vec<&'a Request> {
    requests.iter().filter(|r| vendor.is_token_request(r)).collect()
}

/// `401` is what every emulator's API answers a stale token with.
pub(crate) const REFUSED: StatusCode = StatusCode::UNAUTHORIZED;
