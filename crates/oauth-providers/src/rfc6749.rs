//! Any standard OAuth 2.0 server (RFC 6749): the profile every vendor profile starts from.

use std::time::Duration;

use oauth_core::{
    Access, AssertionKey, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, Params, Quirks,
    RetryOn401, Scope, TokenConfig, TokenEndpoint, TokenRequest,
};

use crate::host::{Http, Origin};
use crate::{Profile, ProfileError};

/// Where a profile's token endpoint or API base comes from: text a user gave, read when the
/// profile is built, or a value a vendor module already checked (read once, never again).
#[derive(Debug, Clone)]
enum Given<T> {
    Text(String),
    Checked(T),
}

/// A client_credentials profile with `client_secret_basic` (percent-encoded), lenient quirks,
/// and the token URL's origin as API base.
///
/// # Errors
/// [`ProfileError`] for an unusable URL or an empty client id.
///
/// # Examples
/// ```
/// let profile = oauth_providers::rfc6749::client_credentials("https://as.example/oauth/token", "app", "s3cr3t")?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.body(), b"grant_type=client_credentials");
/// assert_eq!(profile.api_base(), "https://as.example/");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn client_credentials(
    token_url: &str,
    client_id: impl Into<String>,
    client_secret: impl Into<ClientSecret>,
) -> Result<Profile, ProfileError> {
    Builder::new(token_url).client(client_id, client_secret).build()
}

/// Builds a profile for any RFC 6749 server; vendor modules start from it and change a few
/// fields.
///
/// Defaults: client_credentials, `client_secret_basic` with the percent encoding, no scope,
/// [`Quirks::lenient`], https required (http only on loopback), the token URL's origin as API
/// base.
///
/// # Examples
/// ```
/// use oauth_core::{AuthMethod, Grant, Quirks, Scope};
/// use oauth_providers::rfc6749::Builder;
/// let profile = Builder::new("https://login.example/oauth2/token")
///     .client("app", "s3cr3t")
///     .auth_method(AuthMethod::Post)
///     .grant(Grant::password("ana", "pw"))
///     .scope(Scope::parse("read write")?)
///     .param("audience", "https://api.example")
///     .quirks(Quirks::strict())
///     .api_base("https://api.example")
///     .build()?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.body(),
///     b"grant_type=password&client_id=app&client_secret=s3cr3t&username=ana&password=pw&scope=read+write&audience=https%3A%2F%2Fapi.example");
/// assert_eq!(profile.api_base(), "https://api.example/");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `build` to get the profile"]
pub struct Builder {
    vendor: &'static str,
    token_url: Given<http::Uri>,
    client_id: String,
    client_secret: Option<ClientSecret>,
    /// The `private_key_jwt` key, when the client authenticates with one.
    assertion_key: Option<AssertionKey>,
    /// The client assertions' `aud`, when not the token URL.
    assertion_audience: Option<String>,
    /// The DER of the TLS client certificate the transport presents, when known.
    client_certificate: Option<Vec<u8>>,
    /// Whether the client was declared a mutual-TLS one (`tls_client`).
    tls_client: bool,
    method: AuthMethod,
    /// Whether the method was chosen explicitly (then no fallback is tried).
    method_chosen: bool,
    grant: Grant,
    scope: Scope,
    params: Vec<(String, String)>,
    quirks: Quirks,
    http: Http,
    api_base: Option<Given<Origin>>,
    retry_on_401: RetryOn401,
}

impl Builder {
    /// Starts a profile for the token endpoint at `token_url`.
    pub fn new(token_url: impl Into<String>) -> Self {
        Self::starting_at(Given::Text(token_url.into()))
    }

    /// Starts a profile at a token URL a vendor module built from a checked [`Origin`].
    pub(crate) fn at(token_url: http::Uri) -> Self {
        Self::starting_at(Given::Checked(token_url))
    }

    fn starting_at(token_url: Given<http::Uri>) -> Self {
        Self {
            vendor: "rfc6749",
            token_url,
            client_id: String::new(),
            client_secret: None,
            assertion_key: None,
            assertion_audience: None,
            client_certificate: None,
            tls_client: false,
            method: AuthMethod::Basic(BasicEncoding::Percent),
            method_chosen: false,
            grant: Grant::ClientCredentials,
            scope: Scope::empty(),
            params: Vec::new(),
            quirks: Quirks::lenient(),
            http: Http::Refuse,
            api_base: None,
            retry_on_401: RetryOn401::InvalidToken,
        }
    }

