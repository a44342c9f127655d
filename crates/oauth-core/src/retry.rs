//! When to send a token request again, and how long to wait first: bounded attempts,
//! equal-jitter backoff, `Retry-After`, a deadline per call. Entropy and time come in as
//! arguments.

use std::time::{Duration, Instant, SystemTime};

use crate::RetryAfter;

/// Bounded retries with exponential backoff and jitter, honouring `Retry-After`, within an
/// overall deadline per call.
///
/// Only failures that say retrying can help are retried (408, 429, 5xx,
/// `temporarily_unavailable`, `server_error`, a lost connection, a timeout) — never
/// `invalid_client` or `invalid_grant`. The policy is the rule; [`Attempts`](crate::Attempts)
/// applies it to one call.
///
/// # Examples
/// ```
/// use std::time::{Duration, SystemTime};
/// use oauth_core::{RetryAfter, RetryPolicy};
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_deadline(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
///
/// // The first retry waits between 100 and 200 ms; `entropy` picks where.
/// let wait = policy.delay(1, None, SystemTime::UNIX_EPOCH, 1 << 63).unwrap();
/// assert!(wait >= Duration::from_millis(100) && wait < Duration::from_millis(200));
/// // A server's `Retry-After` replaces the backoff, up to the policy's limit.
/// let asked = RetryAfter::Delay(Duration::from_secs(3));
/// assert_eq!(policy.delay(1, Some(&asked), SystemTime::UNIX_EPOCH, 0), Some(Duration::from_secs(3)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    deadline: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, backoff from 200 ms doubling to at most 5 s (half of it random), a
    /// server's `Retry-After` honoured up to 30 s, and 30 s for the whole call.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retry (the deadline still applies).
    #[must_use]
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Sets how many requests one call may send (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff and its cap; each retry doubles it.
    #[must_use]
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the longest `Retry-After` honoured; a server asking for more gets its error returned.
    #[must_use]
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Sets the deadline for one call, retries and waiting included. A deadline too far away
    /// for the clock to represent means "no deadline".
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How many requests one call may send.
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The deadline for one call.
    #[must_use]
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// How long to wait before retry number `retry` (1 for the first retry), or `None` when
    /// the server asked for a longer wait than this policy honours.
    ///
    /// With a `retry_after` from the server, that is the wait (an HTTP-date is read against
    /// `wall_now`; a date in the past or unreadable means "now"). Otherwise it is "equal
    /// jitter": half the exponential backoff fixed, half chosen by `entropy` (any random
    /// `u64`), so retries from many clients spread out but never come back at once.
    #[must_use]
    pub fn delay(
        &self,
        retry: u32,
        retry_after: Option<&RetryAfter>,
        wall_now: SystemTime,
        entropy: u64,
    ) -> Option<Duration> {
        if let Some(after) = retry_after {
            let wait = match after {
                RetryAfter::Delay(delay) => *delay,
                RetryAfter::Date(date) => date
                    .to_str()
                    .ok()
                    .and_then(|d| httpdate::parse_http_date(d).ok())
                    .map_or(Duration::ZERO, |at| at.duration_since(wall_now).unwrap_or(Duration::ZERO)),
            };
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let doublings = retry.saturating_sub(1).min(31);
        let ceiling = self.initial_backoff.saturating_mul(1 << doublings).min(self.max_backoff);
        Some(ceiling / 2 + jitter(ceiling / 2, entropy))
    }
}

/// A duration in `[0, span)` picked by `entropy`, exactly: `span × entropy / 2⁶⁴` in
/// nanoseconds, computed in 128 bits so no span overflows.
fn jitter(span: Duration, entropy: u64) -> Duration {
    let nanos = span.as_nanos().saturating_mul(u128::from(entropy)) >> 64;
    // `nanos` < span's nanoseconds, which fit a Duration; the fallback is unreachable.
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    // Invariant: a remainder of a division by 10⁹ fits in u32.
    let sub = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    Duration::new(secs, sub)
}

/// The moment `deadline` after `now`, or `None` when the clock cannot represent it (so
/// `Duration::MAX` means "no deadline" rather than an overflow).
pub(crate) fn deadline_from(now: Instant, deadline: Duration) -> Option<Instant> {
    now.checked_add(deadline)
}
