//! The device authorization grant (RFC 8628): asking for a device code, then polling the token
//! endpoint with it until the user approves or refuses, or the code expires — as values, given
//! `now`.
//!
//! Two pure halves around the I/O, as for every exchange in this crate:
//! 1. [`DeviceAuthorizationEndpoint::build_request`] makes the device authorization request
//!    (§3.1); [`PendingDeviceAuthorization::finish`] reads its answer (§3.2) into a
//!    [`DeviceAuthorization`]: the code and address to show the user, and the device code,
//!    a secret.
//! 2. [`DeviceFlow`] is the polling (§3.4, §3.5) as a state machine shaped like
//!    [`TokenLifecycle`](crate::TokenLifecycle): [`DeviceFlow::poll`] says, at `now`, to send a
//!    token request (and hands it out), to wait until an instant, or that the flow is done or
//!    failed; [`DeviceFlow::answered`] takes each answer back. At most one request is out at a
//!    time, and none is handed out before the interval has passed.
//!
//! # A whole flow
//! ```
//! use std::time::{Duration, Instant};
//! use oauth_core::device::{
//!     DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceStep,
//! };
//! use oauth_core::{ClientAuth, ClientId, EndpointUrl, Scope, TokenEndpoint, TokenError};
//!
//! let auth = ClientAuth::public(ClientId::new("tv-app")?);
//! let device = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device")?);
//! let request = DeviceAuthorizationRequest::new().with_scope(Scope::parse("read")?);
//! let (http_request, pending) = device.build_request(&auth, &request);
//! assert_eq!(http_request.body(), b"client_id=tv-app&scope=read");
//!
//! // … send it; note when …
//! let t0 = Instant::now();
//! let answer = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json")
//!     .body(r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT",
//!              "verification_uri":"https://example.com/device","expires_in":1800,"interval":5}"#)?;
//! let authorization = pending.finish(&answer, t0)?;
//! assert_eq!(authorization.user_code(), "WDJB-MJHT"); // show it, and the address, to the user
//!
//! let token_endpoint = TokenEndpoint::new("https://as.example/token")?;
//! let mut flow = DeviceFlow::new(token_endpoint, auth, &authorization, t0);
//! assert!(matches!(flow.poll(t0), DeviceStep::Wait(at) if at == t0 + Duration::from_secs(5)));
//!
//! let t1 = t0 + Duration::from_secs(5);
//! let DeviceStep::Send(token_request, pending) = flow.poll(t1) else { unreachable!() };
//! assert!(matches!(flow.poll(t1), DeviceStep::InFlight)); // never two at once
//! // … send `token_request` …
//! let answer = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json")
//!     .body(r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#)?;
//! let result = pending.finish(&answer, t1);
//! assert!(flow.answered::<TokenError>(t1, result).is_none());
//! let DeviceStep::Done(token) = flow.poll(t1) else { unreachable!() };
//! assert_eq!(token.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

use http::{Method, Request, Response, StatusCode};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{ExpiresInProblem, JsonKind, status_is_retryable};
use crate::expires_in::{ExpiresIn, ExpiresRaw, expires_in_secs};
use crate::media::{Format, FormatProblem, body_format, json_kind_of};
use crate::{
    BodyExcerpt, ClientAuth, ClientId, ClientSecret, EndpointUrl, ErrorCode, Extras, Grant, MisuseError, Params,
    PendingExchange, ProtocolError, ProtocolErrorKind, Quirks, RESERVED_EXTENSION_PARAMS, RequestFailure, RetryAfter,
    Scope, SecretParam, ServerError, Token, TokenEndpoint, TokenError, TokenRequest,
};

