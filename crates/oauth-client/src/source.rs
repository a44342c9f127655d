//! `TokenSource`: a cached, single-flight, refresh-ahead token for one client at one endpoint.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use event_listener::Event;
use http::HeaderValue;
use oauth_core::{
    Access, AccessToken, ClientAuth, Completion, ErrorCode, ErrorSource, Fetch, FetchGrant, Poll, Token, TokenConfig,
    TokenError, TokenLifecycle, bearer_header,
};

use crate::race::{Either, race};
use crate::{ClientError, ResponseLimit, RetryPolicy, Runtime, Transport};

/// Called with the error when a refresh ahead of expiry fails (the old token keeps serving).
pub type RefreshErrorHook = Arc<dyn Fn(&ClientError) + Send + Sync>;

/// A valid access token on demand, for one client at one token endpoint — or a fixed API key
/// behind the same calls, so callers never branch.
///
/// - **Cache.** A fresh token is returned without any exclusive lock: an atomic pointer load,
///   a clock read and a reference-count increment.
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
///   the method that worked is remembered.
///
/// Cloning is cheap and shares the cache.
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
    /// The configured method first, then the fallbacks.
    auths: Vec<ClientAuth>,
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
}

struct State {
    lifecycle: TokenLifecycle,
    /// Index into `auths` of the method to start with (the one that last worked).
    auth_start: usize,
    /// The last fetch that failed for good, so its waiters get the same error.
    failure: Option<(u64, ClientError)>,
}

/// A token with its `Authorization` header made once, when it enters its refresh window, and
/// a flag a runtime timer raises at that moment.
///
/// The flag is what makes the fresh path cheap: reading a clock costs more than the rest of
/// the path together, so a fresh token is recognised by the flag alone, and the clock is read
/// only once the flag is up. If the timer fires late, the token is still valid (the refresh
/// window opens at least a skew before expiry), and a resource's 401 is the backstop.
struct Cached {
    token: Token,
    header: HeaderValue,
    refresh_at: Option<Instant>,
    stale: AtomicBool,
}

impl Cached {
    fn new(token: Token, refresh_at: Option<Instant>) -> Result<Self, ClientError> {
        let header = bearer_header(token.access_token()).map_err(TokenError::from)?;
        Ok(Self { token, header, refresh_at, stale: AtomicBool::new(false) })
    }

    /// Inside the refresh window with a refresh already out, and not expired: serve it, no lock.
    fn usable_while_refreshing(&self, now: Instant, fetching: bool) -> bool {
        fetching && !self.token.is_expired(now)
    }
}

/// Configures a [`TokenSource`].
#[must_use = "call `build` to get the token source"]
pub struct Builder {
    access: Access,
    transport: Arc<dyn Transport>,
    runtime: Arc<dyn Runtime>,
    skew: Duration,
    fetch_timeout: Option<Duration>,
    policy: RetryPolicy,
    on_refresh_error: Option<RefreshErrorHook>,
}

impl Builder {
    /// How long before expiry to refresh (default 60 s; always capped at half the lifetime).
    pub fn refresh_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long a fetch may stay out before it is taken as lost (default: the retry deadline
    /// plus 30 s). A fetch whose task was killed without unwinding frees its slot after this.
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = Some(timeout);
        self
    }

    /// Called when a refresh ahead of expiry fails (the old token keeps serving).
    pub fn on_refresh_error(mut self, hook: impl Fn(&ClientError) + Send + Sync + 'static) -> Self {
        self.on_refresh_error = Some(Arc::new(hook));
        self
    }

