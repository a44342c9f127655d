//! The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9207): RFC 7636 Appendix B, the authorization
//! URL's parameters exactly, the redirect read back (state, iss, error, code) in the shapes servers send it, property
//! tests for what must be refused, the code exchange's bytes for every kind of client, and no secret in any rendering.

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::authorization::{
    AuthorizationError, AuthorizationRequest, ENTROPY_LEN, Nonce, PendingAuthorization, PkceVerifier,
    RESERVED_AUTHORIZATION_PARAMS, STATE_ENTROPY_LEN, UrlTooLong, VERIFIER_ENTROPY_LEN, loopback_redirect_uri,
};
use oauth_core::http::{Response, Uri};
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, EndpointUrl, ErrorCode, Grant, MisuseError, Params,
    RESERVED_PARAMS, Scope, TokenEndpoint, TokenError, TokenRequest,
};
use proptest::prelude::*;

/// RFC 7636 Appendix B: the 32 octets, the verifier they make, its S256 challenge.
const APPENDIX_B_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
    91, 88, 5, 88, 83, 132, 141, 121,
];
const APPENDIX_B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const APPENDIX_B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// RFC 6749 §4.1's example client, redirect URI and code.
const CLIENT_ID: &str = "s6BhdRkqt3";
const CLIENT_SECRET: &str = "gX1fBat3bV";
const REDIRECT: &str = "https://client.example.com/cb";
const CODE: &str = "SplxlOBeZQQYbYS6WxSbIA";
const ISSUER: &str = "https://server.example.com";

fn url(text: &str) -> EndpointUrl {
    EndpointUrl::new(text).expect("a valid fixture URL")
}

fn client_id() -> ClientId {
    ClientId::new(CLIENT_ID).expect("non-empty")
}

fn request() -> AuthorizationRequest {
    AuthorizationRequest::new(url("https://server.example.com/authorize"), client_id(), url(REDIRECT))
}

/// Entropy whose verifier part is Appendix B's octets and whose state part is `state_byte` repeated.
fn appendix_b_entropy(state_byte: u8) -> [u8; ENTROPY_LEN] {
    let mut entropy = [state_byte; ENTROPY_LEN];
    entropy[..VERIFIER_ENTROPY_LEN].copy_from_slice(&APPENDIX_B_OCTETS);
    entropy
}

fn start(request: AuthorizationRequest) -> (Uri, PendingAuthorization) {
    request.start(appendix_b_entropy(0x5a)).expect("a URL of ordinary length")
}

/// The query's pairs, decoded, in order.
fn pairs(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect()
}

fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

/// A redirect query carrying `pairs`, form-encoded.
fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn token_endpoint() -> TokenEndpoint {
    TokenEndpoint::new("https://server.example.com/token").expect("valid")
}

// ----- RFC 7636 Appendix B -----

#[test]
fn appendix_b_verifier_and_challenge() {
    let verifier = PkceVerifier::from_entropy(&APPENDIX_B_OCTETS);
    assert_eq!(verifier.secret(), APPENDIX_B_VERIFIER);
    assert_eq!(verifier.challenge(), APPENDIX_B_CHALLENGE);
}

#[test]
fn appendix_b_through_the_whole_flow() {
    let (url, pending) = start(request());
    let sent = pairs(&url);
    assert!(sent.contains(&("code_challenge".into(), APPENDIX_B_CHALLENGE.into())), "{sent:?}");
    assert!(sent.contains(&("code_challenge_method".into(), "S256".into())), "{sent:?}");
    assert!(!url.to_string().contains(APPENDIX_B_VERIFIER), "the verifier never leaves with the URL");

    let state = pending.state().to_owned();
    let exchange = pending.accept_query(&query(&[("code", CODE), ("state", &state)])).expect("a good redirect");
    let (token_request, _) = exchange
        .build_request(&token_endpoint(), &ClientAuth::public(client_id()))
        .expect("no client assertion to sign");
    let body = std::str::from_utf8(token_request.body()).expect("UTF-8");
    assert!(body.ends_with(&format!("&code_verifier={APPENDIX_B_VERIFIER}")), "{body}");
}

#[test]
fn the_verifier_and_state_are_unreserved_text_of_the_documented_lengths() {
    for byte in [0x00, 0x3e, 0x3f, 0xfb, 0xff] {
        let (url, pending) = request().start([byte; ENTROPY_LEN]).expect("ok");
        let unreserved = |text: &str| text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        assert_eq!(pending.state().len(), 22);
        assert!(unreserved(pending.state()));
        assert_eq!(pending.state(), URL_SAFE_NO_PAD.encode([byte; STATE_ENTROPY_LEN]));
        let verifier = PkceVerifier::from_entropy(&[byte; VERIFIER_ENTROPY_LEN]);
        assert!((43..=128).contains(&verifier.secret().len()) && unreserved(verifier.secret()));
        assert!(pairs(&url).contains(&("code_challenge".into(), verifier.challenge())));
    }
}

