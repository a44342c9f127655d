//! The device authorization request (RFC 8628 §3.1) and what its answer holds (§3.2), with the errors
//! reading it can give.

use super::answer::{read, scrubbed_excerpt};
use super::*;
use crate::auth::ClientAssertion;
use crate::request::SentCredentials;

/// The device authorization endpoint (RFC 8628 §3.1): a checked URL and the [`Quirks`] its
/// answers are read with.
///
/// # Examples
/// ```
/// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest};
/// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl};
/// let endpoint = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device_authorization")?);
/// let auth = ClientAuth::basic(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
/// let (request, _pending) = endpoint.build_request(&auth, &DeviceAuthorizationRequest::new())?;
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
    /// otherwise), and the value that reads its answer.
    ///
    /// The body is `application/x-www-form-urlencoded`: the credentials when they go in the
    /// body, `scope` when not empty, then the extra parameters in order.
    ///
    /// # Errors
    /// [`MisuseError::AssertionNeedsTime`] for the JWT methods, whose assertion needs the time
    /// and fresh entropy: use [`DeviceAuthorizationEndpoint::build_request_at`]. Every other
    /// method builds: the inputs were checked when made.
    pub fn build_request(
        &self,
        auth: &ClientAuth,
        request: &DeviceAuthorizationRequest,
    ) -> Result<(Request<Vec<u8>>, PendingDeviceAuthorization), MisuseError> {
        auth.refuse_assertion("DeviceAuthorizationEndpoint::build_request_at")?;
        Ok(self.build(auth, request, None))
    }

    /// [`DeviceAuthorizationEndpoint::build_request`] for every method, the JWT ones included:
    /// their body also carries `client_assertion_type` and `client_assertion` after the client
    /// id, a JWT made for this request at `now` with `jti_entropy`, as
    /// [`TokenEndpoint::build_request_at`] makes it. Its `aud` is the client's
    /// [`assertion_audience`](ClientAuth::assertion_audience) when set, else this endpoint's URL
    /// (the device authorization endpoint's, not the token endpoint's). Other methods ignore
    /// `now` and `jti_entropy`.
    ///
    /// # Examples
    /// ```
    /// use std::time::SystemTime;
    /// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest};
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl};
    /// let endpoint = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device_authorization")?);
    /// let auth = ClientAuth::client_secret_jwt(ClientId::new("tv")?, ClientSecret::new("s3cr3t"));
    /// let entropy = [42; 16]; // from the operating system's generator, in real code
    /// let (request, _pending) =
    ///     endpoint.build_request_at(&auth, &DeviceAuthorizationRequest::new(), SystemTime::now(), entropy);
    /// let body = std::str::from_utf8(request.body())?;
    /// assert!(body.starts_with("client_id=tv&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"));
    /// assert!(!body.contains("s3cr3t"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingDeviceAuthorization::finish`"]
    pub fn build_request_at(
        &self,
        auth: &ClientAuth,
        request: &DeviceAuthorizationRequest,
        now: SystemTime,
        jti_entropy: [u8; 16],
    ) -> (Request<Vec<u8>>, PendingDeviceAuthorization) {
        self.build(auth, request, auth.assertion(self.url.uri(), now, jti_entropy))
    }

    fn build(
        &self,
        auth: &ClientAuth,
        request: &DeviceAuthorizationRequest,
        assertion: Option<ClientAssertion>,
    ) -> (Request<Vec<u8>>, PendingDeviceAuthorization) {
        let mut body = auth.form_credentials().to_owned();
        if let Some(assertion) = &assertion {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(assertion.form());
        }
        let mut form = form_urlencoded::Serializer::for_suffix(body, 0);
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
            client: SentCredentials::new(auth, assertion),
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
/// Made by [`DeviceAuthorizationEndpoint::build_request_at`] (or
/// [`DeviceAuthorizationEndpoint::build_request`]); consumed by
/// [`PendingDeviceAuthorization::finish`].
#[must_use = "give the answer to `finish` to get the device authorization"]
pub struct PendingDeviceAuthorization {
    quirks: Quirks,
    client: SentCredentials,
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
    /// spelling of id and secret, the client assertion), and each secret extra parameter.
    fn for_each_secret(&self, mut f: impl FnMut(&str)) {
        self.client.for_each_secret(&mut f);
        if let Some(params) = &self.secret_params {
            params.secrets().for_each(&mut f);
        }
    }
}

impl fmt::Debug for PendingDeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingDeviceAuthorization").field("client_id", self.client.client_id()).finish_non_exhaustive()
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
/// let (_, pending) = endpoint.build_request(&ClientAuth::public(ClientId::new("tv")?), &DeviceAuthorizationRequest::new())?;
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
    pub(super) device_code: SecretParam,
    pub(super) user_code: Box<str>,
    pub(super) verification_uri: Box<str>,
    pub(super) verification_uri_complete: Option<Box<str>>,
    pub(super) lifetime: Duration,
    pub(super) expires_at: Instant,
    pub(super) interval: Duration,
    pub(super) extras: Extras,
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
/// let (_, pending) = endpoint.build_request(&auth, &request)?;
/// let refused = http::Response::builder().status(400).header("content-type", "application/json")
///     .body(r#"{"error":"invalid_scope"}"#)?;
/// let error = pending.finish(&refused, Instant::now()).unwrap_err();
/// assert_eq!(error.code(), Some(&ErrorCode::InvalidScope));
///
/// let (_, pending) = endpoint.build_request(&auth, &request)?;
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
    /// The body is not a JSON object (or, where the quirks allow it, a form) to read: its
    /// status, size, label or syntax.
    Body(BodyProblem),
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
            Self::Body(problem) => fmt::Display::fmt(problem, f),
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
