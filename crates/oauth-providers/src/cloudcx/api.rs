//! CloudCX API answers: the `{"code","message","data"}` envelope every API wraps its answer in,
//! the error an answer without data becomes, and the payload types ([`Page`], [`User`]).
//!
//! The profile (in the parent module) reads the same envelope on the token endpoint through
//! its [`ErrorEnvelope`](oauth_core::ErrorEnvelope); this module reads it on the APIs.

use std::fmt;

use http::StatusCode;
use oauth_core::BodyExcerpt;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The envelope code that means success.
pub const SUCCESS_CODE: &str = "0000";

/// The `{"code","message","data"}` wrapper around every API answer.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// `"0000"` on success.
    #[serde(deserialize_with = "deserialize_code")]
    pub code: String,
    /// A message, usually `null` on success.
    #[serde(default)]
    pub message: Option<String>,
    /// The payload.
    #[serde(default = "none")]
    pub data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

fn deserialize_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    code_text(&value).ok_or_else(|| serde::de::Error::custom("`code` is neither a string nor a number"))
}

/// An API call that did not give data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The envelope's code is not `"0000"`.
    #[error("CloudCX refused with code {code} (HTTP {status}){}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Vendor {
        /// The HTTP status.
        status: StatusCode,
        /// The envelope's code.
        code: String,
        /// The envelope's message.
        message: Option<String>,
    },
    /// A non-2xx answer without an envelope.
    #[error("CloudCX answered HTTP {status} without an envelope")]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body.
        body: BodyExcerpt,
    },
    /// A 2xx answer that is not the envelope, or whose `data` does not have the expected shape.
    #[error("CloudCX answer (HTTP {status}) is not the expected envelope: {detail}")]
    Malformed {
        /// The HTTP status.
        status: StatusCode,
        /// What did not match (the JSON reader's message).
        detail: String,
    },
}

/// Reads an API answer: the `data` of a `"0000"` envelope, or a typed error.
///
/// # Errors
/// [`ApiError::Vendor`] for any other code (also on HTTP 200); [`ApiError::Status`] for a
/// non-2xx without an envelope; [`ApiError::Malformed`] when the body or its `data` is not
/// what was expected.
///
/// # Examples
/// ```
/// use oauth_providers::cloudcx::{self, ApiError, Page, User};
/// let ok = br#"{"code":"0000","message":null,"data":{"totalPages":1,"totalElements":1,"size":25,
///   "number":0,"numberOfElements":1,"content":[{"id":"75d8","loginCode":"freesiaTest","roles":["Admin"]}]}}"#;
/// let page: Page<User> = cloudcx::read_envelope(http::StatusCode::OK, ok)?;
/// assert_eq!(page.content[0].login_code.as_deref(), Some("freesiaTest"));
///
/// let refused = br#"{"code":"0001","message":"token expired","data":null}"#;
/// let error = cloudcx::read_envelope::<Page<User>>(http::StatusCode::OK, refused).unwrap_err();
/// assert!(matches!(error, ApiError::Vendor { ref code, .. } if code == "0001"));
/// # Ok::<(), ApiError>(())
/// ```
pub fn read_envelope<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, ApiError> {
    let envelope: Envelope<serde_json::Value> = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(_) if !status.is_success() => return Err(ApiError::Status { status, body: BodyExcerpt::new(body) }),
        Err(e) => return Err(ApiError::Malformed { status, detail: e.to_string() }),
    };
    if envelope.code != SUCCESS_CODE {
        return Err(ApiError::Vendor { status, code: envelope.code, message: envelope.message });
    }
    if !status.is_success() {
        return Err(ApiError::Status { status, body: BodyExcerpt::new(body) });
    }
    let data = envelope.data.unwrap_or(serde_json::Value::Null);
    T::deserialize(data).map_err(|e| ApiError::Malformed { status, detail: e.to_string() })
}

/// A page of results (Spring Data's `Page`: `number` counts from 0, while the request's
/// `pageIndex` counts from 1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Page<T> {
    /// How many pages there are.
    pub total_pages: u64,
    /// How many items there are on all pages.
    pub total_elements: u64,
    /// The page size asked for.
    pub size: u64,
    /// This page's number, from 0.
    pub number: u64,
    /// How many items this page holds.
    pub number_of_elements: u64,
    /// The items.
    #[serde(default = "Vec::new")]
    pub content: Vec<T>,
}

/// A user, as `/openapi/v2/user/page` lists them.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The user's id (a UUID).
    pub id: String,
    /// The login name.
    #[serde(default)]
    pub login_code: Option<String>,
    /// Role names.
    #[serde(default)]
    pub roles: Vec<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// The vendor's unique code.
    #[serde(default)]
    pub unique_code: Option<String>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data stays out of logs: only the id and login show.
        f.debug_struct("User").field("id", &self.id).field("login_code", &self.login_code).finish_non_exhaustive()
    }
}

/// The envelope's `code`, as text whether it came as a string or a number.
pub(super) fn code_text(code: &serde_json::Value) -> Option<String> {
    match code {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
