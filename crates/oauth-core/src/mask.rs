//! Keeping secrets out of what errors carry: the body excerpt with token-bearing values masked,
//! and the scrubbing of credentials a server echoes back.
//!
//! Masking works without knowing any secret: it blanks the values of fields whose names say they
//! hold one. Scrubbing needs the secret: [`TokenError::scrub`] replaces it wherever the server
//! repeated it, in every spelling a server may use.

use std::fmt;

use crate::TokenError;

impl TokenError {
    /// Replaces every occurrence of `secret` in the texts this error keeps from the server (body
    /// excerpt, description, URI, vendor code, challenges) with `[redacted]`, whether written as
    /// is, JSON-escaped or form-encoded. Used when a server echoes a credential back.
    pub fn scrub(&mut self, secret: &str) {
        match self {
            Self::Misuse(_) => {}
            Self::Server(e) => {
                e.body.scrub(secret);
                for text in [&mut e.description, &mut e.uri, &mut e.vendor_code].into_iter().flatten() {
                    scrub_text(text, secret);
                }
                for challenge in &mut e.challenges {
                    challenge.scrub(secret);
                }
            }
            Self::Protocol(e) => e.body.scrub(secret),
        }
    }
}

/// The start of a response body, kept for diagnosis, with the values of token-bearing fields
/// (`access_token`, `refresh_token`, `id_token`, `client_secret`, `password`, …) masked.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BodyExcerpt {
    text: Box<str>,
    total_len: usize,
}

/// How much of a body an error keeps.
pub const BODY_EXCERPT_LIMIT: usize = 512;

const SENSITIVE_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "assertion",
    "client_assertion",
    "device_code",
];

impl BodyExcerpt {
    /// Keeps the first [`BODY_EXCERPT_LIMIT`] bytes of `body` (cut at a character boundary),
    /// invalid UTF-8 replaced, token-bearing values masked.
    #[must_use]
    pub fn new(body: &[u8]) -> Self {
        let head = &body[..body.len().min(BODY_EXCERPT_LIMIT)];
        let mut text = String::from_utf8_lossy(head).into_owned();
        if head.len() < body.len() {
            // The cut may have split a multi-byte character; the lossy decode turned that into
            // U+FFFD, which is kept so the reader sees something was cut.
            text.push('…');
        }
        mask_sensitive_values(&mut text);
        Self { text: text.into(), total_len: body.len() }
    }

    /// The kept text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The body's full length in bytes.
    #[must_use]
    pub fn total_len(&self) -> usize {
        self.total_len
    }

    /// Whether nothing was kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn scrub(&mut self, secret: &str) {
        let mut text = scrubbed(&self.text, secret);
        // A cut may split an echo: the start of the secret at the very end is still the secret.
        let current = text.as_deref().unwrap_or(&self.text);
        if let Some(head) = current.strip_suffix('…').filter(|_| self.total_len > BODY_EXCERPT_LIMIT) {
            let cut = (1..secret.len()).rev().find(|&n| secret.is_char_boundary(n) && head.ends_with(&secret[..n]));
            if let Some(n) = cut {
                text = Some(format!("{}{}…", &head[..head.len() - n], crate::secret::REDACTED));
            }
        }
        if let Some(text) = text {
            self.text = text.into();
        }
    }
}

impl fmt::Debug for BodyExcerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyExcerpt").field("text", &self.text).field("total_len", &self.total_len).finish()
    }
}

pub(crate) fn scrub_text(text: &mut Box<str>, secret: &str) {
    if let Some(scrubbed) = scrubbed(text, secret) {
        *text = scrubbed.into();
    }
}

/// Secrets shorter than this are not replaced inside a text but drop the whole text: replacing
/// `x` would garble every word holding an `x` (`e[redacted]pires_in`), and the gaps would show
/// where the secret sat.
pub(crate) const SHORTEST_SCRUBBED: usize = 8;

/// `text` with `secret` replaced by `[redacted]` in every spelling a server may echo it in: as
/// is, JSON-escaped (also with `\/` for `/`, as PHP writes it), form-encoded (`+` for a space)
/// and percent-encoded (`%20`). `None` when there is nothing to replace. A spelling shorter than
/// [`SHORTEST_SCRUBBED`] found anywhere makes the whole text `[redacted]`.
pub(crate) fn scrubbed(text: &str, secret: &str) -> Option<String> {
    if secret.is_empty() {
        return None;
    }
    let quoted = serde_json::Value::from(secret).to_string();
    // Invariant: a JSON string is written between two ASCII quotes.
    let json = &quoted[1..quoted.len() - 1];
    let slashed = json.replace('/', "\\/");
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    let mut out: Option<String> = None;
    for spelling in [secret, json, &slashed, &form, &percent] {
        let current = out.as_deref().unwrap_or(text);
        if current.contains(spelling) {
            if spelling.len() < SHORTEST_SCRUBBED {
                return Some(crate::secret::REDACTED.to_owned());
            }
            out = Some(current.replace(spelling, crate::secret::REDACTED));
        }
    }
    out
}

