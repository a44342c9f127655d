//! [`ReqwestTransport`]: oauth-token-source's `Transport` over a `reqwest::Client` that never redirects.

use std::time::Duration;

use async_trait::async_trait;
use oauth_token_source::{ResponseLimit, Transport, TransportError, TransportErrorKind};
use reqwest::{Client, ClientBuilder, redirect};

/// How long one token request may take, connecting and reading the body included, unless
/// [`ReqwestTransport::with_timeout`] says otherwise: oauth-token-source's
/// [`DEFAULT_REQUEST_TIMEOUT`](oauth_token_source::DEFAULT_REQUEST_TIMEOUT), so that the token
/// source's retry policy (30 s per call by default) has time for another attempt.
pub const DEFAULT_TIMEOUT: Duration = oauth_token_source::DEFAULT_REQUEST_TIMEOUT;

/// Sends token requests with a [`reqwest::Client`] whose redirect policy is
/// [`redirect::Policy::none`].
///
/// - A 3xx answer is [`TransportErrorKind::Redirect`], naming its `Location`; it is never
///   followed, so credentials never go to another URL.
/// - A body is read chunk by chunk up to the request's [`ResponseLimit`] (1 MiB when the request
///   carries none); a larger one, announced by `Content-Length` or found while reading, is
///   [`TransportErrorKind::BodyTooLarge`].
/// - Each request has a timeout ([`DEFAULT_TIMEOUT`]); running out is
///   [`TransportErrorKind::Timeout`], a failed connection [`TransportErrorKind::Connect`], a
///   broken one [`TransportErrorKind::Io`] — all three retryable.
///
/// There is no constructor taking a built [`Client`]: its redirect policy cannot be read or
/// changed, so nothing could guarantee that it does not follow redirects. Pass a
/// [`ClientBuilder`] to [`ReqwestTransport::from_builder`] instead. Cloning is cheap and shares
/// the connection pool.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// let transport = oauth_reqwest::ReqwestTransport::from_builder(
///     reqwest::Client::builder().user_agent("my-app/1.0"),
/// )?
/// .with_timeout(Duration::from_secs(5));
/// assert_eq!(transport.timeout(), Duration::from_secs(5));
/// # Ok::<(), reqwest::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: Client,
    timeout: Duration,
}

impl ReqwestTransport {
    /// A transport with a new client: reqwest's defaults, no redirects, [`DEFAULT_TIMEOUT`].
    ///
    /// # Errors
    /// When reqwest cannot set up its client (TLS backend or system configuration).
    pub fn new() -> Result<Self, reqwest::Error> {
        Self::from_builder(Client::builder())
    }

    /// A transport with a client built from `builder` (proxy, TLS roots, user agent, …), whose
    /// redirect policy is set to [`redirect::Policy::none`] whatever `builder` said.
    ///
    /// # Errors
    /// When reqwest cannot build the client.
    pub fn from_builder(builder: ClientBuilder) -> Result<Self, reqwest::Error> {
        crate::install_crypto_provider();
        let client = builder.redirect(redirect::Policy::none()).build()?;
        Ok(Self { client, timeout: DEFAULT_TIMEOUT })
    }

    /// A transport that presents a client certificate in the TLS handshake: mutual-TLS client
    /// authentication (RFC 8705, `tls_client_auth` or `self_signed_tls_client_auth` in
    /// oauth-core's `ClientAuth::tls`). `pem` holds the certificate (chain) and its PKCS#8
    /// (`PRIVATE KEY`), PKCS#1 or SEC1 private key, PEM-encoded, in one buffer. For other
    /// client settings, give [`ReqwestTransport::from_builder`] a builder with
    /// [`ClientBuilder::identity`] set.
    ///
    /// # Errors
    /// When the PEM holds no usable certificate and key, or reqwest cannot build the client.
    ///
    /// # Examples
    /// ```no_run
    /// let pem = std::fs::read("client.pem")?; // certificate and key
    /// let transport = oauth_reqwest::ReqwestTransport::with_client_certificate(&pem)?;
    /// # drop(transport);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_client_certificate(pem: &[u8]) -> Result<Self, reqwest::Error> {
        crate::install_crypto_provider();
        let identity = reqwest::Identity::from_pem(pem)?;
        Self::from_builder(Client::builder().identity(identity))
    }

    /// Sets how long one request may take, connecting and reading the body included.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long one request may take.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The client (it never follows redirects).
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
        let limit = ResponseLimit::of(&request);
        let mut request = reqwest::Request::try_from(request).map_err(classify)?;
        *request.timeout_mut() = Some(self.timeout);
        let mut response = self.client.execute(request).await.map_err(classify)?;

        let status = response.status();
        limit.check_head(status, response.headers())?;
        let mut body = limit.buffer();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            body.push(&chunk)?;
        }

        let mut answer = http::Response::new(body.into_vec());
        *answer.status_mut() = status;
        *answer.version_mut() = response.version();
        *answer.headers_mut() = std::mem::take(response.headers_mut());
        Ok(answer)
    }
}

/// reqwest's error, sorted by what it means for a retry.
fn classify(error: reqwest::Error) -> TransportError {
    let kind = if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_request() || error.is_body() || error.is_decode() {
        TransportErrorKind::Io
    } else {
        TransportErrorKind::Other
    };
    // The URL is the caller's to show (it knows which endpoint it called, and a query could
    // carry something secret); reqwest's message would repeat it in every error.
    TransportError::with_source(kind, error.without_url())
}
