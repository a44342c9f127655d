//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1) and the Bearer error codes (RFC 6750 §3.1).
//!
//! The parser is lenient where real servers are sloppy — any scheme case, no space after a
//! comma, empty list elements, duplicate parameters, several headers — and never fails: a part it
//! cannot read ends that header's parse, and everything read before it is kept.

use std::fmt;

use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, StatusCode};

use crate::ErrorCode;

/// One authentication challenge: a scheme with a token68 or a list of parameters.
///
/// # Examples
/// ```
/// use oauth_core::Challenge;
/// let all = Challenge::parse_all(r#"Basic realm="api", Bearer error="invalid_token",error_description="expired""#);
/// assert_eq!(all.len(), 2);
/// assert!(all[1].is_scheme("bearer"));
/// assert_eq!(all[1].param("error"), Some("invalid_token"));
/// assert_eq!(all[1].param("ERROR_DESCRIPTION"), Some("expired"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    scheme: Box<str>,
    token68: Option<Box<str>>,
    params: Vec<(Box<str>, Box<str>)>,
}

impl Challenge {
    /// The scheme as the server spelled it.
    #[must_use]
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `name`, ignoring case (schemes are case-insensitive).
    #[must_use]
    pub fn is_scheme(&self, name: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(name)
    }

    /// The token68 form of the challenge's data, when it used that form.
    #[must_use]
    pub fn token68(&self) -> Option<&str> {
        self.token68.as_deref()
    }

    /// The first value of parameter `name` (names are case-insensitive).
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| &**v)
    }

    /// Every parameter in order, duplicates included.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (&**n, &**v))
    }

    /// The `error` parameter as an [`ErrorCode`] (`invalid_token`, `insufficient_scope`, …).
    #[must_use]
    pub fn error(&self) -> Option<ErrorCode> {
        self.param("error").map(ErrorCode::from_code)
    }

    /// Replaces `secret` in the token68 and the parameter values (see [`TokenError::scrub`](crate::TokenError::scrub)).
    pub(crate) fn scrub(&mut self, secret: &str) {
        for value in self.token68.iter_mut().chain(self.params.iter_mut().map(|(_, v)| v)) {
            crate::mask::scrub_text(value, secret);
        }
    }

    /// Parses one header value into its challenges.
    #[must_use]
    pub fn parse_all(value: &str) -> Vec<Self> {
        let mut out = Vec::new();
        Parser { s: value.as_bytes(), i: 0 }.challenges(&mut out);
        out
    }

    /// Parses every `WWW-Authenticate` header of a response, in order. Values that are not
    /// visible ASCII are read as far as they are text.
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Vec<Self> {
        let mut out = Vec::new();
        for value in headers.get_all(WWW_AUTHENTICATE) {
            let text = String::from_utf8_lossy(value.as_bytes());
            Parser { s: text.as_bytes(), i: 0 }.challenges(&mut out);
        }
        out
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Challenge");
        d.field("scheme", &self.scheme);
        if let Some(t) = &self.token68 {
            d.field("token68", t);
        }
        d.field("params", &self.params).finish()
    }
}

/// Whether a resource's answer says the token it was given is no longer good: a 401 whose
/// Bearer challenge carries `error="invalid_token"` (RFC 6750 §3.1).
///
/// # Examples
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert(http::header::WWW_AUTHENTICATE,
///     http::HeaderValue::from_static(r#"Bearer realm="x",error="invalid_token""#));
/// assert!(oauth_core::is_invalid_token(http::StatusCode::UNAUTHORIZED, &headers));
/// assert!(!oauth_core::is_invalid_token(http::StatusCode::FORBIDDEN, &headers));
/// ```
#[must_use]
pub fn is_invalid_token(status: http::StatusCode, headers: &HeaderMap) -> bool {
    status == http::StatusCode::UNAUTHORIZED
        && Challenge::from_headers(headers)
            .iter()
            .any(|c| c.is_scheme("bearer") && c.error() == Some(ErrorCode::InvalidToken))
}

/// When a resource's 401 means "get a new token and try once more". A profile says which its
/// vendor's APIs need ([`TokenConfig::retry_on_401`](crate::TokenConfig::retry_on_401)); the
/// middlewares default to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RetryOn401 {
    /// Only a 401 whose Bearer challenge says `error="invalid_token"` (RFC 6750 §3.1).
    #[default]
    InvalidToken,
    /// Any 401 (for resources that send no challenge, such as status-only APIs).
    Any,
    /// Never.
    Never,
}

