//! Server errors whose bodies, descriptions or challenges echo a credential the request carried: finishing through
//! `PendingExchange` scrubs each one.

use std::time::Instant;

use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, Response, StatusCode};
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientSecret, EnvelopeError, ErrorEnvelope, Grant, Quirks, TokenError,
    TokenRequest, parse_token_response,
};

use crate::fixtures::{
    answer, auth, client_id, endpoint, exchange, exchange_at, expect_err, extension_grant, json, request,
};
use crate::{ACCESS, CLIENT_SECRET, ID_TOKEN, PARAM, PASSWORD, REFRESH, SLASHED_SECRET, Subject};

/// One server answer that echoes a credential the request carried.
struct Echo {
    case: &'static str,
    auth: ClientAuth,
    request: TokenRequest,
    answer: Response<Vec<u8>>,
    /// Whether `{}` and `{:?}` must show the `[redacted]` marker where the echo was.
    marked: bool,
}

fn html_page_with(text: &str, padding: usize) -> String {
    format!("<html><body><h1>500 Internal Server Error</h1><pre>{}{text}</pre></body></html>", "-".repeat(padding))
}

/// Server errors whose bodies echo what the request carried: finishing through `PendingExchange`
/// must scrub every credential the request sent.
pub(crate) fn echo_error_subjects() -> Vec<Subject> {
    let post = auth(AuthMethod::Post);
    let basic = auth(AuthMethod::Basic(BasicEncoding::Percent));
    let slashed = ClientAuth::post(client_id(), ClientSecret::new(SLASHED_SECRET));
    let cc = request(Grant::ClientCredentials);
    let echoed_form = format!(
        "grant_type=password&client_id=app-7&client_secret={CLIENT_SECRET}&username=sheila.thomas&password={PASSWORD}&client_assertion={PARAM}"
    );
    let echoes = vec![
        Echo {
            case: "invalid_client whose description echoes the client secret",
            auth: post.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","error_description":"client secret {CLIENT_SECRET} does not match"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_client echoing the client secret in its own fields",
            auth: basic.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","received":{{"client_id":"app-7","client_secret":"{CLIENT_SECRET}"}},"hint":"{CLIENT_SECRET}"}}"#
                ),
            ),
            marked: false,
        },
        Echo {
            case: "invalid_grant whose description echoes the password",
            auth: post.clone(),
            request: request(Grant::password("sheila.thomas", PASSWORD)),
            answer: json(
                400,
                &format!(
                    r#"{{"error":"invalid_grant","error_description":"password '{PASSWORD}' is wrong","password":"{PASSWORD}"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_grant whose description echoes the refresh token",
            auth: post.clone(),
            request: request(Grant::refresh_token(REFRESH)),
            answer: json(
                400,
                &format!(
                    r#"{{"error":"invalid_grant","error_description":"refresh token {REFRESH} expired","token":"{REFRESH}"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_grant whose description echoes the extension grant's assertion",
            auth: post.clone(),
            request: TokenRequest::new(extension_grant()),
            answer: json(
                400,
                &format!(r#"{{"error":"invalid_grant","error_description":"assertion {PARAM} is not signed"}}"#),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_request whose description echoes a secret extra parameter",
            auth: basic.clone(),
            request: cc.clone(),
            answer: json(
                400,
                &format!(r#"{{"error":"invalid_request","error_description":"unexpected value {PARAM}"}}"#),
            ),
            marked: true,
        },
        Echo {
            case: "form-encoded error echoing the password",
            auth: post.clone(),
            request: request(Grant::password("sheila.thomas", PASSWORD)),
            answer: answer(
                400,
                "application/x-www-form-urlencoded",
                format!("error=invalid_grant&error_description=bad+password+{PASSWORD}&echo={PASSWORD}"),
            ),
            marked: true,
        },
        Echo {
            case: "HTML 500 page echoing the whole posted form",
            auth: post.clone(),
            request: request(Grant::password("sheila.thomas", PASSWORD)),
            answer: answer(500, "text/html", html_page_with(&format!("could not handle {echoed_form}"), 0)),
            marked: false,
        },
        Echo {
            case: "HTML 500 page echoing the client secret across the excerpt's cut",
            auth: post.clone(),
            request: cc.clone(),
            answer: answer(
                500,
                "text/html",
                html_page_with(&format!("secret {CLIENT_SECRET} rejected"), oauth_core::BODY_EXCERPT_LIMIT - 80),
            ),
            marked: false,
        },
        Echo {
            case: "200 carrying `error` that echoes the client secret",
            auth: post.clone(),
            request: cc.clone(),
            answer: json(200, &format!(r#"{{"error":"invalid_client","error_description":"{CLIENT_SECRET}?"}}"#)),
            marked: true,
        },
        Echo {
            case: "error_uri echoing the client secret",
            auth: post.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","error_uri":"https://as.example/why?client_secret={CLIENT_SECRET}"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "JSON with `\\/` escapes echoing a base64 client secret",
            auth: slashed.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","error_description":"secret {} unknown"}}"#,
                    SLASHED_SECRET.replace('/', "\\/")
                ),
            ),
            marked: true,
        },
    ];

    let mut subjects = Vec::new();
    for echo in echoes {
        // The server really did echo: without the exchange's scrubbing the canary would be kept.
        let raw = parse_token_response(&Quirks::lenient(), &echo.answer, Instant::now());
        assert!(matches!(raw, Err(TokenError::Server(_))), "{}: not a server error: {raw:?}", echo.case);
        let error = expect_err(echo.case, exchange(&echo.auth, &echo.request, &echo.answer));
        subjects.extend(server_error_subject(echo.case, &error, echo.marked));
    }

    // A vendor envelope (CloudCX-style `{"code","message"}`) whose message echoes the password.
    fn envelope(_: StatusCode, body: &serde_json::Value) -> Option<EnvelopeError> {
        let code = body.get("code")?.as_str()?;
        let message = body.get("message").and_then(|m| m.as_str()).unwrap_or_default();
        (code != "0000").then(|| EnvelopeError::new().vendor_code(code).description(message))
    }
    let mut quirks = Quirks::lenient();
    quirks.error_envelope = Some(ErrorEnvelope::new("code-envelope", envelope));
    let vendor = endpoint().with_quirks(quirks);
    let answer =
        json(200, &format!(r#"{{"code":"1001","message":"user sheila.thomas password {PASSWORD} is wrong"}}"#));
    let request = request(Grant::password("sheila.thomas", PASSWORD));
    let error = expect_err("vendor envelope", exchange_at(&vendor, &post, &request, &answer));
    subjects.extend(server_error_subject("vendor envelope whose message echoes the password", &error, true));

    // A 2xx with the token under non-standard field names: no `access_token`, so it is a
    // protocol error whose excerpt must mask the values by their keys' shape.
    let answer = json(
        200,
        &format!(
            r#"{{"accessToken":"{ACCESS}","RefreshToken":"{REFRESH}","id_Token":"{ID_TOKEN}","token_type":"Bearer"}}"#
        ),
    );
    let error = expect_err("non-standard token names", exchange(&post, &cc, &answer));
    subjects.push(Subject::error("TokenError: a 2xx with the token under non-standard names", &error));

    // A server that echoes the request's whole `Authorization: Basic …` value: its base64 is the
    // client secret too.
    let (sent, _) = endpoint().build_request(&basic, &cc).expect("no client assertion to sign");
    let header = sent.headers()["authorization"].to_str().expect("ASCII").to_owned();
    let answer = json(401, &format!(r#"{{"error":"invalid_client","error_description":"bad {header}"}}"#));
    let error = expect_err("Basic echo", exchange(&basic, &cc, &answer));
    let printed = format!("{error} {error:?}");
    assert!(!printed.contains(header.trim_start_matches("Basic ").trim_end_matches('=')), "Basic echoed: {printed}");
    subjects.extend(server_error_subject("invalid_client echoing the request's Basic header", &error, true));

    // A challenge that echoes the client secret (a 401 from the token endpoint).
    let mut answer = json(401, r#"{"error":"invalid_client"}"#);
    answer.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_str(&format!(r#"Basic realm="as", error_description="secret {CLIENT_SECRET} rejected""#))
            .expect("a valid header"),
    );
    let error = expect_err("challenge echo", exchange(&basic, &cc, &answer));
    subjects.extend(server_error_subject("WWW-Authenticate challenge echoing the client secret", &error, false));
    subjects
}

fn server_error_subject(case: &str, error: &TokenError, marked: bool) -> Vec<Subject> {
    let TokenError::Server(server) = error else { panic!("{case}: expected a server error, got {error:?}") };
    let texts = format!("description {:?}, uri {:?}", server.description, server.uri);
    let mut subjects = vec![
        Subject::error(format!("TokenError: {case}"), error),
        Subject::text(format!("ServerError::body.text(): {case}"), server.body.text()),
    ];
    if marked {
        // The echo is replaced by the marker, not dropped: the reader still sees where it was.
        subjects.push(Subject::text(format!("ServerError description and uri: {case}"), texts).marked());
    }
    subjects
}
