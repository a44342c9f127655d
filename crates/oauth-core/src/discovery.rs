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
use http::{HeaderValue, Method, Request, Response, StatusCode};
use serde_json::Value;

use crate::introspection::{ObjectProblem, json_object, kind};
use crate::media::{is_json_media, media_type};
use crate::{AuthMethod, BasicEncoding, EndpointUrl, Extras, JsonKind, MisuseError, Quirks, Scope, ServerError};

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
    /// document); [`DiscoveryError::UnexpectedStatus`] for a 1xx or 3xx (redirects are not
    /// followed); [`DiscoveryError::BodyTooLarge`], [`DiscoveryError::UnexpectedContentType`];
    /// and everything [`ServerMetadata::from_json`] refuses.
    pub fn finish<B: AsRef<[u8]>>(self, response: &Response<B>) -> Result<ServerMetadata, DiscoveryError> {
        let (status, body) = (response.status(), response.body().as_ref());
        if !status.is_success() || (!self.quirks.any_success_status && status != StatusCode::OK) {
            return Err(match crate::parse_error_response(&self.quirks, response) {
                Some(error) => DiscoveryError::Server(Box::new(error)),
                None => DiscoveryError::UnexpectedStatus { status },
            });
        }
        if body.len() > self.quirks.max_body_bytes {
            return Err(DiscoveryError::BodyTooLarge { limit: self.quirks.max_body_bytes, actual: body.len() });
        }
        if !self.quirks.json_any_content_type && !media_type(response.headers()).is_some_and(is_json_media) {
            return Err(DiscoveryError::UnexpectedContentType);
        }
        ServerMetadata::from_json(&self.issuer, body)
    }
}

/// Values a server says it supports (`grant_types_supported`, …), or the default the RFC
/// gives when it says nothing.
///
/// # Examples
/// ```
/// # let metadata = oauth_core::discovery::ServerMetadata::from_json(
/// #     &oauth_core::discovery::Issuer::new("https://as.example")?,
/// #     br#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a",
/// #          "token_endpoint":"https://as.example/t","response_types_supported":["code"]}"#)?;
/// let grant_types = metadata.grant_types_supported();
/// assert!(!grant_types.is_declared()); // RFC 8414's default
/// assert_eq!(grant_types.iter().collect::<Vec<_>>(), ["authorization_code", "implicit"]);
/// assert!(grant_types.contains("implicit"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supported {
    values: Box<[Box<str>]>,
    declared: bool,
}

impl Supported {
    fn default_of(values: &[&str]) -> Self {
        Self { values: values.iter().map(|&value| value.into()).collect(), declared: false }
    }

    /// The values, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|value| &**value)
    }

    /// Whether `value` is one of them (compared exactly).
    #[must_use]
    pub fn contains(&self, value: &str) -> bool {
        self.iter().any(|supported| supported == value)
    }

    /// Whether the server listed them; `false` when these are the RFC's default.
    #[must_use]
    pub fn is_declared(&self) -> bool {
        self.declared
    }

    /// How many there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// An authorization server's metadata (RFC 8414 §2; the OpenID Connect Discovery document has
