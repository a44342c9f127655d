//! The token lifecycle: when to use the cached token, refresh ahead, or fetch — given `now`.
//!
//! This is the state a token source keeps between calls, as a plain value with no clock and no
//! lock: the driver (oauth-token-source, or your own loop) asks [`TokenLifecycle::poll`] what to do at
//! `now`, performs any fetch it is handed, and reports back with [`TokenLifecycle::complete`].
//! A fetch is a [`Fetch`] ticket that should be handed back (completed or abandoned), so at most
//! one fetch is in flight. A ticket that is never handed back (its task was killed) holds the
//! slot only for a lease, [`TokenLifecycle::with_fetch_timeout`]; after that `poll` hands out a
//! new one, so a lost ticket cannot wedge the state.

use std::time::{Duration, Instant};

use crate::{Grant, RefreshToken, RequestFailure, Token, TokenError};

/// Whether `error` is the server refusing the request in a way that trying again would not
/// change: a server error that is not retryable. Misuse and malformed answers are not
/// refusals.
#[must_use]
pub fn is_refusal(error: &TokenError) -> bool {
    matches!(error, TokenError::Server(_)) && !error.is_retryable()
}

/// How long before expiry a token is refreshed, by default.
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);

/// How long a fetch may stay out before its slot is reclaimed, by default.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(120);

/// The first wait after a failed refresh ahead of expiry; it doubles with each failure in a row.
pub const AHEAD_RETRY_MIN: Duration = Duration::from_secs(1);

/// The longest wait between refreshes ahead of expiry that keep failing.
pub const AHEAD_RETRY_MAX: Duration = Duration::from_secs(30);

/// Which grant a fetch should use.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FetchGrant {
    /// The profile's own grant (client_credentials, password, …).
    Primary,
    /// The refresh-token grant, with the refresh token held.
    Refresh(RefreshToken),
}

impl FetchGrant {
    /// The grant to send: the refresh grant, or `primary`.
    #[must_use]
    pub fn to_grant(&self, primary: &Grant) -> Grant {
        match self {
            Self::Primary => primary.clone(),
            Self::Refresh(token) => Grant::RefreshToken { refresh_token: token.clone() },
        }
    }
}

/// A fetch the lifecycle handed out. Give it back to [`TokenLifecycle::complete`] or
/// [`TokenLifecycle::abandon`]; until then no other fetch is handed out.
#[derive(Debug)]
#[must_use = "a fetch must be completed or abandoned, or no other fetch is handed out"]
pub struct Fetch {
    id: u64,
    grant: FetchGrant,
    ahead: bool,
    started: Instant,
}

impl Fetch {
    /// Which grant to use.
    #[must_use]
    pub fn grant(&self) -> &FetchGrant {
        &self.grant
    }

    /// Whether this is a refresh ahead of expiry (a valid token is still being served).
    #[must_use]
    pub fn is_ahead(&self) -> bool {
        self.ahead
    }

    /// The ticket's number, for logs.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }
}

/// What to do at `now`: the lifecycle's answer to [`TokenLifecycle::poll`].
#[derive(Debug)]
#[must_use]
pub enum Decision<'a> {
    /// The cached token is good: use it.
    Ready(&'a Token),
    /// The cached token is good but close to expiry: use it, and perform `fetch` (if `Some`;
    /// `None` means a refresh is already in flight).
    RefreshAhead(&'a Token, Option<Fetch>),
    /// No usable token: perform this fetch and wait for it.
    Fetch(Fetch),
    /// No usable token and a fetch is already in flight: wait for it.
    Wait,
}

/// What a completed fetch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Completion {
    /// A new token is stored.
    Stored,
    /// The fetch failed; a still-valid token (if any) keeps serving. After a failed refresh
    /// ahead of expiry the next one waits (1 s, doubling to 30 s) so a failing server is not
    /// asked again on every poll.
    Failed,
    /// The refresh token was refused (`invalid_grant`, or any refusal that retrying would not
    /// change) and dropped: fetch again, and the next fetch uses the primary grant.
    RefreshRejected,
}

