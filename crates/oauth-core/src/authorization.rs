//! The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636) and the issuer check of
//! RFC 9207, sans-IO: the URL to send the user to, then the redirect read back into the token
//! request that exchanges its code. The caller passes in the entropy.
//!
//! ```text
//! AuthorizationRequest ─ start(entropy) ─► (authorization URL, PendingAuthorization)
//!    the user's browser goes to the URL; the server redirects back to the redirect URI
//! PendingAuthorization::accept(redirect) ─► CodeExchange | AuthorizationError   (state, iss, error, code)
//! CodeExchange::build_request(endpoint, auth) ─► http::Request + PendingExchange  (the token request)
//! PendingExchange::finish(answer, sent_at) ─► Token | TokenError
//! ```
//!
//! # A whole flow
//! ```
//! use std::time::Instant;
//! use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
//! use oauth_core::{ClientAuth, ClientId, EndpointUrl, Scope, TokenEndpoint};
//!
//! let request = AuthorizationRequest::new(
//!     EndpointUrl::new("https://as.example/authorize")?,
//!     ClientId::new("my-app")?,
//!     EndpointUrl::new("https://app.example/callback")?,
//! )
//! .with_scope(Scope::parse("openid profile")?);
//!
//! // Entropy from the operating system's generator, in real code.
//! let entropy = [7u8; ENTROPY_LEN];
//! let (url, pending) = request.start(entropy)?;
//! assert!(url.to_string().starts_with("https://as.example/authorize?response_type=code&client_id=my-app&"));
//!
//! // … send the user to `url`; the server redirects back to the callback …
//! let state = pending.state().to_owned();
//! let redirect: http::Uri = format!("https://app.example/callback?code=SplxlOBeZQQYbYS6WxSbIA&state={state}").parse()?;
//! let exchange = pending.accept(&redirect)?;
//!
//! let endpoint = TokenEndpoint::new("https://as.example/token")?;
//! let (token_request, pending_exchange) = exchange.build_request(&endpoint, &ClientAuth::public(ClientId::new("my-app")?));
//! assert!(token_request.body().starts_with(b"grant_type=authorization_code&client_id=my-app&code=SplxlOBeZQQYbYS6WxSbIA&"));
//!
//! // … send `token_request`, then read its answer …
//! let answer = http::Response::builder()
//!     .header("content-type", "application/json")
//!     .body(r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#)?;
//! let token = pending_exchange.finish(&answer, Instant::now())?;
//! assert_eq!(token.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU16;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{Request, Uri};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize as _;

use crate::secret::{REDACTED, SecretStr};
use crate::{
    ClientAuth, ClientId, EndpointUrl, ErrorCode, Grant, MisuseError, Params, PendingExchange, Scope, TokenEndpoint,
    TokenRequest,
};

/// How many bytes of entropy [`AuthorizationRequest::start`] takes: the first
/// [`VERIFIER_ENTROPY_LEN`] make the PKCE verifier, the next [`STATE_ENTROPY_LEN`] the `state`.
pub const ENTROPY_LEN: usize = VERIFIER_ENTROPY_LEN + STATE_ENTROPY_LEN;

/// How many bytes of entropy make a PKCE verifier: 32, which RFC 7636 §7.1 recommends (a
/// 43-character verifier).
pub const VERIFIER_ENTROPY_LEN: usize = 32;

/// How many bytes of entropy make a `state`: 16 (128 bits, a 22-character value).
pub const STATE_ENTROPY_LEN: usize = 16;

/// The parameter names an authorization request writes itself; its extra parameters
/// ([`AuthorizationRequest::with_params`]) may not set them.
pub const RESERVED_AUTHORIZATION_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "prompt",
];

/// The longest URI an [`http::Uri`] holds.
const MAX_URI_LEN: usize = u16::MAX as usize - 1;

macro_rules! flow_secret {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Prints as `[redacted]` with `Debug` and `Display`, is never serialised, and is wiped
        /// from memory when the last clone is dropped.
        #[derive(Clone)]
        pub struct $name(SecretStr);

        impl $name {
            /// The secret value. Every read of a secret goes through this call.
            #[must_use]
            pub fn secret(&self) -> &str {
                self.0.expose()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }
    };
}

flow_secret! {
    /// An authorization code (RFC 6749 §1.3.1): single use, short-lived, exchanged once for a
    /// token.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::authorization::AuthorizationCode;
    /// let code = AuthorizationCode::new("SplxlOBeZQQYbYS6WxSbIA");
    /// assert_eq!(code.secret(), "SplxlOBeZQQYbYS6WxSbIA");
    /// assert_eq!(format!("{code:?} {code}"), "AuthorizationCode([redacted]) [redacted]");
    /// ```
    AuthorizationCode
}

