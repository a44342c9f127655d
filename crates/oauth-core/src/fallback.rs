//! Client-authentication fallback: the methods a client may present, in order, and what
//! counts as the server refusing one of them.

use std::fmt;

use crate::{AuthMethod, ClientAuth, ErrorCode, ErrorSource, TokenConfig, TokenError};

/// The client-authentication methods a token request may present, in the order to try them:
/// the configured method first, then each fallback the credentials can carry.
///
/// A fallback the credentials cannot carry — raw Basic with a `:` in the client id (RFC 7617
/// §2 forbids it) — is skipped, never an error: the other methods can still get a token. So is
/// every fallback to or from a JWT method (`client_secret_jwt`, `private_key_jwt`): such a client
/// chose not to send its secret, and a server that refuses its assertion is not asked another way.
/// [`Attempts`](crate::Attempts) walks the list when a server refuses a method.
///
/// # Examples
/// ```
/// use oauth_core::{AuthFallback, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret,
///     Grant, TokenConfig, TokenEndpoint, TokenRequest};
/// let config = TokenConfig::new(
///     TokenEndpoint::new("https://as.example/token")?,
///     ClientAuth::basic(ClientId::new("urn:app:1")?, ClientSecret::new("s3cr3t")),
///     TokenRequest::new(Grant::ClientCredentials),
/// )
/// .with_auth_fallbacks([AuthMethod::Basic(BasicEncoding::Raw), AuthMethod::Post]);
///
/// let fallback = AuthFallback::new(&config);
/// // Raw Basic cannot carry the `:` in this client id, so it is skipped.
/// let methods: Vec<_> = fallback.methods().iter().map(ClientAuth::method).collect();
/// assert_eq!(methods, [AuthMethod::Basic(BasicEncoding::Percent), AuthMethod::Post]);
/// assert_eq!(fallback.skipped(), [AuthMethod::Basic(BasicEncoding::Raw)]);
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone)]
pub struct AuthFallback {
    methods: Vec<ClientAuth>,
    skipped: Vec<AuthMethod>,
}

impl AuthFallback {
    /// The configured method, then the configuration's fallbacks that the credentials can carry.
    #[must_use]
    pub fn new(config: &TokenConfig) -> Self {
        let mut methods = vec![config.auth().clone()];
        let mut skipped = Vec::new();
        let configured_jwt = config.auth().method().uses_assertion();
        for &method in config.auth_fallbacks() {
            // A JWT method is a deliberate choice not to send the secret (or to prove the client by
            // a key): no pass falls back to or from one.
            if configured_jwt || method.uses_assertion() {
                skipped.push(method);
                continue;
            }
            match config.auth().with_method(method) {
                Ok(auth) => methods.push(auth),
                Err(_) => skipped.push(method),
            }
        }
        Self { methods, skipped }
    }

    /// One method and no fallback.
    #[must_use]
    pub fn fixed(auth: ClientAuth) -> Self {
        Self { methods: vec![auth], skipped: Vec::new() }
    }

    /// The methods to try, in order; never empty.
    #[must_use]
    pub fn methods(&self) -> &[ClientAuth] {
        &self.methods
    }

    /// The configured fallbacks left out because the credentials cannot use them.
    #[must_use]
    pub fn skipped(&self) -> &[AuthMethod] {
        &self.skipped
    }
}

impl fmt::Debug for AuthFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<AuthMethod> = self.methods.iter().map(ClientAuth::method).collect();
        f.debug_struct("AuthFallback").field("methods", &methods).field("skipped", &self.skipped).finish()
    }
}

/// Whether `error` is the server refusing the client's authentication — the answer that makes
/// trying the next method worthwhile.
///
/// - `invalid_client` (RFC 6749 §5.2).
/// - A bare 400, 401 or 403 with no body and no challenge: servers that refuse without saying
///   why (RFC 6749 §5.2 asks for a body; not every server sends one).
/// - With `in_pass` (a first method was already refused), a 400 `invalid_request` too: servers
///   answer it to credentials they cannot decode — oidc-provider says "not properly encoded" to
///   raw Basic with a `%` in the secret — which is this method being refused. Outside a pass it
///   is the request's fault and no other method would change it.
#[must_use]
pub fn refuses_client(error: &TokenError, in_pass: bool) -> bool {
    let TokenError::Server(server) = error else { return false };
    if in_pass && server.status.as_u16() == 400 && server.code == Some(ErrorCode::InvalidRequest) {
        return true;
    }
    server.code == Some(ErrorCode::InvalidClient)
        || (server.code.is_none()
            && server.source == ErrorSource::StatusOnly
            && server.body.total_len() == 0
            && matches!(server.status.as_u16(), 400 | 401 | 403))
}
