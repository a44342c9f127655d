//! `wait` returns when another process writes the key, and at its timeout otherwise; `now` is
//! Redis's clock.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use oauth_token_source::TokenStore;

use crate::support::{raw, server, store, store_key, store_key_with, token_entry};

const LONG: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_returns_when_another_store_writes() {
    let redis = server();
    let (waiter, writer, key) = (store(&redis), store(&redis), store_key());
    let started = Instant::now();
    let waiting = tokio::spawn({
        let key = key.clone();
        async move { waiter.wait(&key, LONG).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    writer.write(&key, &token_entry("access-woken"), Duration::from_secs(60)).await.unwrap();
    waiting.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "woken by the write, not the timeout: {:?}", started.elapsed());
}

#[tokio::test]
async fn wait_returns_at_its_timeout_when_nothing_is_written() {
    let redis = server();
    let (store, key) = (store(&redis), store_key());
    for _ in 0..2 {
        let started = Instant::now();
        store.wait(&key, Duration::from_millis(300)).await.unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(300) && waited < Duration::from_secs(3), "{waited:?}");
    }
}

#[tokio::test]
async fn a_write_to_another_key_does_not_wake() {
    let redis = server();
    let (waiter, writer) = (store(&redis), store(&redis));
    let (mine, theirs) = (store_key(), store_key_with("other-credentials", "read"));
    waiter.wait(&mine, Duration::from_millis(50)).await.unwrap(); // subscribed from here on
    writer.write(&theirs, &token_entry("theirs"), Duration::from_secs(60)).await.unwrap();
    let started = Instant::now();
    waiter.wait(&mine, Duration::from_millis(300)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_write_between_a_read_and_the_next_wait_is_not_lost_and_one_read_sees_is_no_reason_to_wake() {
    let redis = server();
    let (waiter, writer, key) = (store(&redis), store(&redis), store_key());
    waiter.wait(&key, Duration::from_millis(50)).await.unwrap(); // subscribed from here on

    // Read (nothing), then another process writes, then wait: returns at once.
    assert!(waiter.read(&key).await.unwrap().is_none());
    writer.write(&key, &token_entry("between"), Duration::from_secs(60)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await; // the message arrives
    let started = Instant::now();
    waiter.wait(&key, LONG).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());

    // Written, then read: that write's message does not end the next wait early.
    writer.write(&key, &token_entry("before"), Duration::from_secs(60)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(waiter.read(&key).await.unwrap().is_some());
    let started = Instant::now();
    waiter.wait(&key, Duration::from_millis(300)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
}

#[tokio::test]
async fn now_is_redis_time() {
    let redis = server();
    let store = store(&redis);
    let (seconds, micros): (u64, u64) = redis::cmd("TIME").query_async(&mut raw(&redis).await).await.unwrap();
    let redis_time = UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_micros(micros);
    let now = store.now().await.unwrap().expect("Redis keeps a clock");
    let apart = now.duration_since(redis_time).expect("read after TIME");
    assert!(apart < Duration::from_secs(1), "{apart:?}");
    let local = SystemTime::now();
    let skew = local.duration_since(now).unwrap_or_else(|e| e.duration());
    assert!(skew < Duration::from_secs(2), "the same machine's clock: {skew:?}");
}
