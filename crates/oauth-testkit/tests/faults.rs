//! Faults and counters: every fault kind reaches the client as oauth-core expects, faults are
//! used in order and only by token requests, and every emulator counts and fails alike.

mod support;

use std::time::{Duration, Instant};

use http::StatusCode;
use oauth_core::{DEFAULT_MAX_BODY_BYTES, ProtocolErrorKind, RetryAfter, TokenConfig, TokenError};
use oauth_testkit::{BrightPattern, CloudCx, Controls, Fault, Mxo, Rfc6749};
use support::{call, exchange, raw_answer};

fn protocol_kind(error: &TokenError) -> &ProtocolErrorKind {
    match error {
        TokenError::Protocol(protocol) => &protocol.kind,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[tokio::test]
async fn each_fault_reaches_the_client_as_its_kind_of_error() {
    let server = Rfc6749::start().await;
    let profile = server.profile();
    let config = profile.token_config().unwrap();

    server.controls().fail_next(Fault::Status(503), 1);
    let answer = raw_answer(config).await;
    assert_eq!(
        (answer.status(), answer.body().as_slice()),
        (StatusCode::SERVICE_UNAVAILABLE, &b"Service Unavailable"[..])
    );

    server.controls().fail_next(Fault::Status(502), 1);
    let error = exchange(config).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
    assert!(error.is_retryable());

    server.controls().fail_next(Fault::RateLimited { retry_after_secs: 7 }, 1);
    let error = exchange(config).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(&RetryAfter::Delay(Duration::from_secs(7))));

    server.controls().fail_next(Fault::MalformedBody, 1);
    let error = exchange(config).await.unwrap_err();
    assert!(matches!(protocol_kind(&error), ProtocolErrorKind::NotJson { .. }), "{error:?}");

    let elsewhere = format!("{}/moved", server.uri());
    server.controls().fail_next(Fault::Redirect { status: 307, location: elsewhere.clone() }, 1);
    let answer = raw_answer(config).await;
    assert_eq!(
        (answer.status(), answer.headers()["location"].to_str().unwrap()),
        (StatusCode::TEMPORARY_REDIRECT, elsewhere.as_str())
    );
    server.controls().fail_next(Fault::Redirect { status: 302, location: elsewhere }, 1);
    let error = exchange(config).await.unwrap_err();
    assert!(matches!(protocol_kind(&error), ProtocolErrorKind::UnexpectedStatus), "{error:?}");

    server.controls().fail_next(Fault::HugeBody(DEFAULT_MAX_BODY_BYTES + 1), 1);
    let answer = raw_answer(config).await;
    assert_eq!(answer.body().len(), DEFAULT_MAX_BODY_BYTES + 1);
    server.controls().fail_next(Fault::HugeBody(2 * DEFAULT_MAX_BODY_BYTES), 1);
    let error = exchange(config).await.unwrap_err();
    assert!(matches!(protocol_kind(&error), ProtocolErrorKind::BodyTooLarge { .. }), "{error:?}");

    assert_eq!(server.controls().token_requests(), 8);
    assert_eq!(server.controls().tokens_issued(), 2, "the huge answers carried real tokens");
    assert!(exchange(config).await.is_ok(), "the queue is empty again");
}

#[tokio::test]
async fn a_huge_answer_under_the_cap_is_a_good_token() {
    let server = Mxo::start().await;
    let profile = server.profile();
    server.controls().fail_next(Fault::HugeBody(64 * 1024), 1);
    let answer = raw_answer(profile.token_config().unwrap()).await;
    assert_eq!(answer.body().len(), 64 * 1024);
    let token = profile.token_config().unwrap().endpoint().parse_response(&answer, Instant::now()).unwrap();
    let url = oauth_providers::mxo::interaction_url(&profile, "ONE-1", None).unwrap().to_string();
    assert_eq!(call("POST", &url, Some(token.access_token().secret()), b"{}").await.status(), 200);
}

#[tokio::test]
async fn a_slow_answer_arrives_after_the_delay_and_is_good() {
    let server = CloudCx::start().await;
    let profile = server.profile();
    server.controls().fail_next(Fault::Slow(Duration::from_millis(300)), 1);
    let started = Instant::now();
    let token = exchange(profile.token_config().unwrap()).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(token.is_ok());

    server.controls().fail_next(Fault::Slow(Duration::from_secs(5)), 1);
    let (request, _) = profile.token_config().unwrap().build_request().expect("no client assertion to sign");
    let timed_out = tokio::time::timeout(Duration::from_millis(200), oauth_testkit::send(request)).await;
    assert!(timed_out.is_err(), "a client timeout fires first");
}

#[tokio::test]
async fn faults_are_used_in_order_by_token_requests_only() {
    let server = Mxo::start().await;
    let profile = server.profile();
    let config = profile.token_config().unwrap();
    server.controls().fail_next(Fault::Status(500), 2);
    server.controls().fail_next(Fault::Status(504), 1);
    let first = exchange(config).await.unwrap_err();
    // An API call in between does not use a fault.
    let url = oauth_providers::mxo::interaction_url(&profile, "ONE-1", None).unwrap().to_string();
    assert_eq!(call("POST", &url, None, b"{}").await.status(), 401);
    let second = exchange(config).await.unwrap_err();
    let third = exchange(config).await.unwrap_err();
    let statuses = [first.status(), second.status(), third.status()].map(Option::unwrap);
    assert_eq!(
        statuses,
        [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::INTERNAL_SERVER_ERROR, StatusCode::GATEWAY_TIMEOUT]
    );
    assert!(exchange(config).await.is_ok());
    assert_eq!(
        (server.controls().token_requests(), server.controls().api_requests(), server.controls().tokens_issued()),
        (4, 1, 1)
    );

    server.controls().fail_next(Fault::Status(503), 3);
    server.controls().clear_faults();
    assert!(exchange(config).await.is_ok(), "cleared");
}

/// The same controls on every emulator: a fault, the counters, the vendor's own 429.
#[tokio::test]
async fn every_emulator_counts_and_fails_alike() {
    async fn check(name: &str, config: &TokenConfig, controls: &Controls) -> u16 {
        controls.fail_next(Fault::Status(503), 1);
        assert_eq!(exchange(config).await.unwrap_err().status(), Some(StatusCode::SERVICE_UNAVAILABLE), "{name}");
        controls.fail_next(Fault::RateLimited { retry_after_secs: 1 }, 1);
        let limited = exchange(config).await.unwrap_err();
        assert_eq!(limited.retry_after(), Some(&RetryAfter::Delay(Duration::from_secs(1))), "{name}");
        assert!(exchange(config).await.is_ok(), "{name}");
        assert_eq!(
            (controls.token_requests(), controls.tokens_issued()),
            (3, 1),
            "{name}: token requests, tokens issued"
        );
        limited.status().unwrap().as_u16()
    }
    let mxo = Mxo::start().await;
    let cx = CloudCx::start().await;
    let bp = BrightPattern::start().await;
    let rfc = Rfc6749::start().await;
    let (p1, p2, p3, p4) = (mxo.profile(), cx.profile(), bp.profile(), rfc.profile());
    check("mxo", p1.token_config().unwrap(), mxo.controls()).await;
    check("cloudcx", p2.token_config().unwrap(), cx.controls()).await;
    check("bright pattern", p3.token_config().unwrap(), bp.controls()).await;
    check("rfc6749", p4.token_config().unwrap(), rfc.controls()).await;
    assert_ne!(mxo.uri(), rfc.uri(), "each emulator has its own server");
}

#[tokio::test]
async fn mocks_mounted_by_a_test_take_precedence() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = Rfc6749::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"issuer": server.uri()})))
        .mount(server.controls().server())
        .await;
    let metadata = call("GET", &format!("{}/.well-known/oauth-authorization-server", server.uri()), None, b"").await;
    assert_eq!(metadata.status(), 200);
    assert!(exchange(server.profile().token_config().unwrap()).await.is_ok(), "the emulator still answers the rest");
    assert_eq!(call("GET", &format!("{}/nowhere", server.uri()), None, b"").await.status(), 404);
    assert_eq!(server.controls().received_requests().await.len(), 3);
}

#[tokio::test]
#[should_panic(expected = "is not an HTTP status code")]
async fn an_impossible_status_is_refused_where_it_is_set() {
    Rfc6749::start().await.controls().fail_next(Fault::Status(42), 1);
}

#[tokio::test]
async fn send_refuses_what_it_cannot_speak() {
    let request = http::Request::get("https://127.0.0.1:1/").body(Vec::new()).unwrap();
    assert_eq!(oauth_testkit::send(request).await.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
}
