//! One process of the fleet: a token source (with Redis, or alone) and its tasks calling
//! `token()` without pause for the run's length; then the fresh path timed. Prints one JSON
//! line of counts on stdout.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use oauth_token_source::TokenSource;
use serde::{Deserialize, Serialize};

/// What one worker saw.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Counts {
    pub(crate) calls: u64,
    pub(crate) waited: u64,
    pub(crate) errors: u64,
    /// Nanoseconds per `token()` on the fresh path (median of five batches).
    pub(crate) fresh_ns: f64,
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let tasks: usize = crate::flag(args, "--tasks", 100)?;
    let seconds: u64 = crate::flag(args, "--seconds", 30)?;
    let token_url = std::env::var("FLEET_TOKEN_URL").map_err(|_| "FLEET_TOKEN_URL is not set")?;
    let client_id = std::env::var("FLEET_CLIENT_ID").map_err(|_| "FLEET_CLIENT_ID is not set")?;
    let secret = std::env::var("FLEET_CLIENT_SECRET").map_err(|_| "FLEET_CLIENT_SECRET is not set")?;
    let redis = std::env::var("FLEET_REDIS_URL").ok().filter(|url| !url.is_empty());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let profile = oauth_providers::rfc6749::client_credentials(&token_url, client_id, secret.as_str())
            .map_err(|e| e.to_string())?;
        let transport =
            oauth_reqwest::ReqwestTransport::from_builder(oauth_reqwest::reqwest::Client::builder().no_proxy())
                .map_err(|e| e.to_string())?;
        let mut builder = TokenSource::builder(profile, transport, oauth_reqwest::TokioRuntime);
        if let Some(url) = redis {
            builder = builder.store(crate::coordinator::redis_store(&url)?);
        }
        let source = builder.build().map_err(|e| e.to_string())?;
        let counts = load(&source, tasks, Duration::from_secs(seconds)).await;
        let fresh_ns = fresh_path_ns(&source).await;
        let line = serde_json::to_string(&Counts { fresh_ns, ..counts }).map_err(|e| e.to_string())?;
        #[allow(clippy::print_stdout, reason = "the worker's report to the coordinator")]
        {
            println!("{line}");
        }
        Ok(())
    })
}

/// `tasks` tasks calling `token()` until `length` has passed, each call counted as waited when
/// its future could not answer at its first poll.
async fn load(source: &TokenSource, tasks: usize, length: Duration) -> Counts {
    let (calls, waited, errors) =
        (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let end = Instant::now() + length;
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (source, calls, waited, errors) = (source.clone(), calls.clone(), waited.clone(), errors.clone());
            tokio::spawn(async move {
                while Instant::now() < end {
                    let mut call = pin!(source.token());
                    let first = call.as_mut().poll(&mut Context::from_waker(Waker::noop()));
                    let result = match first {
                        Poll::Ready(result) => result,
                        Poll::Pending => {
                            waited.fetch_add(1, Ordering::Relaxed);
                            call.await
                        }
                    };
                    calls.fetch_add(1, Ordering::Relaxed);
                    if result.is_err() {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for handle in handles {
        let _ = handle.await;
    }
    Counts {
        calls: calls.load(Ordering::Relaxed),
        waited: waited.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        fresh_ns: 0.0,
    }
}

/// The median over five batches of the time `token()` takes when the token is fresh.
async fn fresh_path_ns(source: &TokenSource) -> f64 {
    const BATCH: u32 = 20_000;
    let mut medians = Vec::new();
    for _ in 0..5 {
        let _ = source.token().await; // fresh before the batch
        let started = Instant::now();
        for _ in 0..BATCH {
            let mut call = pin!(source.token());
            let _ = std::hint::black_box(call.as_mut().poll(&mut Context::from_waker(Waker::noop())));
        }
        medians.push(started.elapsed().as_nanos() as f64 / f64::from(BATCH));
    }
    medians.sort_by(f64::total_cmp);
    medians[2]
}
