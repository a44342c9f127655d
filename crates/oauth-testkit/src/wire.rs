//! Reading requests and writing token-shaped values: forms, `Authorization` headers, random ids.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use wiremock::Request;

/// A request's `application/x-www-form-urlencoded` body, pairs in order, repeats kept.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    /// The body's pairs; no pairs at all when the request is not labelled as a form, as a
    /// server's form reader would see it.
    pub(crate) fn of(request: &Request) -> Self {
        if !is_form(&request.headers) {
            return Self(Vec::new());
        }
        Self(form_urlencoded::parse(&request.body).into_owned().collect())
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A name that appears more than once.
    pub(crate) fn repeated(&self) -> Option<&str> {
        self.0
            .iter()
            .enumerate()
            .find(|(i, (n, _))| self.0[..*i].iter().any(|(m, _)| m == n))
            .map(|(_, (n, _))| n.as_str())
    }

    /// The pairs.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).is_some_and(|value| {
        let value = value.as_bytes();
        let end = value.iter().position(|&b| b == b';').unwrap_or(value.len());
        value[..end].trim_ascii().eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    })
}

/// An `Authorization` header split into its scheme and the rest.
pub(crate) struct Authorization<'a> {
    /// The scheme as written (`Basic`, `basic`, `Bearer`, …).
    pub(crate) scheme: &'a str,
    /// What follows the scheme, trimmed.
    pub(crate) credentials: &'a str,
}

/// The request's first `Authorization` header, when it is visible ASCII.
pub(crate) fn authorization(headers: &HeaderMap) -> Option<Authorization<'_>> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    Some(Authorization { scheme, credentials: credentials.trim() })
}

/// The token of an `Authorization: Bearer …` header (scheme matched without case, RFC 6750 §2.1).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    authorization(headers)
        .filter(|a| a.scheme.eq_ignore_ascii_case("bearer") && !a.credentials.is_empty())
        .map(|a| a.credentials)
}

/// The first value of a query parameter.
pub(crate) fn query(request: &Request, name: &str) -> Option<String> {
    request.url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

/// Unpredictable bytes: SipHash under the standard library's randomly keyed hasher, over a
/// counter. Good for test tokens that must differ; not for cryptography.
pub(crate) fn random_bytes(len: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        out.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A random version-4 UUID, lower-case hex.
pub(crate) fn uuid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b, false);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Bytes as hex.
pub(crate) fn hex(bytes: &[u8], upper: bool) -> String {
    let digits: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    bytes.iter().flat_map(|b| [digits[usize::from(b >> 4)] as char, digits[usize::from(b & 15)] as char]).collect()
}

/// Random bytes as unpadded base64url.
pub(crate) fn random_b64url(len: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(len))
}

/// A JWT-shaped string: base64url header and claims, and `signature_len` random bytes as the
/// signature. Nothing verifies it; it only has to look like the vendor's.
pub(crate) fn jwt(header: &serde_json::Value, claims: &serde_json::Value, signature_len: usize) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        random_b64url(signature_len)
    )
}

/// Seconds since the Unix epoch, for `iat`/`exp` claims (0 if the clock is before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// One `/`-separated path segment, percent-decoded (invalid UTF-8 replaced).
pub(crate) fn decode_segment(segment: &str) -> String {
    percent_decode(segment.as_bytes(), false)
        .map_or_else(|| segment.to_owned(), |b| String::from_utf8_lossy(&b).into_owned())
}

/// Percent-decodes `input`. With `strict`, an invalid escape fails (`None`); without, it is
/// kept as written, as Python's `unquote` does.
pub(crate) fn percent_decode(input: &[u8], strict: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            let pair = input.get(i + 1..i + 3).and_then(|h| Some((hex_value(h[0])?, hex_value(h[1])?)));
            match pair {
                Some((high, low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                    continue;
                }
                None if strict => return None,
                None => {}
            }
        }
        out.push(input[i]);
        i += 1;
    }
    Some(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_or_refuses_bad_escapes() {
        assert_eq!(percent_decode(b"a%20b%2B", true).unwrap(), b"a b+");
        assert_eq!(percent_decode(b"e%f&g", false).unwrap(), b"e%f&g");
        assert_eq!(percent_decode(b"e%f&g", true), None);
        assert_eq!(percent_decode(b"100%", true), None);
    }

    #[test]
    fn uuids_are_version_4_and_differ() {
        let (a, b) = (uuid(), uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn hex_is_two_digits_per_byte() {
        assert_eq!(hex(&[0x0a, 0xff], true), "0AFF");
        assert_eq!(hex(&[0x0a, 0xff], false), "0aff");
    }
}
