//! The code exchange: its exact bytes for every kind of client, the answer read by `PendingExchange`, an echoed code or
//! verifier scrubbed from the error, and the grant's own fields refused as extras.

use std::time::Instant;

use oauth_core::authorization::PkceVerifier;
use oauth_core::http::Response;
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientSecret, ErrorCode, Grant, MisuseError, Params, RESERVED_PARAMS,
    TokenError, TokenRequest,
};

use crate::{
    APPENDIX_B_OCTETS, APPENDIX_B_VERIFIER, CLIENT_SECRET, CODE, REDIRECT, accept, client_id, request, start,
    token_endpoint, url,
};

fn exchange_request(auth: &ClientAuth) -> (String, oauth_core::http::Request<Vec<u8>>, oauth_core::PendingExchange) {
    let (_, pending) = start(request());
    let state = pending.state().to_owned();
    let exchange = accept(pending, &[("code", CODE), ("state", &state)]).expect("accepted");
    let (request, pending) = exchange.build_request(&token_endpoint(), auth).expect("no client assertion to sign");
    let body = String::from_utf8(request.body().clone()).expect("UTF-8");
    (body, request, pending)
}

const EXCHANGE_FIELDS: &str = "code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb\
     &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

#[test]
fn code_exchange_for_every_kind_of_client() {
    let secret = || ClientSecret::new(CLIENT_SECRET);
    let cases: [(&str, ClientAuth, String, Option<&str>); 4] = [
        (
            "client_secret_basic (RFC 6749 §4.1.3's example)",
            ClientAuth::basic(client_id(), secret()),
            format!("grant_type=authorization_code&{EXCHANGE_FIELDS}"),
            Some("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"),
        ),
        (
            "client_secret_basic, raw",
            ClientAuth::new(client_id(), Some(secret()), AuthMethod::Basic(BasicEncoding::Raw)).expect("no colon"),
            format!("grant_type=authorization_code&{EXCHANGE_FIELDS}"),
            Some("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"),
        ),
        (
            "client_secret_post",
            ClientAuth::post(client_id(), secret()),
            format!("grant_type=authorization_code&client_id=s6BhdRkqt3&client_secret=gX1fBat3bV&{EXCHANGE_FIELDS}"),
            None,
        ),
        (
            "public client",
            ClientAuth::public(client_id()),
            format!("grant_type=authorization_code&client_id=s6BhdRkqt3&{EXCHANGE_FIELDS}"),
            None,
        ),
    ];
    for (name, auth, expected_body, authorization) in cases {
        let (body, request, pending) = exchange_request(&auth);
        assert_eq!(body, expected_body, "{name}");
        assert_eq!(request.method(), "POST", "{name}");
        assert_eq!(request.uri(), "https://server.example.com/token", "{name}");
        let headers = request.headers();
        assert_eq!(headers["content-type"], "application/x-www-form-urlencoded", "{name}");
        assert_eq!(headers["accept"], "application/json", "{name}");
        match authorization {
            Some(value) => {
                assert_eq!(headers["authorization"], value, "{name}");
                assert!(headers["authorization"].is_sensitive(), "{name}");
            }
            None => assert!(!headers.contains_key("authorization"), "{name}"),
        }
        assert_eq!(pending.grant().grant_type(), "authorization_code", "{name}");
        assert!(!pending.grant().is_replay_safe(), "{name}: a code is single use");
    }
}

#[test]
fn the_exchange_answer_is_read_by_pending_exchange() {
    let (_, _, pending) = exchange_request(&ClientAuth::public(client_id()));
    let answer = Response::builder()
        .header("content-type", "application/json")
        .body(r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}"#)
        .expect("valid");
    let token = pending.finish(&answer, Instant::now()).expect("a token");
    assert_eq!(token.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
    assert_eq!(token.refresh_token().map(|r| r.secret()), Some("tGzv3JOkF0XG5Qx2TlKWIA"));
}

#[test]
fn an_echoed_code_or_verifier_is_scrubbed_from_the_token_error() {
    let (_, _, pending) = exchange_request(&ClientAuth::public(client_id()));
    let answer = Response::builder()
        .status(400)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"error":"invalid_grant","error_description":"code {CODE} was already used; verifier {APPENDIX_B_VERIFIER} does not match"}}"#
        ))
        .expect("valid");
    let error = pending.finish(&answer, Instant::now()).expect_err("refused");
    assert_eq!(error.code(), Some(&ErrorCode::InvalidGrant));
    for rendering in [format!("{error}"), format!("{error:?}"), format!("{error:#?}")] {
        assert!(!rendering.contains(CODE) && !rendering.contains(APPENDIX_B_VERIFIER), "{rendering}");
    }
    let TokenError::Server(server) = error else { panic!("a server error") };
    assert_eq!(
        server.description.as_deref(),
        Some("code [redacted] was already used; verifier [redacted] does not match")
    );
}

#[test]
fn the_grant_refuses_its_fields_as_extras_and_prints_redacted() {
    let grant = Grant::authorization_code(CODE, url(REDIRECT), PkceVerifier::from_entropy(&APPENDIX_B_OCTETS));
    for name in ["code", "redirect_uri", "code_verifier"].into_iter().chain(RESERVED_PARAMS.iter().copied()) {
        let mut extra = Params::new();
        extra.push(name, "x").expect("non-empty");
        let refused = TokenRequest::new(grant.clone()).with_params(extra.clone()).err();
        assert_eq!(refused, Some(MisuseError::ReservedParameter { name: name.into() }), "{name}");
    }
    // Only that grant's request refuses its fields.
    let mut extra = Params::new();
    extra.push("redirect_uri", "https://elsewhere.example/").expect("non-empty");
    assert!(TokenRequest::new(Grant::ClientCredentials).with_params(extra).is_ok());

    assert_eq!(grant.grant_type(), "authorization_code");
    assert!(!grant.is_replay_safe());
    let debug = format!("{grant:?}");
    assert!(debug.starts_with("AuthorizationCode { code: AuthorizationCode([redacted]), redirect_uri: "), "{debug}");
    assert!(debug.ends_with("code_verifier: PkceVerifier([redacted]) }"), "{debug}");
}
