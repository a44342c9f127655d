//! A fetch through the fleet's store: use the shared token if it is fresh; otherwise one
//! process (the lease holder) fetches and writes it, and the others wait for that write. The
//! store failing or stalling never fails a caller: the source fetches on its own, warns once,
//! and tries the store again later.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use oauth_core::{AccessToken, FetchGrant, RefusalRecord, Token, TokenRecord};
use tracing::Instrument;

use super::exchange::{deadline, entropy};
use super::{Exchange, TokenSource};
use crate::error::Chain;
use crate::race::{Either, race};
use crate::store::{SharedEntry, StoreError, StoreErrorKind, StoreKey, StoreOptions, TokenStore};
use crate::{ClientError, events, metric_names as names};

/// A source's store, its key and what the source remembers about it.
pub(crate) struct Shared {
    pub(crate) store: Box<dyn TokenStore>,
    pub(crate) key: StoreKey,
    pub(crate) options: StoreOptions,
    /// Set after a failure: until then, fetch alone.
    down_until: Mutex<Option<Instant>>,
    /// The token a resource refused last: the store may still hold it, and must not serve it.
    refused: Mutex<Option<AccessToken>>,
}

impl Shared {
    pub(crate) fn new(store: Box<dyn TokenStore>, key: StoreKey, options: StoreOptions) -> Self {
        Self { store, key, options, down_until: Mutex::new(None), refused: Mutex::new(None) }
    }

    /// Remembers that a resource refused `token`.
    pub(crate) fn note_refused(&self, token: AccessToken) {
        *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = Some(token);
    }

    fn was_refused(&self, token: &Token) -> bool {
        let refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
        refused.as_ref().is_some_and(|r| r.secret() == token.access_token().secret())
    }
}

/// Why the shared path stepped aside.
struct StoreDown(StoreError);

