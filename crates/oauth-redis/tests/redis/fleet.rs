//! End to end: token sources over reqwest sharing one Redis, against the MXO emulator — one
//! fetch for the fleet, the refusal shared, and every source still served with Redis down.

use std::time::Duration;

use oauth_redis::RedisStore;
use oauth_reqwest::{ReqwestTransport, TokioRuntime};
use oauth_testkit::{Mxo, RedisServer};
use oauth_token_source::{StoreOptions, TokenSource};

use crate::support::{key, server};

/// A token source of its own "process": its own transport, its own store instance.
fn source(profile: oauth_providers::Profile, redis: &RedisServer) -> TokenSource {
    let store = RedisStore::new(&redis.url(), key(1)).unwrap();
    TokenSource::builder(profile, ReqwestTransport::new().unwrap(), TokioRuntime).store(store).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_source_is_served_the_first_ones_token_without_a_request() {
    let (redis, mxo) = (server(), Mxo::start().await);
    let first = source(mxo.profile(), &redis);
    let token = first.token().await.unwrap();
    assert_eq!(mxo.controls().token_requests(), 1);

    let second = source(mxo.profile(), &redis);
    let shared = second.token().await.unwrap();
    assert_eq!(shared.secret(), token.secret(), "the same token");
    assert_eq!(mxo.controls().token_requests(), 1, "no token request from the second source");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_starting_together_fetch_once() {
    let (redis, mxo) = (server(), Mxo::start().await);
    let sources: Vec<TokenSource> = (0..4).map(|_| source(mxo.profile(), &redis)).collect();
    let tokens = futures_join(sources.iter().map(|s| s.token())).await;
    let first = tokens[0].as_ref().unwrap().secret().to_owned();
    for (i, token) in tokens.iter().enumerate() {
        assert!(token.as_ref().unwrap().secret() == first, "source {i} got another token");
    }
    assert_eq!(mxo.controls().token_requests(), 1, "one holder of the lease fetched, the others waited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_of_the_credentials_reaches_the_next_source_without_a_request() {
    let (redis, mxo) = (server(), Mxo::start().await);
    let wrong = || oauth_providers::mxo::profile(&mxo.uri(), mxo.credentials().client_id(), "wrong-secret").unwrap();
    let error = source(wrong(), &redis).token().await.unwrap_err();
    let asked = mxo.controls().token_requests();
    assert!(asked >= 1);
    let shared = source(wrong(), &redis).token().await.unwrap_err();
    assert_eq!(shared.code(), error.code());
    assert_eq!(mxo.controls().token_requests(), asked, "the refusal was shared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_every_source_is_still_served_and_the_fleet_shares_again_once_it_is_back() {
    let (mut redis, mxo) = (server(), Mxo::start().await);
    redis.kill();
    let options = StoreOptions::default().with_retry_after_failure(Duration::from_millis(200));
    let url = redis.url();
    let with_options = || {
        let store = RedisStore::new(&url, key(1)).unwrap();
        TokenSource::builder(mxo.profile(), ReqwestTransport::new().unwrap(), TokioRuntime)
            .store_with(store, options)
            .build()
            .unwrap()
    };
    let (one, two) = (with_options(), with_options());
    one.token().await.unwrap();
    two.token().await.unwrap();
    assert_eq!(mxo.controls().token_requests(), 2, "each fetched on its own");

    redis.restart().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (three, four) = (with_options(), with_options());
    let token = three.token().await.unwrap();
    assert_eq!(four.token().await.unwrap().secret(), token.secret());
    assert_eq!(mxo.controls().token_requests(), 3, "shared again");
}

/// Runs the futures concurrently on this task and returns their outputs in order.
async fn futures_join<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
