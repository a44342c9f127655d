//! Grants (RFC 6749 §4–6) and the extra form parameters a request may carry.

use std::borrow::Cow;
use std::fmt;

use crate::authorization::{AuthorizationCode, PkceVerifier};
use crate::{EndpointUrl, MisuseError, Password, RefreshToken, Scope, SecretParam, Username};

/// What the client offers in exchange for a token.
///
/// # Examples
/// ```
/// use oauth_core::{Grant, Params, SecretParam};
/// let grant = Grant::password("sheila.thomas", "hunter2");
/// assert_eq!(grant.grant_type(), "password");
///
/// let mut params = Params::new();
/// params.push_secret("assertion", SecretParam::new("eyJ..."))?;
/// let jwt = Grant::extension("urn:ietf:params:oauth:grant-type:jwt-bearer", params)?;
/// assert!(!jwt.is_replay_safe());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Grant {
    /// `client_credentials` (RFC 6749 §4.4): the client acts on its own behalf.
    ClientCredentials,
    /// `password` (RFC 6749 §4.3): the resource owner's username and password.
    Password {
        /// The resource owner's username.
        username: Username,
        /// The resource owner's password.
        password: Password,
    },
    /// `refresh_token` (RFC 6749 §6).
    RefreshToken {
        /// The refresh token.
        refresh_token: RefreshToken,
    },
    /// `authorization_code` (RFC 6749 §4.1.3) with its PKCE verifier (RFC 7636 §4.5): what
    /// [`PendingAuthorization::accept`](crate::authorization::PendingAuthorization::accept)
    /// gives back. A code is single use, so this grant is never replayed.
    AuthorizationCode {
        /// The code from the redirect.
        code: AuthorizationCode,
        /// The redirect URI the authorization request carried, sent again as it was sent then.
        redirect_uri: EndpointUrl,
        /// The PKCE verifier whose challenge the authorization request carried.
        code_verifier: PkceVerifier,
    },
    /// Any other grant type (a URI or a registered name) with its own parameters.
    Extension {
        /// The `grant_type` value.
        grant_type: Box<str>,
        /// The grant's parameters.
        params: Params,
    },
}

impl Grant {
    /// The password grant.
    pub fn password(username: impl Into<String>, password: impl Into<Password>) -> Self {
        Self::Password { username: Username::new(username), password: password.into() }
    }

    /// The refresh-token grant.
    pub fn refresh_token(refresh_token: impl Into<RefreshToken>) -> Self {
        Self::RefreshToken { refresh_token: refresh_token.into() }
    }

    /// The authorization-code grant (RFC 6749 §4.1.3) with its PKCE verifier (RFC 7636 §4.5).
    /// [`CodeExchange`](crate::authorization::CodeExchange) makes it from a checked redirect;
    /// this is for a code obtained some other way.
    pub fn authorization_code(
        code: impl Into<AuthorizationCode>,
        redirect_uri: EndpointUrl,
        code_verifier: PkceVerifier,
    ) -> Self {
        Self::AuthorizationCode { code: code.into(), redirect_uri, code_verifier }
    }

    /// An extension grant.
    ///
    /// # Errors
    /// [`MisuseError::InvalidGrantType`] for an empty type or one with whitespace or control
    /// characters; [`MisuseError::ReservedParameter`] when `params` sets a name in
    /// [`RESERVED_EXTENSION_PARAMS`]. An extension grant defines its own fields, so `username`,
    /// `password` or `refresh_token` are its to use.
    pub fn extension(grant_type: impl Into<Box<str>>, params: Params) -> Result<Self, MisuseError> {
        let grant_type = grant_type.into();
        if grant_type.is_empty() || grant_type.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err(MisuseError::InvalidGrantType { grant_type });
        }
        params.refuse(RESERVED_EXTENSION_PARAMS)?;
        Ok(Self::Extension { grant_type, params })
    }

    /// The `grant_type` value sent.
    #[must_use]
    pub fn grant_type(&self) -> &str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::Password { .. } => "password",
            Self::RefreshToken { .. } => "refresh_token",
            Self::AuthorizationCode { .. } => "authorization_code",
            Self::Extension { grant_type, .. } => grant_type,
        }
    }

    /// Whether sending the same grant twice is harmless, so a failed attempt may be repeated
    /// with other client authentication: true for `client_credentials` and `password`, false
    /// for single-use or rotating credentials (refresh tokens, authorization codes, assertions).
    #[must_use]
    pub fn is_replay_safe(&self) -> bool {
        matches!(self, Self::ClientCredentials | Self::Password { .. })
    }
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientCredentials => f.write_str("ClientCredentials"),
            Self::Password { username, password } => {
                f.debug_struct("Password").field("username", username).field("password", password).finish()
            }
            Self::RefreshToken { refresh_token } => {
                f.debug_struct("RefreshToken").field("refresh_token", refresh_token).finish()
            }
            Self::AuthorizationCode { code, redirect_uri, code_verifier } => f
                .debug_struct("AuthorizationCode")
                .field("code", code)
                .field("redirect_uri", redirect_uri)
                .field("code_verifier", code_verifier)
                .finish(),
            Self::Extension { grant_type, params } => {
                f.debug_struct("Extension").field("grant_type", grant_type).field("params", params).finish()
            }
        }
    }
}

/// Parameter names the library writes itself: extra parameters of a [`TokenRequest`] may not
/// set them. A request carrying [`Grant::AuthorizationCode`] also refuses that grant's fields
/// (`code`, `redirect_uri`, `code_verifier`).
pub const RESERVED_PARAMS: &[&str] =
    &["grant_type", "client_id", "client_secret", "username", "password", "refresh_token", "scope"];

