//! An async, runtime-agnostic OAuth 2.0 token source: cache, single-flight, refresh-ahead,
//! retries — over a [`Transport`] you plug in and a [`Runtime`] that supplies the clock.
//!
//! ```
//! # use std::time::{Duration, Instant};
//! # use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError, TokenSource};
//! # struct Canned;
//! # #[async_trait::async_trait]
//! # impl Transport for Canned {
//! #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
//! #         Ok(http::Response::builder().header("content-type", "application/json")
//! #             .body(br#"{"access_token":"t0k3n","token_type":"bearer","expires_in":299}"#.to_vec()).unwrap())
//! #     }
//! # }
//! # struct Tokio;
//! # impl Runtime for Tokio {
//! #     fn now(&self) -> Instant { tokio::time::Instant::now().into_std() }
//! #     fn sleep(&self, d: Duration) -> BoxFuture<()> { Box::pin(tokio::time::sleep(d)) }
//! #     fn spawn(&self, f: BoxFuture<()>) { drop(tokio::spawn(f)); }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "id", "secret")?;
//! // `Canned` is any Transport (oauth-reqwest and oauth-hyper provide real ones);
//! // `Tokio` is any Runtime (oauth-tokio provides tokio's).
//! let source = TokenSource::new(profile, Canned, Tokio)?;
//!
//! let header = source.authorization().await?;   // fetched once…
//! let again = source.authorization().await?;    // …then served from the cache
//! assert_eq!(header, again);
//! assert_eq!(header, "Bearer t0k3n");
//! # Ok(())
//! # }
//! ```
//!
//! # What this crate does not do
//! It has no HTTP stack and no async runtime of its own: requests go through [`Transport`],
//! time and background work through [`Runtime`]. It makes no protocol decision of its own
//! either: building requests and reading answers is oauth-core's, vendor quirks are
//! oauth-providers'.

mod bearer;
mod device;
mod error;
pub mod events;
pub mod metric_names;
mod race;
mod runtime;
mod source;
mod store;
mod transport;

pub use bearer::set_bearer;
pub use device::complete_device_flow;
pub use error::ClientError;
pub use oauth_core::{RetryOn401, RetryPolicy};
pub use runtime::{BoxFuture, Runtime};
pub use source::{Builder, RefreshErrorHook, TokenFuture, TokenSource};
pub use store::{SharedEntry, StoreError, StoreErrorKind, StoreKey, StoreOptions, TokenStore};
pub use transport::{
    BodyBuffer, DEFAULT_REQUEST_TIMEOUT, ResponseLimit, Transport, TransportError, TransportErrorKind,
};

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
