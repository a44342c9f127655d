//! Malformed answers that carry an access token (the MXO seed's missing comma among them): the protocol error
//! keeps none of it, read alone or through an exchange that sent secrets.

use std::time::Instant;

use http::Response;
use oauth_core::{AuthMethod, Grant, Quirks, TokenError, parse_token_response};

use crate::fixtures::{answer, auth, endpoint, exchange_at, expect_err, json, request};
use crate::{ACCESS, ID_TOKEN, REFRESH, Subject};

/// The MXO documentation's example answer (seed 000), comma after `access_token` missing as in
/// the document, with a canary for its token; `wrapped` also wraps the token over two lines as
/// the document does.
fn mxo_seed(wrapped: bool) -> String {
    let token = if wrapped { format!("{}  \n    {}", &ACCESS[..11], &ACCESS[11..]) } else { ACCESS.to_owned() };
    format!(
        "{{\n    \"access_token\": \"{token}\"\n    \"token_type\": \"bearer\",\n    \"expires_in\": 299,\n    \"jti\": \"1a9b1856-40b0-45d8-9758-8d17a81c19a7\"\n}}"
    )
}

/// Malformed answers that carry an access token: the protocol error keeps none of it.
pub(crate) fn protocol_error_subjects() -> Vec<Subject> {
    let strict = Quirks::strict();
    let lenient = Quirks::lenient();
    let mut tiny = Quirks::lenient();
    tiny.max_body_bytes = 64;
    let token_then = |rest: &str| format!(r#"{{"access_token":"{ACCESS}",{rest}}}"#);
    let mut invalid_utf8 = token_then(r#""token_type":"bearer","note":"x""#).into_bytes();
    let at = invalid_utf8.len() - 3;
    invalid_utf8[at] = 0xff;

    let cases: Vec<(&str, Quirks, Response<Vec<u8>>)> = vec![
        ("unsupported token_type `mac`", lenient, json(200, &token_then(r#""token_type":"mac","expires_in":60"#))),
        ("MXO seed with its missing comma", lenient, json(200, &mxo_seed(false))),
        ("MXO seed with its missing comma and wrapped token", lenient, json(200, &mxo_seed(true))),
        (
            "duplicate access_token",
            lenient,
            json(200, &format!(r#"{{"access_token":"{ACCESS}","token_type":"bearer","access_token":"{REFRESH}"}}"#)),
        ),
        (
            "duplicate refresh_token",
            lenient,
            json(200, &token_then(&format!(r#""refresh_token":"{REFRESH}","refresh_token":"{ID_TOKEN}""#))),
        ),
        ("negative expires_in", lenient, json(200, &token_then(r#""token_type":"bearer","expires_in":-5"#))),
        ("non-numeric expires_in", lenient, json(200, &token_then(r#""token_type":"bearer","expires_in":"soon""#))),
        ("absurd expires_in (strict)", strict, json(200, &token_then(r#""token_type":"bearer","expires_in":1e400"#))),
        ("string expires_in, strict", strict, json(200, &token_then(r#""token_type":"Bearer","expires_in":"3599""#))),
        ("fractional expires_in, strict", strict, json(200, &token_then(r#""token_type":"Bearer","expires_in":1.5"#))),
        ("missing token_type, strict", strict, json(200, &token_then(r#""expires_in":60"#))),
        ("scope as a number", lenient, json(200, &token_then(r#""token_type":"bearer","scope":7"#))),
        (
            "refresh_token as a number beside an ID token",
            lenient,
            json(200, &token_then(&format!(r#""refresh_token":7,"id_token":"{ID_TOKEN}""#))),
        ),
        (
            "access_token with a space in it",
            lenient,
            json(200, &format!(r#"{{"access_token":"{ACCESS} {ACCESS}","token_type":"bearer"}}"#)),
        ),
        (
            "access_token as a pretty-printed object",
            lenient,
            json(
                200,
                &format!(
                    "{{\n  \"access_token\" : {{\n    \"value\" : \"{ACCESS}\"\n  }},\n  \"token_type\" : \"bearer\"\n}}"
                ),
            ),
        ),
        ("text/plain label, strict", strict, answer(200, "text/plain", token_then(r#""token_type":"Bearer""#))),
        ("201 status, strict", strict, json(201, &token_then(r#""token_type":"Bearer""#))),
        ("302 status", lenient, json(302, &token_then(r#""token_type":"Bearer""#))),
        ("body over the cap", tiny, json(200, &token_then(r#""token_type":"bearer","padding":"................""#))),
        ("invalid UTF-8", lenient, answer(200, "application/json", invalid_utf8)),
        (
            "HTML proxy page quoting a form answer",
            lenient,
            answer(200, "text/html", format!("<p>access_token={ACCESS}</p>")),
        ),
        (
            "form answer with token_type mac",
            lenient,
            answer(
                200,
                "application/x-www-form-urlencoded",
                format!("access_token={ACCESS}&token_type=mac&refresh_token={REFRESH}"),
            ),
        ),
        (
            "escaped field name `access\\u005ftoken`, token_type mac",
            lenient,
            json(200, &format!(r#"{{"access\u005ftoken":"{ACCESS}","token_type":"mac"}}"#)),
        ),
        (
            "percent-encoded form field name `access%5Ftoken`, token_type mac",
            lenient,
            answer(200, "application/x-www-form-urlencoded", format!("access%5Ftoken={ACCESS}&token_type=mac")),
        ),
        (
            "200 carrying `error` beside an access token",
            lenient,
            json(200, &token_then(&format!(r#""error":"server_error","refresh_token":"{REFRESH}""#))),
        ),
        (
            "400 whose body carries token fields",
            lenient,
            json(400, &format!(r#"{{"error":"invalid_grant","refresh_token":"{REFRESH}","id_token":"{ID_TOKEN}"}}"#)),
        ),
    ];

    let mut subjects = Vec::new();
    for (case, quirks, answer) in cases {
        let error = expect_err(case, parse_token_response(&quirks, &answer, Instant::now()));
        let mut subject = Subject::error(format!("TokenError: {case}"), &error);
        match &error {
            TokenError::Protocol(protocol) => {
                subject = subject
                    .with("ProtocolError::body.text()", protocol.body.text())
                    .with("ProtocolErrorKind {}", protocol.kind.to_string());
            }
            TokenError::Server(server) => subject = subject.with("ServerError::body.text()", server.body.text()),
            other => panic!("{case}: unexpected {other:?}"),
        }
        subjects.push(subject);
        // The same answer through an exchange that sent secrets: no worse.
        let endpoint = endpoint().with_quirks(quirks);
        let refresh = request(Grant::refresh_token(REFRESH));
        let through = expect_err(case, exchange_at(&endpoint, &auth(AuthMethod::Post), &refresh, &answer));
        subjects.push(Subject::error(format!("TokenError through PendingExchange: {case}"), &through));
    }
    subjects
}