/// The `grant_type` of the device access token request (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// How much a `slow_down` answer adds to the interval, for that and every later request
/// (RFC 8628 §3.5). A request that got no answer, or a "try later" answer, adds the same.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The device authorization endpoint (RFC 8628 §3.1): a checked URL and the [`Quirks`] its
/// answers are read with.
///
/// # Examples
/// ```
/// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest};
/// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl};
/// let endpoint = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device_authorization")?);
/// let auth = ClientAuth::basic(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
/// let (request, _pending) = endpoint.build_request(&auth, &DeviceAuthorizationRequest::new());
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.uri(), "https://as.example/device_authorization");
/// assert!(request.headers()["authorization"].is_sensitive());
/// assert_eq!(request.body(), b""); // Basic: the client is in the header, no scope asked for
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorizationEndpoint {
    url: EndpointUrl,
    quirks: Quirks,
}

impl DeviceAuthorizationEndpoint {
    /// The endpoint at `url`; answers are read with [`Quirks::lenient`].
    #[must_use]
    pub fn new(url: EndpointUrl) -> Self {
        Self { url, quirks: Quirks::lenient() }
    }

    /// Replaces the quirks answers are read with.
    #[must_use]
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// The URL.
    #[must_use]
    pub fn url(&self) -> &EndpointUrl {
        &self.url
    }

    /// The quirks answers are read with.
    #[must_use]
    pub fn quirks(&self) -> &Quirks {
        &self.quirks
    }

    /// Builds the `POST` for `request`, authenticated as `auth` the way a token request is
    /// (the `Authorization` header for Basic, marked sensitive; `client_id`, and
    /// `client_secret` for [`AuthMethod::Post`](crate::AuthMethod::Post), in the body
    /// otherwise), and the value that reads its answer. Cannot fail: the inputs were checked
    /// when made.
    ///
    /// The body is `application/x-www-form-urlencoded`: the credentials when they go in the
    /// body, `scope` when not empty, then the extra parameters in order.
    #[must_use = "the request must be sent and its answer given to `PendingDeviceAuthorization::finish`"]
    pub fn build_request(
        &self,
        auth: &ClientAuth,
        request: &DeviceAuthorizationRequest,
    ) -> (Request<Vec<u8>>, PendingDeviceAuthorization) {
        let mut form = form_urlencoded::Serializer::for_suffix(auth.form_credentials().to_owned(), 0);
        if !request.scope.is_empty() {
            form.append_pair("scope", request.scope.as_str());
        }
        for (name, value) in request.params.iter() {
            form.append_pair(name, value.as_str());
        }
        let mut http_request = Request::new(form.finish().into_bytes());
        *http_request.method_mut() = Method::POST;
        *http_request.uri_mut() = self.url.uri().clone();
        *http_request.headers_mut() = auth.request_headers().clone();
        let pending = PendingDeviceAuthorization {
            quirks: self.quirks,
            client_id: auth.client_id().clone(),
            client_secret: auth.client_secret().cloned(),
            secret_params: request.params.secrets().next().is_some().then(|| request.params.clone()),
        };
        (http_request, pending)
    }
}

/// What a device authorization request asks for: a scope, and extra parameters (an
/// `audience`, a `resource`, …).
///
/// # Examples
/// ```
/// use oauth_core::device::DeviceAuthorizationRequest;
/// use oauth_core::{Params, Scope};
/// let mut audience = Params::new();
/// audience.push("audience", "https://api.example")?;
/// let request = DeviceAuthorizationRequest::new().with_scope(Scope::parse("openid offline_access")?);
/// assert!(request.clone().with_params(audience).is_ok());
/// let mut other = Params::new();
/// other.push("client_id", "someone-else")?;
/// assert!(request.with_params(other).is_err()); // the library writes the client id
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DeviceAuthorizationRequest {
    scope: Scope,
    params: Params,
}

impl DeviceAuthorizationRequest {
    /// A request with no scope and no extra parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the scope (an empty scope sends no `scope` parameter).
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets the extra parameters.
    ///
    /// # Errors
    /// [`MisuseError::ReservedParameter`] when one would overwrite a name the library writes
    /// (those of [`RESERVED_EXTENSION_PARAMS`]: `grant_type`, `client_id`, `client_secret`,
    /// `scope`).
    pub fn with_params(mut self, params: Params) -> Result<Self, MisuseError> {
        if let Some((name, _)) = params.iter().find(|(name, _)| RESERVED_EXTENSION_PARAMS.contains(name)) {
            return Err(MisuseError::ReservedParameter { name: name.into() });
        }
        self.params = params;
        Ok(self)
    }

