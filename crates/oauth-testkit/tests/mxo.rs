//! The MXO emulator accepts exactly what `oauth_providers::mxo::profile` sends and answers in the
//! seed's shape (seeds/000, VENDORS.md §1); it refuses anything else with a bare status.

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::{AuthMethod, BasicEncoding, ErrorSource, TokenError};
use oauth_providers::{mxo, rfc6749};
use oauth_testkit::Mxo;
use support::{call, challenge, exchange, json, raw_answer, server_error};

#[tokio::test]
async fn the_profile_gets_a_token_in_the_seed_shape() {
    let server = Mxo::start().await;
    let profile = server.profile();
    let config = profile.token_config().unwrap();
    let (request, _) = config.build_request().expect("no client assertion to sign");
    assert_eq!(request.body(), b"grant_type=client_credentials");

    let answer = raw_answer(config).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let body = json(&answer);
    assert_eq!(body["token_type"], "bearer", "lower case, as the seed shows");
    assert_eq!(body["expires_in"], 299, "a number");
    let jti = body["jti"].as_str().unwrap();
    assert_eq!(jti.len(), 36, "a UUID");
    let access_token = body["access_token"].as_str().unwrap();
    let parts: Vec<&str> = access_token.split('.').collect();
    assert_eq!(parts.len(), 3, "JWT-shaped");
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["jti"], jti);
    assert_eq!(claims["client_id"], server.credentials().client_id());

    let token = exchange(config).await.unwrap();
    assert_eq!(token.lifetime(), Some(Duration::from_secs(299)));
    assert_eq!(server.controls().token_requests(), 2);
    assert_eq!(server.controls().tokens_issued(), 2);
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_a_bare_401() {
    let server = Mxo::start().await;
    let token_url = format!("{}{}", server.uri(), mxo::TOKEN_PATH);
    let wrong_secret = mxo::profile(&server.uri(), server.credentials().client_id(), "not-the-secret").unwrap();
    let body_credentials = rfc6749::Builder::new(&token_url)
        .client(server.credentials().client_id(), server.credentials().client_secret())
        .auth_method(AuthMethod::Post)
        .build()
        .unwrap();
    for (name, profile) in [("wrong secret", wrong_secret), ("client_secret_post", body_credentials)] {
        let answer = raw_answer(profile.token_config().unwrap()).await;
        assert_eq!(answer.status(), 401, "{name}");
        assert!(answer.body().is_empty(), "{name}: MXO's error body is undocumented");
        let error = exchange(profile.token_config().unwrap()).await.unwrap_err();
        let server_error = server_error(&error);
        assert_eq!(server_error.status, 401, "{name}");
        assert_eq!(server_error.code, None, "{name}");
        assert_eq!(server_error.source, ErrorSource::StatusOnly, "{name}");
        assert!(!error.is_retryable(), "{name}");
    }
    assert_eq!(server.controls().tokens_issued(), 0);
}

/// Every Basic spelling of a UUID pair is the same text, so all pass; with characters the
/// encodings change, only raw Basic does (the check is byte-exact on the decoded `id:secret`).
#[tokio::test]
async fn only_raw_basic_passes_when_encodings_differ() {
    let uuids = Mxo::start().await;
    let escaped = Mxo::builder().client("mxo-client", "p@ss word+1/2").start().await;
    let cases = [
        (&uuids, BasicEncoding::Raw, true),
        (&uuids, BasicEncoding::Percent, true),
        (&uuids, BasicEncoding::FormPlus, true),
        (&escaped, BasicEncoding::Raw, true),
        (&escaped, BasicEncoding::Percent, false),
        (&escaped, BasicEncoding::FormPlus, false),
    ];
    for (server, encoding, accepted) in cases {
        let profile = rfc6749::Builder::new(format!("{}{}", server.uri(), mxo::TOKEN_PATH))
            .client(server.credentials().client_id(), server.credentials().client_secret())
            .auth_method(AuthMethod::Basic(encoding))
            .build()
            .unwrap();
        let result = exchange(profile.token_config().unwrap()).await;
        let who = server.credentials().client_id();
        match accepted {
            true => assert!(result.is_ok(), "{who} {encoding:?}: {result:?}"),
            false => {
                assert_eq!(result.unwrap_err().status(), Some(http::StatusCode::UNAUTHORIZED), "{who} {encoding:?}")
            }
        }
    }
    assert_eq!(escaped.profile().token_config().unwrap().auth().method(), AuthMethod::Basic(BasicEncoding::Raw));
}

