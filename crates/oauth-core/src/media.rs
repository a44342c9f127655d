//! Telling a body's format from its `Content-Type` and its first bytes, for the readers of
//! token answers and of error answers.

use http::HeaderMap;
use http::header::CONTENT_TYPE;

/// `application/x-www-form-urlencoded`, as compared (ASCII case-insensitively) with a media type.
pub(crate) const FORM_MEDIA: &[u8] = b"application/x-www-form-urlencoded";

/// The media type of `Content-Type`, parameters dropped, as bytes (compared as ASCII only).
pub(crate) fn media_type(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(CONTENT_TYPE)?.as_bytes();
    let end = value.iter().position(|&b| b == b';').unwrap_or(value.len());
    Some(value[..end].trim_ascii())
}

/// `application/json` or any `…+json` type.
pub(crate) fn is_json_media(media: &[u8]) -> bool {
    media.eq_ignore_ascii_case(b"application/json")
        || media.len() > 5 && media[media.len() - 5..].eq_ignore_ascii_case(b"+json")
}

/// Whether `Content-Type` says the body is a form.
pub(crate) fn is_labelled_form(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m.eq_ignore_ascii_case(FORM_MEDIA))
}

/// `name=value(&name=value)*` with nothing that would make it markup or JSON.
pub(crate) fn looks_like_form(body: &[u8]) -> bool {
    body.contains(&b'=') && !body.iter().any(|b| matches!(b, b'<' | b'{' | b'"' | b' ' | b'\n'))
}