    /// The scope.
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The extra parameters.
    #[must_use]
    pub fn params(&self) -> &Params {
        &self.params
    }
}

/// A device authorization request on its way: reads the answer, and scrubs every credential
/// the request carried from an error if the server echoes one.
///
/// Made by [`DeviceAuthorizationEndpoint::build_request`]; consumed by
/// [`PendingDeviceAuthorization::finish`].
#[must_use = "give the answer to `finish` to get the device authorization"]
pub struct PendingDeviceAuthorization {
    quirks: Quirks,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    secret_params: Option<Params>,
}

impl PendingDeviceAuthorization {
    /// Reads the answer (RFC 8628 §3.2). `sent_at` is when the request was sent, on the
    /// caller's clock: the device code's expiry is counted from it, so network time only
    /// shortens it.
    ///
    /// What is read: `device_code` (kept as a [`SecretParam`]), `user_code`,
    /// `verification_uri` — or `verification_url`, the name some servers use — and
    /// `verification_uri_complete` when present, all strings; `expires_in` by the same rules
    /// as a token answer's (any number form, a numeric string where the quirks allow one,
    /// floored to seconds; a positive value under a second is a code already due);
    /// `interval`, by the same rules, [`DEFAULT_INTERVAL`] when absent or zero. Other members
    /// are kept as [`Extras`]. A JSON body is read, or a form body where the quirks allow it.
    /// Hand over every answer, whatever its status.
    ///
    /// # Errors
    /// [`DeviceAuthorizationError::Server`] for an error answer, read by the shared error-body
    /// reader [`parse_error_response`](crate::parse_error_response) (`invalid_client`,
    /// `invalid_scope`, a 5xx, …); [`DeviceAuthorizationError::Protocol`] for an answer that
    /// is not a usable device authorization. Never panics, whatever the bytes; the request's
    /// credentials and the device code are never in an error.
    pub fn finish<B: AsRef<[u8]>>(
        self,
        response: &Response<B>,
        sent_at: Instant,
    ) -> Result<DeviceAuthorization, DeviceAuthorizationError> {
        read(&self.quirks, response, sent_at).map_err(|mut error| {
            self.for_each_secret(|secret| error.scrub(secret));
            error
        })
    }

    /// Calls `f` with each credential the request carried, in every spelling a token
    /// exchange's errors are scrubbed of (the client secret as is, the base64 of each Basic
    /// spelling of id and secret), and each secret extra parameter.
    fn for_each_secret(&self, mut f: impl FnMut(&str)) {
        crate::request::for_each_client_credential(&self.client_id, self.client_secret.as_ref(), &mut f);
        if let Some(params) = &self.secret_params {
            params.secrets().for_each(&mut f);
        }
    }
}

impl fmt::Debug for PendingDeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingDeviceAuthorization").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// A device authorization as the server granted it (RFC 8628 §3.2): what to show the user,
/// the secret device code to poll with, and the code's lifetime on the caller's clock.
///
/// `Debug` prints the device code as `[redacted]`; the user code and addresses are meant to be
/// shown and print as they are.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
/// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DEFAULT_INTERVAL};
/// use oauth_core::{ClientAuth, ClientId, EndpointUrl};
/// let endpoint = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device/code")?);
/// let (_, pending) = endpoint.build_request(&ClientAuth::public(ClientId::new("tv")?), &DeviceAuthorizationRequest::new());
/// // `verification_url` for `verification_uri`, `expires_in` as a string, no `interval`.
/// let answer = http::Response::builder().header("content-type", "application/json").body(
///     r#"{"device_code":"4/4-GMMhmHCX","user_code":"GQVQ-JKEC","verification_url":"https://as.example/device","expires_in":"1800"}"#,
/// )?;
/// let sent_at = Instant::now();
/// let authorization = pending.finish(&answer, sent_at)?;
/// assert_eq!(authorization.verification_uri(), "https://as.example/device");
/// assert_eq!(authorization.expires_at(), sent_at + Duration::from_secs(1800));
/// assert_eq!(authorization.interval(), DEFAULT_INTERVAL);
/// assert!(!format!("{authorization:?}").contains("4/4-GMMhmHCX"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    device_code: SecretParam,
    user_code: Box<str>,
    verification_uri: Box<str>,
    verification_uri_complete: Option<Box<str>>,
    lifetime: Duration,
    expires_at: Instant,
    interval: Duration,
    extras: Extras,
}

