//! The Redis names of a store key: `{namespace}:token:{h}`, `{namespace}:lease:{h}` and the
//! channel `{namespace}:published:{h}`, where `h` is a keyed hash that tells nothing about the
//! configuration or its credentials without the fleet's key.

use std::fmt::Write as _;

use hmac::Mac;
use oauth_token_source::StoreKey;

use crate::key::{Keys, hmac};
use crate::seal::fingerprint;

/// The Redis names a [`RedisStore`](crate::RedisStore) uses for one [`StoreKey`]: to look at an
/// entry with `redis-cli`, watch its channel, or clear it.
///
/// # Examples
/// ```
/// # use oauth_redis::{EncryptionKey, RedisStore};
/// # let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "app", "s3cr3t")?;
/// # let config = profile.token_config().expect("a token exchange");
/// let key = oauth_token_source::StoreKey::new(config.identity(), config.binding());
/// let store = RedisStore::new("redis://127.0.0.1:6379", EncryptionKey::from_bytes([7; 32]))?;
/// let names = store.redis_keys(&key);
/// assert!(names.token.starts_with("oauth:token:"));
/// assert_eq!(names.token.len(), "oauth:token:".len() + 32);
/// assert!(!names.token.contains("app") && !names.token.contains("s3cr3t"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisKeys {
    /// The entry: `{namespace}:token:{h}` (a token or a refusal).
    pub token: String,
    /// The fetch lease: `{namespace}:lease:{h}`.
    pub lease: String,
    /// The channel a write is announced on: `{namespace}:published:{h}`.
    pub channel: String,
}

impl RedisKeys {
    /// The names of `key` in `namespace`. `h` is the first 16 bytes, in hex, of an HMAC-SHA-256
    /// (under a key derived from the fleet's key) over the identity's parts and the keyed
    /// fingerprint of the credentials, each length-prefixed: processes with other credentials
    /// or another key use other names, and nothing can be learnt from a name without the key.
    pub(crate) fn new(keys: &Keys, namespace: &str, key: &StoreKey) -> Self {
        let mut mac = hmac(&keys.name[..]);
        mac.update(b"oauth-redis/1 key name");
        let parts = key.identity().parts();
        mac.update(&(parts.len() as u64).to_be_bytes());
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(&fingerprint(keys, key.binding()));
        let digest = mac.finalize().into_bytes();
        let mut h = String::with_capacity(32);
        for byte in &digest[..16] {
            let _ = write!(h, "{byte:02x}");
        }
        Self {
            token: format!("{namespace}:token:{h}"),
            lease: format!("{namespace}:lease:{h}"),
            channel: format!("{namespace}:published:{h}"),
        }
    }
}
