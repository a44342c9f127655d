//! The CloudCX emulator accepts exactly what `oauth_providers::cloudcx` sends (seeds/001 and
//! 002, VENDORS.md §2), refuses with the vendor's `code` envelope, refreshes, and guards the
//! user list with tokens or the API key.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use oauth_core::{ErrorCode, ErrorSource};
use oauth_providers::cloudcx::{self, ApiError, Page, PasswordProfile, User, UsernameField};
use oauth_testkit::{CloudCx, RefreshRotation};
use serde_json::json;
use support::{call, challenge, exchange, json, raw_answer, refresh, server_error};

#[tokio::test]
async fn the_password_profile_gets_a_token_in_the_seed_shape() {
    let server = CloudCx::start().await;
    let profile = server.profile();
    let config = profile.token_config().unwrap();
    let answer = raw_answer(config).await;
    assert_eq!(answer.status(), 200);
    let body = json(&answer);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert!(body["refresh_token"].is_string());
    let parts: Vec<&str> = body["access_token"].as_str().unwrap().split('.').collect();
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert!(header["kid"].is_string());
    assert_eq!(claims["sub"], server.credentials().client_id());
    assert_eq!(claims["aud"], server.credentials().client_id());
    assert_eq!(claims["iss"], "http://cloudcx.cloudfon.net");
    assert_eq!(claims["user-id"], "75d86d40-f7d9-4025-8a1c-8a868f918289", "the seed user's id");

    let token = exchange(config).await.unwrap();
    assert_eq!(token.lifetime(), Some(std::time::Duration::from_secs(3599)));
    assert!(token.refresh_token().is_some());
}

#[tokio::test]
async fn wrong_credentials_get_the_vendor_envelope_as_invalid_client() {
    let server = CloudCx::start().await;
    let c = server.credentials();
    let (id, secret, user, password) = (c.client_id(), c.client_secret(), c.username().unwrap(), c.password().unwrap());
    let wrong_secret = cloudcx::password(&server.uri(), id, "nope", user, password).unwrap();
    let wrong_client = cloudcx::password(&server.uri(), "123", secret, user, password).unwrap();
    let wrong_password = cloudcx::password(&server.uri(), id, secret, user, "nope").unwrap();
    let wrong_user = cloudcx::password(&server.uri(), id, secret, "nobody", password).unwrap();
    for (name, profile) in
        [("secret", wrong_secret), ("client", wrong_client), ("password", wrong_password), ("user", wrong_user)]
    {
        let answer = raw_answer(profile.token_config().unwrap()).await;
        let body = json(&answer);
        assert_eq!(
            (answer.status(), &body["code"], &body["data"]),
            (StatusCode::UNAUTHORIZED, &json!("0001"), &json!(null)),
            "{name}"
        );
        let error = exchange(profile.token_config().unwrap()).await.unwrap_err();
        let error = server_error(&error);
        assert_eq!(error.code, Some(ErrorCode::InvalidClient), "{name}");
        assert_eq!(error.vendor_code.as_deref(), Some("0001"), "{name}");
        assert_eq!(error.source, ErrorSource::VendorEnvelope, "{name}");
    }
    assert_eq!(server.controls().tokens_issued(), 0);
}

#[tokio::test]
async fn the_envelope_is_an_error_even_on_http_200() {
    let server = CloudCx::builder().token_error_status(200).start().await;
    let c = server.credentials();
    let wrong =
        cloudcx::password(&server.uri(), c.client_id(), c.client_secret(), c.username().unwrap(), "nope").unwrap();
    let error = exchange(wrong.token_config().unwrap()).await.unwrap_err();
    let error = server_error(&error);
    assert_eq!(error.status, 200);
    assert_eq!(error.vendor_code.as_deref(), Some("0001"));
    assert_eq!(error.source, ErrorSource::VendorEnvelope);
}

#[tokio::test]
async fn the_username_field_is_the_one_configured() {
    let email =
        CloudCx::builder().username_field(UsernameField::Email).resource_owner("ana@example.com", "pw").start().await;
    let (request, _) = email.profile().token_config().unwrap().build_request().expect("no client assertion to sign");
    assert!(String::from_utf8(request.body().clone()).unwrap().contains("email=ana%40example.com"));
    assert!(exchange(email.profile().token_config().unwrap()).await.is_ok());

    let c = email.credentials();
    let sends_username =
        PasswordProfile::new(email.uri(), c.client_id(), c.client_secret(), "ana@example.com", "pw").build().unwrap();
    let answer = raw_answer(sends_username.token_config().unwrap()).await;
    let body = json(&answer);
    assert_eq!((answer.status(), &body["code"]), (StatusCode::BAD_REQUEST, &json!("0002")));
    assert_eq!(body["message"], "email is required");

    // And the other way round: the default server wants `username`.
    let username = CloudCx::start().await;
    let sends_email = username.profile_builder().username_field(UsernameField::Email).build().unwrap();
    assert_eq!(raw_answer(sends_email.token_config().unwrap()).await.status(), 400);
}

