//! Reading an error answer from any OAuth endpoint — token, revocation, introspection — into a
//! [`ServerError`]: the RFC 6749 §5.2 body, a vendor's envelope, the `WWW-Authenticate`
//! challenges (RFC 6750 §3) and `Retry-After`.

use std::borrow::Cow;
use std::fmt;

use http::header::RETRY_AFTER;
use http::{HeaderMap, Response, StatusCode};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::media::{is_labelled_form, looks_like_form};
use crate::{BodyExcerpt, Challenge, ErrorCode, ErrorSource, Quirks, RetryAfter, ServerError};

/// Reads an OAuth endpoint's error answer, or says there is none.
///
/// Every RFC-defined endpoint answers errors the same way (RFC 6749 §5.2; RFC 7009 §2.2.1 for
/// revocation, RFC 7662 §2.3 for introspection), so this reads any of them; the token answer
/// readers use it too. A 4xx or 5xx is always an error. Any other status is one when its body
/// carries a string `error` member, or when the profile's vendor envelope
/// ([`Quirks::error_envelope`]) says so; otherwise this returns `None` and the answer is the
/// caller's to read as a success.
///
/// The code, description and URI come from a JSON or form body, whatever its label; failing that,
/// from the vendor envelope; failing that, from a `WWW-Authenticate` challenge's `error`
/// ([`ServerError::source`] says which). The body is read only up to [`Quirks::max_body_bytes`]:
/// a larger error body leaves the status, challenges and `Retry-After` to speak, and a larger
/// non-error body is not read at all. The error keeps a masked [`BodyExcerpt`] of the body.
///
/// Never panics, whatever the bytes.
///
/// # Examples
/// ```
/// use oauth_core::{ErrorCode, ErrorSource, Quirks, parse_error_response};
/// // A revocation endpoint refusing a token type (RFC 7009 §2.2.1).
/// let refused = http::Response::builder()
///     .status(400)
///     .header("content-type", "application/json")
///     .body(r#"{"error":"unsupported_token_type","error_description":"only refresh tokens"}"#)?;
/// let error = parse_error_response(&Quirks::lenient(), &refused).expect("a 400 is an error");
/// assert_eq!(error.code, Some(ErrorCode::Other("unsupported_token_type".into())));
/// assert_eq!(error.description.as_deref(), Some("only refresh tokens"));
/// assert_eq!(error.source, ErrorSource::OAuthBody);
///
/// // Revocation's success: a 200 with an empty body.
/// let revoked = http::Response::builder().status(200).body("")?;
/// assert!(parse_error_response(&Quirks::lenient(), &revoked).is_none());
/// # Ok::<(), http::Error>(())
/// ```
#[must_use]
pub fn parse_error_response<B: AsRef<[u8]>>(quirks: &Quirks, response: &Response<B>) -> Option<ServerError> {
    let (status, headers, body) = (response.status(), response.headers(), response.body().as_ref());
    if status.is_client_error() || status.is_server_error() {
        return Some(read(quirks, status, headers, body));
    }
    if body.len() > quirks.max_body_bytes {
        return None;
    }
    let error = described(quirks, status, headers, body)?;
    Some(finish(error, status, headers, body))
}

/// The RFC 6749 §5.2 members of an error body.
pub(crate) struct OAuthFields<'a> {
    /// `error`.
    pub(crate) error: &'a str,
    /// `error_description`, when it is a string.
    pub(crate) description: Option<&'a str>,
    /// `error_uri`, when it is a string.
    pub(crate) uri: Option<&'a str>,
}

