//! `TokenSource`: a cached, single-flight, refresh-ahead token for one client at one endpoint —
//! its public calls and the fresh path. The builder, the future, the slow path, one fetch and
//! the fetch guard each have a file of their own beside this one.

mod builder;
mod exchange;
mod fetch;
mod flight;
mod future;
mod revoke;
mod shared;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Instant;

use event_listener::Event;
use http::HeaderValue;
use oauth_core::{
    Access, AccessToken, AuthFallback, RetryPolicy, Token, TokenConfig, TokenError, TokenLifecycle, bearer_header,
};

pub use builder::Builder;
pub(crate) use exchange::assertion_entropy;
pub use future::TokenFuture;

use crate::{ClientError, Runtime, Transport, events};

/// Called with the error when a refresh ahead of expiry fails (the old token keeps serving).
pub type RefreshErrorHook = Arc<dyn Fn(&ClientError) + Send + Sync>;

/// A valid access token on demand, for one client at one token endpoint — or a fixed API key
/// behind the same calls, so callers never branch.
///
/// - **Cache.** A fresh token is returned without any exclusive lock: a shared read lock, a
///   clock read, a comparison and a reference-count increment — no allocation.
/// - **Single flight.** However many callers arrive while there is no usable token, exactly one
///   request goes to the token endpoint, and every waiter gets its result (the token or the
///   same error).
/// - **Refresh ahead.** Within the refresh window (`skew` before expiry, at most half the
///   lifetime) callers still get the current token at once while one refresh runs in the
///   background; if it fails, the old token serves until it expires, and the failure is
///   reported through `tracing` and [`Builder::on_refresh_error`].
/// - **Refresh tokens.** Used when held; an `invalid_grant` on refresh falls back to the
///   primary grant once; a rotated refresh token replaces the old one, a missing one keeps it.
/// - **Retries** per [`RetryPolicy`], within a deadline per call.
/// - **Cancellation.** A caller dropped mid-fetch hands the fetch back; the next caller fetches.
/// - **Auto client authentication**, when the configuration lists fallback methods: for
///   replay-safe grants, a refusal of the client tries the next method, one pass at most, and
///   the method that worked is remembered (oauth-core's [`Attempts`](oauth_core::Attempts)
///   decides; this type executes).
///
/// Cloning is cheap and shares the cache.
///
/// # Examples
/// ```
/// # use std::time::{Duration, Instant};
/// # use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError, TokenSource};
/// # struct Canned;
/// # #[async_trait::async_trait]
/// # impl Transport for Canned {
/// #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
/// #         Ok(http::Response::builder().header("content-type", "application/json")
/// #             .body(br#"{"access_token":"t0k3n","token_type":"bearer","expires_in":299}"#.to_vec()).unwrap())
/// #     }
/// # }
/// # struct Tokio;
/// # impl Runtime for Tokio {
/// #     fn now(&self) -> Instant { tokio::time::Instant::now().into_std() }
/// #     fn sleep(&self, d: Duration) -> BoxFuture<()> { Box::pin(tokio::time::sleep(d)) }
/// #     fn spawn(&self, f: BoxFuture<()>) { drop(tokio::spawn(f)); }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "id", "secret")?;
/// let source = TokenSource::new(profile, Canned, Tokio)?; // Canned: any Transport; Tokio: any Runtime
/// let token = source.token().await?;                       // fetched once, then cached
/// assert_eq!(token.secret(), "t0k3n");
/// assert_eq!(source.authorization().await?, "Bearer t0k3n");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Arc<dyn Runtime>,
    mode: Mode,
}

enum Mode {
    Static(Arc<Cached>),
    Exchange(Box<Exchange>),
}

struct Exchange {
    transport: Arc<dyn Transport>,
    config: TokenConfig,
    /// The client-authentication methods to try, in order.
    fallback: AuthFallback,
    policy: RetryPolicy,
    /// The published token. Readers share the lock (the fresh path clones one `Arc` under it);
    /// writers hold it for one assignment.
    cache: RwLock<Option<Arc<Cached>>>,
    /// Set while a fetch is out, so callers inside the refresh window skip the lock.
    fetching: AtomicBool,
    state: Mutex<State>,
    changed: Event,
    on_refresh_error: Option<RefreshErrorHook>,
    host: Box<str>,
    /// The fleet's store, when the source shares its token.
    shared: Option<shared::Shared>,
    /// Started from a user's token: refresh only, never the configuration's grant.
    refresh_only: bool,
}