/// Masks the values of token-bearing fields: by name (the RFC's fields, whatever their JSON
/// type) and by structure (any JSON string or form value whose key, compared without case and
/// without `_` and `-`, names a token, secret, password, assertion or code — `accessToken`,
/// `Refresh-Token`, `id_Token`, `apiSecret`, `device_code`).
fn mask_sensitive_values(text: &mut String) {
    mask_named_fields(text);
    mask_by_key_shape(text);
}

/// Whether a key, normalised, names something secret. A key ending in `code` counts unless its
/// value is all digits: `errorCode: 12` and a vendor envelope's `code: "0000"` are diagnostics, an
/// authorization or device code never is.
fn key_is_sensitive(key: &str, value: &str) -> bool {
    let normalised: String = key.chars().filter(|c| !matches!(c, '_' | '-')).flat_map(char::to_lowercase).collect();
    const SECRET_ENDINGS: [&str; 6] = ["token", "secret", "password", "passwd", "assertion", "apikey"];
    SECRET_ENDINGS.iter().any(|end| normalised.ends_with(end))
        || (normalised.ends_with("code") && !value.bytes().all(|b| b.is_ascii_digit()))
}

/// Masks every JSON string value, and every form value, whose key is sensitive by shape.
fn mask_by_key_shape(text: &mut String) {
    let mut spans = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let key_start = i + 1;
        let key_len = json_string_len(&text[key_start..]);
        let after_key = key_start + key_len + 1;
        i = after_key;
        let rest = text.get(after_key..).unwrap_or_default();
        let Some(value) = rest.trim_start().strip_prefix(':').map(str::trim_start) else { continue };
        let Some(inner) = value.strip_prefix('"') else { continue };
        let value_start = text.len() - inner.len();
        let value_len = json_string_len(inner);
        let key = decode_json_string(&text[key_start..key_start + key_len]);
        if value_len > 0 && key_is_sensitive(&key, &inner[..value_len]) {
            spans.push((value_start, value_start + value_len));
        }
        i = value_start + value_len + 1;
    }
    // Form bodies: `key=value&…`, only when the text has no JSON quotes at all.
    if spans.is_empty() && !text.contains('"') {
        let mut at = 0;
        for pair in text.split('&') {
            if let Some((key, value)) = pair.split_once('=') {
                let key: String =
                    form_urlencoded::parse(format!("{key}=").as_bytes()).map(|(k, _)| k.into_owned()).collect();
                if !value.is_empty() && key_is_sensitive(&key, value) {
                    let start = at + pair.len() - value.len();
                    spans.push((start, start + value.len()));
                }
            }
            at += pair.len() + 1;
        }
    }
    for (start, end) in spans.into_iter().rev() {
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            text.replace_range(start..end, crate::secret::REDACTED);
        }
    }
}

/// A JSON string's content with its escapes decoded (as is, if it is not valid).
fn decode_json_string(content: &str) -> String {
    serde_json::from_str::<String>(&format!("\"{content}\"")).unwrap_or_else(|_| content.to_owned())
}

/// Masks the value after every sensitive field name, in JSON (`"name": "value"`) and form
/// (`name=value`) spellings, up to the value's end (or the end of the excerpt, if cut).
fn mask_named_fields(text: &mut String) {
    for field in SENSITIVE_FIELDS {
        let mut from = 0;
        while let Some(found) = text[from..].find(field) {
            let name_start = from + found;
            let name_end = name_start + field.len();
            from = name_end;
            // The name must stand alone: not the tail of `my_code` nor the head of `codes`.
            let before = text[..name_start].chars().next_back();
            let after = text[name_end..].chars().next();
            let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            if before.is_some_and(is_word) || after.is_some_and(is_word) {
                continue;
            }
            if let Some((start, end)) = value_span(text, name_end) {
                text.replace_range(start..end, crate::secret::REDACTED);
                from = start + crate::secret::REDACTED.len();
            }
        }
    }
}

/// The byte range of the value that follows a field name ending at `at`: a JSON string after
/// `"` `:`, or a form value after `=`.
fn value_span(text: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &text[at..];
    let trimmed = rest.trim_start_matches('"').trim_start();
    if let Some(after_colon) = trimmed.strip_prefix(':') {
        let value = after_colon.trim_start();
        let value_at = text.len() - value.len();
        if let Some(inner) = value.strip_prefix('"') {
            let start = value_at + 1;
            let len = json_string_len(inner);
            return (len > 0).then_some((start, start + len));
        }
        // A bare value (a number, `null`) runs to a delimiter; an object or array to its end.
        let len = if value.starts_with(['{', '[']) {
            bracketed_len(value)
        } else {
            value.find([',', '}', ']', '\n', '\r', ' ']).unwrap_or(value.len())
        };
        return (len > 0).then_some((value_at, value_at + len));
    }
    let value = rest.strip_prefix('=')?;
    let start = at + 1;
    let len = value.find(['&', '\n', '\r', ' ']).unwrap_or(value.len());
    (len > 0).then_some((start, start + len))
}

/// Length of a JSON object or array up to its closing bracket (or the end of the text).
fn bracketed_len(value: &str) -> usize {
    let bytes = value.as_bytes();
    let (mut depth, mut in_string, mut i) = (0_usize, false, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'{' | b'[' if !in_string => depth += 1,
            b'}' | b']' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Length of a JSON string's content up to its closing quote (or the end of the text).
fn json_string_len(inner: &str) -> usize {
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}
