//! `DeviceFlow`: polling the token endpoint with a device code (RFC 8628 §3.4, §3.5) as a
//! state machine given `now`.

use super::*;

/// Polling the token endpoint with a device code (RFC 8628 §3.4, §3.5), as a value: no clock,
/// no I/O.
///
/// The driver asks [`poll`](Self::poll) what to do at `now`; sends the request it is handed
/// and reads the answer with the [`PendingExchange`] handed with it; reports the result to
/// [`answered`](Self::answered); and asks again. The rules:
/// - The first request is due one interval after the flow starts; each later one, one interval
///   after the previous answer (so never two within an interval). A request is never handed
///   out while another is unanswered.
/// - `authorization_pending` keeps the interval; `slow_down` adds [`SLOW_DOWN_STEP`] to it for
///   every later request.
/// - A request that got no answer (a transport failure: the error's
///   [`RequestFailure::token_error`] is `None`) or a "try later" answer (429, 5xx,
///   `temporarily_unavailable`, `server_error`) is treated as `slow_down`: the interval grows
///   by the same step, which reduces the polling frequency as §3.5 asks. A `Retry-After` delay
///   on an answer postpones the next request at least that long. Whether a transport failure
///   is worth polling on is the driver's to judge: drop the flow to stop.
/// - A token ends the flow ([`DeviceStep::Done`]), even one answered after the device code's
///   expiry; `access_denied`, `expired_token` and any other error ends it
///   ([`DeviceStep::Failed`]); so does the device code's own expiry, reached at a `poll`'s
///   `now` with no request out, whatever the server kept answering.
///
/// - A client that signs assertions (`client_secret_jwt`, `private_key_jwt`) needs the wall
///   clock and fresh entropy for each request: drive it with [`poll_at`](Self::poll_at), which
///   takes both (and serves every client). [`poll`](Self::poll) cannot make its assertion, so
///   it ends such a flow ([`DeviceFlowError::Misuse`]) the first time it is asked with no
///   request out, before any request is handed out.
///
/// All arithmetic on instants is checked: a wait too long for the clock is a wait until the
/// device code expires.
///
/// # Examples
/// A server that says "pending", then "slow down":
/// ```
/// use std::time::{Duration, Instant};
/// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceStep};
/// use oauth_core::{ClientAuth, ClientId, EndpointUrl, TokenEndpoint, TokenError};
/// # let auth = ClientAuth::public(ClientId::new("tv")?);
/// # let device = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device")?);
/// # let (_, pending) = device.build_request(&auth, &DeviceAuthorizationRequest::new())?;
/// # let t0 = Instant::now();
/// # let answer = http::Response::builder().header("content-type", "application/json").body(
/// #     r#"{"device_code":"d3v1c3-c0d3","user_code":"WDJB-MJHT","verification_uri":"https://as.example/activate","expires_in":600}"#)?;
/// # let authorization = pending.finish(&answer, t0)?;
/// let mut flow = DeviceFlow::new(TokenEndpoint::new("https://as.example/token")?, auth, &authorization, t0);
/// let secs = |s| t0 + Duration::from_secs(s);
/// let refusal = |code: &str| http::Response::builder().status(400)
///     .header("content-type", "application/json").body(format!(r#"{{"error":"{code}"}}"#)).unwrap();
///
/// let DeviceStep::Send(_, pending) = flow.poll(secs(5)) else { unreachable!() };
/// flow.answered(secs(5), pending.finish(&refusal("authorization_pending"), secs(5)));
/// assert!(matches!(flow.poll(secs(9)), DeviceStep::Wait(at) if at == secs(10)));
///
/// let DeviceStep::Send(_, pending) = flow.poll(secs(10)) else { unreachable!() };
/// let error = flow.answered(secs(10), pending.finish(&refusal("slow_down"), secs(10)));
/// assert!(error.is_some()); // given back, to log
/// assert_eq!(flow.interval(), Duration::from_secs(10));
/// assert!(matches!(flow.poll(secs(10)), DeviceStep::Wait(at) if at == secs(20)));
/// # let _: Option<TokenError> = error;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct DeviceFlow {
    endpoint: TokenEndpoint,
    auth: ClientAuth,
    request: TokenRequest,
    expires_at: Instant,
    interval: Duration,
    next_at: Instant,
    state: State,
}

