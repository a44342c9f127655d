//! CloudCX (Cloudfon "CX Control Panel").
//!
//! What the vendor's token and API pages document (their example answers are kept in this
//! crate's `tests/fixtures/seeds`): the password grant at
//! `https://{domain}[:port]/oauth/token` with `client_id`, `client_secret`, `username` and
//! `password` in the form body (an older page's Postman steps say `email` instead of `username`:
//! [`UsernameField::Email`]); refresh tokens at the same URL; or an API key sent as
//! `Authorization: Bearer {key}` with no exchange. API answers are wrapped in
//! `{"code":"0000","message":…,"data":…}`, where any code but `"0000"` is an error, even on
//! HTTP 200.
//!
//! # A whole exchange against canned answers
//! ```
//! use std::time::Instant;
//! use oauth_providers::cloudcx::{self, Page, User};
//! let profile = cloudcx::password("cx.cloudfon.net:9001", "2603906344917928318148", "6d624c35", "si", "pw")?;
//! let (request, pending) = profile.token_config().expect("a token exchange").build_request()?;
//! assert_eq!(request.uri(), "https://cx.cloudfon.net:9001/oauth/token");
//!
//! let sent_at = Instant::now();
//! let answer = http::Response::builder().status(200).header("content-type", "application/json")
//!     .body(r#"{"access_token":"eyJraWQiOiJiM2Y1OWZ9.e30.nWRKxWBN","token_type":"Bearer","expires_in":3599}"#)?;
//! let token = pending.finish(&answer, sent_at)?;
//! let header = oauth_core::bearer_header(token.access_token())?;
//!
//! // An API call on the same host, and its envelope.
//! let url = cloudcx::user_page_url(&profile, 1, 25, Some("si"))?;
//! assert_eq!(url.authority().unwrap(), "cx.cloudfon.net:9001");
//! let body = br#"{"code":"0000","message":null,"data":{"totalPages":1,"totalElements":1,"size":25,
//!   "number":0,"numberOfElements":1,"content":[{"id":"75d86d40","loginCode":"freesiaTest","roles":["Admin","Agents"]}]}}"#;
//! let page: Page<User> = cloudcx::read_envelope(http::StatusCode::OK, body)?;
//! assert_eq!(page.content[0].roles, ["Admin", "Agents"]);
//! # let _ = header;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod api;

use http::{StatusCode, Uri};
use oauth_core::{
    Access, ApiKey, AuthMethod, ClientSecret, EnvelopeError, ErrorCode, ErrorEnvelope, Grant, Password, RetryOn401,
};

use self::api::code_text;
pub use self::api::{ApiError, Envelope, Page, SUCCESS_CODE, User, read_envelope};
use crate::host::{Http, Origin};
use crate::{Profile, ProfileError, rfc6749};

/// The token path.
pub const TOKEN_PATH: &str = "/oauth/token";

/// The name of the username field in the password grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UsernameField {
    /// `username`, as the current cURL example sends it (RFC 6749 §4.3.2).
    #[default]
    Username,
    /// `email`, as the older Postman steps send it.
    Email,
}

/// A password-grant profile with the current documentation's field names.
///
/// `domain` is the Control Panel's host with its port if any (`cx.cloudfon.net:9001`), or a
/// base URL.
///
/// # Errors
/// [`ProfileError`] for an unusable domain or an empty client id.
///
/// # Examples
/// ```
/// let profile = oauth_providers::cloudcx::password("cx.cloudfon.net:9001", "2603", "6d62", "si", "A1 b")?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.uri(), "https://cx.cloudfon.net:9001/oauth/token");
/// assert_eq!(request.body(),
///     b"grant_type=password&client_id=2603&client_secret=6d62&username=si&password=A1+b");
/// assert!(request.headers().get("authorization").is_none());
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn password(
    domain: &str,
    client_id: impl Into<String>,
    client_secret: impl Into<ClientSecret>,
    username: impl Into<String>,
    password: impl Into<Password>,
) -> Result<Profile, ProfileError> {
    PasswordProfile::new(domain, client_id, client_secret, username, password).build()
}

/// A password-grant profile with settings: the username field's name, plain http.
///
/// # Examples
/// ```
/// use oauth_providers::cloudcx::{PasswordProfile, UsernameField};
/// let profile = PasswordProfile::new("cx.cloudcx.net", "2603", "6d62", "ana@example.com", "pw")
///     .username_field(UsernameField::Email)
///     .build()?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.body(),
///     b"grant_type=password&client_id=2603&client_secret=6d62&email=ana%40example.com&password=pw");
///
/// // The older Postman steps exactly: `email`, no client secret.
/// let postman = PasswordProfile::new("cx.cloudcx.net", "2603", "", "ana@example.com", "pw")
///     .username_field(UsernameField::Email)
///     .omit_client_secret()
///     .build()?;
/// let (request, _) = postman.token_config().unwrap().build_request()?;
/// assert_eq!(request.body(), b"grant_type=password&client_id=2603&email=ana%40example.com&password=pw");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `build` to get the profile"]
pub struct PasswordProfile {
    domain: String,
    client_id: String,
    client_secret: ClientSecret,
    username: String,
    password: Password,
    field: UsernameField,
    send_secret: bool,
    http: Http,
}

