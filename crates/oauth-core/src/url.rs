//! `EndpointUrl`: every URL the library sends credentials or tokens to — token, revocation,
//! introspection, authorization endpoints, a discovered issuer's — checked once by one rule:
//! absolute `https`, or `http` on a loopback host, or plain `http` anywhere only through the
//! named opt-out; no credentials in it, no fragment, a valid port.

use core::net::{IpAddr, Ipv6Addr};

use http::Uri;

use crate::MisuseError;

/// A checked endpoint URL.
///
/// # Examples
/// ```
/// use oauth_core::EndpointUrl;
/// let url = EndpointUrl::new("https://as.example.com/oauth2/revoke")?;
/// assert_eq!(url.uri().path(), "/oauth2/revoke");
/// assert!(EndpointUrl::new("http://as.example.com/revoke").is_err());
/// assert!(EndpointUrl::new("http://127.0.0.1:8080/revoke").is_ok());
/// assert!(EndpointUrl::new_allowing_http("http://as.internal/revoke").is_ok());
/// assert!(EndpointUrl::new("https://user:pw@as.example/t").unwrap_err().to_string().contains("[redacted]@"));
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EndpointUrl(Uri);

impl EndpointUrl {
    /// Checks `url`: absolute, `https` (or `http` on loopback), no credentials in it.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`] or [`MisuseError::InsecureEndpoint`].
    pub fn new(url: &str) -> Result<Self, MisuseError> {
        let uri = parse(url)?;
        refuse_http_off_loopback(&uri, || shown(url))?;
        Ok(Self(uri))
    }

    /// As [`new`](Self::new), for a URL already parsed: its parts are checked, its text is
    /// not read again.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`] or [`MisuseError::InsecureEndpoint`].
    pub fn from_uri(uri: Uri) -> Result<Self, MisuseError> {
        check(&uri, || shown(&uri.to_string()))?;
        refuse_http_off_loopback(&uri, || shown(&uri.to_string()))?;
        Ok(Self(uri))
    }

    /// As [`new`](Self::new), but plain `http` is accepted on any host. Credentials and
    /// tokens then cross the network readable by anyone on the path: only where the network
    /// itself is trusted.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`].
    pub fn new_allowing_http(url: &str) -> Result<Self, MisuseError> {
        Ok(Self(parse(url)?))
    }

