//! The two HTTP stacks every scenario runs over: a token source on the stack's transport, and
//! API calls through the stack's bearer middleware.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oauth_core::Access;
use oauth_hyper::{Bearer, BearerError, BearerLayer, HyperTransport};
use oauth_reqwest::{BearerMiddleware, ReqwestTransport};
use oauth_token_source::{ClientError, RetryOn401, RetryPolicy, TokenSource};
use oauth_tokio::TokioRuntime;
use reqwest_middleware::ClientWithMiddleware;
use tower::{Layer, ServiceExt};

/// An HTTP stack: its `Transport` for token requests and its middleware for API calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stack {
    /// `ReqwestTransport`; API calls through reqwest-middleware with `BearerMiddleware`.
    Reqwest,
    /// `HyperTransport` over `HttpConnector`; API calls through tower's `BearerLayer` over a
    /// hyper-util legacy client.
    Hyper,
}

/// Every stack, in the order scenarios report them.
pub(crate) const STACKS: [Stack; 2] = [Stack::Reqwest, Stack::Hyper];

/// How a scenario sets up its token source and middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) retry: RetryPolicy,
    pub(crate) skew: Duration,
    /// The transport's timeout for one token request.
    pub(crate) timeout: Duration,
    /// The middleware's 401 rule; `None` keeps its default, which is the profile's.
    pub(crate) on_401: Option<RetryOn401>,
}

impl Default for Settings {
    /// The library defaults, except short backoffs so retries cost milliseconds.
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default()
                .with_backoff(Duration::from_millis(20), Duration::from_millis(100))
                .with_deadline(Duration::from_secs(10)),
            skew: oauth_core::DEFAULT_REFRESH_SKEW,
            timeout: oauth_token_source::DEFAULT_REQUEST_TIMEOUT,
            on_401: None,
        }
    }
}

impl Settings {
    pub(crate) fn retry(self, retry: RetryPolicy) -> Self {
        Self { retry, ..self }
    }

    pub(crate) fn skew(self, skew: Duration) -> Self {
        Self { skew, ..self }
    }

    pub(crate) fn timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    pub(crate) fn on_401(self, on_401: RetryOn401) -> Self {
        Self { on_401: Some(on_401), ..self }
    }
}

/// One call of a vendor's API.
#[derive(Debug, Clone)]
pub(crate) struct ApiCall {
    pub(crate) method: Method,
    pub(crate) url: String,
    /// A JSON body, for calls that carry one.
    pub(crate) json: Option<&'static str>,
}

/// What the API answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
}

/// A token source and the API client that takes its bearer tokens from it.
#[derive(Debug)]
pub(crate) struct Client {
    source: TokenSource,
    api: Api,
}

/// The API client: the stack's own client wrapped in the stack's bearer middleware.
#[derive(Debug)]
enum Api {
    /// reqwest-middleware with `BearerMiddleware`.
    Reqwest(ClientWithMiddleware),
    /// A hyper-util legacy client in tower's `Bearer` (boxed: it is large).
    Hyper(Box<Bearer<HyperClient<HttpConnector, Full<Bytes>>>>),
}

/// An API call that failed, as the stack reports it.
#[derive(Debug)]
pub(crate) enum CallError {
    /// From reqwest-middleware: no token (`Middleware`, holding the `ClientError`) or reqwest's.
    Reqwest(reqwest_middleware::Error),
    /// From tower's `Bearer`: no token (`Token`) or the hyper client's error (`Inner`).
    Hyper(BearerError<hyper_util::client::legacy::Error>),
    /// Reading a hyper answer's body failed.
    HyperBody(hyper::Error),
}

