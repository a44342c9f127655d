//! Token introspection (RFC 7662): the request (§2.1's example verbatim), the answer (§2.2's two examples verbatim,
//! every member's type and leniency, `active: false` as an answer), the error answers (§2.3), and the introspected token
//! kept out of every rendering and error, even when the server echoes it.

use std::time::{Duration, UNIX_EPOCH};

use oauth_core::http::{Response, StatusCode};
use oauth_core::introspection::{
    Introspection, IntrospectionError, IntrospectionProblem, IntrospectionRequest, parse_response,
};
use oauth_core::revocation::TokenTypeHint;
use oauth_core::{
    AccessToken, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, EndpointUrl, ErrorCode,
    ExpiresInProblem, JsonKind, Quirks, RefreshToken, RetryAfter, Scope, TokenType,
};

/// RFC 7662 §2.2's first answer, verbatim.
const RFC_ACTIVE: &str = r#"{
      "active": true,
      "client_id": "l238j323ds-23ij4",
      "username": "jdoe",
      "scope": "read write dolphin",
      "sub": "Z5O3upPC88QrAjx00dis",
      "aud": "https://protected.example.net/resource",
      "iss": "https://server.example.com/",
      "exp": 1419356238,
      "iat": 1419350238,
      "extension_field": "twenty-seven"
     }"#;

/// RFC 7662 §2.2's second answer, verbatim.
const RFC_INACTIVE: &str = r#"{
      "active": false
     }"#;

fn endpoint() -> EndpointUrl {
    EndpointUrl::new("https://server.example.com/introspect").expect("valid")
}

fn rfc_client(method: AuthMethod) -> ClientAuth {
    ClientAuth::new(ClientId::new("s6BhdRkqt3").expect("valid"), Some(ClientSecret::new("gX1fBat3bV")), method)
        .expect("valid")
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Vec<u8>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.as_bytes().to_vec()).expect("valid")
}

/// Response headers, as name and value.
type Headers<'a> = &'a [(&'a str, &'a str)];

const JSON: Headers<'static> = &[("content-type", "application/json")];

fn json(body: &str) -> Response<Vec<u8>> {
    answer(200, JSON, body)
}

fn lenient(body: &str) -> Result<Introspection, IntrospectionError> {
    parse_response(&Quirks::lenient(), &json(body))
}

fn problem(result: Result<Introspection, IntrospectionError>) -> IntrospectionProblem {
    match result {
        Err(IntrospectionError::Invalid(invalid)) => invalid.problem,
        other => panic!("not an invalid answer: {other:?}"),
    }
}