    /// Makes the token source.
    ///
    /// # Errors
    /// [`ClientError::Token`] with a misuse error for an API key no header can carry, or a
    /// fallback method the credentials cannot use (raw Basic with a `:` in the id).
    pub fn build(self) -> Result<TokenSource, ClientError> {
        let mode = match self.access {
            Access::ApiKey(key) => Mode::Static(Arc::new(Cached::new(Token::bearer(AccessToken::from(key)), None)?)),
            Access::Token(config) => {
                let mut auths = vec![config.auth().clone()];
                for method in config.auth_fallbacks() {
                    auths.push(config.auth().with_method(*method).map_err(TokenError::from)?);
                }
                let timeout = self.fetch_timeout.unwrap_or(self.policy.deadline() + Duration::from_secs(30));
                let host = config.endpoint().uri().host().unwrap_or_default().into();
                Mode::Exchange(Box::new(Exchange {
                    transport: self.transport,
                    config: *config,
                    auths,
                    policy: self.policy,
                    cache: RwLock::new(None),
                    fetching: AtomicBool::new(false),
                    state: Mutex::new(State {
                        lifecycle: TokenLifecycle::new(self.skew).with_fetch_timeout(timeout),
                        auth_start: 0,
                        failure: None,
                    }),
                    changed: Event::new(),
                    on_refresh_error: self.on_refresh_error,
                    host,
                }))
            }
            _ => return Err(TokenError::from(oauth_core::MisuseError::InvalidBearerCredential).into()),
        };
        Ok(TokenSource { inner: Arc::new(Inner { runtime: self.runtime, mode }) })
    }
}

impl TokenSource {
    /// A token source with the default settings.
    ///
    /// # Errors
    /// As [`Builder::build`].
    pub fn new(
        access: impl Into<Access>,
        transport: impl Transport,
        runtime: impl Runtime,
    ) -> Result<Self, ClientError> {
        Self::builder(access, transport, runtime).build()
    }

    /// Starts configuring a token source.
    pub fn builder(access: impl Into<Access>, transport: impl Transport, runtime: impl Runtime) -> Builder {
        Builder {
            access: access.into(),
            transport: Arc::new(transport),
            runtime: Arc::new(runtime),
            skew: oauth_core::DEFAULT_REFRESH_SKEW,
            fetch_timeout: None,
            policy: RetryPolicy::default(),
            on_refresh_error: None,
        }
    }