impl RetryOn401 {
    /// Whether an answer with `status` and `headers` calls for a new token and one retry.
    ///
    /// # Examples
    /// ```
    /// use http::{HeaderMap, HeaderValue, StatusCode, header::WWW_AUTHENTICATE};
    /// use oauth_core::RetryOn401;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer error="invalid_token""#));
    /// assert!(RetryOn401::InvalidToken.applies(StatusCode::UNAUTHORIZED, &headers));
    /// assert!(!RetryOn401::InvalidToken.applies(StatusCode::UNAUTHORIZED, &HeaderMap::new()));
    /// assert!(RetryOn401::Any.applies(StatusCode::UNAUTHORIZED, &HeaderMap::new()));
    /// assert!(!RetryOn401::Any.applies(StatusCode::FORBIDDEN, &headers));
    /// ```
    #[must_use]
    pub fn applies(self, status: StatusCode, headers: &HeaderMap) -> bool {
        match self {
            Self::InvalidToken => is_invalid_token(status, headers),
            Self::Any => status == StatusCode::UNAUTHORIZED,
            Self::Never => false,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// Skips whitespace and commas (empty list elements are allowed, RFC 9110 §5.6.1).
    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> Option<&str> {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        // tchar is ASCII, so the slice is valid UTF-8.
        (self.i > start).then(|| std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default())
    }

    fn challenges(&mut self, out: &mut Vec<Challenge>) {
        loop {
            self.skip_separators();
            let Some(scheme) = self.token() else { return };
            let mut challenge = Challenge { scheme: scheme.into(), token68: None, params: Vec::new() };
            self.skip_ws();
            let readable = match self.try_token68() {
                Some(t68) => {
                    challenge.token68 = Some(t68.into());
                    true
                }
                None => self.params(&mut challenge),
            };
            out.push(challenge);
            if !readable {
                // A parameter whose value cannot be read: its name must not be taken for the
                // scheme of another challenge, so this header ends here.
                return;
            }
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(b',') => {}
                // Something unreadable: keep what was read, stop this header.
                Some(_) => return,
            }
        }
    }

    /// A token68 stands alone: its characters, optional `=` padding, then a comma or the end.
    fn try_token68(&mut self) -> Option<&str> {
        let start = self.i;
        let mut j = self.i;
        while self.s.get(j).copied().is_some_and(is_token68_char) {
            j += 1;
        }
        if j == start {
            return None;
        }
        while self.s.get(j) == Some(&b'=') {
            j += 1;
        }
        let mut k = j;
        while matches!(self.s.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        if !matches!(self.s.get(k), None | Some(b',')) {
            return None;
        }
        self.i = j;
        std::str::from_utf8(&self.s[start..j]).ok()
    }

    /// Reads the parameters of one challenge; `false` when a parameter's value is unreadable
    /// (an unterminated quoted string, a missing value).
    fn params(&mut self, challenge: &mut Challenge) -> bool {
        loop {
            let save = self.i;
            self.skip_separators();
            let Some(name) = self.token().map(str::to_owned) else {
                self.i = save;
                return true;
            };
            self.skip_ws();
            if self.peek() != Some(b'=') {
                // A bare token: the scheme of the next challenge. Rewind to the separator
                // before it, so the challenge loop sees the comma.
                self.i = save;
                return true;
            }
            self.i += 1;
            self.skip_ws();
            let value = if self.peek() == Some(b'"') { self.quoted() } else { self.token().map(str::to_owned) };
            let Some(value) = value else {
                self.i = save;
                return false;
            };
            challenge.params.push((name.into(), value.into()));
            self.skip_ws();
            if self.peek() != Some(b',') {
                return true;
            }
        }
    }

    fn quoted(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let escaped = self.peek()?;
                    self.i += 1;
                    out.push(escaped);
                }
                _ => out.push(b),
            }
        }
        None // unterminated
    }
}
