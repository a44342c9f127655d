//! §3.2: the device authorization answer — the RFC's example read whole, `verification_url`,
//! `interval` and `expires_in` read leniently where the quirks allow, form-encoded answers, extras,
//! and every unusable or error answer as a typed error with no echoed secret.

use std::time::Duration;

use oauth_core::device::{DEFAULT_INTERVAL, DeviceAnswerProblem, DeviceAuthorizationError, DeviceAuthorizationRequest};
use oauth_core::http::Response;
use oauth_core::{BodyProblem, ClientAuth, ClientId, ClientSecret, ErrorCode, Quirks};

use crate::{DEVICE_CODE, RFC_8628_ANSWER, at, device_endpoint, json, problem, public_client, read_answer};

#[test]
fn rfc_3_2_example_answer_is_read_whole() {
    let authorization = read_answer(&json(200, RFC_8628_ANSWER), at(0)).unwrap();
    assert_eq!(authorization.device_code().secret(), DEVICE_CODE);
    assert_eq!(authorization.user_code(), "WDJB-MJHT");
    assert_eq!(authorization.verification_uri(), "https://example.com/device");
    assert_eq!(authorization.verification_uri_complete(), Some("https://example.com/device?user_code=WDJB-MJHT"));
    assert_eq!(authorization.lifetime(), Duration::from_secs(1800));
    assert_eq!(authorization.expires_at(), at(1800)); // counted from when the request was sent
    assert!(!authorization.is_expired(at(1799)));
    assert!(authorization.is_expired(at(1800)));
    assert_eq!(authorization.interval(), Duration::from_secs(5));
    assert!(authorization.extras().is_empty());
}

#[test]
fn verification_url_is_read_as_verification_uri() {
    // The answer of a server that writes `verification_url` (Google's documented example for
    // TV and limited-input devices).
    let body = r#"{"device_code":"4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#;
    let authorization = read_answer(&json(200, body), at(0)).unwrap();
    assert_eq!(authorization.verification_uri(), "https://www.google.com/device");
    assert_eq!(authorization.verification_uri_complete(), None);
    assert_eq!(authorization.user_code(), "GQVQ-JKEC");

    // Both names: the RFC's wins.
    let both = r#"{"device_code":"d","user_code":"u","verification_uri":"https://a.example","verification_url":"https://b.example","expires_in":60}"#;
    assert_eq!(read_answer(&json(200, both), at(0)).unwrap().verification_uri(), "https://a.example");
}

