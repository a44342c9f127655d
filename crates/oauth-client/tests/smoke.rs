//! First checks of the token source: one fetch for a stampede, then the cache.

mod support;

use std::time::Duration;

use oauth_client::TokenSource;
use support::{Scripted, Tokio, config, token};

#[tokio::test(start_paused = true)]
async fn ten_thousand_callers_on_a_cold_cache_make_one_request() {
    let transport = Scripted::new([token("t1", 3600, None)]).with_latency(Duration::from_millis(50));
    let source = TokenSource::new(config(), transport.clone(), Tokio).unwrap();
    let calls: Vec<_> = (0..10_000).map(|_| source.token()).collect();
    let tokens = futures_join_all(calls).await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == "t1"));
    assert_eq!(transport.calls(), 1);
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    assert_eq!(transport.calls(), 1, "served from the cache");
}

async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out = Vec::with_capacity(set.len());
    let mut pending: Vec<Option<_>> = set.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    for r in results {
        out.push(r.unwrap());
    }
    out
}
