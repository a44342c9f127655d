//! `RedisStore`: the `TokenStore` port on Redis — entries with `SET … PX`, announced with
//! `PUBLISH`, the lease with `SET … NX PX` and a compare-and-delete script, the clock from
//! `TIME`, waits on a subscription. Connects on first use and again after any failure.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_core::Stream;
use oauth_token_source::{SharedEntry, StoreError, StoreErrorKind, StoreKey, TokenStore};
use redis::aio::{MultiplexedConnection, PubSubSink, PubSubStream};
use redis::{AsyncConnectionConfig, ConnectionAddr, RedisError, Value};
use zeroize::Zeroizing;

use crate::error::{ConfigError, failure};
use crate::key::{EncryptionKey, Keys};
use crate::names::RedisKeys;
use crate::seal::{self, Sealing};

/// The namespace of key names when none is set.
pub const DEFAULT_NAMESPACE: &str = "oauth";

/// How long connecting (TCP, TLS, `AUTH`) may take before it fails, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a command may wait for its answer before it fails, by default.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The longest an entry is kept (a longer time to live is cut to this): 100 years, far from
/// where Redis refuses an expiry as out of range.
const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Takes the lease (`SET NX PX`) only if the entry is still what this store last read of it:
/// an entry written (and a lease released) between a caller's read and its lease means the
/// fetch is done, and the caller should read again rather than fetch again.
/// `KEYS`: lease, entry. `ARGV`: owner, milliseconds, `1` and the value read or `0` for none.
const LEASE: &str = r"
local current = redis.pcall('GET', KEYS[2])
if type(current) == 'table' then current = false end
if ARGV[3] == '1' then
  if current ~= ARGV[4] then return 0 end
elseif current then
  return 0
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
";

/// Deletes the lease only if `owner` still holds it.
const RELEASE: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/// A [`TokenStore`] on Redis: the processes of a fleet that use the same Redis, namespace,
/// [`EncryptionKey`] and credentials share one token (see oauth-token-source's
/// `Builder::store`).
///
/// - **Entries** are sealed with XChaCha20-Poly1305 under a key derived from the
///   [`EncryptionKey`], with a fresh random nonce per write, bound to the key name they were
///   written under and to a keyed fingerprint of the credentials. What does not open — another
///   key, another version, other credentials, a value edited, copied from another key or
///   written by something else — is a miss, never an error. [`RedisStoreBuilder::plaintext`]
///   trades the sealing for entries readable with `redis-cli` (still authenticated, still
///   bound to the credentials, which are never written).
/// - **Key names** (see [`RedisKeys`]) are a keyed hash of the configuration's identity and
///   credentials: nothing about either can be read from them.
/// - **Connections** are made on first use, not when the store is built, and made again after
///   a failure: a store builds with Redis down, fails each operation with
///   [`StoreErrorKind::Unavailable`] while it is down (the token source then fetches on its
///   own), and works again once Redis is back.
/// - **Time** is Redis's (`TIME`), so processes whose clocks disagree agree on expiries.
/// - **Leases** are `SET … NX PX`, taken only while the entry is what this store last read
///   (so a process that missed just before another's write reads again instead of fetching),
///   and released by their owner only.
///
/// It is cheap to clone; clones share their connections. Use it inside a tokio runtime (the
/// redis client's connections run on tokio).
///
/// # Examples
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oauth_redis::{EncryptionKey, RedisStore};
/// use oauth_token_source::TokenSource;
///
/// let key = EncryptionKey::from_base64(&std::env::var("TOKEN_STORE_KEY")?)?;
/// let store = RedisStore::builder("rediss://:password@redis.internal:6380", key).namespace("billing").build()?;
///
/// let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "app", "s3cr3t")?;
/// let source = TokenSource::builder(profile, oauth_reqwest::ReqwestTransport::new()?, oauth_reqwest::TokioRuntime)
///     .store(store)
///     .build()?;
/// let header = source.authorization().await?; // one fetch per token lifetime, fleet-wide
/// # drop(header);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    /// The server, without credentials, for `Debug`.
    server: String,
    /// The URL's password, kept to scrub it from any error that might repeat it.
    password: Option<Zeroizing<String>>,
    namespace: String,
    keys: Keys,
    sealing: Sealing,
    config: AsyncConnectionConfig,
    connect_timeout: Duration,
    response_timeout: Duration,
    /// The shared connection and its generation (so a failure forgets only the connection that
    /// failed, not a newer one).
    connection: Mutex<Option<(u64, MultiplexedConnection)>>,
    generation: AtomicU64,
    /// Held while connecting, so concurrent first uses make one connection.
    connecting: tokio::sync::Mutex<()>,
    /// The subscription `wait` listens on, made at the first wait.
    subscriber: tokio::sync::Mutex<Option<Subscriber>>,
    lease: redis::Script,
    release: redis::Script,
    /// What each entry held when this store last read it (`None`: nothing), by entry name,
    /// until the next lease attempt: a lease is taken only while the entry is still that.
    seen: Mutex<HashMap<String, Option<Zeroizing<Vec<u8>>>>>,
}

