//! `ServerError`: the server refused with an OAuth error — its code, `Retry-After`, where it was
//! read from, and whether trying again can help.

use std::fmt;
use std::time::Duration;

use http::{HeaderValue, StatusCode};

use crate::BodyExcerpt;
use crate::challenge::Challenge;

/// The RFC 6749 §5.2 / RFC 6750 §3.1 error codes, with unknown codes kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// `invalid_token` (RFC 6750)
    InvalidToken,
    /// `insufficient_scope` (RFC 6750)
    InsufficientScope,
    /// `access_denied`
    AccessDenied,
    /// `server_error`
    ServerError,
    /// `temporarily_unavailable`
    TemporarilyUnavailable,
    /// `slow_down` (RFC 8628)
    SlowDown,
    /// `authorization_pending` (RFC 8628)
    AuthorizationPending,
    /// `expired_token` (RFC 8628)
    ExpiredToken,
    /// Any other code, as the server wrote it.
    Other(Box<str>),
}

impl ErrorCode {
    /// Reads a code as the server wrote it (exact match, as the RFCs define them).
    #[must_use]
    pub fn from_code(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "invalid_token" => Self::InvalidToken,
            "insufficient_scope" => Self::InsufficientScope,
            "access_denied" => Self::AccessDenied,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "slow_down" => Self::SlowDown,
            "authorization_pending" => Self::AuthorizationPending,
            "expired_token" => Self::ExpiredToken,
            other => Self::Other(other.into()),
        }
    }

    /// The code as written on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::SlowDown => "slow_down",
            Self::AuthorizationPending => "authorization_pending",
            Self::ExpiredToken => "expired_token",
            Self::Other(code) => code,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of a `Retry-After` header (RFC 9110 §10.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryAfter {
    /// A delay in seconds.
    Delay(Duration),
    /// An HTTP-date, kept as sent: turning it into a delay needs the wall clock, which this
    /// crate does not read.
    Date(HeaderValue),
}

impl RetryAfter {
    /// Reads a `Retry-After` header value; `None` when it is neither form.
    #[must_use]
    pub fn parse(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            // More digits than u64 holds means "a very long time": saturate rather than fail.
            let secs = text.parse::<u64>().unwrap_or(u64::MAX);
            return Some(Self::Delay(Duration::from_secs(secs)));
        }
        // An HTTP-date always names a weekday and a GMT zone; anything else is noise.
        (text.len() >= 20 && text.ends_with("GMT")).then(|| Self::Date(value.clone()))
    }
}

/// Where a server error's code and description were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorSource {
    /// An RFC 6749 §5.2 JSON (or form) body.
    OAuthBody,
    /// A vendor's own error envelope, mapped by a profile's [`ErrorEnvelope`](crate::ErrorEnvelope).
    VendorEnvelope,
    /// The `error` parameter of a `WWW-Authenticate` challenge; the body said nothing usable.
    Challenge,
    /// Only the HTTP status: neither body nor challenge said anything usable.
    StatusOnly,
}

/// The server refused with an OAuth error.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerError {
    /// The HTTP status of the answer (a 200 that carried `error` keeps its 200).
    pub status: StatusCode,
    /// The OAuth error code, when the server sent one.
    pub code: Option<ErrorCode>,
    /// `error_description`, or a vendor envelope's message.
    pub description: Option<Box<str>>,
    /// `error_uri`.
    pub uri: Option<Box<str>>,
    /// Every challenge in the answer's `WWW-Authenticate` headers.
    pub challenges: Vec<Challenge>,
    /// The answer's `Retry-After`, when present and well-formed.
    pub retry_after: Option<RetryAfter>,
    /// Where `code` and `description` came from.
    pub source: ErrorSource,
    /// A vendor's own numeric or textual code, when an envelope carried one (an
    /// `errorCode` or a `code` member).
    pub vendor_code: Option<Box<str>>,
    /// A vendor envelope's own word on whether retrying helps, overriding the status rule.
    pub retryable: Option<bool>,
    /// The start of the body, with token-like values masked.
    pub body: BodyExcerpt,
}

impl ServerError {
    /// A server error with only a status; the parser and vendor envelopes fill in the rest.
    #[must_use]
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            code: None,
            description: None,
            uri: None,
            challenges: Vec::new(),
            retry_after: None,
            source: ErrorSource::StatusOnly,
            vendor_code: None,
            retryable: None,
            body: BodyExcerpt::default(),
        }
    }

    /// See [`TokenError::is_retryable`](crate::TokenError::is_retryable).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        if let Some(retryable) = self.retryable {
            return retryable;
        }
        match &self.code {
            Some(ErrorCode::TemporarilyUnavailable | ErrorCode::ServerError) => true,
            Some(
                ErrorCode::InvalidClient
                | ErrorCode::InvalidGrant
                | ErrorCode::UnauthorizedClient
                | ErrorCode::UnsupportedGrantType
                | ErrorCode::InvalidScope
                | ErrorCode::AccessDenied,
            ) => false,
            _ => status_is_retryable(self.status),
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "the server refused with `{code}` (HTTP {})", self.status)?,
            None => write!(f, "the server refused with HTTP {}", self.status)?,
        }
        if let Some(vendor) = &self.vendor_code {
            write!(f, " [vendor code {vendor}]")?;
        }
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        if let Some(uri) = &self.uri {
            write!(f, " (see {uri})")?;
        }
        Ok(())
    }
}

pub(crate) fn status_is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || matches!(status.as_u16(), 500 | 502 | 503 | 504)
}
