//! The token endpoint: a checked URL ([`EndpointUrl`]) and the quirks of the server behind it.

use http::Uri;

use crate::{EndpointUrl, MisuseError, Quirks};

/// A token endpoint URL, checked once, with the [`Quirks`] its answers are read with.
///
/// The URL must be absolute `https`, or `http` on a loopback host (`localhost`, `127.0.0.0/8`,
/// `[::1]`); anything else over plain `http` needs [`TokenEndpoint::new_allowing_http`].
///
/// # Examples
/// ```
/// use oauth_core::TokenEndpoint;
/// let endpoint = TokenEndpoint::new("https://as.example.com/one/oauth2token")?;
/// assert_eq!(endpoint.uri().path(), "/one/oauth2token");
/// assert!(TokenEndpoint::new("http://example.com/token").is_err());
/// assert!(TokenEndpoint::new("http://127.0.0.1:8080/token").is_ok());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEndpoint {
    uri: Uri,
    quirks: Quirks,
}

impl TokenEndpoint {
    /// Checks `url`: absolute, `https` (or `http` on loopback), no credentials in it.
    /// Answers are read with [`Quirks::lenient`].
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`] or [`MisuseError::InsecureEndpoint`].
    pub fn new(url: &str) -> Result<Self, MisuseError> {
        Ok(Self::at(EndpointUrl::new(url)?))
    }

    /// As [`TokenEndpoint::new`], for a URL already parsed: its parts are checked, its text is
    /// not read again. For code that builds the URL from checked parts (a profile that knows
    /// the host and the path).
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`] or [`MisuseError::InsecureEndpoint`].
    ///
    /// # Examples
    /// ```
    /// use oauth_core::TokenEndpoint;
    /// let uri: oauth_core::http::Uri = "https://as.example/oauth/token".parse()?;
    /// assert_eq!(TokenEndpoint::from_uri(uri)?.uri().path(), "/oauth/token");
    /// assert!(TokenEndpoint::from_uri("/oauth/token".parse()?).is_err()); // not absolute
    /// assert!(TokenEndpoint::from_uri("http://as.example/token".parse()?).is_err()); // http
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_uri(uri: Uri) -> Result<Self, MisuseError> {
        Ok(Self::at(EndpointUrl::from_uri(uri)?))
    }

    /// As [`TokenEndpoint::new`], but plain `http` is accepted on any host. Credentials and
    /// tokens then cross the network readable by anyone on the path: use it only where the
    /// network itself is trusted (a vendor that documents `http` on a private host).
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`].
    pub fn new_allowing_http(url: &str) -> Result<Self, MisuseError> {
        Ok(Self::at(EndpointUrl::new_allowing_http(url)?))
    }

    /// As [`TokenEndpoint::from_uri`], but plain `http` is accepted on any host; the same
    /// warning as for [`TokenEndpoint::new_allowing_http`] applies.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`].
    pub fn from_uri_allowing_http(uri: Uri) -> Result<Self, MisuseError> {
        Ok(Self::at(EndpointUrl::from_uri_allowing_http(uri)?))
    }

    /// The token endpoint at a checked URL. Answers are read with [`Quirks::lenient`].
    #[must_use]
    pub fn at(url: EndpointUrl) -> Self {
        Self { uri: url.into_uri(), quirks: Quirks::lenient() }
    }

    /// Replaces the quirks.
    #[must_use]
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// The URL.
    #[must_use]
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The quirks answers are read with.
    #[must_use]
    pub fn quirks(&self) -> &Quirks {
        &self.quirks
    }

    /// The quirks, to change one.
    pub fn quirks_mut(&mut self) -> &mut Quirks {
        &mut self.quirks
    }
}
