//! `HyperTransport` against wiremock (and a raw socket) on 127.0.0.1: a token fetched, and each
//! way a token request fails without an answer.

use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use oauth_client::{ResponseLimit, Transport, TransportError, TransportErrorKind};
use oauth_hyper::HyperTransport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: usize = 1024 * 1024;

fn transport() -> HyperTransport<HttpConnector> {
    HyperTransport::new(HttpConnector::new())
}

/// A token request as the token source sends it: a POST with the body limit in its extensions.
fn token_request(url: &str) -> http::Request<Vec<u8>> {
    let mut request = http::Request::post(url).body(b"grant_type=client_credentials".to_vec()).unwrap();
    request.extensions_mut().insert(ResponseLimit(MIB));
    request
}

async fn send_err(transport: &HyperTransport<HttpConnector>, url: &str) -> TransportError {
    transport.send(token_request(url)).await.expect_err("no answer expected")
}

#[tokio::test]
async fn a_token_is_fetched_through_the_transport() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("authorization", "Basic YXBwOnMzY3IzdA=="))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(
                r#"{"access_token":"t0k3n","token_type":"Bearer","expires_in":3600}"#,
                "application/json",
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let profile =
        oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "s3cr3t").unwrap();
    let source = oauth_hyper::token_source(profile, HttpConnector::new()).unwrap();

    assert_eq!(source.authorization().await.unwrap(), "Bearer t0k3n");
    assert_eq!(source.authorization().await.unwrap(), "Bearer t0k3n", "served from the cache");
}

#[tokio::test]
async fn a_redirect_is_an_error_naming_its_target_which_gets_no_request() {
    for status in [302, 307] {
        let (server, target) = (MockServer::start().await, MockServer::start().await);
        let location = format!("{}/elsewhere", target.uri());
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(status).insert_header("location", location.as_str()))
            .mount(&server)
            .await;
        Mock::given(path("/elsewhere")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&target).await;

        let error = send_err(&transport(), &format!("{}/token", server.uri())).await;
        let expected = TransportErrorKind::Redirect {
            status: http::StatusCode::from_u16(status).unwrap(),
            location: Some(location),
        };
        assert_eq!(error.kind(), &expected, "HTTP {status}");
        assert!(!error.is_retryable());
        target.verify().await;
    }
}

#[tokio::test]
async fn a_body_declared_larger_than_the_limit_is_refused() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 10 * MIB]))
        .mount(&server)
        .await;

    let error = send_err(&transport(), &format!("{}/token", server.uri())).await;
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB });
}

#[tokio::test]
async fn a_streamed_body_is_cut_off_past_the_limit() {
    // Chunked, so no Content-Length to check first: the limit must hold while reading.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // Answer only once the whole request is in, as a server would.
        let mut request = Vec::new();
        while !request.ends_with(b"grant_type=client_credentials") {
            let mut buf = [0; 1024];
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client hung up mid-request");
            request.extend_from_slice(&buf[..n]);
        }
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").await;
        for _ in 0..160 {
            // 10 MiB in all, unless the client hangs up first.
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = socket.write_all(b"0\r\n\r\n").await;
    });

    let error = send_err(&transport(), &url).await;
    assert_eq!(error.kind(), &TransportErrorKind::BodyTooLarge { limit: MIB }, "{error:?}");
}

#[tokio::test]
async fn a_body_within_the_limit_is_read_whole() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_bytes(vec![b'x'; MIB]))
        .mount(&server)
        .await;

    let response = transport().send(token_request(&format!("{}/token", server.uri()))).await.unwrap();
    assert_eq!(response.status(), 400, "statuses are for oauth-core to read");
    assert_eq!(response.body().len(), MIB);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_may_be_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let transport = transport().with_timeout(Duration::from_millis(200));

    let error = send_err(&transport, &format!("{}/token", server.uri())).await;
    assert_eq!(error.kind(), &TransportErrorKind::Timeout);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    drop(listener);

    let error = send_err(&transport(), &url).await;
    assert_eq!(error.kind(), &TransportErrorKind::Connect);
    assert!(error.is_retryable());
}
