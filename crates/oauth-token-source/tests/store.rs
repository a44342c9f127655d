//! Sources sharing one store behave like one source: one fetch per lifetime for the fleet, the
//! server's refusal shared, a dead lease holder replaced by exactly one process, and a failing
//! or stalled store stepped around with one warning. (Against a real Redis: oauth-redis.)

mod support;

use std::time::Duration;

use oauth_core::ErrorCode;
use oauth_token_source::{StoreKey, StoreOptions, TokenSource, events};
use support::memory_store::MemoryStore;
use support::{Logs, Scripted, Virtual, config, oauth_error_saying, settle, token};

fn fleet(n: usize, store: &MemoryStore, transport: &Scripted, runtime: &Virtual) -> Vec<TokenSource> {
    (0..n)
        .map(|_| {
            TokenSource::builder(config(), transport.clone(), runtime.clone()).store(store.clone()).build().unwrap()
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn the_second_process_is_served_the_first_ones_token() {
    let (store, runtime) = (MemoryStore::default(), Virtual::new());
    let transport = Scripted::new([token("t1", 299, None), token("t2", 299, None)]);
    let sources = fleet(2, &store, &transport, &runtime);
    assert_eq!(sources[0].token().await.unwrap().secret(), "t1");
    assert_eq!(sources[1].token().await.unwrap().secret(), "t1");
    assert_eq!(transport.calls(), 1, "one token for the fleet");
}

#[tokio::test(start_paused = true)]
async fn a_fleet_refreshing_ahead_sends_what_one_process_would() {
    // 120 s tokens refresh 60 s after issue (the skew is capped at half the lifetime): one
    // process alone sends a request a minute; four sharing a store, the same.
    for (with_store, expected) in [(false, 4 * 20), (true, 20)] {
        let (store, runtime) = (MemoryStore::default(), Virtual::new());
        let replies = (0..100).map(|i| token(&format!("t{i}"), 120, None));
        let transport = Scripted::new(replies).with_latency(Duration::from_millis(50));
        let sources: Vec<TokenSource> = if with_store {
            fleet(4, &store, &transport, &runtime)
        } else {
            (0..4).map(|_| TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap()).collect()
        };
        for _ in 0..1200 {
            for source in &sources {
                source.token().await.unwrap();
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        assert_eq!(transport.calls(), expected, "store: {with_store}: {:?}", transport.times_since(runtime.start()));
    }
}

#[tokio::test(start_paused = true)]
async fn a_refusal_reaches_every_process_without_another_request() {
    let (store, runtime) = (MemoryStore::default(), Virtual::new());
    let transport = Scripted::new([oauth_error_saying(401, "invalid_client", "Client authentication failed")]);
    let sources = fleet(3, &store, &transport, &runtime);
    for source in &sources {
        let error = source.token().await.unwrap_err();
        assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
        assert!(error.to_string().contains("Client authentication failed"), "{error}");
    }
    assert_eq!(transport.calls(), 1, "the refusal was shared");
}

#[tokio::test(start_paused = true)]
async fn when_a_lease_holder_dies_exactly_one_process_fetches_after_its_lease() {
    let (store, runtime) = (MemoryStore::default(), Virtual::new());
    let transport = Scripted::new([token("t1", 299, None), token("t2", 299, None)]);
    let options = StoreOptions::default().with_lease(Duration::from_secs(3));
    let sources: Vec<TokenSource> = (0..3)
        .map(|_| {
            TokenSource::builder(config(), transport.clone(), runtime.clone())
                .store_with(store.clone(), options)
                .build()
                .unwrap()
        })
        .collect();
    store.lease_held_by_the_dead(&StoreKey::new(config().identity(), config().binding()), Duration::from_secs(3));
    let started = tokio::time::Instant::now();
    let tokens = futures_join(&sources).await;
    assert!(tokens.iter().all(|t| t == "t1"), "{tokens:?}");
    assert_eq!(transport.calls(), 1, "exactly one process fetched");
    assert!(started.elapsed() >= Duration::from_secs(3), "nobody fetched before the dead lease ran out");
}

async fn futures_join(sources: &[TokenSource]) -> Vec<String> {
    let handles: Vec<_> = sources
        .iter()
        .cloned()
        .map(|source| tokio::spawn(async move { source.token().await.unwrap().secret().to_owned() }))
        .collect();
    let mut tokens = Vec::new();
    for handle in handles {
        tokens.push(handle.await.unwrap());
    }
    tokens
}

#[tokio::test(start_paused = true)]
async fn a_token_a_resource_refused_is_not_taken_back_from_the_store() {
    let (store, runtime) = (MemoryStore::default(), Virtual::new());
    let transport = Scripted::new([token("t1", 299, None), token("t2", 299, None)]);
    let sources = fleet(1, &store, &transport, &runtime);
    let used = sources[0].token().await.unwrap();
    assert!(sources[0].invalidate_if_current(&used));
    assert_eq!(sources[0].token().await.unwrap().secret(), "t2", "not the refused t1 the store still holds");
    assert_eq!(transport.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_fleets_newest_refresh_token_is_the_one_used() {
    let (store, runtime) = (MemoryStore::default(), Virtual::new());
    let transport =
        Scripted::new([token("t1", 120, Some("rt1")), token("t2", 120, Some("rt2")), token("t3", 120, Some("rt3"))])
            .with_latency(Duration::from_millis(10));
    let sources = fleet(2, &store, &transport, &runtime);
    sources[0].token().await.unwrap();
    sources[1].token().await.unwrap(); // holds t1 and rt1, from the store
    tokio::time::sleep(Duration::from_secs(61)).await;
    sources[0].token().await.unwrap(); // refreshes ahead with rt1: t2, rt2 rotated in
    settle().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(transport.calls(), 2);
    // Past t1's expiry and into t2's window, the other process still holds rt1 — rotated away.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(sources[1].token().await.unwrap().secret(), "t3");
    let bodies = transport.bodies();
    assert!(bodies[2].ends_with("refresh_token=rt2"), "the fleet's newest refresh token: {bodies:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failing_or_stalled_store_is_stepped_around_with_one_warning() {
    let logs = Logs::default();
    let _capture = logs.capture();
    let (store, runtime) = (MemoryStore::default(), Virtual::new());
    let transport = Scripted::new([token("t1", 299, None), token("t2", 299, None), token("t3", 299, None)]);
    let sources = fleet(1, &store, &transport, &runtime);
    store.set_down(true);
    assert_eq!(sources[0].token().await.unwrap().secret(), "t1");
    sources[0].invalidate();
    assert_eq!(sources[0].token().await.unwrap().secret(), "t2");
    assert_eq!(logs.text().matches(events::STORE_UNAVAILABLE).count(), 1, "one warning per outage:\n{}", logs.text());

    // Back, then stalled: each stall costs the operation's time limit, never the caller's error.
    store.set_down(false);
    tokio::time::sleep(StoreOptions::default().retry_after_failure).await;
    store.set_hanging(true);
    sources[0].invalidate();
    let started = tokio::time::Instant::now();
    assert_eq!(sources[0].token().await.unwrap().secret(), "t3");
    assert!(started.elapsed() <= StoreOptions::default().op_timeout * 2, "{:?}", started.elapsed());
    assert_eq!(store.writes(), 0);
}
