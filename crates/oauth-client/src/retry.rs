//! When to try a token request again, and how long to wait first.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use oauth_core::RetryAfter;

use crate::ClientError;

/// Bounded retries with exponential backoff and jitter, honouring `Retry-After`, within an
/// overall deadline per `token()` call.
///
/// Only errors that say retrying can help are retried (`ClientError::is_retryable`: 408, 429,
/// 5xx, `temporarily_unavailable`, connection failures, timeouts) — never `invalid_client` or
/// `invalid_grant`.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// let policy = oauth_client::RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_deadline(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(oauth_client::RetryPolicy::none().max_attempts(), 1);
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

    /// Sets the deadline for one call, retries and waiting included.
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

    /// How long to wait before retry number `retry` (1 for the first retry) after `error`, or
    /// `None` when the server asked for a longer wait than this policy honours.
    pub(crate) fn delay(&self, retry: u32, error: &ClientError, wall_now: SystemTime) -> Option<Duration> {
        if let Some(after) = error.token_error().and_then(|e| e.retry_after()) {
            let wait = match after {
                RetryAfter::Delay(delay) => *delay,
                RetryAfter::Date(date) => date
                    .to_str()
                    .ok()
                    .and_then(|d| httpdate::parse_http_date(d).ok())
                    .map_or(Duration::ZERO, |at| at.duration_since(wall_now).unwrap_or(Duration::ZERO)),
                _ => Duration::ZERO,
            };
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let doublings = retry.saturating_sub(1).min(20);
        let ceiling = self.initial_backoff.saturating_mul(1 << doublings).min(self.max_backoff);
        // "Equal jitter": half the backoff fixed, half random, so retries from many clients
        // spread out but never come back at once.
        Some(ceiling / 2 + ceiling.mul_f64(random_fraction() / 2.0))
    }
}

/// A number in [0, 1) from std's per-process random hasher keys (no RNG dependency needed for
/// jitter).
fn random_fraction() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let bits = RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed));
    // 53 random bits make an f64 in [0, 1) exactly.
    #[allow(clippy::cast_precision_loss, reason = "53-bit value, exact in f64")]
    let fraction = (bits >> 11) as f64 / (1u64 << 53) as f64;
    fraction
}
