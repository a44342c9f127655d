//! Test support: tokio runtime seams (virtual time under `start_paused`), a scripted mock
//! transport that records what it was sent, and helpers to see whether a call waited.

#![allow(dead_code, reason = "each test file uses part of the support")]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub(crate) mod memory_store;

use oauth_token_source::{BoxFuture, Runtime, Transport, TransportError};

/// tokio's clock, timer and spawner. Under `#[tokio::test(start_paused = true)]` time is
/// virtual: it jumps to the next timer when every task is idle, so no test really sleeps.
#[derive(Clone, Copy, Default)]
pub(crate) struct Tokio;

impl Runtime for Tokio {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn spawn(&self, future: BoxFuture<()>) {
        drop(tokio::spawn(future));
    }
}

/// The wall-clock time at which a [`Virtual`] runtime starts: 1 700 000 000 s after the epoch,
/// `Tue, 14 Nov 2023 22:13:20 GMT` — a whole second, so HTTP-dates land exactly on it.
pub(crate) fn wall_start() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Like [`Tokio`], plus: a wall clock that follows tokio's virtual clock (starting at
/// [`wall_start`]), and control over the background tasks the token source spawns.
#[derive(Clone)]
pub(crate) struct Virtual {
    start: tokio::time::Instant,
    spawns: Arc<Spawns>,
}

#[derive(Default)]
struct Spawns {
    handles: Mutex<Vec<tokio::task::AbortHandle>>,
    /// How many of the next spawned futures to drop without running them.
    drop_next: AtomicUsize,
    count: AtomicUsize,
}

impl Virtual {
    /// A runtime whose clocks start now (call inside a paused-time test).
    pub(crate) fn new() -> Self {
        Self { start: tokio::time::Instant::now(), spawns: Arc::default() }
    }

    /// The tokio instant this runtime started at.
    pub(crate) fn start(&self) -> tokio::time::Instant {
        self.start
    }

    /// Virtual time since the runtime started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Aborts the task spawned last (as a runtime shutting down would), if it is still running.
    pub(crate) fn abort_latest_spawn(&self) {
        if let Some(handle) = self.spawns.handles.lock().unwrap().pop() {
            handle.abort();
        }
    }

    /// The next spawned future is dropped without ever being polled (as a runtime that is
    /// shutting down drops the work it is handed).
    pub(crate) fn drop_next_spawn(&self) {
        self.spawns.drop_next.fetch_add(1, Ordering::SeqCst);
    }

    /// Every spawned future from now on is dropped without being polled (as a runtime that has
    /// shut down, or a per-call runtime dropped after `block_on`, would).
    pub(crate) fn drop_every_spawn(&self) {
        self.spawns.drop_next.store(usize::MAX, Ordering::SeqCst);
    }

    /// How many futures the token source has handed to `spawn`.
    pub(crate) fn spawned(&self) -> usize {
        self.spawns.count.load(Ordering::SeqCst)
    }
}

impl Runtime for Virtual {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn wall_clock(&self) -> SystemTime {
        wall_start() + self.start.elapsed()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn spawn(&self, future: BoxFuture<()>) {
        self.spawns.count.fetch_add(1, Ordering::SeqCst);
        let dropped =
            self.spawns.drop_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if dropped {
            drop(future);
            return;
        }
        let handle = tokio::spawn(future);
        self.spawns.handles.lock().unwrap().push(handle.abort_handle());
    }
}

/// Holds scripted answers back until opened.
#[derive(Clone)]
pub(crate) struct Gate(Arc<tokio::sync::Semaphore>);

impl Gate {
    pub(crate) fn closed() -> Self {
        Self(Arc::new(tokio::sync::Semaphore::new(0)))
    }