impl DeviceAuthorization {
    /// The device code: a secret, sent only in the token requests [`DeviceFlow`] builds.
    #[must_use]
    pub fn device_code(&self) -> &SecretParam {
        &self.device_code
    }

    /// The code the user types at the verification address.
    #[must_use]
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user goes to enter the code (`verification_uri`, or `verification_url`).
    #[must_use]
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// The address with the user code already in it (for a QR code, say), when the server
    /// sent one.
    #[must_use]
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// The device code's lifetime, as the server gave it (`expires_in`).
    #[must_use]
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// When the device code expires: the request's `sent_at` plus its lifetime.
    #[must_use]
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// Whether the device code has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: Instant) -> bool {
        now >= self.expires_at
    }

    /// The polling interval the server asked for ([`DEFAULT_INTERVAL`] when it named none).
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The members of the answer this type has no slot for (a `message` to show, say).
    #[must_use]
    pub fn extras(&self) -> &Extras {
        &self.extras
    }
}

/// Why a device authorization request failed.
///
/// # Examples
/// ```
/// use std::time::Instant;
/// use oauth_core::device::{DeviceAnswerProblem, DeviceAuthorizationEndpoint, DeviceAuthorizationError, DeviceAuthorizationRequest};
/// use oauth_core::{ClientAuth, ClientId, EndpointUrl, ErrorCode};
/// let endpoint = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device")?);
/// let auth = ClientAuth::public(ClientId::new("tv")?);
/// let request = DeviceAuthorizationRequest::new();
///
/// let (_, pending) = endpoint.build_request(&auth, &request);
/// let refused = http::Response::builder().status(400).header("content-type", "application/json")
///     .body(r#"{"error":"invalid_scope"}"#)?;
/// let error = pending.finish(&refused, Instant::now()).unwrap_err();
/// assert_eq!(error.code(), Some(&ErrorCode::InvalidScope));
///
/// let (_, pending) = endpoint.build_request(&auth, &request);
/// let unusable = http::Response::builder().header("content-type", "application/json")
///     .body(r#"{"device_code":"d3v1c3","verification_uri":"https://as.example/activate","expires_in":600}"#)?;
/// let error = pending.finish(&unusable, Instant::now()).unwrap_err();
/// let DeviceAuthorizationError::Protocol(protocol) = &error else { unreachable!() };
/// assert_eq!(protocol.kind, DeviceAnswerProblem::MissingField { field: "user_code" });
/// assert!(!error.to_string().contains("d3v1c3"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DeviceAuthorizationError {
    /// The server refused with an error answer (RFC 8628 §3.2, RFC 6749 §5.2).
    Server(Box<ServerError>),
    /// The answer is not a usable device authorization.
    Protocol(Box<DeviceProtocolError>),
}

