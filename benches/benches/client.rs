//! The token source's cached path against the simplest correct cache — a
//! `std::sync::RwLock<Arc<str>>` read and clone — on one thread and with 64 tasks on the
//! machine's cores; then a stampede: transport calls per 10 000 callers on a cold cache, and the
//! time until all are served against one transport call.
//!
//! The fresh-path comparison: the two ways a cached token can be known fresh, as bare
//! replicas of the source's cache, side by side — a flag raised by a timer spawned per token
//! (what the source did until it was simplified; no clock read) and a clock read plus a
//! comparison (what it does now). `cargo xtask bench` then prints the difference as a fraction
//! of one loopback API call through each middleware.
//!
//! `cargo xtask bench` runs it; it prints its own comparison after criterion's output.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::Criterion;
use oauth_core::{AccessToken, ClientAuth, ClientId, ClientSecret, Grant, TokenConfig, TokenEndpoint, TokenRequest};
use oauth_token_source::{Runtime, TokenSource, Transport, TransportError};
use oauth_tokio::TokioRuntime;

const GROUP: &str = "token_source";
const TASKS: usize = 64;
const CALLS_PER_TASK: u64 = 2_000;
const STAMPEDE: usize = 10_000;
const TRANSPORT_LATENCY: Duration = Duration::from_millis(5);

/// Answers every token request with a one-hour token after `latency`, counting calls.
struct Canned {
    latency: Duration,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl Transport for Canned {
    async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let body = br#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJl","token_type":"Bearer","expires_in":3600}"#;
        Ok(http::Response::builder().header("content-type", "application/json").body(body.to_vec()).expect("valid"))
    }
}

fn config() -> TokenConfig {
    TokenConfig::new(
        TokenEndpoint::new("http://127.0.0.1:9/token").expect("loopback"),
        ClientAuth::basic(ClientId::new("app").expect("not empty"), ClientSecret::new("s3cr3t")),
        TokenRequest::new(Grant::ClientCredentials),
    )
}

fn source(transport: Arc<Canned>) -> TokenSource {
    TokenSource::new(config(), transport, TokioRuntime).expect("valid configuration")
}

/// Polls a future that is expected to finish without waiting (the cached path) to completion.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// One cached `token()` call, dropped: what callgrind counts (`core::measured_cached_token`).
#[inline(never)]
fn measured_cached_token(source: &TokenSource) {
    drop(black_box(ready(source.token()).expect("cached")));
}

/// The baseline's read and clone, dropped (`core::measured_rwlock_read_clone`).
#[inline(never)]
fn measured_rwlock_read_clone(baseline: &RwLock<Arc<str>>) {
    drop(black_box(Arc::clone(&baseline.read().expect("not poisoned"))));
}

/// A cached token known fresh by a flag that a timer raises at its refresh time.
struct FlagEntry {
    token: AccessToken,
    stale: AtomicBool,
}

/// A cached token known fresh by comparing the clock with its refresh time.
struct ClockEntry {
    token: AccessToken,
    stale_at: Instant,
}

/// The flag path: shared read lock, one atomic load, one clone (`core::measured_flag_path`).
#[inline(never)]
fn measured_flag_path(cache: &RwLock<Option<Arc<FlagEntry>>>) {
    let guard = cache.read().expect("not poisoned");
    let entry = guard.as_deref().expect("warm");
    assert!(!entry.stale.load(Ordering::Acquire), "fresh");
    drop(black_box(entry.token.clone()));
}

/// The clock path: a clock read through the runtime seam, shared read lock, one comparison,
/// one clone (`core::measured_clock_path`).
#[inline(never)]
fn measured_clock_path(cache: &RwLock<Option<Arc<ClockEntry>>>, runtime: &dyn Runtime) {
    let now = runtime.now();
    let guard = cache.read().expect("not poisoned");
    let entry = guard.as_deref().expect("warm");
    assert!(now < entry.stale_at, "fresh");
    drop(black_box(entry.token.clone()));
}

