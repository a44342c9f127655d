//! `ProtocolError`: the server's answer breaks the protocol — what exactly is wrong with it.

use std::fmt;

use http::{HeaderValue, StatusCode};

use super::{RetryAfter, status_is_retryable};
use crate::BodyExcerpt;

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
