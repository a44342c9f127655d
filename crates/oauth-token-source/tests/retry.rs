//! Retries: bounded, exponential backoff with jitter, `Retry-After` honoured (seconds and
//! HTTP-date), only for retryable errors, all within one deadline per `token()` call.

mod support;

use std::time::Duration;

use http::StatusCode;
use oauth_core::ErrorCode;
use oauth_token_source::{ClientError, RetryPolicy, TokenSource, TransportErrorKind};
use support::{
    Reply, Scripted, Virtual, config, experience, fail, join_all, oauth_error, retry_after, status_only, token,
};

const MS: Duration = Duration::from_millis(1);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The gaps between consecutive requests.
fn gaps(transport: &Scripted, runtime: &Virtual) -> Vec<Duration> {
    transport.times_since(runtime.start()).windows(2).map(|w| w[1] - w[0]).collect()
}

struct Retried {
    name: &'static str,
    policy: RetryPolicy,
    /// Answers before the token.
    failures: Vec<Reply>,
    /// The inclusive range each gap between requests must fall in (tokio's timer rounds a
    /// sleep up to the next millisecond).
    gaps: Vec<(Duration, Duration)>,
}

#[tokio::test(start_paused = true)]
async fn retryable_answers_are_retried_after_the_wait_they_ask_for_or_a_jittered_backoff() {
    // The Virtual runtime's wall clock starts at 22:13:20 GMT on 14 Nov 2023 and the first
    // request goes out then, so these dates are 3 s later and in the past.
    let in_three_seconds = "Tue, 14 Nov 2023 22:13:23 GMT";
    let in_the_past = "Tue, 14 Nov 2023 22:00:00 GMT";
    let policy = RetryPolicy::default();
    let four = policy.with_max_attempts(4);
    let cases = [
        Retried {
            name: "429 Retry-After 2",
            policy,
            failures: vec![retry_after(429, "2")],
            gaps: vec![(secs(2), secs(2))],
        },
        Retried {
            name: "429 Retry-After HTTP-date",
            policy,
            failures: vec![retry_after(429, in_three_seconds)],
            gaps: vec![(secs(3), secs(3))],
        },
        Retried {
            name: "503 Retry-After HTTP-date in the past",
            policy,
            failures: vec![retry_after(503, in_the_past)],
            gaps: vec![(Duration::ZERO, Duration::ZERO)],
        },
        Retried {
            name: "503 Retry-After 1",
            policy,
            failures: vec![retry_after(503, "1")],
            gaps: vec![(secs(1), secs(1))],
        },
        Retried { name: "503 then 200", policy, failures: vec![status_only(503)], gaps: vec![(ms(100), ms(200))] },
        Retried {
            name: "temporarily_unavailable",
            policy,
            failures: vec![oauth_error(400, "temporarily_unavailable")],
            gaps: vec![(ms(100), ms(200))],
        },
        Retried {
            name: "connection refused",
            policy,
            failures: vec![fail(TransportErrorKind::Connect)],
            gaps: vec![(ms(100), ms(200))],
        },
        Retried {
            name: "timeout",
            policy,
            failures: vec![fail(TransportErrorKind::Timeout)],
            gaps: vec![(ms(100), ms(200))],
        },
        Retried {
            name: "exponential: 200 ms doubling",
            policy: four,
            failures: vec![status_only(503), status_only(502), status_only(500)],
            gaps: vec![(ms(100), ms(200)), (ms(200), ms(400)), (ms(400), ms(800))],
        },
        Retried {
            name: "exponential, capped at 300 ms",
            policy: four.with_backoff(ms(200), ms(300)),
            failures: vec![status_only(503), status_only(503), status_only(503)],
            gaps: vec![(ms(100), ms(200)), (ms(150), ms(300)), (ms(150), ms(300))],
        },
    ];
    for case in cases {
        let name = case.name;
        let attempts = case.failures.len() + 1;
        let transport = Scripted::new(case.failures.into_iter().chain([token("t1", 3600, None)]));
        let runtime = Virtual::new();
        let source =
            TokenSource::builder(config(), transport.clone(), runtime.clone()).retry(case.policy).build().unwrap();
        assert_eq!(source.token().await.unwrap().secret(), "t1", "{name}");
        assert_eq!(transport.calls(), attempts, "{name}");
        let gaps = gaps(&transport, &runtime);
        for (gap, (low, high)) in gaps.iter().zip(&case.gaps) {
            assert!(low <= gap && *gap <= *high + MS, "{name}: waited {gap:?}, not within {low:?}..={high:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_is_jittered() {
    // Sixteen clients meeting the same 503 do not all come back at the same moment. The first
    // backoff is 100..200 ms at millisecond resolution: sixteen equal draws would happen about
    // once in 10^30 runs.
    let mut first_gaps = Vec::new();
    for _ in 0..16 {
        let transport = Scripted::new([status_only(503), token("t1", 3600, None)]);
        let runtime = Virtual::new();
        let source = TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap();
        source.token().await.unwrap();
        first_gaps.push(gaps(&transport, &runtime)[0]);
    }
    first_gaps.sort();
    first_gaps.dedup();
    assert!(first_gaps.len() > 1, "every client waited {first_gaps:?}");
}

type ErrorCheck = fn(&ClientError) -> bool;

fn status_is(error: &ClientError, status: StatusCode) -> bool {
    error.token_error().and_then(oauth_core::TokenError::status) == Some(status)
}

#[tokio::test(start_paused = true)]
async fn errors_that_retrying_cannot_fix_are_returned_at_once() {
    let cases: [(&str, Reply, ErrorCheck); 7] = [
        ("invalid_client", oauth_error(401, "invalid_client"), |e| e.code() == Some(&ErrorCode::InvalidClient)),
        ("invalid_grant", oauth_error(400, "invalid_grant"), |e| e.code() == Some(&ErrorCode::InvalidGrant)),
        ("invalid_request", oauth_error(400, "invalid_request"), |e| e.code() == Some(&ErrorCode::InvalidRequest)),
        ("bare 401", status_only(401), |e| status_is(e, StatusCode::UNAUTHORIZED)),
        (
            "redirect",
            fail(TransportErrorKind::Redirect { status: StatusCode::FOUND, location: None }),
            |e| matches!(e, ClientError::Transport(t) if matches!(t.kind(), TransportErrorKind::Redirect { .. })),
        ),
        (
            "body too large",
            fail(TransportErrorKind::BodyTooLarge { limit: 1 }),
            |e| matches!(e, ClientError::Transport(t) if matches!(t.kind(), TransportErrorKind::BodyTooLarge { .. })),
        ),
        // The default policy honours at most 30 s.
        ("503 asking for longer than the policy honours", retry_after(503, "120"), |e| {
            status_is(e, StatusCode::SERVICE_UNAVAILABLE)
        }),
    ];
    for (name, reply, is_expected) in cases {
        let transport = Scripted::new([reply, token("t1", 3600, None)]);
        let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
        let (result, experienced) = experience(source.token()).await;
        let error = result.unwrap_err();
        assert!(is_expected(&error), "{name}: {error:?}");
        assert_eq!(transport.calls(), 1, "{name}: not retried");
        assert_eq!(experienced.elapsed, Duration::ZERO, "{name}: no wait");
    }
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_policys_attempt_limit() {
    for attempts in [1, 3, 5] {
        let transport = Scripted::new([status_only(503)]);
        let policy = RetryPolicy::default().with_max_attempts(attempts);
        let source = TokenSource::builder(config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();
        let error = source.token().await.unwrap_err();
        assert!(status_is(&error, StatusCode::SERVICE_UNAVAILABLE), "{error:?}");
        assert_eq!(transport.calls(), attempts as usize);
    }
}

#[tokio::test(start_paused = true)]
async fn a_transport_that_never_answers_fails_every_caller_at_the_deadline() {
    let transport = Scripted::new([Reply::Hang, token("t1", 3600, None)]);
    let policy = RetryPolicy::default().with_deadline(secs(5));
    let source = TokenSource::builder(config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();

    let results = join_all((0..10).map(|_| experience(source.token()))).await;
    for (result, experienced) in results {
        let error = result.unwrap_err();
        assert!(matches!(error, ClientError::Deadline { deadline, .. } if deadline == secs(5)), "{error:?}");
        assert_eq!(experienced.elapsed, secs(5));
    }
    assert_eq!(transport.calls(), 1);
    // The hung request was given up, not left in flight: the next caller fetches.
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    assert_eq!(transport.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_error_carries_the_attempts_made_and_the_last_error_before_it() {
    // A 503, then a retry that never answers.
    let transport = Scripted::new([status_only(503), Reply::Hang]);
    let policy = RetryPolicy::default().with_deadline(secs(5));
    let source = TokenSource::builder(config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();
    let error = source.token().await.unwrap_err();
    let ClientError::Deadline { deadline, attempts, last } = &error else { panic!("{error:?}") };
    assert_eq!((*deadline, *attempts), (secs(5), 2));
    let last = last.as_deref().map(|e| status_is(e, StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(last, Some(true), "the 503 before time ran out: {error:?}");
}

#[tokio::test(start_paused = true)]
async fn a_server_that_keeps_asking_to_wait_is_not_waited_for_past_the_deadline() {
    let transport = Scripted::new([retry_after(503, "10")]);
    let policy = RetryPolicy::default().with_max_attempts(10).with_deadline(secs(25));
    let runtime = Virtual::new();
    let source = TokenSource::builder(config(), transport.clone(), runtime.clone()).retry(policy).build().unwrap();
    let (result, experienced) = experience(source.token()).await;
    let error = result.unwrap_err();
    assert!(status_is(&error, StatusCode::SERVICE_UNAVAILABLE), "{error:?}");
    // Requests at 0, 10 and 20 s; a fourth would be at 30 s, past the deadline.
    assert_eq!(transport.times_since(runtime.start()), [secs(0), secs(10), secs(20)]);
    assert!(experienced.elapsed <= secs(25), "took {:?}", experienced.elapsed);
}

#[tokio::test(start_paused = true)]
async fn backoff_between_failed_connections_stays_within_the_deadline() {
    let transport = Scripted::new([fail(TransportErrorKind::Connect)]);
    let policy = RetryPolicy::default().with_max_attempts(1000).with_backoff(secs(1), secs(1)).with_deadline(secs(5));
    let source = TokenSource::builder(config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();
    let (result, experienced) = experience(source.token()).await;
    assert!(matches!(result, Err(ClientError::Transport(_))), "{result:?}");
    assert!(experienced.elapsed <= secs(5), "took {:?}", experienced.elapsed);
    // Each backoff is 0.5..1 s: at least five and at most eleven requests fit in 5 s.
    assert!((5..=11).contains(&transport.calls()), "{} requests", transport.calls());
}

#[tokio::test(start_paused = true)]
async fn a_deadline_too_far_for_the_clock_means_no_deadline_not_a_panic() {
    for deadline in [Duration::from_secs(u64::MAX), Duration::MAX] {
        let transport = Scripted::new([status_only(503), token("t1", 3600, None)]);
        let policy = RetryPolicy::default().with_deadline(deadline).with_max_retry_after(Duration::MAX);
        let source = TokenSource::builder(config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();
        assert_eq!(source.token().await.unwrap().secret(), "t1", "{deadline:?}");
        assert_eq!(transport.calls(), 2, "{deadline:?}: one retry");
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_past_any_clock_is_an_error_not_a_panic() {
    // The server asks for 2^64 - 1 seconds and the caller honours any Retry-After: the wait
    // cannot end before the deadline, so the 503 is the answer — no instant overflow.
    let transport = Scripted::new([retry_after(503, "18446744073709551615"), token("t1", 3600, None)]);
    let policy = RetryPolicy::default().with_max_retry_after(Duration::MAX);
    let source = TokenSource::builder(config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();
    let error = source.token().await.unwrap_err();
    assert_eq!(error.token_error().and_then(oauth_core::TokenError::status), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(transport.calls(), 1);
}

/// The `client_assertion` of a request body.
fn client_assertion(body: &str) -> String {
    body.split('&').find_map(|pair| pair.strip_prefix("client_assertion=")).expect(body).to_owned()
}

#[tokio::test(start_paused = true)]
async fn a_retry_sends_a_new_client_assertion() {
    use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenConfig, TokenEndpoint, TokenRequest};
    let config = TokenConfig::new(
        TokenEndpoint::new("http://127.0.0.1:9/token").unwrap(),
        ClientAuth::client_secret_jwt(ClientId::new("app").unwrap(), ClientSecret::new("s3cr3t")),
        TokenRequest::new(Grant::ClientCredentials),
    );
    let transport = Scripted::new([status_only(503), token("t1", 3600, None)]);
    let source = TokenSource::new(config, transport.clone(), Virtual::new()).unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    let bodies = transport.bodies();
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        assert!(body.starts_with(
            "grant_type=client_credentials&client_id=app&client_assertion_type=\
             urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="
        ));
        assert!(!body.contains("s3cr3t"), "{body}");
    }
    let (first, second) = (client_assertion(&bodies[0]), client_assertion(&bodies[1]));
    assert_ne!(first, second, "the retry replayed the assertion");
    // Same header, different claims (a new `jti`).
    assert_eq!(first.split('.').next(), second.split('.').next());
    assert_ne!(first.split('.').nth(1), second.split('.').nth(1));
}
