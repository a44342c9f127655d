//! Why an introspection was not answered: the server's error, or an answer that is not one.

use super::*;

/// Why an introspection was not answered.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IntrospectionError {
    /// The server refused with an OAuth error (RFC 7662 §2.3): the caller is not allowed to
    /// introspect (`invalid_client`, a 401 with a challenge), or the server is unavailable (a
    /// 503 with its `Retry-After`).
    Server(Box<ServerError>),
    /// The server's success is not a usable introspection answer.
    Invalid(Box<InvalidIntrospection>),
}

impl IntrospectionError {
    /// The HTTP status of the answer.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Server(error) => error.status,
            Self::Invalid(error) => error.status,
        }
    }

    /// The OAuth error code, when the server sent one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Server(error) => error.code.as_ref(),
            Self::Invalid(_) => None,
        }
    }

    /// How long the server asked the caller to wait (`Retry-After`), when it said.
    #[must_use]
    pub fn retry_after(&self) -> Option<&RetryAfter> {
        match self {
            Self::Server(error) => error.retry_after.as_ref(),
            Self::Invalid(error) => error.retry_after.as_ref(),
        }
    }

    /// Whether sending the same request later can succeed: a 429, a 5xx, `server_error` or
    /// `temporarily_unavailable`; never a malformed success.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server(error) => error.is_retryable(),
            Self::Invalid(_) => false,
        }
    }
}

impl fmt::Display for IntrospectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(error) => write!(f, "token introspection failed: {error}"),
            Self::Invalid(error) => fmt::Display::fmt(error, f),
        }
    }
}

/// The text already says what the inner error says, so there is no `source`.
impl std::error::Error for IntrospectionError {}

/// A success that is not a usable introspection answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvalidIntrospection {
    /// What exactly is wrong.
    pub problem: IntrospectionProblem,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The answer's `Content-Type`, when present.
    pub content_type: Option<HeaderValue>,
    /// The answer's `Retry-After`, when present and well-formed.
    pub retry_after: Option<RetryAfter>,
    /// The start of the body, token-like values masked (and, through
    /// [`PendingIntrospection::finish`], the request's credentials scrubbed).
    pub body: BodyExcerpt,
}

impl fmt::Display for InvalidIntrospection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "introspection answer is not valid (HTTP {}): {}", self.status, self.problem)?;
        if !self.body.is_empty() {
            write!(f, "; body starts {:?}", self.body.text())?;
        }
        Ok(())
    }
}

/// What exactly is wrong with an introspection answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntrospectionProblem {
    /// The body is not a JSON object to read (its status, size, label or syntax).
    Body(BodyProblem),
    /// No `active` member (RFC 7662 §2.2 requires it).
    MissingActive,
    /// A member the RFC names has the wrong JSON type.
    FieldType {
        /// The member.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
        /// What it is.
        found: JsonKind,
    },
    /// `exp`, `iat` or `nbf` is not a usable time.
    InvalidTime {
        /// The member.
        field: &'static str,
        /// Why, in the terms `expires_in` is judged in.
        problem: ExpiresInProblem,
    },
    /// A member the RFC names appears twice, so its meaning is ambiguous.
    DuplicateField {
        /// The member.
        field: Box<str>,
    },
}

impl fmt::Display for IntrospectionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Body(problem) => fmt::Display::fmt(problem, f),
            Self::MissingActive => f.write_str("`active` is missing"),
            Self::FieldType { field, expected, found } => write!(f, "`{field}` is {found}, not {expected}"),
            Self::InvalidTime { field, problem } => write!(f, "`{field}` {problem}"),
            Self::DuplicateField { field } => write!(f, "`{field}` appears more than once"),
        }
    }
}
