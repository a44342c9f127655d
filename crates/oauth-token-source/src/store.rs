//! The `TokenStore` port: where the processes of a fleet that share credentials share one
//! token, so a deployment fetches one token per lifetime instead of one per process.
//!
//! A token source consults its store only when its own lifecycle says fetch or refresh — never
//! on the fresh path. It reads the shared entry; if that holds a token fresh by the lifecycle's
//! own rule, it uses it. Otherwise one process takes the fetch lease, fetches, writes the token
//! (or the server's refusal) and releases the lease, while the others wait for the write. A
//! store that fails or is slow is stepped around: the source fetches on its own and says so
//! once. oauth-redis implements this port on Redis.

use std::fmt;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use oauth_core::{CredentialBinding, RefusalRecord, TokenIdentity, TokenRecord};

/// Which entry: the identity of the tokens (no secret), and the credentials an entry must be
/// bound to for this process to be served it.
#[derive(Debug, Clone)]
pub struct StoreKey {
    identity: TokenIdentity,
    binding: CredentialBinding,
}

impl StoreKey {
    /// The key of a configuration's tokens.
    #[must_use]
    pub fn new(identity: TokenIdentity, binding: CredentialBinding) -> Self {
        Self { identity, binding }
    }

    /// What names the tokens: hash it to make the store's key (a store may also hash in a keyed
    /// fingerprint of the binding, so other credentials use another entry).
    #[must_use]
    pub fn identity(&self) -> &TokenIdentity {
        &self.identity
    }

    /// The credentials an entry is bound to: a store keeps a keyed fingerprint of them with
    /// each entry and serves the entry only to a key with the same binding.
    #[must_use]
    pub fn binding(&self) -> &CredentialBinding {
        &self.binding
    }
}

/// What the fleet shares under a key: the current token, or the server's refusal of the last
/// fetch (so every process gets the same typed error instead of each asking again).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SharedEntry {
    /// The token, its expiry on the store's clock (or the wall clock).
    Token(TokenRecord),
    /// The server refused the primary grant.
    Refused(RefusalRecord),
}

/// A shared store of tokens. Every method may fail; a failure is never the caller's error —
/// the token source fetches on its own instead.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The store's own clock, so that processes whose clocks disagree agree on expiries;
    /// `Ok(None)` to use the caller's wall clock.
    async fn now(&self) -> Result<Option<SystemTime>, StoreError> {
        Ok(None)
    }

    /// The entry under `key`: `None` when there is none, or when what is there cannot be read
    /// (another version, damaged, sealed with another key) or is bound to other credentials.
    async fn read(&self, key: &StoreKey) -> Result<Option<SharedEntry>, StoreError>;

    /// Writes `entry` under `key`, to expire after `ttl`, and wakes every process waiting on
    /// `key`.
    async fn write(&self, key: &StoreKey, entry: &SharedEntry, ttl: Duration) -> Result<(), StoreError>;

    /// Takes the fetch lease of `key` for `owner`, for `lease`, if nobody holds it; whether it
    /// was taken. A holder that dies loses it when `lease` runs out. A store may also refuse a
    /// free lease when the entry changed since the caller's read: the caller then reads again.
    async fn try_lease(&self, key: &StoreKey, owner: &str, lease: Duration) -> Result<bool, StoreError>;

    /// Gives the lease back, if `owner` still holds it (never another owner's).
    async fn release(&self, key: &StoreKey, owner: &str) -> Result<(), StoreError>;

    /// Returns when an entry under `key` may have been written, or after `timeout`. Waking
    /// early is allowed (the caller reads again); waking late only costs time.
    async fn wait(&self, key: &StoreKey, timeout: Duration) -> Result<(), StoreError>;
}

/// A store operation that failed.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Why a store operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store could not be reached (refused, reset, not resolvable).
    Unavailable,
    /// The store did not answer in time.
    Timeout,
    /// The store refused the operation (read-only, out of memory, not allowed).
    Refused,
    /// Anything else.
    Other,
}

impl StoreError {
    /// An error of `kind`.
    #[must_use]
    pub fn new(kind: StoreErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// An error of `kind` caused by `source` (which must not carry a secret).
    pub fn with_source(kind: StoreErrorKind, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { kind, source: Some(Box::new(source)) }
    }

    /// Why it failed.
    #[must_use]
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            StoreErrorKind::Unavailable => "the token store is unavailable",
            StoreErrorKind::Timeout => "the token store did not answer in time",
            StoreErrorKind::Refused => "the token store refused the operation",
            StoreErrorKind::Other => "the token store failed",
        })
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// How a token source uses its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreOptions {
    /// How long a fetch lease lasts: a holder that dies stalls the others this long at most.
    pub lease: Duration,
    /// The longest one store operation may take before the source steps around the store.
    pub op_timeout: Duration,
    /// After a store failure, how long the source fetches on its own before trying it again.
    pub retry_after_failure: Duration,
    /// How long a refusal stays shared (a process asking after it asks the server again).
    pub refusal_ttl: Duration,
    /// How long an entry with a refresh token is kept past its access token's expiry, so a
    /// rotated refresh token reaches every process.
    pub refresh_token_ttl: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(15),
            op_timeout: Duration::from_millis(500),
            retry_after_failure: Duration::from_secs(5),
            refusal_ttl: Duration::from_secs(5),
            refresh_token_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

impl StoreOptions {
    /// Sets [`lease`](Self::lease).
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets [`op_timeout`](Self::op_timeout).
    #[must_use]
    pub fn with_op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    /// Sets [`retry_after_failure`](Self::retry_after_failure).
    #[must_use]
    pub fn with_retry_after_failure(mut self, wait: Duration) -> Self {
        self.retry_after_failure = wait;
        self
    }

    /// The wait before reading again after `polls` unanswered waits: 25 ms doubling to 1 s,
    /// so a lost wake-up costs at most one interval.
    #[must_use]
    pub fn poll_interval(polls: u32) -> Duration {
        Duration::from_millis(25).saturating_mul(1 << polls.min(6)).min(Duration::from_secs(1))
    }
}