#[tokio::test]
async fn a_missing_or_unknown_grant_is_a_request_error() {
    let server = CloudCx::start().await;
    let url = format!("{}/oauth/token", server.uri());
    let form = |body: &str| {
        http::Request::post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    for (body, message) in [
        ("client_id=x&client_secret=y", "grant_type is required"),
        ("grant_type=client_credentials&client_id=x", "Unsupported grant type: client_credentials"),
    ] {
        let answer = oauth_testkit::send(form(body)).await.unwrap();
        let envelope = json(&answer);
        assert_eq!(answer.status(), 400);
        assert_eq!((&envelope["code"], &envelope["message"]), (&json!("0002"), &json!(message)));
    }
}

#[tokio::test]
async fn refresh_rotates_by_default_and_can_reuse_or_omit() {
    for rotation in [RefreshRotation::Rotate, RefreshRotation::Reuse, RefreshRotation::Omit] {
        let server = CloudCx::builder().refresh_rotation(rotation).start().await;
        let profile = server.profile();
        let config = profile.token_config().unwrap();
        let first = exchange(config).await.unwrap();
        let old = first.refresh_token().unwrap().secret().to_owned();
        let second = refresh(config, &old).await.unwrap();
        assert_ne!(second.access_token().secret(), first.access_token().secret(), "{rotation:?}");
        let new = second.refresh_token().unwrap().secret().to_owned();
        let again = refresh(config, &old).await;
        match rotation {
            RefreshRotation::Rotate => {
                assert_ne!(new, old);
                let error = again.unwrap_err();
                assert_eq!(server_error(&error).vendor_code.as_deref(), Some("0001"));
            }
            // Omit: the answer had no refresh token, so oauth-core kept the old one.
            _ => {
                assert_eq!(new, old, "{rotation:?}");
                assert!(again.is_ok(), "{rotation:?}");
            }
        }
        server.controls().revoke_refresh_tokens();
        assert!(refresh(config, &new).await.is_err(), "{rotation:?}: revoked");
    }
}

#[tokio::test]
async fn the_user_list_takes_an_issued_token_or_the_api_key() {
    let server = CloudCx::start().await;
    let profile = server.profile();
    let url = cloudcx::user_page_url(&profile, 1, 25, Some("si")).unwrap().to_string();
    let token = exchange(profile.token_config().unwrap()).await.unwrap();

    for bearer in [token.access_token().secret(), server.api_key()] {
        let answer = call("GET", &url, Some(bearer), b"").await;
        let page: Page<User> = cloudcx::read_envelope(answer.status(), answer.body()).unwrap();
        assert_eq!((page.total_elements, page.number, page.size), (1, 0, 25));
        assert_eq!(page.content[0].login_code.as_deref(), Some("freesiaTest"));
        assert_eq!(page.content[0].roles, ["Admin", "Agents"]);
    }
    assert_eq!(
        server.api_key_profile().access().static_header().unwrap().unwrap(),
        format!("Bearer {}", server.api_key())
    );

    server.controls().expire_all_tokens();
    let expired = call("GET", &url, Some(token.access_token().secret()), b"").await;
    assert!(oauth_core::is_invalid_token(expired.status(), expired.headers()));
    let error = cloudcx::read_envelope::<Page<User>>(expired.status(), expired.body()).unwrap_err();
    assert!(matches!(error, ApiError::Vendor { ref code, status, .. } if code == "401" && status == 401));
    assert_eq!(call("GET", &url, Some(server.api_key()), b"").await.status(), 200, "the key does not expire");

    let missing = call("GET", &url, None, b"").await;
    assert_eq!((missing.status().as_u16(), challenge(&missing)), (401, Some("Bearer")));
    assert_eq!(json(&missing)["code"], "401");
    assert_eq!(server.controls().api_requests(), 5);
}

#[tokio::test]
async fn the_user_list_pages_and_filters() {
    let users =
        (1..=30).map(|n| json!({"id": format!("id-{n}"), "loginCode": format!("agent{n:02}"), "roles": ["Agents"]}));
    let server = CloudCx::builder().users(users).start().await;
    let profile = server.api_key_profile();
    let page = |index, size, keywords| {
        let url = cloudcx::user_page_url(&profile, index, size, keywords).unwrap().to_string();
        let key = server.api_key().to_owned();
        async move {
            let answer = call("GET", &url, Some(&key), b"").await;
            cloudcx::read_envelope::<Page<User>>(answer.status(), answer.body()).unwrap()
        }
    };
    let first = page(1, 25, None).await;
    assert_eq!((first.total_pages, first.total_elements, first.number_of_elements, first.number), (2, 30, 25, 0));
    let second = page(2, 25, None).await;
    assert_eq!((second.number_of_elements, second.number), (5, 1));
    assert_eq!(second.content[0].login_code.as_deref(), Some("agent26"));
    let filtered = page(1, 25, Some("AGENT1")).await;
    assert_eq!(filtered.total_elements, 10, "agent10 to agent19, without case");
    assert_eq!(page(3, 25, None).await.number_of_elements, 0);

    let bad = cloudcx::user_page_url(&profile, 0, 25, None).unwrap().to_string();
    let answer = call("GET", &bad, Some(server.api_key()), b"").await;
    assert_eq!((answer.status().as_u16(), &json(&answer)["code"]), (400, &json!("400")));
}
