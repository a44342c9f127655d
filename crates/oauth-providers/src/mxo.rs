//! MXO (Thunderhead ONE / Interaction Studio, now Medallia Experience Orchestration).
//!
//! What the vendor's token page documents (its example answer is kept in this crate's
//! `tests/fixtures/seeds`): client_credentials only; the client id and secret in an
//! `Authorization: Basic` header made from `clientID:clientSecret` as they are (RFC 7617, no
//! form-encoding), base64 without line breaks; the body is just `grant_type=client_credentials`;
//! the answer carries a JWT, `token_type: "bearer"` in lower case, `expires_in: 299` and a
//! `jti`. Tokens live five minutes, so refreshing ahead matters:
//! oauth-core caps the refresh skew at half the lifetime, so a 299 s token is never stale on
//! arrival.
//!
//! # A whole exchange against a canned answer
//! ```
//! use std::time::{Duration, Instant};
//! let profile = oauth_providers::mxo::profile("eu2", "my-client-id", "my-client-secret")?;
//! let config = profile.token_config().expect("MXO exchanges tokens");
//! let (request, pending) = config.build_request()?;
//! assert_eq!(request.headers()["authorization"], "Basic bXktY2xpZW50LWlkOm15LWNsaWVudC1zZWNyZXQ=");
//!
//! // The documented answer (comma restored, token shortened).
//! let sent_at = Instant::now();
//! let answer = http::Response::builder().status(200).header("content-type", "application/json")
//!     .body(r#"{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.vRLRFxiM","token_type":"bearer",
//!               "expires_in":299,"jti":"1a9b1856-40b0-45d8-9758-8d17a81c19a7"}"#)?;
//! let token = pending.finish(&answer, sent_at)?;
//! assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(299)));
//! assert_eq!(token.extras().jti(), Some("1a9b1856-40b0-45d8-9758-8d17a81c19a7"));
//! let api = oauth_providers::mxo::interaction_url(&profile, "ONE-ABC-1234", None)?;
//! assert_eq!(api.host(), Some("eu2.thunderhead.com"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

use http::Uri;
use oauth_core::{AuthMethod, BasicEncoding, ClientSecret, RetryOn401};

use crate::host::{Http, Origin};
use crate::{Profile, ProfileError, rfc6749};

/// The token path on every MXO server.
pub const TOKEN_PATH: &str = "/one/oauth2token";

/// The domain of MXO's named servers: `eu2` → `eu2.thunderhead.com`.
pub const SERVER_DOMAIN: &str = "thunderhead.com";

/// The lifetime assumed if an answer ever lacks `expires_in` (the documented 299 s).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(299);

/// An MXO profile: `server` is a server name (`eu2`, `na5`, `ap1`, …), a host
/// (`eu2.thunderhead.com`), or a base URL for a private host (`https://mxo.internal:8443`).
///
/// # Errors
/// [`ProfileError::InvalidServer`] for a server that is none of those; [`ProfileError::Invalid`]
/// for an empty client id or one with a `:` (raw Basic cannot carry it).
///
/// # Examples
/// ```
/// // The vendor's documented example credentials and header.
/// let profile = oauth_providers::mxo::profile(
///     "eu2", "2e8fec0e-34fb-4851-800e-9989331e55d2", "d7f4484f-9817-4778-9161-6eb06d1f6cf7")?;
/// let (request, _) = profile.token_config().unwrap().build_request()?;
/// assert_eq!(request.uri(), "https://eu2.thunderhead.com/one/oauth2token");
/// assert_eq!(request.headers()["authorization"],
///     "Basic MmU4ZmVjMGUtMzRmYi00ODUxLTgwMGUtOTk4OTMzMWU1NWQyOmQ3ZjQ0ODRmLTk4MTctNDc3OC05MTYxLTZlYjA2ZDFmNmNmNw==");
/// assert_eq!(request.body(), b"grant_type=client_credentials");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn profile(
    server: &str,
    client_id: impl Into<String>,
    client_secret: impl Into<ClientSecret>,
) -> Result<Profile, ProfileError> {
    let origin = server_origin(server)?;
    rfc6749::Builder::at(origin.url(TOKEN_PATH))
        .vendor("mxo")
        .client(client_id, client_secret)
        .auth_method(AuthMethod::Basic(BasicEncoding::Raw))
        .default_lifetime(DEFAULT_LIFETIME)
        // The Datastores API documents 401 for "Invalid OAuth 2.0 token", with no challenge.
        .retry_on_401(RetryOn401::Any)
        .api_origin(origin)
        .build()
}

fn server_origin(server: &str) -> Result<Origin, ProfileError> {
    let name = server.trim();
    let is_label = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if is_label {
        return Origin::parse(&format!("{}.{SERVER_DOMAIN}", name.to_ascii_lowercase()), Http::Refuse);
    }
    // A `user:password@` part goes to the host reader too, which refuses it without repeating it.
    if name.contains(['.', '@']) || name.contains("://") {
        return Origin::parse(name, Http::Refuse);
    }
    Err(ProfileError::InvalidServer { server: server.into() })
}

/// The Interaction API URL: `/one/oauth2/rt/api/2.0/interaction?sk={site_key}[&tid={tid}]`,
/// for `POST`/`PUT` with a JSON body.
///
/// # Errors
/// [`ProfileError::InvalidApiPath`] only if the profile's base cannot carry the path.
///
/// # Examples
/// ```
/// let profile = oauth_providers::mxo::profile("na5", "id", "secret")?;
/// let url = oauth_providers::mxo::interaction_url(&profile, "ONE-ABC-1234", Some("d9f7 e1"))?;
/// assert_eq!(url, "https://na5.thunderhead.com/one/oauth2/rt/api/2.0/interaction?sk=ONE-ABC-1234&tid=d9f7+e1");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn interaction_url(profile: &Profile, site_key: &str, tid: Option<&str>) -> Result<Uri, ProfileError> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("sk", site_key);
    if let Some(tid) = tid {
        query.append_pair("tid", tid);
    }
    profile.api_url(&format!("/one/oauth2/rt/api/2.0/interaction?{}", query.finish()))
}

/// A Datastores API URL: `/datastores/1.0.0/{workspace_id}/{path}`.
///
/// # Errors
/// [`ProfileError::InvalidApiPath`] when `workspace_id` or `path` makes an invalid path.
///
/// # Examples
/// ```
/// let profile = oauth_providers::mxo::profile("eu2", "id", "secret")?;
/// let url = oauth_providers::mxo::datastores_url(&profile, "MTIyMg", "datastores")?;
/// assert_eq!(url, "https://eu2.thunderhead.com/datastores/1.0.0/MTIyMg/datastores");
/// # Ok::<(), oauth_providers::ProfileError>(())
/// ```
pub fn datastores_url(profile: &Profile, workspace_id: &str, path: &str) -> Result<Uri, ProfileError> {
    if workspace_id.is_empty() || matches!(workspace_id, "." | "..") || workspace_id.contains(['/', '?', '#', '%']) {
        return Err(ProfileError::InvalidApiPath { path: workspace_id.into() });
    }
    profile.api_url(&format!("/datastores/1.0.0/{workspace_id}/{}", path.trim_start_matches('/')))
}