    /// A valid access token (for an API key: the key).
    ///
    /// # Errors
    /// [`ClientError`] when no token can be had within the retry policy's deadline.
    #[inline]
    pub fn token(&self) -> TokenFuture<'_, AccessToken> {
        self.with_cached(|c| c.token.access_token().clone())
    }

    /// The `Authorization: Bearer …` header for a valid token, made once per token and marked
    /// sensitive.
    ///
    /// # Errors
    /// As [`TokenSource::token`].
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
            tracing::info!(target: "oauth_client", endpoint = %ex.host, "token invalidated");
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
            state.lifecycle.invalidate();
            ex.publish(None);
            tracing::info!(target: "oauth_client", endpoint = %ex.host, "token refused by a resource; invalidated");
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

    /// The fresh path, checked right here (no future state machine, no clock); the slow path
    /// boxed behind the returned future only when it is needed.
    #[inline]
    fn with_cached<T: Send + 'static>(&self, pick: fn(&Cached) -> T) -> TokenFuture<'_, T> {
        let ex = match &self.inner.mode {
            Mode::Static(cached) => return TokenFuture::ready(Ok(pick(cached))),
            Mode::Exchange(ex) => ex,
        };
        {
            let guard = ex.cache.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(cached) = guard.as_deref() {
                if !cached.stale.load(Ordering::Acquire) {
                    return TokenFuture::ready(Ok(pick(cached)));
                }
            }
        }
        TokenFuture::waiting(Box::pin(async move {
            let now = self.inner.runtime.now();
            {
                let guard = ex.cache.read().unwrap_or_else(PoisonError::into_inner);
                if let Some(cached) = guard.as_deref() {
                    if cached.usable_while_refreshing(now, ex.fetching.load(Ordering::Acquire)) {
                        return Ok(pick(cached));
                    }
                }
            }
            let cached = self.slow_path(ex, now).await?;
            Ok(pick(&cached))
        }))
    }

    async fn slow_path(&self, ex: &Exchange, mut now: Instant) -> Result<Arc<Cached>, ClientError> {
        let deadline_at = now + ex.policy.deadline();
        let mut fell_back = false;
        loop {
            match self.next_step(ex, now) {
                Next::Serve(cached, fetch) => {
                    if let Some(fetch) = fetch {
                        self.spawn_refresh(fetch);
                    }
                    return Ok(cached);
                }
                Next::Fetch(fetch) => {
                    let guard = FetchGuard { source: self.clone(), fetch: Some(fetch) };
                    let result = self.perform(ex, guard.grant(), deadline_at).await;
                    let may_fall_back = !fell_back && ex.config.request().grant().is_replay_safe();
                    match guard.complete(result, may_fall_back) {
                        (Completion::RefreshRejected, Err(_)) if may_fall_back => {
                            // The refresh token is gone; fetch once more with the primary grant.
                            fell_back = true;
                            now = self.inner.runtime.now();
                        }
                        (_, result) => return result,
                    }
                }
                Next::Wait(waiting_for, listener) => {
                    let remaining = deadline_at.saturating_duration_since(now);
                    if let Either::Right(()) = race(listener, self.inner.runtime.sleep(remaining)).await {
                        return Err(ClientError::Deadline { deadline: ex.policy.deadline(), attempts: 0, last: None });
                    }
                    now = self.inner.runtime.now();
                    let state = ex.lock();
                    if let (Some((failed, error)), Some(waited)) = (&state.failure, waiting_for) {
                        if *failed == waited {
                            return Err(error.clone());
                        }
                    }
                }
            }
        }
    }

    /// Asks the lifecycle what to do at `now`, under the lock, and returns owned values.
    fn next_step(&self, ex: &Exchange, now: Instant) -> Next {
        let mut state = ex.lock();
        let refresh_at = state.lifecycle.refresh_at();
        let next = match state.lifecycle.poll(now) {
            Poll::Ready(token) => Next::Serve(ex.cached_for(token, refresh_at, &self.inner.runtime), None),
            Poll::RefreshAhead(token, fetch) => {
                let cached = ex.cached_for(token, refresh_at, &self.inner.runtime);
                cached.stale.store(true, Ordering::Release);
                Next::Serve(cached, fetch)
            }
            Poll::Fetch(fetch) => Next::Fetch(fetch),
            Poll::Wait => Next::Wait(None, ex.changed.listen()),
        };
        match next {
            Next::Wait(_, listener) => Next::Wait(state.lifecycle.in_flight_id(), listener),
            Next::Fetch(_) | Next::Serve(_, Some(_)) => {
                ex.fetching.store(true, Ordering::Release);
                next
            }
            Next::Serve(_, None) => next,
        }
    }

    fn spawn_refresh(&self, fetch: Fetch) {
        // The guard exists before the runtime gets the future: if the runtime drops it unpolled
        // (shutting down, refusing work), the guard's drop still hands the fetch back.
        let guard = FetchGuard { source: self.clone(), fetch: Some(fetch) };
        let Mode::Exchange(ex) = &self.inner.mode else { return };
        tracing::debug!(target: "oauth_client", endpoint = %ex.host, "refreshing ahead of expiry");
        self.inner.runtime.spawn(Box::pin(async move {
            let source = guard.source.clone();
            let Mode::Exchange(ex) = &source.inner.mode else { return };
            let deadline_at = source.inner.runtime.now() + ex.policy.deadline();
            let result = source.perform(ex, guard.grant(), deadline_at).await;
            // A refused refresh token is not the waiters' error when the primary grant can
            // take over: they fetch again with it.
            let may_fall_back = ex.config.request().grant().is_replay_safe();
            if let (_, Err(error)) = guard.complete(result, may_fall_back) {
                tracing::warn!(target: "oauth_client", endpoint = %ex.host, error = %error,
                    "refresh ahead of expiry failed; the current token serves until it expires");
                if let Some(hook) = &ex.on_refresh_error {
                    hook(&error);
                }
            }
        }));
    }

    /// Sends the request (retrying, trying fallback client authentication) until a token, a
    /// final error, or the deadline.
    async fn perform(&self, ex: &Exchange, grant: FetchGrant, deadline_at: Instant) -> Result<Token, ClientError> {
        let runtime = &self.inner.runtime;
        let request = match &grant {
            FetchGrant::Primary => Cow::Borrowed(ex.config.request()),
            other => Cow::Owned(ex.config.request().with_grant(other.to_grant(ex.config.request().grant()))),
        };
        let grant_type = request.grant().grant_type().to_owned();
        let replay_safe = request.grant().is_replay_safe();
        let start = ex.lock().auth_start;
        let mut auth_index = start;
        let mut tried = Vec::new();
        let mut first_refusal: Option<ClientError> = None;
        // The last error retried after, for a deadline error to carry.
        let mut last_error: Option<ClientError> = None;
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let limit = ResponseLimit(ex.config.endpoint().quirks().max_body_bytes);
        loop {
            let now = runtime.now();
            let Some(remaining) = deadline_at.checked_duration_since(now).filter(|d| !d.is_zero()) else {
                return Err(deadline(ex, attempts, last_error.or(first_refusal)));
            };
            let auth = &ex.auths[auth_index];
            let (mut http_request, pending) = ex.config.endpoint().build_request(auth, &request);
            http_request.extensions_mut().insert(limit);
            attempts += 1;
            tracing::debug!(target: "oauth_client", endpoint = %ex.host, grant = %grant_type,
                auth = ?auth.method(), attempt = attempts, "requesting a token");
            let sent_at = runtime.now();
            let result = match race(ex.transport.send(http_request), runtime.sleep(remaining)).await {
                Either::Left(Ok(response)) => pending.finish(&response, sent_at).map_err(ClientError::from),
                Either::Left(Err(error)) => Err(ClientError::Transport(error)),
                Either::Right(()) => return Err(deadline(ex, attempts, last_error.or(first_refusal))),
            };
            let error = match result {
                Ok(token) => {
                    if auth_index != start {
                        ex.lock().auth_start = auth_index;
                        tracing::info!(target: "oauth_client", endpoint = %ex.host, auth = ?auth.method(),
                            "client authentication method learned");
                    }
                    tracing::debug!(target: "oauth_client", endpoint = %ex.host, lifetime = ?token.lifetime(), "token received");
                    return Ok(token);
                }
                Err(error) => error,
            };
            let in_pass = first_refusal.is_some();
            if replay_safe && refuses_client(&error, in_pass) && tried.len() + 1 < ex.auths.len() {
                tried.push(auth.method());
                tracing::info!(target: "oauth_client", endpoint = %ex.host, auth = ?auth.method(),
                    "client authentication refused; trying the next method");
                first_refusal.get_or_insert(error);
                auth_index = (auth_index + 1) % ex.auths.len();
                continue;
            }
            if refuses_client(&error, in_pass) {
                if let Some(first) = first_refusal.take() {
                    tried.push(auth.method());
                    return Err(with_tried(first, tried));
                }
            }
            // Trying another auth method is not a retry: only retries count against the budget.
            if error.is_retryable() && retries + 1 < ex.policy.max_attempts() {
                retries += 1;
                if let Some(delay) = ex.policy.delay(retries, &error, runtime.wall_clock()) {
                    if runtime.now() + delay < deadline_at {
                        tracing::warn!(target: "oauth_client", endpoint = %ex.host, error = %error, delay = ?delay,
                            "token request failed; retrying");
                        runtime.sleep(delay).await;
                        last_error = Some(error);
                        continue;
                    }
                }
            }
            return Err(error);
        }
    }
}

