//! Authorization server metadata (RFC 8414, and OpenID Connect Discovery 1.0): the well-known
//! URL of an issuer, the request for its metadata document, and the reader that checks the
//! document against the issuer asked for and turns its endpoints into checked URLs.
//!
//! The document's `issuer` must be identical to the issuer the document was asked for
//! (RFC 8414 §3.3, OpenID Connect Discovery §4.3): an attacker who can answer for one issuer
//! must not be able to pass its endpoints off as another's (the mix-up attack). Every endpoint
//! the client sends credentials or tokens to is checked by the crate's one URL rule
//! ([`EndpointUrl`]), and one that fails it refuses the whole document, naming the member.

use std::fmt;

use http::header::ACCEPT;
use http::{HeaderValue, Method, Request, Response};
use serde_json::Value;

use crate::body_problem::check_json_success;
use crate::json_object::{json_object, kind};
use crate::{
    AuthMethod, BasicEncoding, BodyProblem, EndpointUrl, Extras, JsonKind, MisuseError, Quirks, Scope, ServerError,
};

/// Which well-known document to ask an issuer for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WellKnown {
    /// RFC 8414 §3.1: `/.well-known/oauth-authorization-server`, inserted between the
    /// issuer's host and its path.
    OAuthAuthorizationServer,
    /// OpenID Connect Discovery §4.1: `/.well-known/openid-configuration`, appended to the
    /// issuer.
    OpenIdConfiguration,
}

impl WellKnown {
    /// The registered well-known suffix (`oauth-authorization-server`, `openid-configuration`).
    #[must_use]
    pub const fn suffix(self) -> &'static str {
        match self {
            Self::OAuthAuthorizationServer => "oauth-authorization-server",
            Self::OpenIdConfiguration => "openid-configuration",
        }
    }
}

/// An authorization server's issuer identifier (RFC 8414 §2), checked: an [`EndpointUrl`]
/// (`https`, or `http` on loopback, or any `http` through
/// [`new_allowing_http`](Self::new_allowing_http)) with no query and no fragment.
///
/// The text is kept exactly as given: the metadata document must name this very text.
///
/// # Examples
/// ```
/// use oauth_core::discovery::{Issuer, WellKnown};
/// let issuer = Issuer::new("https://server.example.com/tenant/1")?;
/// assert_eq!(issuer.metadata_url(WellKnown::OAuthAuthorizationServer).to_string(),
///     "https://server.example.com/.well-known/oauth-authorization-server/tenant/1");
/// assert_eq!(issuer.metadata_url(WellKnown::OpenIdConfiguration).to_string(),
///     "https://server.example.com/tenant/1/.well-known/openid-configuration");
///
/// assert!(Issuer::new("https://server.example.com/?tenant=1").is_err());
/// assert!(Issuer::new("http://server.example.com").is_err());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Issuer {
    text: Box<str>,
    allows_http: bool,
    oauth_url: EndpointUrl,
    openid_url: EndpointUrl,
}

impl Issuer {
    /// Checks `issuer`: an absolute `https` URL (or `http` on a loopback host), no credentials,
    /// no query, no fragment.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`] or [`MisuseError::InsecureEndpoint`].
    pub fn new(issuer: &str) -> Result<Self, MisuseError> {
        Self::make(issuer, false)
    }

    /// As [`new`](Self::new), but plain `http` is accepted on any host — for the issuer and
    /// for the endpoints its metadata names. Credentials and tokens then cross the network
    /// readable by anyone on the path: only where the network itself is trusted.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`].
    pub fn new_allowing_http(issuer: &str) -> Result<Self, MisuseError> {
        Self::make(issuer, true)
    }

    fn make(issuer: &str, allows_http: bool) -> Result<Self, MisuseError> {
        let url = check_url(issuer, allows_http)?;
        if url.uri().query().is_some() {
            let before_query = issuer.split('?').next().unwrap_or_default();
            return Err(MisuseError::InvalidEndpoint {
                url: format!("{before_query}?…").into(),
                reason: "an issuer identifier has no query (RFC 8414 §2)",
            });
        }
        let uri = url.uri();
        let scheme = uri.scheme_str().unwrap_or_default();
        let authority = uri.authority().map_or("", |authority| authority.as_str());
        // RFC 8414 §3.1 and OpenID Connect Discovery §4.1: a terminating `/` is removed first.
        let path = uri.path().trim_end_matches('/');
        let oauth_url = format!("{scheme}://{authority}/.well-known/oauth-authorization-server{path}");
        let openid_url = format!("{scheme}://{authority}{path}/.well-known/openid-configuration");
        Ok(Self {
            text: issuer.into(),
            allows_http,
            oauth_url: check_url(&oauth_url, allows_http)?,
            openid_url: check_url(&openid_url, allows_http)?,
        })
    }

