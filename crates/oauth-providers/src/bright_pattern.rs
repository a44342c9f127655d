//! Bright Pattern Contact Center.
//!
//! What the vendor's configuration API page documents (its example answer is kept in this
//! crate's `tests/fixtures/seeds`): client_credentials at
//! `http[s]://{tenant-host}[:port]/configapi/v2/oauth/token` (the List Management API v3 uses
//! `/configapi/v3/oauth/token`) with everything in the form body: `client_id` is the user's
//! login id, `client_secret` the API secret from the Users page, and `scope` the tenant host
//! (required). The service-provider APIs send `tenant=` instead of `scope`. The answer's
//! `expires_in` is a string (`"3599"`), `scope` is echoed, tokens last an hour with no refresh
//! token. Errors come as RFC 6749 JSON, as `{"errorCode":…,"errorMessage":…}`, or as a bare
//! 401/403.
//!
//! # A whole exchange against canned answers
//! ```
//! use std::time::{Duration, Instant};
//! use oauth_core::{ErrorCode, TokenError};
//! let profile = oauth_providers::bright_pattern::profile("example.brightpattern.com", "sheila.thomas", "qkDwDJ")?;
//! let config = profile.token_config().expect("a token exchange");
//!
//! // The documented answer (its trailing comma removed): expires_in is a string.
//! let (_request, pending) = config.build_request()?;
//! let sent_at = Instant::now();
//! let answer = http::Response::builder().status(200).header("content-type", "application/json")
//!     .body(r#"{"access_token":"6E1A2B","token_type":"Bearer","expires_in":"3599","scope":"example.brightpattern.com"}"#)?;
//! let token = pending.finish(&answer, sent_at)?;
//! assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(3599)));
//! assert_eq!(token.scope().unwrap().as_str(), "example.brightpattern.com");
//!
//! // A rate-limit answer in the vendor's own error shape is typed and retryable.
//! let (_request, pending) = config.build_request()?;
//! let limited = http::Response::builder().status(429).header("retry-after", "2")
//!     .body(r#"{"errorCode":12,"errorMessage":"Limit exceeded"}"#)?;
//! let error = pending.finish(&limited, Instant::now()).unwrap_err();
//! assert!(error.is_retryable());
//! assert_eq!(error.code(), Some(&ErrorCode::Other("rate_limited".into())));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

use http::StatusCode;
use oauth_core::{AuthMethod, ClientSecret, EnvelopeError, ErrorCode, ErrorEnvelope, RetryOn401, Scope};

use crate::host::{Http, Origin};
use crate::{Profile, ProfileError, rfc6749};

/// The lifetime assumed if an answer lacks `expires_in` ("Access Tokens expire after 1 hour").
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Which token path to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenApi {
    /// `/configapi/v2/oauth/token`: the configuration, recording, SCIM, calling-list (v2),
    /// messaging, task-routing and statistics APIs.
    #[default]
    ConfigV2,
    /// `/configapi/v3/oauth/token`: the List Management API v3.0/v3.2.
    ListManagementV3,
}

impl TokenApi {
    /// The path of the token endpoint.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::ConfigV2 => "/configapi/v2/oauth/token",
            Self::ListManagementV3 => "/configapi/v3/oauth/token",
        }
    }
}

/// A profile for a tenant: https, the v2 token path, `scope` = the tenant host.
///
/// # Errors
/// [`ProfileError`] for an unusable host or an empty login id.
///
/// # Examples
/// ```
/// // The vendor's documented request.
/// let profile = oauth_providers::bright_pattern::profile(
///     "example.com", "clientid", "qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ")?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.uri(), "https://example.com/configapi/v2/oauth/token");
/// assert_eq!(request.body(),
///     b"grant_type=client_credentials&client_id=clientid&client_secret=qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ&scope=example.com");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn profile(
    tenant_host: &str,
    login_id: impl Into<String>,
    api_secret: impl Into<ClientSecret>,
) -> Result<Profile, ProfileError> {
    TenantProfile::new(tenant_host, login_id, api_secret).build()
}

