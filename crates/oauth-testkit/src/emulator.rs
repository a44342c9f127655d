//! What every emulator shares: one wiremock server, the tokens it issued, counters and faults.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use http::StatusCode;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::Fault;
use crate::reply::Reply;

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
pub(crate) trait Vendor: Send + Sync + 'static {
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

/// Who a token was issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grantee {
    /// The client.
    pub(crate) client_id: String,
    /// The resource owner, for the password grant.
    pub(crate) username: Option<String>,
    /// The scope granted, when one was asked for.
    pub(crate) scope: Option<String>,
}

/// An access token the emulator issued, with its issue time on the real clock.
struct Issued {
    grantee: Grantee,
    at: Instant,
    lifetime: Duration,
}

/// The emulator's mutable state, behind one lock held only while a request is answered.
pub(crate) struct State {
    token_requests: usize,
    api_requests: usize,
    tokens_issued: usize,
    faults: VecDeque<Fault>,
    expires_in: u64,
    access: HashMap<String, Issued>,
    refresh: HashMap<String, Grantee>,
}

impl State {
    pub(crate) fn new(expires_in: u64) -> Self {
        Self {
            token_requests: 0,
            api_requests: 0,
            tokens_issued: 0,
            faults: VecDeque::new(),
            expires_in,
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    /// The `expires_in` to announce, which is also how long the API accepts the token.
    pub(crate) fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Records an access token just issued.
    pub(crate) fn remember_access(&mut self, token: &str, grantee: Grantee) {
        self.tokens_issued += 1;
        let issued = Issued { grantee, at: Instant::now(), lifetime: Duration::from_secs(self.expires_in) };
        self.access.insert(token.to_owned(), issued);
    }

    /// Who `token` was issued to, when it was issued here and has not expired.
    pub(crate) fn valid_access(&self, token: &str) -> Option<&Grantee> {
        self.access.get(token).filter(|i| i.at.elapsed() < i.lifetime).map(|i| &i.grantee)
    }

    /// A still-valid access token of `client_id` and the whole seconds it has left, rounded up.
    pub(crate) fn live_access_of(&self, client_id: &str) -> Option<(&str, u64)> {
        self.access
            .iter()
            .filter(|(_, i)| i.grantee.client_id == client_id)
            .filter_map(|(token, i)| Some((token.as_str(), i.lifetime.checked_sub(i.at.elapsed())?)))
            .filter(|(_, left)| !left.is_zero())
            .max_by_key(|(_, left)| *left)
            .map(|(token, left)| (token, left.as_secs() + u64::from(left.subsec_nanos() > 0)))
    }

    /// Records a refresh token just issued.
    pub(crate) fn remember_refresh(&mut self, token: &str, grantee: Grantee) {
        self.refresh.insert(token.to_owned(), grantee);
    }

    /// Who `token` was issued to, when it is a live refresh token of this emulator.
    pub(crate) fn refresh_grantee(&self, token: &str) -> Option<&Grantee> {
        self.refresh.get(token)
    }

    /// Makes a refresh token unusable (rotation).
    pub(crate) fn forget_refresh(&mut self, token: &str) {
        self.refresh.remove(token);
    }
}

/// The one responder mounted on the server: routes, counts, applies faults, answers.
struct Handler<V> {
    vendor: V,
    state: Arc<Mutex<State>>,
}

impl<V: Vendor> Respond for Handler<V> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = lock(&self.state);
        let reply = match self.vendor.endpoint(request) {
            Endpoint::Token => {
                state.token_requests += 1;
                match state.faults.pop_front() {
                    None => self.vendor.token(request, &mut state),
                    Some(fault) => {
                        fault.reply(|| self.vendor.token(request, &mut state), || self.vendor.rate_limited())
                    }
                }
            }
            Endpoint::Api => {
                state.api_requests += 1;
                self.vendor.api(request, &mut state)
            }
            Endpoint::Unknown => Reply::empty(StatusCode::NOT_FOUND),
        };
        reply.into_template()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while the lock was held leaves counters and maps consistent enough for a test.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A started emulator: its server and its state.
pub(crate) struct Running {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl Running {
    /// Starts a server (from wiremock's pool) and mounts the vendor on it, below any mock a
    /// user mounts later.
    pub(crate) async fn start<V: Vendor>(expires_in: u64, vendor: impl FnOnce(&MockServer) -> V) -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::new(expires_in)));
        let handler = Handler { vendor: vendor(&server), state: Arc::clone(&state) };
        Mock::given(any())
            .respond_with(handler)
            .with_priority(u8::MAX)
            .named("oauth-testkit emulator")
            .mount(&server)
            .await;
        Self { server, state }
    }

