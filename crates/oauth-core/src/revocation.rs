//! Token revocation (RFC 7009): the request that asks the server to revoke a token, and the
//! reader of its answer. Also what introspection (RFC 7662) shares with it: the token type hint,
//! the token sent as a secret, and the scrubbing of a token the server echoes.
//!
//! The request is a form `POST` carrying `token` and `token_type_hint`, with the client
//! authenticated exactly as a token request authenticates it (the same [`ClientAuth`], the same
//! headers and form credentials, and for the JWT methods a fresh assertion, addressed to this
//! endpoint unless the client sets its audience). The answer is read without I/O: a 200 means revoked — RFC 7009
//! §2.2 says the body is to be ignored — and an error goes through the reader every endpoint
//! shares ([`parse_error_response`](crate::parse_error_response)), typed, with every credential
//! the request carried scrubbed from it.

use std::fmt;
use std::time::SystemTime;

use http::{Request, Response, StatusCode};

use crate::auth::ClientAssertion;
use crate::request::SentCredentials;
use crate::{
    AccessToken, BodyExcerpt, ClientAuth, EndpointUrl, ErrorCode, MisuseError, Quirks, RefreshToken, RetryAfter,
    SecretParam, ServerError, Token, TokenError,
};

/// The error code a revocation endpoint answers for a token type it cannot revoke
/// (RFC 7009 §2.2.1).
pub const UNSUPPORTED_TOKEN_TYPE: &str = "unsupported_token_type";

/// What kind of token is sent, as a hint to the server (RFC 7009 §2.1, RFC 7662 §2.1): it may
/// look the token up faster, and must search further when the hint is wrong.
///
/// # Examples
/// ```
/// use oauth_core::revocation::TokenTypeHint;
/// assert_eq!(TokenTypeHint::RefreshToken.as_str(), "refresh_token");
/// assert_eq!(TokenTypeHint::from_name("access_token"), TokenTypeHint::AccessToken);
/// assert_eq!(TokenTypeHint::from_name("urn:example:id_token").as_str(), "urn:example:id_token");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenTypeHint {
    /// `access_token`
    AccessToken,
    /// `refresh_token`
    RefreshToken,
    /// Any other value of the OAuth Token Type Hints registry (RFC 7009 §4.1.2), as written.
    Other(Box<str>),
}

impl TokenTypeHint {
    /// Reads a hint as written on the wire (exact match, as the registry defines them).
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        match name {
            "access_token" => Self::AccessToken,
            "refresh_token" => Self::RefreshToken,
            other => Self::Other(other.into()),
        }
    }

    /// The hint as written on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for TokenTypeHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The token a revocation or introspection request carries: a handle to the caller's token
/// (shared, not copied) or a secret made from text.
#[derive(Clone)]
pub(crate) enum Subject {
    Access(AccessToken),
    Refresh(RefreshToken),
    Other(SecretParam),
}

impl Subject {
    pub(crate) fn secret(&self) -> &str {
        match self {
            Self::Access(token) => token.secret(),
            Self::Refresh(token) => token.secret(),
            Self::Other(token) => token.secret(),
        }
    }
}

/// A token and its hint, as a revocation and an introspection request carry them.
#[derive(Clone)]
pub(crate) struct Submitted {
    pub(crate) token: Subject,
    pub(crate) hint: Option<TokenTypeHint>,
}

impl Submitted {
    pub(crate) fn access_token(token: &AccessToken) -> Self {
        Self { token: Subject::Access(token.clone()), hint: Some(TokenTypeHint::AccessToken) }
    }

    pub(crate) fn refresh_token(token: &RefreshToken) -> Self {
        Self { token: Subject::Refresh(token.clone()), hint: Some(TokenTypeHint::RefreshToken) }
    }

    pub(crate) fn other(token: SecretParam) -> Self {
        Self { token: Subject::Other(token), hint: None }
    }

    /// The form `POST` of `token` and `token_type_hint` to `endpoint`, authenticated as `auth`
    /// (with `assertion`, made for this request, when the method sends one), and what scrubs
    /// the answer's errors.
    pub(crate) fn build(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
        assertion: Option<ClientAssertion>,
    ) -> (Request<Vec<u8>>, Echoes) {
        let token = ("token", self.token.secret());
        let request = match &self.hint {
            Some(hint) => crate::request::client_form_post(
                endpoint,
                auth,
                &[token, ("token_type_hint", hint.as_str())],
                assertion.as_ref(),
            ),
            None => crate::request::client_form_post(endpoint, auth, &[token], assertion.as_ref()),
        };
        let echoes = Echoes { client: SentCredentials::new(auth, assertion), token: self.token.clone() };
        (request, echoes)
    }

    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("token", &format_args!("{}", crate::secret::REDACTED))
            .field("hint", &self.hint)
            .finish()
    }
}

