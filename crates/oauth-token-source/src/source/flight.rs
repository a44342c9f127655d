//! The slow path: under the lifecycle's lock, decide who fetches, who waits and who is served,
//! so however many callers arrive, one request goes out.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use oauth_core::{Completion, Decision, Fetch};

use super::exchange::deadline;
use super::fetch::FetchGuard;
use super::{Cached, Exchange, Mode, TokenSource};
use crate::race::{Either, race};
use crate::{ClientError, events};

/// What a caller on the slow path does next, with owned values (the lock is released).
enum Next {
    /// Serve this entry; with a fetch, refresh ahead of expiry in the background.
    Serve(Arc<Cached>, Option<Fetch>),
    /// Perform this fetch.
    Fetch(Fetch),
    /// Wait for the fetch with this id (listening since before the lock was released).
    Wait(Option<u64>, event_listener::EventListener),
}

impl TokenSource {
    /// Serves, fetches or waits until there is a token, an error, or the deadline.
    pub(super) async fn slow_path(&self, ex: &Exchange, mut now: Instant) -> Result<Arc<Cached>, ClientError> {
        let deadline_at = now.checked_add(ex.policy.deadline());
        let started = now;
        let mut fell_back = false;
        let mut counted_wait = false;
        loop {
            match self.next_step(ex, now) {
                Next::Serve(cached, fetch) => {
                    if let Some(fetch) = fetch {
                        self.spawn_refresh(fetch);
                    }
                    return Ok(cached);
                }
                Next::Fetch(fetch) => {
                    let guard = FetchGuard::new(self.clone(), fetch);
                    let result = self.obtain(ex, guard.grant(), deadline_at).await;
                    let may_fall_back = !fell_back && !ex.refresh_only && ex.config.request().grant().is_replay_safe();
                    match guard.complete(result, may_fall_back) {
                        (Completion::RefreshRejected, Err(_)) if may_fall_back => {
                            // The refresh token is gone; fetch once more with the primary grant.
                            fell_back = true;
                            now = self.inner.runtime.now();
                        }
                        (_, result) => return result,
                    }
                }
                Next::Wait(waiting_for, listener) => {
                    if !counted_wait {
                        counted_wait = true;
                        metrics::counter!(crate::metric_names::WAITERS, "endpoint" => ex.host.to_string()).increment(1);
                    }
                    let remaining =
                        deadline_at.map_or(std::time::Duration::MAX, |at| at.saturating_duration_since(now));
                    let span = tracing::debug_span!(target: "oauth_token_source", "wait", endpoint = %ex.host);
                    let wake = race(listener, self.inner.runtime.sleep(remaining));
                    if let Either::Right(()) = tracing::Instrument::instrument(wake, span).await {
                        return Err(deadline(ex, 0, None));
                    }
                    now = self.inner.runtime.now();
                    let state = ex.lock();
                    if let Some(waited) = waiting_for {
                        if let Some((_, cached)) = state.fetched.as_ref().filter(|(id, _)| *id == waited) {
                            record_wait(ex, started, now);
                            return Ok(cached.clone());
                        }
                        if let Some((_, error)) = state.failure.as_ref().filter(|(id, _)| *id == waited) {
                            record_wait(ex, started, now);
                            return Err(error.clone());
                        }
                    }
                }
            }
        }
    }

    /// Asks the lifecycle what to do at `now`, under the lock, and returns owned values.
    fn next_step(&self, ex: &Exchange, now: Instant) -> Next {
        let mut state = ex.lock();
        let refresh_at = state.lifecycle.refresh_at();
        let next = match state.lifecycle.poll(now) {
            Decision::Ready(token) => Next::Serve(ex.entry_for(token, refresh_at), None),
            Decision::RefreshAhead(token, fetch) => Next::Serve(ex.entry_for(token, refresh_at), fetch),
            Decision::Fetch(fetch) => Next::Fetch(fetch),
            Decision::Wait => Next::Wait(None, ex.changed.listen()),
        };
        match next {
            Next::Wait(_, listener) => Next::Wait(state.lifecycle.in_flight_id(), listener),
            Next::Fetch(_) | Next::Serve(_, Some(_)) => {
                ex.fetching.store(true, Ordering::Release);
                next
            }
            Next::Serve(_, None) => next,
        }
    }

    /// Runs a refresh ahead of expiry in the background; callers keep the current token.
    fn spawn_refresh(&self, fetch: Fetch) {
        // The guard exists before the runtime gets the future: if the runtime drops it unpolled
        // (shutting down, refusing work), the guard's drop still hands the fetch back.
        let guard = FetchGuard::new(self.clone(), fetch);
        let Mode::Exchange(ex) = &self.inner.mode else { return };
        tracing::debug!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::REFRESHING_AHEAD);
        let span = tracing::info_span!(target: "oauth_token_source", "refresh", endpoint = %ex.host);
        self.inner.runtime.spawn(Box::pin(tracing::Instrument::instrument(
            async move {
                let source = guard.source().clone();
                let Mode::Exchange(ex) = &source.inner.mode else { return };
                let deadline_at = source.inner.runtime.now().checked_add(ex.policy.deadline());
                let result = source.obtain(ex, guard.grant(), deadline_at).await;
                // A refused refresh token is not the waiters' error when the primary grant can
                // take over: they fetch again with it.
                let may_fall_back = !ex.refresh_only && ex.config.request().grant().is_replay_safe();
                if let (_, Err(error)) = guard.complete(result, may_fall_back) {
                    tracing::warn!(target: "oauth_token_source", endpoint = %ex.host, error = %error.chain(),
                    "{}", events::REFRESH_AHEAD_FAILED);
                    if let Some(hook) = &ex.on_refresh_error {
                        hook(&error);
                    }
                }
            },
            span,
        )));
    }
}

fn record_wait(ex: &Exchange, started: Instant, now: Instant) {
    metrics::histogram!(crate::metric_names::WAIT_SECONDS, "endpoint" => ex.host.to_string())
        .record(now.saturating_duration_since(started).as_secs_f64());
}