/// A profile with settings: the token path, the service-provider variant, plain http.
///
/// # Examples
/// ```
/// use oauth_providers::bright_pattern::{TenantProfile, TokenApi};
/// let profile = TenantProfile::new("sp.example.com:8443", "admin", "s3cr3t")
///     .token_api(TokenApi::ListManagementV3)
///     .service_provider("example.com")
///     .build()?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.uri(), "https://sp.example.com:8443/configapi/v3/oauth/token");
/// assert_eq!(request.body(),
///     b"grant_type=client_credentials&client_id=admin&client_secret=s3cr3t&tenant=example.com");
///
/// let other_scope = TenantProfile::new("example.com", "admin", "s3cr3t").scope("clientweb").build()?;
/// let (request, _) = other_scope.token_config().unwrap().build_request()?;
/// assert_eq!(request.body(),
///     b"grant_type=client_credentials&client_id=admin&client_secret=s3cr3t&scope=clientweb");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `build` to get the profile"]
pub struct TenantProfile {
    host: String,
    login_id: String,
    api_secret: ClientSecret,
    api: TokenApi,
    tenant: Option<String>,
    scope: Option<String>,
    http: Http,
}

impl TenantProfile {
    /// The documented tenant profile.
    pub fn new(
        tenant_host: impl Into<String>,
        login_id: impl Into<String>,
        api_secret: impl Into<ClientSecret>,
    ) -> Self {
        Self {
            host: tenant_host.into(),
            login_id: login_id.into(),
            api_secret: api_secret.into(),
            api: TokenApi::ConfigV2,
            tenant: None,
            scope: None,
            http: Http::Refuse,
        }
    }

    /// Chooses the token path.
    pub fn token_api(mut self, api: TokenApi) -> Self {
        self.api = api;
        self
    }

    /// The service-provider variant (Host & Services Management API): sends `tenant={tenant}`
    /// and no `scope`.
    pub fn service_provider(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Sends this `scope` instead of the tenant host (some deployments are seen to use other
    /// values, such as `clientweb`). Checked as RFC 6749 scope tokens when the profile is built.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Accepts plain `http` on a non-loopback host, as the vendor's `http[s]://` allows. Tokens
    /// then cross the network in clear text: a trusted private network only.
    pub fn allow_http(mut self) -> Self {
        self.http = Http::Allow;
        self
    }

    /// Checks everything and makes the profile.
    ///
    /// # Errors
    /// [`ProfileError`] for an unusable host or an empty login id.
    pub fn build(self) -> Result<Profile, ProfileError> {
        let origin = Origin::parse(&self.host, self.http)?;
        let mut builder = rfc6749::Builder::at(origin.url(self.api.path()))
            .vendor("bright-pattern")
            .client(self.login_id, self.api_secret)
            .auth_method(AuthMethod::Post)
            .default_lifetime(DEFAULT_LIFETIME)
            .quirk(|q| q.error_envelope = Some(ENVELOPE))
            // The APIs answer an expired or malformed token with a bare 401 (no challenge).
            .retry_on_401(RetryOn401::Any)
            .api_origin(origin.clone());
        builder = match (self.tenant, self.scope) {
            (Some(tenant), scope) => {
                let builder = builder.param("tenant", tenant);
                match scope {
                    Some(scope) => builder.scope(Scope::parse(&scope)?),
                    None => builder,
                }
            }
            (None, Some(scope)) => builder.scope(Scope::parse(&scope)?),
            (None, None) => builder.scope(Scope::new([origin.host()])?),
        };
        if origin.is_http() {
            builder = builder.allow_http();
        }
        builder.build()
    }
}

/// The `{"errorCode":…,"errorMessage":…}` error body: 1 → authentication failed
/// (`invalid_client`), 2 → token expired (`invalid_token`), 12 → rate limited (retryable).
pub const ENVELOPE: ErrorEnvelope = ErrorEnvelope::new("bright-pattern-errorCode", map_envelope);

fn map_envelope(_status: StatusCode, body: &serde_json::Value) -> Option<EnvelopeError> {
    let code = body.get("errorCode")?;
    let number = code.as_i64().or_else(|| code.as_str()?.trim().parse().ok());
    let mut error = EnvelopeError::new().vendor_code(match number {
        Some(n) => n.to_string(),
        // A string code is kept as its text; only other JSON (a float, a bool) is written as JSON.
        None => code.as_str().map_or_else(|| code.to_string(), str::to_owned),
    });
    if let Some(message) = body.get("errorMessage").and_then(serde_json::Value::as_str) {
        error = error.description(message);
    }
    Some(match number {
        Some(1) => error.code(ErrorCode::InvalidClient).retryable(false),
        Some(2) => error.code(ErrorCode::InvalidToken).retryable(false),
        Some(12) => error.code(ErrorCode::Other("rate_limited".into())).retryable(true),
        _ => error,
    })
}