/// the same shape), checked against the issuer it was asked of.
///
/// Every endpoint is an [`EndpointUrl`]; lists the server may leave out carry the RFC's
/// default; every member without a slot here (`registration_endpoint`,
/// `service_documentation`, `ui_locales_supported`, signing algorithms, …) is kept in
/// [`other`](Self::other).
///
/// # Examples
/// ```
/// use oauth_core::discovery::{Issuer, ServerMetadata};
/// use oauth_core::{AuthMethod, BasicEncoding};
/// let issuer = Issuer::new("https://as.example")?;
/// let metadata = ServerMetadata::from_json(&issuer, br#"{
///     "issuer": "https://as.example",
///     "token_endpoint": "https://as.example/oauth2/token",
///     "revocation_endpoint": "https://as.example/oauth2/revoke",
///     "grant_types_supported": ["client_credentials", "refresh_token"],
///     "response_types_supported": ["code"],
///     "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"]
/// }"#)?;
/// assert_eq!(metadata.revocation_endpoint().unwrap().uri().path(), "/oauth2/revoke");
/// assert_eq!(metadata.authorization_endpoint(), None); // no grant type needs it
/// assert_eq!(metadata.preferred_auth_method(true), Some(AuthMethod::Post));
/// assert_eq!(metadata.preferred_auth_method(false), None);
///
/// // The answer of another issuer is refused.
/// let other = Issuer::new("https://as.example/tenant")?;
/// assert!(ServerMetadata::from_json(&other, br#"{"issuer":"https://as.example"}"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServerMetadata {
    issuer: Issuer,
    authorization_endpoint: Option<EndpointUrl>,
    token_endpoint: Option<EndpointUrl>,
    revocation_endpoint: Option<EndpointUrl>,
    introspection_endpoint: Option<EndpointUrl>,
    device_authorization_endpoint: Option<EndpointUrl>,
    userinfo_endpoint: Option<EndpointUrl>,
    jwks_uri: Option<EndpointUrl>,
    scopes_supported: Option<Scope>,
    response_types_supported: Supported,
    response_modes_supported: Supported,
    grant_types_supported: Supported,
    token_endpoint_auth_methods_supported: Supported,
    revocation_endpoint_auth_methods_supported: Supported,
    introspection_endpoint_auth_methods_supported: Supported,
    code_challenge_methods_supported: Supported,
    authorization_response_iss_parameter_supported: bool,
    other: Extras,
}

/// The members read into a slot of their own.
const ENDPOINTS: [&str; 7] = [
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "device_authorization_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
];
const LISTS: [&str; 8] = [
    "scopes_supported",
    "response_types_supported",
    "response_modes_supported",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_methods_supported",
    "code_challenge_methods_supported",
];
const ISS_PARAMETER: &str = "authorization_response_iss_parameter_supported";

/// RFC 8414 §2's default for the three `*_auth_methods_supported` lists.
const DEFAULT_AUTH_METHODS: &[&str] = &["client_secret_basic"];

