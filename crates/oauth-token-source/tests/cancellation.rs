//! Cancellation safety: a caller or a background refresh dropped at any point never leaves the
//! cache stuck "in flight" — the next caller fetches, with exactly one new request.

mod support;

use std::time::Duration;

use oauth_token_source::{ClientError, TokenSource};
use support::{Scripted, Virtual, config, experience, join_all, settle, token};

const LATENCY: Duration = Duration::from_millis(50);

/// How the caller doing the fetch is dropped halfway through its request.
#[derive(Debug, Clone, Copy)]
enum Cancel {
    /// `tokio::time::timeout` gives up on it.
    Timeout,
    /// It loses a `select!`.
    Select,
    /// Its task is aborted.
    Abort,
}

async fn token_dropped_mid_flight(source: &TokenSource, how: Cancel) {
    let halfway = LATENCY / 2;
    match how {
        Cancel::Timeout => {
            assert!(tokio::time::timeout(halfway, source.token()).await.is_err(), "still in flight");
        }
        Cancel::Select => {
            tokio::select! {
                biased;
                _ = source.token() => panic!("the fetch finished before it was dropped"),
                () = tokio::time::sleep(halfway) => {}
            }
        }
        Cancel::Abort => {
            let task = tokio::spawn({
                let source = source.clone();
                async move { source.token().await }
            });
            tokio::time::sleep(halfway).await;
            task.abort();
            assert!(task.await.unwrap_err().is_cancelled());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_fetcher_dropped_mid_flight_leaves_the_next_caller_to_fetch_once() {
    for how in [Cancel::Timeout, Cancel::Select, Cancel::Abort] {
        let transport = Scripted::new([token("t1", 3600, None), token("t2", 3600, None)]).with_latency(LATENCY);
        let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
        token_dropped_mid_flight(&source, how).await;
        assert_eq!(transport.calls(), 1, "{how:?}");

        let (token, experienced) = experience(source.token()).await;
        assert_eq!(token.unwrap().secret(), "t2", "{how:?}");
        assert_eq!(experienced.elapsed, LATENCY, "{how:?}: one request, no waiting for the dropped one");
        assert_eq!(transport.calls(), 2, "{how:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_fetcher_dropped_mid_flight_hands_the_fetch_to_one_of_its_waiters() {
    let transport = Scripted::new([token("t1", 3600, None), token("t2", 3600, None)]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    let fetcher = tokio::spawn({
        let source = source.clone();
        async move { source.token().await }
    });
    settle().await;
    let waiters: Vec<_> = (0..100)
        .map(|_| {
            let source = source.clone();
            tokio::spawn(async move { source.token().await })
        })
        .collect();
    settle().await;
    assert_eq!(transport.calls(), 1);

    fetcher.abort();
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap().unwrap().secret(), "t2");
    }
    assert_eq!(transport.calls(), 2, "exactly one new request");
}

#[tokio::test(start_paused = true)]
async fn a_waiter_dropped_mid_wait_changes_nothing_for_the_others() {
    let transport = Scripted::new([token("t1", 3600, None)]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    let fetcher = tokio::spawn({
        let source = source.clone();
        async move { source.token().await }
    });
    settle().await;
    let waiter = tokio::spawn({
        let source = source.clone();
        async move { source.token().await }
    });
    assert!(tokio::time::timeout(LATENCY / 2, source.token()).await.is_err(), "a waiter dropped by a timeout");
    waiter.abort();

    assert_eq!(fetcher.await.unwrap().unwrap().secret(), "t1");
    let (token, experienced) = experience(source.token()).await;
    assert_eq!(token.unwrap().secret(), "t1");
    assert!(experienced.at_once());
    assert_eq!(transport.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_task_aborted_mid_flight_leaves_the_next_caller_to_refresh() {
    let transport =
        Scripted::new([token("t1", 120, None), token("t2", 120, None), token("t3", 120, None)]).with_latency(LATENCY);
    let runtime = Virtual::new();
    let source = TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap();
    source.token().await.unwrap();

    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    tokio::time::sleep(LATENCY / 2).await;
    assert_eq!(transport.calls(), 2, "the refresh is in flight");
    runtime.abort_latest_spawn();
    settle().await;

    let (token, experienced) = experience(source.token()).await;
    assert_eq!(token.unwrap().secret(), "t1");
    assert!(experienced.at_once());
    settle().await;
    assert_eq!(transport.calls(), 3, "a new refresh, at once");
    tokio::time::sleep(LATENCY).await;
    settle().await;
    assert_eq!(source.token().await.unwrap().secret(), "t3");
    assert_eq!(transport.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_task_dropped_before_it_runs_does_not_leave_a_fetch_in_flight() {
    // A runtime shutting down (or refusing work) drops the refresh future without polling it.
    let transport = Scripted::new([token("t1", 120, None), token("t2", 120, None)]).with_latency(LATENCY);
    let runtime = Virtual::new();
    let start = runtime.start();
    let source = TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap();
    source.token().await.unwrap();

    tokio::time::sleep_until(start + Duration::from_secs(90)).await;
    settle().await;
    let spawned = runtime.spawned();
    runtime.drop_next_spawn();
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    assert_eq!(runtime.spawned(), spawned + 1, "a refresh was handed to the runtime, which dropped it");
    settle().await;
    assert_eq!(transport.calls(), 1);

    // The next caller in the window should start a refresh of its own…
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    settle().await;
    assert_eq!(transport.calls(), 2, "the next caller in the window starts a refresh of its own");

    // …and past expiry a caller must get a token, not wait on the dropped fetch.
    tokio::time::sleep_until(start + Duration::from_secs(120)).await;
    let (token, experienced) = experience(source.token()).await;
    assert_eq!(token.map(|t| t.secret().to_owned()).map_err(|e: ClientError| e.to_string()), Ok("t2".to_owned()));
    assert!(experienced.elapsed <= LATENCY, "waited {:?}", experienced.elapsed);
    assert_eq!(transport.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_runtime_that_drops_background_work_never_gets_an_expired_token() {
    // Background work can die with its runtime: a blocking facade that makes a runtime per call
    // and drops it after `block_on`, or a service shutting down. No caller comes during the
    // refresh window here, so no refresh is involved: only expiry.
    let transport = Scripted::new([token("t1", 120, None), token("t2", 120, None)]);
    let runtime = Virtual::new();
    runtime.drop_every_spawn();
    let source = TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t1");

    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t2", "t1 has expired");
    assert_eq!(transport.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn many_callers_dropped_mid_wait_leave_one_fetch_for_the_next_ones() {
    let transport = Scripted::new([token("t1", 3600, None), token("t2", 3600, None)]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    // Fetcher and all its waiters give up halfway.
    let dropped = join_all((0..1000).map(|_| tokio::time::timeout(LATENCY / 2, source.token()))).await;
    assert!(dropped.iter().all(Result::is_err));
    assert_eq!(transport.calls(), 1);

    let tokens = join_all((0..1000).map(|_| source.token())).await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == "t2"));
    assert_eq!(transport.calls(), 2);
}