#[derive(Debug)]
enum State {
    Polling { in_flight: bool },
    Done(Token),
    Failed(DeviceFlowError),
}

impl DeviceFlow {
    /// The polling for `authorization`, started at `now` (when its answer was read, or later):
    /// token requests go to `endpoint`, authenticated as `auth`, and the first is due one
    /// interval after `now`. Poll a client that signs assertions with
    /// [`poll_at`](Self::poll_at).
    #[must_use]
    pub fn new(endpoint: TokenEndpoint, auth: ClientAuth, authorization: &DeviceAuthorization, now: Instant) -> Self {
        let mut params = Params::new();
        // Invariant: `push_secret` refuses only an empty name.
        params.push_secret("device_code", authorization.device_code.clone()).expect("a non-empty parameter name");
        let grant = Grant::Extension { grant_type: DEVICE_CODE_GRANT_TYPE.into(), params };
        let expires_at = authorization.expires_at;
        let interval = authorization.interval;
        Self {
            endpoint,
            auth,
            request: TokenRequest::new(grant),
            expires_at,
            interval,
            next_at: later(now, interval, expires_at),
            state: State::Polling { in_flight: false },
        }
    }

    /// What to do at `now`. A [`DeviceStep::Send`] marks its request as out: until it is
    /// reported through [`answered`](Self::answered) (or given back with
    /// [`abandon`](Self::abandon)), every poll says [`DeviceStep::InFlight`].
    ///
    /// For a client that signs assertions (`client_secret_jwt`, `private_key_jwt`), whose
    /// requests this cannot build, the flow ends with [`DeviceFlowError::Misuse`]
    /// ([`MisuseError::AssertionNeedsTime`]) unless a request is out: use
    /// [`poll_at`](Self::poll_at).
    pub fn poll(&mut self, now: Instant) -> DeviceStep<'_> {
        if matches!(self.state, State::Polling { in_flight: false }) {
            if let Err(misuse) = self.auth.refuse_assertion("DeviceFlow::poll_at") {
                self.state = State::Failed(DeviceFlowError::Misuse(misuse));
            }
        }
        self.step(now, None)
    }

    /// [`poll`](Self::poll) for every client, those that sign assertions included: a request
    /// handed out carries a fresh `client_assertion` made at `wall_now` (the wall clock, for
    /// its `iat` and `exp`) with `jti_entropy`, as
    /// [`TokenEndpoint::build_request_at`] makes it, its `aud` the client's
    /// [`assertion_audience`](ClientAuth::assertion_audience) when set, else the token
    /// endpoint's URL. Give new entropy to every call. `now` rules the polling as it does for
    /// `poll`; other clients ignore `wall_now` and `jti_entropy`.
    ///
    /// # Examples
    /// ```
    /// use std::time::{Duration, Instant, SystemTime};
    /// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceStep};
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, TokenEndpoint};
    /// let auth = ClientAuth::client_secret_jwt(ClientId::new("tv")?, ClientSecret::new("s3cr3t"));
    /// let device = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device")?);
    /// let (_, pending) =
    ///     device.build_request_at(&auth, &DeviceAuthorizationRequest::new(), SystemTime::now(), [1; 16]);
    /// # let t0 = Instant::now();
    /// # let answer = http::Response::builder().header("content-type", "application/json").body(
    /// #     r#"{"device_code":"d3v1c3-c0d3","user_code":"WDJB-MJHT","verification_uri":"https://as.example/activate","expires_in":600}"#)?;
    /// let authorization = pending.finish(&answer, t0)?;
    /// let mut flow = DeviceFlow::new(TokenEndpoint::new("https://as.example/token")?, auth, &authorization, t0);
    ///
    /// let t1 = t0 + Duration::from_secs(5);
    /// let entropy = [2; 16]; // from the operating system's generator, in real code: new for each call
    /// let DeviceStep::Send(request, _pending) = flow.poll_at(t1, SystemTime::now(), entropy) else { unreachable!() };
    /// assert!(std::str::from_utf8(request.body())?.contains("&client_id=tv&client_assertion_type="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_at(&mut self, now: Instant, wall_now: SystemTime, jti_entropy: [u8; 16]) -> DeviceStep<'_> {
        self.step(now, Some((wall_now, jti_entropy)))
    }

    /// What to do at `now`; a request handed out carries an assertion made at the wall time
    /// and with the entropy given, when the client sends one.
    fn step(&mut self, now: Instant, assertion_time: Option<(SystemTime, [u8; 16])>) -> DeviceStep<'_> {
        if matches!(self.state, State::Polling { in_flight: false }) && now >= self.expires_at {
            self.state = State::Failed(DeviceFlowError::CodeExpired { expires_at: self.expires_at });
        }
        match &mut self.state {
            State::Done(token) => DeviceStep::Done(token),
            State::Failed(error) => DeviceStep::Failed(error),
            State::Polling { in_flight: true } => DeviceStep::InFlight,
            State::Polling { .. } if now < self.next_at => DeviceStep::Wait(self.next_at),
            State::Polling { in_flight } => {
                *in_flight = true;
                let assertion = assertion_time
                    .and_then(|(wall_now, entropy)| self.auth.assertion(self.endpoint.uri(), wall_now, entropy));
                let (request, pending) = self.endpoint.build(&self.auth, &self.request, assertion);
                DeviceStep::Send(request, pending)
            }
        }
    }

    /// Reports the result of the request out, read at `now`: a token (the flow is done), or a
    /// failure — an answer (`token_error()` is `Some`) or none (a transport failure). See the
    /// type's rules for what each does. The error is given back for the caller to log; the
    /// flow keeps its own reading of a failure that ends it, for [`poll`](Self::poll).
    ///
    /// With no request out (none was handed out, or the flow has ended) the result is ignored
    /// and the error, if any, given back.
    pub fn answered<E: RequestFailure>(&mut self, now: Instant, result: Result<Token, E>) -> Option<E> {
        if !matches!(self.state, State::Polling { in_flight: true }) {
            return result.err();
        }
        self.state = State::Polling { in_flight: false };
        let error = match result {
            Ok(token) => {
                self.state = State::Done(token);
                return None;
            }
            Err(error) => error,
        };
        let mut at_least = Duration::ZERO;
        match error.token_error() {
            None => self.interval = self.interval.saturating_add(SLOW_DOWN_STEP),
            Some(answer) => {
                match answer.code() {
                    Some(ErrorCode::AuthorizationPending) => {}
                    Some(ErrorCode::SlowDown) => self.interval = self.interval.saturating_add(SLOW_DOWN_STEP),
                    Some(ErrorCode::AccessDenied) => {
                        self.state = State::Failed(DeviceFlowError::AccessDenied(answer.clone()));
                        return Some(error);
                    }
                    Some(ErrorCode::ExpiredToken) => {
                        self.state = State::Failed(DeviceFlowError::ExpiredToken(answer.clone()));
                        return Some(error);
                    }
                    _ if answer.is_retryable() => self.interval = self.interval.saturating_add(SLOW_DOWN_STEP),
                    _ => {
                        self.state = State::Failed(DeviceFlowError::Refused(answer.clone()));
                        return Some(error);
                    }
                }
                if let Some(RetryAfter::Delay(delay)) = answer.retry_after() {
                    at_least = *delay;
                }
            }
        }
        self.next_at = later(now, self.interval.max(at_least), self.expires_at);
        Some(error)
    }

    /// Gives the request out back unanswered (its caller was cancelled before it was sent, or
    /// its answer was lost): the next one is due one interval after `now`. Nothing happens
    /// with no request out.
    pub fn abandon(&mut self, now: Instant) {
        if matches!(self.state, State::Polling { in_flight: true }) {
            self.state = State::Polling { in_flight: false };
            self.next_at = later(now, self.interval, self.expires_at);
        }
    }

    /// The polling interval now: the server's, plus [`SLOW_DOWN_STEP`] for each `slow_down`
    /// (and each failure treated as one) so far.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// When the device code expires.
    #[must_use]
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// Whether a request is out, unanswered.
    #[must_use]
    pub fn is_in_flight(&self) -> bool {
        matches!(self.state, State::Polling { in_flight: true })
    }
}

