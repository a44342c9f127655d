//! Reading what a user types for a host: `example.com`, `example.com:9001`, or a base URL.
//!
//! The text is parsed once, into an [`Origin`]; the token URL and the API base are built from
//! its parts, so no host is formatted back into text and read again.

use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};
use oauth_core::{MisuseError, TokenEndpoint};

use crate::ProfileError;

/// Whether plain `http` may be used for a non-loopback host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Http {
    Refuse,
    Allow,
}

/// A checked origin: scheme and authority, no path, no query, no credentials.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    scheme: Scheme,
    authority: Authority,
}

impl Origin {
    /// Reads `host`, `host:port`, or `http(s)://host[:port][/]`. A bare host means https.
    pub(crate) fn parse(input: &str, http: Http) -> Result<Self, ProfileError> {
        let invalid = |reason| ProfileError::InvalidHost { host: input.into(), reason };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        // Checked on the text, before parsing: a password holding `/`, `?` or `#` ends the authority early, so the
        // parsed authority would not show the `@` and the error would repeat the password.
        if trimmed.contains('@') {
            return Err(ProfileError::InvalidHost { host: "[redacted]".into(), reason: "it carries credentials" });
        }
        // The URI parser would drop a fragment silently.
        if trimmed.contains('#') {
            return Err(invalid("it has a fragment; give the host only"));
        }
        let uri: Uri = if trimmed.contains("://") { trimmed.parse() } else { format!("https://{trimmed}").parse() }
            .map_err(|_| invalid("it is not a host name, host:port, or base URL"))?;
        let has_path = !matches!(uri.path(), "" | "/") || uri.query().is_some();
        let mut parts = uri.into_parts();
        parts.path_and_query = Some(PathAndQuery::from_static("/"));
        let base = Uri::from_parts(parts).map_err(|_| invalid("it has no host"))?;
        // The scheme and authority are held to oauth-core's rules for a token URL, so the two
        // checks cannot drift apart (`http` alone reads `:9oo1` as no port at all).
        match TokenEndpoint::from_uri_allowing_http(base.clone()) {
            Ok(_) => {}
            Err(MisuseError::InvalidEndpoint { reason, .. }) => return Err(invalid(reason)),
            Err(other) => return Err(other.into()),
        }
        if has_path {
            return Err(invalid("it has a path or query; give the host only"));
        }
        let (Some(scheme), Some(authority)) = (base.scheme().cloned(), base.authority().cloned()) else {
            return Err(invalid("it has no host"));
        };
        if scheme == Scheme::HTTP && http == Http::Refuse && !oauth_core::is_loopback(authority.host()) {
            return Err(ProfileError::InsecureHttp { url: trimmed.into() });
        }
        Ok(Self { scheme, authority })
    }

    /// The host without the port.
    pub(crate) fn host(&self) -> &str {
        self.authority.host()
    }

    /// `scheme://authority/`.
    pub(crate) fn base(&self) -> Uri {
        self.url("/")
    }

    /// `scheme://authority` + `path`, where `path` is one of this crate's constants.
    pub(crate) fn url(&self, path: &'static str) -> Uri {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        // Invariant: every path passed here is a literal of this crate, valid as a path (the
        // vendor modules' tests build each one).
        parts.path_and_query = Some(PathAndQuery::from_static(path));
        // Invariant: a scheme, an authority and a path always make a URI (`from_parts` fails
        // only for a scheme without an authority, or an authority without a path).
        Uri::from_parts(parts).expect("scheme, authority and path make a URI")
    }

    pub(crate) fn is_http(&self) -> bool {
        self.scheme == Scheme::HTTP
    }
}