impl DeviceAuthorizationError {
    /// Whether trying the same request again later can succeed: a 408, 429 or 5xx, or the
    /// codes `temporarily_unavailable` and `server_error` (as for [`TokenError::is_retryable`]).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server(e) => e.is_retryable(),
            Self::Protocol(e) => status_is_retryable(e.status),
        }
    }

    /// The HTTP status of the answer.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Server(e) => e.status,
            Self::Protocol(e) => e.status,
        }
    }

    /// The OAuth error code, when the server sent one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Server(e) => e.code.as_ref(),
            Self::Protocol(_) => None,
        }
    }

    /// Replaces `secret` in every text kept from the server, as [`TokenError::scrub`] does.
    fn scrub(&mut self, secret: &str) {
        match self {
            Self::Server(e) => {
                let mut wrapped = TokenError::Server(std::mem::replace(e, Box::new(ServerError::new(StatusCode::OK))));
                wrapped.scrub(secret);
                if let TokenError::Server(back) = wrapped {
                    *e = back;
                }
            }
            Self::Protocol(e) => e.body = scrubbed_excerpt(std::mem::take(&mut e.body), secret),
        }
    }
}

impl fmt::Display for DeviceAuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(e) => fmt::Display::fmt(e, f),
            Self::Protocol(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// Each variant displays its inner error, so none also returns it as its `source`.
impl std::error::Error for DeviceAuthorizationError {}

/// A device authorization answer that is not usable.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeviceProtocolError {
    /// What exactly is wrong.
    pub kind: DeviceAnswerProblem,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The start of the body, with token-like values (the device code among them) masked.
    pub body: BodyExcerpt,
}

impl fmt::Display for DeviceProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "device authorization answer is not usable (HTTP {}): {}", self.status, self.kind)?;
        if !self.body.is_empty() {
            write!(f, "; body starts {:?}", self.body.text())?;
        }
        Ok(())
    }
}

/// What exactly is wrong with a device authorization answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceAnswerProblem {
    /// The body is larger than the profile's cap.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
        /// The body's size, in bytes.
        actual: usize,
    },
    /// The body is empty.
    EmptyBody,
    /// The body is not UTF-8.
    InvalidUtf8,
    /// The body is not JSON (nor, where the profile allows it, a form).
    NotJson {
        /// The JSON parser's message (position included, no content).
        detail: Box<str>,
    },
    /// The JSON body is not an object.
    NotAnObject {
        /// What it is.
        found: JsonKind,
    },
    /// The `Content-Type` is not JSON and the profile does not look past labels.
    UnexpectedContentType,
    /// A status that is neither success nor an error (1xx, 3xx, or a non-200 2xx under a
    /// strict profile).
    UnexpectedStatus,
    /// A required member is missing.
    MissingField {
        /// The member.
        field: &'static str,
    },
    /// A required member is an empty string.
    EmptyField {
        /// The member.
        field: &'static str,
    },
    /// A member has the wrong JSON type.
    FieldType {
        /// The member.
        field: &'static str,
        /// What it is.
        found: JsonKind,
    },
    /// A member meant to be shown to the user holds control characters (which could rewrite a
    /// terminal's screen).
    FieldCharacters {
        /// The member.
        field: &'static str,
    },
    /// A member appears twice, so its meaning is ambiguous.
    DuplicateField {
        /// The member.
        field: &'static str,
    },
    /// `expires_in` is unusable.
    InvalidExpiresIn {
        /// Why.
        problem: ExpiresInProblem,
    },
    /// `interval` is unusable.
    InvalidInterval {
        /// Why.
        problem: ExpiresInProblem,
    },
}