#[test]
fn rfc_7662_section_2_1_request_verbatim() {
    let auth = rfc_client(AuthMethod::Basic(BasicEncoding::Percent));
    let (request, _) = IntrospectionRequest::access_token(&AccessToken::new("mF_9.B5f-4.1JqM"))
        .build_request(&endpoint(), &auth)
        .expect("no client assertion to sign");
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://server.example.com/introspect");
    assert_eq!(request.headers()["accept"], "application/json");
    assert_eq!(request.headers()["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(request.headers()["authorization"], "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
    assert_eq!(request.body(), b"token=mF_9.B5f-4.1JqM&token_type_hint=access_token");
}

#[test]
fn other_requests() {
    let cases: Vec<(IntrospectionRequest, AuthMethod, &str)> = vec![
        (
            IntrospectionRequest::refresh_token(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA")),
            AuthMethod::Post,
            "token=tGzv3JOkF0XG5Qx2TlKWIA&token_type_hint=refresh_token&client_id=s6BhdRkqt3&client_secret=gX1fBat3bV",
        ),
        (IntrospectionRequest::new("opaque token"), AuthMethod::None, "token=opaque+token&client_id=s6BhdRkqt3"),
        (
            IntrospectionRequest::new("t").with_hint(TokenTypeHint::AccessToken),
            AuthMethod::Basic(BasicEncoding::Raw),
            "token=t&token_type_hint=access_token",
        ),
        (
            IntrospectionRequest::access_token(&AccessToken::new("t")).without_hint(),
            AuthMethod::Basic(BasicEncoding::Raw),
            "token=t",
        ),
    ];
    for (request, method, body) in cases {
        let (sent, _) = request.build_request(&endpoint(), &rfc_client(method)).expect("no client assertion to sign");
        assert_eq!(String::from_utf8_lossy(sent.body()), body);
    }
}

#[test]
fn rfc_7662_section_2_2_active_answer_verbatim() {
    let introspection = lenient(RFC_ACTIVE).expect("the RFC's answer");
    assert!(introspection.is_active());
    assert_eq!(introspection.client_id(), Some("l238j323ds-23ij4"));
    assert_eq!(introspection.username(), Some("jdoe"));
    assert_eq!(introspection.scope(), Some(&Scope::new(["read", "write", "dolphin"]).expect("valid")));
    assert_eq!(introspection.sub(), Some("Z5O3upPC88QrAjx00dis"));
    assert_eq!(introspection.aud().collect::<Vec<_>>(), ["https://protected.example.net/resource"]);
    assert!(introspection.is_for_audience("https://protected.example.net/resource"));
    assert_eq!(introspection.iss(), Some("https://server.example.com/"));
    assert_eq!(introspection.exp(), Some(1_419_356_238));
    assert_eq!(introspection.iat(), Some(1_419_350_238));
    assert_eq!(introspection.expires_at(), Some(UNIX_EPOCH + Duration::from_secs(1_419_356_238)));
    assert_eq!(introspection.issued_at(), Some(UNIX_EPOCH + Duration::from_secs(1_419_350_238)));
    assert_eq!((introspection.nbf(), introspection.not_before()), (None, None));
    assert_eq!((introspection.token_type(), introspection.jti()), (None, None));
    assert_eq!(introspection.extras().len(), 1);
    assert_eq!(introspection.extras().get("extension_field"), Some(&serde_json::json!("twenty-seven")));
    // Same under the strict preset: the RFC's answer needs no leniency.
    let strict = parse_response(&Quirks::strict(), &json(RFC_ACTIVE)).expect("the RFC's answer");
    assert_eq!(format!("{strict:?}"), format!("{introspection:?}"));
}

#[test]
fn rfc_7662_section_2_2_inactive_answer_verbatim() {
    let introspection = lenient(RFC_INACTIVE).expect("an inactive token is an answer");
    assert!(!introspection.is_active());
    assert!(!introspection.is_active_at(UNIX_EPOCH));
    assert_eq!(format!("{introspection:?}"), format!("{:?}", Introspection::inactive()));
    // Nothing else is read about an inactive token, so nothing beside it is an error.
    let chatty = lenient(r#"{"active":false,"exp":"soon","scope":42,"extension_field":"x"}"#).expect("an answer");
    assert!(!chatty.is_active() && chatty.exp().is_none() && chatty.extras().is_empty());
}

#[test]
fn is_active_at_compares_with_the_callers_clock() {
    let introspection = lenient(r#"{"active":true,"exp":1419356238,"nbf":1419350238}"#).expect("valid");
    let at = |secs| UNIX_EPOCH + Duration::from_secs(secs);
    assert!(!introspection.is_active_at(at(1_419_350_237)), "before nbf");
    assert!(introspection.is_active_at(at(1_419_350_238)), "at nbf");
    assert!(introspection.is_active_at(at(1_419_356_237)), "before exp");
    assert!(!introspection.is_active_at(at(1_419_356_238)), "at exp");
    assert!(lenient(r#"{"active":true}"#).expect("valid").is_active_at(at(u64::MAX / 2)), "no exp: no expiry");
    assert!(lenient(r#"{"active":true,"exp":1}"#).expect("valid").is_active_at(UNIX_EPOCH - Duration::from_secs(5)));
}

#[test]
fn members_in_their_other_forms() {
    let introspection = lenient(
        r#"{"active":true,"aud":["api-1","api-2"],"scope":["read","write"],"token_type":"bearer","jti":"1a9b","nbf":0}"#,
    )
    .expect("valid");
    assert_eq!(introspection.aud().collect::<Vec<_>>(), ["api-1", "api-2"]);
    assert_eq!(introspection.scope().map(Scope::as_str), Some("read write"));
    assert_eq!(introspection.token_type(), Some(&TokenType::Bearer));
    assert_eq!(introspection.jti(), Some("1a9b"));
    assert_eq!(introspection.nbf(), Some(0));
    // Times as expires_in is read: numeric strings and fractions under the lenient preset.
    let times: &[(&str, u64)] = &[
        (r#""1419356238""#, 1_419_356_238),
        ("1419356238.9", 1_419_356_238),
        ("1.4e9", 1_400_000_000),
        (r#"" 7 ""#, 7),
    ];
    for (written, secs) in times {
        let body = format!(r#"{{"active":true,"exp":{written}}}"#);
        assert_eq!(lenient(&body).expect(written).exp(), Some(*secs), "{written}");
    }
    // More digits than u64 holds is absurdly far, not malformed.
    assert_eq!(lenient(r#"{"active":true,"exp":99999999999999999999999}"#).expect("valid").exp(), Some(u64::MAX));
    assert_eq!(lenient(r#"{"active":true,"exp":99999999999999999999999}"#).expect("valid").expires_at(), None);
    // `null` is absent under the lenient preset.
    let nulls = lenient(r#"{"active":true,"exp":null,"scope":null,"sub":null}"#).expect("valid");
    assert_eq!((nulls.exp(), nulls.scope(), nulls.sub()), (None, None, None));
}

#[test]
fn malformed_answers_are_typed() {
    use IntrospectionProblem::{Body, DuplicateField, FieldType, InvalidTime, MissingActive};
    use oauth_core::BodyProblem::{self, NotAnObject, NotJson};
    use oauth_core::http::StatusCode;
    let cases: &[(&str, Quirks, &str, IntrospectionProblem)] = &[
        ("no active", Quirks::lenient(), r#"{"scope":"read"}"#, MissingActive),
        ("null active", Quirks::lenient(), r#"{"active":null}"#, MissingActive),
        (
            "active as a string",
            Quirks::lenient(),
            r#"{"active":"true"}"#,
            FieldType { field: "active", expected: "a boolean", found: JsonKind::String },
        ),
        (
            "active twice",
            Quirks::lenient(),
            r#"{"active":false,"active":true}"#,
            DuplicateField { field: "active".into() },
        ),
        ("exp twice", Quirks::lenient(), r#"{"active":true,"exp":1,"exp":2}"#, DuplicateField { field: "exp".into() }),
        (
            "numeric string under strict",
            Quirks::strict(),
            r#"{"active":true,"exp":"1419356238"}"#,
            InvalidTime { field: "exp", problem: ExpiresInProblem::StringNotAllowed },
        ),
        (
            "fraction under strict",
            Quirks::strict(),
            r#"{"active":true,"iat":1.5}"#,
            InvalidTime { field: "iat", problem: ExpiresInProblem::FractionNotAllowed },
        ),
        (
            "negative time",
            Quirks::lenient(),
            r#"{"active":true,"nbf":-1}"#,
            InvalidTime { field: "nbf", problem: ExpiresInProblem::Negative },
        ),
        (
            "time not a number",
            Quirks::lenient(),
            r#"{"active":true,"exp":"tomorrow"}"#,
            InvalidTime { field: "exp", problem: ExpiresInProblem::NotNumeric },
        ),
        (
            "null time under strict",
            Quirks::strict(),
            r#"{"active":true,"exp":null}"#,
            InvalidTime { field: "exp", problem: ExpiresInProblem::Null },
        ),
        (
            "scope array under strict",
            Quirks::strict(),
            r#"{"active":true,"scope":["read"]}"#,
            FieldType { field: "scope", expected: "a string", found: JsonKind::Array },
        ),
        (
            "aud with a number",
            Quirks::lenient(),
            r#"{"active":true,"aud":["a",1]}"#,
            FieldType { field: "aud", expected: "a string or an array of strings", found: JsonKind::Array },
        ),
        (
            "sub as a number",
            Quirks::lenient(),
            r#"{"active":true,"sub":42}"#,
            FieldType { field: "sub", expected: "a string", found: JsonKind::Number },
        ),
        ("an array", Quirks::lenient(), r#"[{"active":true}]"#, Body(NotAnObject { found: JsonKind::Array })),
    ];
    for (why, quirks, body, expected) in cases {
        assert_eq!(&problem(parse_response(quirks, &json(body))), expected, "{why}");
    }
    assert!(matches!(problem(lenient(r#"{"active":tru"#)), Body(NotJson { .. })));
    assert_eq!(problem(lenient("")), Body(BodyProblem::EmptyBody));
    let html = answer(200, &[("content-type", "text/html")], "<html>login</html>");
    assert!(matches!(problem(parse_response(&Quirks::lenient(), &html)), Body(NotJson { .. })));
    assert_eq!(problem(parse_response(&Quirks::strict(), &html)), Body(BodyProblem::UnexpectedContentType));
    let unlabelled = answer(200, &[], r#"{"active":true}"#);
    assert!(parse_response(&Quirks::lenient(), &unlabelled).expect("JSON whatever its label").is_active());
    let moved = answer(302, &[("location", "https://elsewhere.example/")], "");
    assert_eq!(
        problem(parse_response(&Quirks::lenient(), &moved)),
        Body(BodyProblem::UnexpectedStatus { status: StatusCode::FOUND })
    );
    let created = answer(201, JSON, r#"{"active":true}"#);
    assert!(parse_response(&Quirks::lenient(), &created).is_ok());
    assert_eq!(
        problem(parse_response(&Quirks::strict(), &created)),
        Body(BodyProblem::UnexpectedStatus { status: StatusCode::CREATED })
    );
    let mut small = Quirks::lenient();
    small.max_body_bytes = 8;
    let error = parse_response(&small, &json(RFC_ACTIVE)).expect_err("over the cap");
    let IntrospectionError::Invalid(invalid) = &error else { panic!("{error:?}") };
    assert!(matches!(invalid.problem, Body(BodyProblem::BodyTooLarge { limit: 8, .. })));
    assert!(invalid.body.is_empty(), "a body over the cap is not kept");
}

#[test]
fn rfc_7662_section_2_3_error_answers() {
    let refused = answer(401, &[("www-authenticate", r#"Bearer realm="introspect", error="invalid_token""#)], "");
    let error = lenient_error(&refused);
    assert_eq!(error.code(), Some(&ErrorCode::InvalidToken));
    assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
    assert!(!error.is_retryable());

    let client = answer(401, JSON, r#"{"error":"invalid_client","error_description":"unknown client"}"#);
    assert_eq!(lenient_error(&client).code(), Some(&ErrorCode::InvalidClient));

    let unavailable = answer(503, &[("retry-after", "120")], "");
    let error = lenient_error(&unavailable);
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(&RetryAfter::Delay(Duration::from_secs(120))));

    // A 200 carrying `error` is an error, as on every endpoint.
    let in_a_200 = json(r#"{"error":"invalid_request"}"#);
    assert_eq!(lenient_error(&in_a_200).code(), Some(&ErrorCode::InvalidRequest));
    assert_eq!(
        lenient_error(&client).to_string(),
        "token introspection failed: the server refused with `invalid_client` (HTTP 401 Unauthorized): unknown client"
    );
}

fn lenient_error(response: &Response<Vec<u8>>) -> IntrospectionError {
    match parse_response(&Quirks::lenient(), response) {
        Err(error @ IntrospectionError::Server(_)) => error,
        other => panic!("not a server error: {other:?}"),
    }
}

#[test]
fn the_introspected_token_never_shows_even_when_echoed() {
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqZG9lIn0.c2lnbmF0dXJl";
    let request = IntrospectionRequest::new(token);
    assert!(!format!("{request:?}").contains("eyJ"), "{request:?}");
    let echoes: &[(u16, Headers<'_>, String)] = &[
        (400, JSON, format!(r#"{{"error":"invalid_request","error_description":"cannot read {token}"}}"#)),
        (
            401,
            &[("www-authenticate", &*format!(r#"Bearer error="invalid_token", error_description="{token}""#))],
            String::new(),
        ),
        (500, &[("content-type", "text/html")], format!("<pre>at introspect({token})</pre>")),
        (200, JSON, format!(r#"{{"active":"yes","debug":"{token}"}}"#)),
        (200, &[("content-type", "text/plain")], format!("no such token {token}")),
    ];
    for (status, headers, body) in echoes {
        let (sent, pending) =
            request.build_request(&endpoint(), &rfc_client(AuthMethod::Post)).expect("no client assertion to sign");
        assert!(!format!("{pending:?}").contains("eyJ"));
        assert!(String::from_utf8_lossy(sent.body()).contains(token), "the request did carry it");
        let error = pending.finish(&answer(*status, headers, body)).expect_err("an error");
        let printed = format!("{error}\n{error:?}");
        assert!(!printed.contains("eyJhbGciOiJSUzI1NiJ9"), "{status}: {printed}");
        assert!(printed.contains("[redacted]"), "{status}: nothing kept and scrubbed: {printed}");
    }
    // An answer that repeats the token keeps it only as an extra member, which `Debug` names without its value.
    let (_, pending) =
        request.build_request(&endpoint(), &rfc_client(AuthMethod::Post)).expect("no client assertion to sign");
    let introspection =
        pending.finish(&json(&format!(r#"{{"active":true,"token":"{token}"}}"#))).expect("an active token");
    assert!(!format!("{introspection:?}").contains("eyJ"), "{introspection:?}");
}
