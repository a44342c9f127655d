//! The generic RFC 6749 emulator: its Basic-encoding switches reproduce INTEROP.md's table for
//! the secret `a b+c/d:e%f&g=h`, and it answers grants and errors as RFC 6749 §5 says.

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use http::StatusCode;
use oauth_core::{AuthMethod, BasicEncoding, ClientAuth, ErrorCode, Grant, Scope, TokenRequest, basic_credentials};
use oauth_testkit::{BasicDecoding, GrantType, RefreshRotation, Rfc6749, Rfc6749Builder};
use support::{call, challenge, exchange, exchange_request, json, raw_answer, refresh, server_error};

/// INTEROP.md's secret. RFC 6749's example client id (§4.4.2) makes base64 padding appear.
const ID: &str = "s6BhdRkqt3";
const SECRET: &str = "a b+c/d:e%f&g=h";

/// How the client authenticates in one row of the table.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    Basic(BasicEncoding),
    /// Percent-encoded, base64 without its `=` padding.
    Unpadded,
    /// Percent-encoded, the scheme written `basic`.
    LowerCaseScheme,
    /// Raw, the scheme written `basic`.
    LowerCaseSchemeRaw,
    Post,
}

/// What the server answered: a token, or the status and error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Token,
    Refused(u16, &'static str),
}

async fn attempt(server: &Rfc6749, spelling: Spelling) -> Outcome {
    let url = server.token_url();
    let request = match spelling {
        Spelling::Basic(encoding) => {
            let profile = server.profile_builder().auth_method(AuthMethod::Basic(encoding)).build().unwrap();
            profile.token_config().unwrap().build_request().expect("no client assertion to sign").0
        }
        Spelling::Post => {
            let profile = server.profile_builder().auth_method(AuthMethod::Post).build().unwrap();
            profile.token_config().unwrap().build_request().expect("no client assertion to sign").0
        }
        Spelling::Unpadded | Spelling::LowerCaseScheme | Spelling::LowerCaseSchemeRaw => {
            let encoding = if matches!(spelling, Spelling::LowerCaseSchemeRaw) {
                BasicEncoding::Raw
            } else {
                BasicEncoding::Percent
            };
            let plain = basic_credentials(ID, SECRET, encoding).unwrap();
            let header = match spelling {
                Spelling::Unpadded => format!("Basic {}", STANDARD_NO_PAD.encode(&plain)),
                _ => format!("basic {}", STANDARD.encode(&plain)),
            };
            http::Request::post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("authorization", header)
                .body(b"grant_type=client_credentials".to_vec())
                .unwrap()
        }
    };
    let answer = oauth_testkit::send(request).await.unwrap();
    if answer.status() == 200 {
        return Outcome::Token;
    }
    let code = match json(&answer)["error"].as_str().unwrap() {
        "invalid_client" => "invalid_client",
        "invalid_request" => "invalid_request",
        other => panic!("unexpected error {other}"),
    };
    Outcome::Refused(answer.status().as_u16(), code)
}

/// INTEROP.md, "Basic encoding with a secret of `a b+c/d:e%f&g=h`", plus the raw-only servers
/// it mentions: one row per client spelling, one column per server.
#[tokio::test]
async fn basic_encodings_match_the_interop_table() {
    use Outcome::{Refused, Token};
    let oidc = Rfc6749::oidc_provider_like().client(ID, SECRET).start().await;
    let authlib = Rfc6749::authlib_like().client(ID, SECRET).start().await;
    let raw_only = Rfc6749::raw_only().client(ID, SECRET).start().await;
    let unauthorized = Refused(401, "invalid_client");
    let table = [
        (Spelling::Basic(BasicEncoding::FormPlus), Token, unauthorized, unauthorized),
        (Spelling::Basic(BasicEncoding::Percent), Token, Token, unauthorized),
        (Spelling::Basic(BasicEncoding::Raw), Refused(400, "invalid_request"), Token, Token),
        (Spelling::Unpadded, Token, unauthorized, unauthorized),
        (Spelling::LowerCaseScheme, Token, Token, unauthorized),
        (Spelling::LowerCaseSchemeRaw, Refused(400, "invalid_request"), Token, Token),
        (Spelling::Post, Token, Token, unauthorized),
    ];
    for (spelling, at_oidc, at_authlib, at_raw_only) in table {
        assert_eq!(attempt(&oidc, spelling).await, at_oidc, "oidc-provider-like, {spelling:?}");
        assert_eq!(attempt(&authlib, spelling).await, at_authlib, "Authlib-like, {spelling:?}");
        assert_eq!(attempt(&raw_only, spelling).await, at_raw_only, "raw-only, {spelling:?}");
    }
}

#[tokio::test]
async fn not_properly_encoded_is_the_oidc_provider_message() {
    let server = Rfc6749::oidc_provider_like().client(ID, SECRET).start().await;
    let profile = server.profile_builder().auth_method(AuthMethod::Basic(BasicEncoding::Raw)).build().unwrap();
    let error = exchange(profile.token_config().unwrap()).await.unwrap_err();
    let error = server_error(&error);
    assert_eq!((error.status, error.code.clone()), (StatusCode::BAD_REQUEST, Some(ErrorCode::InvalidRequest)));
    assert!(error.description.as_deref().unwrap().contains("not properly encoded"));
}