/// The fields of [`Grant::AuthorizationCode`]: refused as extra parameters of a request that
/// carries that grant.
const AUTHORIZATION_CODE_FIELDS: &[&str] = &["code", "redirect_uri", "code_verifier"];

/// The names an extension grant's own parameters may not set: the grant type, the client's
/// credentials and the scope, which the library writes whatever the grant.
pub const RESERVED_EXTENSION_PARAMS: &[&str] = &["grant_type", "client_id", "client_secret", "scope"];

/// A parameter value: plain text, or a secret that prints redacted.
#[derive(Clone)]
#[non_exhaustive]
pub enum ParamValue {
    /// Plain text.
    Plain(Box<str>),
    /// A secret.
    Secret(SecretParam),
}

impl ParamValue {
    /// The value as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Plain(v) => v,
            Self::Secret(s) => s.secret(),
        }
    }
}

impl fmt::Debug for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(v) => fmt::Debug::fmt(v, f),
            Self::Secret(s) => fmt::Debug::fmt(s, f),
        }
    }
}

/// Extra form parameters, in order. Repeated names are kept (RFC 8707 `resource` may repeat);
/// names the library sets itself are refused where the parameters are attached.
///
/// # Examples
/// ```
/// let mut params = oauth_core::Params::new();
/// params.push("resource", "https://a.example")?.push("resource", "https://b.example")?;
/// assert_eq!(params.get_all("resource").count(), 2);
/// let request = oauth_core::TokenRequest::new(oauth_core::Grant::ClientCredentials);
/// assert!(request.clone().with_params(params.clone()).is_ok());
/// params.push("client_id", "other")?;
/// assert!(request.with_params(params).is_err()); // would overwrite the client id
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone, Default)]
pub struct Params {
    entries: Vec<(Cow<'static, str>, ParamValue)>,
}

impl Params {
    /// No parameters.
    #[must_use]
    pub const fn new() -> Self {
        Self { entries: Vec::new() }
    }

    fn check(name: &str) -> Result<(), MisuseError> {
        if name.is_empty() {
            return Err(MisuseError::ReservedParameter { name: name.into() });
        }
        Ok(())
    }

    /// The first parameter whose name is in `reserved`, as an error.
    fn refuse(&self, reserved: &[&str]) -> Result<(), MisuseError> {
        match self.entries.iter().find(|(name, _)| reserved.contains(&&**name)) {
            Some((name, _)) => Err(MisuseError::ReservedParameter { name: (**name).into() }),
            None => Ok(()),
        }
    }

    /// Appends a plain parameter. Which names are refused depends on where the parameters go:
    /// [`TokenRequest::with_params`] and [`Grant::extension`] check them.
    ///
    /// # Errors
    /// [`MisuseError::ReservedParameter`] for an empty name.
    pub fn push(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Box<str>>,
    ) -> Result<&mut Self, MisuseError> {
        let name = name.into();
        Self::check(&name)?;
        self.entries.push((name, ParamValue::Plain(value.into())));
        Ok(self)
    }

    /// Appends a secret parameter (printed redacted, scrubbed from errors).
    ///
    /// # Errors
    /// As [`Params::push`].
    pub fn push_secret(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: SecretParam,
    ) -> Result<&mut Self, MisuseError> {
        let name = name.into();
        Self::check(&name)?;
        self.entries.push((name, ParamValue::Secret(value)));
        Ok(self)
    }

    /// Every parameter in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.entries.iter().map(|(n, v)| (&**n, v))
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ParamValue> + 'a {
        self.entries.iter().filter(move |(n, _)| n == name).map(|(_, v)| v)
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn secrets(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|(_, v)| match v {
            ParamValue::Secret(s) => Some(s.secret()),
            ParamValue::Plain(_) => None,
        })
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.iter()).finish()
    }
}

/// One token request: the grant, the scope asked for, and extra parameters.
///
/// # Examples
/// ```
/// use oauth_core::{Grant, Params, Scope, TokenRequest};
/// let mut tenant = Params::new();
/// tenant.push("tenant", "example.com")?;
/// let request = TokenRequest::new(Grant::ClientCredentials)
///     .with_scope(Scope::parse("read write")?)
///     .with_params(tenant)?;
/// assert_eq!(request.scope().as_str(), "read write");
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct TokenRequest {
    grant: Grant,
    scope: Scope,
    params: Params,
}

impl TokenRequest {
    /// A request for `grant`, with no scope and no extra parameters.
    #[must_use]
    pub fn new(grant: Grant) -> Self {
        Self { grant, scope: Scope::empty(), params: Params::new() }
    }

    /// Sets the scope (an empty scope sends no `scope` parameter).
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets the extra parameters.
    ///
    /// # Errors
    /// [`MisuseError::ReservedParameter`] when one would overwrite a name the library writes
    /// ([`RESERVED_PARAMS`]: grant type, credentials, client id, the grant's fields, scope; and
    /// for [`Grant::AuthorizationCode`] its `code`, `redirect_uri` and `code_verifier`).
    pub fn with_params(mut self, params: Params) -> Result<Self, MisuseError> {
        params.refuse(RESERVED_PARAMS)?;
        if matches!(self.grant, Grant::AuthorizationCode { .. }) {
            params.refuse(AUTHORIZATION_CODE_FIELDS)?;
        }
        self.params = params;
        Ok(self)
    }

    /// The same scope and parameters with another grant (a refresh, say).
    #[must_use]
    pub fn with_grant(&self, grant: Grant) -> Self {
        Self { grant, scope: self.scope.clone(), params: self.params.clone() }
    }

    /// The grant.
    #[must_use]
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// The scope.
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The extra parameters.
    #[must_use]
    pub fn params(&self) -> &Params {
        &self.params
    }
}
