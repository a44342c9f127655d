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

/// How long before its lease runs out the holder's fetch gives up, so the lease is never
/// taken over while its holder still fetches.
const LEASE_MARGIN: Duration = Duration::from_millis(500);

/// A fetch lease held by this process. Released by [`release`](Self::release); dropped
/// unreleased (the caller's future was cancelled), it releases from a spawned task.
struct LeaseGuard {
    source: TokenSource,
    owner: Option<String>,
}

impl LeaseGuard {
    async fn release(mut self, ex: &Exchange, shared: &Shared) {
        if let Some(owner) = self.owner.take() {
            let released = self.source.store_op(ex, shared, "release", shared.store.release(&shared.key, &owner)).await;
            if let Err(StoreDown(error)) = released {
                self.source.store_failed(ex, shared, &error);
            }
        }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        let Some(owner) = self.owner.take() else { return };
        let source = self.source.clone();
        self.source.inner.runtime.spawn(Box::pin(async move {
            let super::Mode::Exchange(ex) = &source.inner.mode else { return };
            if let Some(shared) = &ex.shared {
                let _ = source.store_op(ex, shared, "release", shared.store.release(&shared.key, &owner)).await;
            }
        }));
    }
}

/// Why the shared path stepped aside.
struct StoreDown(StoreError);

impl TokenSource {
    /// Gets a token for `grant`: through the store when there is one and it works, else alone.
    /// A refresh-only source (started from a user's token) has no primary grant: needing one,
    /// or having its refresh token refused, is [`ClientError::AuthorizationRequired`].
    pub(super) async fn obtain(
        &self,
        ex: &Exchange,
        grant: FetchGrant,
        deadline_at: Option<Instant>,
    ) -> Result<Token, ClientError> {
        if !ex.refresh_only {
            return self.obtain_any(ex, grant, deadline_at).await;
        }
        if matches!(grant, FetchGrant::Primary) {
            return Err(ClientError::AuthorizationRequired { refusal: None });
        }
        self.obtain_any(ex, grant, deadline_at).await.map_err(|error| {
            if error.token_error().is_some_and(oauth_core::is_refusal) {
                ClientError::AuthorizationRequired { refusal: Some(Box::new(error)) }
            } else {
                error
            }
        })
    }

    async fn obtain_any(
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
                self.store_failed(ex, shared, &error);
                self.perform(ex, grant, deadline_at).await
            }
        }
    }

    /// Records a store failure: the source fetches alone until `retry_after_failure` has
    /// passed, and warns once per outage.
    fn store_failed(&self, ex: &Exchange, shared: &Shared, error: &StoreError) {
        let now = self.inner.runtime.now();
        let retry_at = now.checked_add(shared.options.retry_after_failure).unwrap_or(now);
        let was_down = shared.down_until.lock().unwrap_or_else(PoisonError::into_inner).replace(retry_at).is_some();
        if !was_down {
            tracing::warn!(target: "oauth_token_source", endpoint = %ex.host, error = %Chain(error),
                "{}", events::STORE_UNAVAILABLE);
        }
        metrics::counter!(names::STORE_ERRORS, "endpoint" => ex.host.to_string()).increment(1);
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
                // From here the lease is given back however this ends: fetched, failed, or the
                // caller's future dropped (a cancelled request must not stall the fleet).
                let lease = LeaseGuard { source: self.clone(), owner: Some(owner.clone()) };
                // Another process may have written and released between the read above and
                // this lease: read once more before fetching a second token.
                if let (Some(SharedEntry::Token(record)), clock) = self.read_shared(ex, shared).await? {
                    let token = record.into_token(runtime.now(), clock);
                    if ex.lock().lifecycle.is_fresh(&token, runtime.now()) && !shared.was_refused(&token) {
                        count_read(ex, "hit");
                        lease.release(ex, shared).await;
                        return Ok(Ok(token));
                    }
                }
                if waited {
                    // Waited, and no token came: the holder failed or died and its lease ran out.
                    metrics::counter!(names::LEASE_TAKEOVERS, "endpoint" => ex.host.to_string()).increment(1);
                    tracing::info!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::LEASE_TAKEN_OVER);
                }
                let result = self.fetch_for_fleet(ex, shared, grant, stored_refresh, deadline_at).await;
                lease.release(ex, shared).await;
                return Ok(result);
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
                race(wait.instrument(span), runtime.sleep(pause.saturating_add(shared.options.op_timeout))).await
            {
                return Err(StoreDown(error));
            }
        }
    }

    /// The lease holder's fetch: fetch within the lease (so no other process takes it over
    /// while this one still fetches), then share the outcome.
    async fn fetch_for_fleet(
        &self,
        ex: &Exchange,
        shared: &Shared,
        grant: FetchGrant,
        stored_refresh: Option<oauth_core::RefreshToken>,
        deadline_at: Option<Instant>,
    ) -> Result<Token, ClientError> {
        let runtime = &self.inner.runtime;
        // The fleet's refresh token is the newest (another process may have rotated ours).
        let grant = match (grant, stored_refresh) {
            (FetchGrant::Refresh(_), Some(newest)) => FetchGrant::Refresh(newest),
            (grant, _) => grant,
        };
        let primary = matches!(grant, FetchGrant::Primary);
        let lease_ends = runtime.now().checked_add(shared.options.lease.saturating_sub(LEASE_MARGIN));
        let deadline_at = match (deadline_at, lease_ends) {
            (Some(deadline), Some(lease)) => Some(deadline.min(lease)),
            (deadline, lease) => deadline.or(lease),
        };
        let result = self.perform(ex, grant, deadline_at).await;
        let entry = match &result {
            Ok(token) => {
                // The expiry is written on the store's clock, which every reader uses; without
                // it, nothing is written (a local clock could be far off the fleet's).
                let clock = match self.store_op(ex, shared, "now", shared.store.now()).await {
                    Ok(clock) => clock.unwrap_or_else(|| runtime.wall_clock()),
                    Err(StoreDown(error)) => {
                        self.store_failed(ex, shared, &error);
                        return result;
                    }
                };
                let record = TokenRecord::of(token, runtime.now(), clock);
                let left = token.expires_at().map(|at| at.saturating_duration_since(runtime.now()));
                let ttl = match (left, token.refresh_token()) {
                    (Some(left), None) => left,
                    (Some(left), Some(_)) => left.max(shared.options.refresh_token_ttl),
                    (None, _) => shared.options.refresh_token_ttl,
                };
                Some((SharedEntry::Token(record), ttl))
            }
            // Only a final refusal of the primary grant is the fleet's: a refused refresh token
            // is this process's to replace (it falls back to the primary grant), and an answer
            // that says "later" (a 503, a 429) is every process's own to retry.
            Err(ClientError::Token { error, .. }) if primary && !error.is_retryable() => {
                RefusalRecord::of(error).map(|refusal| (SharedEntry::Refused(refusal), shared.options.refusal_ttl))
            }
            Err(_) => None,
        };
        if let Some((entry, ttl)) = entry.filter(|(_, ttl)| *ttl > Duration::ZERO) {
            if let Err(StoreDown(error)) =
                self.store_op(ex, shared, "write", shared.store.write(&shared.key, &entry, ttl)).await
            {
                self.store_failed(ex, shared, &error);
            }
        }
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
