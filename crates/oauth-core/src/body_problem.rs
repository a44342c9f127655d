//! What can be wrong with a success's body before any of its members is read — the same for
//! every answer that must be one JSON object (a device authorization, an introspection, a
//! metadata document), so their readers share these checks and this one error.

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::JsonKind;
use crate::Quirks;
use crate::json_object::ObjectProblem;
use crate::media::{is_json_media, media_type};

/// Why an answer's body is not even a JSON object to read.
///
/// # Examples
/// ```
/// use oauth_core::BodyProblem;
/// let problem = BodyProblem::BodyTooLarge { limit: 8, actual: 9 };
/// assert_eq!(problem.to_string(), "body of 9 bytes exceeds the 8-byte cap");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyProblem {
    /// A status that is neither success nor an error (1xx, 3xx — a redirect is not followed —,
    /// or a 2xx other than 200 when the quirks do not take any success).
    UnexpectedStatus {
        /// The status.
        status: StatusCode,
    },
    /// The body is larger than the quirks' cap.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
        /// The body's size, in bytes.
        actual: usize,
    },
    /// The `Content-Type` is not JSON and the quirks do not look past labels.
    UnexpectedContentType,
    /// The body is empty.
    EmptyBody,
    /// The body is not UTF-8.
    InvalidUtf8,
    /// The body is not JSON.
    NotJson {
        /// The JSON parser's message (a position, no content).
        detail: Box<str>,
    },
    /// The JSON body is not an object.
    NotAnObject {
        /// What it is.
        found: JsonKind,
    },
}

impl fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedStatus { status } => write!(f, "HTTP {status} is neither success nor an error"),
            Self::BodyTooLarge { limit, actual } => write!(f, "body of {actual} bytes exceeds the {limit}-byte cap"),
            Self::UnexpectedContentType => f.write_str("Content-Type is not JSON"),
            Self::EmptyBody => f.write_str("body is empty"),
            Self::InvalidUtf8 => f.write_str("body is not UTF-8"),
            Self::NotJson { detail } => write!(f, "body is not JSON ({detail})"),
            Self::NotAnObject { found } => write!(f, "body is {found}, not a JSON object"),
        }
    }
}

impl From<ObjectProblem> for BodyProblem {
    fn from(problem: ObjectProblem) -> Self {
        match problem {
            ObjectProblem::Empty => Self::EmptyBody,
            ObjectProblem::InvalidUtf8 => Self::InvalidUtf8,
            ObjectProblem::NotJson(detail) => Self::NotJson { detail },
            ObjectProblem::NotAnObject(found) => Self::NotAnObject { found },
        }
    }
}

/// A success status (200, or any 2xx when the quirks take it), then a body within the cap.
pub(crate) fn check_status_and_size(quirks: &Quirks, status: StatusCode, body: &[u8]) -> Result<(), BodyProblem> {
    if !status.is_success() || (!quirks.any_success_status && status != StatusCode::OK) {
        return Err(BodyProblem::UnexpectedStatus { status });
    }
    if body.len() > quirks.max_body_bytes {
        return Err(BodyProblem::BodyTooLarge { limit: quirks.max_body_bytes, actual: body.len() });
    }
    Ok(())
}

/// [`check_status_and_size`], then a JSON label (unless the quirks look past labels).
pub(crate) fn check_json_success(
    quirks: &Quirks,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), BodyProblem> {
    check_status_and_size(quirks, status, body)?;
    if !quirks.json_any_content_type && !media_type(headers).is_some_and(is_json_media) {
        return Err(BodyProblem::UnexpectedContentType);
    }
    Ok(())
}
