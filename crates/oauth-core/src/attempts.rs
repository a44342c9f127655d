//! One fetch's attempts: which client authentication to present, and after a failure whether to
//! try the next method, wait and retry, or stop — the rules every driver executes.

use std::time::{Duration, Instant, SystemTime};

use crate::fallback::refuses_client;
use crate::retry::deadline_from;
use crate::{AuthFallback, AuthMethod, ClientAuth, Grant, RetryPolicy, TokenError};

/// What the attempt rules need to know of a failed request: the token endpoint's answer, if
/// there was one, and whether trying again later can help. Implemented for [`TokenError`]; a
/// driver implements it for its own error type, which also carries transport failures.
pub trait RequestFailure {
    /// The token endpoint's error, when it answered.
    fn token_error(&self) -> Option<&TokenError>;
    /// Whether trying again later can help (a lost connection, a timeout, a 5xx…).
    fn is_retryable(&self) -> bool;
}

impl RequestFailure for TokenError {
    fn token_error(&self) -> Option<&TokenError> {
        Some(self)
    }

    fn is_retryable(&self) -> bool {
        Self::is_retryable(self)
    }
}

/// What to do after a failed attempt.
#[derive(Debug)]
#[must_use]
pub enum AttemptStep<E> {
    /// The server refused this client authentication: send again at once with
    /// [`Attempts::next_auth`], which now presents the next method. Not a retry: it does not
    /// count against the policy's attempts.
    NextAuth,
    /// Send again after this wait (a retryable failure; the wait honours `Retry-After` and
    /// ends before the deadline).
    RetryAfter(Duration),
    /// Stop and report `error`. After a fallback pass in which every method was refused, that
    /// is the *first* method's refusal (the configured method's answer is the one to show) —
    /// unless the last answer refuses the client only because of the pass (a 400
    /// `invalid_request`), which is then the more specific diagnosis — and
    /// `tried` lists the methods in the order they were presented; otherwise `tried` is empty.
    GiveUp {
        /// The error to report.
        error: E,
        /// The client-authentication methods tried, when more than one was.
        tried: Vec<AuthMethod>,
    },
}

/// The attempts of one fetch, as a value the driver holds: [`next_auth`](Self::next_auth)
/// before each request, [`failed`](Self::failed) after each failure, [`succeeded`](Self::succeeded)
/// after a token.
///
/// - **Client-authentication fallback.** For a grant that is safe to replay (client
///   credentials, password — never a single-use code), a refusal of the client
///   ([`refuses_client`]) moves to the next method of the [`AuthFallback`], one pass at most;
///   the method that worked is the one to start with next time.
/// - **Retries.** A retryable failure is retried per the [`RetryPolicy`] — attempts, backoff
///   with the caller's entropy, `Retry-After` — as long as the wait ends before the deadline.
///
/// # Examples
/// A blocking driver is one loop:
/// ```
/// use std::time::{Instant, SystemTime};
/// use oauth_core::{AttemptStep, Attempts, AuthFallback, ClientAuth, ClientId, ClientSecret, Grant,
///     RetryPolicy, TokenEndpoint, TokenError, TokenRequest};
/// # fn send(_: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
/// #     http::Response::builder().header("content-type", "application/json")
/// #         .body(br#"{"access_token":"t","token_type":"bearer"}"#.to_vec()).unwrap()
/// # }
/// let endpoint = TokenEndpoint::new("https://as.example/token")?;
/// let request = TokenRequest::new(Grant::ClientCredentials);
/// let fallback = AuthFallback::fixed(ClientAuth::basic(ClientId::new("app")?, ClientSecret::new("s")));
/// let mut attempts = Attempts::new(&fallback, 0, request.grant(), RetryPolicy::default(), Instant::now());
/// let token = loop {
///     let (http_request, pending) = endpoint.build_request(attempts.next_auth(), &request)?;
///     let error: TokenError = match pending.finish(&send(&http_request), Instant::now()) {
///         Ok(token) => break token,
///         Err(error) => error,
///     };
///     match attempts.failed(error, Instant::now(), SystemTime::now(), 0x9e37_79b9_7f4a_7c15) {
///         AttemptStep::NextAuth => {}
///         AttemptStep::RetryAfter(wait) => std::thread::sleep(wait),
///         AttemptStep::GiveUp { error, .. } => return Err(error.into()),
///     }
/// };
/// assert_eq!(token.access_token().secret(), "t");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Attempts<'a, E> {
    fallback: &'a AuthFallback,
    policy: RetryPolicy,
    replay_safe: bool,
    start: usize,
    current: usize,
    tried: Vec<AuthMethod>,
    first_refusal: Option<E>,
    last_retried: Option<E>,
    sent: u32,
    retries: u32,
    deadline_at: Option<Instant>,
}