struct State {
    lifecycle: TokenLifecycle,
    /// Index into the fallback's methods of the one to start with (the one that last worked).
    auth_start: usize,
    /// The last fetch that failed for good, so its waiters get the same error.
    failure: Option<(u64, ClientError)>,
    /// The last fetch that succeeded, so its waiters get its token even when that token is
    /// already due (a lifetime under a second): one fetch serves everyone who waited for it.
    fetched: Option<(u64, Arc<Cached>)>,
}

/// A published token with its `Authorization` header, made once, and the moment it stops
/// being fresh: when it enters its refresh window, or expires if it has no window.
struct Cached {
    token: Token,
    header: HeaderValue,
    refresh_at: Option<Instant>,
    stale_at: Option<Instant>,
}

impl Cached {
    fn new(token: Token) -> Result<Self, ClientError> {
        let header = bearer_header(token.access_token()).map_err(TokenError::from)?;
        Ok(Self { token, header, refresh_at: None, stale_at: None })
    }

    /// Fresh: serve it, no lock, no fetch.
    #[inline]
    fn is_fresh(&self, now: Instant) -> bool {
        self.stale_at.is_none_or(|at| now < at)
    }

    /// Inside the refresh window with a refresh already out, and not expired: serve it, no lock.
    #[inline]
    fn usable_while_refreshing(&self, now: Instant, fetching: bool) -> bool {
        fetching && !self.token.is_expired(now)
    }
}