/// A pub/sub connection, its channels, and the channels that had a message no waiter took.
struct Subscriber {
    sink: PubSubSink,
    stream: PubSubStream,
    channels: HashSet<String>,
    pending: HashSet<String>,
}

impl Subscriber {
    /// Takes every message already received, noting its channel; `false` once the connection
    /// is gone.
    fn drain(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            match Pin::new(&mut self.stream).poll_next(&mut cx) {
                Poll::Ready(Some(message)) => {
                    self.pending.insert(message.get_channel_name().to_owned());
                }
                Poll::Ready(None) => return false,
                Poll::Pending => return true,
            }
        }
    }
}

/// Configures a [`RedisStore`]; made by [`RedisStore::builder`].
#[must_use = "call `build` to get the store"]
pub struct RedisStoreBuilder {
    url: Zeroizing<String>,
    key: EncryptionKey,
    namespace: String,
    sealing: Sealing,
    connect_timeout: Duration,
    response_timeout: Duration,
}

impl RedisStore {
    /// A store on the Redis at `url`, its entries sealed under `key`, in the namespace
    /// [`DEFAULT_NAMESPACE`]. Nothing is connected yet: this succeeds with Redis down.
    ///
    /// `url` is `redis://[[user]:password@]host[:port][/db]`, `rediss://…` for TLS (system
    /// root certificates; needs the default `ring` feature), or `unix:///path/to/socket`
    /// (`?db=…&user=…&pass=…`).
    ///
    /// # Errors
    /// [`ConfigError`] when `url` is not such a URL (its message never repeats the password).
    pub fn new(url: &str, key: EncryptionKey) -> Result<Self, ConfigError> {
        Self::builder(url, key).build()
    }

