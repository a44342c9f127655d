//! `ServerMetadata`: a metadata document read and checked — the issuer it must name, its
//! endpoints through `EndpointUrl`, what it supports with the RFC's defaults.

use super::*;

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
    mtls_endpoint_aliases: MtlsAliases,
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
        let members = json_object(body).map_err(|problem| DiscoveryError::Body(problem.into()))?;
        let mut known: Vec<(&'static str, Value)> = Vec::new();
        let mut other = serde_json::Map::new();
        for (name, value) in members {
            let slot = ["issuer", ISS_PARAMETER, mtls_aliases::MEMBER]
                .into_iter()
                .chain(ENDPOINTS)
                .chain(LISTS)
                .find(|slot| *slot == name);
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
            mtls_endpoint_aliases: MtlsAliases::default(),
            other: Extras::default(),
        }
    }

    fn set(&mut self, field: &'static str, value: Value) -> Result<(), DiscoveryError> {
        if field == ISS_PARAMETER {
            let Value::Bool(flag) = value else { return Err(field_type(field, "a boolean", &value)) };
            self.authorization_response_iss_parameter_supported = flag;
            return Ok(());
        }
        if field == mtls_aliases::MEMBER {
            self.mtls_endpoint_aliases = MtlsAliases::read(&value, self.issuer.allows_http)?;
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

    /// The `mtls_endpoint_aliases` entry (RFC 8705 §5) of `endpoint`, named as in the document
    /// (`token_endpoint`, `revocation_endpoint`, `introspection_endpoint`,
    /// `device_authorization_endpoint`, `userinfo_endpoint`), when the server declares one.
    #[must_use]
    pub fn mtls_endpoint_alias(&self, endpoint: &str) -> Option<&EndpointUrl> {
        self.mtls_endpoint_aliases.get(endpoint)
    }

    /// The URL a client sends `endpoint`'s requests to: a client that presents a TLS
    /// certificate (`presents_certificate`: a mutual-TLS method, or certificate-bound tokens —
    /// see [`ClientAuth::presents_certificate`](crate::ClientAuth::presents_certificate)) uses
    /// the server's `mtls_endpoint_aliases` entry when there is one (RFC 8705 §5); otherwise, and
    /// for every other client, the endpoint itself. `endpoint` is named as in the document
    /// (`token_endpoint`, …); `None` for a name this crate does not read or an endpoint the
    /// server does not publish.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::discovery::{Issuer, ServerMetadata};
    /// let metadata = ServerMetadata::from_json(&Issuer::new("https://as.example")?, br#"{
    ///     "issuer": "https://as.example",
    ///     "token_endpoint": "https://as.example/token",
    ///     "response_types_supported": ["code"], "grant_types_supported": ["client_credentials"],
    ///     "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.as.example/token"}
    /// }"#)?;
    /// let via = |certificate| metadata.endpoint_for("token_endpoint", certificate).map(|url| url.to_string());
    /// assert_eq!(via(true).as_deref(), Some("https://mtls.as.example/token"));
    /// assert_eq!(via(false).as_deref(), Some("https://as.example/token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn endpoint_for(&self, endpoint: &str, presents_certificate: bool) -> Option<&EndpointUrl> {
        let alias = if presents_certificate { self.mtls_endpoint_aliases.get(endpoint) } else { None };
        alias.or(match endpoint {
            "authorization_endpoint" => self.authorization_endpoint.as_ref(),
            "token_endpoint" => self.token_endpoint.as_ref(),
            "revocation_endpoint" => self.revocation_endpoint.as_ref(),
            "introspection_endpoint" => self.introspection_endpoint.as_ref(),
            "device_authorization_endpoint" => self.device_authorization_endpoint.as_ref(),
            "userinfo_endpoint" => self.userinfo_endpoint.as_ref(),
            _ => None,
        })
    }

    /// Every other member, as JSON values (`registration_endpoint`, `service_documentation`,
    /// `ui_locales_supported`, signing algorithms, vendor members). Not checked: a URL taken
    /// from here has not passed the endpoint rule.
    #[must_use]
    pub fn other(&self) -> &Extras {
        &self.other
    }

    /// The token endpoint's client-authentication methods, in the server's order, as this
    /// crate's [`AuthMethod`]s: `client_secret_basic` (with the default percent encoding),
    /// `client_secret_post`, `none`, `client_secret_jwt`, `private_key_jwt`, `tls_client_auth`
    /// and `self_signed_tls_client_auth`. Names this crate does not know are left out.
    pub fn token_auth_methods(&self) -> impl Iterator<Item = AuthMethod> + '_ {
        self.token_endpoint_auth_methods_supported.iter().filter_map(auth_method)
    }

    /// The method a client that holds only an id and maybe a secret should authenticate to the
    /// token endpoint with: with a secret, `client_secret_basic` when listed (RFC 6749 §2.3.1:
    /// every server supports it), else `client_secret_post`, else `client_secret_jwt`; for a
    /// public client, `none`. `None` when the server lists none of these — a client with a
    /// private key or a certificate picks its method itself, from
    /// [`token_auth_methods`](Self::token_auth_methods).
    #[must_use]
    pub fn preferred_auth_method(&self, has_secret: bool) -> Option<AuthMethod> {
        let methods = &self.token_endpoint_auth_methods_supported;
        let preferred: &[AuthMethod] = if has_secret {
            &[AuthMethod::Basic(BasicEncoding::Percent), AuthMethod::Post, AuthMethod::ClientSecretJwt]
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
        "client_secret_jwt" => Some(AuthMethod::ClientSecretJwt),
        "private_key_jwt" => Some(AuthMethod::PrivateKeyJwt),
        "tls_client_auth" => Some(AuthMethod::TlsClientAuth),
        "self_signed_tls_client_auth" => Some(AuthMethod::SelfSignedTlsClientAuth),
        _ => None,
    }
}

fn field_type(field: &'static str, expected: &'static str, value: &Value) -> DiscoveryError {
    DiscoveryError::FieldType { field, expected, found: kind(value) }
}

pub(super) fn endpoint_error(field: &'static str, error: MisuseError) -> DiscoveryError {
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