#[tokio::test]
async fn a_refused_basic_client_gets_a_basic_challenge_and_post_none() {
    let server = Rfc6749::builder().client(ID, SECRET).start().await;
    let wrong = |method| server.profile_builder().client(ID, "nope").auth_method(method).build().unwrap();
    let basic = exchange(wrong(AuthMethod::Basic(BasicEncoding::Percent)).token_config().unwrap()).await.unwrap_err();
    let basic = server_error(&basic);
    assert_eq!((basic.status, basic.code.clone()), (StatusCode::UNAUTHORIZED, Some(ErrorCode::InvalidClient)));
    assert!(basic.challenges.iter().any(|c| c.is_scheme("basic") && c.error() == Some(ErrorCode::InvalidClient)));
    let post = exchange(wrong(AuthMethod::Post).token_config().unwrap()).await.unwrap_err();
    let post = server_error(&post);
    assert_eq!((post.status, post.code.clone()), (StatusCode::UNAUTHORIZED, Some(ErrorCode::InvalidClient)));
    assert!(post.challenges.is_empty());
}

#[tokio::test]
async fn switches_refuse_what_they_turn_off() {
    let no_basic = Rfc6749::builder().basic(None).start().await;
    let basic = no_basic.profile_builder().auth_method(AuthMethod::Basic(BasicEncoding::Percent)).build().unwrap();
    assert_eq!(exchange(basic.token_config().unwrap()).await.unwrap_err().code(), Some(&ErrorCode::InvalidClient));
    let post = no_basic.profile_builder().auth_method(AuthMethod::Post).build().unwrap();
    assert!(exchange(post.token_config().unwrap()).await.is_ok());

    let case_sensitive = Rfc6749::raw_only().basic_scheme_case_sensitive(true).client(ID, SECRET).start().await;
    assert_eq!(attempt(&case_sensitive, Spelling::Basic(BasicEncoding::Raw)).await, Outcome::Token);
    assert_eq!(attempt(&case_sensitive, Spelling::LowerCaseSchemeRaw).await, Outcome::Refused(401, "invalid_client"));

    let cc_only = Rfc6749::builder().grants([GrantType::ClientCredentials]).start().await;
    let password = cc_only.profile_builder().grant(Grant::password("alice", "wonder land")).build().unwrap();
    let error = exchange(password.token_config().unwrap()).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::UnauthorizedClient));
}

#[tokio::test]
async fn the_default_profile_gets_a_token_in_the_rfc_shape() {
    let server = Rfc6749::start().await;
    let config = server.profile();
    let config = config.token_config().unwrap();
    let answer = raw_answer(config).await;
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let body = json(&answer);
    assert_eq!((&body["token_type"], &body["expires_in"]), (&serde_json::json!("Bearer"), &serde_json::json!(3600)));
    assert!(body.get("refresh_token").is_none(), "none for client_credentials (RFC 6749 §4.4.3)");
    assert!(body.get("scope").is_none(), "omitted when none was asked for");

    let scoped = server.profile_builder().scope(Scope::parse("read write").unwrap()).build().unwrap();
    let token = exchange(scoped.token_config().unwrap()).await.unwrap();
    assert_eq!(token.scope().unwrap().as_str(), "read write");
}

#[tokio::test]
async fn request_errors_use_the_rfc_codes() {
    let server = Rfc6749::start().await;
    let profile = server.profile();
    let config = profile.token_config().unwrap();
    let url = server.token_url();
    let form = |auth: Option<&str>, body: &str| {
        let mut request = http::Request::post(&url).header("content-type", "application/x-www-form-urlencoded");
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.body(body.as_bytes().to_vec()).unwrap()
    };
    let basic = config.auth().authorization_header().unwrap().to_str().unwrap().to_owned();
    let cases = [
        ("no grant_type", Some(basic.as_str()), "scope=x", 400, "invalid_request"),
        ("unknown grant", Some(basic.as_str()), "grant_type=urn%3Aexample%3Agrant", 400, "unsupported_grant_type"),
        ("repeated parameter", Some(basic.as_str()), "grant_type=password&grant_type=password", 400, "invalid_request"),
        (
            "two mechanisms",
            Some(basic.as_str()),
            "grant_type=client_credentials&client_id=app&client_secret=s3cr3t",
            400,
            "invalid_request",
        ),
        ("no client", None, "grant_type=client_credentials", 401, "invalid_client"),
        ("no password", Some(basic.as_str()), "grant_type=password&username=alice", 400, "invalid_request"),
        ("wrong password", Some(basic.as_str()), "grant_type=password&username=alice&password=x", 400, "invalid_grant"),
        (
            "unknown refresh token",
            Some(basic.as_str()),
            "grant_type=refresh_token&refresh_token=x",
            400,
            "invalid_grant",
        ),
    ];
    for (name, auth, body, status, error) in cases {
        let answer = oauth_testkit::send(form(auth, body)).await.unwrap();
        assert_eq!((answer.status().as_u16(), json(&answer)["error"].as_str().unwrap()), (status, error), "{name}");
    }
    let not_a_form = http::Request::post(&url).header("authorization", basic.as_str()).body(b"{}".to_vec()).unwrap();
    assert_eq!(json(&oauth_testkit::send(not_a_form).await.unwrap())["error"], "invalid_request");
    assert_eq!(server.controls().token_requests(), cases.len() + 1);
}

