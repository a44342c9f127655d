//! The two adapters under test, behind one small interface: a token source over the adapter's
//! transport, the transport itself for requests the library builds, and a GET through the
//! adapter's bearer middleware.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oauth_core::Access;
use oauth_hyper::{BearerLayer, HyperTransport};
use oauth_reqwest::{BearerMiddleware, ReqwestTransport};
use oauth_token_source::{TokenSource, Transport};
use oauth_tokio::TokioRuntime;
use tower::{Layer, ServiceExt};

/// How long one request may take; the servers are local, so anything slower is a failure.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP stack with its oauth adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adapter {
    /// oauth-reqwest: `ReqwestTransport` and `BearerMiddleware`.
    Reqwest,
    /// oauth-hyper: `HyperTransport` and `BearerLayer`.
    Hyper,
}

impl Adapter {
    pub(crate) const ALL: [Self; 2] = [Self::Reqwest, Self::Hyper];
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Reqwest => "reqwest",
            Self::Hyper => "hyper",
        })
    }
}

/// A token source for `profile` (a `Profile`, or any `Access`) that fetches through `adapter`'s
/// transport, with the builder's settings changed by `configure`.
pub(crate) fn token_source(
    adapter: Adapter,
    profile: impl Into<Access>,
    configure: impl FnOnce(oauth_token_source::Builder) -> oauth_token_source::Builder,
) -> Result<TokenSource, String> {
    let builder = match adapter {
        Adapter::Reqwest => {
            let transport = ReqwestTransport::new().map_err(|e| format!("reqwest transport: {e}"))?;
            TokenSource::builder(profile, transport.with_timeout(REQUEST_TIMEOUT), TokioRuntime)
        }
        Adapter::Hyper => {
            let transport = HyperTransport::new(HttpConnector::new()).with_timeout(REQUEST_TIMEOUT);
            TokenSource::builder(profile, transport, TokioRuntime)
        }
    };
    configure(builder).build().map_err(|e| format!("token source: {e}"))
}

/// `adapter`'s transport, as an application would make it, for the requests a scenario builds
/// with the library and sends itself.
pub(crate) fn transport(adapter: Adapter) -> Result<Arc<dyn Transport>, String> {
    Ok(match adapter {
        Adapter::Reqwest => {
            let transport = ReqwestTransport::new().map_err(|e| format!("reqwest transport: {e}"))?;
            Arc::new(transport.with_timeout(REQUEST_TIMEOUT))
        }
        Adapter::Hyper => Arc::new(HyperTransport::new(HttpConnector::new()).with_timeout(REQUEST_TIMEOUT)),
    })
}

/// Sends `request` through `transport`.
pub(crate) async fn send(
    transport: &Arc<dyn Transport>,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, String> {
    let shown = format!("{} {}", request.method(), request.uri());
    transport.send(request).await.map_err(|e| format!("{shown}: {e}"))
}

/// An API client that puts `source`'s tokens on its requests through `adapter`'s middleware.
pub(crate) enum Api {
    Reqwest(reqwest_middleware::ClientWithMiddleware),
    // Boxed: hyper-util's client is large (more so with the workspace's features unified).
    Hyper(Box<oauth_hyper::Bearer<Client<HttpConnector, Full<Bytes>>>>),
}

impl Api {
    pub(crate) fn new(adapter: Adapter, source: TokenSource) -> Self {
        match adapter {
            Adapter::Reqwest => Self::Reqwest(
                reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
                    .with(BearerMiddleware::new(source))
                    .build(),
            ),
            Adapter::Hyper => {
                let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
                Self::Hyper(Box::new(BearerLayer::new(source).layer(client)))
            }
        }
    }

    /// GETs `url` and returns the status and the body.
    pub(crate) async fn get(&self, url: &str) -> Result<(StatusCode, Bytes), String> {
        let exchange = async {
            match self {
                Self::Reqwest(client) => {
                    let response = client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
                    let status = response.status();
                    let body = response.bytes().await.map_err(|e| format!("GET {url}: body: {e}"))?;
                    Ok((status, body))
                }
                Self::Hyper(service) => {
                    let request =
                        http::Request::get(url).body(Full::default()).map_err(|e| format!("GET {url}: {e}"))?;
                    let response = (**service).clone().oneshot(request).await.map_err(|e| format!("GET {url}: {e}"))?;
                    let status = response.status();
                    let body = response.into_body().collect().await.map_err(|e| format!("GET {url}: body: {e}"))?;
                    Ok((status, body.to_bytes()))
                }
            }
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange).await.unwrap_or_else(|_| Err(format!("GET {url}: timed out")))
    }
}
