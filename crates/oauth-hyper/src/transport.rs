//! `HyperTransport`: oauth-token-source's [`Transport`] over hyper-util's legacy `Client`.

use std::error::Error as StdError;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::Connect;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use oauth_token_source::{ResponseLimit, Transport, TransportError, TransportErrorKind};

/// The default time one token request may take, answer body included.
pub const DEFAULT_TIMEOUT: Duration = oauth_token_source::DEFAULT_REQUEST_TIMEOUT;

/// Sends token requests through a hyper-util `Client` over any connector `C` — bring your own
/// TLS (`hyper_rustls::HttpsConnector`, `hyper_tls`, …); `HttpConnector` alone speaks plain
/// HTTP, which the token endpoint allows only on loopback.
///
/// It never follows a redirect (hyper does not either: a 3xx answer becomes
/// [`TransportErrorKind::Redirect`]), reads at most the request's [`ResponseLimit`] of body
/// ([`TransportErrorKind::BodyTooLarge`] past it), and gives up after a timeout
/// ([`DEFAULT_TIMEOUT`] unless set with [`HyperTransport::with_timeout`]).
///
/// # Examples
/// ```
/// use hyper_util::client::legacy::connect::HttpConnector;
/// use oauth_hyper::HyperTransport;
/// let transport = HyperTransport::new(HttpConnector::new()).with_timeout(std::time::Duration::from_secs(10));
/// let source = oauth_token_source::TokenSource::new(
///     oauth_providers::rfc6749::client_credentials("http://127.0.0.1:8080/token", "app", "s3cr3t")?,
///     transport,
///     oauth_hyper::TokioRuntime,
/// )?;
/// # let _ = source;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct HyperTransport<C> {
    client: Client<C, Full<Bytes>>,
    timeout: Duration,
}

impl<C: Connect + Clone + Send + Sync + 'static> HyperTransport<C> {
    /// A transport with a new client over `connector`, on tokio.
    #[must_use]
    pub fn new(connector: C) -> Self {
        Self::from_client(Client::builder(TokioExecutor::new()).pool_timer(TokioTimer::new()).build(connector))
    }
}

impl<C> HyperTransport<C> {
    /// A transport over a client you configured.
    #[must_use]
    pub fn from_client(client: Client<C, Full<Bytes>>) -> Self {
        Self { client, timeout: DEFAULT_TIMEOUT }
    }

    /// Sets how long one request may take, answer body included.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

#[async_trait]
impl<C: Connect + Clone + Send + Sync + 'static> Transport for HyperTransport<C> {
    async fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        let limit = ResponseLimit::of(&request);
        let response = self.client.request(request.map(|body| Full::new(Bytes::from(body))));
        let exchange = async { read(response.await.map_err(client_error)?, limit).await };
        let timed_out = |elapsed| TransportError::with_source(TransportErrorKind::Timeout, elapsed);
        tokio::time::timeout(self.timeout, exchange).await.unwrap_or_else(|elapsed| Err(timed_out(elapsed)))
    }
}

/// Refuses a redirect or an oversize answer, else reads the body frame by frame up to `limit`.
async fn read(response: Response<Incoming>, limit: ResponseLimit) -> Result<Response<Vec<u8>>, TransportError> {
    let (parts, mut body) = response.into_parts();
    limit.check_head(parts.status, &parts.headers)?;
    let mut bytes = limit.buffer();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| TransportError::with_source(TransportErrorKind::Io, e))?;
        bytes.push(frame.data_ref().map_or(&[], |data| data))?;
    }
    Ok(Response::from_parts(parts, bytes.into_vec()))
}

/// Connection failures are `Connect`; hyper's errors on an open connection `Io`; the rest
/// (requests the client refused to send) `Other`.
fn client_error(error: hyper_util::client::legacy::Error) -> TransportError {
    let kind = match error.source().and_then(|s| s.downcast_ref::<hyper::Error>()) {
        _ if error.is_connect() => TransportErrorKind::Connect,
        Some(hyper) if !hyper.is_user() => TransportErrorKind::Io,
        _ => TransportErrorKind::Other,
    };
    TransportError::with_source(kind, error)
}
