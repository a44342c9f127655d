//! The authorization URL: its parameters exactly and in order, the endpoint's own query kept, every name the library
//! writes refused as an extra, and a URL too long for a URI an error rather than a panic.

use oauth_core::authorization::{
    AuthorizationRequest, ENTROPY_LEN, Nonce, RESERVED_AUTHORIZATION_PARAMS, UrlTooLong, loopback_redirect_uri,
};
use oauth_core::{MisuseError, Params, Scope};

use crate::{APPENDIX_B_CHALLENGE, CLIENT_ID, REDIRECT, client_id, owned, pairs, request, start, url};

#[test]
fn url_parameters_exactly() {
    let (url, pending) = start(request().with_scope(Scope::parse("openid profile").expect("valid")));
    assert_eq!((url.scheme_str(), url.host(), url.path()), (Some("https"), Some("server.example.com"), "/authorize"));
    assert_eq!(
        pairs(&url),
        owned(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("state", pending.state()),
            ("code_challenge", APPENDIX_B_CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
    );
    assert_eq!(
        url.query(),
        Some(&*format!(
            "response_type=code&client_id=s6BhdRkqt3&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb\
             &scope=openid+profile&state={}&code_challenge={APPENDIX_B_CHALLENGE}&code_challenge_method=S256",
            pending.state()
        ))
    );
}

#[test]
fn url_with_everything_keeps_the_endpoint_query_and_the_extras_in_order() {
    let mut extra = Params::new();
    extra
        .push("resource", "https://api.example/a")
        .and_then(|p| p.push("resource", "https://api.example/b"))
        .and_then(|p| p.push("login_hint", "ana maria+1@example.com"))
        .expect("not reserved");
    let request = AuthorizationRequest::new(
        url("https://server.example.com/authorize?tenant=acme"),
        client_id(),
        loopback_redirect_uri(std::num::NonZeroU16::new(8400).expect("non-zero")),
    )
    .with_nonce(Nonce::new("n-0S6_WzA2Mj"))
    .with_prompt("login consent")
    .with_params(extra)
    .expect("not reserved");
    let (url, pending) = start(request);
    assert_eq!(
        pairs(&url),
        owned(&[
            ("tenant", "acme"),
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", "http://127.0.0.1:8400/callback"),
            ("state", pending.state()),
            ("code_challenge", APPENDIX_B_CHALLENGE),
            ("code_challenge_method", "S256"),
            ("nonce", "n-0S6_WzA2Mj"),
            ("prompt", "login consent"),
            ("resource", "https://api.example/a"),
            ("resource", "https://api.example/b"),
            ("login_hint", "ana maria+1@example.com"),
        ])
    );
    assert!(url.query().expect("a query").starts_with("tenant=acme&response_type=code&"));
}

#[test]
fn an_endpoint_query_ending_in_a_separator_gets_no_second_one() {
    for endpoint in ["https://as.example/authorize?", "https://as.example/authorize?a=1&"] {
        let (url, _) = start(AuthorizationRequest::new(url(endpoint), client_id(), url(REDIRECT)));
        let text = url.to_string();
        assert!(!text.contains("?&") && !text.contains("&&"), "{text}");
        assert!(text.contains("response_type=code&client_id="), "{text}");
    }
}

#[test]
fn every_name_the_library_writes_is_refused_as_an_extra() {
    for name in RESERVED_AUTHORIZATION_PARAMS {
        let mut params = Params::new();
        params.push(*name, "x").expect("non-empty");
        match request().with_params(params) {
            Err(MisuseError::ReservedParameter { name: refused }) => assert_eq!(&*refused, *name),
            other => panic!("{name}: {other:?}"),
        }
    }
    for name in ["response_mode", "login_hint", "acr_values", "resource", "ui_locales"] {
        let mut params = Params::new();
        params.push(name, "x").expect("non-empty");
        assert!(request().with_params(params).is_ok(), "{name}");
    }
}

#[test]
fn a_url_too_long_for_a_uri_is_an_error_not_a_panic() {
    let tokens: Vec<String> = (0..9000).map(|i| format!("scope{i}")).collect();
    let huge = Scope::new(&tokens).expect("valid tokens");
    match request().with_scope(huge).start([0; ENTROPY_LEN]) {
        Err(UrlTooLong { len }) => assert!(len > 65_534),
        Ok(_) => panic!("an http::Uri cannot hold it"),
    }
}