impl fmt::Display for DeviceAnswerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BodyTooLarge { limit, actual } => write!(f, "body of {actual} bytes exceeds the {limit}-byte cap"),
            Self::EmptyBody => f.write_str("body is empty"),
            Self::InvalidUtf8 => f.write_str("body is not UTF-8"),
            Self::NotJson { detail } => write!(f, "body is not JSON ({detail})"),
            Self::NotAnObject { found } => write!(f, "body is {found}, not a JSON object"),
            Self::UnexpectedContentType => f.write_str("Content-Type is not JSON"),
            Self::UnexpectedStatus => f.write_str("status is neither success nor an error"),
            Self::MissingField { field } => write!(f, "`{field}` is missing"),
            Self::EmptyField { field } => write!(f, "`{field}` is empty"),
            Self::FieldType { field, found } => write!(f, "`{field}` is {found}"),
            Self::FieldCharacters { field } => write!(f, "`{field}` holds control characters"),
            Self::DuplicateField { field } => write!(f, "`{field}` appears more than once"),
            Self::InvalidExpiresIn { problem } => write!(f, "`expires_in` {problem}"),
            Self::InvalidInterval { problem } => match problem {
                ExpiresInProblem::TooLarge => f.write_str("`interval` is larger than this profile's maximum lifetime"),
                _ => write!(f, "`interval` {problem}"),
            },
        }
    }
}

/// `body` with `secret` scrubbed, as [`TokenError::scrub`] does it for a protocol error.
fn scrubbed_excerpt(body: BodyExcerpt, secret: &str) -> BodyExcerpt {
    let mut wrapped = TokenError::Protocol(Box::new(ProtocolError {
        kind: ProtocolErrorKind::EmptyBody,
        status: StatusCode::OK,
        content_type: None,
        retry_after: None,
        body,
    }));
    wrapped.scrub(secret);
    match wrapped {
        TokenError::Protocol(e) => e.body,
        _ => BodyExcerpt::default(),
    }
}

fn read<B: AsRef<[u8]>>(
    quirks: &Quirks,
    response: &Response<B>,
    sent_at: Instant,
) -> Result<DeviceAuthorization, DeviceAuthorizationError> {
    if let Some(error) = crate::parse_error_response(quirks, response) {
        return Err(DeviceAuthorizationError::Server(Box::new(error)));
    }
    let (status, body) = (response.status(), response.body().as_ref());
    let fail = |kind, body: &[u8]| {
        DeviceAuthorizationError::Protocol(Box::new(DeviceProtocolError { kind, status, body: BodyExcerpt::new(body) }))
    };
    if body.len() > quirks.max_body_bytes {
        return Err(fail(DeviceAnswerProblem::BodyTooLarge { limit: quirks.max_body_bytes, actual: body.len() }, &[]));
    }
    if !status.is_success() || (!quirks.any_success_status && status != StatusCode::OK) {
        return Err(fail(DeviceAnswerProblem::UnexpectedStatus, body));
    }
    let fields = match body_format(quirks, response.headers(), body) {
        Ok(Format::Json) => parse_json(body),
        Ok(Format::Form) => parse_form(body),
        Err(FormatProblem::EmptyBody) => Err(DeviceAnswerProblem::EmptyBody),
        Err(FormatProblem::UnexpectedContentType) => Err(DeviceAnswerProblem::UnexpectedContentType),
    }
    .map_err(|kind| fail(kind, body))?;
    // The excerpt masks `device_code`'s value by its name, however the name is escaped.
    fields.authorization(quirks, sent_at).map_err(|kind| fail(kind, body))
}

/// A member's value before validation: raw JSON, or form text.
enum Raw<'a> {
    Json(&'a RawValue),
    Text(Cow<'a, str>),
}

impl Raw<'_> {
    /// The value as a string; `None` for a null the profile reads as absent.
    fn text(&self, field: &'static str, quirks: &Quirks) -> Result<Option<String>, DeviceAnswerProblem> {
        match self {
            Self::Text(text) => Ok(Some(text.clone().into_owned())),
            Self::Json(raw) => match raw.get().as_bytes().first() {
                Some(b'"') => serde_json::from_str(raw.get())
                    .map(Some)
                    .map_err(|_| DeviceAnswerProblem::FieldType { field, found: JsonKind::String }),
                Some(b'n') if quirks.null_as_absent => Ok(None),
                Some(&first) => Err(DeviceAnswerProblem::FieldType { field, found: json_kind_of(first) }),
                None => Err(DeviceAnswerProblem::FieldType { field, found: JsonKind::Null }),
            },
        }
    }

    /// A number of seconds, read as `expires_in` is; `None` for a null read as absent.
    fn seconds(&self, quirks: &Quirks) -> Result<Option<ExpiresIn>, ExpiresInProblem> {
        let raw = match self {
            Self::Json(raw) => ExpiresRaw::Json(raw.get()),
            Self::Text(text) => ExpiresRaw::Text(Cow::Borrowed(text.as_ref())),
        };
        expires_in_secs(&raw, quirks)
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Json(raw) => serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null),
            Self::Text(text) => serde_json::Value::String(text.clone().into_owned()),
        }
    }
}

