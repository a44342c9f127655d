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

/// How a success answer's body is written.
pub(crate) enum Format {
    Json,
    Form,
}

/// Why a body's format could not be told.
pub(crate) enum FormatProblem {
    EmptyBody,
    UnexpectedContentType,
}

/// The body's format by its label, then by its look, under `quirks`: what every reader of a
/// success answer (token, device authorization) decides the same way.
pub(crate) fn body_format(quirks: &crate::Quirks, headers: &HeaderMap, body: &[u8]) -> Result<Format, FormatProblem> {
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Err(FormatProblem::EmptyBody);
    }
    match media_type(headers) {
        Some(media) if is_json_media(media) => return Ok(Format::Json),
        Some(media) if media.eq_ignore_ascii_case(FORM_MEDIA) && quirks.form_encoded_success => {
            return Ok(Format::Form);
        }
        _ => {}
    }
    if quirks.json_any_content_type && matches!(trimmed.first(), Some(b'{' | b'[')) {
        return Ok(Format::Json);
    }
    if quirks.form_encoded_success && looks_like_form(trimmed) {
        return Ok(Format::Form);
    }
    if quirks.json_any_content_type {
        // Let the JSON reader say what is wrong (HTML from a proxy, plain text, …).
        return Ok(Format::Json);
    }
    Err(FormatProblem::UnexpectedContentType)
}

/// The kind of JSON value that starts with `first`.
pub(crate) fn json_kind_of(first: u8) -> crate::JsonKind {
    use crate::JsonKind;
    match first {
        b'[' => JsonKind::Array,
        b'"' => JsonKind::String,
        b't' | b'f' => JsonKind::Bool,
        b'n' => JsonKind::Null,
        b'{' => JsonKind::Object,
        _ => JsonKind::Number,
    }
}
