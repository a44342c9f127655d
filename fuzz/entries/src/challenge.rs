//! The `WWW-Authenticate` target: `Challenge::parse_all`, `Challenge::from_headers`,
//! `is_invalid_token` and `RetryOn401`.

use oauth_core::http::header::WWW_AUTHENTICATE;
use oauth_core::http::{HeaderMap, HeaderValue, StatusCode};
use oauth_core::{Challenge, ErrorCode, RetryOn401, is_invalid_token};

/// Reads the input as `WWW-Authenticate` header values, one per line.
///
/// Checks: every challenge has a scheme made of token characters, every parameter a name;
/// `param` gives the first value of a name in any case and `error` reads that value; reading
/// all the headers at once gives each header's challenges in order; only a 401 can say the
/// token is invalid, and `RetryOn401` agrees with `is_invalid_token`.
pub fn challenge(data: &[u8]) {
    let mut headers = HeaderMap::new();
    let mut expected = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        let parsed = Challenge::parse_all(&String::from_utf8_lossy(line));
        parsed.iter().for_each(check);
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(WWW_AUTHENTICATE, value);
            expected.extend(parsed);
        }
    }
    assert_eq!(Challenge::from_headers(&headers), expected, "the headers read together differ from one by one");
    let invalid = is_invalid_token(StatusCode::UNAUTHORIZED, &headers);
    assert_eq!(invalid, RetryOn401::InvalidToken.applies(StatusCode::UNAUTHORIZED, &headers));
    assert!(!is_invalid_token(StatusCode::FORBIDDEN, &headers), "a 403 read as an invalid token");
    assert!(RetryOn401::Any.applies(StatusCode::UNAUTHORIZED, &headers));
    assert!(!RetryOn401::Never.applies(StatusCode::UNAUTHORIZED, &headers));
}

fn check(challenge: &Challenge) {
    let scheme = challenge.scheme();
    assert!(!scheme.is_empty(), "a challenge without a scheme: {challenge:?}");
    assert!(scheme.bytes().all(is_tchar), "a scheme with a non-token character: {challenge:?}");
    assert!(challenge.is_scheme(&scheme.to_ascii_uppercase()));
    for (name, value) in challenge.params() {
        assert!(!name.is_empty(), "a parameter without a name: {challenge:?}");
        let first = challenge.params().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        assert_eq!(challenge.param(&name.to_ascii_uppercase()), first, "{challenge:?}");
        let _ = value.len();
    }
    assert_eq!(challenge.error(), challenge.param("error").map(ErrorCode::from_code));
    let _ = (challenge.token68(), format!("{challenge:?}"));
}

/// RFC 9110 §5.6.2 token characters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