fn flag_cache() -> Arc<RwLock<Option<Arc<FlagEntry>>>> {
    let entry = FlagEntry { token: AccessToken::new(TOKEN), stale: AtomicBool::new(false) };
    Arc::new(RwLock::new(Some(Arc::new(entry))))
}

fn clock_cache() -> Arc<RwLock<Option<Arc<ClockEntry>>>> {
    let entry = ClockEntry { token: AccessToken::new(TOKEN), stale_at: Instant::now() + Duration::from_secs(3600) };
    Arc::new(RwLock::new(Some(Arc::new(entry))))
}

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJl";

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_time().build().expect("a tokio runtime")
}

/// `TASKS` tasks, each making `CALLS_PER_TASK` calls of `call`; returns the elapsed time.
fn concurrent<C, F>(runtime: &tokio::runtime::Runtime, call: C) -> Duration
where
    C: Fn() -> F + Clone + Send + 'static,
    F: Future<Output = ()> + Send,
{
    runtime.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let call = call.clone();
                tokio::spawn(async move {
                    for _ in 0..CALLS_PER_TASK {
                        call().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("the task ran");
        }
        start.elapsed()
    })
}

fn benches(c: &mut Criterion) {
    let runtime = multi_thread();
    let warm = runtime.block_on(async {
        let source = source(Arc::new(Canned { latency: Duration::ZERO, calls: AtomicUsize::new(0) }));
        source.token().await.expect("a token");
        source
    });
    let baseline = Arc::new(RwLock::new(Arc::<str>::from(TOKEN)));

    let mut group = c.benchmark_group(GROUP);
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let guard = runtime.enter();
    group.bench_function("cached_token", |b| b.iter(|| measured_cached_token(&warm)));
    drop(guard);
    group.bench_function("rwlock_arc_str", |b| b.iter(|| measured_rwlock_read_clone(&baseline)));
    let (flags, clocks) = (flag_cache(), clock_cache());
    group.bench_function("fresh_flag_path", |b| b.iter(|| measured_flag_path(&flags)));
    {
        let _guard = runtime.enter();
        group.bench_function("fresh_clock_path", |b| b.iter(|| measured_clock_path(&clocks, &TokioRuntime)));
    }
    let per_call =
        |elapsed: Duration, iters: u64| elapsed.mul_f64(iters as f64 / (TASKS as u64 * CALLS_PER_TASK) as f64);
    group.bench_function("cached_token_64_tasks", |b| {
        b.iter_custom(|iters| {
            let source = warm.clone();
            let elapsed = concurrent(&runtime, move || {
                let source = source.clone();
                async move {
                    black_box(source.token().await.expect("cached"));
                }
            });
            per_call(elapsed, iters)
        });
    });
    group.bench_function("rwlock_arc_str_64_tasks", |b| {
        b.iter_custom(|iters| {
            let baseline = baseline.clone();
            let elapsed = concurrent(&runtime, move || {
                let value = Arc::clone(&baseline.read().expect("not poisoned"));
                async move {
                    black_box(value);
                }
            });
            per_call(elapsed, iters)
        });
    });
    group.bench_function("fresh_flag_path_64_tasks", |b| {
        b.iter_custom(|iters| {
            let flags = flags.clone();
            let elapsed = concurrent(&runtime, move || {
                measured_flag_path(&flags);
                async {}
            });
            per_call(elapsed, iters)
        });
    });
    group.bench_function("fresh_clock_path_64_tasks", |b| {
        b.iter_custom(|iters| {
            let clocks = clocks.clone();
            let elapsed = concurrent(&runtime, move || {
                measured_clock_path(&clocks, &TokioRuntime);
                async {}
            });
            per_call(elapsed, iters)
        });
    });
    group.finish();
}