impl TokenSource {
    /// A token source with the default settings, from a profile (or any [`Access`]), a
    /// [`Transport`] (oauth-reqwest and oauth-hyper provide them) and a [`Runtime`]
    /// (oauth-tokio provides tokio's).
    ///
    /// # Errors
    /// As [`Builder::build`].
    ///
    /// # Examples
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError, TokenSource};
    /// # struct Canned;
    /// # #[async_trait::async_trait]
    /// # impl Transport for Canned {
    /// #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
    /// #         Ok(http::Response::builder().header("content-type", "application/json")
    /// #             .body(br#"{"access_token":"t0k3n","token_type":"bearer","expires_in":299}"#.to_vec()).unwrap())
    /// #     }
    /// # }
    /// # struct Tokio;
    /// # impl Runtime for Tokio {
    /// #     fn now(&self) -> Instant { tokio::time::Instant::now().into_std() }
    /// #     fn sleep(&self, d: Duration) -> BoxFuture<()> { Box::pin(tokio::time::sleep(d)) }
    /// #     fn spawn(&self, f: BoxFuture<()>) { drop(tokio::spawn(f)); }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "my-id", "my-secret")?;
    /// let source = TokenSource::new(profile, Canned, Tokio)?;
    /// assert!(!source.is_static());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(
        access: impl Into<Access>,
        transport: impl Transport,
        runtime: impl Runtime,
    ) -> Result<Self, ClientError> {
        Self::builder(access, transport, runtime).build()
    }

    /// Starts configuring a token source.
    pub fn builder(access: impl Into<Access>, transport: impl Transport, runtime: impl Runtime) -> Builder {
        Builder::new(access.into(), Arc::new(transport), Arc::new(runtime))
    }

    /// A valid access token (for an API key: the key): the cached one while it is fresh, else
    /// one fetch shared by every caller.
    ///
    /// # Errors
    /// [`ClientError`] when no token can be had within the retry policy's deadline.
    ///
    /// # Examples
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError, TokenSource};
    /// # struct Canned;
    /// # #[async_trait::async_trait]
    /// # impl Transport for Canned {
    /// #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
    /// #         Ok(http::Response::builder().header("content-type", "application/json")
    /// #             .body(br#"{"access_token":"t0k3n","token_type":"bearer","expires_in":299}"#.to_vec()).unwrap())
    /// #     }
    /// # }
    /// # struct Tokio;
    /// # impl Runtime for Tokio {
    /// #     fn now(&self) -> Instant { tokio::time::Instant::now().into_std() }
    /// #     fn sleep(&self, d: Duration) -> BoxFuture<()> { Box::pin(tokio::time::sleep(d)) }
    /// #     fn spawn(&self, f: BoxFuture<()>) { drop(tokio::spawn(f)); }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let source = TokenSource::new(
    ///     oauth_providers::rfc6749::client_credentials("https://as.example/token", "app", "s3cr3t")?,
    ///     Canned,
    ///     Tokio,
    /// )?;
    /// let token = source.token().await?;
    /// assert_eq!(token.secret(), "t0k3n");
    /// assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    /// # Ok(())
    /// # }
    /// ```
    #[inline]
    pub fn token(&self) -> TokenFuture<'_, AccessToken> {
        self.with_cached(|c| c.token.access_token().clone())
    }

    /// The `Authorization: Bearer …` header for a valid token, made once per token and marked
    /// sensitive.
    ///
    /// # Errors
    /// As [`TokenSource::token`].
    ///
    /// # Examples
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError, TokenSource};
    /// # struct Canned;
    /// # #[async_trait::async_trait]
    /// # impl Transport for Canned {
    /// #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
    /// #         Ok(http::Response::builder().header("content-type", "application/json")
    /// #             .body(br#"{"access_token":"t0k3n","token_type":"bearer","expires_in":299}"#.to_vec()).unwrap())
    /// #     }
    /// # }
    /// # struct Tokio;
    /// # impl Runtime for Tokio {
    /// #     fn now(&self) -> Instant { tokio::time::Instant::now().into_std() }
    /// #     fn sleep(&self, d: Duration) -> BoxFuture<()> { Box::pin(tokio::time::sleep(d)) }
    /// #     fn spawn(&self, f: BoxFuture<()>) { drop(tokio::spawn(f)); }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let key = oauth_core::ApiKey::new("my-api-key");
    /// let source = TokenSource::new(key, Canned, Tokio)?; // an API key: no exchange at all
    /// let header = source.authorization().await?;
    /// assert_eq!(header, "Bearer my-api-key");
    /// assert!(header.is_sensitive());
    /// # Ok(())
    /// # }
    /// ```
    #[inline]
    pub fn authorization(&self) -> TokenFuture<'_, HeaderValue> {
        self.with_cached(|c| c.header.clone())
    }

    /// The header and the token it carries, for a caller that may later report a 401 about
    /// this very token ([`TokenSource::invalidate_if_current`]).
    ///
    /// # Errors
    /// As [`TokenSource::token`].
    #[inline]
    pub fn authorization_with_token(&self) -> TokenFuture<'_, (HeaderValue, AccessToken)> {
        self.with_cached(|c| (c.header.clone(), c.token.access_token().clone()))
    }

    /// Which 401s from the APIs mean this source's token is no longer good, as its profile says
    /// ([`TokenConfig::retry_on_401`]); [`RetryOn401::Never`](crate::RetryOn401::Never) for an API key, which a new fetch
    /// would not change. The middlewares use it unless told otherwise.
    #[must_use]
    pub fn retry_on_401(&self) -> crate::RetryOn401 {
        match &self.inner.mode {
            Mode::Static(_) => crate::RetryOn401::Never,
            Mode::Exchange(ex) => ex.config.retry_on_401(),
        }
    }

    /// The token held now, whatever its state (fresh, in its refresh window, expired), with
    /// everything that came with it: lifetime, expiry, scope, type, refresh token. `None` before
    /// the first token or after [`invalidate`](Self::invalidate). Takes the state lock: for
    /// reporting and persisting a token, not for each request (use [`token`](Self::token)).
    #[must_use]
    pub fn current_token(&self) -> Option<Token> {
        match &self.inner.mode {
            Mode::Static(cached) => Some(cached.token.clone()),
            Mode::Exchange(ex) => ex.lock().lifecycle.token().cloned(),
        }
    }

    /// The client-authentication method the next token request starts with: the configured
    /// one, or the fallback that last worked. `None` for an API key. Keep it with a persisted
    /// token and hand it to [`Builder::start_with_auth`] in the next process, so that process
    /// does not learn it again (a refresh token is sent with one method only).
    #[must_use]
    pub fn auth_method(&self) -> Option<oauth_core::AuthMethod> {
        let Mode::Exchange(ex) = &self.inner.mode else { return None };
        let start = ex.lock().auth_start;
        let methods = ex.fallback.methods();
        methods.get(start).or(methods.first()).map(oauth_core::ClientAuth::method)
    }

    /// Whether this source serves a fixed credential (an API key) with no token exchange.
    #[must_use]
    pub fn is_static(&self) -> bool {
        matches!(self.inner.mode, Mode::Static(_))
    }

    /// Drops the cached token: the next call fetches a new one. For an API key, nothing.
    pub fn invalidate(&self) {
        if let Mode::Exchange(ex) = &self.inner.mode {
            let mut state = ex.lock();
            state.lifecycle.invalidate();
            ex.publish(None);
            tracing::info!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::INVALIDATED);
        }
    }

    /// Drops the cached token only if it is `used` — the token a resource just refused — so
    /// that a late 401 about an old token never throws away a newer one. Returns whether a
    /// new token is worth fetching (false for an API key: a new one would be the same).
    pub fn invalidate_if_current(&self, used: &AccessToken) -> bool {
        let Mode::Exchange(ex) = &self.inner.mode else { return false };
        let mut state = ex.lock();
        let current = state.lifecycle.token().is_some_and(|t| t.access_token().same_as(used));
        if current {
            if let Some(shared) = &ex.shared {
                shared.note_refused(used.clone());
            }
            state.lifecycle.invalidate();
            ex.publish(None);
            tracing::info!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::REFUSED_BY_RESOURCE);
        }
        true
    }

    /// After a resource answered a request made with `used`: whether to fetch a new token and
    /// send the request once more. True when `policy` says the answer calls for it and a new
    /// token is worth having (then `used`, if still cached, has been dropped); never for an API
    /// key. Every middleware asks this one question, so the rule lives here.
    pub fn should_retry(
        &self,
        policy: crate::RetryOn401,
        status: http::StatusCode,
        headers: &http::HeaderMap,
        used: &AccessToken,
    ) -> bool {
        policy.applies(status, headers) && self.invalidate_if_current(used)
    }

    /// The fresh path, checked right here (no future state machine, no allocation); the slow
    /// path boxed behind the returned future only when it is needed.
    #[inline]
    fn with_cached<T: Send + 'static>(&self, pick: fn(&Cached) -> T) -> TokenFuture<'_, T> {
        let ex = match &self.inner.mode {
            Mode::Static(cached) => return TokenFuture::ready(Ok(pick(cached))),
            Mode::Exchange(ex) => ex,
        };
        let now = self.inner.runtime.now();
        if let Some(value) = ex.fresh(now, pick) {
            return TokenFuture::ready(Ok(value));
        }
        TokenFuture::waiting(Box::pin(async move {
            let cached = self.slow_path(ex, now).await?;
            Ok(pick(&cached))
        }))
    }

    /// The header and the token it carries when the cached token can be served at once — no
    /// waiting, no allocation, no lock but a shared read; `None` when
    /// [`authorization_with_token`](Self::authorization_with_token) would have to wait or
    /// fetch. For a middleware whose call cannot await (a tower `Service::call`): it sends at
    /// once with this, and awaits the full call only when it gets `None`.
    #[must_use]
    pub fn fresh_authorization(&self) -> Option<(HeaderValue, AccessToken)> {
        let pick = |c: &Cached| (c.header.clone(), c.token.access_token().clone());
        match &self.inner.mode {
            Mode::Static(cached) => Some(pick(cached)),
            Mode::Exchange(ex) => ex.fresh(self.inner.runtime.now(), pick),
        }
    }
}