impl AuthorizationCode {
    /// Wraps a code, wiping the `String` it was given.
    pub fn new(code: impl Into<String>) -> Self {
        Self(SecretStr::from_string(code.into()))
    }
}

impl From<String> for AuthorizationCode {
    fn from(code: String) -> Self {
        Self::new(code)
    }
}

impl From<&str> for AuthorizationCode {
    fn from(code: &str) -> Self {
        Self(SecretStr::from_str_copy(code))
    }
}

flow_secret! {
    /// A PKCE code verifier (RFC 7636 §4.1): 43 characters of the unreserved set, the unpadded
    /// base64url of 32 bytes of entropy. Only its [`challenge`](Self::challenge) leaves with the
    /// authorization request; the verifier itself goes to the token endpoint.
    ///
    /// # Examples
    /// RFC 7636 Appendix B:
    /// ```
    /// use oauth_core::authorization::PkceVerifier;
    /// let verifier = PkceVerifier::from_entropy(&[
    ///     116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    ///     105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    /// ]);
    /// assert_eq!(verifier.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// assert_eq!(verifier.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// assert_eq!(format!("{verifier:?}"), "PkceVerifier([redacted])");
    /// ```
    PkceVerifier
}

impl PkceVerifier {
    /// The verifier made from 32 bytes of entropy: their unpadded base64url (43 characters).
    #[must_use]
    pub fn from_entropy(entropy: &[u8; VERIFIER_ENTROPY_LEN]) -> Self {
        Self(SecretStr::from_string(URL_SAFE_NO_PAD.encode(entropy)))
    }

    /// The `S256` code challenge (RFC 7636 §4.2): `BASE64URL(SHA-256(verifier))`, unpadded.
    #[must_use]
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret().as_bytes()))
    }
}

flow_secret! {
    /// An OpenID Connect `nonce` (OpenID Connect Core §3.1.2.1): sent with the authorization
    /// request, found again in the ID token, which the caller checks.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::authorization::Nonce;
    /// let nonce = Nonce::from_entropy(&[0xfb; 16]);
    /// assert_eq!(nonce.secret(), "-_v7-_v7-_v7-_v7-_v7-w");
    /// assert_eq!(Nonce::new("n-0S6_WzA2Mj").secret(), "n-0S6_WzA2Mj");
    /// assert_eq!(format!("{nonce:?}"), "Nonce([redacted])");
    /// ```
    Nonce
}

impl Nonce {
    /// Wraps a nonce, wiping the `String` it was given.
    pub fn new(nonce: impl Into<String>) -> Self {
        Self(SecretStr::from_string(nonce.into()))
    }

    /// A nonce made from 16 bytes of entropy: their unpadded base64url (22 characters).
    #[must_use]
    pub fn from_entropy(entropy: &[u8; 16]) -> Self {
        Self(SecretStr::from_string(URL_SAFE_NO_PAD.encode(entropy)))
    }
}

/// The loopback redirect URI of a native app (RFC 8252 §7.3): `http://127.0.0.1:{port}/callback`,
/// where `port` is the one the app's own listener got.
///
/// # Examples
/// ```
/// use std::num::NonZeroU16;
/// let redirect = oauth_core::authorization::loopback_redirect_uri(NonZeroU16::new(51004).unwrap());
/// assert_eq!(redirect.to_string(), "http://127.0.0.1:51004/callback");
/// ```
#[must_use]
pub fn loopback_redirect_uri(port: NonZeroU16) -> EndpointUrl {
    // Invariant: http on 127.0.0.1 with a port from 1 to 65535 is what `EndpointUrl` accepts.
    EndpointUrl::new(&format!("http://127.0.0.1:{port}/callback")).expect("a loopback URL with a non-zero port")
}

