//! An OAuth 2.0 client for services that call vendor APIs (through the profiles in
//! [`providers`]) and any standard OAuth 2.0 server: one dependency, one import path.
//!
//! ```
//! use oauth_stack::providers::rfc6749;
//! use oauth_stack::reqwest::{BearerMiddleware, reqwest, reqwest_middleware, token_source};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # // An RFC 6749 server emulated on 127.0.0.1, with its token endpoint and a protected API.
//! # let emulator = oauth_testkit::Rfc6749::start().await;
//! # let (token_url, api_url) = (emulator.token_url(), format!("{}/api/resource", emulator.uri()));
//! # let (id, secret) = (emulator.credentials().client_id(), emulator.credentials().client_secret());
//! let profile = rfc6749::client_credentials(&token_url, id, secret)?; // or another profile in `providers`
//! let source = token_source(profile)?; // cached, single flight, refreshed ahead of expiry
//!
//! let api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(BearerMiddleware::new(source)) // `Authorization: Bearer …`; one retry on a dead token
//!     .build();
//! let answer = api.get(&api_url).send().await?;
//! assert_eq!(answer.status(), 200);
//! # Ok(())
//! # }
//! ```
//!
//! # What is where
//! | module | crate | what |
//! |---|---|---|
//! | [`protocol`] | oauth-core | sans-IO requests, answers, errors, `WWW-Authenticate`, the token lifecycle and the retry and client-auth decisions |
//! | [`providers`] | oauth-providers | vendor profiles as data, and `rfc6749` for any other server |
//! | [`source`] | oauth-token-source | the async token source over any transport and runtime |
//! | `reqwest` (feature `reqwest`, default) | oauth-reqwest | a reqwest transport and reqwest-middleware bearer middleware |
//! | `hyper` (feature `hyper`) | oauth-hyper | a hyper-util transport and a tower bearer layer |
//! | `redis` (feature `redis`) | oauth-redis | the fleet's token store on Redis: one token per lifetime for every process |
//! | `testkit` (feature `testkit`) | oauth-testkit | vendor emulators on wiremock, for your tests |
//!
//! The most used types are also at the root: [`TokenSource`], [`ClientError`], [`Profile`].
//!
//! # Features
//! `reqwest` and `ring` (reqwest's TLS through rustls with ring) are on by default; `aws-lc-rs`
//! selects aws-lc-rs instead; `hyper`, `redis` and `testkit` add their modules.
//!
//! With `ring`, reqwest is built without a crypto provider of its own, and a `reqwest::Client`
//! needs a process default before it is built: this crate's constructors install ring's, and
//! [`install_crypto_provider`] does it for a client you build first (otherwise reqwest panics
//! with "No rustls crypto provider is configured"). Library authors who want
//! one layer only can depend on the layer crates directly; this crate adds no logic of its own.

pub use oauth_core as protocol;
#[cfg(feature = "hyper")]
pub use oauth_hyper as hyper;
pub use oauth_providers as providers;
#[cfg(feature = "redis")]
pub use oauth_redis as redis;
#[cfg(feature = "reqwest")]
pub use oauth_reqwest as reqwest;
#[cfg(feature = "testkit")]
pub use oauth_testkit as testkit;
pub use oauth_token_source as source;

pub use oauth_providers::{Profile, ProfileError};
/// Installs reqwest's TLS crypto provider (see the crate docs' Features); call it at the start
/// of `main` if you build a `reqwest::Client` before any token source.
#[cfg(feature = "reqwest")]
pub use oauth_reqwest::install_crypto_provider;
pub use oauth_token_source::{ClientError, RetryPolicy, TokenSource};

/// The README's example, compiled as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