/// `now + wait`, but never past `cap` (and `cap` when the sum is beyond the clock's range).
fn later(now: Instant, wait: Duration, cap: Instant) -> Instant {
    now.checked_add(wait).map_or(cap, |at| at.min(cap))
}

/// What to do at `now`: the device flow's answer to [`DeviceFlow::poll`].
///
/// `Debug` prints a request's method and URL only: its body carries the device code (and, for
/// [`AuthMethod::Post`](crate::AuthMethod::Post), the client secret).
#[must_use]
#[allow(
    clippy::large_enum_variant,
    reason = "one step per poll, seconds apart: moving 440 bytes costs less than boxing the request"
)]
pub enum DeviceStep<'a> {
    /// Send this token request now
    /// (`grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…`, with client
    /// authentication); read its answer with the [`PendingExchange`] (its `finish`, with the
    /// time it was sent) and report the result to [`DeviceFlow::answered`].
    Send(Request<Vec<u8>>, PendingExchange),
    /// A request is out: report its result before asking again.
    InFlight,
    /// Nothing to send before this instant (never later than the device code's expiry).
    Wait(Instant),
    /// The user approved: the token.
    Done(&'a Token),
    /// The flow ended without a token.
    Failed(&'a DeviceFlowError),
}

impl fmt::Debug for DeviceStep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Send(request, pending) => f
                .debug_struct("Send")
                .field("method", request.method())
                .field("uri", request.uri())
                .field("pending", pending)
                .finish_non_exhaustive(),
            Self::InFlight => f.write_str("InFlight"),
            Self::Wait(at) => f.debug_tuple("Wait").field(at).finish(),
            Self::Done(token) => f.debug_tuple("Done").field(token).finish(),
            Self::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
        }
    }
}

