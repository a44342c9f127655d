//! oauth-token-source over reqwest: a [`Transport`](oauth_token_source::Transport) for token requests
//! ([`ReqwestTransport`]) and a [`reqwest_middleware::Middleware`] that puts bearer tokens on
//! API requests ([`BearerMiddleware`]), with tokio's clock ([`TokioRuntime`]).
//!
//! ```
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use wiremock::{Mock, MockServer, ResponseTemplate, matchers::{header, method, path}};
//! # let server = MockServer::start().await;
//! # Mock::given(method("POST")).and(path("/token")).respond_with(ResponseTemplate::new(200).set_body_raw(
//! #     r#"{"access_token":"t0k3n","token_type":"Bearer","expires_in":3600}"#, "application/json"))
//! #     .expect(1).mount(&server).await;
//! # Mock::given(method("GET")).and(path("/me")).and(header("authorization", "Bearer t0k3n"))
//! #     .respond_with(ResponseTemplate::new(200)).expect(2).mount(&server).await;
//! // `server` is a wiremock MockServer playing both the authorization server and the API.
//! let token_url = format!("{}/token", server.uri());
//! let profile = oauth_providers::rfc6749::client_credentials(&token_url, "my-app", "s3cr3t")?;
//! let source = oauth_reqwest::token_source(profile)?;
//!
//! let api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(oauth_reqwest::BearerMiddleware::new(source))
//!     .build();
//! for _ in 0..2 {
//!     // One token request, then the cached token.
//!     let answer = api.get(format!("{}/me", server.uri())).send().await?;
//!     assert_eq!(answer.status(), 200);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What this crate does not do
//! It makes no protocol decision: requests are built and answers read by oauth-core, tokens
//! cached, refreshed and retried by oauth-token-source's [`TokenSource`]. It only translates between
//! `http` and reqwest types, sorts reqwest's errors into [`TransportErrorKind`]s, and wires the
//! token source into reqwest-middleware. It follows no redirect on a token request, and enables
//! no reqwest feature beyond TLS (enable `http2`, `json`, … in your own reqwest dependency).
//!
//! # Versions
//! This crate is built on reqwest 0.13 and reqwest-middleware 0.5, and re-exports both
//! ([`reqwest`], [`reqwest_middleware`]): build your API client from them, or depend on the
//! same versions. A `reqwest::Client` from another version (0.12 and reqwest-middleware 0.4,
//! say) is a different type, and the compiler's complaint about `ClientWithMiddleware` or a
//! missing `Middleware` bound means exactly that.
//!
//! | this crate | reqwest | reqwest-middleware | hyper |
//! |---|---|---|---|
//! | 0.1 | 0.13 | 0.5 | 1 |
//!
//! # TLS
//! rustls, with the crypto provider chosen by cargo feature: `ring` (the default: the quickest
//! to build) or `aws-lc-rs` (reqwest's own default). With `ring`, this crate installs the
//! provider as the process default when it makes a client; see [`install_crypto_provider`]
//! if you build a `reqwest::Client` of your own first.

mod middleware;
mod tls;
mod transport;

pub use middleware::BearerMiddleware;
pub use oauth_tokio::TokioRuntime;
/// The reqwest this crate is built on, so your client and ours are the same version.
pub use reqwest;
/// The reqwest-middleware this crate is built on.
pub use reqwest_middleware;
pub use tls::install_crypto_provider;
pub use transport::{DEFAULT_TIMEOUT, ReqwestTransport};

use oauth_core::Access;
use oauth_token_source::{ClientError, TokenSource, TransportError, TransportErrorKind};

/// A [`TokenSource`] with default settings for `access` (a profile, a token configuration or an
/// API key), sending with a new [`ReqwestTransport`] on [`TokioRuntime`]. For other settings use
/// [`TokenSource::builder`] with the same two values.
///
/// # Errors
/// [`ClientError::Transport`] (kind `Other`) when reqwest cannot set up its client, and
/// otherwise as [`TokenSource::new`].
pub fn token_source(access: impl Into<Access>) -> Result<TokenSource, ClientError> {
    let transport =
        ReqwestTransport::new().map_err(|error| TransportError::with_source(TransportErrorKind::Other, error))?;
    TokenSource::new(access, transport, TokioRuntime)
}

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