/// The issuer a redirect's `iss` must name (RFC 9207), and whether the server always sends it.
#[derive(Clone, Debug)]
struct IssuerCheck {
    issuer: Box<str>,
    required: bool,
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

/// An authorization request on its way: the `state`, PKCE verifier, nonce, redirect URI and
/// issuer check that read the redirect coming back. Made by [`AuthorizationRequest::start`];
/// consumed by [`accept`](Self::accept) or [`accept_query`](Self::accept_query).
///
/// It is deliberately not `Clone`, and reading the redirect consumes it, so one authorization
/// request answers one redirect:
/// ```compile_fail,E0382
/// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// # use oauth_core::{ClientId, EndpointUrl};
/// # let request = AuthorizationRequest::new(
/// #     EndpointUrl::new("https://as.example/authorize")?,
/// #     ClientId::new("app")?,
/// #     EndpointUrl::new("https://app.example/cb")?,
/// # );
/// let (_url, pending) = request.start([1; ENTROPY_LEN])?;
/// let redirect = format!("code=abc&state={}", pending.state());
/// let first = pending.accept_query(&redirect);
/// let second = pending.accept_query(&redirect); // error[E0382]: use of moved value: `pending`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// ```compile_fail,E0599
/// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// # use oauth_core::{ClientId, EndpointUrl};
/// # let request = AuthorizationRequest::new(
/// #     EndpointUrl::new("https://as.example/authorize")?,
/// #     ClientId::new("app")?,
/// #     EndpointUrl::new("https://app.example/cb")?,
/// # );
/// let (_url, pending) = request.start([1; ENTROPY_LEN])?;
/// let copy = pending.clone(); // error[E0599]: no method named `clone`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// The same, read once:
/// ```
/// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// # use oauth_core::{ClientId, EndpointUrl};
/// # let request = AuthorizationRequest::new(
/// #     EndpointUrl::new("https://as.example/authorize")?,
/// #     ClientId::new("app")?,
/// #     EndpointUrl::new("https://app.example/cb")?,
/// # );
/// let (_url, pending) = request.start([1; ENTROPY_LEN])?;
/// let redirect = format!("code=abc&state={}", pending.state());
/// let first = pending.accept_query(&redirect);
/// assert!(first.is_ok());
/// assert_eq!(format!("{first:?}").matches("[redacted]").count(), 2); // the code and the verifier
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "keep it to read the redirect with `accept`"]
pub struct PendingAuthorization {
    state: SecretStr,
    verifier: PkceVerifier,
    nonce: Option<Nonce>,
    redirect_uri: EndpointUrl,
    issuer: Option<IssuerCheck>,
}

/// The redirect parameters this module reads, each at most once (RFC 6749 §3.1).
#[derive(Default)]
struct Redirect<'a> {
    code: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    iss: Option<Cow<'a, str>>,
    error: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    uri: Option<Cow<'a, str>>,
}

impl<'a> Redirect<'a> {
    fn read(query: &'a str) -> Result<Self, AuthorizationError> {
        let mut redirect = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let (slot, name) = match &*name {
                "code" => (&mut redirect.code, "code"),
                "state" => (&mut redirect.state, "state"),
                "iss" => (&mut redirect.iss, "iss"),
                "error" => (&mut redirect.error, "error"),
                "error_description" => (&mut redirect.description, "error_description"),
                "error_uri" => (&mut redirect.uri, "error_uri"),
                _ => continue,
            };
            if slot.is_some() {
                return Err(AuthorizationError::DuplicateParameter { name });
            }
            *slot = Some(value);
        }
        Ok(redirect)
    }
}

