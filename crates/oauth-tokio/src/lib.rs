//! The tokio [`Runtime`] for oauth-token-source: tokio's clock, timer and spawner.
//!
//! Both adapters (oauth-reqwest, oauth-hyper) and the testkit use it, so it lives once, here,
//! rather than in oauth-token-source (which has no runtime) or in each adapter.
//!
//! It reads time through `tokio::time::Instant`, so under tokio's paused test clock
//! (`#[tokio::test(start_paused = true)]`) token expiry follows virtual time.
//!
//! ```
//! use oauth_token_source::Runtime;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let runtime = oauth_tokio::TokioRuntime;
//! let before = runtime.now();
//! runtime.sleep(std::time::Duration::from_millis(1)).await;
//! assert!(runtime.now() > before);
//! # }
//! ```

use std::time::{Duration, Instant, SystemTime};

use oauth_token_source::{BoxFuture, Runtime};

/// tokio's clock (`tokio::time::Instant`), timer (`tokio::time::sleep`) and spawner
/// (`tokio::spawn`). Use it inside a tokio runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioRuntime;

impl Runtime for TokioRuntime {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    /// The wall clock moved by however far tokio's clock has moved since the process first
    /// asked, so that a paused test clock moves it too (real time otherwise).
    fn wall_clock(&self) -> SystemTime {
        use std::sync::OnceLock;
        static BASE: OnceLock<(SystemTime, tokio::time::Instant)> = OnceLock::new();
        let (wall, mono) = *BASE.get_or_init(|| (SystemTime::now(), tokio::time::Instant::now()));
        wall + tokio::time::Instant::now().saturating_duration_since(mono)
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn spawn(&self, future: BoxFuture<()>) {
        // Detached: the token source notices (through its fetch guard) if tokio drops it.
        drop(tokio::spawn(future));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_clocks_follow_paused_virtual_time() {
        let runtime = TokioRuntime;
        let (now, wall) = (runtime.now(), runtime.wall_clock());
        runtime.sleep(Duration::from_secs(3600)).await;
        assert_eq!(runtime.now() - now, Duration::from_secs(3600));
        let moved = runtime.wall_clock().duration_since(wall).unwrap();
        assert!(moved >= Duration::from_secs(3600) && moved < Duration::from_secs(3601), "{moved:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn spawned_work_runs() {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        TokioRuntime.spawn(Box::pin(async move {
            let _ = sender.send(7);
        }));
        assert_eq!(receiver.await.unwrap(), 7);
    }
}

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