impl ServerMetadata {
    /// Reads a metadata document asked of `issuer` — from [`PendingDiscovery::finish`], or one
    /// obtained another way (a cached copy, a fixture).
    ///
    /// Checked, in this order: the body is a JSON object; no member this type reads appears
    /// twice; `issuer` is present and identical to `issuer` (RFC 8414 §3.3: no normalising, so
    /// a trailing `/` on one side is a different issuer); each endpoint passes the URL check
    /// of the issuer ([`Issuer::new`] or [`Issuer::new_allowing_http`]); each list is an array
    /// of strings, the flag a boolean; and what RFC 8414 §2 requires is there —
    /// `response_types_supported`, `token_endpoint` unless the only grant type is `implicit`,
    /// and `authorization_endpoint` when a grant type uses it (`authorization_code`,
    /// `implicit`; both are the default when `grant_types_supported` is absent). A `null`
    /// member counts as absent.
    ///
    /// # Errors
    /// A [`DiscoveryError`] naming the first problem found. Never panics, whatever the bytes.
    pub fn from_json(issuer: &Issuer, body: &[u8]) -> Result<Self, DiscoveryError> {
        let members = json_object(body).map_err(|problem| match problem {
            ObjectProblem::Empty => DiscoveryError::NotJson { detail: "the body is empty".into() },
            ObjectProblem::InvalidUtf8 => DiscoveryError::NotJson { detail: "the body is not UTF-8".into() },
            ObjectProblem::NotJson(detail) => DiscoveryError::NotJson { detail },
            ObjectProblem::NotAnObject(found) => DiscoveryError::NotAnObject { found },
        })?;
        let mut known: Vec<(&'static str, Value)> = Vec::new();
        let mut other = serde_json::Map::new();
        for (name, value) in members {
            let slot = ["issuer", ISS_PARAMETER].into_iter().chain(ENDPOINTS).chain(LISTS).find(|slot| *slot == name);
            match slot {
                Some(slot) if known.iter().any(|(seen, _)| *seen == slot) => {
                    return Err(DiscoveryError::DuplicateField { field: slot });
                }
                Some(slot) => known.push((slot, value)),
                None => {
                    other.insert(name, value);
                }
            }
        }
        let take = |known: &mut Vec<(&'static str, Value)>, field: &str| {
            known.iter().position(|(slot, _)| *slot == field).map(|at| known.swap_remove(at).1)
        };
        match take(&mut known, "issuer") {
            None | Some(Value::Null) => return Err(DiscoveryError::MissingIssuer),
            Some(Value::String(found)) if *found == *issuer.as_str() => {}
            Some(Value::String(found)) => {
                return Err(DiscoveryError::IssuerMismatch { expected: issuer.as_str().into(), found: shown(&found) });
            }
            Some(value) => return Err(field_type("issuer", "a string", &value)),
        }
        let mut metadata = Self::defaults(issuer.clone());
        for (field, value) in known.into_iter().filter(|(_, value)| !value.is_null()) {
            metadata.set(field, value)?;
        }
        metadata.other = Extras::from_map(other);
        metadata.check_required()?;
        Ok(metadata)
    }

    fn defaults(issuer: Issuer) -> Self {
        Self {
            issuer,
            authorization_endpoint: None,
            token_endpoint: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            device_authorization_endpoint: None,
            userinfo_endpoint: None,
            jwks_uri: None,
            scopes_supported: None,
            response_types_supported: Supported::default_of(&[]),
            response_modes_supported: Supported::default_of(&["query", "fragment"]),
            grant_types_supported: Supported::default_of(&["authorization_code", "implicit"]),
            token_endpoint_auth_methods_supported: Supported::default_of(DEFAULT_AUTH_METHODS),
            revocation_endpoint_auth_methods_supported: Supported::default_of(DEFAULT_AUTH_METHODS),
            introspection_endpoint_auth_methods_supported: Supported::default_of(DEFAULT_AUTH_METHODS),
            code_challenge_methods_supported: Supported::default_of(&[]),
            authorization_response_iss_parameter_supported: false,
            other: Extras::default(),
        }
    }

    fn set(&mut self, field: &'static str, value: Value) -> Result<(), DiscoveryError> {
        if field == ISS_PARAMETER {
            let Value::Bool(flag) = value else { return Err(field_type(field, "a boolean", &value)) };
            self.authorization_response_iss_parameter_supported = flag;
            return Ok(());
        }
        if ENDPOINTS.contains(&field) {
            let Value::String(url) = value else { return Err(field_type(field, "a URL string", &value)) };
            let url = check_url(&url, self.issuer.allows_http).map_err(|error| endpoint_error(field, error))?;
            *match field {
                "authorization_endpoint" => &mut self.authorization_endpoint,
                "token_endpoint" => &mut self.token_endpoint,
                "revocation_endpoint" => &mut self.revocation_endpoint,
                "introspection_endpoint" => &mut self.introspection_endpoint,
                "device_authorization_endpoint" => &mut self.device_authorization_endpoint,
                "userinfo_endpoint" => &mut self.userinfo_endpoint,
                _ => &mut self.jwks_uri,
            } = Some(url);
            return Ok(());
        }
        let Value::Array(items) = &value else { return Err(field_type(field, "an array of strings", &value)) };
        if !items.iter().all(Value::is_string) {
            return Err(field_type(field, "an array of strings", &value));
        }
        let values = items.iter().filter_map(Value::as_str);
        if field == "scopes_supported" {
            self.scopes_supported = Some(Scope::from_server(values));
            return Ok(());
        }
        let supported = Supported { values: values.map(Into::into).collect(), declared: true };
        *match field {
            "response_types_supported" => &mut self.response_types_supported,
            "response_modes_supported" => &mut self.response_modes_supported,
            "grant_types_supported" => &mut self.grant_types_supported,
            "token_endpoint_auth_methods_supported" => &mut self.token_endpoint_auth_methods_supported,
            "revocation_endpoint_auth_methods_supported" => &mut self.revocation_endpoint_auth_methods_supported,
            "introspection_endpoint_auth_methods_supported" => &mut self.introspection_endpoint_auth_methods_supported,
            _ => &mut self.code_challenge_methods_supported,
        } = supported;
        Ok(())
    }

    /// RFC 8414 §2's required members.
    fn check_required(&self) -> Result<(), DiscoveryError> {
        let grants = &self.grant_types_supported;
        if self.authorization_endpoint.is_none()
            && (grants.contains("authorization_code") || grants.contains("implicit"))
        {
            return Err(DiscoveryError::MissingField { field: "authorization_endpoint" });
        }
        let only_implicit = !grants.is_empty() && grants.iter().all(|grant| grant == "implicit");
        if self.token_endpoint.is_none() && !only_implicit {
            return Err(DiscoveryError::MissingField { field: "token_endpoint" });
        }
        if !self.response_types_supported.is_declared() {
            return Err(DiscoveryError::MissingField { field: "response_types_supported" });
        }
        Ok(())
    }

    /// `issuer`: the issuer the document was asked of, which it names exactly.
    #[must_use]
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// `authorization_endpoint` (RFC 6749 §3.1).
    #[must_use]
    pub fn authorization_endpoint(&self) -> Option<&EndpointUrl> {
        self.authorization_endpoint.as_ref()
    }

    /// `token_endpoint` (RFC 6749 §3.2); present unless the server supports only the implicit
    /// grant.
    #[must_use]
    pub fn token_endpoint(&self) -> Option<&EndpointUrl> {
        self.token_endpoint.as_ref()
    }

    /// `revocation_endpoint` (RFC 7009).
    #[must_use]
    pub fn revocation_endpoint(&self) -> Option<&EndpointUrl> {
        self.revocation_endpoint.as_ref()
    }

    /// `introspection_endpoint` (RFC 7662).
    #[must_use]
    pub fn introspection_endpoint(&self) -> Option<&EndpointUrl> {
        self.introspection_endpoint.as_ref()
    }

    /// `device_authorization_endpoint` (RFC 8628 §4).
    #[must_use]
    pub fn device_authorization_endpoint(&self) -> Option<&EndpointUrl> {
        self.device_authorization_endpoint.as_ref()
    }

    /// `userinfo_endpoint` (OpenID Connect Core §5.3).
    #[must_use]
    pub fn userinfo_endpoint(&self) -> Option<&EndpointUrl> {
        self.userinfo_endpoint.as_ref()
    }

    /// `jwks_uri`: the server's JSON Web Key Set.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<&EndpointUrl> {
        self.jwks_uri.as_ref()
    }

