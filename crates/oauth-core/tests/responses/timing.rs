//! When a response's times count from: `Retry-After` read as seconds or kept as a date, and a token's expiry counted
//! from when the request was sent.

use std::time::{Duration, Instant};

use oauth_core::http::{HeaderValue, Response};
use oauth_core::{Quirks, RetryAfter, parse_token_response};

#[test]
fn retry_after_values_are_read_as_seconds_or_kept_as_dates() {
    let date = |s: &'static str| Some(RetryAfter::Date(HeaderValue::from_static(s)));
    let table: &[(&str, &'static str, Option<RetryAfter>)] = &[
        ("seconds", "120", Some(RetryAfter::Delay(Duration::from_secs(120)))),
        ("zero seconds", "0", Some(RetryAfter::Delay(Duration::ZERO))),
        ("seconds with surrounding spaces", " 7 ", Some(RetryAfter::Delay(Duration::from_secs(7)))),
        (
            "more seconds than u64 saturates",
            "99999999999999999999999",
            Some(RetryAfter::Delay(Duration::from_secs(u64::MAX))),
        ),
        ("IMF-fixdate (RFC 9110 §5.6.7)", "Wed, 21 Oct 2015 07:28:00 GMT", date("Wed, 21 Oct 2015 07:28:00 GMT")),
        ("obsolete RFC 850 date", "Sunday, 06-Nov-94 08:49:37 GMT", date("Sunday, 06-Nov-94 08:49:37 GMT")),
        ("negative seconds", "-5", None),
        ("fractional seconds", "1.5", None),
        ("a word", "soon", None),
        ("empty", "", None),
    ];
    for (what, value, expected) in table {
        let parsed = RetryAfter::parse(&HeaderValue::from_static(value));
        assert_eq!(&parsed, expected, "{what}: {value:?}");
    }
}

#[test]
fn expiry_is_counted_from_when_the_request_was_sent_not_when_the_answer_is_read() {
    let base = Instant::now();
    let body = r#"{"access_token":"a1","token_type":"bearer","expires_in":299}"#;
    let answer = Response::builder().header("content-type", "application/json").body(body).expect("valid");
    for sent_offset in [0, 1, 299, 86_400] {
        let sent_at = base + Duration::from_secs(sent_offset);
        let token = parse_token_response(&Quirks::lenient(), &answer, sent_at).expect("a token");
        assert_eq!(token.expires_at(), Some(base + Duration::from_secs(sent_offset + 299)), "sent at +{sent_offset}s");
        assert!(!token.is_expired(sent_at + Duration::from_secs(298)));
        assert!(token.is_expired(sent_at + Duration::from_secs(299)));
    }
}