/// The answer of [`TokenSource::token`] and its siblings: ready at once when the cached token
/// is fresh (the usual case), else the boxed slow path (fetch, wait, refresh).
#[must_use = "a future does nothing unless awaited"]
pub struct TokenFuture<'a, T> {
    state: FutureState<'a, T>,
}

enum FutureState<'a, T> {
    Ready(Option<Result<T, ClientError>>),
    Waiting(std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ClientError>> + Send + 'a>>),
}

impl<'a, T> TokenFuture<'a, T> {
    #[inline]
    fn ready(value: Result<T, ClientError>) -> Self {
        Self { state: FutureState::Ready(Some(value)) }
    }

    fn waiting(
        future: std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ClientError>> + Send + 'a>>,
    ) -> Self {
        Self { state: FutureState::Waiting(future) }
    }
}

// The value is only ever moved out, never pinned in place, and the slow path is boxed: moving
// the future is fine whatever `T` is.
impl<T> Unpin for TokenFuture<'_, T> {}

impl<T> std::future::Future for TokenFuture<'_, T> {
    type Output = Result<T, ClientError>;

    #[inline]
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        match &mut self.get_mut().state {
            FutureState::Ready(value) => {
                std::task::Poll::Ready(value.take().unwrap_or_else(|| {
                    Err(ClientError::Deadline { deadline: Duration::ZERO, attempts: 0, last: None })
                }))
            }
            FutureState::Waiting(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T> fmt::Debug for TokenFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            FutureState::Ready(_) => "ready",
            FutureState::Waiting(_) => "waiting",
        };
        f.debug_struct("TokenFuture").field("state", &state).finish()
    }
}

