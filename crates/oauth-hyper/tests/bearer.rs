//! The tower middleware: a bearer token on each request; after a 401 that calls for it, one new
//! token and one retry — never a loop.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oauth_hyper::{BearerError, BearerLayer};
use oauth_token_source::{RetryOn401, TokenSource};
use tower::{Layer, ServiceExt};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const INVALID_TOKEN: &str = r#"Bearer error="invalid_token""#;

/// A token endpoint issuing `t1`, `t2`, … and the source fetching from it.
async fn token_endpoint() -> (MockServer, TokenSource) {
    let server = MockServer::start().await;
    let issued = AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |_: &wiremock::Request| {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_raw(
                format!(r#"{{"access_token":"t{n}","token_type":"Bearer","expires_in":3600}}"#),
                "application/json",
            )
        })
        .mount(&server)
        .await;
    let profile =
        oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "s3cr3t").unwrap();
    let source = oauth_hyper::token_source(profile, HttpConnector::new()).unwrap();
    (server, source)
}

async fn token_fetches(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_hyper_client_sends_the_bearer_token() {
    let (tokens, source) = token_endpoint().await;
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/me"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&api)
        .await;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let service = BearerLayer::new(source).layer(client);

    for _ in 0..2 {
        let request = Request::get(format!("{}/me", api.uri())).body(Full::default()).unwrap();
        let response = service.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(token_fetches(&tokens).await, 1, "one token serves both requests");
}

/// One scripted answer of the resource: its status and `WWW-Authenticate`, if any.
type Answer = (u16, Option<&'static str>);

struct Case {
    name: &'static str,
    retry: RetryOn401,
    answers: &'static [Answer],
    /// The `Authorization` of each request the resource saw.
    sent: &'static [&'static str],
    token_fetches: usize,
    status: u16,
}

const CASES: &[Case] = &[
    Case {
        name: "a 200 is returned as is",
        retry: RetryOn401::InvalidToken,
        answers: &[(200, None)],
        sent: &["Bearer t1"],
        token_fetches: 1,
        status: 200,
    },
    Case {
        name: "401 invalid_token: one new token, one retry",
        retry: RetryOn401::InvalidToken,
        answers: &[(401, Some(INVALID_TOKEN)), (200, None)],
        sent: &["Bearer t1", "Bearer t2"],
        token_fetches: 2,
        status: 200,
    },
    Case {
        name: "401 without a challenge under the default: no retry",
        retry: RetryOn401::InvalidToken,
        answers: &[(401, None)],
        sent: &["Bearer t1"],
        token_fetches: 1,
        status: 401,
    },
    Case {
        name: "401 without a challenge under Any: one retry",
        retry: RetryOn401::Any,
        answers: &[(401, None), (200, None)],
        sent: &["Bearer t1", "Bearer t2"],
        token_fetches: 2,
        status: 200,
    },
    Case {
        name: "a second 401 is returned: no loop",
        retry: RetryOn401::InvalidToken,
        answers: &[(401, Some(INVALID_TOKEN)), (401, Some(INVALID_TOKEN)), (200, None)],
        sent: &["Bearer t1", "Bearer t2"],
        token_fetches: 2,
        status: 401,
    },
    Case {
        name: "Never: a 401 invalid_token is returned",
        retry: RetryOn401::Never,
        answers: &[(401, Some(INVALID_TOKEN))],
        sent: &["Bearer t1"],
        token_fetches: 1,
        status: 401,
    },
    Case {
        name: "a 403 is not a 401",
        retry: RetryOn401::Any,
        answers: &[(403, Some(INVALID_TOKEN))],
        sent: &["Bearer t1"],
        token_fetches: 1,
        status: 403,
    },
];

#[tokio::test]
async fn a_refusing_401_gets_one_new_token_and_one_retry() {
    for case in CASES {
        let (tokens, source) = token_endpoint().await;
        let answers = Arc::new(Mutex::new(case.answers.iter()));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let resource = {
            let sent = sent.clone();
            tower::service_fn(move |request: Request<String>| {
                sent.lock().unwrap().push(request.headers()["authorization"].to_str().unwrap().to_owned());
                assert_eq!(request.body(), "payload", "the retry resends the body");
                let (status, challenge) = *answers.lock().unwrap().next().expect("no more answers scripted");
                let mut response = Response::builder().status(status);
                if let Some(challenge) = challenge {
                    response = response.header("www-authenticate", challenge);
                }
                async move { Ok::<_, Infallible>(response.body(()).unwrap()) }
            })
        };
        let service = BearerLayer::new(source).retry_on_401(case.retry).layer(resource);

        let response = service.oneshot(Request::post("/api").body("payload".to_owned()).unwrap()).await.unwrap();
        assert_eq!(response.status(), case.status, "{}", case.name);
        assert_eq!(*sent.lock().unwrap(), case.sent, "{}", case.name);
        assert_eq!(token_fetches(&tokens).await, case.token_fetches, "{}", case.name);
    }
}

#[tokio::test]
async fn no_token_is_the_service_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(r#"{"error":"invalid_client"}"#, "application/json"))
        .mount(&server)
        .await;
    let profile =
        oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "wrong").unwrap();
    let source = oauth_hyper::token_source(profile, HttpConnector::new()).unwrap();
    let called = Arc::new(AtomicUsize::new(0));
    let resource = {
        let called = called.clone();
        tower::service_fn(move |_: Request<()>| {
            called.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(())) }
        })
    };

    let error = BearerLayer::new(source).layer(resource).oneshot(Request::new(())).await.unwrap_err();
    let BearerError::Token(error) = error else { panic!("expected a token error, got {error:?}") };
    assert_eq!(error.code(), Some(&oauth_core::ErrorCode::InvalidClient));
    assert_eq!(called.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_api_key_refused_with_401_is_not_retried() {
    // A new "token" would be the same key: invalidate_if_current says no.
    let source = TokenSource::new(
        oauth_core::ApiKey::new("k3y"),
        oauth_hyper::HyperTransport::new(HttpConnector::new()),
        oauth_hyper::TokioRuntime,
    )
    .unwrap();
    let called = Arc::new(AtomicUsize::new(0));
    let resource = {
        let called = called.clone();
        tower::service_fn(move |request: Request<()>| {
            assert_eq!(request.headers()["authorization"], "Bearer k3y");
            called.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::builder().status(401).body(()).unwrap()) }
        })
    };

    let service = BearerLayer::new(source).retry_on_401(RetryOn401::Any).layer(resource);
    let response = service.oneshot(Request::new(())).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(called.load(Ordering::SeqCst), 1);
}