/// Everything secret a revocation or introspection request carried — the token, the client
/// secret, the client assertion — to scrub from what an error keeps of the answer.
pub(crate) struct Echoes {
    client: SentCredentials,
    token: Subject,
}

impl Echoes {
    fn for_each_secret(&self, mut f: impl FnMut(&str)) {
        self.client.for_each_secret(&mut f);
        f(self.token.secret());
    }

    /// `error` with every credential the request carried replaced by `[redacted]` in each text
    /// kept from the server, in every spelling the token reader's scrubbing knows.
    pub(crate) fn scrub(&self, error: ServerError) -> Box<ServerError> {
        let status = error.status;
        let mut wrapped = TokenError::Server(Box::new(error));
        self.for_each_secret(|secret| wrapped.scrub(secret));
        match wrapped {
            TokenError::Server(error) => error,
            // Invariant: scrubbing keeps the variant; this arm is never taken.
            _ => Box::new(ServerError::new(status)),
        }
    }

    /// A masked excerpt of `body`, scrubbed of every credential the request carried.
    pub(crate) fn excerpt(&self, body: &[u8]) -> BodyExcerpt {
        let mut holder = ServerError::new(StatusCode::OK);
        holder.body = BodyExcerpt::new(body);
        self.scrub(holder).body
    }
}

/// A request to revoke a token (RFC 7009 §2.1).
///
/// The token is a secret: it is sent in the body and shows nowhere else — not in `Debug`, not
/// in any error, even when the server repeats it.
///
/// # Examples
/// The request of RFC 7009 §2.1:
/// ```
/// use oauth_core::revocation::RevocationRequest;
/// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, RefreshToken};
/// let endpoint = EndpointUrl::new("https://server.example.com/revoke")?;
/// let auth = ClientAuth::basic(ClientId::new("s6BhdRkqt3")?, ClientSecret::new("gX1fBat3bV"));
/// let refresh_token = RefreshToken::new("45ghiukldjahdnhzdauz");
///
/// let (request, pending) = RevocationRequest::refresh_token(&refresh_token).build_request(&endpoint, &auth)?;
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.body(), b"token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token");
/// assert_eq!(request.headers()["authorization"], "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
///
/// // … send it, then read the answer: a 200 means revoked, whatever the body.
/// let answer = http::Response::builder().status(200).body(Vec::new())?;
/// pending.finish(&answer)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RevocationRequest {
    submitted: Submitted,
}

impl RevocationRequest {
    /// Revokes an access token, hinted `access_token`. The handle is shared, not copied.
    #[must_use]
    pub fn access_token(token: &AccessToken) -> Self {
        Self { submitted: Submitted::access_token(token) }
    }

    /// Revokes a refresh token, hinted `refresh_token`. A server that can revoke access tokens
    /// should then also revoke those issued with it (RFC 7009 §2.1).
    #[must_use]
    pub fn refresh_token(token: &RefreshToken) -> Self {
        Self { submitted: Submitted::refresh_token(token) }
    }

    /// Revokes what an exchange issued: its refresh token when it has one (which should take the
    /// access token with it), else its access token.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::revocation::{RevocationRequest, TokenTypeHint};
    /// use oauth_core::{AccessToken, RefreshToken, Token};
    /// let token = Token::bearer(AccessToken::new("at")).with_refresh_token(RefreshToken::new("rt"));
    /// assert_eq!(RevocationRequest::for_token(&token).hint(), Some(&TokenTypeHint::RefreshToken));
    /// ```
    #[must_use]
    pub fn for_token(token: &Token) -> Self {
        match token.refresh_token() {
            Some(refresh_token) => Self::refresh_token(refresh_token),
            None => Self::access_token(token.access_token()),
        }
    }

    /// Revokes a token given as text, with no hint (add one with [`with_hint`](Self::with_hint)).
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

