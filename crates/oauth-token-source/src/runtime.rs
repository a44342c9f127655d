//! The runtime seam: the clock, sleeping, and spawning — supplied by an adapter.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// A boxed future, as the runtime seam passes them.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a token source needs from an async runtime: the time, a timer, and a way to run a
/// refresh in the background. oauth-token-source has no runtime of its own; adapters supply one
/// (for tokio: `Instant::now`, `tokio::time::sleep`, `tokio::spawn`), and tests supply a
/// virtual clock.
pub trait Runtime: Send + Sync + 'static {
    /// The current time. Token expiry is measured on this clock.
    fn now(&self) -> Instant;

    /// The wall-clock time, to read a `Retry-After` given as an HTTP-date. Defaults to
    /// [`SystemTime::now`]; a test runtime can move it with its virtual clock.
    fn wall_clock(&self) -> SystemTime {
        SystemTime::now()
    }

    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<()>;

    /// Runs `future` to completion in the background: a refresh ahead of expiry, so that no
    /// caller waits for it. A runtime should run what it is given; if it drops a refresh
    /// unfinished, the token source notices and the next caller fetches.
    fn spawn(&self, future: BoxFuture<()>);
}

impl<R: Runtime + ?Sized> Runtime for Arc<R> {
    fn now(&self) -> Instant {
        (**self).now()
    }

    fn wall_clock(&self) -> SystemTime {
        (**self).wall_clock()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<()> {
        (**self).sleep(duration)
    }

    fn spawn(&self, future: BoxFuture<()>) {
        (**self).spawn(future);
    }
}