#[test]
fn verifier_and_state_come_from_separate_bytes() {
    let (a, pending_a) = request().start(appendix_b_entropy(1)).expect("ok");
    let (b, pending_b) = request().start(appendix_b_entropy(2)).expect("ok");
    let challenge = |url: &Uri| pairs(url).into_iter().find(|(name, _)| name == "code_challenge");
    assert_eq!(challenge(&a), challenge(&b), "same verifier bytes, same challenge");
    assert_ne!(pending_a.state(), pending_b.state(), "other state bytes, another state");
}

// ----- the authorization URL -----

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

// ----- reading the redirect -----

fn accept(
    pending: PendingAuthorization,
    pairs: &[(&str, &str)],
) -> Result<oauth_core::authorization::CodeExchange, AuthorizationError> {
    pending.accept_query(&query(pairs))
}

fn code_of(exchange: oauth_core::authorization::CodeExchange) -> String {
    match exchange.into_token_request().grant() {
        Grant::AuthorizationCode { code, .. } => code.secret().to_owned(),
        other => panic!("{other:?}"),
    }
}

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

// ----- the code exchange -----

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

// ----- secret hygiene -----

/// Every 8-character piece of `secret` (and `secret` itself when shorter).
fn pieces(secret: &str) -> Vec<&str> {
    if secret.len() <= 8 { vec![secret] } else { (0..=secret.len() - 8).map(|i| &secret[i..i + 8]).collect() }
}

fn assert_clean(what: &str, renderings: &[String], secrets: &[&str]) {
    for rendering in renderings {
        for secret in secrets {
            for piece in pieces(secret) {
                assert!(!rendering.contains(piece), "{what} shows `{piece}` of a secret: {rendering}");
            }
        }
    }
}

fn debug_and_display<T: std::fmt::Debug + std::fmt::Display>(value: &T) -> Vec<String> {
    vec![format!("{value}"), format!("{value:?}"), format!("{value:#?}")]
}

fn debug_only<T: std::fmt::Debug>(value: &T) -> Vec<String> {
    vec![format!("{value:?}"), format!("{value:#?}")]
}

#[test]
fn no_secret_in_any_rendering() {
    const NONCE: &str = "CANARY-nonce-Qp4sW8zd";
    const ECHO_CODE: &str = "CANARY-code-Hk2mT6xv";
    let request = || request().with_nonce(Nonce::new(NONCE)).with_issuer(ISSUER, true);
    assert_clean("AuthorizationRequest", &debug_only(&request()), &[NONCE]);

    let (_, pending) = start(request());
    let state = pending.state().to_owned();
    let secrets = [APPENDIX_B_VERIFIER, state.as_str(), NONCE, ECHO_CODE];
    assert_clean("PendingAuthorization", &debug_only(&pending), &secrets);
    assert_clean("PkceVerifier", &debug_and_display(&PkceVerifier::from_entropy(&APPENDIX_B_OCTETS)), &secrets);
    assert_clean("Nonce", &debug_and_display(&Nonce::new(NONCE)), &secrets);

    let exchange = accept(pending, &[("code", ECHO_CODE), ("state", &state), ("iss", ISSUER)]).expect("accepted");
    assert_clean("CodeExchange", &debug_only(&exchange), &secrets);
    assert_eq!(exchange.nonce().map(Nonce::secret), Some(NONCE));
    let token_request = exchange.into_token_request();
    assert_clean("TokenRequest", &debug_only(&token_request), &secrets);
    assert_clean("Grant", &debug_only(token_request.grant()), &secrets);
    let (_, pending_exchange) = token_endpoint()
        .build_request(&ClientAuth::public(client_id()), &token_request)
        .expect("no client assertion to sign");
    assert_clean("PendingExchange", &debug_only(&pending_exchange), &secrets);

    // Every error, from redirects that echo the state and the code wherever they can.
    let echoed = format!("state {state} code {ECHO_CODE}");
    let redirects: Vec<Vec<(&str, &str)>> = vec![
        vec![("state", "tampered"), ("code", ECHO_CODE)],
        vec![("code", ECHO_CODE)],
        vec![("state", &state), ("code", ECHO_CODE)],
        vec![("state", &state), ("code", ECHO_CODE), ("iss", &echoed)],
        vec![("state", &state), ("iss", ISSUER)],
        vec![("state", &state), ("iss", ISSUER), ("code", ECHO_CODE), ("code", ECHO_CODE)],
        vec![
            ("state", &state),
            ("iss", ISSUER),
            ("code", ECHO_CODE),
            ("error", &echoed),
            ("error_description", &echoed),
            ("error_uri", &echoed),
        ],
    ];
    let mut variants = Vec::new();
    for redirect in redirects {
        // Each redirect is read by a pending request with the same state (same entropy).
        let (_, pending) = start(request());
        let error = accept(pending, &redirect).map(code_of).expect_err("refused");
        assert_clean(&format!("{error:?}"), &debug_and_display(&error), &secrets);
        variants.push(std::mem::discriminant(&error));
    }
    variants.dedup();
    assert_eq!(variants.len(), 7, "one redirect per error variant");
}

// ----- properties -----

