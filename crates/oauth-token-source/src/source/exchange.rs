//! One fetch: send the token request, and after each failure do what oauth-core's
//! [`Attempts`] says — the next client-authentication method, a retry after a wait, or stop.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tracing::Instrument;

use oauth_core::{AttemptStep, Attempts, AuthMethod, FetchGrant, RequestFailure, Token, TokenError};

use super::{Exchange, TokenSource};
use crate::race::{Either, race};
use crate::{ClientError, ResponseLimit, events};

impl RequestFailure for ClientError {
    fn token_error(&self) -> Option<&TokenError> {
        Self::token_error(self)
    }

    fn is_retryable(&self) -> bool {
        Self::is_retryable(self)
    }
}

impl TokenSource {
    /// Sends the request for `grant` until a token, a final error, or `deadline_at` (`None`:
    /// no deadline the clock can represent), in a `fetch` span (fields `endpoint`, `grant`, and
    /// as it goes `auth`, `attempt`, `outcome`).
    pub(super) async fn perform(
        &self,
        ex: &Exchange,
        grant: FetchGrant,
        deadline_at: Option<Instant>,
    ) -> Result<Token, ClientError> {
        let grant_type = match &grant {
            FetchGrant::Primary => ex.config.request().grant().grant_type(),
            _ => "refresh_token",
        };
        let span = tracing::info_span!(target: "oauth_token_source", "fetch", endpoint = %ex.host, grant = grant_type,
            auth = tracing::field::Empty, attempt = tracing::field::Empty, outcome = tracing::field::Empty);
        let result = self.attempt(ex, grant, deadline_at).instrument(span.clone()).await;
        span.record(
            "outcome",
            match &result {
                Ok(_) => "token",
                Err(ClientError::Token { .. }) => "refused",
                Err(_) => "failed",
            },
        );
        result
    }

    async fn attempt(
        &self,
        ex: &Exchange,
        grant: FetchGrant,
        deadline_at: Option<Instant>,
    ) -> Result<Token, ClientError> {
        let runtime = &self.inner.runtime;
        let request = match &grant {
            FetchGrant::Primary => Cow::Borrowed(ex.config.request()),
            other => Cow::Owned(ex.config.request().with_grant(other.to_grant(ex.config.request().grant()))),
        };
        let grant_type = request.grant().grant_type();
        let start = ex.lock().auth_start;
        let mut attempts =
            Attempts::new(&ex.fallback, start, request.grant(), ex.policy, runtime.now()).with_deadline_at(deadline_at);
        let limit = ResponseLimit(ex.config.endpoint().quirks().max_body_bytes);
        loop {
            let Some(remaining) = attempts.time_left(runtime.now()) else {
                return Err(deadline(ex, attempts.sent(), attempts.into_last_error()));
            };
            let auth = attempts.next_auth();
            let span = tracing::Span::current();
            span.record("auth", tracing::field::debug(auth.method()));
            span.record("attempt", attempts.sent() + 1);
            // Each attempt its own time and entropy: a JWT client assertion is never replayed.
            let (mut http_request, pending) =
                ex.config.endpoint().build_request_at(auth, &request, runtime.wall_clock(), assertion_entropy());
            http_request.extensions_mut().insert(limit);
            tracing::debug!(target: "oauth_token_source", endpoint = %ex.host, grant = %grant_type,
                auth = ?auth.method(), attempt = attempts.sent(), "{}", events::REQUESTING);
            let sent_at = runtime.now();
            let error = match race(ex.transport.send(http_request), runtime.sleep(remaining)).await {
                Either::Left(Ok(response)) => match pending.finish(&response, sent_at) {
                    Ok(token) => {
                        count_request(ex, "token");
                        if let Some(learned) = attempts.succeeded() {
                            ex.lock().auth_start = learned;
                            tracing::info!(target: "oauth_token_source", endpoint = %ex.host, auth = ?auth.method(),
                                "{}", events::AUTH_LEARNED);
                        }
                        tracing::debug!(target: "oauth_token_source", endpoint = %ex.host,
                            lifetime = ?token.lifetime(), "{}", events::RECEIVED);
                        return Ok(token);
                    }
                    Err(error) => {
                        count_request(ex, "refused");
                        ClientError::from(error)
                    }
                },
                Either::Left(Err(mut error)) => {
                    count_request(ex, "failed");
                    error.redact(|text| pending.redact(text));
                    ClientError::Transport(error)
                }
                Either::Right(()) => return Err(deadline(ex, attempts.sent(), attempts.into_last_error())),
            };
            let (now, wall_now) = (runtime.now(), runtime.wall_clock());
            match attempts.failed(error, now, wall_now, entropy()) {
                AttemptStep::NextAuth => {
                    tracing::info!(target: "oauth_token_source", endpoint = %ex.host, auth = ?auth.method(),
                        "{}", events::AUTH_REFUSED);
                }
                AttemptStep::RetryAfter(delay) => {
                    if let Some(error) = attempts.last_retried() {
                        tracing::warn!(target: "oauth_token_source", endpoint = %ex.host, error = %error.chain(), delay = ?delay,
                            "{}", events::RETRYING);
                    }
                    runtime.sleep(delay).await;
                }
                AttemptStep::GiveUp { error, tried } => return Err(with_tried(error, tried)),
            }
        }
    }
}

fn count_request(ex: &Exchange, outcome: &'static str) {
    metrics::counter!(crate::metric_names::TOKEN_REQUESTS, "endpoint" => ex.host.to_string(), "outcome" => outcome)
        .increment(1);
}

/// The deadline error, carrying the last error retried after (or the first refusal).
pub(super) fn deadline(ex: &Exchange, attempts: u32, last: Option<ClientError>) -> ClientError {
    ClientError::Deadline { deadline: ex.policy.deadline(), attempts, last: last.map(Box::new) }
}

fn with_tried(error: ClientError, tried: Vec<AuthMethod>) -> ClientError {
    match error {
        ClientError::Token { error, .. } if !tried.is_empty() => ClientError::Token { error, tried_auth: tried },
        other => other,
    }
}

/// A random `u64` for the backoff's jitter, from std's per-process random hasher keys (no RNG
/// dependency needed for jitter).
pub(super) fn entropy() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// 16 random bytes for a client assertion's `jti`, from two draws of [`entropy`].
pub(crate) fn assertion_entropy() -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&entropy().to_le_bytes());
    bytes[8..].copy_from_slice(&entropy().to_le_bytes());
    bytes
}
