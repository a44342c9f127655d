//! Why a metadata document could not be had or used.

use super::*;

/// Why an issuer's metadata was not read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The metadata URL answered with an error (a 404 where the server publishes no such
    /// document).
    Server(Box<ServerError>),
    /// The answer is not a JSON object to read: its status (a redirect is not followed), size,
    /// label or syntax.
    Body(BodyProblem),
    /// The document has no `issuer`.
    MissingIssuer,
    /// The document names another issuer than the one asked of: refused, as the defence
    /// against mix-up attacks (RFC 8414 §3.3).
    IssuerMismatch {
        /// The issuer asked of.
        expected: Box<str>,
        /// The issuer the document names (its first 256 bytes).
        found: Box<str>,
    },
    /// A member RFC 8414 §2 requires is missing.
    MissingField {
        /// The member.
        field: &'static str,
    },
    /// A member has the wrong JSON type.
    FieldType {
        /// The member.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
        /// What it is.
        found: JsonKind,
    },
    /// A member read into a slot of its own appears twice, so its meaning is ambiguous.
    DuplicateField {
        /// The member.
        field: &'static str,
    },
    /// An endpoint uses plain `http` on a host that is not loopback.
    InsecureEndpoint {
        /// The member (`token_endpoint`, …).
        field: &'static str,
        /// The URL, credentials in it replaced by `[redacted]`, cut at 256 bytes.
        url: Box<str>,
    },
    /// An endpoint is not an absolute `http(s)` URL the client can send to.
    InvalidEndpoint {
        /// The member (`token_endpoint`, …).
        field: &'static str,
        /// The URL, credentials in it replaced by `[redacted]`, cut at 256 bytes.
        url: Box<str>,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl DiscoveryError {
    /// Whether asking again later can succeed: a 429 or 5xx answer (the rule of
    /// [`ServerError::is_retryable`]). A document that is wrong stays wrong.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server(error) => error.is_retryable(),
            _ => false,
        }
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("authorization server metadata refused: ")?;
        match self {
            Self::Server(error) => fmt::Display::fmt(error, f),
            Self::Body(problem) => fmt::Display::fmt(problem, f),
            Self::MissingIssuer => f.write_str("`issuer` is missing"),
            Self::IssuerMismatch { expected, found } => write!(
                f,
                "the document is for issuer {found:?}, not {expected:?} as asked (RFC 8414 §3.3 requires them identical: a mix-up defence)"
            ),
            Self::MissingField { field } => write!(f, "`{field}` is missing (RFC 8414 §2 requires it)"),
            Self::FieldType { field, expected, found } => write!(f, "`{field}` is {found}, not {expected}"),
            Self::DuplicateField { field } => write!(f, "`{field}` appears more than once"),
            Self::InsecureEndpoint { field, url } => write!(
                f,
                "`{field}` `{url}` uses plain http on a non-loopback host; credentials would travel in clear text"
            ),
            Self::InvalidEndpoint { field, url, reason } => write!(f, "`{field}` `{url}` is not usable: {reason}"),
        }
    }
}

/// The text already says what the server's error says, so there is no `source`.
impl std::error::Error for DiscoveryError {}
