//! The CloudCX API answer target: `oauth_providers::cloudcx::read_envelope`.

use oauth_providers::cloudcx::{ApiError, Page, SUCCESS_CODE, User, read_envelope};
use serde_json::Value;

use crate::answer::status_of;

/// Reads `[status][body]` (the status picked as for every answer-shaped target) as a CloudCX API
/// answer, for any JSON `data` and for a page of users.
///
/// Checks: data only from a 2xx; a vendor error never has the success code; a "no envelope"
/// error only for a non-2xx and a malformed one only for a 2xx, as `ApiError` documents; every
/// error keeps the status.
pub fn cloudcx_envelope(data: &[u8]) {
    let (status, body) = data.split_first().map_or((0, &[][..]), |(status, body)| (*status, body));
    let status = status_of(status);
    for outcome in [read_envelope::<Value>(status, body).map(drop), read_envelope::<Page<User>>(status, body).map(drop)]
    {
        match outcome {
            Ok(()) => assert!(status.is_success(), "data from a {status} answer"),
            Err(error) => {
                let _ = (error.to_string(), format!("{error:?}"));
                match error {
                    ApiError::Vendor { status: kept, code, .. } => {
                        assert_eq!(kept, status);
                        assert_ne!(code, SUCCESS_CODE, "a refusal with the success code");
                    }
                    ApiError::Status { status: kept, .. } => {
                        assert_eq!(kept, status);
                        assert!(!status.is_success(), "a 2xx refused for its status");
                    }
                    ApiError::Malformed { status: kept, .. } => {
                        assert_eq!(kept, status);
                        assert!(status.is_success(), "a {status} answer called malformed, not refused");
                    }
                    _ => {}
                }
            }
        }
    }
}