impl Exchange {
    /// The fresh path: `pick` of the published token when it can be served at `now`.
    #[inline]
    fn fresh<T>(&self, now: Instant, pick: impl FnOnce(&Cached) -> T) -> Option<T> {
        let guard = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        let cached = guard.as_deref()?;
        let usable = cached.is_fresh(now) || cached.usable_while_refreshing(now, self.fetching.load(Ordering::Acquire));
        usable.then(|| pick(cached))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent state (every update is one
        // assignment), so a poisoned lock is used as is.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The published entry for `token`, or a new one published now. Tokens reach the lifecycle
    /// only through `FetchGuard::complete`, which checked their header, so building one cannot
    /// fail; if it ever did, the entry carries an empty header rather than a panic.
    fn entry_for(&self, token: &Token, refresh_at: Option<Instant>) -> Arc<Cached> {
        let published = self.cache.read().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(cached) = published {
            if cached.token.access_token().same_as(token.access_token()) && cached.refresh_at == refresh_at {
                return cached;
            }
        }
        let header = bearer_header(token.access_token()).unwrap_or_else(|_| HeaderValue::from_static(""));
        let stale_at = refresh_at.or_else(|| token.expires_at());
        let cached = Arc::new(Cached { token: token.clone(), header, refresh_at, stale_at });
        self.publish(Some(cached.clone()));
        cached
    }

    fn publish(&self, cached: Option<Arc<Cached>>) {
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = cached;
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.mode {
            Mode::Static(_) => f.debug_struct("TokenSource").field("mode", &"api key").finish_non_exhaustive(),
            Mode::Exchange(ex) => f
                .debug_struct("TokenSource")
                .field("endpoint", &ex.config.endpoint().uri())
                .field("client_id", ex.config.auth().client_id())
                .field("grant", &ex.config.request().grant().grant_type())
                .finish_non_exhaustive(),
        }
    }
}
