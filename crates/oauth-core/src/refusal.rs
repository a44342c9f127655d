//! A token endpoint's refusal in a form another process can read: when one process of a fleet
//! fetches for all and the server refuses, the others get the same typed error instead of
//! each asking again.

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::{ErrorCode, RecordError, ServerError, TokenError};

const VERSION: u64 = 1;

/// What a refusal said: status, `error`, `error_description`, a vendor's code and its word on
/// retrying. Not the body (an excerpt stays with the process that read it).
///
/// # Examples
/// ```
/// use oauth_core::{ErrorCode, RefusalRecord, ServerError, TokenError};
/// let mut refused = ServerError::new(http::StatusCode::UNAUTHORIZED);
/// refused.code = Some(ErrorCode::InvalidClient);
/// refused.description = Some("Client authentication failed".into());
/// let record = RefusalRecord::of(&TokenError::Server(Box::new(refused))).expect("a server error");
///
/// let again = RefusalRecord::decode(&record.encode())?.into_error();
/// assert_eq!(again.code(), Some(&ErrorCode::InvalidClient));
/// assert!(again.to_string().contains("Client authentication failed"));
/// assert!(!again.is_retryable());
/// # Ok::<(), oauth_core::RecordError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalRecord {
    v: u64,
    status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vendor_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retryable: Option<bool>,
}

impl RefusalRecord {
    /// The record of a server's refusal; `None` for any other error (a misuse is the caller's,
    /// a malformed answer is worth another process's own try).
    #[must_use]
    pub fn of(error: &TokenError) -> Option<Self> {
        let TokenError::Server(server) = error else { return None };
        Some(Self {
            v: VERSION,
            status: server.status.as_u16(),
            code: server.code.as_ref().map(|c| c.as_str().to_owned()),
            description: server.description.as_deref().map(str::to_owned),
            vendor_code: server.vendor_code.as_deref().map(str::to_owned),
            retryable: server.retryable,
        })
    }

    /// The error again, as the process that read the answer had it (without the body).
    #[must_use]
    pub fn into_error(self) -> TokenError {
        let mut error = ServerError::new(StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY));
        error.code = self.code.as_deref().map(ErrorCode::from_code);
        error.description = self.description.map(Into::into);
        error.vendor_code = self.vendor_code.map(Into::into);
        error.retryable = self.retryable;
        TokenError::Server(Box::new(error))
    }

    /// The record as bytes (JSON).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        // Invariant: a struct of strings, integers and booleans always serializes.
        serde_json::to_vec(self).expect("a refusal record serializes")
    }

    /// Reads bytes written by [`encode`](Self::encode).
    ///
    /// # Errors
    /// [`RecordError`] for anything else.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let record: Self = serde_json::from_slice(bytes).map_err(|_| RecordError::Malformed)?;
        if record.v != VERSION {
            return Err(RecordError::Version { found: record.v });
        }
        if StatusCode::from_u16(record.status).is_err() {
            return Err(RecordError::Invalid { field: "status" });
        }
        Ok(record)
    }
}
