//! The failures an emulator can be told to answer its next token requests with.

use std::time::Duration;

use http::StatusCode;

use crate::reply::Reply;

/// How to fail a token request, queued with [`Controls::fail_next`](crate::Controls::fail_next)
/// on any emulator.
///
/// Faults are used in order, one per token request, before the request is looked at; API
/// requests never consume them. Every faulted request still counts in
/// [`Controls::token_requests`](crate::Controls::token_requests).
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Instant;
/// use oauth_testkit::{Fault, Rfc6749};
/// let server = Rfc6749::start().await;
/// server.controls().fail_next(Fault::Status(503), 1);
/// server.controls().fail_next(Fault::RateLimited { retry_after_secs: 2 }, 1);
/// let config = server.profile();
/// let config = config.token_config().unwrap();
///
/// let (request, pending) = config.build_request()?;
/// let error = pending.finish(&oauth_testkit::send(request).await?, Instant::now()).unwrap_err();
/// assert_eq!(error.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
/// assert!(error.is_retryable());
///
/// let (request, pending) = config.build_request()?;
/// let error = pending.finish(&oauth_testkit::send(request).await?, Instant::now()).unwrap_err();
/// assert_eq!(error.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
///
/// let (request, pending) = config.build_request()?;
/// assert!(pending.finish(&oauth_testkit::send(request).await?, Instant::now()).is_ok());
/// assert_eq!(server.controls().token_requests(), 3);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status (a 5xx, usually) and its reason phrase as a `text/plain` body,
    /// as a proxy in front of the server would.
    Status(u16),
    /// `429 Too Many Requests` with `Retry-After: {retry_after_secs}` and the vendor's own
    /// rate-limit body where it has one (Bright Pattern's `errorCode` 12), otherwise none.
    RateLimited {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// The normal answer, sent after this delay.
    Slow(Duration),
    /// `200` labelled `application/json` whose body is cut short (`{"access_token":`).
    MalformedBody,
    /// A redirect (`302`, `307`, …) to `location`, with no body.
    Redirect {
        /// The status, a 3xx.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// The normal answer padded to exactly this many bytes (a JSON answer gets a `padding`
    /// member; any other body trailing spaces). A body already longer is sent as it is.
    HugeBody(usize),
    /// `401 invalid_client` whose `error_description` repeats the request's `Authorization`
    /// header and form body — a server's debug output echoing the credentials back.
    EchoRequest,
    /// A redirect (`302`, `307`, …) whose `Location` carries the request's form body as its
    /// query — a server bouncing the credentials to a login page.
    RedirectEchoingRequest {
        /// The status, a 3xx.
        status: u16,
    },
    /// The normal answer with its token fields under non-standard names (`accessToken`,
    /// `refreshToken`, `id_Token`, `TokenType`): no `access_token`, so the client must refuse
    /// it without repeating the token.
    TokenUnderOtherNames,
}

impl Fault {
    /// Panics on values no HTTP response can carry, so a test fails where it set them up.
    pub(crate) fn check(&self) {
        match self {
            Self::Status(status) | Self::Redirect { status, .. } | Self::RedirectEchoingRequest { status } => {
                assert!(StatusCode::from_u16(*status).is_ok(), "Fault: `{status}` is not an HTTP status code");
            }
            _ => {}
        }
        if let Self::Redirect { location, .. } = self {
            assert!(
                http::HeaderValue::from_str(location).is_ok(),
                "Fault::Redirect: `{location}` cannot be sent as a Location header"
            );
        }
    }

    /// The answer under this fault. `answer` makes the normal answer; `rate_limited` the
    /// vendor's 429.
    pub(crate) fn reply(
        self,
        request: &wiremock::Request,
        answer: impl FnOnce() -> Reply,
        rate_limited: impl FnOnce() -> Reply,
    ) -> Reply {
        match self {
            Self::Status(status) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Reply::text(status, status.canonical_reason().unwrap_or("Error"))
            }
            Self::RateLimited { retry_after_secs } => {
                rate_limited().header("retry-after", retry_after_secs.to_string())
            }
            Self::Slow(delay) => answer().delayed(delay),
            Self::MalformedBody => Reply::raw(StatusCode::OK, "application/json", b"{\"access_token\":".to_vec()),
            Self::Redirect { status, location } => {
                Reply::empty(StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND)).header("location", location)
            }
            Self::HugeBody(len) => answer().padded_to(len),
            Self::EchoRequest => {
                let authorization =
                    request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
                let body = String::from_utf8_lossy(&request.body);
                let echo = format!("rejected: authorization `{authorization}`, form `{body}`");
                Reply::json(
                    StatusCode::UNAUTHORIZED,
                    &serde_json::json!({"error": "invalid_client", "error_description": echo}),
                )
            }
            Self::RedirectEchoingRequest { status } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
                let query = String::from_utf8_lossy(&request.body).into_owned();
                Reply::empty(status).header("location", format!("https://login.invalid/?{query}"))
            }
            Self::TokenUnderOtherNames => answer().renamed_fields(&[
                ("access_token", "accessToken"),
                ("refresh_token", "refreshToken"),
                ("id_token", "id_Token"),
                ("token_type", "TokenType"),
            ]),
        }
    }
}
