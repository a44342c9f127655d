//! Reading what a user types for a host: `example.com`, `example.com:9001`, or a base URL.

use http::Uri;
use http::uri::{Authority, Scheme};

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
        let with_scheme = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{trimmed}") };
        let uri: Uri = with_scheme.parse().map_err(|_| invalid("it is not a host name, host:port, or base URL"))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| invalid("it has no scheme"))?;
        if scheme != Scheme::HTTPS && scheme != Scheme::HTTP {
            return Err(invalid("the scheme is not http or https"));
        }
        let authority = uri.authority().cloned().ok_or_else(|| invalid("it has no host"))?;
        if authority.host().is_empty() {
            return Err(invalid("it has no host"));
        }
        // The authority (host, port) is held to oauth-core's rules for a token URL, so the two
        // checks cannot drift apart (`http` alone reads `:9oo1` as no port at all).
        if let Err(oauth_core::MisuseError::InvalidEndpoint { reason, .. }) =
            oauth_core::TokenEndpoint::new_allowing_http(&format!("{scheme}://{authority}/"))
        {
            return Err(invalid(reason));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(invalid("it has a path or query; give the host only"));
        }
        if scheme == Scheme::HTTP && http == Http::Refuse && !oauth_core::is_loopback(authority.host()) {
            return Err(invalid("plain http is allowed only for loopback hosts unless explicitly allowed"));
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

    /// `scheme://authority` + `path`, where `path` is a fixed, valid path of ours.
    pub(crate) fn url(&self, path: &str) -> Uri {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        // Invariant: every path passed here is a literal of this crate, valid as a path.
        parts.path_and_query = Some(path.parse().expect("a literal path"));
        Uri::from_parts(parts).expect("scheme, authority and path make a URI")
    }

    /// The token URL as text, for `TokenEndpoint`.
    pub(crate) fn url_string(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.authority, path)
    }

    pub(crate) fn is_http(&self) -> bool {
        self.scheme == Scheme::HTTP
    }
}