impl Stack {
    /// A token source for `access` on this stack's transport, and an API client with this
    /// stack's middleware over it.
    pub(crate) fn client(self, access: impl Into<Access>, settings: Settings) -> Client {
        let access = access.into();
        match self {
            Self::Reqwest => {
                let transport = ReqwestTransport::new().expect("reqwest sets up").with_timeout(settings.timeout);
                let source = build_source(access, transport, settings);
                let mut middleware = BearerMiddleware::new(source.clone());
                if let Some(policy) = settings.on_401 {
                    middleware = middleware.retry_on_401(policy);
                }
                let api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).with(middleware).build();
                Client { source, api: Api::Reqwest(api) }
            }
            Self::Hyper => {
                let transport = HyperTransport::new(HttpConnector::new()).with_timeout(settings.timeout);
                let source = build_source(access, transport, settings);
                let client = HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new());
                let mut layer = BearerLayer::new(source.clone());
                if let Some(policy) = settings.on_401 {
                    layer = layer.retry_on_401(policy);
                }
                let api = layer.layer(client);
                Client { source, api: Api::Hyper(Box::new(api)) }
            }
        }
    }
}

fn build_source(access: Access, transport: impl oauth_token_source::Transport, settings: Settings) -> TokenSource {
    TokenSource::builder(access, transport, TokioRuntime)
        .refresh_skew(settings.skew)
        .retry(settings.retry)
        .build()
        .expect("every profile in this suite makes a token source")
}

impl Client {
    /// The token source behind the middleware.
    pub(crate) fn source(&self) -> &TokenSource {
        &self.source
    }

    /// Sends `call` through the middleware and reads the whole answer.
    pub(crate) async fn send(&self, call: &ApiCall) -> Result<Answer, CallError> {
        let body = call.json.unwrap_or_default();
        match &self.api {
            Api::Reqwest(api) => {
                let mut request = api.request(call.method.clone(), &call.url);
                if let Some(json) = call.json {
                    request = request.header(http::header::CONTENT_TYPE, "application/json").body(json);
                }
                let response = request.send().await.map_err(CallError::Reqwest)?;
                let status = response.status();
                let body = response.bytes().await.map_err(|e| CallError::Reqwest(e.into()))?;
                Ok(Answer { status, body })
            }
            Api::Hyper(api) => {
                let mut request = Request::builder().method(call.method.clone()).uri(&call.url);
                if call.json.is_some() {
                    request = request.header(http::header::CONTENT_TYPE, "application/json");
                }
                let request = request.body(Full::new(Bytes::from_static(body.as_bytes()))).expect("a valid request");
                let response = Bearer::clone(api).oneshot(request).await.map_err(CallError::Hyper)?;
                let status = response.status();
                let body = response.into_body().collect().await.map_err(CallError::HyperBody)?.to_bytes();
                Ok(Answer { status, body })
            }
        }
    }

    /// Sends `call` and expects an answer (any status).
    pub(crate) async fn answer(&self, call: &ApiCall, step: &str) -> Answer {
        match self.send(call).await {
            Ok(answer) => answer,
            Err(error) => panic!("{step}: expected an answer from {} {}, got {error:?}", call.method, call.url),
        }
    }

    /// Sends `call` and expects `200`.
    pub(crate) async fn ok(&self, call: &ApiCall, step: &str) {
        let answer = self.answer(call, step).await;
        assert_eq!(answer.status, StatusCode::OK, "{step}: {}", String::from_utf8_lossy(&answer.body));
    }

    /// Sends `call` and expects no token: the token source's error, and the stack's own.
    pub(crate) async fn no_token(&self, call: &ApiCall, step: &str) -> (ClientError, CallError) {
        match self.send(call).await {
            Ok(answer) => panic!("{step}: expected no token, got HTTP {}", answer.status),
            Err(error) => match error.client_error() {
                Some(client) => (client.clone(), error),
                None => panic!("{step}: expected the token source's error, got {error:?}"),
            },
        }
    }
}

impl CallError {
    /// The token source's error, when that is why the call failed.
    pub(crate) fn client_error(&self) -> Option<&ClientError> {
        match self {
            Self::Reqwest(reqwest_middleware::Error::Middleware(error)) => error.downcast_ref::<ClientError>(),
            Self::Hyper(BearerError::Token(error)) => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reqwest(error) => fmt::Display::fmt(error, f),
            Self::Hyper(error) => fmt::Display::fmt(error, f),
            Self::HyperBody(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl Error for CallError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Reqwest(error) => error.source(),
            Self::Hyper(error) => error.source(),
            Self::HyperBody(error) => error.source(),
        }
    }
}