    /// A builder for a store on the Redis at `url`, its entries sealed under `key`: to set the
    /// namespace, the timeouts, or plaintext entries.
    pub fn builder(url: &str, key: EncryptionKey) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: Zeroizing::new(url.to_owned()),
            key,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            sealing: Sealing::Sealed,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
        }
    }

    /// The Redis names this store uses for `key`.
    #[must_use]
    pub fn redis_keys(&self, key: &StoreKey) -> RedisKeys {
        RedisKeys::new(&self.inner.keys, &self.inner.namespace, key)
    }

    /// The namespace of its key names.
    #[must_use]
    pub fn namespace(&self) -> &str {
        &self.inner.namespace
    }

    /// Whether it writes plaintext entries ([`RedisStoreBuilder::plaintext`]).
    #[must_use]
    pub fn is_plaintext(&self) -> bool {
        self.inner.sealing == Sealing::Plaintext
    }

    /// The shared connection, made now if there is none.
    async fn connection(&self) -> Result<(u64, MultiplexedConnection), StoreError> {
        if let Some(current) = self.current() {
            return Ok(current);
        }
        let _connecting = self.inner.connecting.lock().await;
        if let Some(current) = self.current() {
            return Ok(current);
        }
        let connection = self
            .inner
            .client
            .get_multiplexed_async_connection_with_config(&self.inner.config)
            .await
            .map_err(|e| self.error(&e))?;
        let generation = self.inner.generation.fetch_add(1, Ordering::Relaxed);
        *self.inner.connection.lock().unwrap_or_else(PoisonError::into_inner) = Some((generation, connection.clone()));
        Ok((generation, connection))
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Zeroizing<Vec<u8>>>>> {
        self.inner.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> Option<(u64, MultiplexedConnection)> {
        self.inner.connection.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The error for a command that failed on connection `generation`: a connection that broke
    /// or stalled is forgotten, and the next command connects again.
    fn failed(&self, generation: u64, error: &RedisError) -> StoreError {
        if error.is_io_error() || error.is_timeout() || error.is_unrecoverable_error() {
            let mut slot = self.inner.connection.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.as_ref().is_some_and(|(current, _)| *current == generation) {
                *slot = None;
            }
        }
        self.error(error)
    }

    fn error(&self, error: &RedisError) -> StoreError {
        failure(error, self.inner.password.as_ref().map(|p| p.as_str()))
    }

    async fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, StoreError> {
        let (generation, mut connection) = self.connection().await?;
        command.query_async(&mut connection).await.map_err(|e| self.failed(generation, &e))
    }

    /// Notes the messages already received, and whether one was on `channel` (taking it).
    fn take_pending(&self, channel: &str) -> bool {
        let Ok(mut slot) = self.inner.subscriber.try_lock() else { return false };
        let Some(subscriber) = slot.as_mut() else { return false };
        if !subscriber.drain() {
            *slot = None;
            return false;
        }
        subscriber.pending.remove(channel)
    }

    /// The subscription, made now if there is none, subscribed to `channel`.
    async fn subscribe<'a>(
        &self,
        slot: &'a mut Option<Subscriber>,
        channel: &str,
    ) -> Result<&'a mut Subscriber, StoreError> {
        if slot.is_none() {
            let pubsub =
                match tokio::time::timeout(self.inner.connect_timeout, self.inner.client.get_async_pubsub()).await {
                    Ok(Ok(pubsub)) => pubsub,
                    Ok(Err(error)) => return Err(self.error(&error)),
                    Err(_) => return Err(StoreError::new(StoreErrorKind::Timeout)),
                };
            let (sink, stream) = pubsub.split();
            *slot = Some(Subscriber { sink, stream, channels: HashSet::new(), pending: HashSet::new() });
        }
        let subscribed = match slot.as_mut() {
            Some(subscriber) if !subscriber.channels.contains(channel) => {
                Some(tokio::time::timeout(self.inner.response_timeout, subscriber.sink.subscribe(channel)).await)
            }
            _ => None,
        };
        match subscribed {
            Some(Ok(Ok(()))) => {
                if let Some(subscriber) = slot.as_mut() {
                    subscriber.channels.insert(channel.to_owned());
                }
            }
            Some(Ok(Err(error))) => {
                *slot = None;
                return Err(self.error(&error));
            }
            Some(Err(_)) => {
                *slot = None;
                return Err(StoreError::new(StoreErrorKind::Timeout));
            }
            None => {}
        }
        slot.as_mut().ok_or_else(|| StoreError::new(StoreErrorKind::Other))
    }
}

impl RedisStoreBuilder {
    /// The prefix of every key name (default [`DEFAULT_NAMESPACE`]): fleets that must not share
    /// tokens, or share a Redis with other uses, take one each.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Writes entries in plaintext: `GET` shows the token record (access and refresh tokens
    /// included) to anyone who can read the Redis. Each entry still carries an HMAC tag, so an
    /// edited one is a miss, and the keyed fingerprint of the credentials, never the
    /// credentials. For debugging, or a Redis only this fleet can reach; sealed is the default.
    /// Entries of either form are read by every store.
    pub fn plaintext(mut self) -> Self {
        self.sealing = Sealing::Plaintext;
        self
    }

