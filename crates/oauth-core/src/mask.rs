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

/// `text` with `secret` replaced by `[redacted]` in every spelling a server may echo it in: as
/// is, JSON-escaped (also with `\/` for `/`, as PHP writes it) and form-encoded. `None` when
/// there is nothing to replace.
fn scrubbed(text: &str, secret: &str) -> Option<String> {
    if secret.is_empty() {
        return None;
    }
    let quoted = serde_json::Value::from(secret).to_string();
    // Invariant: a JSON string is written between two ASCII quotes.
    let json = &quoted[1..quoted.len() - 1];
    let slashed = json.replace('/', "\\/");
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut out: Option<String> = None;
    for spelling in [secret, json, &slashed, &form] {
        let current = out.as_deref().unwrap_or(text);
        if current.contains(spelling) {
            out = Some(current.replace(spelling, crate::secret::REDACTED));
        }
    }
    out
}

/// Masks the value after every sensitive field name, in JSON (`"name": "value"`) and form
/// (`name=value`) spellings, up to the value's end (or the end of the excerpt, if cut).
fn mask_sensitive_values(text: &mut String) {
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
