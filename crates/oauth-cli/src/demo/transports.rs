//! The two HTTP stacks the demo drives, each with this library's adapter: reqwest with
//! `BearerMiddleware`, and hyper-util's client under the tower `BearerLayer`. The flow is written
//! once over [`Stack`]; this is the only file that knows one stack from the other.

use std::sync::Arc;

use http::header::CONTENT_TYPE;
use http::{Method, StatusCode, Uri};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oauth_hyper::{Bearer, BearerLayer, HyperTransport};
use oauth_reqwest::reqwest_middleware::{self, ClientWithMiddleware};
use oauth_reqwest::{BearerMiddleware, ReqwestTransport, reqwest};
use oauth_token_source::{TokenSource, Transport};
use tower::{Layer, ServiceExt};

use super::Error;

/// An HTTP stack: where token requests go out (its [`Transport`]) and where API calls go out
/// (its client, wrapped in the stack's bearer middleware).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stack {
    Reqwest,
    Hyper,
}

impl Stack {
    /// Both stacks, in the transcript's column order.
    pub(super) const ALL: [Self; 2] = [Self::Reqwest, Self::Hyper];

    /// The stack's name, as a column heading.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Reqwest => "reqwest",
            Self::Hyper => "hyper",
        }
    }

    /// The transport a token source sends its token requests through.
    pub(super) fn transport(self) -> Result<Arc<dyn Transport>, Error> {
        Ok(match self {
            Self::Reqwest => Arc::new(ReqwestTransport::from_builder(loopback())?),
            // Plain HTTP is allowed to loopback only; a real deployment brings a TLS connector.
            Self::Hyper => Arc::new(HyperTransport::new(HttpConnector::new())),
        })
    }

    /// An API client that puts `source`'s token on every call and, after a 401 that refuses the
    /// token (which 401s do is the profile's call), fetches a new one and sends the call once more.
    pub(super) fn api(self, source: TokenSource) -> Result<Api, Error> {
        Ok(match self {
            Self::Reqwest => Api::Reqwest(
                reqwest_middleware::ClientBuilder::new(loopback().build()?).with(BearerMiddleware::new(source)).build(),
            ),
            Self::Hyper => {
                let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
                Api::Hyper(Box::new(BearerLayer::new(source).layer(client)))
            }
        })
    }
}

/// A reqwest client builder for the emulators: no proxy, even if the environment names one
/// (`HTTP_PROXY` would otherwise apply to 127.0.0.1 too).
fn loopback() -> reqwest::ClientBuilder {
    reqwest::Client::builder().no_proxy()
}

/// An API client of one [`Stack`], with its bearer middleware (hyper's boxed: it is the larger).
pub(super) enum Api {
    Reqwest(ClientWithMiddleware),
    Hyper(Box<Bearer<Client<HttpConnector, String>>>),
}

impl Api {
    /// Sends `call` and reads the whole answer: its status and body.
    pub(super) async fn send(&self, call: &ApiCall) -> Result<(StatusCode, Vec<u8>), Error> {
        let request = call.request()?;
        match self {
            Self::Reqwest(client) => {
                let response = client.execute(reqwest::Request::try_from(request)?).await?;
                Ok((response.status(), response.bytes().await?.to_vec()))
            }
            Self::Hyper(service) => {
                let response = (**service).clone().oneshot(request).await?;
                let status = response.status();
                Ok((status, response.into_body().collect().await?.to_bytes().to_vec()))
            }
        }
    }
}

/// One API call of a vendor, whatever the stack: method, URL and, for a POST, a JSON body.
pub(super) struct ApiCall {
    method: Method,
    url: Uri,
    json: Option<&'static str>,
}

impl ApiCall {
    pub(super) fn get(url: Uri) -> Self {
        Self { method: Method::GET, url, json: None }
    }

    pub(super) fn post_json(url: Uri, json: &'static str) -> Self {
        Self { method: Method::POST, url, json: Some(json) }
    }

    /// The path the emulator logs the call under.
    pub(super) fn path(&self) -> &str {
        self.url.path()
    }

    /// `POST /one/oauth2/rt/api/2.0/interaction`: the call without its host and query.
    pub(super) fn summary(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }

    /// The call as an `http` request, which both stacks take.
    fn request(&self) -> Result<http::Request<String>, http::Error> {
        let mut request = http::Request::builder().method(self.method.clone()).uri(self.url.clone());
        if self.json.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        request.body(self.json.unwrap_or_default().to_owned())
    }
}