    /// `scopes_supported`, when the server lists them (RFC 8414 recommends it; there is no
    /// default).
    #[must_use]
    pub fn scopes_supported(&self) -> Option<&Scope> {
        self.scopes_supported.as_ref()
    }

    /// `response_types_supported` (required).
    #[must_use]
    pub fn response_types_supported(&self) -> &Supported {
        &self.response_types_supported
    }

    /// `response_modes_supported`; by default `query` and `fragment`.
    #[must_use]
    pub fn response_modes_supported(&self) -> &Supported {
        &self.response_modes_supported
    }

    /// `grant_types_supported`; by default `authorization_code` and `implicit`.
    #[must_use]
    pub fn grant_types_supported(&self) -> &Supported {
        &self.grant_types_supported
    }

    /// `token_endpoint_auth_methods_supported`; by default `client_secret_basic`.
    #[must_use]
    pub fn token_endpoint_auth_methods_supported(&self) -> &Supported {
        &self.token_endpoint_auth_methods_supported
    }

    /// `revocation_endpoint_auth_methods_supported`; by default `client_secret_basic`.
    #[must_use]
    pub fn revocation_endpoint_auth_methods_supported(&self) -> &Supported {
        &self.revocation_endpoint_auth_methods_supported
    }

    /// `introspection_endpoint_auth_methods_supported`; by default `client_secret_basic`.
    #[must_use]
    pub fn introspection_endpoint_auth_methods_supported(&self) -> &Supported {
        &self.introspection_endpoint_auth_methods_supported
    }