/// The cached token and what is under way, as one value.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
/// use oauth_core::{AccessToken, Completion, Decision, Token, TokenError, TokenLifecycle};
/// let mut life = TokenLifecycle::new(Duration::from_secs(60));
/// let t0 = Instant::now();
/// let Decision::Fetch(fetch) = life.poll(t0) else { unreachable!() };
/// assert!(matches!(life.poll(t0), Decision::Wait)); // single flight
/// let token = Token::bearer(AccessToken::new("a")).with_lifetime(t0, Duration::from_secs(299));
/// let (completion, error) = life.complete::<TokenError>(fetch, Ok(token));
/// assert_eq!((completion, error.is_none()), (Completion::Stored, true));
/// assert!(matches!(life.poll(t0 + Duration::from_secs(200)), Decision::Ready(_)));
/// assert!(matches!(life.poll(t0 + Duration::from_secs(250)), Decision::RefreshAhead(_, Some(_))));
/// ```
#[derive(Debug)]
pub struct TokenLifecycle {
    token: Option<Token>,
    refresh_at: Option<Instant>,
    refresh_token: Option<RefreshToken>,
    in_flight: Option<InFlight>,
    next_id: u64,
    skew: Duration,
    fetch_timeout: Duration,
    ahead_failures: u32,
    ahead_not_before: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    id: u64,
    started: Instant,
}

impl Default for TokenLifecycle {
    fn default() -> Self {
        Self::new(DEFAULT_REFRESH_SKEW)
    }
}

impl TokenLifecycle {
    /// An empty lifecycle that refreshes `skew` before expiry (at most half the lifetime, so a
    /// short-lived token is never stale on arrival).
    #[must_use]
    pub const fn new(skew: Duration) -> Self {
        Self {
            token: None,
            refresh_at: None,
            refresh_token: None,
            in_flight: None,
            next_id: 0,
            skew,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            ahead_failures: 0,
            ahead_not_before: None,
        }
    }

    /// Sets the lease of a fetch: a ticket out longer than this (at a later `poll`'s `now`) is
    /// taken as lost and its slot handed out again. Make it longer than any fetch can take,
    /// retries included.
    #[must_use]
    pub const fn with_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// The skew actually used for a token of `lifetime`: the configured skew, capped at half
    /// the lifetime.
    #[must_use]
    pub fn effective_skew(&self, lifetime: Duration) -> Duration {
        self.skew.min(lifetime / 2)
    }

    /// Whether `token` would be served at `now` without a refresh: not expired, and not yet in
    /// its refresh window (the skew, capped at half its lifetime). The rule a token from
    /// elsewhere — a cache, a store other processes write — is held to before it is used.
    #[must_use]
    pub fn is_fresh(&self, token: &Token, now: Instant) -> bool {
        match (token.expires_at, token.lifetime) {
            (Some(at), Some(lifetime)) => {
                at.checked_sub(self.effective_skew(lifetime)).is_some_and(|refresh| now < refresh)
            }
            _ => !token.is_expired(now),
        }
    }

    /// The cached token, whatever its state.
    #[must_use]
    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// When the cached token enters its refresh window; `None` with no token or no expiry.
    #[must_use]
    pub fn refresh_at(&self) -> Option<Instant> {
        self.refresh_at
    }

    /// Whether a fetch is in flight.
    #[must_use]
    pub fn is_fetching(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The id of the fetch in flight (see [`Fetch::id`]): a waiter notes it, so that when it
    /// wakes it can tell that fetch's result from a later one's.
    #[must_use]
    pub fn in_flight_id(&self) -> Option<u64> {
        self.in_flight.map(|f| f.id)
    }

    /// The refresh token held, if any.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// What to do at `now`.
    pub fn poll(&mut self, now: Instant) -> Decision<'_> {
        if self.in_flight.is_some_and(|f| now.saturating_duration_since(f.started) >= self.fetch_timeout) {
            self.in_flight = None; // the lease ran out: that ticket is lost
        }
        let Self { token, refresh_at, refresh_token, in_flight, next_id, ahead_not_before, .. } = self;
        match token.as_ref() {
            Some(token) if !token.is_expired(now) => {
                if refresh_at.is_some_and(|at| now >= at) {
                    let may_start = in_flight.is_none() && ahead_not_before.is_none_or(|at| now >= at);
                    let fetch = may_start.then(|| hand_out(next_id, in_flight, refresh_token.as_ref(), true, now));
                    Decision::RefreshAhead(token, fetch)
                } else {
                    Decision::Ready(token)
                }
            }
            _ if in_flight.is_some() => Decision::Wait,
            _ => Decision::Fetch(hand_out(next_id, in_flight, refresh_token.as_ref(), false, now)),
        }
    }

