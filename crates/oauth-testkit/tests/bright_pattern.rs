//! The Bright Pattern emulator accepts exactly what `oauth_providers::bright_pattern` sends
//! (seeds/003, VENDORS.md §3), answers `expires_in` as a string, and refuses with the vendor's
//! `errorCode` bodies or RFC 6749 `invalid_scope`.

mod support;

use std::time::Duration;

use http::StatusCode;
use oauth_core::{AuthMethod, ErrorCode, ErrorSource, RetryAfter};
use oauth_providers::bright_pattern::{self, TenantProfile, TokenApi};
use oauth_providers::rfc6749;
use oauth_testkit::{BrightPattern, Fault};
use serde_json::json;
use support::{call, challenge, exchange, json, raw_answer, server_error};

#[tokio::test]
async fn the_tenant_profile_gets_a_token_in_the_documented_shape() {
    let server = BrightPattern::start().await;
    let profile = server.profile();
    let config = profile.token_config().unwrap();
    let (request, _) = config.build_request().expect("no client assertion to sign");
    let expected = format!(
        "grant_type=client_credentials&client_id=sheila.thomas&client_secret={}&scope=127.0.0.1",
        server.credentials().client_secret()
    );
    assert_eq!(request.body(), expected.as_bytes());

    let answer = raw_answer(config).await;
    assert_eq!(answer.status(), 200);
    let body = json(&answer);
    assert_eq!(body["expires_in"], "3599", "a string, as documented");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], server.tenant());
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "upper-case hex");

    let token = exchange(config).await.unwrap();
    assert_eq!(token.lifetime(), Some(Duration::from_secs(3599)));
    assert_eq!(token.scope().unwrap().as_str(), server.tenant());
}

#[tokio::test]
async fn the_v3_path_and_the_service_provider_variant_are_accepted() {
    let server = BrightPattern::start().await;
    let v3 = server.profile_builder().token_api(TokenApi::ListManagementV3).build().unwrap();
    let sp = server.profile_builder().service_provider(server.tenant()).build().unwrap();
    let (request, _) = sp.token_config().unwrap().build_request().expect("no client assertion to sign");
    assert!(String::from_utf8(request.body().clone()).unwrap().ends_with("&tenant=127.0.0.1"));
    for profile in [v3, sp] {
        assert!(exchange(profile.token_config().unwrap()).await.is_ok());
    }
}

#[tokio::test]
async fn a_named_tenant_is_the_scope_the_server_wants() {
    let server = BrightPattern::builder().tenant("example.brightpattern.com").start().await;
    assert!(exchange(server.profile().token_config().unwrap()).await.is_ok());

    let c = server.credentials();
    let host_as_scope = bright_pattern::profile(&server.uri(), c.client_id(), c.client_secret()).unwrap();
    let error = exchange(host_as_scope.token_config().unwrap()).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidScope));

    let sp_other = TenantProfile::new(server.uri(), c.client_id(), c.client_secret()).service_provider("other.example");
    let error = exchange(sp_other.build().unwrap().token_config().unwrap()).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidScope));
}

#[tokio::test]
async fn a_missing_scope_is_invalid_scope_in_the_rfc_shape() {
    let server = BrightPattern::start().await;
    let c = server.credentials();
    let no_scope = rfc6749::Builder::new(format!("{}{}", server.uri(), TokenApi::ConfigV2.path()))
        .client(c.client_id(), c.client_secret())
        .auth_method(AuthMethod::Post)
        .build()
        .unwrap();
    let answer = raw_answer(no_scope.token_config().unwrap()).await;
    assert_eq!((answer.status(), &json(&answer)["error"]), (StatusCode::BAD_REQUEST, &json!("invalid_scope")));
    let error = exchange(no_scope.token_config().unwrap()).await.unwrap_err();
    let error = server_error(&error);
    assert_eq!(error.code, Some(ErrorCode::InvalidScope));
    assert_eq!(error.source, ErrorSource::OAuthBody);
}

