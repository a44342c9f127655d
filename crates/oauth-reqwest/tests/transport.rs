//! `ReqwestTransport` against wiremock and hand-written servers on 127.0.0.1: token fetch,
//! redirects, body caps, timeouts, refused connections.

use std::time::Duration;

use http::StatusCode;
use oauth_client::{ResponseLimit, Transport, TransportError, TransportErrorKind};
use oauth_reqwest::ReqwestTransport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: usize = 1024 * 1024;

/// A client_credentials request for `{base}/token` (client `app`, secret `s3cr3t`, Basic), as
/// the token source would send it, with a body cap of `limit`.
fn token_request(base: &str, limit: usize) -> http::Request<Vec<u8>> {
    let profile = oauth_providers::rfc6749::client_credentials(&format!("{base}/token"), "app", "s3cr3t").unwrap();
    let (mut request, _pending) = profile.token_config().unwrap().build_request();
    request.extensions_mut().insert(ResponseLimit(limit));
    request
}

async fn send(
    transport: &ReqwestTransport,
    base: &str,
    limit: usize,
) -> Result<http::Response<Vec<u8>>, TransportError> {
    transport.send(token_request(base, limit)).await
}

fn transport() -> ReqwestTransport {
    ReqwestTransport::new().unwrap()
}

#[tokio::test]
async fn a_token_is_fetched_through_the_transport() {
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
    let profile =
        oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "s3cr3t").unwrap();
    let source = oauth_reqwest::token_source(profile).unwrap();

    assert_eq!(source.token().await.unwrap().secret(), "t0k3n");
    assert_eq!(source.authorization().await.unwrap(), "Bearer t0k3n");
}

#[tokio::test]
async fn the_answer_keeps_status_headers_and_body() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("www-authenticate", r#"Basic realm="as""#)
                .set_body_raw(r#"{"error":"invalid_client"}"#, "application/json"),
        )
        .mount(&server)
        .await;

    let answer = send(&transport(), &server.uri(), MIB).await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert_eq!(answer.headers()["www-authenticate"], r#"Basic realm="as""#);
    assert_eq!(answer.headers()["content-type"], "application/json");
    assert_eq!(answer.body(), br#"{"error":"invalid_client"}"#);
}

#[tokio::test]
async fn a_redirect_is_an_error_naming_the_location_and_is_never_followed() {
    for status in [301, 302, 303, 307, 308] {
        let target = MockServer::start().await;
        let server = MockServer::start().await;
        let location = format!("{}/elsewhere/token", target.uri());
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(status).insert_header("location", location.as_str()))
            .mount(&server)
            .await;

        // Even a client built to follow redirects does not, once it is a transport.
        let follows = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10));
        let transport = ReqwestTransport::from_builder(follows).unwrap();
        let error = send(&transport, &server.uri(), MIB).await.unwrap_err();

        assert_eq!(
            error.kind(),
            &TransportErrorKind::Redirect { status: StatusCode::from_u16(status).unwrap(), location: Some(location) },
            "HTTP {status}"
        );
        assert!(!error.is_retryable(), "HTTP {status}");
        assert!(target.received_requests().await.unwrap().is_empty(), "HTTP {status}: the target got a request");
    }
}

#[tokio::test]
async fn a_redirect_without_location_is_still_a_redirect() {
    let server = MockServer::start().await;
    Mock::given(path("/token")).respond_with(ResponseTemplate::new(302)).mount(&server).await;

    let error = send(&transport(), &server.uri(), MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::Redirect { status: StatusCode::FOUND, location: None });
}

#[tokio::test]
async fn a_body_over_the_cap_is_too_large() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![b'a'; 10 * MIB], "application/json"))
        .mount(&server)
        .await;

    let error = send(&transport(), &server.uri(), MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB });
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_body_exactly_at_the_cap_is_read_whole() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![b'a'; MIB], "application/json"))
        .mount(&server)
        .await;

    let answer = send(&transport(), &server.uri(), MIB).await.unwrap();
    assert_eq!(answer.body().len(), MIB);
}

#[tokio::test]
async fn a_request_without_a_limit_is_capped_at_the_default() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![b'a'; 2 * MIB], "application/json"))
        .mount(&server)
        .await;
    let mut request = token_request(&server.uri(), MIB);
    request.extensions_mut().clear();

    let error = transport().send(request).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: oauth_core::DEFAULT_MAX_BODY_BYTES });
}

/// What a hand-written server on 127.0.0.1 does after reading the request head.
enum Script {
    /// Writes this answer head (and body start), then holds the connection open without a word.
    WriteThenHang(&'static str),
    /// Answers 200 with a chunked body that never ends; stops when the client hangs up.
    EndlessChunks,
}

/// Serves one connection per `script`; the task returns how many body bytes it wrote.
async fn raw_server(script: Script) -> (String, tokio::task::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buffer = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let read = socket.read(&mut buffer).await.unwrap();
            assert_ne!(read, 0, "the client hung up before sending its request");
            head.extend_from_slice(&buffer[..read]);
        }
        match script {
            Script::WriteThenHang(answer) => {
                socket.write_all(answer.as_bytes()).await.unwrap();
                tokio::time::sleep(Duration::from_secs(60)).await;
                0
            }
            Script::EndlessChunks => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                socket.write_all(head.as_bytes()).await.unwrap();
                let chunk = format!("10000\r\n{}\r\n", "a".repeat(0x10000));
                let mut written = 0;
                while socket.write_all(chunk.as_bytes()).await.is_ok() {
                    written += 0x10000;
                }
                written
            }
        }
    });
    (base, task)
}

#[tokio::test]
async fn an_endless_chunked_body_is_too_large_once_past_the_cap() {
    let (base, server) = raw_server(Script::EndlessChunks).await;

    let error = send(&transport(), &base, MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB });
    // The client hung up: the server stopped, having written a bounded amount.
    let written = tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap();
    assert!(written >= MIB, "{written}");
}

#[tokio::test]
async fn a_content_length_over_the_cap_is_refused_before_any_body_arrives() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10485760\r\n\r\n";
    let (base, server) = raw_server(Script::WriteThenHang(head)).await;

    // No body byte ever comes: reading any would end in a timeout instead.
    let transport = transport().with_timeout(Duration::from_secs(5));
    let error = send(&transport, &base, MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB });
    server.abort();
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_is_a_retryable_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;

    let transport = transport().with_timeout(Duration::from_millis(200));
    let error = send(&transport, &server.uri(), MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_body_that_stalls_is_a_retryable_timeout() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{\"access_token\":";
    let (base, server) = raw_server(Script::WriteThenHang(head)).await;

    let transport = transport().with_timeout(Duration::from_millis(300));
    let error = send(&transport, &base, MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
    server.abort();
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let error = send(&transport(), &base, MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::Connect, "{error}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_retryable_io_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 4096];
        let _ = socket.read(&mut buffer).await.unwrap();
        let answer =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{\"access_token\":";
        socket.write_all(answer.as_bytes()).await.unwrap();
        // Dropped here: the connection closes 24 bytes short.
    });

    let error = send(&transport(), &base, MIB).await.unwrap_err();
    assert_eq!(error.kind(), &TransportErrorKind::Io, "{error}");
    assert!(error.is_retryable());
    server.await.unwrap();
}