    /// The issuer identifier, exactly as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether plain `http` is accepted on any host ([`new_allowing_http`](Self::new_allowing_http)).
    #[must_use]
    pub fn allows_http(&self) -> bool {
        self.allows_http
    }

    /// Where the issuer's metadata document of the given kind is.
    #[must_use]
    pub fn metadata_url(&self, well_known: WellKnown) -> &EndpointUrl {
        match well_known {
            WellKnown::OAuthAuthorizationServer => &self.oauth_url,
            WellKnown::OpenIdConfiguration => &self.openid_url,
        }
    }

    /// Builds the `GET` of the issuer's metadata document (`Accept: application/json`), and
    /// the value that reads the answer against this issuer.
    ///
    /// A server may publish either document or both; an OpenID provider usually publishes
    /// [`WellKnown::OpenIdConfiguration`]. Both are read the same way.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::discovery::{Issuer, WellKnown};
    /// let issuer = Issuer::new("https://server.example.com")?;
    /// let (request, pending) = issuer.metadata_request(WellKnown::OAuthAuthorizationServer);
    /// assert_eq!(request.method(), "GET");
    /// assert_eq!(request.uri(), "https://server.example.com/.well-known/oauth-authorization-server");
    ///
    /// let answer = http::Response::builder()
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"issuer":"https://server.example.com",
    ///               "token_endpoint":"https://server.example.com/token",
    ///               "grant_types_supported":["client_credentials"],
    ///               "response_types_supported":["code"]}"#)?;
    /// let metadata = pending.finish(&answer)?;
    /// assert_eq!(metadata.token_endpoint().map(|url| url.uri().path()), Some("/token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingDiscovery::finish`"]
    pub fn metadata_request(&self, well_known: WellKnown) -> (Request<Vec<u8>>, PendingDiscovery) {
        let mut request = Request::new(Vec::new());
        *request.method_mut() = Method::GET;
        *request.uri_mut() = self.metadata_url(well_known).uri().clone();
        request.headers_mut().insert(ACCEPT, HeaderValue::from_static("application/json"));
        (request, PendingDiscovery { issuer: self.clone(), quirks: Quirks::lenient() })
    }
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Issuer").field(&self.text).finish()
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn check_url(url: &str, allows_http: bool) -> Result<EndpointUrl, MisuseError> {
    if allows_http { EndpointUrl::new_allowing_http(url) } else { EndpointUrl::new(url) }
}

/// A metadata request on its way: reads the answer against the issuer it was asked of.
///
/// Made by [`Issuer::metadata_request`]; consumed by [`finish`](Self::finish).
#[derive(Debug)]
#[must_use = "give the answer to `finish` to read the metadata"]
pub struct PendingDiscovery {
    issuer: Issuer,
    quirks: Quirks,
}

impl PendingDiscovery {
    /// Reads the answer with `quirks` instead of [`Quirks::lenient`]: the body cap, whether any
    /// 2xx is success ([`Quirks::any_success_status`]) and whether JSON is read whatever its
    /// label ([`Quirks::json_any_content_type`]).
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Reads the answer: the metadata document, checked as [`ServerMetadata::from_json`] does.
    ///
    /// # Errors
    /// [`DiscoveryError::Server`] for a 4xx or 5xx (a 404 where the server publishes no such
    /// document); [`DiscoveryError::Body`] for a 1xx or 3xx (redirects are not followed), a
    /// body over the cap or not labelled JSON; and everything [`ServerMetadata::from_json`]
    /// refuses.
    pub fn finish<B: AsRef<[u8]>>(self, response: &Response<B>) -> Result<ServerMetadata, DiscoveryError> {
        let (status, body) = (response.status(), response.body().as_ref());
        if let Err(problem) = check_json_success(&self.quirks, status, response.headers(), body) {
            return Err(match crate::parse_error_response(&self.quirks, response) {
                Some(error) if !status.is_success() => DiscoveryError::Server(Box::new(error)),
                _ => DiscoveryError::Body(problem),
            });
        }
        ServerMetadata::from_json(&self.issuer, body)
    }
}

mod error;
mod metadata;
mod mtls_aliases;

pub use error::DiscoveryError;
pub use metadata::{ServerMetadata, Supported};
use mtls_aliases::MtlsAliases;
