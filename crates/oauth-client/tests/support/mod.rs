//! Test support: a tokio runtime seam (virtual time under `start_paused`) and a scripted
//! mock transport that counts calls.

#![allow(dead_code, reason = "each test file uses part of the support")]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oauth_client::{BoxFuture, Runtime, Transport, TransportError};

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

/// One scripted answer.
#[derive(Clone)]
pub(crate) enum Reply {
    /// Status, extra headers, JSON body.
    Http(u16, Vec<(&'static str, String)>, String),
    /// A transport failure.
    Fail(TransportError),
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

/// A transport whose answers are scripted; the last one repeats. Each call waits `latency`
/// (virtual time) and records the request body.
#[derive(Clone)]
pub(crate) struct Scripted {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    calls: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<String>>>,
    latency: Duration,
}

impl Scripted {
    pub(crate) fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Self {
            replies: Arc::new(Mutex::new(replies.into_iter().collect())),
            calls: Arc::new(AtomicUsize::new(0)),
            bodies: Arc::new(Mutex::new(Vec::new())),
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

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }

    pub(crate) fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.bodies.lock().unwrap().push(String::from_utf8_lossy(request.body()).into_owned());
        let reply = {
            let mut replies = self.replies.lock().unwrap();
            if replies.len() > 1 { replies.pop_front() } else { replies.front().cloned() }
        };
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        match reply.expect("a scripted reply") {
            Reply::Http(status, headers, body) => {
                let mut builder = http::Response::builder().status(status).header("content-type", "application/json");
                for (name, value) in headers {
                    builder = builder.header(name, value);
                }
                Ok(builder.body(body.into_bytes()).unwrap())
            }
            Reply::Fail(error) => Err(error),
        }
    }
}

/// A client-credentials configuration at a loopback endpoint.
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
