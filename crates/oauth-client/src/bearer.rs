//! Bearer injection and the one-retry-on-401 decision, shared by every middleware.

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue, Request, StatusCode};

/// When a resource's 401 means "get a new token and try once more".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RetryOn401 {
    /// Only a 401 whose Bearer challenge says `error="invalid_token"` (RFC 6750 §3.1).
    #[default]
    InvalidToken,
    /// Any 401 (for resources that send no challenge, such as status-only APIs).
    Any,
    /// Never.
    Never,
}

impl RetryOn401 {
    /// Whether an answer with `status` and `headers` calls for a new token and one retry.
    ///
    /// # Examples
    /// ```
    /// use http::{HeaderMap, HeaderValue, StatusCode, header::WWW_AUTHENTICATE};
    /// use oauth_client::RetryOn401;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer error="invalid_token""#));
    /// assert!(RetryOn401::InvalidToken.applies(StatusCode::UNAUTHORIZED, &headers));
    /// assert!(!RetryOn401::InvalidToken.applies(StatusCode::UNAUTHORIZED, &HeaderMap::new()));
    /// assert!(RetryOn401::Any.applies(StatusCode::UNAUTHORIZED, &HeaderMap::new()));
    /// assert!(!RetryOn401::Any.applies(StatusCode::FORBIDDEN, &headers));
    /// ```
    #[must_use]
    pub fn applies(self, status: StatusCode, headers: &HeaderMap) -> bool {
        match self {
            Self::InvalidToken => oauth_core::is_invalid_token(status, headers),
            Self::Any => status == StatusCode::UNAUTHORIZED,
            Self::Never => false,
        }
    }
}

/// Puts `header` (a sensitive `Bearer …` value from the token source) on `request`, replacing
/// any `Authorization` it had.
///
/// # Examples
/// ```
/// let mut request = http::Request::get("https://api.example/me").body(()).unwrap();
/// oauth_client::set_bearer(&mut request, http::HeaderValue::from_static("Bearer abc"));
/// assert_eq!(request.headers()["authorization"], "Bearer abc");
/// ```
pub fn set_bearer<B>(request: &mut Request<B>, header: HeaderValue) {
    request.headers_mut().insert(AUTHORIZATION, header);
}
