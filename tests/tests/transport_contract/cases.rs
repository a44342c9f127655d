//! The cases of the transport contract, each a check on one adapter.

use std::time::Duration;

use http::StatusCode;
use oauth_token_source::{ResponseLimit, TransportError, TransportErrorKind};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::Adapter;
use crate::raw_server::{Script, serve};

const MIB: usize = 1024 * 1024;

/// A client_credentials request for `{base}/token` (client `app`, secret `s3cr3t`, Basic), as
/// the token source would send it, with a body cap of `limit`.
fn token_request(base: &str, limit: usize) -> http::Request<Vec<u8>> {
    let profile = oauth_providers::rfc6749::client_credentials(&format!("{base}/token"), "app", "s3cr3t")
        .expect("a loopback token URL makes a profile");
    let (mut request, _pending) =
        profile.token_config().expect("a token exchange").build_request().expect("no client assertion to sign");
    request.extensions_mut().insert(ResponseLimit(limit));
    request
}

/// Sends the token request to `base` with a cap of `limit` through `adapter`'s default transport.
async fn send(adapter: Adapter, base: &str, limit: usize) -> Result<http::Response<Vec<u8>>, TransportError> {
    adapter.transport().send(token_request(base, limit)).await
}

/// The error of a request that must get no answer.
async fn send_err(adapter: Adapter, base: &str) -> TransportError {
    send(adapter, base, MIB).await.expect_err("no answer expected")
}

/// A wiremock server answering `/token` with `answer`.
async fn answering(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/token")).respond_with(answer).mount(&server).await;
    server
}

/// What the server thread returned, once it ended (within 10 s); a panic of its own fails the case.
async fn finished(server: std::thread::JoinHandle<usize>) -> usize {
    let joined = tokio::task::spawn_blocking(move || server.join());
    match tokio::time::timeout(Duration::from_secs(10), joined).await {
        Ok(Ok(Ok(written))) => written,
        Ok(Ok(Err(_))) => panic!("the server thread panicked"),
        Ok(Err(error)) => panic!("joining the server thread: {error}"),
        Err(_) => panic!("the server did not stop within 10 s of the client hanging up"),
    }
}

pub(crate) async fn token_fetched(adapter: Adapter) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        // base64("app:s3cr3t")
        .and(header("authorization", "Basic YXBwOnMzY3IzdA=="))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"access_token":"t0k3n","token_type":"bearer","expires_in":299}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let profile = oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "s3cr3t")
        .expect("a loopback token URL makes a profile");
    let source = adapter.token_source(profile);

    assert_eq!(source.token().await.expect("a token").secret(), "t0k3n");
    assert_eq!(source.authorization().await.expect("a token"), "Bearer t0k3n");
    assert_eq!(source.authorization().await.expect("a token"), "Bearer t0k3n", "served from the cache");
    server.verify().await;
}

