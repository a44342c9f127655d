//! Token introspection (RFC 7662): the request that asks the server what it knows of a token,
//! and the reader of its answer.
//!
//! The request is a form `POST` carrying `token` and `token_type_hint`, with the client
//! authenticated exactly as a token request authenticates it. The answer (RFC 7662 §2.2) is read
//! without I/O and without a clock: `active` is required, and `active: false` is an answer, not
//! an error; times (`exp`, `iat`, `nbf`) stay seconds since the Unix epoch, compared with a `now`
//! the caller passes in. Errors go through the reader every endpoint shares
//! ([`parse_error_response`](crate::parse_error_response)), with the token and the client's
//! credentials scrubbed from them.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response, StatusCode};
use serde_json::Value;

use crate::auth::ClientAssertion;
use crate::revocation::{Echoes, Submitted, TokenTypeHint};
use crate::{
    AccessToken, BodyExcerpt, BodyProblem, ClientAuth, EndpointUrl, ErrorCode, ExpiresInProblem, Extras, JsonKind,
    MisuseError, Quirks, RefreshToken, RetryAfter, Scope, SecretParam, ServerError, TokenType,
};

/// A request to introspect a token (RFC 7662 §2.1).
///
/// The token is a secret: it is sent in the body and shows nowhere else — not in `Debug`, not
/// in any error, even when the server repeats it.
///
/// # Examples
/// ```
/// use oauth_core::introspection::IntrospectionRequest;
/// use oauth_core::{AccessToken, ClientAuth, ClientId, ClientSecret, EndpointUrl};
/// let endpoint = EndpointUrl::new("https://server.example.com/introspect")?;
/// let auth = ClientAuth::post(ClientId::new("rs-1")?, ClientSecret::new("rs-s3cr3t"));
///
/// let (request, pending) = IntrospectionRequest::access_token(&AccessToken::new("mF_9.B5f-4.1JqM"))
///     .build_request(&endpoint, &auth)?;
/// assert_eq!(request.body(),
///     b"token=mF_9.B5f-4.1JqM&token_type_hint=access_token&client_id=rs-1&client_secret=rs-s3cr3t");
///
/// // … send it, then read the answer.
/// let answer = http::Response::builder()
///     .header("content-type", "application/json")
///     .body(r#"{"active":true,"scope":"read write","exp":1419356238}"#)?;
/// let introspection = pending.finish(&answer)?;
/// assert!(introspection.is_active());
/// assert_eq!(introspection.scope().map(|s| s.as_str()), Some("read write"));
/// assert_eq!(introspection.exp(), Some(1_419_356_238));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct IntrospectionRequest {
    submitted: Submitted,
}

impl IntrospectionRequest {
    /// Introspects an access token, hinted `access_token`. The handle is shared, not copied.
    #[must_use]
    pub fn access_token(token: &AccessToken) -> Self {
        Self { submitted: Submitted::access_token(token) }
    }

    /// Introspects a refresh token, hinted `refresh_token`.
    #[must_use]
    pub fn refresh_token(token: &RefreshToken) -> Self {
        Self { submitted: Submitted::refresh_token(token) }
    }

    /// Introspects a token given as text — one a resource server received, say — with no hint
    /// (add one with [`with_hint`](Self::with_hint)).
    pub fn new(token: impl Into<SecretParam>) -> Self {
        Self { submitted: Submitted::other(token.into()) }
    }

    /// Sends `hint` as `token_type_hint`.
    #[must_use]
    pub fn with_hint(mut self, hint: TokenTypeHint) -> Self {
        self.submitted.hint = Some(hint);
        self
    }

    /// Sends no `token_type_hint`.
    #[must_use]
    pub fn without_hint(mut self) -> Self {
        self.submitted.hint = None;
        self
    }

    /// The hint sent, if any.
    #[must_use]
    pub fn hint(&self) -> Option<&TokenTypeHint> {
        self.submitted.hint.as_ref()
    }

