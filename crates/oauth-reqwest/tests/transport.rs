//! What only `ReqwestTransport` promises: its constructors force `redirect::Policy::none()`,
//! whatever the `ClientBuilder` said. The rest of the transport contract is written once, for
//! both adapters, in the workspace's `tests/tests/transport_contract.rs`.

use http::StatusCode;
use oauth_reqwest::ReqwestTransport;
use oauth_token_source::{ResponseLimit, Transport, TransportErrorKind};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: usize = 1024 * 1024;

/// A client_credentials request for `{base}/token`, as the token source would send it.
fn token_request(base: &str) -> http::Request<Vec<u8>> {
    let profile = oauth_providers::rfc6749::client_credentials(&format!("{base}/token"), "app", "s3cr3t").unwrap();
    let (mut request, _pending) = profile.token_config().unwrap().build_request().expect("no client assertion to sign");
    request.extensions_mut().insert(ResponseLimit(MIB));
    request
}

#[tokio::test]
async fn a_client_built_to_follow_redirects_does_not_once_it_is_a_transport() {
    for status in [301, 302, 303, 307, 308] {
        let target = MockServer::start().await;
        let server = MockServer::start().await;
        let location = format!("{}/elsewhere/token", target.uri());
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(status).insert_header("location", location.as_str()))
            .mount(&server)
            .await;

        let follows = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10));
        let transport = ReqwestTransport::from_builder(follows).unwrap();
        let error = transport.send(token_request(&server.uri())).await.unwrap_err();

        assert_eq!(
            error.kind(),
            &TransportErrorKind::Redirect { status: StatusCode::from_u16(status).unwrap(), location: Some(location) },
            "HTTP {status}"
        );
        assert!(!error.is_retryable(), "HTTP {status}");
        assert!(target.received_requests().await.unwrap().is_empty(), "HTTP {status}: the target got a request");
    }
}

/// A self-signed P-256 certificate for `CN=client-1` and its PKCS#8 key, made for this test.
const CLIENT_IDENTITY: &[u8] = include_bytes!("data/client-identity.pem");

#[test]
fn a_transport_can_present_a_client_certificate_for_mutual_tls() {
    ReqwestTransport::with_client_certificate(CLIENT_IDENTITY).unwrap();
    // The same through a builder of one's own.
    let identity = reqwest::Identity::from_pem(CLIENT_IDENTITY).unwrap();
    ReqwestTransport::from_builder(reqwest::Client::builder().identity(identity)).unwrap();
    assert!(ReqwestTransport::with_client_certificate(b"no certificate here").is_err());
}
