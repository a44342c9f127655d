//! `BearerLayer`: wraps a service in [`Bearer`].

use oauth_token_source::{RetryOn401, TokenSource};
use tower_layer::Layer;

use super::Bearer;

/// Wraps services in [`Bearer`], all sharing one [`TokenSource`] (and so one cached token).
///
/// # Examples
/// ```
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use hyper_util::{client::legacy::{Client, connect::HttpConnector}, rt::TokioExecutor};
/// use oauth_hyper::{BearerLayer, RetryOn401};
/// use tower_layer::Layer;
///
/// let profile = oauth_providers::rfc6749::client_credentials("http://127.0.0.1:8080/token", "app", "s3cr3t")?;
/// let source = oauth_hyper::token_source(profile, HttpConnector::new())?;
/// let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
/// // A resource that answers a bare 401 to an expired token:
/// let api = BearerLayer::new(source).retry_on_401(RetryOn401::Any).layer(client);
/// # let _ = api;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct BearerLayer {
    source: TokenSource,
    retry: RetryOn401,
}

impl BearerLayer {
    /// A layer taking tokens from `source`, retrying after a 401 as its profile says
    /// ([`TokenSource::retry_on_401`]).
    #[must_use]
    pub fn new(source: TokenSource) -> Self {
        let retry = source.retry_on_401();
        Self { source, retry }
    }

    /// Sets which 401 answers get a new token and one retry.
    #[must_use]
    pub fn retry_on_401(mut self, retry: RetryOn401) -> Self {
        self.retry = retry;
        self
    }
}

impl<S> Layer<S> for BearerLayer {
    type Service = Bearer<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Bearer::new(inner, self.source.clone()).retry_on_401(self.retry)
    }
}