#[derive(Default)]
struct Fields<'a> {
    device_code: Option<Raw<'a>>,
    user_code: Option<Raw<'a>>,
    verification_uri: Option<Raw<'a>>,
    verification_url: Option<Raw<'a>>,
    verification_uri_complete: Option<Raw<'a>>,
    expires_in: Option<Raw<'a>>,
    interval: Option<Raw<'a>>,
    extras: serde_json::Map<String, serde_json::Value>,
    duplicate: Option<&'static str>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, name: &str, value: Raw<'a>) {
        let (slot, field) = match name {
            "device_code" => (&mut self.device_code, "device_code"),
            "user_code" => (&mut self.user_code, "user_code"),
            "verification_uri" => (&mut self.verification_uri, "verification_uri"),
            "verification_url" => (&mut self.verification_url, "verification_url"),
            "verification_uri_complete" => (&mut self.verification_uri_complete, "verification_uri_complete"),
            "expires_in" => (&mut self.expires_in, "expires_in"),
            "interval" => (&mut self.interval, "interval"),
            _ => {
                self.extras.insert(name.to_owned(), value.to_json());
                return;
            }
        };
        if slot.replace(value).is_some() && self.duplicate.is_none() {
            self.duplicate = Some(field);
        }
    }

    fn authorization(&self, quirks: &Quirks, sent_at: Instant) -> Result<DeviceAuthorization, DeviceAnswerProblem> {
        if let Some(field) = self.duplicate {
            return Err(DeviceAnswerProblem::DuplicateField { field });
        }
        let device_code = required(self.device_code.as_ref(), "device_code", quirks)?;
        let user_code = shown(required(self.user_code.as_ref(), "user_code", quirks)?, "user_code")?;
        // The RFC's name wins when a server sends both.
        let (field, uri) = match (&self.verification_uri, &self.verification_url) {
            (None, Some(url)) => ("verification_url", Some(url)),
            (uri, _) => ("verification_uri", uri.as_ref()),
        };
        let verification_uri = shown(required(uri, field, quirks)?, field)?;
        let verification_uri_complete = match &self.verification_uri_complete {
            None => None,
            Some(raw) => match raw.text("verification_uri_complete", quirks)? {
                // Empty says no more than absent does.
                Some(text) if text.is_empty() => None,
                Some(text) => Some(shown(text, "verification_uri_complete")?),
                None => None,
            },
        };
        let missing_expiry = DeviceAnswerProblem::MissingField { field: "expires_in" };
        let expires_in = self.expires_in.as_ref().ok_or_else(|| missing_expiry.clone())?;
        let lifetime = match expires_in.seconds(quirks) {
            Ok(Some(ExpiresIn::Secs(secs))) => Duration::from_secs(secs),
            // A positive lifetime under a second: a code already due.
            Ok(Some(ExpiresIn::Due)) => Duration::ZERO,
            Ok(None) => return Err(missing_expiry),
            Err(problem) => return Err(DeviceAnswerProblem::InvalidExpiresIn { problem }),
        };
        let expires_at = sent_at
            .checked_add(lifetime)
            .ok_or(DeviceAnswerProblem::InvalidExpiresIn { problem: ExpiresInProblem::TooLarge })?;
        let interval = match self.interval.as_ref().map(|raw| raw.seconds(quirks)).transpose() {
            Ok(Some(Some(ExpiresIn::Secs(secs)))) if secs > 0 => Duration::from_secs(secs),
            // Absent, null read as absent, zero or under a second: the RFC's default.
            Ok(_) => DEFAULT_INTERVAL,
            Err(problem) => return Err(DeviceAnswerProblem::InvalidInterval { problem }),
        };
        Ok(DeviceAuthorization {
            device_code: SecretParam::new(device_code),
            user_code: user_code.into(),
            verification_uri: verification_uri.into(),
            verification_uri_complete: verification_uri_complete.map(Into::into),
            lifetime,
            expires_at,
            interval,
            extras: Extras::from_map(self.extras.clone()),
        })
    }
}

