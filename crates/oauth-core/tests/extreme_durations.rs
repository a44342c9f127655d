//! Property tests: the retry policy, one fetch's attempts and the token lifecycle never panic on
//! any duration a caller or a server can give — 0, 1 ns, `u64::MAX` seconds, `Duration::MAX`
//! and anything between — and keep their promises at the edges.

use std::time::{Duration, Instant, SystemTime};

use oauth_core::http::Response;
use oauth_core::{
    AccessToken, AttemptStep, Attempts, AuthFallback, ClientAuth, ClientId, ClientSecret, Decision, Grant, Quirks,
    RetryAfter, RetryPolicy, Token, TokenError, TokenLifecycle, parse_token_response,
};
use proptest::prelude::*;

/// The edges, and ordinary values around them.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::from_nanos(1)),
        Just(Duration::from_secs(u64::MAX)),
        Just(Duration::MAX),
        (0u64..10_000_000).prop_map(Duration::from_millis),
        any::<u64>().prop_map(Duration::from_secs),
    ]
}

/// A retryable server answer, with a `Retry-After` of any size (or none).
fn busy(retry_after: Option<u64>) -> TokenError {
    let mut answer = Response::builder().status(503);
    if let Some(secs) = retry_after {
        answer = answer.header("retry-after", secs.to_string());
    }
    let answer = answer.body(Vec::new()).expect("a valid response");
    parse_token_response(&Quirks::lenient(), &answer, Instant::now()).expect_err("a 503")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_policy_and_the_attempts_saturate(
        deadline in duration(),
        initial in duration(),
        max in duration(),
        max_retry_after in duration(),
        retry in any::<u32>(),
        entropy in any::<u64>(),
        asked in proptest::option::of(any::<u64>()),
        later in duration(),
    ) {
        let policy = RetryPolicy::default()
            .with_deadline(deadline)
            .with_backoff(initial, max)
            .with_max_retry_after(max_retry_after)
            .with_max_attempts(retry);
        let asked_for = asked.map(|secs| RetryAfter::Delay(Duration::from_secs(secs)));
        if let Some(wait) = policy.delay(retry, asked_for.as_ref(), SystemTime::UNIX_EPOCH, entropy) {
            prop_assert!(asked.is_some() || wait <= max.max(initial), "a backoff past its cap: {wait:?}");
        }
        let fallback = AuthFallback::fixed(ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new("s")));
        let now = Instant::now();
        let mut attempts: Attempts<'_, TokenError> =
            Attempts::new(&fallback, 0, &Grant::ClientCredentials, policy, now);
        let then = now.checked_add(later).unwrap_or(now);
        let _ = attempts.time_left(then);
        let _ = attempts.next_auth();
        if let AttemptStep::RetryAfter(wait) = attempts.failed(busy(asked), then, SystemTime::UNIX_EPOCH, entropy) {
            // A retry is only offered when it ends before the deadline (or there is none).
            if let Some(deadline_at) = now.checked_add(deadline) {
                prop_assert!(then.checked_add(wait).is_some_and(|end| end < deadline_at));
            }
        }
    }

    #[test]
    fn the_lifecycle_saturates(
        skew in duration(),
        lease in duration(),
        lifetime in duration(),
        first in duration(),
        second in duration(),
    ) {
        let t0 = Instant::now();
        let at = |d: Duration| t0.checked_add(d).unwrap_or(t0);
        let mut life = TokenLifecycle::new(skew).with_fetch_timeout(lease);
        let Decision::Fetch(fetch) = life.poll(t0) else { return Err(TestCaseError::fail("no fetch at first")) };
        let token = Token::bearer(AccessToken::new("a")).with_lifetime(t0, lifetime);
        let _ = life.complete::<TokenError>(fetch, Ok(token));
        // The refresh window never opens before the token is issued, nor after it expires.
        if let (Some(refresh_at), Some(expires_at)) = (life.refresh_at(), life.token().and_then(Token::expires_at)) {
            prop_assert!(refresh_at >= t0 && refresh_at <= expires_at);
        }
        let _ = life.effective_skew(lifetime);
        for now in [at(first), at(second)] {
            match life.poll(now) {
                Decision::Fetch(fetch) | Decision::RefreshAhead(_, Some(fetch)) => {
                    let _ = life.complete::<TokenError>(fetch, Err(busy(Some(u64::MAX))));
                }
                Decision::Ready(_) | Decision::RefreshAhead(_, None) | Decision::Wait => {}
            }
        }
    }
}
