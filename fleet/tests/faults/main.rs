//! The fleet's faults, each against a real `redis-server` on 127.0.0.1 and the testkit's
//! emulated token endpoint: Redis down at start or mid-run, stalled, refusing writes; a lease
//! holder killed mid-fetch; a foreign value under the key; clocks 30 s apart; the token
//! endpoint refusing the client. Processes are token sources with stores of their own (one
//! connection each), as separate processes would have.

mod resp;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use oauth_core::ErrorCode;
use oauth_testkit::{Fault, RedisServer, Rfc6749};
use oauth_token_source::{BoxFuture, Runtime, StoreKey, StoreOptions, TokenSource, events};
use resp::cmd;

/// Short leases and timeouts, so faults resolve in test time.
fn options() -> StoreOptions {
    StoreOptions::default()
        .with_lease(Duration::from_secs(2))
        .with_op_timeout(Duration::from_millis(300))
        .with_retry_after_failure(Duration::from_secs(1))
}

fn store(url: &str) -> oauth_redis::RedisStore {
    oauth_redis::RedisStore::builder(url, oauth_redis::EncryptionKey::from_bytes([7; 32]))
        .namespace("faults")
        .build()
        .unwrap()
}

fn process(emulator: &Rfc6749, redis_url: &str, runtime: impl Runtime) -> TokenSource {
    let transport =
        oauth_reqwest::ReqwestTransport::from_builder(oauth_reqwest::reqwest::Client::builder().no_proxy()).unwrap();
    TokenSource::builder(emulator.profile(), transport, runtime)
        .store_with(store(redis_url), options())
        .build()
        .unwrap()
}

fn fleet(emulator: &Rfc6749, redis_url: &str, n: usize) -> Vec<TokenSource> {
    (0..n).map(|_| process(emulator, redis_url, oauth_reqwest::TokioRuntime)).collect()
}

/// Every `tracing` event's message, to count warnings.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<u8>>>);

impl Events {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.0.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn count(&self, message: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap()).matches(message).count()
    }
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn redis_down_at_start_the_fleet_keeps_serving_with_one_warning() {
    let events = Events::default();
    let _capture = events.capture();
    let emulator = Rfc6749::start().await;
    let mut redis = RedisServer::start().unwrap();
    let url = redis.url();
    redis.stop();
    let sources = fleet(&emulator, &url, 2);
    for source in &sources {
        source.token().await.expect("served without the store");
        source.invalidate();
        source.token().await.expect("served again");
    }
    assert_eq!(emulator.controls().token_requests(), 4, "each process fetched on its own");
    assert_eq!(events.count(events::STORE_UNAVAILABLE), 2, "one warning per process");
}

#[tokio::test(flavor = "current_thread")]
async fn redis_down_mid_run_then_back_sharing_resumes() {
    let events = Events::default();
    let _capture = events.capture();
    let emulator = Rfc6749::start().await;
    let mut redis = RedisServer::start().unwrap();
    let sources = fleet(&emulator, &redis.url(), 2);
    sources[0].token().await.unwrap();
    sources[1].token().await.unwrap();
    assert_eq!(emulator.controls().token_requests(), 1, "shared");

    redis.kill();
    for source in &sources {
        source.invalidate();
        source.token().await.expect("no error to callers while the token endpoint works");
    }
    assert_eq!(emulator.controls().token_requests(), 3, "each fetched alone while Redis was down");
    assert_eq!(events.count(events::STORE_UNAVAILABLE), 2, "one warning per process");

    redis.restart().unwrap();
    tokio::time::sleep(options().retry_after_failure + Duration::from_millis(100)).await;
    sources[0].invalidate();
    sources[0].token().await.unwrap();
    sources[1].invalidate();
    let shared = sources[1].token().await.unwrap();
    assert!(shared.secret() == sources[0].token().await.unwrap().secret(), "sharing again");
    assert_eq!(emulator.controls().token_requests(), 4);
    assert_eq!(events.count(events::STORE_RECOVERED), 2, "each process says the store is back");
}