impl<'a, E: RequestFailure> Attempts<'a, E> {
    /// The attempts of a fetch with `grant`, starting at `now` with the method at index `start`
    /// of `fallback` (the one that last worked; 0 at first, and any index out of range is 0).
    #[must_use]
    pub fn new(fallback: &'a AuthFallback, start: usize, grant: &Grant, policy: RetryPolicy, now: Instant) -> Self {
        let start = if start < fallback.methods().len() { start } else { 0 };
        Self {
            fallback,
            policy,
            replay_safe: grant.is_replay_safe(),
            start,
            current: start,
            tried: Vec::new(),
            first_refusal: None,
            last_retried: None,
            sent: 0,
            retries: 0,
            deadline_at: deadline_from(now, policy.deadline()),
        }
    }

    /// Sets the deadline to `at` instead of the policy's deadline from the `now` given to
    /// [`new`](Self::new): for a call that waited before it fetched, whose deadline started
    /// earlier. `None` means no deadline.
    #[must_use]
    pub fn with_deadline_at(mut self, at: Option<Instant>) -> Self {
        self.deadline_at = at;
        self
    }

    /// The client authentication for the request about to be sent (counted as sent).
    pub fn next_auth(&mut self) -> &'a ClientAuth {
        self.sent = self.sent.saturating_add(1);
        self.auth()
    }

    /// The client authentication of the current attempt.
    #[must_use]
    pub fn auth(&self) -> &'a ClientAuth {
        let methods = self.fallback.methods();
        // `current` is always an index into `methods`, which is never empty.
        &methods[self.current % methods.len()]
    }

    /// How many requests were sent.
    #[must_use]
    pub fn sent(&self) -> u32 {
        self.sent
    }

    /// The time left before the deadline at `now`, or `None` when it has passed. With no
    /// representable deadline, [`Duration::MAX`].
    #[must_use]
    pub fn time_left(&self, now: Instant) -> Option<Duration> {
        match self.deadline_at {
            None => Some(Duration::MAX),
            Some(at) => at.checked_duration_since(now).filter(|left| !left.is_zero()),
        }
    }

    /// Reports a failed attempt at `now` (`wall_now` reads a `Retry-After` date; `entropy`, any
    /// random `u64`, places the backoff's jitter) and says what to do next.
    pub fn failed(&mut self, error: E, now: Instant, wall_now: SystemTime, entropy: u64) -> AttemptStep<E> {
        let in_pass = self.first_refusal.is_some();
        let refused = error.token_error().is_some_and(|e| refuses_client(e, in_pass));
        let method = self.auth().method();
        if refused && self.replay_safe && self.tried.len() + 1 < self.fallback.methods().len() {
            self.tried.push(method);
            if self.first_refusal.is_none() {
                self.first_refusal = Some(error);
            }
            self.current = (self.current + 1) % self.fallback.methods().len();
            return AttemptStep::NextAuth;
        }
        if refused {
            if let Some(first) = self.first_refusal.take() {
                self.tried.push(method);
                // An answer that counts as a refusal only within the pass (a 400 `invalid_request`)
                // may be the server's verdict on the grant, reached once this method got the
                // client past authentication (Authlib: "Invalid 'username' or 'password'"): the
                // more specific diagnosis, so it is the one reported.
                let past_authentication = !error.token_error().is_some_and(|e| refuses_client(e, false));
                let error = if past_authentication { error } else { first };
                return AttemptStep::GiveUp { error, tried: std::mem::take(&mut self.tried) };
            }
        }
        if error.is_retryable() && self.retries.saturating_add(1) < self.policy.max_attempts() {
            let retry = self.retries + 1;
            let retry_after = error.token_error().and_then(TokenError::retry_after);
            if let Some(wait) = self.policy.delay(retry, retry_after, wall_now, entropy) {
                let before_deadline = match self.deadline_at {
                    None => true,
                    Some(at) => now.checked_add(wait).is_some_and(|then| then < at),
                };
                if before_deadline {
                    self.retries = retry;
                    self.last_retried = Some(error);
                    return AttemptStep::RetryAfter(wait);
                }
            }
        }
        AttemptStep::GiveUp { error, tried: Vec::new() }
    }

    /// After a token: the index of the method to start with next time, when it is not the one
    /// this fetch started with (the fallback learned a method).
    #[must_use]
    pub fn succeeded(&self) -> Option<usize> {
        (self.current != self.start).then_some(self.current)
    }

    /// The error the last [`AttemptStep::RetryAfter`] was for, to log with the wait.
    #[must_use]
    pub fn last_retried(&self) -> Option<&E> {
        self.last_retried.as_ref()
    }

    /// The error to report when time runs out: the one last retried after, else the first
    /// method's refusal in an unfinished fallback pass.
    #[must_use]
    pub fn into_last_error(self) -> Option<E> {
        self.last_retried.or(self.first_refusal)
    }
}
