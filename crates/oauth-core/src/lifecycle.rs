//! The token lifecycle: when to use the cached token, refresh ahead, or fetch — given `now`.
//!
//! This is the state a token source keeps between calls, as a plain value with no clock and no
//! lock: the driver (oauth-client, or your own loop) asks [`TokenLifecycle::poll`] what to do at
//! `now`, performs any fetch it is handed, and reports back with [`TokenLifecycle::complete`].
//! A fetch is a [`Fetch`] ticket that must be handed back (completed or abandoned), so at most
//! one fetch is ever in flight and a lost one cannot wedge the state.

use std::time::{Duration, Instant};

use crate::{ErrorCode, Grant, RefreshToken, Token, TokenError};

/// How long before expiry a token is refreshed, by default.
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);

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

/// What to do at `now`.
#[derive(Debug)]
#[must_use]
pub enum Poll<'a> {
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
    /// The fetch failed; a still-valid token (if any) keeps serving.
    Failed,
    /// The refresh token was refused (`invalid_grant`) and dropped: fetch again, and the next
    /// fetch uses the primary grant.
    RefreshRejected,
}

/// The cached token and what is under way, as one value.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
/// use oauth_core::{AccessToken, Completion, Poll, Token, TokenLifecycle};
/// let mut life = TokenLifecycle::new(Duration::from_secs(60));
/// let t0 = Instant::now();
/// let Poll::Fetch(fetch) = life.poll(t0) else { unreachable!() };
/// assert!(matches!(life.poll(t0), Poll::Wait)); // single flight
/// let token = Token::bearer(AccessToken::new("a")).with_lifetime(t0, Duration::from_secs(299));
/// assert_eq!(life.complete(fetch, Ok(token)), Completion::Stored);
/// assert!(matches!(life.poll(t0 + Duration::from_secs(200)), Poll::Ready(_)));
/// assert!(matches!(life.poll(t0 + Duration::from_secs(250)), Poll::RefreshAhead(_, Some(_))));
/// ```
#[derive(Debug)]
pub struct TokenLifecycle {
    token: Option<Token>,
    refresh_at: Option<Instant>,
    refresh_token: Option<RefreshToken>,
    in_flight: Option<u64>,
    next_id: u64,
    skew: Duration,
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
        Self { token: None, refresh_at: None, refresh_token: None, in_flight: None, next_id: 0, skew }
    }

    /// The skew actually used for a token of `lifetime`: the configured skew, capped at half
    /// the lifetime.
    #[must_use]
    pub fn effective_skew(&self, lifetime: Duration) -> Duration {
        self.skew.min(lifetime / 2)
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

    /// The refresh token held, if any.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// What to do at `now`.
    pub fn poll(&mut self, now: Instant) -> Poll<'_> {
        let Self { token, refresh_at, refresh_token, in_flight, next_id, .. } = self;
        match token.as_ref() {
            Some(token) if !token.is_expired(now) => {
                if refresh_at.is_some_and(|at| now >= at) {
                    let fetch = in_flight.is_none().then(|| hand_out(next_id, in_flight, refresh_token.as_ref(), true));
                    Poll::RefreshAhead(token, fetch)
                } else {
                    Poll::Ready(token)
                }
            }
            _ if in_flight.is_some() => Poll::Wait,
            _ => Poll::Fetch(hand_out(next_id, in_flight, refresh_token.as_ref(), false)),
        }
    }

    /// Reports a fetch's result. A success is stored (keeping the held refresh token when the
    /// answer has none); an `invalid_grant` on a refresh drops the refresh token.
    pub fn complete(&mut self, fetch: Fetch, result: Result<Token, TokenError>) -> Completion {
        if self.in_flight == Some(fetch.id) {
            self.in_flight = None;
        }
        match result {
            Ok(mut token) => {
                match token.refresh_token.clone() {
                    Some(new) => self.refresh_token = Some(new),
                    None => token.refresh_token.clone_from(&self.refresh_token),
                }
                self.refresh_at = match (token.expires_at, token.lifetime) {
                    (Some(at), Some(lifetime)) => at.checked_sub(self.effective_skew(lifetime)),
                    _ => None,
                };
                self.token = Some(token);
                Completion::Stored
            }
            Err(error) => {
                let refused =
                    matches!(fetch.grant, FetchGrant::Refresh(_)) && error.code() == Some(&ErrorCode::InvalidGrant);
                if refused {
                    self.refresh_token = None;
                    Completion::RefreshRejected
                } else {
                    Completion::Failed
                }
            }
        }
    }

    /// Gives a fetch back unperformed (its caller was cancelled): the next poll hands out a new one.
    pub fn abandon(&mut self, fetch: Fetch) {
        if self.in_flight == Some(fetch.id) {
            self.in_flight = None;
        }
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
    in_flight: &mut Option<u64>,
    refresh_token: Option<&RefreshToken>,
    ahead: bool,
) -> Fetch {
    *next_id += 1;
    *in_flight = Some(*next_id);
    let grant = refresh_token.cloned().map_or(FetchGrant::Primary, FetchGrant::Refresh);
    Fetch { id: *next_id, grant, ahead }
}
