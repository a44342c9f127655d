//! Token revocation (RFC 7009): the request's exact bytes under every client-authentication method (RFC 7009 §2.1's
//! example verbatim), the answers (§2.2: 200 whatever the body; §2.2.1: typed errors, a 503's `Retry-After`), and the
//! revoked token and the client's credentials kept out of every rendering and error, even when the server echoes them.

use std::time::Duration;

use oauth_core::http::{Response, StatusCode};
use oauth_core::revocation::{RevocationError, RevocationRequest, TokenTypeHint, UNSUPPORTED_TOKEN_TYPE};
use oauth_core::{
    AccessToken, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, EndpointUrl, ErrorCode, Quirks,
    RefreshToken, RetryAfter, Token,
};

/// RFC 7009 §2.1's example client (RFC 6749's `s6BhdRkqt3` / `gX1fBat3bV`) and its Basic header.
const RFC_BASIC: &str = "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW";
/// RFC 7009 §2.1's example refresh token.
const RFC_TOKEN: &str = "45ghiukldjahdnhzdauz";

fn endpoint() -> EndpointUrl {
    EndpointUrl::new("https://server.example.com/revoke").expect("valid")
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

#[test]
fn rfc_7009_section_2_1_request_verbatim() {
    let auth = rfc_client(AuthMethod::Basic(BasicEncoding::Percent));
    let (request, _) = RevocationRequest::refresh_token(&RefreshToken::new(RFC_TOKEN))
        .build_request(&endpoint(), &auth)
        .expect("no client assertion to sign");
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://server.example.com/revoke");
    assert_eq!(request.headers()["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(request.headers()["authorization"], RFC_BASIC);
    assert!(request.headers()["authorization"].is_sensitive());
    assert_eq!(request.body(), b"token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token");
}

#[test]
fn the_client_authenticates_exactly_as_on_a_token_request() {
    let token = RefreshToken::new(RFC_TOKEN);
    let cases: &[(AuthMethod, Option<&str>, &str)] = &[
        (
            AuthMethod::Basic(BasicEncoding::Raw),
            Some(RFC_BASIC),
            "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token",
        ),
        (
            AuthMethod::Post,
            None,
            "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token&client_id=s6BhdRkqt3&client_secret=gX1fBat3bV",
        ),
        (AuthMethod::None, None, "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token&client_id=s6BhdRkqt3"),
    ];
    for (method, header, body) in cases {
        let auth = rfc_client(*method);
        let (request, _) = RevocationRequest::refresh_token(&token)
            .build_request(&endpoint(), &auth)
            .expect("no client assertion to sign");
        let sent = request.headers().get("authorization").map(|value| value.to_str().expect("ASCII"));
        assert_eq!(sent, *header, "{method:?}");
        assert_eq!(String::from_utf8_lossy(request.body()), *body, "{method:?}");
        // The same headers as a token request from this client.
        let token_request = oauth_core::TokenEndpoint::new("https://server.example.com/token")
            .expect("valid")
            .build_request(&auth, &oauth_core::TokenRequest::new(oauth_core::Grant::ClientCredentials))
            .expect("no client assertion to sign")
            .0;
        assert_eq!(request.headers(), token_request.headers(), "{method:?}");
    }
}

#[test]
fn hints_and_form_encoding() {
    let auth = rfc_client(AuthMethod::Basic(BasicEncoding::Percent));
    let cases: Vec<(RevocationRequest, &str)> = vec![
        (
            RevocationRequest::access_token(&AccessToken::new("mF_9.B5f-4.1JqM")),
            "token=mF_9.B5f-4.1JqM&token_type_hint=access_token",
        ),
        (RevocationRequest::new("a b+c/d=e&f"), "token=a+b%2Bc%2Fd%3De%26f"),
        (
            RevocationRequest::new("opaque-1").with_hint(TokenTypeHint::from_name("urn:example:device")),
            "token=opaque-1&token_type_hint=urn%3Aexample%3Adevice",
        ),
        (RevocationRequest::refresh_token(&RefreshToken::new("rt")).without_hint(), "token=rt"),
        (
            RevocationRequest::for_token(
                &Token::bearer(AccessToken::new("at")).with_refresh_token(RefreshToken::new("rt")),
            ),
            "token=rt&token_type_hint=refresh_token",
        ),
        (RevocationRequest::for_token(&Token::bearer(AccessToken::new("at"))), "token=at&token_type_hint=access_token"),
    ];
    for (request, body) in cases {
        let (sent, _) = request.build_request(&endpoint(), &auth).expect("no client assertion to sign");
        assert_eq!(String::from_utf8_lossy(sent.body()), body);
    }
}

#[test]
fn a_200_is_revoked_whatever_its_body() {
    // RFC 7009 §2.2: "The content of the response body is ignored by the client".
    let bodies: &[(Headers<'_>, &str)] = &[
        (&[], ""),
        (JSON, "{}"),
        (&[("content-type", "text/html")], "<html>ok</html>"),
        (JSON, r#"{"error":"invalid_request"}"#),
    ];
    for (headers, body) in bodies {
        let (_, pending) = RevocationRequest::new("t0k3n-abcdef")
            .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
            .expect("no client assertion to sign");
        assert!(pending.finish(&answer(200, headers, body)).is_ok(), "{body}");
    }
}

#[test]
fn another_2xx_is_revoked_only_under_a_lenient_profile() {
    let build = || {
        RevocationRequest::new("t0k3n-abcdef")
            .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
            .expect("no client assertion to sign")
            .1
    };
    assert!(build().finish(&answer(204, &[], "")).is_ok());
    let error = build().with_quirks(Quirks::strict()).finish(&answer(204, &[], "")).expect_err("strict: only 200");
    assert!(matches!(error, RevocationError::UnexpectedStatus { status: StatusCode::NO_CONTENT, .. }), "{error:?}");
    assert!(!error.is_retryable());
}

#[test]
fn refusals_are_typed() {
    struct Case {
        why: &'static str,
        status: u16,
        headers: &'static [(&'static str, &'static str)],
        body: &'static str,
        code: Option<ErrorCode>,
        retryable: bool,
        retry_after: Option<RetryAfter>,
    }
    let cases = [
        Case {
            why: "RFC 7009 §2.2.1: a token type the server cannot revoke",
            status: 400,
            headers: JSON,
            body: r#"{"error":"unsupported_token_type"}"#,
            code: Some(ErrorCode::Other(UNSUPPORTED_TOKEN_TYPE.into())),
            retryable: false,
            retry_after: None,
        },
        Case {
            why: "RFC 6749 §5.2 via RFC 7009 §2.2.1: the client is refused",
            status: 401,
            headers: &[("www-authenticate", r#"Basic realm="revoke""#), ("content-type", "application/json")],
            body: r#"{"error":"invalid_client"}"#,
            code: Some(ErrorCode::InvalidClient),
            retryable: false,
            retry_after: None,
        },
        Case {
            why: "RFC 7009 §2.2.1: 503, the token still valid, retry after the delay",
            status: 503,
            headers: &[("retry-after", "30")],
            body: "",
            code: None,
            retryable: true,
            retry_after: Some(RetryAfter::Delay(Duration::from_secs(30))),
        },
        Case {
            why: "a 503 with an HTTP-date",
            status: 503,
            headers: &[("retry-after", "Fri, 31 Dec 1999 23:59:59 GMT"), ("content-type", "text/html")],
            body: "<h1>maintenance</h1>",
            code: None,
            retryable: true,
            retry_after: Some(RetryAfter::Date(oauth_core::http::HeaderValue::from_static(
                "Fri, 31 Dec 1999 23:59:59 GMT",
            ))),
        },
        Case {
            why: "a form-encoded error",
            status: 400,
            headers: &[("content-type", "application/x-www-form-urlencoded")],
            body: "error=invalid_request&error_description=no+token",
            code: Some(ErrorCode::InvalidRequest),
            retryable: false,
            retry_after: None,
        },
    ];
    for case in cases {
        let (_, pending) = RevocationRequest::new("t0k3n-abcdef")
            .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
            .expect("no client assertion to sign");
        let error = pending.finish(&answer(case.status, case.headers, case.body)).expect_err(case.why);
        assert!(matches!(error, RevocationError::Server(_)), "{}: {error:?}", case.why);
        assert_eq!(error.status().as_u16(), case.status, "{}", case.why);
        assert_eq!(error.code(), case.code.as_ref(), "{}", case.why);
        assert_eq!(error.is_retryable(), case.retryable, "{}", case.why);
        assert_eq!(error.retry_after(), case.retry_after.as_ref(), "{}", case.why);
        assert_eq!(
            error.is_unsupported_token_type(),
            case.code == Some(ErrorCode::Other(UNSUPPORTED_TOKEN_TYPE.into()))
        );
    }
}

#[test]
fn a_redirect_is_not_success() {
    let (_, pending) = RevocationRequest::new("t0k3n-abcdef")
        .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
        .expect("no client assertion to sign");
    let error = pending
        .finish(&answer(302, &[("location", "https://elsewhere.example/revoke")], ""))
        .expect_err("a 302 revokes nothing");
    assert!(matches!(error, RevocationError::UnexpectedStatus { status: StatusCode::FOUND, .. }), "{error:?}");
    assert_eq!(error.code(), None);
    assert!(error.to_string().contains("may still be valid"), "{error}");
}

/// The spellings a secret takes in a body: as is, JSON-escaped, form-encoded, percent-encoded.
fn spellings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("a string serialises");
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    vec![secret.to_owned(), json[1..json.len() - 1].to_owned(), form, percent]
}

#[test]
fn the_revoked_token_never_shows_even_when_echoed() {
    let token = "rt-8f3a/9b17 \"quoted\"";
    let echoes: &[(u16, Headers<'_>, String)] = &[
        (
            400,
            JSON,
            format!(
                r#"{{"error":"unsupported_token_type","error_description":{}}}"#,
                serde_json::to_string(&format!("token {token} unknown")).expect("a string serialises")
            ),
        ),
        (
            400,
            &[("content-type", "application/x-www-form-urlencoded")],
            format!(
                "error=invalid_request&error_description=bad+{}",
                form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
            ),
        ),
        (500, &[("content-type", "text/html")], format!("<pre>NullPointerException at revoke({token})</pre>")),
        (
            401,
            &[("www-authenticate", r#"Bearer error="invalid_token", error_description="rt-8f3a/9b17 \"quoted\"""#)],
            String::new(),
        ),
        (302, &[("location", "https://elsewhere.example/")], format!("moved; token={token}")),
        (
            400,
            JSON,
            format!(
                r#"{{"error":"invalid_request","error_uri":"https://as.example/help?token={}"}}"#,
                form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>().replace('+', "%20")
            ),
        ),
    ];
    let request = RevocationRequest::refresh_token(&RefreshToken::new(token));
    assert!(!format!("{request:?}").contains("rt-8f3a"), "{request:?}");
    for (status, headers, body) in echoes {
        let (sent, pending) =
            request.build_request(&endpoint(), &rfc_client(AuthMethod::Post)).expect("no client assertion to sign");
        assert!(!format!("{pending:?}").contains("rt-8f3a"));
        assert!(String::from_utf8_lossy(sent.body()).contains("rt-8f3a"), "the request did carry it");
        let error = pending.finish(&answer(*status, headers, body)).expect_err("an error");
        let printed = format!("{error}\n{error:?}");
        for spelling in spellings(token).iter().map(String::as_str).chain(["rt-8f3a/9b17"]) {
            assert!(!printed.contains(spelling), "{status}: `{spelling}` in {printed}");
        }
        assert!(printed.contains("[redacted]"), "{status}: nothing kept and scrubbed: {printed}");
    }
}

#[test]
fn the_client_credentials_are_scrubbed_too() {
    use base64::Engine as _;
    let secret = "cl13nt-s3cr3t";
    for method in [AuthMethod::Basic(BasicEncoding::Percent), AuthMethod::Post] {
        let auth = ClientAuth::new(ClientId::new("app").expect("valid"), Some(ClientSecret::new(secret)), method)
            .expect("valid");
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("app:{secret}"));
        let body =
            format!(r#"{{"error":"invalid_client","error_description":"secret {secret} (Basic {basic}) refused"}}"#);
        let (_, pending) = RevocationRequest::new("t0k3n-abcdef")
            .build_request(&endpoint(), &auth)
            .expect("no client assertion to sign");
        let error = pending.finish(&answer(401, JSON, &body)).expect_err("refused");
        let printed = format!("{error}\n{error:?}");
        assert!(!printed.contains(secret) && !printed.contains(basic.trim_end_matches('=')), "{method:?}: {printed}");
        assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
    }
}

#[test]
fn a_short_token_drops_the_text_that_holds_it_and_a_cut_one_is_scrubbed() {
    let (_, pending) = RevocationRequest::new("x7")
        .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
        .expect("no client assertion to sign");
    let body = r#"{"error":"invalid_request","error_description":"token x7 is malformed"}"#;
    let error = pending.finish(&answer(400, JSON, body)).expect_err("refused");
    let printed = format!("{error}\n{error:?}");
    assert!(!printed.contains("x7 is"), "{printed}");

    let token = "a-long-opaque-token-value-0123456789";
    for cut_at in [1, 9, token.len() - 1] {
        let pad = "x".repeat(oauth_core::BODY_EXCERPT_LIMIT - cut_at);
        let (_, pending) = RevocationRequest::new(token)
            .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
            .expect("no client assertion to sign");
        let error = pending
            .finish(&answer(500, &[("content-type", "text/html")], &format!("{pad}{token} and more")))
            .expect_err("a 500");
        let printed = format!("{error:?}");
        assert!(!printed.contains(&format!("{pad}{}", &token[..cut_at])), "{cut_at} bytes kept: {printed}");
    }
}

#[test]
fn display_says_what_failed_once() {
    let (_, pending) = RevocationRequest::new("t0k3n-abcdef")
        .build_request(&endpoint(), &rfc_client(AuthMethod::Post))
        .expect("no client assertion to sign");
    let error = pending
        .finish(&answer(400, JSON, r#"{"error":"unsupported_token_type","error_description":"refresh tokens only"}"#))
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "token revocation failed: the server refused with `unsupported_token_type` (HTTP 400 Bad Request): refresh tokens only"
    );
    assert!(std::error::Error::source(&error).is_none());
}