    /// Lets every held and future answer through.
    pub(crate) fn open(&self) {
        // A closed semaphore fails every `acquire` at once: the gate stays open for good.
        self.0.close();
    }
}

/// One scripted answer.
#[derive(Clone)]
pub(crate) enum Reply {
    /// Status, extra headers, JSON body.
    Http(u16, Vec<(&'static str, String)>, String),
    /// A transport failure.
    Fail(TransportError),
    /// No answer, ever.
    Hang,
    /// The answer, once the gate is open.
    Gated(Gate, Box<Self>),
}

/// A token answer: `{"access_token":…,"token_type":"Bearer","expires_in":…}` (+ refresh token).
pub(crate) fn token(access: &str, expires_in: u64, refresh: Option<&str>) -> Reply {
    let refresh = refresh.map(|r| format!(r#","refresh_token":"{r}""#)).unwrap_or_default();
    Reply::Http(
        200,
        vec![],
        format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":{expires_in}{refresh}}}"#),
    )
}

/// An OAuth error answer.
pub(crate) fn oauth_error(status: u16, code: &str) -> Reply {
    Reply::Http(status, vec![], format!(r#"{{"error":"{code}"}}"#))
}

/// An OAuth error answer with an `error_description`.
pub(crate) fn oauth_error_saying(status: u16, code: &str, description: &str) -> Reply {
    Reply::Http(status, vec![], format!(r#"{{"error":"{code}","error_description":"{description}"}}"#))
}

/// A bare status with an empty body.
pub(crate) fn status_only(status: u16) -> Reply {
    Reply::Http(status, vec![], String::new())
}

/// A bare status with `Retry-After: {value}` and an empty body.
pub(crate) fn retry_after(status: u16, value: &str) -> Reply {
    Reply::Http(status, vec![("retry-after", value.to_owned())], String::new())
}

/// A transport failure of `kind`.
pub(crate) fn fail(kind: oauth_token_source::TransportErrorKind) -> Reply {
    Reply::Fail(TransportError::new(kind))
}

/// One request as the transport saw it.
#[derive(Clone, Debug)]
pub(crate) struct Sent {
    /// When it arrived (virtual time).
    pub(crate) at: tokio::time::Instant,
    /// The `Authorization` header, if any.
    pub(crate) authorization: Option<String>,
    /// The form body.
    pub(crate) body: String,
}

/// A transport whose answers are scripted; the last one repeats. Each call waits `latency`
/// (virtual time) and records the request's time, `Authorization` header and body.
#[derive(Clone)]
pub(crate) struct Scripted {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    calls: Arc<AtomicUsize>,
    sent: Arc<Mutex<Vec<Sent>>>,
    latency: Duration,
}

impl Scripted {
    pub(crate) fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Self {
            replies: Arc::new(Mutex::new(replies.into_iter().collect())),
            calls: Arc::new(AtomicUsize::new(0)),
            sent: Arc::new(Mutex::new(Vec::new())),
            latency: Duration::ZERO,
        }
    }

    pub(crate) fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub(crate) fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.sent().into_iter().map(|s| s.body).collect()
    }

    pub(crate) fn authorizations(&self) -> Vec<Option<String>> {
        self.sent().into_iter().map(|s| s.authorization).collect()
    }

    /// Virtual time of each request since `start`.
    pub(crate) fn times_since(&self, start: tokio::time::Instant) -> Vec<Duration> {
        self.sent().into_iter().map(|s| s.at - start).collect()
    }

    /// Adds an answer after the scripted ones (the last answer still repeats).
    pub(crate) fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    /// Replaces the answers still to come.
    pub(crate) fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        *self.replies.lock().unwrap() = replies.into_iter().collect();
    }
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.sent.lock().unwrap().push(Sent {
            at: tokio::time::Instant::now(),
            authorization: request
                .headers()
                .get(http::header::AUTHORIZATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            body: String::from_utf8_lossy(request.body()).into_owned(),
        });
        let mut reply = {
            let mut replies = self.replies.lock().unwrap();
            if replies.len() > 1 { replies.pop_front() } else { replies.front().cloned() }
        }
        .expect("a scripted reply");
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        loop {
            match reply {
                Reply::Http(status, headers, body) => {
                    let mut builder =
                        http::Response::builder().status(status).header("content-type", "application/json");
                    for (name, value) in headers {
                        builder = builder.header(name, value);
                    }
                    return Ok(builder.body(body.into_bytes()).unwrap());
                }
                Reply::Fail(error) => return Err(error),
                Reply::Hang => std::future::pending::<()>().await,
                Reply::Gated(gate, inner) => {
                    // Closed is the only way out (no permit is ever added): the gate was opened.
                    let _ = gate.0.acquire().await;
                    reply = *inner;
                }
            }
        }
    }
}

/// A client-credentials configuration at a loopback endpoint, with a fixed method
/// (`client_secret_post`: no fallback).
pub(crate) fn config() -> oauth_core::TokenConfig {
    oauth_providers::rfc6749::Builder::new("http://127.0.0.1:9/token")
        .client("app", "s3cr3t")
        .auth_method(oauth_core::AuthMethod::Post)
        .build()
        .unwrap()
        .token_config()
        .unwrap()
        .clone()
}

/// The auto-authentication client-credentials profile (`rfc6749::client_credentials`: Basic
/// percent → Basic raw → post) for client `app` with secret `s3 cr:t`, whose space and colon
/// make the three spellings differ.
pub(crate) fn auto_config() -> oauth_core::TokenConfig {
    oauth_providers::rfc6749::client_credentials("http://127.0.0.1:9/token", "app", "s3 cr:t")
        .unwrap()
        .token_config()
        .unwrap()
        .clone()
}

/// What a caller experienced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Experience {
    /// Whether the future returned `Pending` at least once: it could not answer at once.
    pub(crate) suspended: bool,
    /// Virtual time from first poll to completion.
    pub(crate) elapsed: Duration,
}

impl Experience {
    /// Answered in its first poll, with no virtual time passing.
    pub(crate) fn at_once(self) -> bool {
        !self.suspended && self.elapsed.is_zero()
    }
}

/// Awaits `future` and reports whether it ever suspended and how much virtual time it took.
///
/// Under paused time the clock moves only when every task is idle, so a call that waited for
/// a transport (which takes virtual time) shows both `suspended` and a non-zero `elapsed`; a
/// call served from the cache shows neither.
pub(crate) async fn experience<F: Future>(future: F) -> (F::Output, Experience) {
    let started = tokio::time::Instant::now();
    let mut future = std::pin::pin!(future);
    let mut suspended = false;
    let output = std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(value) => Poll::Ready(value),
        Poll::Pending => {
            suspended = true;
            Poll::Pending
        }
    })
    .await;
    (output, Experience { suspended, elapsed: started.elapsed() })
}

/// Runs all `futures` concurrently on the current task and returns their outputs in order.
pub(crate) async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx: &mut Context<'_>| {
        let mut all = true;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *slot = Some(value),
                    Poll::Pending => all = false,
                }
            }
        }
        if all { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    done.into_iter().map(|v| v.expect("every future finished")).collect()
}

/// Lets spawned tasks run as far as they can without the clock moving.
pub(crate) async fn settle() {
    for _ in 0..16 {
        tokio::task::yield_now().await;
    }
}

/// Runs `f` on another thread and says whether it finished within `limit` of real time. Used
/// to show a call does not block on a lock held elsewhere: when it does not, it returns at once
/// and nothing really waits; when it does, the test fails instead of hanging.
pub(crate) fn finishes_on_another_thread(limit: Duration, f: impl FnOnce() + Send + 'static) -> bool {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    finished.recv_timeout(limit).is_ok()
}

/// A `tracing` subscriber that writes formatted events into a shared buffer, for the current
/// thread (paused-time tests run every task on the test's thread).
#[derive(Clone, Default)]
pub(crate) struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Starts capturing every event at every level until the guard is dropped.
    pub(crate) fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogWriter(logs.0.clone()))
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
