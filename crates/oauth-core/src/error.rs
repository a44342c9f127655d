//! The token-exchange error, split by who is at fault.
//!
//! - [`MisuseError`]: the caller asked for something impossible. Never caused by a server.
//! - [`ServerError`]: the server answered with an OAuth error (RFC 6749 §5.2, RFC 6750 §3, or a
//!   vendor envelope mapped into the same shape).
//! - [`ProtocolError`]: the server's answer breaks the protocol (not JSON, no `access_token`, …).
//!
//! Errors carry data, not pre-formatted strings, and never a secret: bodies are kept only as a
//! [`BodyExcerpt`] with token-like values masked, and [`TokenError::scrub`] removes a credential
//! a server echoed. Both live in the `mask` module; this one holds the types and their `Display`.

use std::fmt;
use std::time::Duration;

use http::{HeaderValue, StatusCode};

use crate::BodyExcerpt;
use crate::challenge::Challenge;

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

/// The caller asked for something that cannot be done. Never caused by a server's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MisuseError {
    /// A client id must not be empty.
    #[error("the client id is empty")]
    EmptyClientId,
    /// The token endpoint is not an absolute `http(s)` URL.
    #[error("the token endpoint `{url}` is not an absolute http(s) URL: {reason}")]
    InvalidEndpoint {
        /// The URL as given, with any credentials in it replaced by `[redacted]`.
        url: Box<str>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The token endpoint uses plain `http` on a host that is not loopback.
    #[error(
        "the token endpoint `{url}` uses plain http on a non-loopback host; credentials would travel in clear text (opt out explicitly with `TokenEndpoint::new_allowing_http`)"
    )]
    InsecureEndpoint {
        /// The URL as given, with any credentials in it replaced by `[redacted]`.
        url: Box<str>,
    },
    /// An extra parameter would overwrite one the library sets itself.
    #[error(
        "the extra parameter `{name}` is set by the library (grant type, credentials, client id or scope) and cannot be overridden"
    )]
    ReservedParameter {
        /// The parameter name.
        name: Box<str>,
    },
    /// A scope token breaks RFC 6749 §3.3 (empty, or holds a space, `"`, `\` or a control character).
    #[error("`{token}` is not a valid scope token (RFC 6749 §3.3)")]
    InvalidScopeToken {
        /// The offending token.
        token: Box<str>,
    },
    /// Raw (RFC 7617) Basic authentication cannot carry a client id with a colon.
    #[error(
        "raw Basic authentication cannot carry a client id containing `:` (RFC 7617 §2); use the percent-encoded form or client_secret_post"
    )]
    ColonInRawBasicClientId,
    /// A JWT client-authentication method without what signs its assertion:
    /// `client_secret_jwt` needs a client secret, `private_key_jwt` an [`AssertionKey`](crate::AssertionKey).
    #[error("{method} needs {needs} to sign its client assertion")]
    MissingAssertionSigner {
        /// The method's name (`client_secret_jwt` or `private_key_jwt`).
        method: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// [`ClientAuth::tls`](crate::ClientAuth::tls) with a method that is not mutual TLS.
    #[error("{method} is not a mutual-TLS client authentication method (RFC 8705)")]
    NotTlsClientAuth {
        /// The method's name.
        method: &'static str,
    },
    /// A private key for client assertions could not be read. The reason never quotes the key.
    #[error("the client assertion key could not be read as {expected}")]
    InvalidAssertionKey {
        /// What was expected (`a PKCS#8 P-256 key in PEM`, …).
        expected: &'static str,
    },
    /// A bearer credential is empty or holds characters a header cannot carry.
    #[error("the bearer credential is empty or holds characters an HTTP header cannot carry")]
    InvalidBearerCredential,
    /// A grant-extension `grant_type` is empty or not a URI/name the form can carry.
    #[error("`{grant_type}` is not a usable grant type")]
    InvalidGrantType {
        /// The grant type as given.
        grant_type: Box<str>,
    },
}

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

    /// See [`TokenError::is_retryable`].
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

/// The server's answer is not a valid token response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProtocolError {
    /// What exactly is wrong.
    pub kind: ProtocolErrorKind,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The answer's `Content-Type`, when present.
    pub content_type: Option<HeaderValue>,
    /// The answer's `Retry-After`, when present and well-formed.
    pub retry_after: Option<RetryAfter>,
    /// The start of the body, with token-like values masked.
    pub body: BodyExcerpt,
}

