//! Credentials a server echoes back: every spelling of the client secret, password, refresh token or assertion the
//! request carried is scrubbed from the error, also when the excerpt's cap cuts it.

use std::time::Instant;

use oauth_core::http::Response;
use oauth_core::{AuthMethod, Grant, MisuseError, TokenEndpoint, TokenError, TokenRequest};

use crate::{auth, json_answer, jwt_bearer};

struct Echo {
    name: &'static str,
    /// The credential the server echoes.
    secret: &'static str,
    grant: fn() -> Grant,
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

fn echoes() -> Vec<Echo> {
    vec![
        Echo {
            name: "client_secret_in_error_description",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 401,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_client","error_description":"secret cl13nt-s3cr3t does not match"}"#,
        },
        Echo {
            name: "password_in_error_description",
            secret: "hunter2-pw",
            grant: || Grant::password("agent7", "hunter2-pw"),
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_request","error_description":"Invalid password hunter2-pw for agent7"}"#,
        },
        Echo {
            name: "password_with_space_in_a_form_encoded_error",
            secret: "correct horse",
            grant: || Grant::password("agent7", "correct horse"),
            status: 400,
            headers: &[("content-type", "application/x-www-form-urlencoded")],
            body: "error=invalid_grant&error_description=bad+password+correct+horse",
        },
        Echo {
            name: "password_with_quote_in_a_json_error",
            secret: r#"pa"ss\word"#,
            grant: || Grant::password("agent7", r#"pa"ss\word"#),
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_grant","error_description":"bad password pa\"ss\\word"}"#,
        },
        Echo {
            name: "client_secret_in_an_html_5xx_page",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 500,
            headers: &[("content-type", "text/html")],
            body: "<html><body><pre>NullPointerException at check(cl13nt-s3cr3t)</pre></body></html>",
        },
        Echo {
            name: "client_secret_in_a_malformed_200",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 200,
            headers: &[("content-type", "text/plain")],
            body: "debug: client_id=app secret cl13nt-s3cr3t",
        },
        Echo {
            name: "refresh_token_in_invalid_grant",
            secret: "rt-8f3a9b",
            grant: || Grant::refresh_token("rt-8f3a9b"),
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_grant","error_description":"refresh token rt-8f3a9b was revoked"}"#,
        },
        Echo {
            name: "assertion_in_invalid_grant",
            secret: "eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP",
            grant: jwt_bearer,
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_grant","error_description":"bad eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP"}"#,
        },
        Echo {
            name: "client_secret_in_the_challenge_error_description",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 401,
            headers: &[(
                "www-authenticate",
                r#"Basic error="invalid_client", error_description="secret cl13nt-s3cr3t does not match""#,
            )],
            body: "",
        },
        Echo {
            name: "client_secret_in_error_uri",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_client","error_uri":"https://as.example/help?secret=cl13nt-s3cr3t"}"#,
        },
        Echo {
            name: "client_secret_in_a_vendor_style_message",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 403,
            headers: &[("content-type", "application/json")],
            body: r#"{"message":"client secret cl13nt-s3cr3t is disabled"}"#,
        },
    ]
}

/// The spellings a credential takes in a body: as is, JSON-escaped, form-encoded.
fn spellings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("a string serialises");
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    vec![secret.to_owned(), json[1..json.len() - 1].to_owned(), form]
}