enum Next {
    Serve(Arc<Cached>, Option<Fetch>),
    Fetch(Fetch),
    /// Wait for the fetch with this id (listening since before the lock was released).
    Wait(Option<u64>, event_listener::EventListener),
}

fn deadline(ex: &Exchange, attempts: u32, last: Option<ClientError>) -> ClientError {
    ClientError::Deadline { deadline: ex.policy.deadline(), attempts, last: last.map(Box::new) }
}

fn with_tried(error: ClientError, tried: Vec<oauth_core::AuthMethod>) -> ClientError {
    match error {
        ClientError::Token { error, .. } => ClientError::Token { error, tried_auth: tried },
        other => other,
    }
}

/// Whether the server refused the client's authentication: `invalid_client`, or a bare
/// 400/401/403 with nothing in the body. Inside a fallback pass (the first method was refused),
/// a 400 `invalid_request` counts too: servers answer it to credentials they cannot decode
/// (oidc-provider to raw Basic with `%` in the secret), which is this method being refused.
fn refuses_client(error: &ClientError, in_pass: bool) -> bool {
    let Some(TokenError::Server(server)) = error.token_error() else { return false };
    if in_pass && server.status.as_u16() == 400 && server.code == Some(ErrorCode::InvalidRequest) {
        return true;
    }
    server.code == Some(ErrorCode::InvalidClient)
        || (server.code.is_none()
            && server.source == ErrorSource::StatusOnly
            && server.body.total_len() == 0
            && matches!(server.status.as_u16(), 400 | 401 | 403))
}

impl Exchange {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent state (every update is one
        // assignment), so a poisoned lock is used as is.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The published entry for `token`, or a new one published now with its staleness timer
    /// armed. Tokens reach the lifecycle only through `FetchGuard::complete`, which checked
    /// their header, so building one cannot fail; if it ever did, the entry carries an empty
    /// header rather than a panic.
    fn cached_for(&self, token: &Token, refresh_at: Option<Instant>, runtime: &Arc<dyn Runtime>) -> Arc<Cached> {
        let published = self.cache.read().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(cached) = published {
            if cached.token.access_token().same_as(token.access_token()) && cached.refresh_at == refresh_at {
                return cached;
            }
        }
        let header = bearer_header(token.access_token()).unwrap_or_else(|_| HeaderValue::from_static(""));
        let now = runtime.now();
        // Without a refresh time (no expiry) the flag marks expiry, if any; else it never rises.
        let stale_at = refresh_at.or_else(|| token.expires_at());
        let stale = AtomicBool::new(stale_at.is_some_and(|at| now >= at));
        let cached = Arc::new(Cached { token: token.clone(), header, refresh_at, stale });
        if let Some(at) = stale_at.filter(|at| now < *at) {
            // The flag rises when the timer fires — or when the runtime drops the timer unfired,
            // so a runtime that loses background work makes the fresh path check the clock
            // rather than serve the token forever.
            let raise = RaiseOnDrop(Arc::downgrade(&cached));
            let timer = runtime.sleep(at - now);
            runtime.spawn(Box::pin(async move {
                timer.await;
                drop(raise);
            }));
        }
        self.publish(Some(cached.clone()));
        cached
    }

    fn publish(&self, cached: Option<Arc<Cached>>) {
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = cached;
    }
}

/// Raises a cached token's `stale` flag when dropped.
struct RaiseOnDrop(std::sync::Weak<Cached>);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        if let Some(cached) = self.0.upgrade() {
            cached.stale.store(true, Ordering::Release);
        }
    }
}