impl PendingAuthorization {
    /// Reads the redirect that came back (RFC 6749 §4.1.2): an absolute URL or the request
    /// target a loopback listener got (`/callback?code=…&state=…`). Only its query is read;
    /// a fragment never reaches an `http::Uri`. Check first with
    /// [`is_redirect`](Self::is_redirect) that a request is the redirect at all (a browser
    /// also asks a loopback listener for `/favicon.ico`): this consumes the pending request.
    ///
    /// In order: no parameter this reads may appear twice; `state` must be this request's
    /// (compared in constant time); `iss` must name the configured issuer
    /// ([`AuthorizationRequest::with_issuer`]), and be present if the server always sends it;
    /// an `error` is the server's refusal; otherwise there must be a `code`. Parameters it does
    /// not read (`session_state`, `scope`, …) are ignored.
    ///
    /// # Errors
    /// [`AuthorizationError`]; it never holds the code, the verifier or the `state`.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::ErrorCode;
    /// use oauth_core::authorization::{AuthorizationError, AuthorizationRequest, ENTROPY_LEN};
    /// # use oauth_core::{ClientId, EndpointUrl};
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://as.example/authorize")?,
    ///     ClientId::new("app")?,
    ///     EndpointUrl::new("https://app.example/cb")?,
    /// );
    /// let (_url, pending) = request.start([9; ENTROPY_LEN])?;
    /// let refused: http::Uri =
    ///     format!("/cb?error=access_denied&error_description=The+user+said+no&state={}", pending.state()).parse()?;
    /// assert!(pending.is_redirect(&refused));
    /// match pending.accept(&refused) {
    ///     Err(AuthorizationError::Server { code: ErrorCode::AccessDenied, description, .. }) => {
    ///         assert_eq!(description.as_deref(), Some("The user said no"));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accept(self, redirect: &Uri) -> Result<CodeExchange, AuthorizationError> {
        self.accept_query(redirect.query().unwrap_or_default())
    }

    /// As [`accept`](Self::accept), for the redirect's query as text (a leading `?` is
    /// skipped, anything from a `#` on is ignored), or a `response_mode=form_post` body, which
    /// carries the same parameters in the same encoding.
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn accept_query(self, query: &str) -> Result<CodeExchange, AuthorizationError> {
        let query = query.split('#').next().unwrap_or_default();
        let query = query.strip_prefix('?').unwrap_or(query);
        let redirect = Redirect::read(query)?;
        match redirect.state.as_deref() {
            None | Some("") => return Err(AuthorizationError::MissingState),
            Some(state) if !constant_time_eq(state.as_bytes(), self.state.expose().as_bytes()) => {
                return Err(AuthorizationError::StateMismatch);
            }
            Some(_) => {}
        }
        let secrets = [self.state.expose(), redirect.code.as_deref().unwrap_or_default()];
        if let Some(check) = &self.issuer {
            match redirect.iss.as_deref() {
                Some(iss) if iss != &*check.issuer => {
                    return Err(AuthorizationError::IssuerMismatch {
                        expected: check.issuer.clone(),
                        received: cleaned(iss, &secrets),
                    });
                }
                None if check.required => {
                    return Err(AuthorizationError::MissingIssuer { expected: check.issuer.clone() });
                }
                _ => {}
            }
        }
        if let Some(error) = redirect.error.as_deref() {
            return Err(AuthorizationError::Server {
                code: ErrorCode::from_code(&cleaned(error, &secrets)),
                description: redirect.description.as_deref().map(|text| cleaned(text, &secrets)),
                uri: redirect.uri.as_deref().map(|text| cleaned(text, &secrets)),
            });
        }
        let code = match redirect.code {
            None => return Err(AuthorizationError::MissingCode),
            Some(code) if code.is_empty() => return Err(AuthorizationError::MissingCode),
            Some(Cow::Owned(code)) => AuthorizationCode::new(code),
            Some(Cow::Borrowed(code)) => AuthorizationCode::from(code),
        };
        Ok(CodeExchange {
            code,
            redirect_uri: self.redirect_uri,
            verifier: self.verifier,
            nonce: self.nonce,
            issuer: redirect.iss.map(|iss| cleaned(&iss, &[self.state.expose()])),
        })
    }

    /// Whether `target` — an absolute URL, or the request target a listener got — is a request
    /// to the redirect URI: the same path and, when `target` has them, the same scheme and
    /// authority (without case). The query is not looked at.
    ///
    /// # Examples
    /// ```
    /// use std::num::NonZeroU16;
    /// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN, loopback_redirect_uri};
    /// # use oauth_core::{ClientId, EndpointUrl};
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://as.example/authorize")?,
    ///     ClientId::new("cli")?,
    ///     loopback_redirect_uri(NonZeroU16::new(8400).unwrap()),
    /// );
    /// let (_url, pending) = request.start([3; ENTROPY_LEN])?;
    /// assert!(pending.is_redirect(&"/callback?code=x&state=y".parse()?));
    /// assert!(pending.is_redirect(&"http://127.0.0.1:8400/callback?code=x".parse()?));
    /// assert!(!pending.is_redirect(&"/favicon.ico".parse()?));
    /// assert!(!pending.is_redirect(&"http://127.0.0.1:9999/callback".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_redirect(&self, target: &Uri) -> bool {
        let expected = self.redirect_uri.uri();
        let same =
            |a: Option<&str>, b: Option<&str>| a.is_none() || a.zip(b).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
        target.path() == expected.path()
            && same(target.scheme_str(), expected.scheme_str())
            && same(
                target.authority().map(http::uri::Authority::as_str),
                expected.authority().map(http::uri::Authority::as_str),
            )
    }

    /// The `state` the authorization URL carries: a key to find this pending request by when
    /// several are out (a web server with many users signing in). It is in the URL the user
    /// sees, but still keep it out of logs.
    #[must_use]
    pub fn state(&self) -> &str {
        self.state.expose()
    }

    /// The OpenID Connect nonce the request carries, if any.
    #[must_use]
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }

    /// The redirect URI the request carries.
    #[must_use]
    pub fn redirect_uri(&self) -> &EndpointUrl {
        &self.redirect_uri
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &format_args!("{REDACTED}"))
            .field("verifier", &self.verifier)
            .field("nonce", &self.nonce)
            .field("redirect_uri", &self.redirect_uri)
            .field("issuer", &self.issuer.as_ref().map(|check| &check.issuer))
            .finish()
    }
}

