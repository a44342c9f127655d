//! How a vendor answers, and the one responder that puts it on the server: routing, counting,
//! faults.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::StatusCode;
use wiremock::{Request, ResponseTemplate};

use crate::reply::Reply;
use crate::state::State;

/// Which endpoint of the emulated vendor a request is for.
pub(crate) enum Endpoint {
    /// The token endpoint: counted in `token_requests`, subject to faults.
    Token,
    /// The emulated API call: counted in `api_requests`.
    Api,
    /// Anything else: 404.
    Unknown,
}

/// A vendor's behaviour: routing and the answers of its two endpoints.
pub(crate) trait Behaviour: Send + Sync + 'static {
    /// Routes a request.
    fn endpoint(&self, request: &Request) -> Endpoint;
    /// Answers a token request.
    fn token(&self, request: &Request, state: &mut State) -> Reply;
    /// Answers an API request.
    fn api(&self, request: &Request, state: &mut State) -> Reply;
    /// The vendor's `429` (before `Retry-After` is added): bare unless the vendor has a body.
    fn rate_limited(&self) -> Reply {
        Reply::empty(StatusCode::TOO_MANY_REQUESTS)
    }
}

/// What the server runs for every request: a vendor's behaviour over the emulator's state.
pub(crate) type Responder = Box<dyn Fn(&Request) -> ResponseTemplate + Send + Sync>;

/// The responder for `behaviour` over `state`: routes, counts, applies the next queued fault
/// to a token request, answers.
pub(crate) fn responder(behaviour: impl Behaviour, state: Arc<Mutex<State>>) -> Responder {
    Box::new(move |request| {
        let mut state = lock(&state);
        let reply = match behaviour.endpoint(request) {
            Endpoint::Token => {
                state.token_requests += 1;
                match state.faults.pop_front() {
                    None => behaviour.token(request, &mut state),
                    Some(fault) => {
                        fault.reply(request, || behaviour.token(request, &mut state), || behaviour.rate_limited())
                    }
                }
            }
            Endpoint::Api => {
                state.api_requests += 1;
                behaviour.api(request, &mut state)
            }
            Endpoint::Unknown => Reply::empty(StatusCode::NOT_FOUND),
        };
        reply.into_template()
    })
}

/// Locks the state. A panic while the lock was held leaves counters and maps consistent
/// enough for a test, so a poisoned lock is used as it is.
pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
