//! Response cases that are errors: what is worth retrying (status, `Retry-After`, the error code), codes taken from a
//! challenge, and the CloudCX-like and Bright-Pattern-like vendor envelopes read through a profile's switch.

use std::time::Duration;

use oauth_core::http::HeaderValue;
use oauth_core::{ErrorCode, ErrorSource, ProtocolErrorKind, RetryAfter};

use crate::{
    BRIGHT_PATTERN_ENVELOPE, Body, CLOUDCX_ENVELOPE, Case, Expect, FORM, HTML, JSON, Preset, Srv, Tok, proto, srv, tok,
};

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
pub(crate) fn cases() -> Vec<Case> {
    use Body::Text;
    use ErrorSource::{Challenge, OAuthBody, StatusOnly, VendorEnvelope};
    use Preset::Lenient;
    use ProtocolErrorKind as K;
    vec![
        // --- errors and retrying ---
        Case {
            name: "html_502_from_a_proxy_is_a_retryable_status_only_error",
            source: "edge case (nginx's default 502 page)",
            status: 502,
            headers: HTML,
            body: Text(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>\
                 </center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
            ),
            quirks: Lenient,
            expect: Expect::Server(srv(None, StatusOnly, true)),
        },
        Case {
            name: "rate_limited_429_with_retry_after_seconds_is_retryable",
            source: "RFC 6585 §4; Bright Pattern's documentation (Bright Pattern answers 429)",
            status: 429,
            headers: &[("retry-after", "120")],
            body: Text(""),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                retry_after: Some(RetryAfter::Delay(Duration::from_secs(120))),
                ..srv(None, StatusOnly, true)
            }),
        },
        Case {
            name: "unavailable_503_with_retry_after_date_is_retryable",
            source: "RFC 9110 §10.2.3 (HTTP-date form)",
            status: 503,
            headers: &[("content-type", "application/json"), ("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")],
            body: Text(r#"{"error":"temporarily_unavailable"}"#),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                retry_after: Some(RetryAfter::Date(HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"))),
                ..srv(Some(ErrorCode::TemporarilyUnavailable), OAuthBody, true)
            }),
        },
        Case {
            name: "retry_after_that_is_neither_form_is_dropped",
            source: "edge case",
            status: 503,
            headers: &[("retry-after", "soon")],
            body: Text(""),
            quirks: Lenient,
            expect: Expect::Server(srv(None, StatusOnly, true)),
        },
        Case {
            name: "form_encoded_server_error_body_is_read",
            source: "edge case",
            status: 500,
            headers: FORM,
            body: Text("error=server_error&error_description=database+down"),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                description: Some("database down"),
                ..srv(Some(ErrorCode::ServerError), OAuthBody, true)
            }),
        },
        Case {
            name: "invalid_client_on_a_5xx_is_still_not_retryable",
            source: "edge case (the code outranks the status)",
            status: 500,
            headers: JSON,
            body: Text(r#"{"error":"invalid_client"}"#),
            quirks: Lenient,
            expect: Expect::Server(srv(Some(ErrorCode::InvalidClient), OAuthBody, false)),
        },
        Case {
            name: "unknown_error_code_is_kept_as_text",
            source: "edge case",
            status: 400,
            headers: JSON,
            body: Text(r#"{"error":"consent_required","error_uri":"https://as.example/errors/consent"}"#),
            quirks: Lenient,
            expect: Expect::Server(srv(Some(ErrorCode::Other("consent_required".into())), OAuthBody, false)),
        },
        Case {
            name: "status_only_401_takes_its_code_from_the_bearer_challenge",
            source: "RFC 6750 §3 example challenge",
            status: 401,
            headers: &[(
                "www-authenticate",
                r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
            )],
            body: Text(""),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                challenges: &[("Bearer", Some("invalid_token"))],
                ..srv(Some(ErrorCode::InvalidToken), Challenge, false)
            }),
        },
        // --- vendor envelopes ---
        Case {
            name: "cloudcx_like_envelope_code_0001_on_200_is_a_vendor_server_error",
            source: "CloudCX's documentation (code ≠ \"0000\" is an error even on 200); envelope shape from seeds/001",
            status: 200,
            headers: JSON,
            body: Text(r#"{"code":"0001","message":"invalid client","data":null}"#),
            quirks: CLOUDCX_ENVELOPE,
            expect: Expect::Server(Srv {
                description: Some("invalid client"),
                vendor_code: Some("0001"),
                ..srv(None, VendorEnvelope, false)
            }),
        },
        Case {
            name: "cloudcx_like_envelope_code_0000_without_a_token_is_a_missing_access_token",
            source: "CloudCX's documentation; envelope shape from seeds/001",
            status: 200,
            headers: JSON,
            body: Text(r#"{"code":"0000","message":null,"data":{"totalPages":1}}"#),
            quirks: CLOUDCX_ENVELOPE,
            expect: proto(K::MissingAccessToken),
        },
        Case {
            name: "cloudcx_like_envelope_is_ignored_without_the_profile_switch",
            source: "CloudCX's documentation; edge case",
            status: 200,
            headers: JSON,
            body: Text(r#"{"code":"0001","message":"invalid client","data":null}"#),
            quirks: Lenient,
            expect: proto(K::MissingAccessToken),
        },
        Case {
            name: "cloudcx_like_envelope_yields_to_an_rfc_error_member",
            source: "edge case",
            status: 400,
            headers: JSON,
            body: Text(r#"{"error":"invalid_grant","code":"0001","message":"bad password"}"#),
            quirks: CLOUDCX_ENVELOPE,
            expect: Expect::Server(srv(Some(ErrorCode::InvalidGrant), OAuthBody, false)),
        },
        Case {
            name: "cloudcx_like_envelope_beside_an_access_token_does_not_spoil_the_token",
            source: "edge case",
            status: 200,
            headers: JSON,
            body: Text(r#"{"code":"0001","access_token":"a1","token_type":"Bearer","expires_in":60}"#),
            quirks: CLOUDCX_ENVELOPE,
            expect: Expect::Token(Tok { extras: &[("code", r#""0001""#)], ..tok("a1", Some(60)) }),
        },
        Case {
            name: "bright_pattern_like_error_code_12_on_429_is_retryable_by_the_envelope",
            source: "Bright Pattern's documentation (Task Routing: errorCode 12 limit → HTTP 429)",
            status: 429,
            headers: JSON,
            body: Text(r#"{"errorCode":12,"errorMessage":"Request limit exceeded"}"#),
            quirks: BRIGHT_PATTERN_ENVELOPE,
            expect: Expect::Server(Srv {
                description: Some("Request limit exceeded"),
                vendor_code: Some("12"),
                ..srv(None, VendorEnvelope, true)
            }),
        },
        Case {
            name: "bright_pattern_like_retryable_verdict_outranks_a_200_status",
            source: "Bright Pattern's documentation; edge case (the envelope's word beats the status rule)",
            status: 200,
            headers: JSON,
            body: Text(r#"{"errorCode":12,"errorMessage":"Request limit exceeded"}"#),
            quirks: BRIGHT_PATTERN_ENVELOPE,
            expect: Expect::Server(Srv {
                description: Some("Request limit exceeded"),
                vendor_code: Some("12"),
                ..srv(None, VendorEnvelope, true)
            }),
        },
        Case {
            name: "bright_pattern_like_error_code_1_is_invalid_client",
            source: "Bright Pattern's documentation (Task Routing: errorCode 1 auth failed)",
            status: 401,
            headers: JSON,
            body: Text(r#"{"errorCode":1,"errorMessage":"Authentication failed"}"#),
            quirks: BRIGHT_PATTERN_ENVELOPE,
            expect: Expect::Server(Srv {
                description: Some("Authentication failed"),
                vendor_code: Some("1"),
                ..srv(Some(ErrorCode::InvalidClient), VendorEnvelope, false)
            }),
        },
    ]
}
