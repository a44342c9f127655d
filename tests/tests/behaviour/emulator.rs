//! What scenarios read off an emulator (through the testkit's `Controls`, the same for every
//! vendor), each vendor's one API call, and what the recorded requests say.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::AUTHORIZATION;
use http::{Method, StatusCode};
use oauth_testkit::{BrightPattern, CloudCx, Controls, Mxo, Rfc6749};
use wiremock::Request;

use crate::stack::ApiCall;

/// How many token and API requests an emulator saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) tokens: usize,
    pub(crate) api: usize,
}

impl Counts {
    /// The emulator's counts now.
    pub(crate) fn of(controls: &Controls) -> Self {
        Self { tokens: controls.token_requests(), api: controls.api_requests() }
    }
}

impl ApiCall {
    /// MXO's Interaction API: POST with a JSON body and a site key.
    pub(crate) fn mxo(mxo: &Mxo) -> Self {
        let url = oauth_providers::mxo::interaction_url(&mxo.profile(), "ONE-ABC-1234", None).expect("a URL");
        Self { method: Method::POST, url: url.to_string(), json: Some(r#"{"uri":"app://home"}"#) }
    }

    /// CloudCX's user list.
    pub(crate) fn cloudcx(cx: &CloudCx) -> Self {
        let url = oauth_providers::cloudcx::user_page_url(&cx.profile(), 1, 25, None).expect("a URL");
        Self { method: Method::GET, url: url.to_string(), json: None }
    }

    /// Bright Pattern's user record of the client's own user.
    pub(crate) fn bright_pattern(bp: &BrightPattern) -> Self {
        Self { method: Method::GET, url: bp.user_url(bp.credentials().client_id()), json: None }
    }

    /// The RFC 6749 server's protected resource.
    pub(crate) fn rfc6749(server: &Rfc6749) -> Self {
        Self { method: Method::GET, url: format!("{}{}", server.uri(), Rfc6749::RESOURCE_PATH), json: None }
    }
}

/// Whether `request` went to a token endpoint (every emulator's token path ends in `token`).
pub(crate) fn is_token_request(request: &Request) -> bool {
    request.url.path().ends_with("token")
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
pub(crate) fn bearers(requests: &[Request]) -> Vec<String> {
    requests.iter().filter(|r| !is_token_request(r)).filter_map(bearer).collect()
}

/// The token requests, in order.
pub(crate) fn token_requests(requests: &[Request]) -> Vec<&Request> {
    requests.iter().filter(|r| is_token_request(r)).collect()
}

/// `401` is what every emulator's API answers a stale token with.
pub(crate) const REFUSED: StatusCode = StatusCode::UNAUTHORIZED;