/// A fetch being performed. Dropped without `complete` (its caller was cancelled, or the
/// runtime dropped the refresh task), it hands the fetch back and wakes the waiters, so one of
/// them fetches instead.
struct FetchGuard {
    source: TokenSource,
    fetch: Option<Fetch>,
}

impl FetchGuard {
    fn grant(&self) -> FetchGrant {
        self.fetch.as_ref().map_or(FetchGrant::Primary, |f| f.grant().clone())
    }

    fn exchange(source: &TokenSource) -> &Exchange {
        match &source.inner.mode {
            Mode::Exchange(ex) => ex,
            // Invariant: guards are made only by exchange-mode sources.
            Mode::Static(_) => unreachable!("a static source never fetches"),
        }
    }

    /// Records the result and wakes the waiters. With `will_retry`, a refused refresh token is
    /// not reported to waiters (the caller fetches again with the primary grant).
    fn complete(
        mut self,
        result: Result<Token, ClientError>,
        will_retry: bool,
    ) -> (Completion, Result<Arc<Cached>, ClientError>) {
        let source = self.source.clone();
        let ex = Self::exchange(&source);
        let Some(fetch) = self.fetch.take() else {
            // Invariant: a guard is completed once, and holds its fetch until then.
            return (Completion::Failed, Err(deadline(ex, 0, None)));
        };
        let id = fetch.id();
        // A token no header can carry is refused here, so the lifecycle only ever holds usable ones.
        let result = result.and_then(|token| match bearer_header(token.access_token()) {
            Ok(_) => Ok(token),
            Err(misuse) => Err(ClientError::from(TokenError::from(misuse))),
        });
        let mut state = ex.lock();
        let outcome = match result {
            Ok(token) => {
                let completion = state.lifecycle.complete(fetch, Ok(token));
                state.failure = None;
                let refresh_at = state.lifecycle.refresh_at();
                // The lifecycle's copy carries a kept refresh token; publish that one.
                match state.lifecycle.token() {
                    Some(stored) => (completion, Ok(ex.cached_for(stored, refresh_at, &source.inner.runtime))),
                    None => (completion, Err(deadline(ex, 0, None))),
                }
            }
            Err(error) => {
                let refused = error.token_error().is_some_and(oauth_core::is_refusal);
                let completion = state.lifecycle.fail(fetch, refused);
                if !(completion == Completion::RefreshRejected && will_retry) {
                    state.failure = Some((id, error.clone()));
                }
                (completion, Err(error))
            }
        };
        ex.fetching.store(state.lifecycle.is_fetching(), Ordering::Release);
        drop(state);
        ex.changed.notify(usize::MAX);
        outcome
    }
}

impl Drop for FetchGuard {
    fn drop(&mut self) {
        if let Some(fetch) = self.fetch.take() {
            let ex = Self::exchange(&self.source);
            let mut state = ex.lock();
            state.lifecycle.abandon(fetch);
            ex.fetching.store(state.lifecycle.is_fetching(), Ordering::Release);
            drop(state);
            tracing::debug!(target: "oauth_client", endpoint = %ex.host, "fetch cancelled; handed back");
            ex.changed.notify(usize::MAX);
        }
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