impl ProtocolError {
    /// Retryable when the status says the server is overloaded or failing (an HTML 502 from a
    /// proxy, say); a malformed 2xx is not.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        status_is_retryable(self.status)
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token endpoint answer is not a valid token response (HTTP {}): {}", self.status, self.kind)?;
        if !self.body.is_empty() {
            write!(f, "; body starts {:?}", self.body.text())?;
        }
        Ok(())
    }
}

/// The JSON type a field had instead of the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool,
    /// a number
    Number,
    /// a string
    String,
    /// an array
    Array,
    /// an object
    Object,
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        })
    }
}

/// Why `expires_in` was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpiresInProblem {
    /// Below zero.
    Negative,
    /// Not a number (or a string that is not one).
    NotNumeric,
    /// A string, and the profile does not accept strings.
    StringNotAllowed,
    /// A fraction, and the profile does not floor fractions.
    FractionNotAllowed,
    /// Larger than the profile's `max_lifetime` (or infinite).
    TooLarge,
    /// `null`, and the profile does not treat null as absent.
    Null,
}

impl fmt::Display for ExpiresInProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Negative => "is negative",
            Self::NotNumeric => "is not a number",
            Self::StringNotAllowed => "is a string, which this profile does not accept",
            Self::FractionNotAllowed => "has a fraction, which this profile does not accept",
            Self::TooLarge => "is larger than this profile's maximum lifetime",
            Self::Null => "is null",
        })
    }
}

/// What exactly is wrong with a token response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolErrorKind {
    /// The body is larger than the profile's cap.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
        /// The body's size, in bytes, as far as it was read.
        actual: usize,
    },
    /// The body is empty.
    EmptyBody,
    /// The body is not UTF-8.
    InvalidUtf8,
    /// The body is not JSON (nor, where the profile allows it, a form).
    NotJson {
        /// The JSON parser's message (position included, no content).
        detail: Box<str>,
    },
    /// The JSON body is not an object.
    NotAnObject {
        /// What it is.
        found: JsonKind,
    },
    /// The `Content-Type` is not JSON and the profile does not look past labels.
    UnexpectedContentType,
    /// A status this parser does not treat as success or as an error (1xx, 3xx, or a non-200
    /// 2xx under a strict profile).
    UnexpectedStatus,
    /// No `access_token`.
    MissingAccessToken,
    /// `access_token` is not a string.
    AccessTokenNotString {
        /// What it is.
        found: JsonKind,
    },
    /// `access_token` is an empty string.
    EmptyAccessToken,
    /// `access_token` holds characters no HTTP header can carry (spaces, controls, non-ASCII).
    AccessTokenCharacters,
    /// A field other than `access_token` has the wrong JSON type.
    FieldType {
        /// The field.
        field: &'static str,
        /// What it is.
        found: JsonKind,
    },
    /// No `token_type`, and the profile has no default.
    MissingTokenType,
    /// A `token_type` this library cannot present.
    UnsupportedTokenType {
        /// The type as sent.
        token_type: Box<str>,
    },
    /// `expires_in` is unusable.
    InvalidExpiresIn {
        /// Why.
        problem: ExpiresInProblem,
    },
    /// A field appears twice, so its meaning is ambiguous.
    DuplicateField {
        /// The field.
        field: Box<str>,
    },
}

impl fmt::Display for ProtocolErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BodyTooLarge { limit, actual } => {
                write!(f, "body of {actual} bytes exceeds the {limit}-byte cap")
            }
            Self::EmptyBody => f.write_str("body is empty"),
            Self::InvalidUtf8 => f.write_str("body is not UTF-8"),
            Self::NotJson { detail } => write!(f, "body is not JSON ({detail})"),
            Self::NotAnObject { found } => write!(f, "body is {found}, not a JSON object"),
            Self::UnexpectedContentType => f.write_str("Content-Type is not JSON"),
            Self::UnexpectedStatus => f.write_str("status is neither success nor an error"),
            Self::MissingAccessToken => f.write_str("`access_token` is missing"),
            Self::AccessTokenNotString { found } => write!(f, "`access_token` is {found}, not a string"),
            Self::EmptyAccessToken => f.write_str("`access_token` is empty"),
            Self::AccessTokenCharacters => f.write_str("`access_token` holds characters a header cannot carry"),
            Self::FieldType { field, found } => write!(f, "`{field}` is {found}"),
            Self::MissingTokenType => f.write_str("`token_type` is missing"),
            Self::UnsupportedTokenType { token_type } => {
                write!(f, "`token_type` `{token_type}` is not one this client can use")
            }
            Self::InvalidExpiresIn { problem } => write!(f, "`expires_in` {problem}"),
            Self::DuplicateField { field } => write!(f, "`{field}` appears more than once"),
        }
    }
}
