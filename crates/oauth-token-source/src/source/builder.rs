//! `Builder`: a token source's settings, and the source they make.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use event_listener::Event;
use oauth_core::{
    Access, AccessToken, AuthFallback, AuthMethod, MisuseError, RetryPolicy, Token, TokenError, TokenLifecycle,
};

use super::shared::Shared;
use super::{Cached, Exchange, Inner, Mode, RefreshErrorHook, State, TokenSource};
use crate::{ClientError, Runtime, StoreKey, StoreOptions, TokenStore, Transport};

/// Configures a [`TokenSource`].
///
/// # Examples
/// ```
/// # use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError, TokenSource, RetryPolicy};
/// # use std::time::{Duration, Instant};
/// # struct Canned;
/// # #[async_trait::async_trait]
/// # impl Transport for Canned {
/// #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
/// #         unreachable!("nothing is fetched here")
/// #     }
/// # }
/// # struct Clock;
/// # impl Runtime for Clock {
/// #     fn now(&self) -> Instant { Instant::now() }
/// #     fn sleep(&self, _: Duration) -> BoxFuture<()> { Box::pin(std::future::pending()) }
/// #     fn spawn(&self, _: BoxFuture<()>) {}
/// # }
/// let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "id", "secret")?;
/// let source = TokenSource::builder(profile, Canned, Clock)
///     .refresh_skew(Duration::from_secs(30))
///     .retry(RetryPolicy::default().with_max_attempts(5))
///     .on_refresh_error(|error| eprintln!("refresh failed: {error}"))
///     .build()?;
/// assert!(!source.is_static());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "call `build` to get the token source"]
pub struct Builder {
    access: Access,
    transport: Arc<dyn Transport>,
    runtime: Arc<dyn Runtime>,
    skew: Duration,
    fetch_timeout: Option<Duration>,
    policy: RetryPolicy,
    on_refresh_error: Option<RefreshErrorHook>,
    seed: Option<Token>,
    start_auth: Option<AuthMethod>,
    refresh_only: bool,
    store: Option<(Box<dyn TokenStore>, StoreOptions)>,
}

impl Builder {
    pub(super) fn new(access: Access, transport: Arc<dyn Transport>, runtime: Arc<dyn Runtime>) -> Self {
        Self {
            access,
            transport,
            runtime,
            skew: oauth_core::DEFAULT_REFRESH_SKEW,
            fetch_timeout: None,
            policy: RetryPolicy::default(),
            on_refresh_error: None,
            seed: None,
            start_auth: None,
            refresh_only: false,
            store: None,
        }
    }

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

    /// Starts with a token obtained earlier — from a cache between runs, a store shared with
    /// other processes, a code exchange — served while fresh and refreshed by the same rules as
    /// one the source fetched (with its refresh token, if it has one). An expired seed is
    /// fetched over at the first call. Ignored for an API key.
    pub fn seed(mut self, token: Token) -> Self {
        self.seed = Some(token);
        self
    }

    /// Refreshes the [`seed`](Self::seed) — a user's token from a code or device exchange —
    /// and never sends the configuration's own grant: when the refresh token is refused, or
    /// there is none, calls get [`ClientError::AuthorizationRequired`] (the user must sign in
    /// again) instead of a token obtained some other way. Single flight, refresh ahead and
    /// refresh-token rotation work as for any source.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn f(profile: oauth_providers::Profile, token: oauth_core::Token,
    /// #     transport: impl oauth_token_source::Transport, runtime: impl oauth_token_source::Runtime)
    /// #     -> Result<(), oauth_token_source::ClientError> {
    /// use oauth_token_source::{ClientError, TokenSource};
    /// let source = TokenSource::builder(profile, transport, runtime).seed(token).refresh_only().build()?;
    /// match source.token().await {
    ///     Ok(token) => { /* call the API */ }
    ///     Err(ClientError::AuthorizationRequired { .. }) => { /* send the user to sign in again */ }
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn refresh_only(mut self) -> Self {
        self.refresh_only = true;
        self
    }

    /// Starts client authentication with `method` — one a previous process learned (see
    /// [`TokenSource::auth_method`]) — when it is among the configured method and its
    /// fallbacks; otherwise ignored.
    pub fn start_with_auth(mut self, method: AuthMethod) -> Self {
        self.start_auth = Some(method);
        self
    }

    /// Shares tokens with every other process using the same `store` and credentials: one
    /// fetch per token lifetime for the whole fleet instead of one per process. The store is
    /// consulted only when this source would fetch or refresh, never on the fresh path; when it
    /// fails or stalls, the source fetches on its own (see [`TokenStore`]). Ignored for an API key.
    pub fn store(self, store: impl TokenStore) -> Self {
        self.store_with(store, StoreOptions::default())
    }

    /// As [`store`](Self::store), with options: the lease, the time limit of each store
    /// operation, and how long an outage is stepped around before the store is tried again.
    pub fn store_with(mut self, store: impl TokenStore, options: StoreOptions) -> Self {
        self.store = Some((Box::new(store), options));
        self
    }

    /// Makes the token source. A fallback client-authentication method the credentials cannot
    /// use (raw Basic with a `:` in the client id) is skipped, not an error.
    ///
    /// # Errors
    /// [`ClientError::Token`] with a misuse error for an API key, or a seed's access token, no
    /// header can carry.
    pub fn build(self) -> Result<TokenSource, ClientError> {
        let mode = match self.access {
            Access::ApiKey(key) => Mode::Static(Arc::new(Cached::new(Token::bearer(AccessToken::from(key)))?)),
            Access::Token(config) => {
                let timeout = self
                    .fetch_timeout
                    .unwrap_or_else(|| self.policy.deadline().saturating_add(Duration::from_secs(30)));
                let host = config.endpoint().uri().host().unwrap_or_default().into();
                let fallback = AuthFallback::new(&config);
                let auth_start = self
                    .start_auth
                    .and_then(|wanted| fallback.methods().iter().position(|auth| auth.method() == wanted))
                    .unwrap_or(0);
                let shared = self.store.map(|(store, options)| {
                    Shared::new(store, StoreKey::new(config.identity(), config.binding()), options)
                });
                let mut lifecycle = TokenLifecycle::new(self.skew).with_fetch_timeout(timeout);
                if let Some(token) = self.seed {
                    oauth_core::bearer_header(token.access_token()).map_err(TokenError::from)?;
                    lifecycle.seed(token);
                }
                Mode::Exchange(Box::new(Exchange {
                    transport: self.transport,
                    fallback,
                    config: *config,
                    policy: self.policy,
                    cache: RwLock::new(None),
                    fetching: std::sync::atomic::AtomicBool::new(false),
                    state: Mutex::new(State { lifecycle, auth_start, failure: None, fetched: None }),
                    changed: Event::new(),
                    on_refresh_error: self.on_refresh_error,
                    shared,
                    refresh_only: self.refresh_only,
                    host,
                }))
            }
            _ => return Err(TokenError::from(MisuseError::InvalidBearerCredential).into()),
        };
        if let Mode::Exchange(ex) = &mode {
            // A seed is published at once, so the fresh path serves it from the first call.
            let state = ex.lock();
            if let Some(token) = state.lifecycle.token() {
                ex.entry_for(token, state.lifecycle.refresh_at());
            }
        }
        Ok(TokenSource { inner: Arc::new(Inner { runtime: self.runtime, mode }) })
    }
}