#[test]
fn credentials_echoed_by_the_server_are_scrubbed_from_the_error() {
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some("cl13nt-s3cr3t"), AuthMethod::Post);
    let mut failures = Vec::new();
    for echo in echoes() {
        let (request, pending) =
            endpoint.build_request(&auth, &TokenRequest::new((echo.grant)())).expect("no client assertion to sign");
        // The request did carry the credential, or the test proves nothing.
        let sent = String::from_utf8_lossy(request.body()).into_owned();
        assert!(spellings(echo.secret).iter().any(|s| sent.contains(s.as_str())), "{}: not sent", echo.name);
        let mut answer = Response::builder().status(echo.status);
        for (name, value) in echo.headers {
            answer = answer.header(*name, *value);
        }
        let answer = answer.body(echo.body.as_bytes().to_vec()).expect("valid");
        let error = match pending.finish(&answer, Instant::now()) {
            Ok(_) => panic!("{}: parsed as a token", echo.name),
            Err(error) => error,
        };
        let printed = format!("{error}\n{error:?}");
        if let Some(spelling) = spellings(echo.secret).into_iter().find(|s| printed.contains(s.as_str())) {
            failures.push(format!("{}: `{spelling}` printed in {printed}", echo.name));
        }
        if !printed.contains("[redacted]") {
            failures.push(format!("{}: nothing was kept and scrubbed: {printed}", echo.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn scrub_leaves_misuse_and_unrelated_text_alone() {
    let mut error = TokenError::from(MisuseError::EmptyClientId);
    error.scrub("anything");
    assert_eq!(error.to_string(), "invalid token request: the client id is empty");
    let answer = json_answer(400, r#"{"error":"invalid_request","error_description":"nothing secret here"}"#);
    let mut error = oauth_core::parse_token_response(&oauth_core::Quirks::lenient(), &answer, Instant::now())
        .expect_err("an error");
    error.scrub("");
    error.scrub("absent-value");
    assert!(error.to_string().contains("nothing secret here"), "{error}");
}

#[test]
fn credential_cut_by_the_excerpt_cap_is_scrubbed_too() {
    let secret = "cl13nt-s3cr3t-that-is-long";
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some(secret), AuthMethod::Post);
    for cut_at in [1, 5, secret.len() - 1] {
        // The excerpt keeps the first BODY_EXCERPT_LIMIT bytes; the secret starts `cut_at` bytes before that.
        let pad = "x".repeat(oauth_core::BODY_EXCERPT_LIMIT - cut_at);
        let body = format!("{pad}{secret} and more text after it");
        let (_, pending) = endpoint
            .build_request(&auth, &TokenRequest::new(Grant::ClientCredentials))
            .expect("no client assertion to sign");
        let answer = Response::builder().status(500).header("content-type", "text/html").body(body).expect("valid");
        let error = pending.finish(&answer, Instant::now()).expect_err("a 500");
        let printed = format!("{error}\n{error:?}");
        let kept = &secret[..cut_at];
        assert!(!printed.contains(&format!("{pad}{kept}")), "{cut_at} bytes of the secret kept: {printed}");
    }
}

#[test]
fn an_echoed_basic_header_is_scrubbed_in_every_spelling() {
    use base64::Engine as _;
    use oauth_core::BasicEncoding;
    // The INTEROP secret: each Basic spelling encodes it differently.
    let secret = "a b+c/d:e%f&g=h";
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    for encoding in [BasicEncoding::Percent, BasicEncoding::FormPlus, BasicEncoding::Raw] {
        let auth = auth("app", Some(secret), AuthMethod::Basic(encoding));
        let (request, pending) = endpoint
            .build_request(&auth, &TokenRequest::new(Grant::ClientCredentials))
            .expect("no client assertion to sign");
        let sent = request.headers()["authorization"].to_str().expect("ASCII").to_owned();
        let b64 = sent.trim_start_matches("Basic ");
        // Echoed padded (as sent), unpadded, and URL-safe, in the description and the body.
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(base64::engine::general_purpose::STANDARD.decode(b64).expect("base64"));
        let body = format!(
            r#"{{"error":"invalid_client","error_description":"rejected {sent}","seen":"{}","url":"{url_safe}"}}"#,
            b64.trim_end_matches('=')
        );
        let error = pending.finish(&json_answer(401, &body), Instant::now()).expect_err("a refusal");
        let printed = format!("{error}\n{error:?}");
        assert!(!printed.contains(b64.trim_end_matches('=')), "{encoding:?}: the Basic value printed in {printed}");
        assert!(!printed.contains(&url_safe), "{encoding:?}: the URL-safe Basic value printed in {printed}");
        assert!(printed.contains("[redacted]"), "{encoding:?}: {printed}");
    }
}

#[test]
fn a_very_short_credential_drops_the_text_instead_of_garbling_it() {
    // Replacing `x` inside `expires_in` would print `e[redacted]pires_in`: garbled, and the gap
    // shows where the secret was. A text holding a credential that short is dropped whole.
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some("x"), AuthMethod::Post);
    let (_, pending) = endpoint
        .build_request(&auth, &TokenRequest::new(Grant::ClientCredentials))
        .expect("no client assertion to sign");
    let body = r#"{"error":"invalid_client","error_description":"expires_in missing"}"#;
    let error = pending.finish(&json_answer(401, body), Instant::now()).expect_err("a refusal");
    let printed = format!("{error}\n{error:?}");
    assert!(!printed.contains("e[redacted]pires"), "garbled: {printed}");
    assert!(!printed.contains("expires_in"), "a text holding the short credential was kept: {printed}");
    assert!(printed.contains("invalid_client"), "the error code is kept: {printed}");
}

#[test]
fn pending_redacts_any_text_such_as_a_redirect_location() {
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some("cl13nt-s3cr3t"), AuthMethod::Post);
    let (_, pending) = endpoint
        .build_request(&auth, &TokenRequest::new(Grant::password("agent7", "correct horse battery")))
        .expect("no client assertion to sign");
    let location = "https://as.example/login?client_secret=cl13nt-s3cr3t&password=correct%20horse%20battery";
    let clean = pending.redact(location).expect("something to redact");
    assert!(!clean.contains("cl13nt") && !clean.contains("horse"), "{clean}");
    assert_eq!(pending.redact("https://as.example/login"), None);
}