fn entropy() -> impl Strategy<Value = [u8; ENTROPY_LEN]> {
    proptest::collection::vec(any::<u8>(), ENTROPY_LEN).prop_map(|bytes| bytes.try_into().expect("ENTROPY_LEN bytes"))
}

/// Parameters a redirect may carry beside the ones read (never a name the reader reads).
fn other_params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("[a-z_]{1,12}", any::<String>()), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(name, _)| !["code", "state", "iss", "error", "error_description", "error_uri"].contains(&&**name))
            .collect()
    })
}

fn with_others<'a>(mut pairs: Vec<(&'a str, &'a str)>, others: &'a [(String, String)]) -> String {
    pairs.extend(others.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    query(&pairs)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_tampered_state_is_refused(entropy in entropy(), tampered in any::<String>(), flip in 0usize..22, others in other_params()) {
        let (_, pending) = request().start(entropy).expect("ok");
        let state = pending.state().to_owned();
        prop_assume!(tampered != state);
        let expected = if tampered.is_empty() { AuthorizationError::MissingState } else { AuthorizationError::StateMismatch };
        let refused = pending.accept_query(&with_others(vec![("code", CODE), ("state", &tampered)], &others));
        prop_assert_eq!(refused.map(code_of), Err(expected));

        // One character changed.
        let (_, pending) = request().start(entropy).expect("ok");
        let mut bytes = state.into_bytes();
        bytes[flip] = if bytes[flip] == b'A' { b'B' } else { b'A' };
        let near = String::from_utf8(bytes).expect("ASCII");
        let refused = pending.accept_query(&with_others(vec![("state", &near), ("code", CODE)], &others));
        prop_assert_eq!(refused.map(code_of), Err(AuthorizationError::StateMismatch));
    }

    #[test]
    fn the_right_state_and_a_code_are_accepted(entropy in entropy(), code in ".{1,64}", others in other_params()) {
        let (_, pending) = request().start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let exchange = pending.accept_query(&with_others(vec![("state", &state), ("code", &code)], &others));
        prop_assert_eq!(exchange.map(code_of), Ok(code));
    }

    #[test]
    fn a_missing_iss_is_refused_when_required(entropy in entropy(), others in other_params(), error in proptest::option::of("[a-z_]{1,20}")) {
        let (_, pending) = request().with_issuer(ISSUER, true).start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let mut pairs = vec![("state", state.as_str()), ("code", CODE)];
        pairs.extend(error.as_deref().map(|error| ("error", error)));
        let refused = pending.accept_query(&with_others(pairs, &others));
        prop_assert_eq!(refused.map(code_of), Err(AuthorizationError::MissingIssuer { expected: ISSUER.into() }));
    }

    #[test]
    fn a_wrong_iss_is_refused(entropy in entropy(), iss in any::<String>(), required in any::<bool>(), others in other_params()) {
        prop_assume!(iss != ISSUER);
        let (_, pending) = request().with_issuer(ISSUER, required).start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let refused = pending.accept_query(&with_others(vec![("iss", &iss), ("state", &state), ("code", CODE)], &others));
        prop_assert_eq!(
            refused.map(code_of),
            Err(AuthorizationError::IssuerMismatch { expected: ISSUER.into(), received: iss.into() })
        );
    }

    #[test]
    fn an_error_redirect_gives_the_typed_server_error(
        entropy in entropy(),
        error in "[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]{1,30}",
        description in proptest::option::of("[\\x20-\\x7E]{0,80}"),
        uri in proptest::option::of("https://[a-z.]{1,20}/[a-z/]{0,20}"),
        code in proptest::option::of("[A-Za-z0-9]{8,20}"),
        others in other_params(),
    ) {
        let (_, pending) = request().with_issuer(ISSUER, false).start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let mut pairs = vec![("error", error.as_str()), ("state", state.as_str())];
        pairs.extend(description.as_deref().map(|d| ("error_description", d)));
        pairs.extend(uri.as_deref().map(|u| ("error_uri", u)));
        pairs.extend(code.as_deref().map(|c| ("code", c)));
        let refused = pending.accept_query(&with_others(pairs, &others)).map(code_of);
        // What the server wrote, unless it happened to hold the code (which is then redacted).
        let kept = |text: &str| !code.as_deref().is_some_and(|c| text.contains(c));
        prop_assume!(kept(&error) && description.as_deref().is_none_or(kept) && uri.as_deref().is_none_or(kept));
        prop_assert_eq!(
            refused,
            Err(AuthorizationError::Server {
                code: ErrorCode::from_code(&error),
                description: description.map(Into::into),
                uri: uri.map(Into::into),
            })
        );
    }

    #[test]
    fn reading_any_redirect_never_panics(entropy in entropy(), text in any::<String>()) {
        let (_, pending) = request().with_issuer(ISSUER, true).start(entropy).expect("ok");
        let _ = pending.accept_query(&text);
        if let Ok(uri) = text.parse::<Uri>() {
            let (_, pending) = request().start(entropy).expect("ok");
            let _ = pending.is_redirect(&uri);
            let _ = pending.accept(&uri);
        }
    }
}
