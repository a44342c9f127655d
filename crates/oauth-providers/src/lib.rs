//! OAuth 2.0 vendor profiles as data: MXO, CloudCX, Bright Pattern, and plain RFC 6749.
//!
//! Each vendor is a small module that turns what its users know — a server name, a domain, a
//! tenant host, credentials — into oauth-core values: the token endpoint with its quirks, the
//! client authentication the vendor wants, the grant and its extra parameters, and the vendor's
//! error envelope. The result is a [`Profile`], which also knows the vendor's API base so a host
//! is typed once.
//!
//! ```
//! use oauth_providers::{bright_pattern, cloudcx, mxo};
//! let mxo = mxo::profile("eu2", "2e8fec0e-34fb-4851-800e-9989331e55d2", "d7f4484f-9817-4778-9161-6eb06d1f6cf7")?;
//! let cx = cloudcx::password("cx.cloudfon.net:9001", "2603", "6d62", "agent", "pa55")?;
//! let key = cloudcx::api_key("cx.cloudfon.net:9001", "cx-api-key")?;
//! let bp = bright_pattern::profile("example.brightpattern.com", "sheila.thomas", "qkDwDJ")?;
//! assert_eq!(bp.token_config().unwrap().endpoint().uri(),
//!     "https://example.brightpattern.com/configapi/v2/oauth/token");
//! # Ok::<(), oauth_providers::ProfileError>(())
//! ```
//!
//! # What this crate does not do
//! No I/O, no clock, no async: it only builds values. Sending requests, caching and refreshing
//! tokens is oauth-token-source's job; reading answers is oauth-core's, with the quirks set here.

pub mod bright_pattern;
pub mod cloudcx;
mod host;
pub mod mxo;
mod profile;
pub mod rfc6749;

pub use profile::Profile;

/// A profile could not be made from what was given.
///
/// # Examples
/// ```
/// use oauth_providers::{ProfileError, mxo, rfc6749};
/// let insecure = rfc6749::client_credentials("http://as.example/token", "app", "s3cr3t").unwrap_err();
/// assert!(matches!(insecure, ProfileError::InsecureHttp { .. }), "plain http to a remote host");
/// assert!(insecure.to_string().contains("allow_http()"), "names the switch a profile user holds");
/// let unknown = mxo::profile("not a server!", "id", "secret").unwrap_err();
/// assert!(matches!(unknown, ProfileError::InvalidServer { .. }));
/// assert!(unknown.to_string().contains("not an MXO server name"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A value oauth-core refuses (an empty client id, an insecure endpoint, a reserved
    /// parameter, …).
    #[error(transparent)]
    Invalid(oauth_core::MisuseError),
    /// Plain `http` to a host that is not loopback: credentials would travel in clear text.
    #[error(
        "`{url}` uses plain http on a host that is not loopback, so credentials would travel in clear text; to allow it anyway, make the profile with its builder and call `allow_http()` on it"
    )]
    InsecureHttp {
        /// The URL or host as given (credentials in it replaced).
        url: Box<str>,
    },
    /// A host, `host:port` or base URL that cannot be used.
    #[error("`{host}` is not a usable host: {reason}")]
    InvalidHost {
        /// The input, as given (credentials in it replaced).
        host: Box<str>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An MXO server that is neither a server name (`eu2`) nor a host or base URL.
    #[error("`{server}` is not an MXO server name (like `eu2`, `na5`, `ap1`), host, or base URL")]
    InvalidServer {
        /// The input, as given.
        server: Box<str>,
    },
    /// A token URL for a profile that exchanges no tokens (an API key).
    #[error("this profile uses an API key and has no token endpoint to change")]
    NoTokenExchange,
    /// An API path that does not start with `/` or is not a valid path and query.
    #[error("`{path}` is not an absolute API path (it must start with `/`)")]
    InvalidApiPath {
        /// The input, as given.
        path: Box<str>,
    },
}

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
