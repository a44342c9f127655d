//! `TokenFuture`: ready at once on the fresh path, the boxed slow path only when needed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::ClientError;

/// The slow path (fetch, wait, refresh), boxed.
pub(super) type SlowPath<'a, T> = Pin<Box<dyn Future<Output = Result<T, ClientError>> + Send + 'a>>;

/// The answer of [`TokenSource::token`](crate::TokenSource::token) and its siblings: ready at
/// once when the cached token is fresh (the usual case), else the boxed slow path (fetch,
/// wait, refresh). Allocation-free on the fresh path.
#[must_use = "a future does nothing unless awaited"]
pub struct TokenFuture<'a, T> {
    state: State<'a, T>,
}

enum State<'a, T> {
    Ready(Option<Result<T, ClientError>>),
    Waiting(SlowPath<'a, T>),
}

impl<'a, T> TokenFuture<'a, T> {
    #[inline]
    pub(super) fn ready(value: Result<T, ClientError>) -> Self {
        Self { state: State::Ready(Some(value)) }
    }

    pub(super) fn waiting(future: SlowPath<'a, T>) -> Self {
        Self { state: State::Waiting(future) }
    }
}

// The value is only ever moved out, never pinned in place, and the slow path is boxed: moving
// the future is fine whatever `T` is.
impl<T> Unpin for TokenFuture<'_, T> {}

impl<T> Future for TokenFuture<'_, T> {
    type Output = Result<T, ClientError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            // Polled again after it finished (a caller's bug): an error, not a panic.
            State::Ready(value) => Poll::Ready(value.take().unwrap_or(Err(ClientError::Deadline {
                deadline: Duration::ZERO,
                attempts: 0,
                last: None,
            }))),
            State::Waiting(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T> fmt::Debug for TokenFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Waiting(_) => "waiting",
        };
        f.debug_struct("TokenFuture").field("state", &state).finish()
    }
}
