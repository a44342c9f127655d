//! The token-exchange error, split by who is at fault.
//!
//! - [`MisuseError`]: the caller asked for something impossible. Never caused by a server.
//! - [`ServerError`]: the server answered with an OAuth error (RFC 6749 §5.2, RFC 6750 §3, or a
//!   vendor envelope mapped into the same shape).
//! - [`ProtocolError`]: the server's answer breaks the protocol (not JSON, no `access_token`, …).
//!
//! Errors carry data, not pre-formatted strings, and never a secret: bodies are kept only as a
//! [`BodyExcerpt`](crate::BodyExcerpt) with token-like values masked, and [`TokenError::scrub`] removes a credential
//! a server echoed. Both live in the `mask` module; this folder holds the types and their
//! `Display`: [`TokenError`] here, each kind of fault in a file of its own.

use std::fmt;

use http::StatusCode;

mod misuse;
mod protocol;
mod server;

pub use misuse::MisuseError;
pub use protocol::{ExpiresInProblem, JsonKind, ProtocolError, ProtocolErrorKind};
pub(crate) use server::status_is_retryable;
pub use server::{ErrorCode, ErrorSource, RetryAfter, ServerError};

/// Why a token exchange failed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TokenError {
    /// The caller's request cannot be built as given. Never caused by a server's answer.
    Misuse(MisuseError),
    /// The server refused with an OAuth error.
    Server(Box<ServerError>),
    /// The server's answer is not a valid token response.
    Protocol(Box<ProtocolError>),
}

impl TokenError {
    /// Whether trying the same request again later can succeed: a 429, a 5xx, or the error
    /// codes `temporarily_unavailable` and `server_error`. Never true for misuse, for
    /// `invalid_client` or `invalid_grant`, or for a malformed 2xx answer.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Misuse(_) => false,
            Self::Server(e) => e.is_retryable(),
            Self::Protocol(e) => e.is_retryable(),
        }
    }

    /// The HTTP status of the answer, when there was one.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Misuse(_) => None,
            Self::Server(e) => Some(e.status),
            Self::Protocol(e) => Some(e.status),
        }
    }

    /// The OAuth error code, when the server sent one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Server(e) => e.code.as_ref(),
            _ => None,
        }
    }

    /// How long the server asked the caller to wait (`Retry-After`), when it said.
    #[must_use]
    pub fn retry_after(&self) -> Option<&RetryAfter> {
        match self {
            Self::Misuse(_) => None,
            Self::Server(e) => e.retry_after.as_ref(),
            Self::Protocol(e) => e.retry_after.as_ref(),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Misuse(e) => write!(f, "invalid token request: {e}"),
            Self::Server(e) => fmt::Display::fmt(e, f),
            Self::Protocol(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// Each variant's text already says what its inner error says, so no variant also returns it
/// as its `source` — a chain printer (anyhow, eyre, a CLI) would show it twice. The Rust API
/// guidelines' rule: a wrapper displays its inner error or returns it as the source, not both.
impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Misuse(e) => e.source(),
            Self::Server(_) | Self::Protocol(_) => None,
        }
    }
}

impl From<MisuseError> for TokenError {
    fn from(e: MisuseError) -> Self {
        Self::Misuse(e)
    }
}

impl From<ServerError> for TokenError {
    fn from(e: ServerError) -> Self {
        Self::Server(Box::new(e))
    }
}

impl From<ProtocolError> for TokenError {
    fn from(e: ProtocolError) -> Self {
        Self::Protocol(Box::new(e))
    }
}
