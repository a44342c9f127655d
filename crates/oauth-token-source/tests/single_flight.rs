//! Cache and single flight: one request however many callers arrive, one result for all of them,
//! and no lock in the way of callers that hold a valid token.

mod support;

use std::time::Duration;

use oauth_core::ErrorCode;
use oauth_token_source::{ClientError, RetryPolicy, TokenSource, TransportErrorKind};
use support::{
    Gate, Reply, Scripted, Virtual, config, experience, fail, finishes_on_another_thread, join_all, oauth_error,
    settle, status_only, token,
};

/// Every token request in these tests takes this long, so callers pile up behind it.
const LATENCY: Duration = Duration::from_millis(50);

#[tokio::test(start_paused = true)]
async fn ten_thousand_callers_make_one_request_on_a_cold_cache_and_one_more_after_expiry() {
    let transport = Scripted::new([token("t1", 3600, None), token("t2", 3600, None)]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();

    let cold = join_all((0..10_000).map(|_| experience(source.token()))).await;
    assert!(cold.iter().all(|(t, _)| t.as_ref().unwrap().secret() == "t1"));
    assert!(cold.iter().all(|(_, e)| e.suspended), "every caller waited for the one fetch");
    assert_eq!(transport.calls(), 1);

    // Straight past expiry, with no caller in the refresh window to refresh ahead of it.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let expired = join_all((0..10_000).map(|_| source.token())).await;
    assert!(expired.iter().all(|t| t.as_ref().unwrap().secret() == "t2"));
    assert_eq!(transport.calls(), 2, "exactly one more request at expiry");
}

#[tokio::test(start_paused = true)]
async fn a_fresh_token_is_served_from_the_cache_at_once() {
    let transport = Scripted::new([token("t1", 3600, None)]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();

    let (token, served) = experience(source.token()).await;
    assert_eq!(token.unwrap().secret(), "t1");
    assert!(served.at_once());
    let (header, served) = experience(source.authorization()).await;
    let header = header.unwrap();
    assert!(served.at_once());
    assert_eq!(header, "Bearer t1");
    assert!(header.is_sensitive());
    let (with_token, _) = source.authorization_with_token().await.unwrap();
    assert_eq!(with_token, header);
    assert_eq!(transport.calls(), 1);
}

type ErrorCheck = fn(&ClientError) -> bool;

#[tokio::test(start_paused = true)]
async fn every_waiter_gets_the_fetchers_error_and_the_next_caller_fetches_again() {
    let cases: [(&str, Reply, ErrorCheck); 4] = [
        ("invalid_client", oauth_error(401, "invalid_client"), |e| e.code() == Some(&ErrorCode::InvalidClient)),
        ("invalid_grant", oauth_error(400, "invalid_grant"), |e| e.code() == Some(&ErrorCode::InvalidGrant)),
        (
            "connection refused",
            fail(TransportErrorKind::Connect),
            |e| matches!(e, ClientError::Transport(t) if *t.kind() == TransportErrorKind::Connect),
        ),
        ("bare 503", status_only(503), |e| {
            e.token_error().and_then(oauth_core::TokenError::status) == Some(http::StatusCode::SERVICE_UNAVAILABLE)
        }),
    ];
    for (name, reply, is_expected) in cases {
        let transport = Scripted::new([reply, token("t1", 3600, None)]).with_latency(LATENCY);
        let source = TokenSource::builder(config(), transport.clone(), Virtual::new())
            .retry(RetryPolicy::none())
            .build()
            .unwrap();

        let results = join_all((0..100).map(|_| source.token())).await;
        assert_eq!(transport.calls(), 1, "{name}: one request");
        let errors: Vec<ClientError> = results.into_iter().map(|r| r.unwrap_err()).collect();
        assert!(errors.iter().all(is_expected), "{name}: {errors:?}");
        let first = errors[0].to_string();
        assert!(errors.iter().all(|e| e.to_string() == first), "{name}: the same error for all");

        // The error is not cached: the next caller fetches.
        assert_eq!(source.token().await.unwrap().secret(), "t1", "{name}");
        assert_eq!(transport.calls(), 2, "{name}");
    }
}

#[tokio::test(start_paused = true)]
async fn callers_with_a_valid_token_are_served_while_a_refresh_is_blocked_in_the_transport() {
    let gate = Gate::closed();
    let transport =
        Scripted::new([token("t1", 120, None), Reply::Gated(gate.clone(), Box::new(token("t2", 120, None)))]);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();

    // Into the refresh window (60 s before expiry): this caller starts the refresh, which
    // then sits in the transport.
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    settle().await;
    assert_eq!(transport.calls(), 2, "the refresh is in the transport");

    for _ in 0..20 {
        let served = join_all((0..1000).map(|_| experience(source.token()))).await;
        assert!(served.iter().all(|(t, e)| t.as_ref().unwrap().secret() == "t1" && e.at_once()));
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    gate.open();
    settle().await;
    assert_eq!(source.token().await.unwrap().secret(), "t2");
    assert_eq!(transport.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn no_lock_is_held_while_a_fetch_is_in_the_transport() {
    let gate = Gate::closed();
    let transport = Scripted::new([Reply::Gated(gate.clone(), Box::new(token("t1", 3600, None)))]);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    let fetching = tokio::spawn({
        let source = source.clone();
        async move { source.token().await }
    });
    settle().await;
    assert_eq!(transport.calls(), 1, "the fetch is in the transport");

    // Each of these takes the token source's lock. If the fetch held it across the request,
    // they would block until the gate opens, which it does not until they are done.
    let other = source.clone();
    assert!(finishes_on_another_thread(Duration::from_secs(10), move || other.invalidate()));
    let other = source.clone();
    let unrelated = oauth_core::AccessToken::new("t0");
    assert!(finishes_on_another_thread(Duration::from_secs(10), move || {
        other.invalidate_if_current(&unrelated);
    }));

    gate.open();
    assert_eq!(fetching.await.unwrap().unwrap().secret(), "t1");
    assert_eq!(transport.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_token_due_on_arrival_serves_everyone_who_waited_for_it_and_is_not_kept() {
    // `expires_in: 0.5` floors to 0 seconds, but it is a token already due, not one without expiry.
    let due = |access: &str| {
        Reply::Http(200, vec![], format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":0.5}}"#))
    };
    let transport = Scripted::new([due("t1"), due("t2")]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();

    let waited = join_all((0..1_000).map(|_| source.token())).await;
    assert!(waited.iter().all(|t| t.as_ref().unwrap().secret() == "t1"), "every waiter got the one fetch's token");
    assert_eq!(transport.calls(), 1, "one request for all who waited");

    assert_eq!(source.token().await.unwrap().secret(), "t2", "the due token was not cached");
    assert_eq!(transport.calls(), 2);
}
