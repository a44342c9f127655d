//! `BearerMiddleware` against wiremock on 127.0.0.1: the bearer header, and the one retry after
//! a 401, counted on the token endpoint and on the API.

use std::sync::atomic::{AtomicUsize, Ordering};

use oauth_reqwest::{BearerMiddleware, ReqwestTransport, TokioRuntime};
use oauth_token_source::{RetryOn401, TokenSource};
use reqwest_middleware::ClientWithMiddleware;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const INVALID_TOKEN: &str = r#"Bearer realm="api", error="invalid_token", error_description="expired""#;

/// A token endpoint handing out `t1`, `t2`, … one per request.
struct NumberedTokens(AtomicUsize);

impl Respond for NumberedTokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        let body = format!(r#"{{"access_token":"t{n}","token_type":"Bearer","expires_in":3600}}"#);
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

/// How the API answers a request carrying `Bearer t1` (the first token); any later token gets a
/// 200 unless the API refuses every token.
#[derive(Clone, Copy)]
enum Api {
    Accepts,
    RefusesFirst(Refusal),
    RefusesAll(Refusal),
}

#[derive(Clone, Copy)]
enum Refusal {
    InvalidToken,
    Bare401,
    Forbidden,
}

impl Refusal {
    fn answer(self) -> ResponseTemplate {
        match self {
            Self::InvalidToken => ResponseTemplate::new(401).insert_header("www-authenticate", INVALID_TOKEN),
            Self::Bare401 => ResponseTemplate::new(401),
            Self::Forbidden => ResponseTemplate::new(403).insert_header("www-authenticate", INVALID_TOKEN),
        }
    }
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(bearer) = request.headers.get("authorization") else { return ResponseTemplate::new(400) };
        match (self, bearer.to_str().unwrap()) {
            (Self::Accepts, _) => ResponseTemplate::new(200),
            (Self::RefusesFirst(refusal), "Bearer t1") | (Self::RefusesAll(refusal), _) => refusal.answer(),
            (Self::RefusesFirst(_), _) => ResponseTemplate::new(200),
        }
    }
}

/// A server with `/token` and `/api`, and a client with the middleware under `policy`.
async fn setup(api: Api, policy: RetryOn401) -> (MockServer, ClientWithMiddleware) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(NumberedTokens(AtomicUsize::new(0)))
        .mount(&server)
        .await;
    Mock::given(path("/api")).respond_with(api).mount(&server).await;
    let profile =
        oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "s3cr3t").unwrap();
    let source = oauth_reqwest::token_source(profile).unwrap();
    (server, client(source, policy))
}

fn client(source: TokenSource, policy: RetryOn401) -> ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(BearerMiddleware::new(source).retry_on_401(policy))
        .build()
}

/// The requests `server` received on `at`, as (authorization, body).
async fn received(server: &MockServer, at: &str) -> Vec<(String, String)> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == at)
        .map(|r| {
            let auth = r.headers.get("authorization").map(|h| h.to_str().unwrap().to_owned()).unwrap_or_default();
            (auth, String::from_utf8(r.body.clone()).unwrap())
        })
        .collect()
}

struct Case {
    name: &'static str,
    api: Api,
    policy: RetryOn401,
    status: u16,
    /// The bearer tokens the API saw, in order.
    api_saw: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "adds the bearer header",
        api: Api::Accepts,
        policy: RetryOn401::InvalidToken,
        status: 200,
        api_saw: &["Bearer t1"],
    },
    Case {
        name: "401 invalid_token: one new token, one retry",
        api: Api::RefusesFirst(Refusal::InvalidToken),
        policy: RetryOn401::InvalidToken,
        status: 200,
        api_saw: &["Bearer t1", "Bearer t2"],
    },
    Case {
        name: "401 without a challenge, default policy: returned as is",
        api: Api::RefusesFirst(Refusal::Bare401),
        policy: RetryOn401::InvalidToken,
        status: 401,
        api_saw: &["Bearer t1"],
    },
    Case {
        name: "401 without a challenge, policy Any: one new token, one retry",
        api: Api::RefusesFirst(Refusal::Bare401),
        policy: RetryOn401::Any,
        status: 200,
        api_saw: &["Bearer t1", "Bearer t2"],
    },
    Case {
        name: "a second 401 invalid_token is returned, no loop",
        api: Api::RefusesAll(Refusal::InvalidToken),
        policy: RetryOn401::InvalidToken,
        status: 401,
        api_saw: &["Bearer t1", "Bearer t2"],
    },
    Case {
        name: "a second bare 401 under Any is returned, no loop",
        api: Api::RefusesAll(Refusal::Bare401),
        policy: RetryOn401::Any,
        status: 401,
        api_saw: &["Bearer t1", "Bearer t2"],
    },
    Case {
        name: "policy Never: 401 invalid_token returned as is",
        api: Api::RefusesFirst(Refusal::InvalidToken),
        policy: RetryOn401::Never,
        status: 401,
        api_saw: &["Bearer t1"],
    },
    Case {
        name: "403 with an invalid_token challenge: not a 401, returned as is",
        api: Api::RefusesFirst(Refusal::Forbidden),
        policy: RetryOn401::Any,
        status: 403,
        api_saw: &["Bearer t1"],
    },
];