/// Why a device flow ended without a token.
///
/// # Examples
/// ```
/// use std::time::Instant;
/// use oauth_core::device::DeviceFlowError;
/// let expired = DeviceFlowError::CodeExpired { expires_at: Instant::now() };
/// assert!(expired.to_string().contains("expired"));
/// assert!(expired.token_error().is_none());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DeviceFlowError {
    /// The user refused the request (`access_denied`, RFC 8628 §3.5).
    AccessDenied(TokenError),
    /// The server says the device code has expired (`expired_token`, RFC 8628 §3.5).
    ExpiredToken(TokenError),
    /// The device code's own lifetime (its `expires_in`) ran out before the user finished,
    /// whatever the server last answered.
    CodeExpired {
        /// When it expired.
        expires_at: Instant,
    },
    /// Any other answer that ends the flow: a refusal that retrying would not change
    /// (`invalid_grant`, `invalid_client`, `unsupported_grant_type`, …) or an answer that is
    /// not a token.
    Refused(TokenError),
    /// The flow was driven in a way that cannot work — [`DeviceFlow::poll`] for a client that
    /// signs assertions ([`MisuseError::AssertionNeedsTime`]) — so it ended before sending.
    Misuse(MisuseError),
}

impl DeviceFlowError {
    /// The token endpoint's answer that ended the flow, when an answer did.
    #[must_use]
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::AccessDenied(e) | Self::ExpiredToken(e) | Self::Refused(e) => Some(e),
            Self::CodeExpired { .. } | Self::Misuse(_) => None,
        }
    }
}

impl fmt::Display for DeviceFlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AccessDenied(_) => f.write_str("the user refused the device authorization"),
            Self::ExpiredToken(_) => f.write_str("the device code expired before the user finished"),
            Self::CodeExpired { .. } => {
                f.write_str("the device code expired (its `expires_in` ran out) before the user finished")
            }
            Self::Refused(e) => fmt::Display::fmt(e, f),
            Self::Misuse(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// `AccessDenied` and `ExpiredToken` say what happened and return the server's answer as their
/// `source`; `Refused` and `Misuse` display their inner error, so they return only that error's
/// own source.
impl std::error::Error for DeviceFlowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::AccessDenied(e) | Self::ExpiredToken(e) => Some(e),
            Self::Refused(e) => e.source(),
            Self::Misuse(e) => e.source(),
            Self::CodeExpired { .. } => None,
        }
    }
}