/// `a == b`, in a time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// `text` from the redirect as an error may keep it: any of `secrets` in it replaced by
/// `[redacted]` (a server may echo the request into its description).
fn cleaned(text: &str, secrets: &[&str]) -> Box<str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for secret in secrets {
        if let Some(scrubbed) = crate::mask::scrubbed(&out, secret) {
            out = Cow::Owned(scrubbed);
        }
    }
    out.into()
}

/// Why a redirect did not give a code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The authorization server refused (RFC 6749 §4.1.2.1): the user denied access
    /// (`access_denied`), the request was wrong (`invalid_request`, `invalid_scope`, …), or an
    /// OpenID Connect `login_required`, `consent_required`, … (kept as [`ErrorCode::Other`]).
    Server {
        /// The `error` code.
        code: ErrorCode,
        /// `error_description`, when sent.
        description: Option<Box<str>>,
        /// `error_uri`, when sent.
        uri: Option<Box<str>>,
    },
    /// The redirect has no `state`: it does not answer this request (RFC 6749 §10.12).
    MissingState,
    /// The redirect's `state` is another: it answers another request, or was forged
    /// (RFC 6749 §10.12).
    StateMismatch,
    /// The redirect has no `iss`, which the authorization server says it always sends
    /// (RFC 9207 §2.4).
    MissingIssuer {
        /// The issuer the request went to.
        expected: Box<str>,
    },
    /// The redirect's `iss` names another authorization server (RFC 9207 §2.4: a mix-up
    /// attack, or the wrong server configured).
    IssuerMismatch {
        /// The issuer the request went to.
        expected: Box<str>,
        /// The `iss` the redirect carries.
        received: Box<str>,
    },
    /// The redirect carries neither `code` nor `error` (or an empty `code`).
    MissingCode,
    /// A parameter appears more than once, so its meaning is ambiguous (RFC 6749 §3.1).
    DuplicateParameter {
        /// The parameter.
        name: &'static str,
    },
}

impl AuthorizationError {
    /// The server's `error` code, when it refused.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Server { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server { code, description, uri } => {
                write!(f, "the authorization server refused with `{code}`")?;
                if let Some(description) = description {
                    write!(f, ": {description}")?;
                }
                if let Some(uri) = uri {
                    write!(f, " (see {uri})")?;
                }
                Ok(())
            }
            Self::MissingState => f.write_str(
                "the redirect carries no `state`, so it cannot be matched to this authorization request (RFC 6749 §10.12)",
            ),
            Self::StateMismatch => f.write_str(
                "the redirect's `state` is not this authorization request's: it answers another request or was forged (RFC 6749 §10.12)",
            ),
            Self::MissingIssuer { expected } => write!(
                f,
                "the redirect carries no `iss`, which the authorization server `{expected}` always sends (RFC 9207)"
            ),
            Self::IssuerMismatch { expected, received } => write!(
                f,
                "the redirect's `iss` `{received}` is not the authorization server `{expected}` the request went to (RFC 9207)"
            ),
            Self::MissingCode => f.write_str("the redirect carries neither a `code` nor an `error`"),
            Self::DuplicateParameter { name } => {
                write!(f, "the redirect carries `{name}` more than once (RFC 6749 §3.1)")
            }
        }
    }
}

impl std::error::Error for AuthorizationError {}

/// A redirect read and checked: the code, ready to be exchanged for a token (RFC 6749 §4.1.3)
/// with its PKCE verifier (RFC 7636 §4.5). Made by [`PendingAuthorization::accept`].
///
/// The exchange is an ordinary token request: [`build_request`](Self::build_request) makes it
/// and its [`PendingExchange`], whose [`finish`](PendingExchange::finish) reads the answer and
/// scrubs the code and the verifier from errors. The grant is not replay-safe
/// ([`Grant::is_replay_safe`]): a code is single use, so a failed exchange is not retried with
/// other client authentication.
#[must_use = "exchange the code with `build_request` before it expires"]
pub struct CodeExchange {
    code: AuthorizationCode,
    redirect_uri: EndpointUrl,
    verifier: PkceVerifier,
    nonce: Option<Nonce>,
    issuer: Option<Box<str>>,
}

