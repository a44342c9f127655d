//! `FetchGuard`: a fetch being performed, handed back to the lifecycle however it ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use oauth_core::{Completion, Fetch, FetchGrant, Token, TokenError, bearer_header};

use super::exchange::deadline;
use super::{Cached, Exchange, Mode, TokenSource};
use crate::{ClientError, events};

/// A fetch being performed. Dropped without `complete` (its caller was cancelled, or the
/// runtime dropped the refresh task), it hands the fetch back and wakes the waiters, so one of
/// them fetches instead.
pub(super) struct FetchGuard {
    source: TokenSource,
    fetch: Option<Fetch>,
}

impl FetchGuard {
    /// Guards `fetch`, which `source` (an exchanging source) handed out.
    pub(super) fn new(source: TokenSource, fetch: Fetch) -> Self {
        Self { source, fetch: Some(fetch) }
    }

    /// The source the fetch is for.
    pub(super) fn source(&self) -> &TokenSource {
        &self.source
    }

    /// Which grant the fetch uses.
    pub(super) fn grant(&self) -> FetchGrant {
        self.fetch.as_ref().map_or(FetchGrant::Primary, |f| f.grant().clone())
    }

    fn exchange(source: &TokenSource) -> &Exchange {
        match &source.inner.mode {
            Mode::Exchange(ex) => ex,
            // Invariant: guards are made only by exchange-mode sources.
            Mode::Static(_) => unreachable!("a static source never fetches"),
        }
    }

    /// Records the result, publishes a new token, and wakes the waiters. With `will_retry`, a
    /// refused refresh token is not reported to waiters (the caller fetches again with the
    /// primary grant).
    pub(super) fn complete(
        mut self,
        result: Result<Token, ClientError>,
        will_retry: bool,
    ) -> (Completion, Result<Arc<Cached>, ClientError>) {
        let source = self.source.clone();
        let ex = Self::exchange(&source);
        let Some(fetch) = self.fetch.take() else {
            // Invariant: a guard is completed once, and holds its fetch until then.
            return (Completion::Failed, Err(deadline(ex, 0, None)));
        };
        let id = fetch.id();
        // A token no header can carry is refused here, so the lifecycle only ever holds usable ones.
        let result = result.and_then(|token| match bearer_header(token.access_token()) {
            Ok(_) => Ok(token),
            Err(misuse) => Err(ClientError::from(TokenError::from(misuse))),
        });
        let mut state = ex.lock();
        let outcome = match state.lifecycle.complete(fetch, result) {
            (completion, None) => {
                state.failure = None;
                // The lifecycle's copy carries a kept refresh token; publish that one.
                match state.lifecycle.token().map(|stored| ex.entry_for(stored, state.lifecycle.refresh_at())) {
                    Some(cached) => {
                        state.fetched = Some((id, cached.clone()));
                        (completion, Ok(cached))
                    }
                    None => (completion, Err(deadline(ex, 0, None))),
                }
            }
            (completion, Some(error)) => {
                if !(completion == Completion::RefreshRejected && will_retry) {
                    state.failure = Some((id, error.clone()));
                }
                (completion, Err(error))
            }
        };
        ex.fetching.store(state.lifecycle.is_fetching(), Ordering::Release);
        drop(state);
        ex.changed.notify(usize::MAX);
        outcome
    }
}

impl Drop for FetchGuard {
    fn drop(&mut self) {
        if let Some(fetch) = self.fetch.take() {
            let ex = Self::exchange(&self.source);
            let mut state = ex.lock();
            state.lifecycle.abandon(fetch);
            ex.fetching.store(state.lifecycle.is_fetching(), Ordering::Release);
            drop(state);
            tracing::debug!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::FETCH_HANDED_BACK);
            ex.changed.notify(usize::MAX);
        }
    }
}