    pub(crate) fn uri(&self) -> String {
        self.server.uri()
    }

    pub(crate) fn server(&self) -> &MockServer {
        &self.server
    }

    pub(crate) fn token_requests(&self) -> usize {
        lock(&self.state).token_requests
    }

    pub(crate) fn api_requests(&self) -> usize {
        lock(&self.state).api_requests
    }

    pub(crate) fn tokens_issued(&self) -> usize {
        lock(&self.state).tokens_issued
    }

    pub(crate) fn fail_next(&self, fault: Fault, n: usize) {
        fault.check();
        lock(&self.state).faults.extend(std::iter::repeat_n(fault, n));
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    pub(crate) fn expire_all_tokens(&self) {
        lock(&self.state).access.clear();
    }

    pub(crate) fn revoke_refresh_tokens(&self) {
        lock(&self.state).refresh.clear();
    }

    pub(crate) fn set_expires_in(&self, secs: u64) {
        lock(&self.state).expires_in = secs;
    }

    pub(crate) async fn received_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

/// Generates the controls every emulator has, delegating to its `running` field.
macro_rules! controls {
    () => {
        /// The emulator's base URL, `http://127.0.0.1:{port}`.
        #[must_use]
        pub fn uri(&self) -> String {
            self.running.uri()
        }

        /// The wiremock server underneath, to mount more mocks: they take precedence over
        /// the emulator, which answers whatever they do not match.
        #[must_use]
        pub fn server(&self) -> &wiremock::MockServer {
            self.running.server()
        }

        /// How many token requests arrived, faulted and refused ones included.
        #[must_use]
        pub fn token_requests(&self) -> usize {
            self.running.token_requests()
        }

        /// How many API requests arrived, refused ones included.
        #[must_use]
        pub fn api_requests(&self) -> usize {
            self.running.api_requests()
        }

        /// How many access tokens were issued (a re-sent live token not counted).
        #[must_use]
        pub fn tokens_issued(&self) -> usize {
            self.running.tokens_issued()
        }

        /// Answers the next `n` token requests with `fault` (after any faults already queued).
        ///
        /// # Panics
        /// When the fault holds a status that is not an HTTP status code, or a redirect
        /// location a header cannot carry.
        pub fn fail_next(&self, fault: $crate::Fault, n: usize) {
            self.running.fail_next(fault, n);
        }

        /// Drops every queued fault.
        pub fn clear_faults(&self) {
            self.running.clear_faults();
        }

        /// Makes every access token issued so far invalid at the API, as if each had expired.
        /// Tokens issued afterwards are good. Refresh tokens are kept.
        pub fn expire_all_tokens(&self) {
            self.running.expire_all_tokens();
        }

        /// The `expires_in` announced from now on, in seconds; the API accepts each token for
        /// exactly that long after it was issued (on the real clock).
        pub fn set_expires_in(&self, secs: u64) {
            self.running.set_expires_in(secs);
        }

        /// Every request the server received so far, in order.
        pub async fn received_requests(&self) -> Vec<wiremock::Request> {
            self.running.received_requests().await
        }
    };
}

pub(crate) use controls;

/// The credentials an emulator accepts: a client, and a resource owner for password grants.
///
/// `Debug` shows the ids and hides the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    client_id: String,
    client_secret: String,
    user: Option<(String, String)>,
}

impl Credentials {
    pub(crate) fn new(client_id: &str, client_secret: &str, user: Option<(&str, &str)>) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            user: user.map(|(u, p)| (u.to_owned(), p.to_owned())),
        }
    }

    /// The client id (for Bright Pattern, the user's login id).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret (for Bright Pattern, the user's API secret).
    #[must_use]
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// The resource owner's username, for emulators with a password grant.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().map(|(u, _)| u.as_str())
    }

    /// The resource owner's password, for emulators with a password grant.
    #[must_use]
    pub fn password(&self) -> Option<&str> {
        self.user.as_ref().map(|(_, p)| p.as_str())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("username", &self.username())
            .finish_non_exhaustive()
    }
}

/// What a refresh does to the refresh token it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefreshRotation {
    /// A new refresh token comes with each refresh and the old one is refused from then on
    /// (Authlib's default).
    #[default]
    Rotate,
    /// The same refresh token is sent back and stays valid (oidc-provider, Spring's
    /// `reuseRefreshTokens`).
    Reuse,
    /// No `refresh_token` in the answer; the old one stays valid (RFC 6749 §6 allows it).
    Omit,
}