/// A required string member: present, a string, not empty.
fn required(raw: Option<&Raw<'_>>, field: &'static str, quirks: &Quirks) -> Result<String, DeviceAnswerProblem> {
    match raw.map(|raw| raw.text(field, quirks)).transpose()?.flatten() {
        None => Err(DeviceAnswerProblem::MissingField { field }),
        Some(text) if text.is_empty() => Err(DeviceAnswerProblem::EmptyField { field }),
        Some(text) => Ok(text),
    }
}

/// A member shown to the user: no control characters.
fn shown(text: String, field: &'static str) -> Result<String, DeviceAnswerProblem> {
    if text.chars().any(char::is_control) {
        return Err(DeviceAnswerProblem::FieldCharacters { field });
    }
    Ok(text)
}

fn parse_json(body: &[u8]) -> Result<Fields<'_>, DeviceAnswerProblem> {
    let text = std::str::from_utf8(body).map_err(|_| DeviceAnswerProblem::InvalidUtf8)?;
    let not_json = |e: &serde_json::Error| DeviceAnswerProblem::NotJson { detail: e.to_string().into() };
    match text.trim_ascii_start().as_bytes().first() {
        Some(b'{') => serde_json::from_str::<Members<'_>>(text).map(|m| m.0).map_err(|e| not_json(&e)),
        Some(&first) => match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Err(DeviceAnswerProblem::NotAnObject { found: json_kind_of(first) }),
            Err(e) => Err(not_json(&e)),
        },
        None => Err(DeviceAnswerProblem::EmptyBody),
    }
}

fn parse_form(body: &[u8]) -> Result<Fields<'_>, DeviceAnswerProblem> {
    if std::str::from_utf8(body).is_err() {
        return Err(DeviceAnswerProblem::InvalidUtf8);
    }
    let mut fields = Fields::default();
    for (name, value) in form_urlencoded::parse(body.trim_ascii()) {
        fields.set(&name, Raw::Text(value));
    }
    Ok(fields)
}

/// A JSON object's members, each value kept raw (borrowed from the body) for validation.
struct Members<'a>(Fields<'a>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut fields = Fields::default();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    fields.set(&name, Raw::Json(value));
                }
                Ok(Members(fields))
            }
        }
        d.deserialize_map(V)
    }
}

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
/// # let (_, pending) = device.build_request(&auth, &DeviceAuthorizationRequest::new());
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
    /// interval after `now`.
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
    pub fn poll(&mut self, now: Instant) -> DeviceStep<'_> {
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
                let (request, pending) = self.endpoint.build_request(&self.auth, &self.request);
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
}

impl DeviceFlowError {
    /// The token endpoint's answer that ended the flow, when an answer did.
    #[must_use]
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::AccessDenied(e) | Self::ExpiredToken(e) | Self::Refused(e) => Some(e),
            Self::CodeExpired { .. } => None,
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
        }
    }
}

/// `AccessDenied` and `ExpiredToken` say what happened and return the server's answer as their
/// `source`; `Refused` displays its inner error, so it returns only that error's own source.
impl std::error::Error for DeviceFlowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::AccessDenied(e) | Self::ExpiredToken(e) => Some(e),
            Self::Refused(e) => e.source(),
            Self::CodeExpired { .. } => None,
        }
    }
}
