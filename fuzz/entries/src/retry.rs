//! The `Retry-After` target: `RetryAfter::parse`, then `RetryPolicy::delay` with arbitrary
//! numbers.

use std::time::{Duration, SystemTime};

use oauth_core::http::HeaderValue;
use oauth_core::{RetryAfter, RetryPolicy};

use crate::answer::take_line;

/// Reads `[Retry-After value]\n[numbers]`: the header value up to the first `\n`, then these
/// little-endian numbers (missing bytes read as zero): the retry number (`u32`), the entropy
/// (`u64`), the wall clock in seconds since the epoch (`u64`), the policy's first backoff, its
/// cap and its longest honoured `Retry-After` (each `u64` seconds and `u32` nanoseconds), and
/// its attempts (`u32`).
///
/// Checks: a delay is read only from digits and a date only from text ending in `GMT`; a
/// server's delay is the wait when the policy honours it and `None` when it is too long; a date
/// never gives a wait past the policy's limit; without `Retry-After` the wait is between half
/// the first backoff and the larger of the backoff cap and the first backoff; a policy sends at
/// least one request.
pub fn retry_after(data: &[u8]) {
    let mut rest = data;
    let line = take_line(&mut rest);
    let mut numbers = Numbers(rest);
    let retry = numbers.u32();
    let entropy = numbers.u64();
    let wall_now =
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(numbers.u64())).unwrap_or(SystemTime::UNIX_EPOCH);
    let (initial, max, max_retry_after) = (numbers.duration(), numbers.duration(), numbers.duration());
    let attempts = numbers.u32();

    let policy = RetryPolicy::default().with_backoff(initial, max).with_max_retry_after(max_retry_after);
    assert_eq!(policy.with_max_attempts(attempts).max_attempts(), attempts.max(1));

    let parsed = HeaderValue::from_bytes(line).ok().and_then(|value| {
        let parsed = RetryAfter::parse(&value);
        let text = String::from_utf8_lossy(value.as_bytes());
        let text = text.trim();
        match &parsed {
            Some(RetryAfter::Delay(_)) => assert!(text.bytes().all(|b| b.is_ascii_digit()), "a delay from {text:?}"),
            Some(RetryAfter::Date(date)) => {
                assert_eq!(date, &value);
                assert!(text.ends_with("GMT"), "a date from {text:?}");
            }
            _ => {}
        }
        parsed
    });
    let wait = policy.delay(retry, parsed.as_ref(), wall_now, entropy);
    match &parsed {
        Some(RetryAfter::Delay(asked)) => {
            assert_eq!(wait, (*asked <= max_retry_after).then_some(*asked), "the server's delay was not the wait");
        }
        Some(_) => assert!(wait.is_none_or(|w| w <= max_retry_after), "a date gave a wait past the limit"),
        None => {
            let wait = wait.expect("a backoff without Retry-After");
            assert!(wait >= initial / 2, "{wait:?} is shorter than half the first backoff {initial:?}");
            assert!(wait <= max.max(initial), "{wait:?} is past the backoff cap {max:?}");
        }
    }
}

/// Little-endian numbers read from the front of a byte string, zero once it runs out.
struct Numbers<'a>(&'a [u8]);

impl Numbers<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        let n = self.0.len().min(N);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }

    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }

    fn duration(&mut self) -> Duration {
        Duration::new(self.u64(), self.u32() % 1_000_000_000)
    }
}
