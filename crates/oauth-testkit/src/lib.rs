//! Vendor token-endpoint emulators on wiremock: test OAuth 2.0 clients against faithful MXO,
//! CloudCX, Bright Pattern and plain RFC 6749 servers, without a network.
//!
//! Each emulator is one wiremock [`MockServer`](wiremock::MockServer) on loopback that answers
//! like the vendor documents (seeds and VENDORS.md, as oauth-providers reads them): it checks
//! credentials and parameters the way the vendor does, refuses wrong ones with the vendor's
//! own error, issues tokens of the vendor's shape, and guards one API call of the vendor with
//! those tokens. Every emulator is an [`Emulator`], started with `start()` or configured with
//! `builder()` (a [`Builder`]), and every one
//!
//! - gives the matching `oauth_providers::Profile` for its address (`profile()`) and its
//!   [`Credentials`] (`credentials()`);
//! - has the same [`Controls`] (`controls()`), so one test helper serves every vendor:
//!   - counters: `token_requests()`, `api_requests()`, `tokens_issued()`;
//!   - faults on demand: `fail_next(`[`Fault`]`, n)` for 5xx, 429 with `Retry-After`, slow,
//!     malformed, redirected or huge answers;
//!   - early expiry: `expire_all_tokens()`, `revoke_refresh_tokens()`, or a short
//!     `set_expires_in(secs)`. Token lifetimes are kept on the real clock
//!     ([`std::time::Instant`]);
//!   - the requests received, and the wiremock server underneath.
//!
//! | emulator | token endpoint | API call |
//! |---|---|---|
//! | [`Mxo`] | `POST /one/oauth2token`, raw Basic | `POST /one/oauth2/rt/api/2.0/interaction?sk=…` |
//! | [`CloudCx`] | `POST /oauth/token`, password and refresh grants | `GET /openapi/v2/user/page`, token or API key |
//! | [`BrightPattern`] | `POST /configapi/v{2,3}/oauth/token`, `scope` = tenant | `GET /configapi/v2/user/{login}` |
//! | [`Rfc6749`] | `POST /token`, switchable client authentication | `GET /api/resource` |
//!
//! [`send`] is a tiny HTTP/1.1 client for loopback, so tests (and the examples here) can drive
//! the emulators with oauth-core alone: `build_request` → [`send`] →
//! `PendingExchange::finish` → token → API call.
//!
//! # Example
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Instant;
//! use oauth_testkit::{Fault, Mxo};
//!
//! let mxo = Mxo::start().await;
//! mxo.controls().fail_next(Fault::Status(503), 1);
//! let config = mxo.profile();
//! let config = config.token_config().expect("MXO exchanges tokens");
//!
//! let (request, pending) = config.build_request()?;
//! let error = pending.finish(&oauth_testkit::send(request).await?, Instant::now()).unwrap_err();
//! assert!(error.is_retryable());
//!
//! let (request, pending) = config.build_request()?;
//! let token = pending.finish(&oauth_testkit::send(request).await?, Instant::now())?;
//! assert_eq!(token.token_type().as_str(), "Bearer");
//! assert_eq!(mxo.controls().token_requests(), 2);
//! # Ok(()) }
//! ```
//!
//! # What this crate is not
//! - **Not an authorization server.** Tokens are random and signed by nothing; only the
//!   emulator that issued one accepts it. No authorization-code, device or PKCE flows.
//! - **Not the vendors.** Where a vendor documents nothing (MXO's error bodies, CloudCX's
//!   refresh request and error codes, Bright Pattern's token-endpoint error body) the emulators
//!   make a stated choice, written on each type.
//! - **Not an HTTP client.** [`send`] speaks plain HTTP/1.1 to loopback, for tests only.
//! - **No virtual time.** Expiry uses the real clock: use short lifetimes or
//!   `controls().expire_all_tokens()`.

mod behaviour;
mod bright_pattern;
mod cloudcx;
mod controls;
mod credentials;
mod emulator;
mod fault;
mod mxo;
mod redis_server;
mod reply;
mod rfc6749;
mod send;
mod state;
mod wire;

pub use bright_pattern::{BrightPattern, BrightPatternBuilder, BrightPatternSettings};
pub use cloudcx::{CloudCx, CloudCxBuilder, CloudCxSettings};
pub use controls::Controls;
pub use credentials::Credentials;
pub use emulator::{Builder, Emulator, Vendor};
pub use fault::Fault;
pub use mxo::{Mxo, MxoBuilder, MxoSettings};
pub use redis_server::RedisServer;
pub use rfc6749::{BasicDecoding, GrantType, Rfc6749, Rfc6749Builder, Rfc6749Settings};
pub use send::send;
pub use state::RefreshRotation;

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