/// Cold cache, `STAMPEDE` callers at once, a transport that takes `TRANSPORT_LATENCY`.
fn stampede(runtime: &tokio::runtime::Runtime) -> (usize, Duration, Duration) {
    runtime.block_on(async {
        let single = Arc::new(Canned { latency: TRANSPORT_LATENCY, calls: AtomicUsize::new(0) });
        let start = Instant::now();
        source(single).token().await.expect("a token");
        let one_call = start.elapsed();

        let transport = Arc::new(Canned { latency: TRANSPORT_LATENCY, calls: AtomicUsize::new(0) });
        let source = source(transport.clone());
        let start = Instant::now();
        let callers: Vec<_> = (0..STAMPEDE)
            .map(|_| {
                let source = source.clone();
                tokio::spawn(async move { source.token().await.map(|_| ()) })
            })
            .collect();
        for caller in callers {
            caller.await.expect("the caller ran").expect("every caller gets the token");
        }
        (transport.calls.load(Ordering::SeqCst), start.elapsed(), one_call)
    })
}

fn median(path: &std::path::Path) -> Option<f64> {
    let text = std::fs::read_to_string(path.join("new/estimates.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

#[allow(clippy::print_stdout, reason = "the comparison is this benchmark's output")]
fn main() {
    // Profiling mode for callgrind (`cargo xtask bench`): each measured function N times, then exit.
    if let Some(runs) = std::env::var("OAUTH_BENCH_PROFILE_RUNS").ok().and_then(|n| n.parse::<u32>().ok()) {
        let runtime = multi_thread();
        let _guard = runtime.enter();
        let source = runtime.block_on(async {
            let source = source(Arc::new(Canned { latency: Duration::ZERO, calls: AtomicUsize::new(0) }));
            source.token().await.expect("a token");
            source
        });
        let baseline = RwLock::new(Arc::<str>::from(TOKEN));
        let (flags, clocks) = (flag_cache(), clock_cache());
        for _ in 0..runs {
            measured_cached_token(&source);
            measured_rwlock_read_clone(&baseline);
            measured_flag_path(&flags);
            measured_clock_path(&clocks, &TokioRuntime);
        }
        println!("profiled {runs} runs of each measured function");
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();

    let dir = std::env::var_os("CRITERION_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target/criterion"))
        .join(GROUP);
    let get = |name: &str| median(&dir.join(name));
    println!(
        "\ntoken source, cached path: criterion median per call ({TASKS}-task rows: {TASKS} tasks x {CALLS_PER_TASK} calls on the runtime's worker threads)\n"
    );
    println!("{:<40} {:>12} {:>14}", "contestant", "median", "vs baseline");
    for (ours, theirs, label) in [
        ("cached_token", "rwlock_arc_str", "one thread"),
        ("cached_token_64_tasks", "rwlock_arc_str_64_tasks", "64 tasks"),
    ] {
        if let (Some(a), Some(b)) = (get(ours), get(theirs)) {
            println!("{:<40} {:>10.1} ns {:>13.2}x", format!("TokenSource::token ({label})"), a, a / b);
            println!("{:<40} {:>10.1} ns {:>13.2}x", format!("RwLock<Arc<str>> read+clone ({label})"), b, 1.0);
        }
    }
    println!("\nfresh path: how a cached token is known fresh (bare replicas of the source's cache)\n");
    println!("{:<40} {:>12} {:>14}", "path", "median", "vs flag path");
    for (clock, flag, label) in [
        ("fresh_clock_path", "fresh_flag_path", "one thread"),
        ("fresh_clock_path_64_tasks", "fresh_flag_path_64_tasks", "64 tasks"),
    ] {
        if let (Some(a), Some(b)) = (get(clock), get(flag)) {
            println!("{:<40} {:>10.1} ns {:>13.2}x", format!("clock read + compare ({label})"), a, a / b);
            println!("{:<40} {:>10.1} ns {:>13.2}x", format!("timer-raised flag ({label})"), b, 1.0);
        }
    }
    let (calls, all_served, one_call) = stampede(&multi_thread());
    println!("\nstampede: {STAMPEDE} callers on a cold cache, transport latency {TRANSPORT_LATENCY:?}");
    println!("  transport calls: {calls} (goal: 1) {}", if calls == 1 { "PASS" } else { "FAIL" });
    println!(
        "  all served in {all_served:.2?}; one transport call alone {one_call:.2?}; ratio {:.2}x",
        all_served.as_secs_f64() / one_call.as_secs_f64()
    );
}
