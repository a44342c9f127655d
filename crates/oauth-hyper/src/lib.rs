//! oauth-token-source over hyper: a [`Transport`](oauth_token_source::Transport) for hyper-util's legacy
//! `Client` ([`HyperTransport`]) and a tower middleware putting bearer tokens on requests
//! ([`BearerLayer`] / [`Bearer`]), with tokio's clock ([`TokioRuntime`]).
//!
//! Bring your own TLS: the transport is generic over the connector. With hyper-rustls:
//!
//! ```no_run
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use hyper_util::{client::legacy::Client, rt::TokioExecutor};
//! use oauth_hyper::{BearerLayer, HyperTransport, TokioRuntime};
//! use tower::{Layer, ServiceExt};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let https = hyper_rustls::HttpsConnectorBuilder::new()
//!     .with_webpki_roots()
//!     .https_only()
//!     .enable_http1()
//!     .build();
//! let profile = oauth_providers::rfc6749::client_credentials("https://as.example/oauth/token", "app", "s3cr3t")?;
//! // Tokens come through this transport…
//! let source = oauth_hyper::token_source(profile, https.clone())?;
//! // …and go on the requests of any hyper client (or any tower service over `http::Request`).
//! let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
//! let api = BearerLayer::new(source).layer(client);
//!
//! let request = http::Request::get("https://api.example/v1/me").body(Full::default())?;
//! let response = api.oneshot(request).await?;
//! let body = response.into_body().collect().await?.to_bytes();
//! # let _ = body;
//! # Ok(())
//! # }
//! ```
//!
//! # What this crate does not do
//! It makes no protocol decision: requests are built and answers read by oauth-core, tokens
//! cached, refreshed and retried by oauth-token-source's [`TokenSource`], and which 401 calls for a
//! new token is [`RetryOn401`]'s. It only translates types and supplies the clock. It has no TLS
//! of its own and never follows redirects.

mod bearer;
mod transport;

use hyper_util::client::legacy::connect::Connect;
use oauth_core::Access;
use oauth_token_source::{ClientError, TokenSource};

pub use bearer::{Bearer, BearerError, BearerLayer, ResponseFuture};
pub use oauth_token_source::RetryOn401;
pub use oauth_tokio::TokioRuntime;
pub use transport::{DEFAULT_TIMEOUT, HyperTransport};

/// A [`TokenSource`] with default settings that fetches through a [`HyperTransport`] over
/// `connector`, on tokio. For other settings, use
/// `TokenSource::builder(access, HyperTransport::new(connector), TokioRuntime)`.
///
/// # Errors
/// As [`TokenSource::new`].
///
/// # Examples
/// ```
/// use hyper_util::client::legacy::connect::HttpConnector;
/// let profile = oauth_providers::rfc6749::client_credentials("http://127.0.0.1:8080/token", "app", "s3cr3t")?;
/// let source = oauth_hyper::token_source(profile, HttpConnector::new())?;
/// assert!(!source.is_static());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn token_source<C>(access: impl Into<Access>, connector: C) -> Result<TokenSource, ClientError>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    TokenSource::new(access, HyperTransport::new(connector), TokioRuntime)
}

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