    /// How long connecting (TCP, TLS, `AUTH`) may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a command may wait for its answer (default [`DEFAULT_RESPONSE_TIMEOUT`]). The
    /// token source also bounds each operation (`StoreOptions::op_timeout`).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// The store. Connects to nothing: the first operation does.
    ///
    /// # Errors
    /// [`ConfigError::Url`] for a URL that is not a Redis URL, [`ConfigError::TlsDisabled`] for
    /// `rediss://` without the `ring` feature, [`ConfigError::Namespace`] for an empty namespace
    /// or one with whitespace or control characters.
    pub fn build(self) -> Result<RedisStore, ConfigError> {
        if self.namespace.is_empty() || self.namespace.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::Namespace);
        }
        let scheme = self.url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        let tls = matches!(scheme.as_deref(), Some("rediss" | "valkeys"));
        if tls && !cfg!(feature = "ring") {
            return Err(ConfigError::TlsDisabled);
        }
        let client = redis::Client::open(self.url.as_str()).map_err(|e| ConfigError::url(&e))?;
        let info = client.get_connection_info();
        if matches!(info.addr(), ConnectionAddr::TcpTls { insecure: true, .. }) {
            return Err(ConfigError::Url {
                reason: "`#insecure` (TLS without checking the certificate) is not supported",
            });
        }
        #[cfg(feature = "ring")]
        if tls {
            // `Err` means a provider was installed first (by the application): that one stays.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let settings = info.redis_settings();
        let user = settings.username().map(|user| format!("{user}@")).unwrap_or_default();
        let server = match info.addr() {
            ConnectionAddr::Tcp(host, port) => format!("redis://{user}{}:{port}/{}", bracketed(host), settings.db()),
            ConnectionAddr::TcpTls { host, port, .. } => {
                format!("rediss://{user}{}:{port}/{}", bracketed(host), settings.db())
            }
            ConnectionAddr::Unix(path) => format!("unix://{}?db={}", path.display(), settings.db()),
            _ => "redis".to_owned(),
        };
        let password = settings.password().filter(|p| !p.is_empty()).map(|p| Zeroizing::new(p.to_owned()));
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.response_timeout));
        Ok(RedisStore {
            inner: Arc::new(Inner {
                server,
                password,
                namespace: self.namespace,
                keys: Keys::new(&self.key),
                sealing: self.sealing,
                config,
                connect_timeout: self.connect_timeout,
                response_timeout: self.response_timeout,
                connection: Mutex::new(None),
                generation: AtomicU64::new(0),
                connecting: tokio::sync::Mutex::new(()),
                subscriber: tokio::sync::Mutex::new(None),
                lease: redis::Script::new(LEASE),
                release: redis::Script::new(RELEASE),
                seen: Mutex::new(HashMap::new()),
                client,
            }),
        })
    }
}