    /// Builds the `POST` to the introspection endpoint, authenticated as `auth` exactly as a
    /// token request is, and the value that reads its answer.
    ///
    /// The body is `token=…`, then `token_type_hint=…` when there is a hint, then the client's
    /// form credentials when its method puts them in the body; `Accept: application/json`.
    ///
    /// # Errors
    /// [`MisuseError::AssertionNeedsTime`] for the JWT methods, whose assertion needs the time
    /// and fresh entropy: use [`IntrospectionRequest::build_request_at`]. Every other method
    /// builds.
    pub fn build_request(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
    ) -> Result<(Request<Vec<u8>>, PendingIntrospection), MisuseError> {
        auth.refuse_assertion("IntrospectionRequest::build_request_at")?;
        Ok(self.build(endpoint, auth, None))
    }

    /// [`IntrospectionRequest::build_request`] for every method, the JWT ones included: their
    /// body also carries `client_assertion_type` and `client_assertion`, a JWT made for this
    /// request at `now` with `jti_entropy`, as
    /// [`TokenEndpoint::build_request_at`](crate::TokenEndpoint::build_request_at) makes it.
    /// Its `aud` is the client's [`assertion_audience`](ClientAuth::assertion_audience) when
    /// set, else `endpoint`'s URL (the introspection endpoint's, not the token endpoint's).
    /// Other methods ignore `now` and `jti_entropy`.
    ///
    /// # Examples
    /// ```
    /// use std::time::SystemTime;
    /// use oauth_core::introspection::IntrospectionRequest;
    /// use oauth_core::{AccessToken, AssertionKey, ClientAuth, ClientId, EndpointUrl};
    /// let key = AssertionKey::ed25519_pkcs8_pem("-----BEGIN PRIVATE KEY-----
    /// MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
    /// -----END PRIVATE KEY-----")?;
    /// let auth = ClientAuth::private_key_jwt(ClientId::new("rs-1")?, key);
    /// let endpoint = EndpointUrl::new("https://as.example/introspect")?;
    /// let entropy = [42; 16]; // from the operating system's generator, in real code
    /// let (request, _pending) = IntrospectionRequest::access_token(&AccessToken::new("mF_9.B5f-4.1JqM"))
    ///     .build_request_at(&endpoint, &auth, SystemTime::now(), entropy);
    /// assert!(std::str::from_utf8(request.body())?.contains("&client_id=rs-1&client_assertion_type="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingIntrospection::finish`"]
    pub fn build_request_at(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
        now: SystemTime,
        jti_entropy: [u8; 16],
    ) -> (Request<Vec<u8>>, PendingIntrospection) {
        self.build(endpoint, auth, auth.assertion(endpoint.uri(), now, jti_entropy))
    }

    fn build(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
        assertion: Option<ClientAssertion>,
    ) -> (Request<Vec<u8>>, PendingIntrospection) {
        let (request, echoes) = self.submitted.build(endpoint, auth, assertion);
        (request, PendingIntrospection { quirks: Quirks::lenient(), echoes })
    }
}

impl fmt::Debug for IntrospectionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.submitted.debug("IntrospectionRequest", f)
    }
}

/// An introspection request on its way: reads the answer, and scrubs the token and the client's
/// credentials from the error if the server echoes them.
///
/// Made by [`IntrospectionRequest::build_request_at`] (or
/// [`IntrospectionRequest::build_request`]); consumed by [`finish`](Self::finish).
#[must_use = "give the answer to `finish` to read what the server knows of the token"]
pub struct PendingIntrospection {
    quirks: Quirks,
    echoes: Echoes,
}

impl PendingIntrospection {
    /// Reads the answer with `quirks` instead of [`Quirks::lenient`] (see
    /// [`parse_response`] for the switches that apply).
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Reads the answer, as [`parse_response`] does.
    ///
    /// Hand over every answer, whatever its status: a 401 says the caller was refused, and a
    /// 503 carries its `Retry-After`.
    ///
    /// # Errors
    /// As [`parse_response`], with the token and the client's credentials replaced by
    /// `[redacted]` in any text kept from the server.
    pub fn finish<B: AsRef<[u8]>>(self, response: &Response<B>) -> Result<Introspection, IntrospectionError> {
        parse(&self.quirks, response, Some(&self.echoes))
    }
}

impl fmt::Debug for PendingIntrospection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingIntrospection").field("quirks", &self.quirks).finish_non_exhaustive()
    }
}

mod answer;
mod error;

use answer::parse;

pub use answer::{Introspection, parse_response};
pub use error::{IntrospectionError, IntrospectionProblem, InvalidIntrospection};