    /// Builds the `POST` to the revocation endpoint, authenticated as `auth` exactly as a token
    /// request is, and the value that reads its answer.
    ///
    /// The body is `token=…`, then `token_type_hint=…` when there is a hint, then the client's
    /// form credentials when its method puts them in the body. The `Authorization` header,
    /// when there is one, is marked sensitive.
    ///
    /// # Errors
    /// [`MisuseError::AssertionNeedsTime`] for the JWT methods, whose assertion needs the time
    /// and fresh entropy: use [`RevocationRequest::build_request_at`]. Every other method
    /// builds: the inputs were checked when they were made.
    pub fn build_request(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
    ) -> Result<(Request<Vec<u8>>, PendingRevocation), MisuseError> {
        auth.refuse_assertion("RevocationRequest::build_request_at")?;
        Ok(self.build(endpoint, auth, None))
    }

    /// [`RevocationRequest::build_request`] for every method, the JWT ones included: their
    /// body also carries `client_assertion_type` and `client_assertion`, a JWT made for this
    /// request at `now` with `jti_entropy`, as
    /// [`TokenEndpoint::build_request_at`](crate::TokenEndpoint::build_request_at) makes it.
    /// Its `aud` is the client's [`assertion_audience`](ClientAuth::assertion_audience) when
    /// set, else `endpoint`'s URL (the revocation endpoint's, not the token endpoint's). Other
    /// methods ignore `now` and `jti_entropy`.
    ///
    /// # Examples
    /// ```
    /// use std::time::SystemTime;
    /// use oauth_core::revocation::RevocationRequest;
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, RefreshToken};
    /// let endpoint = EndpointUrl::new("https://as.example/revoke")?;
    /// let auth = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
    /// let request = RevocationRequest::refresh_token(&RefreshToken::new("rt-1"));
    /// assert!(request.build_request(&endpoint, &auth).is_err()); // the assertion needs the time
    ///
    /// let entropy = [42; 16]; // from the operating system's generator, in real code
    /// let (http_request, _pending) = request.build_request_at(&endpoint, &auth, SystemTime::now(), entropy);
    /// let body = std::str::from_utf8(http_request.body())?;
    /// assert!(body.starts_with("token=rt-1&token_type_hint=refresh_token&client_id=app&client_assertion_type="));
    /// assert!(!body.contains("s3cr3t"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingRevocation::finish`"]
    pub fn build_request_at(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
        now: SystemTime,
        jti_entropy: [u8; 16],
    ) -> (Request<Vec<u8>>, PendingRevocation) {
        self.build(endpoint, auth, auth.assertion(endpoint.uri(), now, jti_entropy))
    }

    fn build(
        &self,
        endpoint: &EndpointUrl,
        auth: &ClientAuth,
        assertion: Option<ClientAssertion>,
    ) -> (Request<Vec<u8>>, PendingRevocation) {
        let (request, echoes) = self.submitted.build(endpoint, auth, assertion);
        (request, PendingRevocation { quirks: Quirks::lenient(), echoes })
    }
}

impl fmt::Debug for RevocationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.submitted.debug("RevocationRequest", f)
    }
}

/// A revocation request on its way: reads the answer, and scrubs the token and the client's
/// credentials from the error if the server echoes them.
///
/// Made by [`RevocationRequest::build_request_at`] (or [`RevocationRequest::build_request`]);
/// consumed by [`finish`](Self::finish).
#[must_use = "give the answer to `finish` to learn whether the token was revoked"]
pub struct PendingRevocation {
    quirks: Quirks,
    echoes: Echoes,
}