impl PasswordProfile {
    /// The documented password grant.
    pub fn new(
        domain: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<ClientSecret>,
        username: impl Into<String>,
        password: impl Into<Password>,
    ) -> Self {
        Self {
            domain: domain.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            username: username.into(),
            password: password.into(),
            field: UsernameField::Username,
            send_secret: true,
            http: Http::Refuse,
        }
    }

    /// Names the username field.
    pub fn username_field(mut self, field: UsernameField) -> Self {
        self.field = field;
        self
    }

    /// Sends only `client_id`, no `client_secret`, as the older Postman steps do (for OAuth
    /// clients set up without a secret).
    pub fn omit_client_secret(mut self) -> Self {
        self.send_secret = false;
        self
    }

    /// Accepts plain `http` on a non-loopback host (a trusted private network only).
    pub fn allow_http(mut self) -> Self {
        self.http = Http::Allow;
        self
    }

    /// Checks everything and makes the profile.
    ///
    /// # Errors
    /// [`ProfileError`] for an unusable domain or an empty client id.
    pub fn build(self) -> Result<Profile, ProfileError> {
        let origin = Origin::parse(&self.domain, self.http)?;
        // Both spellings are the password grant (safe to replay; what a refused refresh token
        // falls back to); only the field the username travels in differs.
        let username = match self.field {
            UsernameField::Username => oauth_core::Username::new(self.username),
            UsernameField::Email => oauth_core::Username::new(self.username).sent_as("email"),
        };
        let grant = Grant::Password { username, password: self.password };
        let mut builder = rfc6749::Builder::at(origin.url(TOKEN_PATH))
            .vendor("cloudcx")
            .client(self.client_id, self.client_secret)
            .auth_method(if self.send_secret { AuthMethod::Post } else { AuthMethod::None })
            .grant(grant)
            .quirk(|q| q.error_envelope = Some(ENVELOPE))
            // Undocumented: whether the APIs send a challenge. One retry on any 401 costs at most
            // one token request, and a dead token is never kept.
            .retry_on_401(RetryOn401::Any)
            .api_origin(origin.clone());
        if origin.is_http() {
            builder = builder.allow_http();
        }
        builder.build()
    }
}

/// An API-key profile: no token exchange; every API call carries `Authorization: Bearer {key}`.
/// Treat the key like a password (the vendor's own warning).
///
/// # Errors
/// [`ProfileError`] for an unusable domain, or [`ProfileError::Invalid`] for a key an HTTP
/// header cannot carry.
///
/// # Examples
/// ```
/// let profile = oauth_providers::cloudcx::api_key("cloudcx.cloudfon.net", "k3y-123")?;
/// let header = profile.access().static_header().unwrap()?;
/// assert_eq!(header, "Bearer k3y-123");
/// assert!(header.is_sensitive());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn api_key(domain: &str, key: impl Into<ApiKey>) -> Result<Profile, ProfileError> {
    let origin = Origin::parse(domain, Http::Refuse)?;
    let key = key.into();
    oauth_core::bearer_header(&key)?;
    Ok(Profile::new("cloudcx", Access::from(key), origin.base()))
}

/// The token endpoint's reading of the envelope: a body with a `code` other than `"0000"` is
/// an error, whatever the status.
pub const ENVELOPE: ErrorEnvelope = ErrorEnvelope::new("cloudcx-code", map_envelope);

fn map_envelope(status: StatusCode, body: &serde_json::Value) -> Option<EnvelopeError> {
    let code = code_text(body.get("code")?)?;
    if code == SUCCESS_CODE {
        return None;
    }
    let mut error = EnvelopeError::new().vendor_code(code.as_str());
    if let Some(message) = body.get("message").and_then(serde_json::Value::as_str) {
        error = error.description(message);
    }
    if status == StatusCode::UNAUTHORIZED {
        error = error.code(ErrorCode::InvalidClient);
    }
    Some(error)
}

/// The user-list URL: `/openapi/v2/user/page?pageIndex={page_index}&pageSize={page_size}[&keywords=]`.
/// `page_index` counts from 1.
///
/// # Errors
/// [`ProfileError::InvalidApiPath`] only if the profile's base cannot carry the path.
///
/// # Examples
/// ```
/// let profile = oauth_providers::cloudcx::api_key("cloudcx.cloudfon.net", "k")?;
/// let url = oauth_providers::cloudcx::user_page_url(&profile, 1, 25, Some("si"))?;
/// assert_eq!(url, "https://cloudcx.cloudfon.net/openapi/v2/user/page?pageIndex=1&pageSize=25&keywords=si");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn user_page_url(
    profile: &Profile,
    page_index: u32,
    page_size: u32,
    keywords: Option<&str>,
) -> Result<Uri, ProfileError> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("pageIndex", &page_index.to_string()).append_pair("pageSize", &page_size.to_string());
    if let Some(keywords) = keywords {
        query.append_pair("keywords", keywords);
    }
    profile.api_url(&format!("/openapi/v2/user/page?{}", query.finish()))
}