#[tokio::test]
async fn wrong_credentials_or_grant_get_error_code_1() {
    let server = BrightPattern::start().await;
    let c = server.credentials();
    let token_url = format!("{}{}", server.uri(), TokenApi::ConfigV2.path());
    let wrong_secret = bright_pattern::profile(&server.uri(), c.client_id(), "nope").unwrap();
    let wrong_login = bright_pattern::profile(&server.uri(), "frank.zappa", c.client_secret()).unwrap();
    // Generic profiles read with the vendor's envelope, as a client aimed at this vendor would.
    let envelope = |q: &mut oauth_core::Quirks| q.error_envelope = Some(bright_pattern::ENVELOPE);
    let basic = rfc6749::Builder::new(&token_url)
        .client(c.client_id(), c.client_secret())
        .quirk(envelope)
        .scope(oauth_core::Scope::parse(server.tenant()).unwrap())
        .build()
        .unwrap();
    let password_grant = rfc6749::Builder::new(&token_url)
        .client(c.client_id(), c.client_secret())
        .auth_method(AuthMethod::Post)
        .quirk(envelope)
        .grant(oauth_core::Grant::password("u", "p"))
        .scope(oauth_core::Scope::parse(server.tenant()).unwrap())
        .build()
        .unwrap();
    for (name, profile) in
        [("secret", wrong_secret), ("login", wrong_login), ("Basic", basic), ("password grant", password_grant)]
    {
        let answer = raw_answer(profile.token_config().unwrap()).await;
        assert_eq!(answer.status(), 401, "{name}");
        assert_eq!(json(&answer), json!({"errorCode": 1, "errorMessage": "Authentication failed"}), "{name}");
        let error = exchange(profile.token_config().unwrap()).await.unwrap_err();
        let error = server_error(&error);
        assert_eq!(error.code, Some(ErrorCode::InvalidClient), "{name}");
        assert_eq!(error.vendor_code.as_deref(), Some("1"), "{name}");
        assert!(!error.is_retryable(), "{name}");
    }
}

#[tokio::test]
async fn a_rate_limit_is_error_code_12_with_retry_after() {
    let server = BrightPattern::start().await;
    server.controls().fail_next(Fault::RateLimited { retry_after_secs: 2 }, 1);
    let config = server.profile();
    let config = config.token_config().unwrap();
    let error = exchange(config).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.code(), Some(&ErrorCode::Other("rate_limited".into())));
    assert_eq!(server_error(&error).vendor_code.as_deref(), Some("12"));
    assert_eq!(error.retry_after(), Some(&RetryAfter::Delay(Duration::from_secs(2))));
    assert!(error.is_retryable());
    assert!(exchange(config).await.is_ok());
    assert_eq!((server.controls().token_requests(), server.controls().tokens_issued()), (2, 1));
}

#[tokio::test]
async fn the_user_api_wants_a_live_token_and_says_token_expired() {
    let server = BrightPattern::builder().user(json!({"loginId": "frank.zappa", "firstName": "Frank"})).start().await;
    let token = exchange(server.profile().token_config().unwrap()).await.unwrap();
    let token = token.access_token().secret();

    let me = call("GET", &server.user_url("sheila.thomas"), Some(token), b"").await;
    assert_eq!((me.status().as_u16(), &json(&me)["loginId"]), (200, &json!("sheila.thomas")));
    let frank = call("GET", &server.user_url("frank.zappa"), Some(token), b"").await;
    assert_eq!(json(&frank)["firstName"], "Frank");
    assert_eq!(call("GET", &server.user_url("nobody"), Some(token), b"").await.status(), 404);

    let unknown = call("GET", &server.user_url("sheila.thomas"), Some("ABCDEF"), b"").await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(json(&unknown), json!({"errorCode": 2, "errorMessage": "Token expired"}));
    assert_eq!(challenge(&unknown), None, "status and body only: a client must retry on any 401");
    let none = call("GET", &server.user_url("sheila.thomas"), None, b"").await;
    assert_eq!((none.status().as_u16(), &json(&none)["errorCode"]), (401, &json!(1)));

    server.controls().expire_all_tokens();
    let expired = call("GET", &server.user_url("sheila.thomas"), Some(token), b"").await;
    assert_eq!(json(&expired)["errorCode"], 2);
    assert_eq!(server.controls().api_requests(), 6);
}

#[tokio::test]
async fn a_live_token_can_be_sent_again_with_its_remaining_life() {
    let server = BrightPattern::builder().reissue_live_tokens(true).start().await;
    let config = server.profile();
    let config = config.token_config().unwrap();
    let first = exchange(config).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = json(&raw_answer(config).await);
    assert_eq!(again["access_token"], first.access_token().secret());
    let left: u64 = again["expires_in"].as_str().unwrap().parse().unwrap();
    assert!(left < 3599, "{left}");
    assert_eq!(server.controls().tokens_issued(), 1);

    server.controls().expire_all_tokens();
    let fresh = exchange(config).await.unwrap();
    assert_ne!(fresh.access_token().secret(), first.access_token().secret());
    assert_eq!(fresh.lifetime(), Some(Duration::from_secs(3599)));
}