pub(crate) async fn answer_kept_whole(adapter: Adapter) {
    let server = answering(
        ResponseTemplate::new(400)
            .insert_header("www-authenticate", r#"Basic realm="as""#)
            .set_body_raw(r#"{"error":"invalid_client"}"#, "application/json"),
    )
    .await;

    let answer = send(adapter, &server.uri(), MIB).await.expect("an answer");
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert_eq!(answer.headers()["www-authenticate"], r#"Basic realm="as""#);
    assert_eq!(answer.headers()["content-type"], "application/json");
    assert_eq!(answer.body(), br#"{"error":"invalid_client"}"#);
}

pub(crate) async fn redirect_not_followed(adapter: Adapter) {
    for status in [301, 302, 303, 307, 308] {
        let target = MockServer::start().await;
        Mock::given(path("/elsewhere/token")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&target).await;
        let location = format!("{}/elsewhere/token", target.uri());
        let server = answering(ResponseTemplate::new(status).insert_header("location", location.as_str())).await;

        let error = send_err(adapter, &server.uri()).await;
        let status = StatusCode::from_u16(status).expect("a 3xx is a status");
        assert_eq!(error.kind(), &TransportErrorKind::Redirect { status, location: Some(location) }, "HTTP {status}");
        assert!(!error.is_retryable(), "HTTP {status}");
        let reached = target.received_requests().await.expect("recording is on");
        assert!(reached.is_empty(), "HTTP {status}: the target got a request");
        target.verify().await;
    }
}

pub(crate) async fn redirect_without_location(adapter: Adapter) {
    let server = answering(ResponseTemplate::new(302)).await;

    let error = send_err(adapter, &server.uri()).await;
    assert_eq!(error.kind(), &TransportErrorKind::Redirect { status: StatusCode::FOUND, location: None });
    assert!(!error.is_retryable());
}

pub(crate) async fn declared_body_over_cap(adapter: Adapter) {
    let server = answering(ResponseTemplate::new(200).set_body_raw(vec![b'a'; 10 * MIB], "application/json")).await;

    let error = send_err(adapter, &server.uri()).await;
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB });
    assert!(!error.is_retryable());
}

pub(crate) async fn body_at_cap(adapter: Adapter) {
    let server = answering(ResponseTemplate::new(400).set_body_raw(vec![b'a'; MIB], "application/json")).await;

    let answer = send(adapter, &server.uri(), MIB).await.expect("an answer at the cap");
    assert_eq!(answer.status(), 400, "statuses are for oauth-core to read");
    assert_eq!(answer.body().len(), MIB);
}

pub(crate) async fn no_limit_means_the_default(adapter: Adapter) {
    let server = answering(ResponseTemplate::new(200).set_body_raw(vec![b'a'; 2 * MIB], "application/json")).await;
    let mut request = token_request(&server.uri(), MIB);
    request.extensions_mut().clear();

    let error = adapter.transport().send(request).await.expect_err("no answer expected");
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: oauth_core::DEFAULT_MAX_BODY_BYTES });
}

pub(crate) async fn endless_chunked_body(adapter: Adapter) {
    // Chunked, so no Content-Length to check first: the cap must hold while reading.
    let (base, server) = serve(Script::EndlessChunks);

    let error = send_err(adapter, &base).await;
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB }, "{error:?}");
    // The client hung up: the server stopped, having written a bounded amount.
    let written = finished(server).await;
    assert!(written >= MIB, "{written}");
}

pub(crate) async fn content_length_refused_before_body(adapter: Adapter) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10485760\r\n\r\n";
    let (base, _server) = serve(Script::WriteThenHang(head));

    // No body byte ever comes: reading any would end in a timeout instead.
    let transport = adapter.transport_with_timeout(Duration::from_secs(5));
    let error = transport.send(token_request(&base, MIB)).await.expect_err("no answer expected");
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB });
}

pub(crate) async fn no_answer_in_time(adapter: Adapter) {
    let server = answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(10))).await;

    let transport = adapter.transport_with_timeout(Duration::from_millis(200));
    let error = transport.send(token_request(&server.uri(), MIB)).await.expect_err("no answer expected");
    assert_eq!(error.kind(), &TransportErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
}

pub(crate) async fn stalled_body(adapter: Adapter) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{\"access_token\":";
    let (base, _server) = serve(Script::WriteThenHang(head));

    let transport = adapter.transport_with_timeout(Duration::from_millis(300));
    let error = transport.send(token_request(&base, MIB)).await.expect_err("no answer expected");
    assert_eq!(error.kind(), &TransportErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
}

pub(crate) async fn refused_connection(adapter: Adapter) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let base = format!("http://{}", listener.local_addr().expect("a bound socket has an address"));
    drop(listener);

    let error = send_err(adapter, &base).await;
    assert_eq!(error.kind(), &TransportErrorKind::Connect, "{error}");
    assert!(error.is_retryable());
}

pub(crate) async fn closed_mid_body(adapter: Adapter) {
    // The connection closes 24 bytes short of the declared 40.
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{\"access_token\":";
    let (base, server) = serve(Script::WriteThenClose(head));

    let error = send_err(adapter, &base).await;
    assert_eq!(error.kind(), &TransportErrorKind::Io, "{error}");
    assert!(error.is_retryable());
    finished(server).await;
}