#[tokio::test]
async fn a_body_other_than_the_grant_type_alone_gets_a_bare_400() {
    let server = Mxo::start().await;
    let token_url = format!("{}{}", server.uri(), mxo::TOKEN_PATH);
    let (id, secret) = (server.credentials().client_id(), server.credentials().client_secret());
    let base =
        || rfc6749::Builder::new(&token_url).client(id, secret).auth_method(AuthMethod::Basic(BasicEncoding::Raw));
    let with_scope = base().scope(oauth_core::Scope::parse("read").unwrap()).build().unwrap();
    let with_param = base().param("audience", "one").build().unwrap();
    let password = base().grant(oauth_core::Grant::password("u", "p")).build().unwrap();
    for (name, profile) in [("scope", with_scope), ("extra parameter", with_param), ("password grant", password)] {
        let answer = raw_answer(profile.token_config().unwrap()).await;
        assert_eq!(answer.status(), 400, "{name}");
        assert!(answer.body().is_empty(), "{name}");
    }
    let get = call("GET", &token_url, None, b"").await;
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn the_interaction_api_wants_a_live_token_it_issued() {
    let server = Mxo::start().await;
    let profile = server.profile();
    let url = mxo::interaction_url(&profile, "ONE-ABC-1234", Some("d9f7")).unwrap().to_string();
    let token = exchange(profile.token_config().unwrap()).await.unwrap();
    let token = token.access_token().secret();

    let ok = call("POST", &url, Some(token), br#"{"uri":"app://home"}"#).await;
    assert_eq!(ok.status(), 200);
    let body = json(&ok);
    assert_eq!(body["statusCode"], 200);
    assert_eq!(body["tid"], "d9f7", "the tid asked for");
    assert_eq!(call("PUT", &url, Some(token), b"{}").await.status(), 200);

    let none = call("POST", &url, None, b"{}").await;
    assert_eq!(
        (none.status().as_u16(), challenge(&none)),
        (401, Some("Bearer")),
        "no token: no error code (RFC 6750 §3.1)"
    );
    let forged = call("POST", &url, Some("eyJ.forged.token"), b"{}").await;
    assert_eq!(forged.status(), 401);
    assert!(oauth_core::is_invalid_token(forged.status(), forged.headers()));

    let no_site_key = format!("{}/one/oauth2/rt/api/2.0/interaction", server.uri());
    assert_eq!(call("POST", &no_site_key, Some(token), b"{}").await.status(), 400);

    server.controls().expire_all_tokens();
    let expired = call("POST", &url, Some(token), b"{}").await;
    assert!(oauth_core::is_invalid_token(expired.status(), expired.headers()));
    assert_eq!(challenge(&expired), Some(r#"Bearer error="invalid_token""#));

    let fresh = exchange(profile.token_config().unwrap()).await.unwrap();
    assert_eq!(call("POST", &url, Some(fresh.access_token().secret()), b"{}").await.status(), 200);
    assert_eq!(server.controls().api_requests(), 7);
}

#[tokio::test]
async fn a_short_expires_in_is_announced_and_enforced() {
    let server = Mxo::builder().expires_in(1).start().await;
    let profile = server.profile();
    let url = mxo::interaction_url(&profile, "ONE-1", None).unwrap().to_string();
    let token = exchange(profile.token_config().unwrap()).await.unwrap();
    assert_eq!(token.lifetime(), Some(Duration::from_secs(1)));
    assert_eq!(call("POST", &url, Some(token.access_token().secret()), b"{}").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let late = call("POST", &url, Some(token.access_token().secret()), b"{}").await;
    assert!(oauth_core::is_invalid_token(late.status(), late.headers()));

    server.controls().set_expires_in(299);
    let token = exchange(profile.token_config().unwrap()).await.unwrap();
    assert_eq!(token.lifetime(), Some(Duration::from_secs(299)));
}

#[tokio::test]
async fn an_unknown_client_id_gets_the_same_bare_401() {
    let server = Mxo::start().await;
    let wrong = mxo::profile(&server.uri(), "someone-else", server.credentials().client_secret()).unwrap();
    let error = exchange(wrong.token_config().unwrap()).await.unwrap_err();
    assert!(matches!(error, TokenError::Server(_)));
    assert_eq!(error.code(), None);
}