    /// As [`from_uri`](Self::from_uri), but plain `http` is accepted on any host.
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`].
    pub fn from_uri_allowing_http(uri: Uri) -> Result<Self, MisuseError> {
        check(&uri, || shown(&uri.to_string()))?;
        Ok(Self(uri))
    }

    /// The URL.
    #[must_use]
    pub fn uri(&self) -> &Uri {
        &self.0
    }

    /// The URL, owned.
    #[must_use]
    pub fn into_uri(self) -> Uri {
        self.0
    }

    /// Whether it is plain `http` (on loopback, or through the opt-out).
    #[must_use]
    pub fn is_http(&self) -> bool {
        self.0.scheme_str() == Some("http")
    }
}

impl std::fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// Reads `url` and checks it (see [`check`]); errors repeat `url`, credentials hidden.
fn parse(url: &str) -> Result<Uri, MisuseError> {
    let invalid = |reason| MisuseError::InvalidEndpoint { url: shown(url), reason };
    // `http` drops a fragment silently; it is refused while the text still shows it.
    if url.contains('#') {
        return Err(invalid("it has a fragment"));
    }
    let uri: Uri = url.parse().map_err(|_| invalid("it does not parse as a URL"))?;
    check(&uri, || shown(url))?;
    Ok(uri)
}

/// Plain `http` is refused unless the host is loopback.
fn refuse_http_off_loopback(uri: &Uri, shown: impl Fn() -> Box<str>) -> Result<(), MisuseError> {
    if uri.scheme_str() == Some("http") && !is_loopback(uri.host().unwrap_or_default()) {
        return Err(MisuseError::InsecureEndpoint { url: shown() });
    }
    Ok(())
}

/// Absolute `http(s)`, a host, no credentials, a port from 1 to 65535 if any. `shown` gives
/// the URL as an error may repeat it.
fn check(uri: &Uri, shown: impl Fn() -> Box<str>) -> Result<(), MisuseError> {
    let invalid = |reason| MisuseError::InvalidEndpoint { url: shown(), reason };
    match uri.scheme_str() {
        Some("https" | "http") => {}
        Some(_) => return Err(invalid("the scheme is not http or https")),
        None => return Err(invalid("it is not absolute")),
    }
    let authority = uri.authority().ok_or_else(|| invalid("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("it carries credentials; pass them as client authentication instead"));
    }
    if authority.host().is_empty() {
        return Err(invalid("it has no host"));
    }
    if port_text(authority.as_str()).is_some_and(|port| port.parse::<u16>().is_err() || port == "0") {
        return Err(invalid("its port is not a number from 1 to 65535"));
    }
    Ok(())
}

/// `url` as an error may repeat it: a `user:password@` part replaced by `[redacted]@`.
///
/// Everything up to the last `@` goes, wherever it is: a password may hold `/`, `?` or `#`
/// unescaped, and a URL too broken to parse still must not repeat it.
fn shown(url: &str) -> Box<str> {
    let is_scheme = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    let start = url.find("://").filter(|&i| is_scheme(&url[..i])).map_or(0, |i| i + 3);
    match url.rfind('@') {
        Some(at) if at >= start => format!("{}{}{}", &url[..start], crate::secret::REDACTED, &url[at..]).into(),
        _ => url.into(),
    }
}

/// The text after the host's `:`, if any (`http` reads an unparsable port as no port at all).
fn port_text(authority: &str) -> Option<&str> {
    let after_host = match authority.strip_prefix('[') {
        Some(rest) => &rest[rest.find(']')? + 1..],
        None => authority,
    };
    after_host.rfind(':').map(|colon| &after_host[colon + 1..])
}

/// Whether `host` names this machine: `localhost` (and its subdomains, RFC 6761 §6.3), an IPv4
/// address in 127.0.0.0/8, or the IPv6 loopback `::1` in any spelling, bracketed as in a URI
/// (`[::1]`) or bare, also written as an IPv4-mapped address (`[::ffff:127.0.0.1]`).
///
/// Addresses are read with [`core::net`]'s parsers, which read text only: no name is resolved
/// and nothing is opened. So `127.0.0.1.example.com` is a name, not loopback, and an address in
/// an unusual form (`127.1`, `0x7f.0.0.1`, leading zeros) is not read as one.
///
/// # Examples
/// ```
/// use oauth_core::is_loopback;
/// for host in ["localhost", "api.localhost", "127.0.0.1", "127.9.8.7", "[::1]", "[0:0:0:0:0:0:0:1]", "::1"] {
///     assert!(is_loopback(host), "{host}");
/// }
/// for host in ["example.com", "128.0.0.1", "127.0.0.1.example.com", "[::2]", "localhost.example.com", "127.1"] {
///     assert!(!is_loopback(host), "{host}");
/// }
/// ```
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let is_localhost = |name: &str| name.eq_ignore_ascii_case("localhost");
    if is_localhost(host) || host.rsplit_once('.').is_some_and(|(_, last)| is_localhost(last)) {
        return true;
    }
    // A URI writes an IPv6 address in brackets (RFC 3986 §3.2.2), and only an IPv6 address.
    let address = match host.strip_prefix('[') {
        Some(rest) => rest.strip_suffix(']').and_then(|inner| inner.parse::<Ipv6Addr>().ok()).map(IpAddr::V6),
        None => host.parse::<IpAddr>().ok(),
    };
    address.is_some_and(|address| address.to_canonical().is_loopback())
}
