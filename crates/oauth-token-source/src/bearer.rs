//! Bearer injection, shared by every middleware (the one-retry-on-401 rule is
//! [`RetryOn401`](oauth_core::RetryOn401), in oauth-core).

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request};

/// Puts `header` (a sensitive `Bearer …` value from the token source) on `request`, replacing
/// any `Authorization` it had.
///
/// # Examples
/// ```
/// let mut request = http::Request::get("https://api.example/me").body(()).unwrap();
/// oauth_token_source::set_bearer(&mut request, http::HeaderValue::from_static("Bearer abc"));
/// assert_eq!(request.headers()["authorization"], "Bearer abc");
/// ```
pub fn set_bearer<B>(request: &mut Request<B>, header: HeaderValue) {
    request.headers_mut().insert(AUTHORIZATION, header);
}