impl PendingRevocation {
    /// Reads the answer with `quirks` instead of [`Quirks::lenient`]: the body cap, the vendor
    /// error envelope, and whether a 2xx other than 200 counts as success
    /// ([`Quirks::any_success_status`]).
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Reads the answer: `Ok(())` when the token is revoked — or was never valid, which
    /// RFC 7009 §2.2 answers the same way.
    ///
    /// A 200 is success whatever its body (RFC 7009 §2.2: the client ignores it), as is any
    /// 2xx under [`Quirks::any_success_status`]. Hand over every answer, whatever its status: a
    /// 400 or 401 says why (`unsupported_token_type`, `invalid_client`), and a 503 carries its
    /// `Retry-After` (RFC 7009 §2.2.1: the token is still valid, try again later).
    ///
    /// # Errors
    /// [`RevocationError::Server`] for an error answer, read by
    /// [`parse_error_response`](crate::parse_error_response);
    /// [`RevocationError::UnexpectedStatus`] for any other status that is not success (a 3xx,
    /// say). Either way, the token and the client's credentials are replaced by `[redacted]` in
    /// any text kept from the server.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::revocation::{RevocationError, RevocationRequest};
    /// use oauth_core::{ClientAuth, ClientId, EndpointUrl, RefreshToken};
    /// let endpoint = EndpointUrl::new("https://as.example/revoke")?;
    /// let auth = ClientAuth::public(ClientId::new("cli")?);
    /// let (_, pending) = RevocationRequest::refresh_token(&RefreshToken::new("rt-8f3a9b17"))
    ///     .build_request(&endpoint, &auth)?;
    /// let answer = http::Response::builder()
    ///     .status(400)
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"error":"unsupported_token_type","error_description":"rt-8f3a9b17 is not ours"}"#)?;
    /// let error = pending.finish(&answer).unwrap_err();
    /// assert!(error.is_unsupported_token_type());
    /// assert_eq!(error.to_string(),
    ///     "token revocation failed: the server refused with `unsupported_token_type` (HTTP 400 Bad Request): [redacted] is not ours");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish<B: AsRef<[u8]>>(self, response: &Response<B>) -> Result<(), RevocationError> {
        let status = response.status();
        if status == StatusCode::OK || (self.quirks.any_success_status && status.is_success()) {
            return Ok(());
        }
        match crate::parse_error_response(&self.quirks, response) {
            Some(error) => Err(RevocationError::Server(self.echoes.scrub(error))),
            None => {
                Err(RevocationError::UnexpectedStatus { status, body: self.echoes.excerpt(response.body().as_ref()) })
            }
        }
    }
}

impl fmt::Debug for PendingRevocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRevocation").field("quirks", &self.quirks).finish_non_exhaustive()
    }
}

/// Why a token was not revoked. The token may still be valid.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RevocationError {
    /// The server refused with an OAuth error (RFC 7009 §2.2.1): `unsupported_token_type`
    /// ([`is_unsupported_token_type`](Self::is_unsupported_token_type)), `invalid_client`, …,
    /// or a 503 with its `Retry-After`.
    Server(Box<ServerError>),
    /// A status that is neither success nor an error: a 1xx or 3xx, or a 2xx other than 200
    /// when the profile does not take any 2xx as success.
    UnexpectedStatus {
        /// The status.
        status: StatusCode,
        /// The start of the body, token-like values masked and the request's credentials
        /// scrubbed.
        body: BodyExcerpt,
    },
}

impl RevocationError {
    /// The HTTP status of the answer.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Server(error) => error.status,
            Self::UnexpectedStatus { status, .. } => *status,
        }
    }

    /// The OAuth error code, when the server sent one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Server(error) => error.code.as_ref(),
            Self::UnexpectedStatus { .. } => None,
        }
    }

    /// Whether the server refused the token's type ([`UNSUPPORTED_TOKEN_TYPE`]): it cannot
    /// revoke this kind of token (revoking the refresh token instead may help).
    #[must_use]
    pub fn is_unsupported_token_type(&self) -> bool {
        self.code().is_some_and(|code| code.as_str() == UNSUPPORTED_TOKEN_TYPE)
    }

    /// How long the server asked the caller to wait (`Retry-After`), when it said.
    #[must_use]
    pub fn retry_after(&self) -> Option<&RetryAfter> {
        match self {
            Self::Server(error) => error.retry_after.as_ref(),
            Self::UnexpectedStatus { .. } => None,
        }
    }

    /// Whether sending the same request later can succeed: a 429, a 5xx, `server_error` or
    /// `temporarily_unavailable` (the rule of [`ServerError::is_retryable`]).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server(error) => error.is_retryable(),
            Self::UnexpectedStatus { .. } => false,
        }
    }
}

impl fmt::Display for RevocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("token revocation failed: ")?;
        match self {
            Self::Server(error) => fmt::Display::fmt(error, f),
            Self::UnexpectedStatus { status, body } => {
                write!(f, "HTTP {status} is neither success nor an error; the token may still be valid")?;
                if !body.is_empty() {
                    write!(f, "; body starts {:?}", body.text())?;
                }
                Ok(())
            }
        }
    }
}

/// The text already says what the server's error says, so there is no `source` (the crate's
/// rule: a wrapper displays its inner error or returns it as the source, never both).
impl std::error::Error for RevocationError {}
