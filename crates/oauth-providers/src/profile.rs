//! A vendor profile: how to get credentials, and where the vendor's APIs live.

use std::fmt;

use http::Uri;
use oauth_core::{Access, MisuseError, TokenConfig, TokenEndpoint};

use crate::ProfileError;

/// What a vendor's users know, turned into what oauth-core and oauth-token-source need: the
/// [`Access`] (a token exchange or an API key) and the base URL of the vendor's APIs, so a host
/// is typed once.
///
/// Made by the vendor modules ([`mxo`](crate::mxo), [`cloudcx`](crate::cloudcx),
/// [`bright_pattern`](crate::bright_pattern)) or by [`rfc6749::Builder`](crate::rfc6749::Builder).
///
/// # Examples
/// ```
/// let profile = oauth_providers::bright_pattern::profile("example.brightpattern.com", "sheila.thomas", "s3cr3t")?;
/// assert_eq!(profile.vendor(), "bright-pattern");
/// // The token endpoint and the APIs share the host typed once.
/// let config = profile.token_config().expect("a token exchange");
/// assert_eq!(config.endpoint().uri().host(), Some("example.brightpattern.com"));
/// let me = profile.api_url("/configapi/v2/user/sheila.thomas")?;
/// assert_eq!(me.to_string(), "https://example.brightpattern.com/configapi/v2/user/sheila.thomas");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
#[derive(Clone)]
pub struct Profile {
    vendor: &'static str,
    access: Access,
    api_base: Uri,
}

impl Profile {
    pub(crate) fn new(vendor: &'static str, access: Access, api_base: Uri) -> Self {
        Self { vendor, access, api_base }
    }

    /// The vendor's short name (`mxo`, `cloudcx`, `bright-pattern`, `rfc6749`), for logs.
    #[must_use]
    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// How credentials are obtained.
    #[must_use]
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The token configuration, when tokens are exchanged (not for an API key).
    #[must_use]
    pub fn token_config(&self) -> Option<&TokenConfig> {
        self.access.token_config()
    }

    /// The same profile with its token requests sent to `token_url` — a proxy, a sandbox, a
    /// test server — and every other setting kept: client authentication, grant, scope,
    /// quirks, the 401 rule and the API base.
    ///
    /// # Errors
    /// [`ProfileError::InsecureHttp`] for plain http off loopback (see
    /// [`with_token_url_allowing_http`](Self::with_token_url_allowing_http)),
    /// [`ProfileError::Invalid`] for a malformed URL, [`ProfileError::NoTokenExchange`] for an
    /// API-key profile.
    ///
    /// # Examples
    /// ```
    /// let profile = oauth_providers::mxo::profile("eu2", "id", "secret")?
    ///     .with_token_url("https://mxo-proxy.internal/one/oauth2token")?;
    /// let (request, _) = profile.token_config().unwrap().build_request()?;
    /// assert_eq!(request.uri(), "https://mxo-proxy.internal/one/oauth2token");
    /// assert_eq!(request.headers()["authorization"], "Basic aWQ6c2VjcmV0"); // still MXO's raw Basic
    /// assert_eq!(profile.api_base(), "https://eu2.thunderhead.com/");
    /// # Ok::<(), oauth_providers::ProfileError>(())
    /// ```
    pub fn with_token_url(self, token_url: &str) -> Result<Self, ProfileError> {
        self.replacing_endpoint(TokenEndpoint::new(token_url)?)
    }

    /// As [`with_token_url`](Self::with_token_url), accepting plain http on any host:
    /// credentials then cross the network in clear text, so a trusted network only.
    ///
    /// # Errors
    /// As [`with_token_url`](Self::with_token_url), except plain http.
    pub fn with_token_url_allowing_http(self, token_url: &str) -> Result<Self, ProfileError> {
        self.replacing_endpoint(TokenEndpoint::new_allowing_http(token_url)?)
    }

    fn replacing_endpoint(mut self, endpoint: TokenEndpoint) -> Result<Self, ProfileError> {
        let Access::Token(config) = &mut self.access else { return Err(ProfileError::NoTokenExchange) };
        let quirks = *config.endpoint().quirks();
        *config.endpoint_mut() = endpoint.with_quirks(quirks);
        Ok(self)
    }

    /// The access, to hand to a token source.
    #[must_use]
    pub fn into_access(self) -> Access {
        self.access
    }

    /// The base of the vendor's API URLs (scheme and authority, path `/`).
    #[must_use]
    pub fn api_base(&self) -> &Uri {
        &self.api_base
    }

    /// An API URL on the profile's host: `path_and_query` must start with `/`.
    ///
    /// # Errors
    /// [`ProfileError::InvalidApiPath`] when it does not start with `/`, holds a `#`, or is not
    /// a valid path and query.
    ///
    /// # Examples
    /// ```
    /// let profile = oauth_providers::mxo::profile("eu2", "id", "secret")?;
    /// let url = profile.api_url("/one/oauth2/rt/api/2.0/interaction?sk=ONE-123")?;
    /// assert_eq!(url, "https://eu2.thunderhead.com/one/oauth2/rt/api/2.0/interaction?sk=ONE-123");
    /// # Ok::<(), oauth_providers::ProfileError>(())
    /// ```
    pub fn api_url(&self, path_and_query: &str) -> Result<Uri, ProfileError> {
        let invalid = || ProfileError::InvalidApiPath { path: path_and_query.into() };
        // A fragment is never sent, so a `#` would silently cut the path short.
        if !path_and_query.starts_with('/') || path_and_query.starts_with("//") || path_and_query.contains('#') {
            return Err(invalid());
        }
        let mut parts = self.api_base.clone().into_parts();
        parts.path_and_query = Some(path_and_query.parse().map_err(|_| invalid())?);
        Uri::from_parts(parts).map_err(|_| invalid())
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("vendor", &self.vendor)
            .field("access", &self.access)
            .field("api_base", &self.api_base)
            .finish()
    }
}

impl From<Profile> for Access {
    fn from(profile: Profile) -> Self {
        profile.access
    }
}

impl From<MisuseError> for ProfileError {
    /// oauth-core's refusal, except plain http: a profile user's switch for that is the
    /// builder's `allow_http()`, not core's `TokenEndpoint::new_allowing_http`, so the error
    /// names the one the caller holds.
    fn from(error: MisuseError) -> Self {
        match error {
            MisuseError::InsecureEndpoint { url } => Self::InsecureHttp { url },
            other => Self::Invalid(other),
        }
    }
}
