//! `AuthorizationRequest`: the URL to send the user to, with its PKCE challenge and `state`
//! made from the caller's entropy.

use super::*;

/// The issuer a redirect's `iss` must name (RFC 9207), and whether the server always sends it.
#[derive(Clone, Debug)]
pub(super) struct IssuerCheck {
    pub(super) issuer: Box<str>,
    pub(super) required: bool,
}

/// An authorization request (RFC 6749 §4.1.1) with PKCE (RFC 7636 §4.3), built step by step,
/// then [`start`](Self::start)ed with the caller's entropy.
///
/// The URL carries, in order: `response_type=code`, `client_id`, `redirect_uri`, `scope` (when
/// not empty), `state`, `code_challenge`, `code_challenge_method=S256`, `nonce` and `prompt`
/// (when set), then the extra parameters in order. A query the endpoint URL already has is kept
/// in front of them (RFC 6749 §3.1).
///
/// The redirect URI is written as [`EndpointUrl`] prints it, here and in the token request
/// alike; a URL with no path prints with `/` (`https://app.example/`), so register it that way.
///
/// # Examples
/// ```
/// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// use oauth_core::{ClientId, EndpointUrl, Params, Scope};
/// let mut extra = Params::new();
/// extra.push("login_hint", "ana@example.com")?;
/// let request = AuthorizationRequest::new(
///     EndpointUrl::new("https://as.example/authorize")?,
///     ClientId::new("s6BhdRkqt3")?,
///     EndpointUrl::new("https://client.example.com/cb")?,
/// )
/// .with_scope(Scope::parse("openid")?)
/// .with_prompt("login");
///
/// let mut clash = Params::new();
/// clash.push("state", "mine")?;
/// assert!(request.clone().with_params(clash).is_err()); // the library writes `state`
///
/// let (url, _pending) = request.with_params(extra)?.start([0; ENTROPY_LEN])?;
/// assert_eq!(
///     url.to_string(),
///     "https://as.example/authorize?response_type=code&client_id=s6BhdRkqt3\
///      &redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&scope=openid&state=AAAAAAAAAAAAAAAAAAAAAA\
///      &code_challenge=DwBzhbb51LfusnSGBa_hqYSgo7-j8BTQnip4TOnlzRo&code_challenge_method=S256\
///      &prompt=login&login_hint=ana%40example.com"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    endpoint: EndpointUrl,
    client_id: ClientId,
    redirect_uri: EndpointUrl,
    scope: Scope,
    nonce: Option<Nonce>,
    prompt: Option<Box<str>>,
    params: Params,
    issuer: Option<IssuerCheck>,
}

impl AuthorizationRequest {
    /// A request to the authorization `endpoint` for `client_id`, whose answer comes back to
    /// `redirect_uri` (an [`EndpointUrl`]: `https`, or `http` on loopback such as
    /// [`loopback_redirect_uri`], or the named opt-out). No scope, nonce, prompt or extra
    /// parameters; no issuer check.
    #[must_use]
    pub fn new(endpoint: EndpointUrl, client_id: ClientId, redirect_uri: EndpointUrl) -> Self {
        Self {
            endpoint,
            client_id,
            redirect_uri,
            scope: Scope::empty(),
            nonce: None,
            prompt: None,
            params: Params::new(),
            issuer: None,
        }
    }

