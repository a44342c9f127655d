//! Reading the redirect: the shapes real servers and browsers deliver, malformed redirects refused, error redirects
//! read whole, the issuer checked (RFC 9207), and the callback told from other requests.

use oauth_core::ErrorCode;
use oauth_core::authorization::{AuthorizationError, AuthorizationRequest};
use oauth_core::http::Uri;

use crate::{CODE, ISSUER, accept, code_of, request, start};

#[test]
fn real_redirect_shapes() {
    // Each: the redirect as a server or browser delivers it, with `{state}` for the state; the code it carries.
    let shapes: &[(&str, &str)] = &[
        // RFC 6749 §4.1.2's example, as an absolute URL.
        ("https://client.example.com/cb?code=SplxlOBeZQQYbYS6WxSbIA&state={state}", CODE),
        // The request target a loopback listener reads.
        ("/cb?state={state}&code=SplxlOBeZQQYbYS6WxSbIA", CODE),
        // Percent-encoded `/` in the code, extra parameters some servers add.
        (
            "/cb?state={state}&code=4%2F0AX4XfWh-kq9Gq&scope=email+openid+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email&authuser=0&prompt=consent",
            "4/0AX4XfWh-kq9Gq",
        ),
        // OpenID Connect session management's `session_state`, and an `iss` nobody asked to check.
        ("/cb?state={state}&session_state=5d4c-91&iss=https%3A%2F%2Fserver.example.com&code=a.b.c", "a.b.c"),
        // A `+` in a form-encoded query is a space; `%2B` is a plus.
        ("/cb?code=ab%2Bcd+ef&state={state}", "ab+cd ef"),
    ];
    for (shape, code) in shapes {
        let (_, pending) = start(request());
        let target: Uri = shape.replace("{state}", pending.state()).parse().expect("a valid URI");
        assert!(pending.is_redirect(&target), "{shape}");
        let exchange = pending.accept(&target).unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(code_of(exchange), *code, "{shape}");
    }
}

#[test]
fn query_text_forms() {
    // A pasted query with its `?`, a fragment a browser shows (`#_=_`), a form_post body.
    for text in ["?code=c0de-1234&state={state}", "code=c0de-1234&state={state}#_=_", "state={state}&code=c0de-1234"] {
        let (_, pending) = start(request());
        let text = text.replace("{state}", pending.state());
        assert_eq!(code_of(pending.accept_query(&text).expect("accepted")), "c0de-1234", "{text}");
    }
    // A fragment is never read: a code there is no code.
    let (_, pending) = start(request());
    let text = format!("state={}#code=c0de-1234", pending.state());
    assert_eq!(pending.accept_query(&text).map(code_of), Err(AuthorizationError::MissingCode));
}

