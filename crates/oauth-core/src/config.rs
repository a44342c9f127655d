//! What a client needs to get the credential it presents: a token exchange, or a fixed key.

use std::fmt;

use http::HeaderValue;

use crate::{
    ApiKey, AuthMethod, ClientAuth, MisuseError, PendingExchange, RetryOn401, TokenEndpoint, TokenRequest,
    bearer_header,
};

/// Everything needed to get tokens from one token endpoint: where, as whom, and for what.
///
/// # Examples
/// ```
/// use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenConfig, TokenEndpoint, TokenRequest};
/// let config = TokenConfig::new(
///     TokenEndpoint::new("https://as.example/token")?,
///     ClientAuth::basic(ClientId::new("app")?, ClientSecret::new("s3cr3t")),
///     TokenRequest::new(Grant::ClientCredentials),
/// );
/// let (request, _pending) = config.build_request()?;
/// assert_eq!(request.uri(), "https://as.example/token");
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct TokenConfig {
    endpoint: TokenEndpoint,
    auth: ClientAuth,
    request: TokenRequest,
    auth_fallbacks: Vec<AuthMethod>,
    retry_on_401: RetryOn401,
}

impl TokenConfig {
    /// Bundles the three values.
    #[must_use]
    pub fn new(endpoint: TokenEndpoint, auth: ClientAuth, request: TokenRequest) -> Self {
        Self { endpoint, auth, request, auth_fallbacks: Vec::new(), retry_on_401: RetryOn401::InvalidToken }
    }

    /// Says which 401s from the APIs these tokens are for mean "the token is no longer good":
    /// the RFC 6750 `invalid_token` challenge (the default), or any 401 for APIs that send no
    /// challenge. Middlewares built on a token source use it unless told otherwise.
    #[must_use]
    pub fn with_retry_on_401(mut self, policy: RetryOn401) -> Self {
        self.retry_on_401 = policy;
        self
    }

    /// Which 401s call for a new token and one retry.
    #[must_use]
    pub fn retry_on_401(&self) -> RetryOn401 {
        self.retry_on_401
    }

    /// Other client-authentication methods a token source may try, in order, when the server
    /// refuses the first with `invalid_client` (or a bare 400/401/403) — for replay-safe grants
    /// only, one pass at most. Empty (the default) means the method is fixed.
    #[must_use]
    pub fn with_auth_fallbacks(mut self, methods: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.auth_fallbacks = methods.into_iter().filter(|m| *m != self.auth.method()).collect();
        self
    }

    /// The fallback methods, in order.
    #[must_use]
    pub fn auth_fallbacks(&self) -> &[AuthMethod] {
        &self.auth_fallbacks
    }

    /// The token endpoint and its quirks.
    #[must_use]
    pub fn endpoint(&self) -> &TokenEndpoint {
        &self.endpoint
    }

    /// The token endpoint, to change its quirks.
    pub fn endpoint_mut(&mut self) -> &mut TokenEndpoint {
        &mut self.endpoint
    }

    /// The client's authentication.
    #[must_use]
    pub fn auth(&self) -> &ClientAuth {
        &self.auth
    }

    /// The primary request (grant, scope, extra parameters).
    #[must_use]
    pub fn request(&self) -> &TokenRequest {
        &self.request
    }

    /// Builds the primary request; see [`TokenEndpoint::build_request`].
    ///
    /// # Errors
    /// [`MisuseError::AssertionNeedsTime`] for a JWT method, as
    /// [`TokenEndpoint::build_request`]: use [`TokenConfig::build_request_at`].
    pub fn build_request(&self) -> Result<(http::Request<Vec<u8>>, PendingExchange), MisuseError> {
        self.auth.refuse_assertion("TokenConfig::build_request_at")?;
        self.endpoint.build_request(&self.auth, &self.request)
    }

    /// Builds the primary request for every method, the JWT ones with a fresh assertion made
    /// at `now` with `jti_entropy`; see [`TokenEndpoint::build_request_at`]. The assertion's
    /// `aud` is the client's [`assertion_audience`](ClientAuth::assertion_audience) when set,
    /// else the token endpoint's URL.
    ///
    /// # Examples
    /// ```
    /// use std::time::SystemTime;
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenConfig, TokenEndpoint, TokenRequest};
    /// let config = TokenConfig::new(
    ///     TokenEndpoint::new("https://as.example/token")?,
    ///     ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t")),
    ///     TokenRequest::new(Grant::ClientCredentials),
    /// );
    /// let entropy = [42; 16]; // from the operating system's generator, in real code
    /// let (request, _pending) = config.build_request_at(SystemTime::now(), entropy);
    /// assert!(std::str::from_utf8(request.body())?.contains("&client_assertion=ey"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingExchange::finish`"]
    pub fn build_request_at(
        &self,
        now: std::time::SystemTime,
        jti_entropy: [u8; 16],
    ) -> (http::Request<Vec<u8>>, PendingExchange) {
        self.endpoint.build_request_at(&self.auth, &self.request, now, jti_entropy)
    }

    /// The three values.
    #[must_use]
    pub fn into_parts(self) -> (TokenEndpoint, ClientAuth, TokenRequest) {
        (self.endpoint, self.auth, self.request)
    }
}

/// How a client gets the credential it presents to an API.
#[derive(Clone)]
#[non_exhaustive]
pub enum Access {
    /// Access tokens from a token endpoint.
    Token(Box<TokenConfig>),
    /// A fixed API key presented as a bearer credential, with no token exchange.
    ApiKey(ApiKey),
}

impl Access {
    /// The token configuration, when tokens are exchanged.
    #[must_use]
    pub fn token_config(&self) -> Option<&TokenConfig> {
        match self {
            Self::Token(config) => Some(config),
            Self::ApiKey(_) => None,
        }
    }

    /// For an API key, its `Authorization: Bearer …` header (sensitive); `None` for tokens,
    /// whose header changes with each token.
    ///
    /// # Errors
    /// [`MisuseError::InvalidBearerCredential`] for a key a header cannot carry.
    pub fn static_header(&self) -> Option<Result<HeaderValue, MisuseError>> {
        match self {
            Self::Token(_) => None,
            Self::ApiKey(key) => Some(bearer_header(key)),
        }
    }
}

impl From<TokenConfig> for Access {
    fn from(config: TokenConfig) -> Self {
        Self::Token(Box::new(config))
    }
}

impl From<ApiKey> for Access {
    fn from(key: ApiKey) -> Self {
        Self::ApiKey(key)
    }
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(config) => f.debug_tuple("Token").field(config).finish(),
            Self::ApiKey(key) => f.debug_tuple("ApiKey").field(key).finish(),
        }
    }
}