#[test]
fn interval_defaults_to_five_seconds_and_is_read_as_leniently_as_expires_in() {
    let with = |interval: &str| {
        let body = format!(
            r#"{{"device_code":"d","user_code":"u","verification_uri":"https://a.example","expires_in":600{interval}}}"#
        );
        read_answer(&json(200, &body), at(0)).map(|a| a.interval())
    };
    assert_eq!(with("").unwrap(), DEFAULT_INTERVAL);
    assert_eq!(DEFAULT_INTERVAL, Duration::from_secs(5));
    assert_eq!(with(r#","interval":null"#).unwrap(), DEFAULT_INTERVAL);
    assert_eq!(with(r#","interval":0"#).unwrap(), DEFAULT_INTERVAL);
    assert_eq!(with(r#","interval":0.5"#).unwrap(), DEFAULT_INTERVAL);
    assert_eq!(with(r#","interval":"10""#).unwrap(), Duration::from_secs(10));
    assert_eq!(with(r#","interval":7.9"#).unwrap(), Duration::from_secs(7));
    assert_eq!(with(r#","interval":1e1"#).unwrap(), Duration::from_secs(10));
    let bad = with(r#","interval":-1"#).unwrap_err();
    assert!(matches!(problem(&bad), DeviceAnswerProblem::InvalidInterval { .. }), "{bad:?}");
    assert!(bad.to_string().contains("`interval` is negative"), "{bad}");
}

#[test]
fn expires_in_is_read_by_the_token_answer_rules() {
    let with = |expires_in: &str, quirks: Quirks| {
        let body = format!(
            r#"{{"device_code":"d","user_code":"u","verification_uri":"https://a.example","expires_in":{expires_in}}}"#
        );
        let endpoint = device_endpoint().with_quirks(quirks);
        let (_, pending) = endpoint
            .build_request(&public_client(), &DeviceAuthorizationRequest::new())
            .expect("no client assertion to sign");
        pending.finish(&json(200, &body), at(0)).map(|a| a.lifetime())
    };
    assert_eq!(with(r#""1800""#, Quirks::lenient()).unwrap(), Duration::from_secs(1800));
    assert_eq!(with("1800.7", Quirks::lenient()).unwrap(), Duration::from_secs(1800));
    assert_eq!(with("0.2", Quirks::lenient()).unwrap(), Duration::ZERO); // already due
    assert_eq!(with("1e400", Quirks::lenient()).unwrap(), Quirks::lenient().max_lifetime); // clamped
    for (value, expected) in [
        (
            r#""1800""#,
            DeviceAnswerProblem::InvalidExpiresIn { problem: oauth_core::ExpiresInProblem::StringNotAllowed },
        ),
        ("null", DeviceAnswerProblem::InvalidExpiresIn { problem: oauth_core::ExpiresInProblem::Null }),
        ("1e400", DeviceAnswerProblem::InvalidExpiresIn { problem: oauth_core::ExpiresInProblem::TooLarge }),
    ] {
        let error = with(value, Quirks::strict()).unwrap_err();
        assert_eq!(problem(&error), &expected, "{value}");
    }
    // `null` read as absent is still a missing `expires_in`: the RFC requires it.
    let error = with("null", Quirks::lenient()).unwrap_err();
    assert_eq!(problem(&error), &DeviceAnswerProblem::MissingField { field: "expires_in" });
}

#[test]
fn a_form_encoded_answer_is_read_where_the_quirks_allow_it() {
    let body = "device_code=3584d83530557fdd1f46af8289938c8ef79f9dc5&expires_in=900&interval=5\
                &user_code=WDJB-MJHT&verification_uri=https%3A%2F%2Fexample.com%2Flogin%2Fdevice";
    let answer = Response::builder()
        .status(200)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.as_bytes().to_vec())
        .unwrap();
    let authorization = read_answer(&answer, at(0)).unwrap();
    assert_eq!(authorization.verification_uri(), "https://example.com/login/device");
    assert_eq!(authorization.lifetime(), Duration::from_secs(900));

    let (_, pending) = device_endpoint()
        .with_quirks(Quirks::strict())
        .build_request(&public_client(), &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    let error = pending.finish(&answer, at(0)).unwrap_err();
    assert_eq!(problem(&error), &DeviceAnswerProblem::Body(BodyProblem::UnexpectedContentType));
}

#[test]
fn unknown_members_are_kept_as_extras() {
    let body = r#"{"device_code":"d","user_code":"u","verification_uri":"https://a.example","expires_in":900,"message":"To sign in, use a web browser"}"#;
    let authorization = read_answer(&json(200, body), at(0)).unwrap();
    assert_eq!(authorization.extras().get("message").and_then(|v| v.as_str()), Some("To sign in, use a web browser"));
}

#[test]
fn unusable_answers_are_typed_protocol_errors() {
    use DeviceAnswerProblem as P;
    let cases: &[(&str, &str, DeviceAnswerProblem)] = &[
        (
            "no device_code",
            r#"{"user_code":"u","verification_uri":"https://a","expires_in":9}"#,
            P::MissingField { field: "device_code" },
        ),
        (
            "no user_code",
            r#"{"device_code":"d","verification_uri":"https://a","expires_in":9}"#,
            P::MissingField { field: "user_code" },
        ),
        (
            "no verification_uri",
            r#"{"device_code":"d","user_code":"u","expires_in":9}"#,
            P::MissingField { field: "verification_uri" },
        ),
        (
            "no expires_in",
            r#"{"device_code":"d","user_code":"u","verification_uri":"https://a"}"#,
            P::MissingField { field: "expires_in" },
        ),
        (
            "empty device_code",
            r#"{"device_code":"","user_code":"u","verification_uri":"https://a","expires_in":9}"#,
            P::EmptyField { field: "device_code" },
        ),
        (
            "numeric device_code",
            r#"{"device_code":42,"user_code":"u","verification_uri":"https://a","expires_in":9}"#,
            P::FieldType { field: "device_code", found: oauth_core::JsonKind::Number },
        ),
        (
            "a user code that rewrites the terminal",
            r#"{"device_code":"d","user_code":"\u001b[2J","verification_uri":"https://a","expires_in":9}"#,
            P::FieldCharacters { field: "user_code" },
        ),
        (
            "duplicate user_code",
            r#"{"device_code":"d","user_code":"u","user_code":"v","verification_uri":"https://a","expires_in":9}"#,
            P::DuplicateField { field: "user_code" },
        ),
        ("an array", "[1]", P::Body(BodyProblem::NotAnObject { found: oauth_core::JsonKind::Array })),
        ("empty", "  ", P::Body(BodyProblem::EmptyBody)),
    ];
    for (name, body, expected) in cases {
        let error = read_answer(&json(200, body), at(0)).unwrap_err();
        assert_eq!(problem(&error), expected, "{name}");
        assert_eq!(error.status(), 200, "{name}");
        assert!(!error.is_retryable(), "{name}");
    }
    let html = read_answer(&json(200, "<html>"), at(0)).unwrap_err();
    assert!(matches!(problem(&html), P::Body(BodyProblem::NotJson { .. })), "{html:?}");
    let redirect = read_answer(&json(302, RFC_8628_ANSWER), at(0)).unwrap_err();
    assert_eq!(
        problem(&redirect),
        &P::Body(BodyProblem::UnexpectedStatus { status: oauth_core::http::StatusCode::FOUND })
    );
}

#[test]
fn error_answers_go_through_the_shared_error_body_reader() {
    let error =
        read_answer(&json(400, r#"{"error":"invalid_scope","error_description":"no such scope"}"#), at(0)).unwrap_err();
    let DeviceAuthorizationError::Server(server) = &error else { panic!("{error:?}") };
    assert_eq!(server.code, Some(ErrorCode::InvalidScope));
    assert_eq!(server.description.as_deref(), Some("no such scope"));
    assert_eq!(error.code(), Some(&ErrorCode::InvalidScope));
    assert!(!error.is_retryable());

    let busy = read_answer(&json(503, "Service Unavailable"), at(0)).unwrap_err();
    assert!(busy.is_retryable());
    // A 200 carrying `error` is an error too.
    let hidden = read_answer(&json(200, r#"{"error":"invalid_client"}"#), at(0)).unwrap_err();
    assert_eq!(hidden.code(), Some(&ErrorCode::InvalidClient));
}

#[test]
fn an_echoed_client_secret_is_scrubbed_from_the_error() {
    let auth = ClientAuth::post(ClientId::new("app").unwrap(), ClientSecret::new("very-secret-value"));
    let (_, pending) = device_endpoint()
        .build_request(&auth, &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    let answer = json(401, r#"{"error":"invalid_client","error_description":"bad client_secret very-secret-value"}"#);
    let error = pending.finish(&answer, at(0)).unwrap_err();
    for rendering in [format!("{error}"), format!("{error:?}")] {
        assert!(!rendering.contains("very-secret-value"), "{rendering}");
    }
}
