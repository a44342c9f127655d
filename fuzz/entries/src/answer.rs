//! Fuzz bytes as an HTTP answer: the first byte picks the status, the second the content type
//! and which headers the input supplies, and the rest is header lines and then the body.
//!
//! Layout: `[status][head][lines…][body]`.
//! - `status`: `STATUSES[status % 16]`.
//! - `head`: its low 4 bits pick `CONTENT_TYPES[head & 0x0f]`; index 15 takes the `Content-Type`
//!   from the input's next line. Bit `0x10` takes a `WWW-Authenticate` value from the next line,
//!   bit `0x20` a `Retry-After` value from the line after that (in that order).
//! - A line ends at `\n` (not included); a value a header cannot carry is left out.
//! - The body is everything after the last line taken.
//!
//! So `0A{"access_token":"x"}` is a 200 labelled `application/json` (`'0'` is 0x30, `'A'` is
//! 0x41), and `7q…` a 400 labelled JSON whose first two lines are its `WWW-Authenticate` and
//! `Retry-After`.

use oauth_core::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use oauth_core::http::{HeaderName, HeaderValue, Response, StatusCode};

/// The statuses an input can pick: successes, informational and redirect answers (which are
/// never tokens), client and server errors.
pub(crate) const STATUSES: [u16; 16] = [200, 201, 204, 299, 101, 302, 304, 400, 401, 403, 404, 408, 429, 500, 503, 599];

/// The `Content-Type` an input can pick (`None`: no header); index 15 reads it from the input.
pub(crate) const CONTENT_TYPES: [Option<&str>; 15] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("application/x-www-form-urlencoded"),
    Some("application/x-www-form-urlencoded; charset=UTF-8"),
    Some("text/plain"),
    Some("text/html; charset=iso-8859-1"),
    Some("application/problem+json"),
    Some("APPLICATION/JSON"),
    Some("application/jsonp"),
    Some("Application/X-WWW-Form-Urlencoded"),
    Some(" application/json ;"),
    Some("multipart/form-data; boundary=x"),
    Some(""),
    Some("+json"),
];

/// Where the `Content-Type` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// One of [`CONTENT_TYPES`] that does not name a form (or none at all).
    NotForm,
    /// A form label, or one read from the input (which may be anything).
    MaybeForm,
}

/// An answer read from fuzz bytes, with what the checks need to know about how it was made.
pub(crate) struct Answer<'a> {
    /// The answer itself; its body borrows the input.
    pub(crate) response: Response<&'a [u8]>,
    /// Whether the body may be read as a form.
    pub(crate) label: Label,
    /// Every header value the answer carries, as bytes (a secret planted in the body must not
    /// be looked for where the input also put it in a header).
    pub(crate) header_bytes: Vec<u8>,
}

impl Answer<'_> {
    /// The answer's status.
    pub(crate) fn status(&self) -> StatusCode {
        self.response.status()
    }

    /// The answer's body.
    pub(crate) fn body(&self) -> &[u8] {
        self.response.body()
    }
}

/// Reads an answer from `data` (see the module's doc for the layout).
pub(crate) fn answer(data: &[u8]) -> Answer<'_> {
    let (status, head, mut rest) = match data {
        [status, head, rest @ ..] => (*status, *head, rest),
        [status] => (*status, 0, &[][..]),
        [] => (0, 0, &[][..]),
    };
    let mut response = Response::new(&[][..]);
    *response.status_mut() = status_of(status);
    let mut header_bytes = Vec::new();
    let mut insert = |name: HeaderName, value: &[u8]| {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            header_bytes.extend_from_slice(value.as_bytes());
            header_bytes.push(b'\n');
            response.headers_mut().append(name, value);
        }
    };
    let index = usize::from(head & 0x0f);
    let label = match CONTENT_TYPES.get(index) {
        Some(None) => Label::NotForm,
        Some(Some(media)) => {
            insert(CONTENT_TYPE, media.as_bytes());
            if media.to_ascii_lowercase().contains("form-urlencoded") { Label::MaybeForm } else { Label::NotForm }
        }
        None => {
            insert(CONTENT_TYPE, take_line(&mut rest));
            Label::MaybeForm
        }
    };
    if head & 0x10 != 0 {
        insert(WWW_AUTHENTICATE, take_line(&mut rest));
    }
    if head & 0x20 != 0 {
        insert(RETRY_AFTER, take_line(&mut rest));
    }
    *response.body_mut() = rest;
    Answer { response, label, header_bytes }
}

/// Reads `[status][body]` as an answer labelled `application/x-www-form-urlencoded`.
pub(crate) fn form_answer(data: &[u8]) -> Answer<'_> {
    let (status, body) = data.split_first().map_or((0, &[][..]), |(status, body)| (*status, body));
    let mut response = Response::new(body);
    *response.status_mut() = status_of(status);
    let media = "application/x-www-form-urlencoded";
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(media));
    Answer { response, label: Label::MaybeForm, header_bytes: media.as_bytes().to_vec() }
}

/// The status `byte` picks.
pub(crate) fn status_of(byte: u8) -> StatusCode {
    let code = STATUSES[usize::from(byte) % STATUSES.len()];
    // Invariant: every entry of STATUSES is a three-digit code from 100 to 999.
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

/// Splits off the bytes up to the next `\n` (all of them if there is none), dropping the `\n`.
pub(crate) fn take_line<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let bytes: &'a [u8] = rest;
    match bytes.iter().position(|&b| b == b'\n') {
        Some(end) => {
            *rest = &bytes[end + 1..];
            &bytes[..end]
        }
        None => {
            *rest = &[];
            bytes
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_pick_status_label_and_headers() {
        let json = answer(br#"0A{"access_token":"x"}"#);
        assert_eq!(json.status(), StatusCode::OK);
        assert_eq!(json.response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(json.body(), br#"{"access_token":"x"}"#);
        assert_eq!(json.label, Label::NotForm);

        let refused = answer(b"7qBearer error=\"invalid_token\"\n120\n{}");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert_eq!(refused.response.headers()[WWW_AUTHENTICATE], "Bearer error=\"invalid_token\"");
        assert_eq!(refused.response.headers()[RETRY_AFTER], "120");
        assert_eq!(refused.body(), b"{}");

        let own_label = answer(b"0Otext/x-anything\nbody");
        assert_eq!(own_label.response.headers()[CONTENT_TYPE], "text/x-anything");
        assert_eq!(own_label.label, Label::MaybeForm);
        assert_eq!(own_label.body(), b"body");
    }

    #[test]
    fn short_and_unusable_inputs_still_make_an_answer() {
        assert_eq!(answer(b"").status(), StatusCode::OK);
        assert!(answer(b"3").body().is_empty());
        let bad_header = answer(b"0O\x01\nbody");
        assert!(bad_header.response.headers().is_empty());
        assert_eq!(bad_header.body(), b"body");
    }

    #[test]
    fn a_form_answer_is_a_status_and_a_body() {
        let form = form_answer(b"0access_token=x&token_type=bearer");
        assert_eq!(form.status(), StatusCode::OK);
        assert_eq!(form.response.headers()[CONTENT_TYPE], "application/x-www-form-urlencoded");
        assert_eq!(form.body(), b"access_token=x&token_type=bearer");
        assert_eq!(form_answer(b"").status(), StatusCode::OK);
    }
}