fn bracketed(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

/// A duration in whole milliseconds for `PX`: at least 1, at most [`MAX_TTL`].
fn millis(duration: Duration) -> u64 {
    let capped = duration.min(MAX_TTL);
    u64::try_from(capped.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl TokenStore for RedisStore {
    /// Redis's clock (`TIME`).
    async fn now(&self) -> Result<Option<SystemTime>, StoreError> {
        let (seconds, micros): (u64, u64) = self.query(&redis::cmd("TIME")).await?;
        Ok(UNIX_EPOCH.checked_add(Duration::from_secs(seconds).saturating_add(Duration::from_micros(micros))))
    }

    async fn read(&self, key: &StoreKey) -> Result<Option<SharedEntry>, StoreError> {
        let names = self.redis_keys(key);
        // A write announced before this read is seen by it: its message is no reason to wake.
        self.take_pending(&names.channel);
        let (generation, mut connection) = self.connection().await?;
        let value: Option<Vec<u8>> = match redis::cmd("GET").arg(&names.token).query_async(&mut connection).await {
            Ok(value) => value,
            // Something else (a hash, a list) under the name: as unreadable as garbage, and the
            // next write replaces it.
            Err(error) if error.code() == Some("WRONGTYPE") => {
                self.seen().remove(&names.token);
                return Ok(None);
            }
            Err(error) => return Err(self.failed(generation, &error)),
        };
        let value = value.map(Zeroizing::new);
        let entry = value.as_ref().and_then(|value| seal::open(&self.inner.keys, &names.token, key.binding(), value));
        self.seen().insert(names.token, value);
        Ok(entry)
    }

    async fn write(&self, key: &StoreKey, entry: &SharedEntry, ttl: Duration) -> Result<(), StoreError> {
        let names = self.redis_keys(key);
        let mut pipe = redis::pipe();
        if ttl.is_zero() {
            // Gone as soon as written: what was there is replaced by nothing.
            pipe.cmd("DEL").arg(&names.token).ignore();
        } else {
            let Some(value) = seal::seal(&self.inner.keys, self.inner.sealing, &names.token, key.binding(), entry)
            else {
                return Err(StoreError::new(StoreErrorKind::Other));
            };
            pipe.cmd("SET").arg(&names.token).arg(&value[..]).arg("PX").arg(millis(ttl)).ignore();
        }
        pipe.cmd("PUBLISH").arg(&names.channel).arg("written").ignore();
        let (generation, mut connection) = self.connection().await?;
        pipe.query_async::<()>(&mut connection).await.map_err(|e| self.failed(generation, &e))
    }

    /// Takes the lease, if nobody holds it and — when this store has read the entry since its
    /// last lease attempt — the entry is still what that read found. An entry written since
    /// means the fetch the caller is about to make was just made: `false`, and the caller reads
    /// again.
    async fn try_lease(&self, key: &StoreKey, owner: &str, lease: Duration) -> Result<bool, StoreError> {
        let names = self.redis_keys(key);
        let seen = self.seen().remove(&names.token);
        let (generation, mut connection) = self.connection().await?;
        let Some(seen) = seen else {
            let answer: Value = redis::cmd("SET")
                .arg(&names.lease)
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(millis(lease))
                .query_async(&mut connection)
                .await
                .map_err(|e| self.failed(generation, &e))?;
            return match answer {
                Value::Okay | Value::SimpleString(_) => Ok(true),
                Value::Nil => Ok(false),
                _ => Err(StoreError::new(StoreErrorKind::Other)),
            };
        };
        let mut invocation = self.inner.lease.key(&names.lease);
        invocation.key(&names.token).arg(owner).arg(millis(lease));
        match &seen {
            Some(value) => invocation.arg("1").arg(&value[..]),
            None => invocation.arg("0").arg(""),
        };
        let taken: i64 = invocation.invoke_async(&mut connection).await.map_err(|e| self.failed(generation, &e))?;
        Ok(taken == 1)
    }

    async fn release(&self, key: &StoreKey, owner: &str) -> Result<(), StoreError> {
        let names = self.redis_keys(key);
        let (generation, mut connection) = self.connection().await?;
        let mut invocation = self.inner.release.key(&names.lease);
        invocation.arg(owner);
        invocation.invoke_async::<i64>(&mut connection).await.map_err(|e| self.failed(generation, &e))?;
        Ok(())
    }

    /// Listens on the key's channel (one subscription per store, made at the first wait, which
    /// may take longer than `timeout`) and returns at the first message on it, or at `timeout`.
    /// A message that came since the last `read` of the key returns at once.
    async fn wait(&self, key: &StoreKey, timeout: Duration) -> Result<(), StoreError> {
        let channel = self.redis_keys(key).channel;
        let deadline = tokio::time::Instant::now() + timeout.min(MAX_TTL);
        // Another wait holding the subscription all along: this one's time is up as well.
        let Ok(mut slot) = tokio::time::timeout_at(deadline, self.inner.subscriber.lock()).await else {
            return Ok(());
        };
        // Not cut short by `timeout`: a subscription given up half made would only be made
        // again at the next wait (the connect and response timeouts bound it).
        let subscriber = self.subscribe(&mut slot, &channel).await?;
        if !subscriber.drain() {
            *slot = None;
            return Err(StoreError::new(StoreErrorKind::Unavailable));
        }
        if subscriber.pending.remove(&channel) {
            return Ok(());
        }
        loop {
            let next = std::future::poll_fn(|cx| Pin::new(&mut subscriber.stream).poll_next(cx));
            match tokio::time::timeout_at(deadline, next).await {
                Err(_) => return Ok(()),
                Ok(Some(message)) if message.get_channel_name() == channel => return Ok(()),
                Ok(Some(message)) => {
                    subscriber.pending.insert(message.get_channel_name().to_owned());
                }
                Ok(None) => {
                    // The connection is gone: the next wait subscribes again.
                    *slot = None;
                    return Err(StoreError::new(StoreErrorKind::Unavailable));
                }
            }
        }
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.inner.server)
            .field("namespace", &self.inner.namespace)
            .field("sealing", &self.inner.sealing)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("namespace", &self.namespace)
            .field("sealing", &self.sealing)
            .finish_non_exhaustive()
    }
}