    pub(crate) fn vendor(mut self, vendor: &'static str) -> Self {
        self.vendor = vendor;
        self
    }

    /// A confidential client's id and secret. Replaces a key or a certificate client set
    /// before (a method chosen for those goes back to the default).
    pub fn client(mut self, id: impl Into<String>, secret: impl Into<ClientSecret>) -> Self {
        self.client_id = id.into();
        self.client_secret = Some(secret.into());
        self.assertion_key = None;
        if self.tls_client || self.method == AuthMethod::PrivateKeyJwt {
            self.method = AuthMethod::Basic(BasicEncoding::Percent);
            self.method_chosen = false;
        }
        self.tls_client = false;
        self
    }

    /// A public client: only its id, sent in the body (`none`).
    pub fn public_client(mut self, id: impl Into<String>) -> Self {
        self.client_id = id.into();
        self.client_secret = None;
        self.assertion_key = None;
        self.tls_client = false;
        self.method = AuthMethod::None;
        self.method_chosen = true;
        self
    }

    /// A client that authenticates with `private_key_jwt` (RFC 7523 §2.2): each token request
    /// carries a fresh assertion signed with `key`, and no secret.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// let key = AssertionKey::from_pem("-----BEGIN PRIVATE KEY-----
    /// MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
    /// -----END PRIVATE KEY-----")?;
    /// let profile = oauth_providers::rfc6749::Builder::new("https://as.example/token")
    ///     .private_key_jwt("app", key.with_kid("2026-11"))
    ///     .build()?;
    /// assert_eq!(profile.token_config().unwrap().auth().method().name(), "private_key_jwt");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn private_key_jwt(mut self, id: impl Into<String>, key: AssertionKey) -> Self {
        self.client_id = id.into();
        self.client_secret = None;
        self.tls_client = false;
        self.assertion_key = Some(key);
        self.method = AuthMethod::PrivateKeyJwt;
        self.method_chosen = true;
        self
    }

    /// A client that authenticates with its TLS certificate (RFC 8705): `method` is
    /// [`AuthMethod::TlsClientAuth`] or [`AuthMethod::SelfSignedTlsClientAuth`]; the body
    /// carries the client id alone, and the transport presents the certificate (reqwest's
    /// `ClientBuilder::identity`, a rustls `ClientConfig` for hyper). Another method fails
    /// `build`.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AuthMethod;
    /// let profile = oauth_providers::rfc6749::Builder::new("https://mtls.as.example/token")
    ///     .tls_client("app", AuthMethod::TlsClientAuth)
    ///     .client_certificate(b"the certificate's DER".to_vec())
    ///     .build()?;
    /// let auth = profile.token_config().unwrap().auth();
    /// assert_eq!(auth.method().name(), "tls_client_auth");
    /// assert!(auth.client_certificate_thumbprint().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tls_client(mut self, id: impl Into<String>, method: AuthMethod) -> Self {
        self.client_id = id.into();
        self.client_secret = None;
        self.assertion_key = None;
        self.method = method;
        self.method_chosen = true;
        self.tls_client = true;
        self
    }

    /// The DER of the TLS client certificate the transport presents: its thumbprint becomes
    /// part of the credentials' binding, so a token cached or shared for one certificate is
    /// not served with another (see `ClientAuth::with_client_certificate`).
    pub fn client_certificate(mut self, der: Vec<u8>) -> Self {
        self.client_certificate = Some(der);
        self
    }

    /// The `aud` of the client's assertions (`client_secret_jwt`, `private_key_jwt`) when the
    /// server wants other than its token URL — usually its issuer identifier.
    pub fn assertion_audience(mut self, audience: impl Into<String>) -> Self {
        self.assertion_audience = Some(audience.into());
        self
    }

    /// How the client authenticates. Without this call the profile starts with percent-encoded
    /// Basic and lets a token source fall back to raw Basic, then `client_secret_post`, when
    /// the server refuses the client (replay-safe grants only; the winner is remembered).
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.method = method;
        self.method_chosen = true;
        self
    }

    /// The primary grant (client_credentials by default).
    pub fn grant(mut self, grant: Grant) -> Self {
        self.grant = grant;
        self
    }

    /// The scope to ask for.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// An extra form parameter (repeatable; reserved names are refused by `build`).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// How the server's answers are read.
    pub fn quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Changes one quirk in place.
    pub fn quirk(mut self, change: impl FnOnce(&mut Quirks)) -> Self {
        change(&mut self.quirks);
        self
    }

    /// The lifetime assumed when the server sends no (or a zero) `expires_in`.
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.quirks.default_lifetime = Some(lifetime);
        self
    }

    /// Accepts plain `http` on non-loopback hosts. Credentials and tokens then cross the
    /// network in clear text: only for networks you trust.
    pub fn allow_http(mut self) -> Self {
        self.http = Http::Allow;
        self
    }

    /// Which of the APIs' 401s mean the token is no longer good (default: the RFC 6750
    /// `invalid_token` challenge; [`RetryOn401::Any`] for APIs that answer a bare 401).
    pub fn retry_on_401(mut self, policy: RetryOn401) -> Self {
        self.retry_on_401 = policy;
        self
    }

    /// The base of the API URLs (scheme and host, optional port), when not the token URL's.
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = Some(Given::Text(base.into()));
        self
    }

    /// The API base, as an origin a vendor module already checked.
    pub(crate) fn api_origin(mut self, origin: Origin) -> Self {
        self.api_base = Some(Given::Checked(origin));
        self
    }

    /// Checks everything and makes the profile.
    ///
    /// # Errors
    /// [`ProfileError::Invalid`] for an empty client id, an insecure or malformed token URL,
    /// a reserved parameter, or raw Basic with a `:` in the id; [`ProfileError::InvalidHost`]
    /// for an unusable API base.
    pub fn build(self) -> Result<Profile, ProfileError> {
        let endpoint = match (self.token_url, self.http) {
            (Given::Text(url), Http::Refuse) => TokenEndpoint::new(&url)?,
            (Given::Text(url), Http::Allow) => TokenEndpoint::new_allowing_http(&url)?,
            (Given::Checked(uri), Http::Refuse) => TokenEndpoint::from_uri(uri)?,
            (Given::Checked(uri), Http::Allow) => TokenEndpoint::from_uri_allowing_http(uri)?,
        }
        .with_quirks(self.quirks);
        let api_base = match self.api_base {
            Some(Given::Text(base)) => Origin::parse(&base, self.http)?.base(),
            Some(Given::Checked(origin)) => origin.base(),
            None => {
                let mut parts = endpoint.uri().clone().into_parts();
                parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
                // Invariant: the endpoint's scheme and authority were checked, so with "/"
                // they make a URI.
                http::Uri::from_parts(parts).expect("a checked endpoint's origin")
            }
        };
        let id = ClientId::new(self.client_id)?;
        let mut auth = match (self.method, self.assertion_key) {
            (method, _) if self.tls_client => ClientAuth::tls(id, method)?,
            (AuthMethod::PrivateKeyJwt, Some(key)) => ClientAuth::private_key_jwt(id, key),
            (method, _) => ClientAuth::new(id, self.client_secret, method)?,
        };
        if let Some(der) = &self.client_certificate {
            auth = auth.with_client_certificate(der);
        }
        if let Some(audience) = self.assertion_audience {
            auth = auth.with_assertion_audience(audience);
        }
        let mut params = Params::new();
        for (name, value) in self.params {
            params.push(name, value)?;
        }
        let request = TokenRequest::new(self.grant).with_scope(self.scope).with_params(params)?;
        let mut config = TokenConfig::new(endpoint, auth, request).with_retry_on_401(self.retry_on_401);
        if !self.method_chosen && config.auth().client_secret().is_some() {
            config = config.with_auth_fallbacks([AuthMethod::Basic(BasicEncoding::Raw), AuthMethod::Post]);
        }
        Ok(Profile::new(self.vendor, Access::from(config), api_base))
    }
}