#[test]
fn refusals_of_malformed_redirects() {
    type Case = (&'static str, fn(&str) -> String, AuthorizationError);
    let cases: &[Case] = &[
        ("no query at all", |_| String::new(), AuthorizationError::MissingState),
        ("no state", |_| "code=abc".into(), AuthorizationError::MissingState),
        ("an empty state", |_| "code=abc&state=".into(), AuthorizationError::MissingState),
        ("an error without state", |_| "error=access_denied".into(), AuthorizationError::MissingState),
        ("no code", |s| format!("state={s}"), AuthorizationError::MissingCode),
        ("an empty code", |s| format!("state={s}&code="), AuthorizationError::MissingCode),
        ("two codes", |s| format!("code=a&state={s}&code=b"), AuthorizationError::DuplicateParameter { name: "code" }),
        (
            "two states",
            |s| format!("state={s}&state={s}&code=a"),
            AuthorizationError::DuplicateParameter { name: "state" },
        ),
        (
            "two iss",
            |s| format!("state={s}&iss=a&iss=b&code=a"),
            AuthorizationError::DuplicateParameter { name: "iss" },
        ),
        (
            "two errors",
            |s| format!("state={s}&error=a&error=b"),
            AuthorizationError::DuplicateParameter { name: "error" },
        ),
    ];
    for (name, make, expected) in cases {
        let (_, pending) = start(request());
        let text = make(pending.state());
        assert_eq!(pending.accept_query(&text).map(code_of).as_ref(), Err(expected), "{name}");
    }
}

#[test]
fn an_error_wins_over_a_code_and_keeps_description_and_uri() {
    let (_, pending) = start(request());
    let state = pending.state().to_owned();
    let refused = accept(
        pending,
        &[
            ("error", "invalid_scope"),
            ("error_description", "scope `admin` is not allowed"),
            ("error_uri", "https://server.example.com/errors/scope"),
            ("code", "should-not-be-used"),
            ("state", &state),
        ],
    )
    .map(code_of)
    .expect_err("an error redirect");
    assert_eq!(
        refused,
        AuthorizationError::Server {
            code: ErrorCode::InvalidScope,
            description: Some("scope `admin` is not allowed".into()),
            uri: Some("https://server.example.com/errors/scope".into()),
        }
    );
    assert_eq!(refused.code(), Some(&ErrorCode::InvalidScope));
    assert_eq!(
        refused.to_string(),
        "the authorization server refused with `invalid_scope`: scope `admin` is not allowed (see https://server.example.com/errors/scope)"
    );
}

#[test]
fn openid_error_codes_are_kept_as_written() {
    let (_, pending) = start(request());
    let state = pending.state().to_owned();
    let refused = accept(pending, &[("error", "login_required"), ("state", &state)]).map(code_of).expect_err("refused");
    assert_eq!(refused.code(), Some(&ErrorCode::Other("login_required".into())));
    assert_eq!(refused.to_string(), "the authorization server refused with `login_required`");
}

#[test]
fn issuer_checks() {
    let checked = |required| request().with_issuer(ISSUER, required);
    let run = |request: AuthorizationRequest, iss: Option<&str>| {
        let (_, pending) = start(request);
        let state = pending.state().to_owned();
        let mut sent = vec![("code", CODE), ("state", &*state)];
        sent.extend(iss.map(|iss| ("iss", iss)));
        accept(pending, &sent).map(|exchange| exchange.issuer().map(str::to_owned))
    };
    // Sent and right: accepted, required or not.
    assert_eq!(run(checked(true), Some(ISSUER)), Ok(Some(ISSUER.to_owned())));
    assert_eq!(run(checked(false), Some(ISSUER)), Ok(Some(ISSUER.to_owned())));
    // Missing: refused only when the server says it always sends it.
    assert_eq!(run(checked(true), None), Err(AuthorizationError::MissingIssuer { expected: ISSUER.into() }));
    assert_eq!(run(checked(false), None), Ok(None));
    // Another server's, even a trailing-slash spelling (RFC 9207 §2.4: simple string comparison).
    for wrong in ["https://attacker.example", "https://server.example.com/", ""] {
        for required in [true, false] {
            assert_eq!(
                run(checked(required), Some(wrong)),
                Err(AuthorizationError::IssuerMismatch { expected: ISSUER.into(), received: wrong.into() }),
                "{wrong:?}"
            );
        }
    }
    // Nothing configured: whatever `iss` says is handed back unchecked.
    assert_eq!(run(request(), Some("https://anyone.example")), Ok(Some("https://anyone.example".to_owned())));
}

#[test]
fn the_issuer_is_checked_on_error_redirects_too() {
    let (_, pending) = start(request().with_issuer(ISSUER, true));
    let state = pending.state().to_owned();
    let refused = accept(pending, &[("error", "access_denied"), ("state", &state)]).map(code_of);
    assert_eq!(refused, Err(AuthorizationError::MissingIssuer { expected: ISSUER.into() }));
}

#[test]
fn is_redirect_tells_the_callback_from_other_requests() {
    let (_, pending) = start(request());
    for yes in ["/cb", "/cb?code=x", "https://client.example.com/cb?state=y", "HTTPS://CLIENT.example.com/cb"] {
        assert!(pending.is_redirect(&yes.parse().expect("valid")), "{yes}");
    }
    for no in ["/favicon.ico", "/cb/", "/CB", "https://other.example/cb", "http://client.example.com/cb"] {
        assert!(!pending.is_redirect(&no.parse().expect("valid")), "{no}");
    }
}