    /// `code_challenge_methods_supported` (RFC 7636); empty when absent, which RFC 8414 says
    /// means the server does not support PKCE.
    #[must_use]
    pub fn code_challenge_methods_supported(&self) -> &Supported {
        &self.code_challenge_methods_supported
    }

    /// `authorization_response_iss_parameter_supported` (RFC 9207): whether authorization
    /// responses carry `iss`; `false` when absent.
    #[must_use]
    pub fn authorization_response_iss_parameter_supported(&self) -> bool {
        self.authorization_response_iss_parameter_supported
    }

    /// Every other member, as JSON values (`registration_endpoint`, `service_documentation`,
    /// `ui_locales_supported`, signing algorithms, vendor members). Not checked: a URL taken
    /// from here has not passed the endpoint rule.
    #[must_use]
    pub fn other(&self) -> &Extras {
        &self.other
    }

    /// The token endpoint's client-authentication methods that this crate can present, in the
    /// server's order: `client_secret_basic` as [`AuthMethod::Basic`] with the default
    /// percent encoding, `client_secret_post` as [`AuthMethod::Post`], `none` as
    /// [`AuthMethod::None`]; others (`private_key_jwt`, `tls_client_auth`, …) are left out.
    pub fn token_auth_methods(&self) -> impl Iterator<Item = AuthMethod> + '_ {
        self.token_endpoint_auth_methods_supported.iter().filter_map(auth_method)
    }

    /// The method a client should authenticate to the token endpoint with: for a client with a
    /// secret, `client_secret_basic` when listed (RFC 6749 §2.3.1: every server supports it),
    /// else `client_secret_post`; for a public client, `none`. `None` when the server lists no
    /// method this crate can present for such a client.
    #[must_use]
    pub fn preferred_auth_method(&self, has_secret: bool) -> Option<AuthMethod> {
        let methods = &self.token_endpoint_auth_methods_supported;
        let preferred: &[AuthMethod] = if has_secret {
            &[AuthMethod::Basic(BasicEncoding::Percent), AuthMethod::Post]
        } else {
            &[AuthMethod::None]
        };
        preferred.iter().copied().find(|method| methods.contains(method.name()))
    }
}

/// This crate's method for an RFC 8414 method name, when it has one.
fn auth_method(name: &str) -> Option<AuthMethod> {
    match name {
        "client_secret_basic" => Some(AuthMethod::Basic(BasicEncoding::Percent)),
        "client_secret_post" => Some(AuthMethod::Post),
        "none" => Some(AuthMethod::None),
        _ => None,
    }
}

fn field_type(field: &'static str, expected: &'static str, value: &Value) -> DiscoveryError {
    DiscoveryError::FieldType { field, expected, found: kind(value) }
}

fn endpoint_error(field: &'static str, error: MisuseError) -> DiscoveryError {
    match error {
        MisuseError::InsecureEndpoint { url } => DiscoveryError::InsecureEndpoint { field, url: shown(&url) },
        MisuseError::InvalidEndpoint { url, reason } => {
            DiscoveryError::InvalidEndpoint { field, url: shown(&url), reason }
        }
        // Invariant: the URL check makes no other error.
        _ => DiscoveryError::InvalidEndpoint { field, url: "".into(), reason: "it is not a usable URL" },
    }
}

/// Longest text from the document an error repeats.
const SHOWN_LIMIT: usize = 256;

/// `text` as an error repeats it: cut at [`SHOWN_LIMIT`] bytes.
fn shown(text: &str) -> Box<str> {
    if text.len() <= SHOWN_LIMIT {
        return text.into();
    }
    let cut = (0..=SHOWN_LIMIT).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
    format!("{}…", &text[..cut]).into()
}

