//! The error reader every endpoint shares: it reads each token-error fixture exactly as the token reader does, and reads
//! the error answers of other endpoints (revocation, introspection) while leaving their successes alone.

use std::time::Instant;

use oauth_core::http::Response;
use oauth_core::{ErrorCode, ErrorSource, Quirks, TokenError, parse_error_response, parse_token_response};

use crate::runner::response;
use crate::{CLOUDCX_ENVELOPE, Expect, FORM, HTML, Headers, JSON, NONE, Preset, cases};

#[test]
fn every_token_error_fixture_reads_the_same_through_the_shared_error_reader() {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|case| matches!(case.expect, Expect::Server(_))) {
        let quirks = case.quirks.quirks();
        let answer = response(case);
        let Err(TokenError::Server(from_token)) = parse_token_response(&quirks, &answer, Instant::now()) else {
            failures.push(format!("{}: the token reader gave no server error", case.name));
            continue;
        };
        match parse_error_response(&quirks, &answer) {
            Some(shared) if format!("{shared:?}") == format!("{from_token:?}") => {}
            other => failures.push(format!("{}: {other:?}\n  instead of {from_token:?}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn other_endpoints_error_answers_are_read_and_their_successes_are_not_errors() {
    use ErrorSource::{Challenge, OAuthBody, StatusOnly, VendorEnvelope};
    // (why, status, headers, body, quirks, Some((code, source, description, retryable)) or None for "not an error")
    type Want = Option<(Option<ErrorCode>, ErrorSource, Option<&'static str>, bool)>;
    let table: &[(&str, u16, Headers, &str, Preset, Want)] = &[
        (
            "RFC 7009 §2.2.1: revocation refuses a token type",
            400,
            JSON,
            r#"{"error":"unsupported_token_type","error_description":"refresh tokens only"}"#,
            Preset::Lenient,
            Some((
                Some(ErrorCode::Other("unsupported_token_type".into())),
                OAuthBody,
                Some("refresh tokens only"),
                false,
            )),
        ),
        ("RFC 7009 §2.2: revocation succeeds with an empty 200", 200, NONE, "", Preset::Lenient, None),
        (
            "RFC 7662 §2.2: an inactive token is an answer, not an error",
            200,
            JSON,
            r#"{"active":false}"#,
            Preset::Lenient,
            None,
        ),
        (
            "RFC 7662 §2.3: introspection refuses the caller with a Bearer challenge",
            401,
            &[("www-authenticate", r#"Bearer error="invalid_token""#)],
            "",
            Preset::Lenient,
            Some((Some(ErrorCode::InvalidToken), Challenge, None, false)),
        ),
        (
            "RFC 7009 §2.2.1: 503 while the server is down",
            503,
            HTML,
            "<h1>down</h1>",
            Preset::Lenient,
            Some((None, StatusOnly, None, true)),
        ),
        (
            "edge case: a 200 carrying `error`",
            200,
            FORM,
            "error=invalid_request&error_description=no+token",
            Preset::Lenient,
            Some((Some(ErrorCode::InvalidRequest), OAuthBody, Some("no token"), false)),
        ),
        (
            "edge case: `error` that is not a string says nothing",
            200,
            JSON,
            r#"{"error":null,"active":true}"#,
            Preset::Lenient,
            None,
        ),
        (
            "edge case: a vendor envelope's error on a 200",
            200,
            JSON,
            r#"{"code":"0003","message":"no such token","data":null}"#,
            CLOUDCX_ENVELOPE,
            Some((None, VendorEnvelope, Some("no such token"), false)),
        ),
        (
            "edge case: a vendor envelope's success",
            200,
            JSON,
            r#"{"code":"0000","message":null,"data":{}}"#,
            CLOUDCX_ENVELOPE,
            None,
        ),
        (
            "edge case: an error body beyond the cap leaves the status to speak",
            400,
            JSON,
            r#"{"error":"invalid_request","padding":"................................................................"}"#,
            Preset::Tweak("lenient, 64-byte cap", || {
                let mut quirks = Quirks::lenient();
                quirks.max_body_bytes = 64;
                quirks
            }),
            Some((None, StatusOnly, None, false)),
        ),
    ];
    for (why, status, headers, body, quirks, want) in table {
        let mut builder = Response::builder().status(*status);
        for (name, value) in *headers {
            builder = builder.header(*name, *value);
        }
        let answer = builder.body(body.as_bytes()).expect("fixture headers are valid");
        let got = parse_error_response(&quirks.quirks(), &answer);
        let got = got.map(|e| {
            assert_eq!(e.status.as_u16(), *status, "{why}");
            assert_eq!(e.body.total_len(), body.len(), "{why}: the excerpt covers the body");
            let retryable = e.is_retryable();
            (e.code, e.source, e.description.map(String::from), retryable)
        });
        let want = want
            .clone()
            .map(|(code, source, description, retryable)| (code, source, description.map(String::from), retryable));
        assert_eq!(got, want, "{why}");
    }
}
