//! How leniently a token response is read: every leniency is a named switch.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::ErrorCode;

/// The switches that say how a token endpoint's answers are read.
///
/// Start from [`Quirks::lenient`] (what real servers need, the default) or [`Quirks::strict`]
/// (RFC 6749 to the letter) and change single fields. What both presets share is not a switch:
/// `token_type` is compared without case (RFC 6749 §5.1 says so), a success body carrying
/// `error` is an error, and unknown fields are kept.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// let mut quirks = oauth_core::Quirks::strict();
/// quirks.expires_in_as_string = true; // some servers send "3599"
/// quirks.default_lifetime = Some(Duration::from_secs(3600));
/// assert!(!quirks.form_encoded_success);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quirks {
    /// Accept `expires_in` as a numeric string (`"3599"`).
    pub expires_in_as_string: bool,
    /// Accept a fractional `expires_in` (`3600.5`), rounding down. A positive value under one
    /// second (`0.5`) is a token that is already due, never one without expiry.
    pub expires_in_fraction: bool,
    /// Read an `expires_in` above [`max_lifetime`](Self::max_lifetime) as `max_lifetime`
    /// instead of rejecting it (some servers send `2147483647` for "does not expire").
    pub clamp_long_expires_in: bool,
    /// Read a missing — or empty (`""`) — `token_type` as `Bearer` instead of failing.
    pub missing_token_type_is_bearer: bool,
    /// Accept a `token_type` other than Bearer (the token is then presented as a bearer token).
    pub accept_unknown_token_type: bool,
    /// Accept `scope` as a JSON array of strings.
    pub scope_as_array: bool,
    /// Treat any 2xx as success, not only 200.
    pub any_success_status: bool,
    /// Read a body as JSON whatever its `Content-Type` says (`text/plain`, none at all).
    pub json_any_content_type: bool,
    /// Accept an `application/x-www-form-urlencoded` success body.
    pub form_encoded_success: bool,
    /// Treat a JSON `null` in an optional field as if the field were absent.
    pub null_as_absent: bool,
    /// Lifetime assumed when `expires_in` is missing or zero; `None` means the token does not
    /// expire by time and is kept until invalidated.
    pub default_lifetime: Option<Duration>,
    /// Longest `expires_in` believed; a larger one is rejected as absurd.
    pub max_lifetime: Duration,
    /// Largest body read; a larger one is rejected before parsing.
    pub max_body_bytes: usize,
    /// A vendor's own error envelope, tried when a body carries no RFC 6749 `error`.
    pub error_envelope: Option<ErrorEnvelope>,
}

/// One mebibyte: the default body cap.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Ten years: the default upper bound for a believable `expires_in`.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

impl Quirks {
    /// RFC 6749 to the letter: only 200, only JSON, numbers as numbers, `token_type` required.
    #[must_use]
    pub const fn strict() -> Self {
        Self {
            expires_in_as_string: false,
            expires_in_fraction: false,
            clamp_long_expires_in: false,
            missing_token_type_is_bearer: false,
            accept_unknown_token_type: false,
            scope_as_array: false,
            any_success_status: false,
            json_any_content_type: false,
            form_encoded_success: false,
            null_as_absent: false,
            default_lifetime: None,
            max_lifetime: DEFAULT_MAX_LIFETIME,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            error_envelope: None,
        }
    }

    /// Everything real servers are seen to send whose meaning is unambiguous: string and
    /// fractional `expires_in`, an over-long `expires_in` clamped to `max_lifetime`, a missing or
    /// empty `token_type` as Bearer, `scope` arrays, any 2xx, JSON
    /// under any label, form-encoded bodies, `null` as absent. An unknown `token_type` is
    /// still rejected: presenting a MAC or DPoP token as a bearer token would fail later and
    /// less clearly.
    #[must_use]
    pub const fn lenient() -> Self {
        Self {
            expires_in_as_string: true,
            expires_in_fraction: true,
            clamp_long_expires_in: true,
            missing_token_type_is_bearer: true,
            accept_unknown_token_type: false,
            scope_as_array: true,
            any_success_status: true,
            json_any_content_type: true,
            form_encoded_success: true,
            null_as_absent: true,
            ..Self::strict()
        }
    }
}

impl Default for Quirks {
    fn default() -> Self {
        Self::lenient()
    }
}

/// A vendor's own error envelope: a function from the status and the JSON body to the error it
/// stands for, used when the body has no RFC 6749 `error` member.
///
/// Vendor knowledge lives in the profiles that build these; this crate only calls them.
///
/// # Examples
/// ```
/// use oauth_core::{EnvelopeError, ErrorEnvelope};
/// fn map(_: http::StatusCode, body: &serde_json::Value) -> Option<EnvelopeError> {
///     let code = body.get("code")?.as_str()?;
///     (code != "0000").then(|| EnvelopeError::new().vendor_code(code))
/// }
/// let envelope = ErrorEnvelope::new("code-envelope", map);
/// assert_eq!(envelope.name(), "code-envelope");
/// ```
#[derive(Clone, Copy)]
pub struct ErrorEnvelope {
    name: &'static str,
    map: fn(StatusCode, &serde_json::Value) -> Option<EnvelopeError>,
}

impl ErrorEnvelope {
    /// Names an envelope mapping. The name shows in `Debug` and decides equality.
    #[must_use]
    pub const fn new(name: &'static str, map: fn(StatusCode, &serde_json::Value) -> Option<EnvelopeError>) -> Self {
        Self { name, map }
    }

    /// The envelope's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn map(&self, status: StatusCode, body: &serde_json::Value) -> Option<EnvelopeError> {
        (self.map)(status, body)
    }
}

impl fmt::Debug for ErrorEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ErrorEnvelope").field(&self.name).finish()
    }
}

impl PartialEq for ErrorEnvelope {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ErrorEnvelope {}

/// What a vendor envelope says about an error, in RFC 6749's terms where it can.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvelopeError {
    /// The OAuth error code it corresponds to, if any.
    pub code: Option<ErrorCode>,
    /// The envelope's message.
    pub description: Option<Box<str>>,
    /// The vendor's own code, as text.
    pub vendor_code: Option<Box<str>>,
    /// The vendor's word on whether retrying helps (a rate-limit code, say), overriding the
    /// status-based rule.
    pub retryable: Option<bool>,
}

impl EnvelopeError {
    /// An empty mapping; fill it with the builder methods.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the OAuth error code.
    #[must_use]
    pub fn code(mut self, code: ErrorCode) -> Self {
        self.code = Some(code);
        self
    }

    /// Sets the message.
    #[must_use]
    pub fn description(mut self, description: impl Into<Box<str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the vendor's own code.
    #[must_use]
    pub fn vendor_code(mut self, code: impl Into<Box<str>>) -> Self {
        self.vendor_code = Some(code.into());
        self
    }

    /// Says whether retrying helps.
    #[must_use]
    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = Some(retryable);
        self
    }
}