impl CodeExchange {
    /// The token request that exchanges the code, authenticated as `auth` — which must be the
    /// client the authorization request named — and the value that reads its answer.
    ///
    /// The body is `grant_type=authorization_code`, the client's form credentials when its
    /// method puts them in the body (a public client's `client_id`, RFC 6749 §4.1.3), then
    /// `code`, `redirect_uri` and `code_verifier`.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, TokenEndpoint};
    /// let client = ClientAuth::basic(ClientId::new("s6BhdRkqt3")?, ClientSecret::new("gX1fBat3bV"));
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://server.example.com/authorize")?,
    ///     client.client_id().clone(),
    ///     EndpointUrl::new("https://client.example.com/cb")?,
    /// );
    /// let (_url, pending) = request.start([0; ENTROPY_LEN])?;
    /// let state = pending.state().to_owned();
    /// let exchange = pending.accept_query(&format!("code=SplxlOBeZQQYbYS6WxSbIA&state={state}"))?;
    ///
    /// let endpoint = TokenEndpoint::new("https://server.example.com/token")?;
    /// let (token_request, _pending) = exchange.build_request(&endpoint, &client);
    /// assert_eq!(token_request.headers()["authorization"], "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
    /// assert_eq!(
    ///     std::str::from_utf8(token_request.body())?,
    ///     "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA\
    ///      &redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&code_verifier=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    /// As [`TokenEndpoint::build_request`], for a JWT method: give
    /// [`into_token_request`](Self::into_token_request) to [`TokenEndpoint::build_request_at`].
    #[must_use = "the request must be sent and its answer given to `PendingExchange::finish`"]
    pub fn build_request(self, endpoint: &TokenEndpoint, auth: &ClientAuth) -> (Request<Vec<u8>>, PendingExchange) {
        endpoint.build_request(auth, &self.into_token_request())
    }

    /// The exchange as a [`TokenRequest`] carrying [`Grant::AuthorizationCode`], to add extra
    /// parameters (RFC 8707 `resource`) before [`TokenEndpoint::build_request`]. No scope: the
    /// code already carries the one granted (RFC 6749 §4.1.3).
    ///
    /// # Examples
    /// ```
    /// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
    /// # use oauth_core::{ClientAuth, ClientId, EndpointUrl, Grant, Params, TokenEndpoint};
    /// # let request = AuthorizationRequest::new(
    /// #     EndpointUrl::new("https://as.example/authorize")?,
    /// #     ClientId::new("app")?,
    /// #     EndpointUrl::new("https://app.example/cb")?,
    /// # );
    /// # let (_url, pending) = request.start([0; ENTROPY_LEN])?;
    /// # let redirect = format!("code=c0de&state={}", pending.state());
    /// # let exchange = pending.accept_query(&redirect)?;
    /// let mut resource = Params::new();
    /// resource.push("resource", "https://api.example/")?;
    /// let token_request = exchange.into_token_request().with_params(resource)?;
    /// assert_eq!(token_request.grant().grant_type(), "authorization_code");
    /// assert!(!token_request.grant().is_replay_safe());
    /// let endpoint = TokenEndpoint::new("https://as.example/token")?;
    /// let (http_request, _pending) = endpoint.build_request(&ClientAuth::public(ClientId::new("app")?), &token_request);
    /// assert!(http_request.body().ends_with(b"&resource=https%3A%2F%2Fapi.example%2F"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn into_token_request(self) -> TokenRequest {
        TokenRequest::new(Grant::AuthorizationCode {
            code: self.code,
            redirect_uri: self.redirect_uri,
            code_verifier: self.verifier,
        })
    }

    /// The OpenID Connect nonce the authorization request carried: the ID token's `nonce`
    /// claim must equal it.
    #[must_use]
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }

    /// The `iss` the redirect carried (RFC 9207), if any: checked against the issuer when one
    /// was configured ([`AuthorizationRequest::with_issuer`]), as the server sent it otherwise.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
}

impl fmt::Debug for CodeExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeExchange")
            .field("code", &self.code)
            .field("redirect_uri", &self.redirect_uri)
            .field("verifier", &self.verifier)
            .field("nonce", &self.nonce)
            .field("issuer", &self.issuer)
            .finish()
    }
}