impl TokenSource {
    /// Gets a token for `grant`: through the store when there is one and it works, else alone.
    pub(super) async fn obtain(
        &self,
        ex: &Exchange,
        grant: FetchGrant,
        deadline_at: Option<Instant>,
    ) -> Result<Token, ClientError> {
        let Some(shared) = &ex.shared else { return self.perform(ex, grant, deadline_at).await };
        let now = self.inner.runtime.now();
        let down = *shared.down_until.lock().unwrap_or_else(PoisonError::into_inner);
        if down.is_some_and(|until| now < until) {
            return self.perform(ex, grant, deadline_at).await;
        }
        match self.obtain_shared(ex, shared, grant.clone(), deadline_at).await {
            Ok(result) => {
                if down.is_some() {
                    *shared.down_until.lock().unwrap_or_else(PoisonError::into_inner) = None;
                    tracing::info!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::STORE_RECOVERED);
                }
                result
            }
            Err(StoreDown(error)) => {
                let retry_at = self.inner.runtime.now().checked_add(shared.options.retry_after_failure);
                let was_down = shared
                    .down_until
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .replace(retry_at.unwrap_or(now))
                    .is_some();
                if !was_down {
                    tracing::warn!(target: "oauth_token_source", endpoint = %ex.host, error = %Chain(&error),
                        "{}", events::STORE_UNAVAILABLE);
                }
                metrics::counter!(names::STORE_ERRORS, "endpoint" => ex.host.to_string()).increment(1);
                self.perform(ex, grant, deadline_at).await
            }
        }
    }

    /// The shared path; `Err` only when the store failed (the caller then fetches alone).
    async fn obtain_shared(
        &self,
        ex: &Exchange,
        shared: &Shared,
        grant: FetchGrant,
        deadline_at: Option<Instant>,
    ) -> Result<Result<Token, ClientError>, StoreDown> {
        let runtime = &self.inner.runtime;
        let owner = format!("{:016x}{:016x}", entropy(), entropy());
        let started = runtime.now();
        let mut polls = 0_u32;
        let mut waited = false;
        loop {
            let now = runtime.now();
            if deadline_at.is_some_and(|at| now >= at) {
                return Ok(Err(deadline(ex, 0, None)));
            }
            let (entry, clock) = self.read_shared(ex, shared).await?;
            let mut stored_refresh = None;
            match entry {
                Some(SharedEntry::Token(record)) => {
                    let token = record.into_token(runtime.now(), clock);
                    let fresh = ex.lock().lifecycle.is_fresh(&token, runtime.now()) && !shared.was_refused(&token);
                    if fresh {
                        count_read(ex, "hit");
                        if waited {
                            metrics::histogram!(names::WAIT_SECONDS, "endpoint" => ex.host.to_string())
                                .record(runtime.now().saturating_duration_since(started).as_secs_f64());
                        }
                        return Ok(Ok(token));
                    }
                    stored_refresh = token.refresh_token().cloned();
                    count_read(ex, "stale");
                }
                Some(SharedEntry::Refused(refusal)) => {
                    count_read(ex, "refused");
                    return Ok(Err(ClientError::from(refusal.into_error())));
                }
                _ => count_read(ex, "miss"),
            }
            let taken = self
                .store_op(ex, shared, "lease", shared.store.try_lease(&shared.key, &owner, shared.options.lease))
                .await?;
            if taken {
                // Another process may have written and released between the read above and
                // this lease: read once more before fetching a second token.
                if let (Some(SharedEntry::Token(record)), clock) = self.read_shared(ex, shared).await? {
                    let token = record.into_token(runtime.now(), clock);
                    if ex.lock().lifecycle.is_fresh(&token, runtime.now()) && !shared.was_refused(&token) {
                        count_read(ex, "hit");
                        let _ = self.store_op(ex, shared, "release", shared.store.release(&shared.key, &owner)).await;
                        return Ok(Ok(token));
                    }
                }
                if waited {
                    // Waited, and no token came: the holder failed or died and its lease ran out.
                    metrics::counter!(names::LEASE_TAKEOVERS, "endpoint" => ex.host.to_string()).increment(1);
                    tracing::info!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::LEASE_TAKEN_OVER);
                }
                return Ok(self.fetch_for_fleet(ex, shared, &owner, grant, stored_refresh, deadline_at).await);
            }
            if !waited {
                metrics::counter!(names::WAITERS, "endpoint" => ex.host.to_string()).increment(1);
                waited = true;
            }
            let mut pause = StoreOptions::poll_interval(polls).min(shared.options.lease);
            if let Some(at) = deadline_at {
                pause = pause.min(at.saturating_duration_since(runtime.now()));
            }
            polls = polls.saturating_add(1);
            let wait = shared.store.wait(&shared.key, pause);
            let span =
                tracing::debug_span!(target: "oauth_token_source", "store.wait", endpoint = %ex.host, poll = polls);
            // A store that cannot wait is as good as a sleep: the next read tells.
            if let Either::Left(Err(error)) =
                race(wait.instrument(span), runtime.sleep(pause + shared.options.op_timeout)).await
            {
                return Err(StoreDown(error));
            }
        }
    }

    /// The lease holder's fetch: fetch, share the outcome, give the lease back.
    async fn fetch_for_fleet(
        &self,
        ex: &Exchange,
        shared: &Shared,
        owner: &str,
        grant: FetchGrant,
        stored_refresh: Option<oauth_core::RefreshToken>,
        deadline_at: Option<Instant>,
    ) -> Result<Token, ClientError> {
        // The fleet's refresh token is the newest (another process may have rotated ours).
        let grant = match (grant, stored_refresh) {
            (FetchGrant::Refresh(_), Some(newest)) => FetchGrant::Refresh(newest),
            (grant, _) => grant,
        };
        let primary = matches!(grant, FetchGrant::Primary);
        let result = self.perform(ex, grant, deadline_at).await;
        let runtime = &self.inner.runtime;
        let written = match &result {
            Ok(token) => {
                let clock = self.store_clock(ex, shared).await.unwrap_or_else(|_| runtime.wall_clock());
                let record = TokenRecord::of(token, runtime.now(), clock);
                let left = token.expires_at().map(|at| at.saturating_duration_since(runtime.now()));
                let ttl = match (left, token.refresh_token()) {
                    (Some(left), None) => left,
                    (Some(left), Some(_)) => left.max(shared.options.refresh_token_ttl),
                    (None, _) => shared.options.refresh_token_ttl,
                };
                Some((SharedEntry::Token(record), ttl))
            }
            // Only the primary grant's refusal is the fleet's: a refused refresh token is this
            // process's to replace (it falls back to the primary grant).
            Err(error) if primary => error
                .token_error()
                .and_then(RefusalRecord::of)
                .map(|refusal| (SharedEntry::Refused(refusal), shared.options.refusal_ttl)),
            Err(_) => None,
        };
        if let Some((entry, ttl)) = written {
            if ttl > Duration::ZERO {
                if let Err(StoreDown(error)) =
                    self.store_op(ex, shared, "write", shared.store.write(&shared.key, &entry, ttl)).await
                {
                    tracing::warn!(target: "oauth_token_source", endpoint = %ex.host, error = %Chain(&error),
                        "{}", events::STORE_UNAVAILABLE);
                }
            }
        }
        let _ = self.store_op(ex, shared, "release", shared.store.release(&shared.key, owner)).await;
        result
    }

    async fn read_shared(
        &self,
        ex: &Exchange,
        shared: &Shared,
    ) -> Result<(Option<SharedEntry>, SystemTime), StoreDown> {
        let clock = self.store_clock(ex, shared).await?;
        let entry = self.store_op(ex, shared, "read", shared.store.read(&shared.key)).await?;
        Ok((entry, clock))
    }

    /// The store's clock, or this process's wall clock when the store keeps none.
    async fn store_clock(&self, ex: &Exchange, shared: &Shared) -> Result<SystemTime, StoreDown> {
        let clock = self.store_op(ex, shared, "now", shared.store.now()).await?;
        Ok(clock.unwrap_or_else(|| self.inner.runtime.wall_clock()))
    }

    /// One store operation, within the options' time limit, in a span.
    async fn store_op<T>(
        &self,
        ex: &Exchange,
        shared: &Shared,
        op: &'static str,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreDown> {
        let span = tracing::debug_span!(target: "oauth_token_source", "store", op, endpoint = %ex.host);
        match race(call.instrument(span), self.inner.runtime.sleep(shared.options.op_timeout)).await {
            Either::Left(Ok(value)) => Ok(value),
            Either::Left(Err(error)) => Err(StoreDown(error)),
            Either::Right(()) => Err(StoreDown(StoreError::new(StoreErrorKind::Timeout))),
        }
    }
}

fn count_read(ex: &Exchange, result: &'static str) {
    metrics::counter!(names::STORE_READS, "endpoint" => ex.host.to_string(), "result" => result).increment(1);
}
