//! A Redis [`TokenStore`](oauth_token_source::TokenStore) for oauth-token-source: the processes
//! of a fleet that share credentials share one token, so the fleet fetches one token per
//! lifetime instead of one per process, and the server's refusal once instead of from each.
//!
//! ```no_run
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use oauth_redis::{EncryptionKey, RedisStore};
//! use oauth_token_source::TokenSource;
//!
//! // The same 32-byte key in every process (`openssl rand -base64 32`), kept like a password.
//! let key = EncryptionKey::from_base64(&std::env::var("TOKEN_STORE_KEY")?)?;
//! let store = RedisStore::new("redis://:password@127.0.0.1:6379", key)?; // connects on first use
//!
//! let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "app", "s3cr3t")?;
//! let source = TokenSource::builder(profile, oauth_reqwest::ReqwestTransport::new()?, oauth_reqwest::TokioRuntime)
//!     .store(store)
//!     .build()?;
//! let header = source.authorization().await?;
//! # drop(header);
//! # Ok(()) }
//! ```
//!
//! # What Redis holds
//! Per configuration (token URL, client, grant and subject, scope, parameters, credentials),
//! three names in the store's namespace (`oauth` unless set), `h` a keyed hash of the
//! configuration ([`RedisKeys`]):
//!
//! | name | what | how |
//! |---|---|---|
//! | `{namespace}:token:{h}` | the token, or the server's refusal | `SET … PX ttl`, sealed |
//! | `{namespace}:lease:{h}` | who is fetching for the fleet | `SET … NX PX lease`, only while the entry is what the caller last read (a script); released by a compare-and-delete script |
//! | `{namespace}:published:{h}` | a channel: "an entry was written" | `PUBLISH` after each write; waiters subscribe |
//!
//! An entry is sealed with XChaCha20-Poly1305 under a key derived from the [`EncryptionKey`],
//! with a fresh random nonce per write and its key name as associated data, and holds a keyed
//! fingerprint (HMAC-SHA-256) of the credentials that obtained it: a process with another key
//! or other credentials, an entry edited, moved to another name or written by anything else,
//! reads as a miss. No credential is ever written; [`RedisStoreBuilder::plaintext`] leaves the
//! token record readable for debugging, still authenticated and bound.
//!
//! A lease is refused when the entry changed since this store last read it: the process that
//! held the lease wrote its token (and let go) between this one's miss and its try, so this
//! one should read again, not fetch a second token. A `wait` listens on one subscription per
//! store (made at the first wait) and returns at once for a write announced since the last read.
//!
//! # When Redis fails
//! The store connects on first use and again after a failure, so it builds with Redis down.
//! Each operation fails with a [`StoreError`](oauth_token_source::StoreError) of kind
//! `Unavailable` (refused, reset, unreachable), `Timeout`, `Refused` (read-only, out of memory,
//! not allowed, wrong password) or `Other`; the token source then fetches on its own and tries
//! the store again later. No error or `Debug` output holds the URL's password, a token or a
//! credential.
//!
//! # TLS
//! `rediss://` URLs use rustls with the `ring` crypto provider (the default `ring` feature),
//! installed as the process default when such a store is built, and the system's root
//! certificates.
//!
//! # What this crate does not do
//! No Redis Cluster or Sentinel (one server or a proxy in front of several); no decision about
//! tokens (when to fetch, what is fresh and who waits are oauth-token-source's).

mod error;
mod key;
mod names;
mod seal;
mod store;

pub use error::ConfigError;
pub use key::{EncryptionKey, KEY_LEN, KeyError};
pub use names::RedisKeys;
pub use store::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_NAMESPACE, DEFAULT_RESPONSE_TIMEOUT, RedisStore, RedisStoreBuilder};

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
