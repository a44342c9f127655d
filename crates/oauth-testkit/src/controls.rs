//! [`Controls`]: the one surface every emulator exposes — counters, faults, token expiry and
//! the requests it received.

use std::fmt;
use std::sync::{Arc, Mutex};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request};

use crate::Fault;
use crate::behaviour::{Behaviour, Responder, lock, responder};
use crate::state::State;

/// What a test can read and change on a running emulator, the same for every vendor: reached
/// with [`Emulator::controls`](crate::Emulator::controls), so one helper serves all four.
///
/// - **Counters**: [`token_requests`](Self::token_requests), [`api_requests`](Self::api_requests),
///   [`tokens_issued`](Self::tokens_issued).
/// - **Faults** on the token endpoint: [`fail_next`](Self::fail_next),
///   [`clear_faults`](Self::clear_faults).
/// - **Expiry**: [`expire_all_tokens`](Self::expire_all_tokens),
///   [`set_expires_in`](Self::set_expires_in), [`revoke_refresh_tokens`](Self::revoke_refresh_tokens).
/// - **Traffic**: [`received_requests`](Self::received_requests), and the wiremock
///   [`server`](Self::server) underneath, to mount more mocks.
///
/// Every control takes `&self`: a test may keep using them while clients talk to the server.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Instant;
/// use oauth_providers::Profile;
/// use oauth_testkit::{Controls, Fault, Mxo, Rfc6749};
///
/// /// One 503, then a token: the same check for any vendor.
/// async fn recovers_from_a_503(controls: &Controls, profile: Profile) -> Result<(), Box<dyn std::error::Error>> {
///     controls.fail_next(Fault::Status(503), 1);
///     let config = profile.token_config().expect("a token exchange");
///     for expect_token in [false, true] {
///         let (request, pending) = config.build_request()?;
///         let answer = oauth_testkit::send(request).await?;
///         assert_eq!(pending.finish(&answer, Instant::now()).is_ok(), expect_token);
///     }
///     assert_eq!((controls.token_requests(), controls.tokens_issued()), (2, 1));
///     Ok(())
/// }
///
/// let mxo = Mxo::start().await;
/// recovers_from_a_503(mxo.controls(), mxo.profile()).await?;
/// let server = Rfc6749::start().await;
/// recovers_from_a_503(server.controls(), server.profile()).await?;
/// # Ok(()) }
/// ```
pub struct Controls {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl Controls {
    /// Starts a server (from wiremock's pool) with nothing mounted yet.
    pub(crate) async fn start(expires_in: u64) -> Self {
        Self { server: MockServer::start().await, state: Arc::new(Mutex::new(State::new(expires_in))) }
    }

    /// The responder for `behaviour` over this emulator's state.
    pub(crate) fn responder(&self, behaviour: impl Behaviour) -> Responder {
        responder(behaviour, Arc::clone(&self.state))
    }

    /// Mounts the vendor's responder, below any mock a user mounts later.
    pub(crate) async fn mount(&self, responder: Responder) {
        Mock::given(any())
            .respond_with(responder)
            .with_priority(u8::MAX)
            .named("oauth-testkit emulator")
            .mount(&self.server)
            .await;
    }

    /// The wiremock server underneath, to mount more mocks: they take precedence over the
    /// emulator, which answers whatever they do not match.
    #[must_use]
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// How many token requests arrived, faulted and refused ones included.
    #[must_use]
    pub fn token_requests(&self) -> usize {
        lock(&self.state).token_requests
    }

    /// How many API requests arrived, refused ones included.
    #[must_use]
    pub fn api_requests(&self) -> usize {
        lock(&self.state).api_requests
    }

    /// How many access tokens were issued (a re-sent live token not counted).
    #[must_use]
    pub fn tokens_issued(&self) -> usize {
        lock(&self.state).tokens_issued
    }

    /// Answers the next `n` token requests with `fault` (after any faults already queued).
    ///
    /// # Panics
    /// When the fault holds a status that is not an HTTP status code, or a redirect location
    /// a header cannot carry.
    pub fn fail_next(&self, fault: Fault, n: usize) {
        fault.check();
        lock(&self.state).faults.extend(std::iter::repeat_n(fault, n));
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    /// Makes every access token issued so far invalid at the API, as if each had expired.
    /// Tokens issued afterwards are good. Refresh tokens are kept.
    pub fn expire_all_tokens(&self) {
        lock(&self.state).expire_all_access();
    }

    /// Makes every refresh token issued so far unusable (for emulators that issue none, there
    /// is nothing to revoke).
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.state).revoke_all_refresh();
    }

    /// The `expires_in` announced from now on, in seconds; the API accepts each token for
    /// exactly that long after it was issued (on the real clock).
    pub fn set_expires_in(&self, secs: u64) {
        lock(&self.state).expires_in = secs;
    }

    /// Every request the server received so far, in order, token and API requests alike.
    pub async fn received_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

impl fmt::Debug for Controls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Controls")
            .field("uri", &self.server.uri())
            .field("token_requests", &state.token_requests)
            .field("api_requests", &state.api_requests)
            .field("tokens_issued", &state.tokens_issued)
            .field("faults_queued", &state.faults.len())
            .finish_non_exhaustive()
    }
}