/// Why an issuer's metadata was not read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The metadata URL answered with an error (a 404 where the server publishes no such
    /// document).
    Server(Box<ServerError>),
    /// A status that is neither success nor an error (a redirect, which is not followed).
    UnexpectedStatus {
        /// The status.
        status: StatusCode,
    },
    /// The body is larger than the profile's cap.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
        /// The body's size, in bytes.
        actual: usize,
    },
    /// The `Content-Type` is not JSON and the profile does not look past labels.
    UnexpectedContentType,
    /// The body is not JSON.
    NotJson {
        /// What is wrong (the JSON parser's message: a position, no content).
        detail: Box<str>,
    },
    /// The JSON body is not an object.
    NotAnObject {
        /// What it is.
        found: JsonKind,
    },
    /// The document has no `issuer`.
    MissingIssuer,
    /// The document names another issuer than the one asked of: refused, as the defence
    /// against mix-up attacks (RFC 8414 §3.3).
    IssuerMismatch {
        /// The issuer asked of.
        expected: Box<str>,
        /// The issuer the document names (its first 256 bytes).
        found: Box<str>,
    },
    /// A member RFC 8414 §2 requires is missing.
    MissingField {
        /// The member.
        field: &'static str,
    },
    /// A member has the wrong JSON type.
    FieldType {
        /// The member.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
        /// What it is.
        found: JsonKind,
    },
    /// A member read into a slot of its own appears twice, so its meaning is ambiguous.
    DuplicateField {
        /// The member.
        field: &'static str,
    },
    /// An endpoint uses plain `http` on a host that is not loopback.
    InsecureEndpoint {
        /// The member (`token_endpoint`, …).
        field: &'static str,
        /// The URL, credentials in it replaced by `[redacted]`, cut at 256 bytes.
        url: Box<str>,
    },
    /// An endpoint is not an absolute `http(s)` URL the client can send to.
    InvalidEndpoint {
        /// The member (`token_endpoint`, …).
        field: &'static str,
        /// The URL, credentials in it replaced by `[redacted]`, cut at 256 bytes.
        url: Box<str>,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl DiscoveryError {
    /// Whether asking again later can succeed: a 429 or 5xx answer (the rule of
    /// [`ServerError::is_retryable`]). A document that is wrong stays wrong.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server(error) => error.is_retryable(),
            _ => false,
        }
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("authorization server metadata refused: ")?;
        match self {
            Self::Server(error) => fmt::Display::fmt(error, f),
            Self::UnexpectedStatus { status } => write!(f, "HTTP {status} is neither success nor an error"),
            Self::BodyTooLarge { limit, actual } => write!(f, "body of {actual} bytes exceeds the {limit}-byte cap"),
            Self::UnexpectedContentType => f.write_str("Content-Type is not JSON"),
            Self::NotJson { detail } => write!(f, "body is not JSON ({detail})"),
            Self::NotAnObject { found } => write!(f, "body is {found}, not a JSON object"),
            Self::MissingIssuer => f.write_str("`issuer` is missing"),
            Self::IssuerMismatch { expected, found } => write!(
                f,
                "the document is for issuer {found:?}, not {expected:?} as asked (RFC 8414 §3.3 requires them identical: a mix-up defence)"
            ),
            Self::MissingField { field } => write!(f, "`{field}` is missing (RFC 8414 §2 requires it)"),
            Self::FieldType { field, expected, found } => write!(f, "`{field}` is {found}, not {expected}"),
            Self::DuplicateField { field } => write!(f, "`{field}` appears more than once"),
            Self::InsecureEndpoint { field, url } => write!(
                f,
                "`{field}` `{url}` uses plain http on a non-loopback host; credentials would travel in clear text"
            ),
            Self::InvalidEndpoint { field, url, reason } => write!(f, "`{field}` `{url}` is not usable: {reason}"),
        }
    }
}

/// The text already says what the server's error says, so there is no `source`.
impl std::error::Error for DiscoveryError {}