    /// Reports a fetch's result, and gives the error back for the caller to report. A success
    /// is stored (keeping the held refresh token when the answer has none); a failure is
    /// [`fail`](Self::fail) with `refused` read from the error ([`is_refusal`]), so a refused
    /// refresh drops the refresh token.
    pub fn complete<E: RequestFailure>(&mut self, fetch: Fetch, result: Result<Token, E>) -> (Completion, Option<E>) {
        let token = match result {
            Ok(token) => token,
            Err(error) => {
                let refused = error.token_error().is_some_and(is_refusal);
                return (self.fail(fetch, refused), Some(error));
            }
        };
        (self.store(fetch, token), None)
    }

    fn store(&mut self, fetch: Fetch, token: Token) -> Completion {
        self.release(&fetch);
        self.seed(token);
        Completion::Stored
    }

    /// Holds a token obtained elsewhere — a cache, a store shared by other processes, a code
    /// exchange — as if this lifecycle had fetched it: served while fresh, refreshed ahead by
    /// the same rule, its refresh token (or the one already held, when it has none) used next.
    /// A fetch in flight is not disturbed.
    pub fn seed(&mut self, mut token: Token) {
        match token.refresh_token.clone() {
            Some(new) => self.refresh_token = Some(new),
            None => token.refresh_token.clone_from(&self.refresh_token),
        }
        self.refresh_at = match (token.expires_at, token.lifetime) {
            (Some(at), Some(lifetime)) => at.checked_sub(self.effective_skew(lifetime)),
            _ => None,
        };
        self.token = Some(token);
        self.ahead_failures = 0;
        self.ahead_not_before = None;
    }

    /// Reports a failed fetch. `refused` says the server answered with a refusal that trying
    /// again would not change (see [`is_refusal`]); `false` is for failures with no answer (a
    /// broken connection, a timeout) or answers that say "later". A refused refresh drops the
    /// refresh token, whatever the server called the refusal: `invalid_grant` is the RFC's word,
    /// but a server that already rotated the token (its answer lost on the way) may say
    /// `invalid_client` or only a vendor code, and keeping a dead refresh token would wedge the
    /// client. The primary grant then gets one try, which costs one request if the client
    /// itself was refused.
    pub fn fail(&mut self, fetch: Fetch, refused: bool) -> Completion {
        self.release(&fetch);
        if matches!(fetch.grant, FetchGrant::Refresh(_)) && refused {
            // The cached token still serves, but must not offer the refused refresh token.
            self.refresh_token = None;
            if let Some(token) = &mut self.token {
                token.refresh_token = None;
            }
            return Completion::RefreshRejected;
        }
        if fetch.ahead {
            self.ahead_failures = self.ahead_failures.saturating_add(1);
            let doublings = self.ahead_failures.saturating_sub(1).min(16);
            let wait = AHEAD_RETRY_MIN.saturating_mul(1 << doublings).min(AHEAD_RETRY_MAX);
            self.ahead_not_before = fetch.started.checked_add(wait);
        }
        Completion::Failed
    }

    /// Gives a fetch back unperformed (its caller was cancelled): the next poll hands out a new one.
    pub fn abandon(&mut self, fetch: Fetch) {
        self.release(&fetch);
    }

    fn release(&mut self, fetch: &Fetch) {
        if self.in_flight.is_some_and(|f| f.id == fetch.id) {
            self.in_flight = None;
        }
    }

    /// Drops the cached token and the refresh token (both were revoked): the next poll fetches
    /// with the primary grant.
    pub fn clear(&mut self) {
        self.invalidate();
        self.refresh_token = None;
    }

    /// Drops the cached token (a resource answered `invalid_token`); the next poll fetches.
    /// The refresh token is kept: it is still the way to a new access token.
    pub fn invalidate(&mut self) {
        self.token = None;
        self.refresh_at = None;
    }
}

fn hand_out(
    next_id: &mut u64,
    in_flight: &mut Option<InFlight>,
    refresh_token: Option<&RefreshToken>,
    ahead: bool,
    now: Instant,
) -> Fetch {
    *next_id += 1;
    *in_flight = Some(InFlight { id: *next_id, started: now });
    let grant = refresh_token.cloned().map_or(FetchGrant::Primary, FetchGrant::Refresh);
    Fetch { id: *next_id, grant, ahead, started: now }
}