/// The error a 4xx or 5xx answer stands for: what its body says (within the cap), else its
/// challenge, else its status.
pub(crate) fn read(quirks: &Quirks, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ServerError {
    let described = if body.len() > quirks.max_body_bytes { None } else { described(quirks, status, headers, body) };
    finish(described.unwrap_or_else(|| ServerError::new(status)), status, headers, body)
}

/// The error an answer stands for whose §5.2 members were already read (a token answer that
/// carried `error`).
pub(crate) fn from_fields(
    fields: &OAuthFields<'_>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ServerError {
    finish(oauth_error(status, fields), status, headers, body)
}

/// The error a vendor envelope finds in a JSON body, if the profile has an envelope and it does.
pub(crate) fn from_envelope(
    quirks: &Quirks,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<ServerError> {
    quirks.error_envelope?;
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = envelope_error(quirks, status, &value)?;
    Some(finish(error, status, headers, body))
}

/// What the body says: its §5.2 members (JSON, or a form), else the vendor envelope's reading
/// of it. `None` when it says neither.
fn described(quirks: &Quirks, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Option<ServerError> {
    let trimmed = body.trim_ascii();
    if trimmed.first() == Some(&b'{') {
        let text = std::str::from_utf8(body).ok()?;
        let members: Members = serde_json::from_str(text).ok()?;
        if let Some(error) = members.error.as_deref() {
            let fields =
                OAuthFields { error, description: members.description.as_deref(), uri: members.uri.as_deref() };
            return Some(oauth_error(status, &fields));
        }
        quirks.error_envelope?;
        let value: Value = serde_json::from_str(text).ok()?;
        return envelope_error(quirks, status, &value);
    }
    if is_labelled_form(headers) || looks_like_form(trimmed) {
        if let Some(error) = form_error(status, body) {
            return Some(error);
        }
    }
    quirks.error_envelope?;
    let value: Value = serde_json::from_slice(body).ok()?;
    envelope_error(quirks, status, &value)
}

/// The §5.2 members of a JSON object, each kept when it is a string (the last of a repeated name
/// wins); every other member is skipped unread, so a number no float holds elsewhere is no
/// obstacle.
#[derive(Default)]
struct Members {
    error: Option<String>,
    description: Option<String>,
    uri: Option<String>,
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Members::default();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    let slot = match &*name {
                        "error" => &mut members.error,
                        "error_description" => &mut members.description,
                        "error_uri" => &mut members.uri,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value::<Value>()?.as_str().map(str::to_owned);
                }
                Ok(members)
            }
        }
        d.deserialize_map(V)
    }
}

/// The §5.2 members of a form body (the last of a repeated name wins), when it has `error`.
fn form_error(status: StatusCode, body: &[u8]) -> Option<ServerError> {
    std::str::from_utf8(body).ok()?;
    let (mut error, mut description, mut uri) = (None::<Cow<'_, str>>, None, None);
    for (name, value) in form_urlencoded::parse(body.trim_ascii()) {
        match &*name {
            "error" => error = Some(value),
            "error_description" => description = Some(value),
            "error_uri" => uri = Some(value),
            _ => {}
        }
    }
    let fields = OAuthFields { error: error.as_deref()?, description: description.as_deref(), uri: uri.as_deref() };
    Some(oauth_error(status, &fields))
}

fn oauth_error(status: StatusCode, fields: &OAuthFields<'_>) -> ServerError {
    let mut error = ServerError::new(status);
    error.code = Some(ErrorCode::from_code(fields.error));
    error.source = ErrorSource::OAuthBody;
    error.description = fields.description.map(Into::into);
    error.uri = fields.uri.map(Into::into);
    error
}

fn envelope_error(quirks: &Quirks, status: StatusCode, body: &Value) -> Option<ServerError> {
    let mapped = quirks.error_envelope?.map(status, body)?;
    let mut error = ServerError::new(status);
    error.code = mapped.code;
    error.description = mapped.description;
    error.vendor_code = mapped.vendor_code;
    error.retryable = mapped.retryable;
    error.source = ErrorSource::VendorEnvelope;
    Some(error)
}

/// Adds what the headers say, and the body excerpt.
fn finish(mut error: ServerError, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ServerError {
    error.status = status;
    error.challenges = Challenge::from_headers(headers);
    error.retry_after = retry_after(headers);
    error.body = BodyExcerpt::new(body);
    if error.code.is_none() {
        // A status-only answer may still say why in its challenge (RFC 6750 §3).
        error.code = error.challenges.iter().find_map(Challenge::error);
        if error.code.is_some() && error.source == ErrorSource::StatusOnly {
            error.source = ErrorSource::Challenge;
        }
    }
    error
}

/// The answer's `Retry-After`, when present and well-formed.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<RetryAfter> {
    RetryAfter::parse(headers.get(RETRY_AFTER)?)
}