#[tokio::test(flavor = "current_thread")]
async fn a_stalled_redis_costs_a_time_limit_not_an_error() {
    let events = Events::default();
    let _capture = events.capture();
    let emulator = Rfc6749::start().await;
    // Redis 7 refuses DEBUG unless told otherwise.
    let redis = RedisServer::start_with(&["--enable-debug-command", "yes"]).unwrap();
    let source = process(&emulator, &redis.url(), oauth_reqwest::TokioRuntime);
    source.token().await.unwrap(); // connected
    source.invalidate();
    let port = redis.port();
    let stall = std::thread::spawn(move || cmd(port, &["DEBUG", "SLEEP", "2"]));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    source.token().await.expect("served while Redis is stalled");
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    assert_eq!(stall.join().unwrap(), "+OK", "Redis really stalled");
    assert_eq!(emulator.controls().token_requests(), 2, "fetched alone while Redis was stalled");
    assert_eq!(events.count(events::STORE_UNAVAILABLE), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn redis_refusing_writes_is_stepped_around() {
    let events = Events::default();
    let _capture = events.capture();
    let emulator = Rfc6749::start().await;
    let redis = RedisServer::start().unwrap();
    assert_eq!(cmd(redis.port(), &["CONFIG", "SET", "maxmemory-policy", "noeviction"]), "+OK");
    assert_eq!(cmd(redis.port(), &["CONFIG", "SET", "maxmemory", "1"]), "+OK");
    let sources = fleet(&emulator, &redis.url(), 2);
    for source in &sources {
        source.token().await.expect("served though Redis refuses writes");
        source.invalidate();
        source.token().await.expect("and again");
    }
    assert_eq!(emulator.controls().token_requests(), 4, "nothing could be shared");
    assert_eq!(events.count(events::STORE_UNAVAILABLE), 2, "Redis refused, said once per process");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_killed_mid_fetch_is_replaced_by_exactly_one_process() {
    let emulator = Rfc6749::start().await;
    let redis = RedisServer::start().unwrap();
    // What a process killed mid-fetch leaves behind: its lease, which nobody will release.
    let config = emulator.profile().token_config().unwrap().clone();
    let names = store(&redis.url()).redis_keys(&StoreKey::new(config.identity(), config.binding()));
    assert_eq!(cmd(redis.port(), &["SET", &names.lease, "a-killed-process", "PX", "2000"]), "+OK");
    let started = Instant::now();
    let tokens = all_tokens(fleet(&emulator, &redis.url(), 3)).await;
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "one token for all: {tokens:?}");
    assert_eq!(emulator.controls().token_requests(), 1, "exactly one process fetched");
    assert!(started.elapsed() >= Duration::from_millis(1500), "nobody fetched before the lease ran out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetch_whose_caller_gave_up_releases_its_lease() {
    let emulator = Rfc6749::start().await;
    let redis = RedisServer::start().unwrap();
    // The first token request hangs and its caller gives up (a request handler dropped): the
    // lease is released, so the next process fetches at once instead of waiting it out.
    emulator.controls().fail_next(Fault::Slow(Duration::from_secs(30)), 1);
    let impatient = process(&emulator, &redis.url(), oauth_reqwest::TokioRuntime);
    assert!(tokio::time::timeout(Duration::from_millis(300), impatient.token()).await.is_err());
    let started = Instant::now();
    let tokens = all_tokens(fleet(&emulator, &redis.url(), 2)).await;
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "{tokens:?}");
    assert!(started.elapsed() < Duration::from_millis(1500), "waited out a lease: {:?}", started.elapsed());
    assert_eq!(emulator.controls().token_requests(), 2, "the abandoned fetch and one more");
}

async fn all_tokens(sources: Vec<TokenSource>) -> Vec<String> {
    let handles: Vec<_> = sources
        .into_iter()
        .map(|s| tokio::spawn(async move { s.token().await.unwrap().secret().to_owned() }))
        .collect();
    let mut tokens = Vec::new();
    for handle in handles {
        tokens.push(handle.await.unwrap());
    }
    tokens
}

#[tokio::test(flavor = "current_thread")]
async fn a_foreign_or_corrupt_value_under_the_key_is_a_miss() {
    let emulator = Rfc6749::start().await;
    let redis = RedisServer::start().unwrap();
    let first = process(&emulator, &redis.url(), oauth_reqwest::TokioRuntime);
    first.token().await.unwrap();
    let key = keys_first(redis.port());
    assert!(key.starts_with("faults:token:"), "the entry exists: {key}");
    for garbage in ["not a token", "\u{0}\u{1}\u{2}", "{\"v\":1,\"access_token\":\"forged\"}"] {
        assert_eq!(cmd(redis.port(), &["SET", &key, garbage]), "+OK");
        let other = process(&emulator, &redis.url(), oauth_reqwest::TokioRuntime);
        let token = other.token().await.expect("a miss, then a fetch");
        assert_ne!(token.secret(), "forged");
    }
    assert_eq!(emulator.controls().token_requests(), 4);
}

/// The one token entry's key.
fn keys_first(port: u16) -> String {
    let reply = resp::command_array(port, &[b"KEYS", b"faults:token:*"]);
    reply.into_iter().next().unwrap_or_default()
}

/// A runtime whose wall clock is `offset_secs` off (the monotonic clock is the machine's).
#[derive(Clone, Copy)]
struct Skewed(i64);

impl Runtime for Skewed {
    fn now(&self) -> Instant {
        oauth_reqwest::TokioRuntime.now()
    }

    fn wall_clock(&self) -> SystemTime {
        let now = SystemTime::now();
        let offset = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 { now + offset } else { now - offset }
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<()> {
        oauth_reqwest::TokioRuntime.sleep(duration)
    }

    fn spawn(&self, future: BoxFuture<()>) {
        oauth_reqwest::TokioRuntime.spawn(future);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn clocks_30_s_apart_never_serve_a_token_past_its_real_expiry() {
    let emulator = Rfc6749::builder().expires_in(3).start().await;
    let redis = RedisServer::start().unwrap();
    let ahead = process(&emulator, &redis.url(), Skewed(30));
    let behind = process(&emulator, &redis.url(), Skewed(-30));
    let issued = Instant::now();
    let first = ahead.token().await.unwrap();
    let real_expiry = issued + Duration::from_secs(3) + Duration::from_millis(200);
    let served = behind.token().await.unwrap();
    assert_eq!(served.secret(), first.secret(), "shared");
    let held = behind.current_token().unwrap();
    assert!(held.expires_at().unwrap() <= real_expiry, "the behind process thinks it lives longer than it does");
    tokio::time::sleep_until(real_expiry.into()).await;
    assert_ne!(behind.token().await.unwrap().secret(), first.secret(), "served past its real expiry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_client_is_every_waiters_typed_error_and_the_lease_is_released() {
    let emulator = Rfc6749::builder().client("app", "the-right-secret").start().await;
    let redis = RedisServer::start().unwrap();
    let profile = oauth_providers::rfc6749::client_credentials(&emulator.token_url(), "app", "a-wrong-secret").unwrap();
    let sources: Vec<TokenSource> = (0..3)
        .map(|_| {
            let transport =
                oauth_reqwest::ReqwestTransport::from_builder(oauth_reqwest::reqwest::Client::builder().no_proxy())
                    .unwrap();
            TokenSource::builder(profile.clone(), transport, oauth_reqwest::TokioRuntime)
                .store_with(store(&redis.url()), options())
                .build()
                .unwrap()
        })
        .collect();
    let handles: Vec<_> =
        sources.into_iter().map(|s| tokio::spawn(async move { s.token().await.map(|_| ()) })).collect();
    for handle in handles {
        let error = handle.await.unwrap().unwrap_err();
        assert_eq!(error.code(), Some(&ErrorCode::InvalidClient), "{error}");
        assert!(!error.to_string().contains("a-wrong-secret"));
    }
    // One process fetched, trying each client authentication once; the others read its refusal.
    assert_eq!(emulator.controls().token_requests(), 3);
    assert_eq!(
        resp::command_array(redis.port(), &[b"KEYS", b"faults:lease:*"]),
        Vec::<String>::new(),
        "the lease was released"
    );
}
