//! `TokenSource::revoke`: the source's token revoked at the server (RFC 7009) — its refresh
//! token when it has one (which revokes the access tokens issued with it on most servers), else
//! its access token — and forgotten, so no call is served a revoked token.

use oauth_core::revocation::{RevocationError, RevocationRequest};
use oauth_core::{EndpointUrl, ServerError, TokenError};

use super::exchange::assertion_entropy;
use super::{Mode, TokenSource};
use crate::race::{Either, race};
use crate::{ClientError, events};

impl TokenSource {
    /// Revokes the token this source holds at `endpoint` (the server's revocation endpoint,
    /// from its metadata or its documentation), with the source's client authentication (for
    /// a JWT client, a fresh assertion addressed to `endpoint` unless the client sets its
    /// audience), and forgets it: the next call fetches with the primary grant (a refresh-only source then
    /// says [`ClientError::AuthorizationRequired`]). Nothing held, nothing sent. For an API key,
    /// nothing.
    ///
    /// # Errors
    /// The server's refusal as [`ClientError::Token`] (the token is then kept), the transport's
    /// failure, or [`ClientError::Deadline`] after the retry policy's deadline.
    pub async fn revoke(&self, endpoint: &EndpointUrl) -> Result<(), ClientError> {
        let Mode::Exchange(ex) = &self.inner.mode else { return Ok(()) };
        let (request, auth, access) = {
            let state = ex.lock();
            let Some(token) = state.lifecycle.token() else { return Ok(()) };
            let access = token.access_token().clone();
            let auth_start = state.auth_start;
            let methods = ex.fallback.methods();
            let auth = methods.get(auth_start).or(methods.first()).cloned();
            (RevocationRequest::for_token(token), auth, access)
        };
        let Some(auth) = auth else { return Ok(()) };
        let runtime = &self.inner.runtime;
        // The time and fresh entropy of a JWT client's assertion, addressed to `endpoint`.
        let (http_request, pending) =
            request.build_request_at(endpoint, &auth, runtime.wall_clock(), assertion_entropy());
        let pending = pending.with_quirks(*ex.config.endpoint().quirks());
        let answer = match race(ex.transport.send(http_request), runtime.sleep(ex.policy.deadline())).await {
            Either::Left(Ok(response)) => response,
            Either::Left(Err(error)) => return Err(ClientError::Transport(error)),
            Either::Right(()) => {
                return Err(ClientError::Deadline { deadline: ex.policy.deadline(), attempts: 1, last: None });
            }
        };
        pending.finish(&answer).map_err(|error| ClientError::from(token_error(error)))?;
        ex.lock().lifecycle.clear();
        ex.publish(None);
        // A fleet's store may still hold it: this process never takes it back from there. (The
        // other processes keep their copy until it expires: the store has no delete.)
        if let Some(shared) = &ex.shared {
            shared.note_refused(access);
        }
        tracing::info!(target: "oauth_token_source", endpoint = %ex.host, "{}", events::REVOKED);
        Ok(())
    }
}

fn token_error(error: RevocationError) -> TokenError {
    match error {
        RevocationError::Server(server) => TokenError::Server(server),
        RevocationError::UnexpectedStatus { status, body } => {
            let mut server = ServerError::new(status);
            server.body = body;
            TokenError::Server(Box::new(server))
        }
        other => TokenError::Server(Box::new(ServerError::new(other.status()))),
    }
}