#[tokio::test]
async fn refresh_tokens_rotate_or_are_reused_or_omitted() {
    for rotation in [RefreshRotation::Rotate, RefreshRotation::Reuse, RefreshRotation::Omit] {
        let server = Rfc6749::builder().refresh_rotation(rotation).start().await;
        let profile = server.profile_builder().grant(Grant::password("alice", "wonder land")).build().unwrap();
        let config = profile.token_config().unwrap();
        let first = exchange(config).await.unwrap();
        let old = first.refresh_token().unwrap().secret().to_owned();
        let answer = {
            let request = config.request().with_grant(Grant::refresh_token(old.as_str()));
            let (http_request, _) =
                config.endpoint().build_request(config.auth(), &request).expect("no client assertion to sign");
            json(&oauth_testkit::send(http_request).await.unwrap())
        };
        let again = refresh(config, &old).await;
        match rotation {
            RefreshRotation::Rotate => {
                assert_ne!(answer["refresh_token"], old.as_str());
                assert_eq!(again.unwrap_err().code(), Some(&ErrorCode::InvalidGrant), "the old one is refused");
            }
            RefreshRotation::Reuse => {
                assert_eq!(answer["refresh_token"], old.as_str());
                assert!(again.is_ok());
            }
            _ => {
                assert!(answer.get("refresh_token").is_none());
                assert_eq!(again.unwrap().refresh_token().unwrap().secret(), old, "oauth-core keeps the old one");
            }
        }
    }
    let server = Rfc6749::start().await;
    let profile = server.profile_builder().grant(Grant::password("alice", "wonder land")).build().unwrap();
    let token = exchange(profile.token_config().unwrap()).await.unwrap();
    server.controls().revoke_refresh_tokens();
    let error = refresh(profile.token_config().unwrap(), token.refresh_token().unwrap().secret()).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidGrant));
}

#[tokio::test]
async fn the_resource_wants_a_live_token_it_issued() {
    let server = Rfc6749::start().await;
    let url = format!("{}{}", server.uri(), Rfc6749::RESOURCE_PATH);
    let token = exchange(server.profile().token_config().unwrap()).await.unwrap();
    let token = token.access_token().secret();

    let ok = call("GET", &url, Some(token), b"").await;
    assert_eq!((ok.status().as_u16(), &json(&ok)["client_id"]), (200, &serde_json::json!("app")));
    let none = call("GET", &url, None, b"").await;
    assert_eq!((none.status().as_u16(), challenge(&none)), (401, Some(r#"Bearer realm="oauth-testkit""#)));
    assert!(!oauth_core::is_invalid_token(none.status(), none.headers()));
    let forged = call("GET", &url, Some("forged"), b"").await;
    assert!(oauth_core::is_invalid_token(forged.status(), forged.headers()));

    server.controls().expire_all_tokens();
    let expired = call("GET", &url, Some(token), b"").await;
    assert!(oauth_core::is_invalid_token(expired.status(), expired.headers()));

    server.controls().set_expires_in(1);
    let short = exchange(server.profile().token_config().unwrap()).await.unwrap();
    assert_eq!(short.lifetime(), Some(Duration::from_secs(1)));
    assert_eq!(call("GET", &url, Some(short.access_token().secret()), b"").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let late = call("GET", &url, Some(short.access_token().secret()), b"").await;
    assert!(oauth_core::is_invalid_token(late.status(), late.headers()));
    assert_eq!(server.controls().api_requests(), 6);
}

#[tokio::test]
async fn the_password_grant_checks_each_user() {
    let server: Rfc6749 = Rfc6749Builder::default()
        .users([("ana", "pw 1"), ("bo", "pw+2")])
        .basic(Some(BasicDecoding::Unquote))
        .start()
        .await;
    assert_eq!(server.credentials().username(), Some("ana"));
    let config = server.profile();
    let config = config.token_config().unwrap();
    for (user, password, ok) in [("ana", "pw 1", true), ("bo", "pw+2", true), ("ana", "pw+2", false)] {
        let request = TokenRequest::new(Grant::password(user, password));
        let auth = ClientAuth::post(config.auth().client_id().clone(), config.auth().client_secret().unwrap().clone());
        let result = exchange_request(config, &auth, &request).await;
        assert_eq!(result.is_ok(), ok, "{user}/{password}");
    }
}