#[tokio::test]
async fn the_middleware_adds_the_bearer_and_retries_at_most_once() {
    for case in CASES {
        let (server, client) = setup(case.api, case.policy).await;

        let answer = client.post(format!("{}/api", server.uri())).body("payload").send().await.unwrap();

        assert_eq!(answer.status().as_u16(), case.status, "{}", case.name);
        let api = received(&server, "/api").await;
        let expected: Vec<_> = case.api_saw.iter().map(|t| ((*t).to_owned(), "payload".to_owned())).collect();
        assert_eq!(api, expected, "{}: what the API received", case.name);
        // One token fetch per distinct token the API saw.
        assert_eq!(received(&server, "/token").await.len(), case.api_saw.len(), "{}: token fetches", case.name);
    }
}

#[tokio::test]
async fn a_streamed_body_is_not_retried_but_the_refused_token_is_dropped() {
    let (server, client) = setup(Api::RefusesFirst(Refusal::InvalidToken), RetryOn401::InvalidToken).await;
    let url = format!("{}/api", server.uri());

    // A body reqwest cannot clone.
    let streamed = reqwest::Body::wrap(String::from("payload"));
    let answer = client.post(&url).body(streamed).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(received(&server, "/api").await.len(), 1);
    assert_eq!(received(&server, "/token").await.len(), 1);

    // The next request gets a new token.
    let answer = client.post(&url).body("payload").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let api: Vec<_> = received(&server, "/api").await.into_iter().map(|(auth, _)| auth).collect();
    assert_eq!(api, ["Bearer t1", "Bearer t2"]);
}

#[tokio::test]
async fn the_cached_token_serves_later_requests() {
    let (server, client) = setup(Api::Accepts, RetryOn401::InvalidToken).await;
    for _ in 0..3 {
        let answer = client.get(format!("{}/api", server.uri())).send().await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    assert_eq!(received(&server, "/token").await.len(), 1);
}

#[tokio::test]
async fn an_api_key_is_sent_and_never_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/api")).respond_with(Refusal::InvalidToken.answer()).mount(&server).await;
    let source =
        TokenSource::new(oauth_core::ApiKey::new("k3y"), ReqwestTransport::new().unwrap(), TokioRuntime).unwrap();

    let answer = client(source, RetryOn401::Any).get(format!("{}/api", server.uri())).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let api: Vec<_> = received(&server, "/api").await.into_iter().map(|(auth, _)| auth).collect();
    assert_eq!(api, ["Bearer k3y"]);
}

#[tokio::test]
async fn a_token_failure_is_a_middleware_error_and_the_api_is_not_called() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(r#"{"error":"invalid_client"}"#, "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/api")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let profile =
        oauth_providers::rfc6749::client_credentials(&format!("{}/token", server.uri()), "app", "wrong").unwrap();
    let client = client(oauth_reqwest::token_source(profile).unwrap(), RetryOn401::InvalidToken);

    let error = client.get(format!("{}/api", server.uri())).send().await.unwrap_err();
    let reqwest_middleware::Error::Middleware(error) = error else { panic!("not a middleware error: {error:?}") };
    let error = error.downcast_ref::<oauth_token_source::ClientError>().expect("the token source's error");
    assert_eq!(error.code(), Some(&oauth_core::ErrorCode::InvalidClient));
    assert!(received(&server, "/api").await.is_empty());
}