    /// Sets the scope (an empty scope sends no `scope` parameter).
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets the OpenID Connect `nonce`. Use a fresh one for every request
    /// ([`Nonce::from_entropy`]); [`CodeExchange::nonce`] gives it back to check the ID token
    /// with.
    #[must_use]
    pub fn with_nonce(mut self, nonce: Nonce) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Sets the OpenID Connect `prompt` (space-delimited: `none`, `login`, `consent`,
    /// `select_account`).
    #[must_use]
    pub fn with_prompt(mut self, prompt: impl Into<Box<str>>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// Sets the extra parameters (RFC 8707 `resource`, `login_hint`, `acr_values`, …), sent
    /// in order after the library's own.
    ///
    /// # Errors
    /// [`MisuseError::ReservedParameter`] when one would set a name the library writes
    /// ([`RESERVED_AUTHORIZATION_PARAMS`]).
    pub fn with_params(mut self, params: Params) -> Result<Self, MisuseError> {
        if let Some((name, _)) = params.iter().find(|(name, _)| RESERVED_AUTHORIZATION_PARAMS.contains(name)) {
            return Err(MisuseError::ReservedParameter { name: name.into() });
        }
        self.params = params;
        Ok(self)
    }

    /// Checks the redirect's `iss` (RFC 9207) against `issuer`, the authorization server's
    /// issuer identifier (its metadata's `issuer`), compared as text. A redirect whose `iss`
    /// names another server is refused; one without `iss` is refused when
    /// `iss_parameter_supported` (the metadata's `authorization_response_iss_parameter_supported`)
    /// says the server always sends it, and accepted otherwise.
    ///
    /// Without this call an `iss` the server sends is not checked (there is nothing to check
    /// it against), only handed back by [`CodeExchange::issuer`]. A client that talks to more
    /// than one authorization server needs the check against mix-up attacks (RFC 9207 §1).
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<Box<str>>, iss_parameter_supported: bool) -> Self {
        self.issuer = Some(IssuerCheck { issuer: issuer.into(), required: iss_parameter_supported });
        self
    }

    /// Makes the authorization URL to send the user to, and the [`PendingAuthorization`] that
    /// reads the redirect coming back. One request starts once; to sign in several users with
    /// one configuration, clone a configured request for each (with a fresh nonce, if any).
    ///
    /// `entropy` must come from a cryptographically secure generator, fresh for every call:
    /// its first [`VERIFIER_ENTROPY_LEN`] bytes make the PKCE verifier, the next
    /// [`STATE_ENTROPY_LEN`] the `state`. This copy of it is wiped.
    ///
    /// # Errors
    /// [`UrlTooLong`] when the URL with all its parameters is longer than an [`http::Uri`] can
    /// be (65 534 bytes).
    pub fn start(self, mut entropy: [u8; ENTROPY_LEN]) -> Result<(Uri, PendingAuthorization), UrlTooLong> {
        // Invariant: ENTROPY_LEN is VERIFIER_ENTROPY_LEN + STATE_ENTROPY_LEN.
        let (verifier_bytes, state_bytes) =
            entropy.split_first_chunk::<VERIFIER_ENTROPY_LEN>().expect("the entropy holds the verifier's bytes");
        let verifier = PkceVerifier::from_entropy(verifier_bytes);
        let state = SecretStr::from_string(URL_SAFE_NO_PAD.encode(state_bytes));
        entropy.zeroize();
        let url = self.url(state.expose(), &verifier.challenge())?;
        let pending = PendingAuthorization {
            state,
            verifier,
            nonce: self.nonce,
            redirect_uri: self.redirect_uri,
            issuer: self.issuer,
        };
        Ok((url, pending))
    }

    fn url(&self, state: &str, challenge: &str) -> Result<Uri, UrlTooLong> {
        let mut url = self.endpoint.to_string();
        match self.endpoint.uri().query() {
            None => url.push('?'),
            Some(query) if query.is_empty() || query.ends_with('&') => {}
            Some(_) => url.push('&'),
        }
        let start = url.len();
        let mut form = form_urlencoded::Serializer::for_suffix(url, start);
        form.append_pair("response_type", "code")
            .append_pair("client_id", self.client_id.as_str())
            .append_pair("redirect_uri", &self.redirect_uri.to_string());
        if !self.scope.is_empty() {
            form.append_pair("scope", self.scope.as_str());
        }
        form.append_pair("state", state)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        if let Some(nonce) = &self.nonce {
            form.append_pair("nonce", nonce.secret());
        }
        if let Some(prompt) = &self.prompt {
            form.append_pair("prompt", prompt);
        }
        for (name, value) in self.params.iter() {
            form.append_pair(name, value.as_str());
        }
        let url = form.finish();
        let len = url.len();
        if len > MAX_URI_LEN {
            return Err(UrlTooLong { len });
        }
        Uri::try_from(url).map_err(|_| UrlTooLong { len })
    }
}

/// The authorization URL would not fit in an [`http::Uri`] (65 534 bytes): too long a scope or
/// too many extra parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the authorization URL would be {len} bytes long; a URI holds at most 65534")]
pub struct UrlTooLong {
    /// How long it would be, in bytes.
    pub len: usize,
}
