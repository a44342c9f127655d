//! The token endpoint: a checked URL and the quirks of the server behind it.

use http::Uri;

use crate::{MisuseError, Quirks};

/// A token endpoint URL, checked once, with the [`Quirks`] its answers are read with.
///
/// The URL must be absolute `https`, or `http` on a loopback host (`localhost`, `127.0.0.0/8`,
/// `[::1]`); anything else over plain `http` needs [`TokenEndpoint::new_allowing_http`].
///
/// # Examples
/// ```
/// use oauth_core::TokenEndpoint;
/// let endpoint = TokenEndpoint::new("https://as.example.com/one/oauth2token")?;
/// assert_eq!(endpoint.uri().path(), "/one/oauth2token");
/// assert!(TokenEndpoint::new("http://example.com/token").is_err());
/// assert!(TokenEndpoint::new("http://127.0.0.1:8080/token").is_ok());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEndpoint {
    uri: Uri,
    quirks: Quirks,
}

impl TokenEndpoint {
    /// Checks `url`: absolute, `https` (or `http` on loopback), no credentials in it.
    /// Answers are read with [`Quirks::lenient`].
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`] or [`MisuseError::InsecureEndpoint`].
    pub fn new(url: &str) -> Result<Self, MisuseError> {
        let uri = parse(url)?;
        if uri.scheme_str() == Some("http") && !is_loopback(uri.host().unwrap_or_default()) {
            return Err(MisuseError::InsecureEndpoint { url: shown(url) });
        }
        Ok(Self { uri, quirks: Quirks::lenient() })
    }

    /// As [`TokenEndpoint::new`], but plain `http` is accepted on any host. Credentials and
    /// tokens then cross the network readable by anyone on the path: use it only where the
    /// network itself is trusted (a vendor that documents `http` on a private host).
    ///
    /// # Errors
    /// [`MisuseError::InvalidEndpoint`].
    pub fn new_allowing_http(url: &str) -> Result<Self, MisuseError> {
        Ok(Self { uri: parse(url)?, quirks: Quirks::lenient() })
    }

    /// Replaces the quirks.
    #[must_use]
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// The URL.
    #[must_use]
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The quirks answers are read with.
    #[must_use]
    pub fn quirks(&self) -> &Quirks {
        &self.quirks
    }

    /// The quirks, to change one.
    pub fn quirks_mut(&mut self) -> &mut Quirks {
        &mut self.quirks
    }
}

fn parse(url: &str) -> Result<Uri, MisuseError> {
    let invalid = |reason| MisuseError::InvalidEndpoint { url: shown(url), reason };
    if url.contains('#') {
        return Err(invalid("it has a fragment"));
    }
    let uri: Uri = url.parse().map_err(|_| invalid("it does not parse as a URL"))?;
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
    Ok(uri)
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

/// Whether `host` names this machine: `localhost` (and its subdomains, RFC 6761 §6.3), an
/// address in 127.0.0.0/8, or `::1`.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if bare.contains(':') { is_ipv6_loopback(bare) } else { is_ipv4_loopback(bare) }
}

/// `127.a.b.c` with decimal octets (the crate reads no sockets, so it parses addresses itself).
fn is_ipv4_loopback(host: &str) -> bool {
    let mut octets = 0;
    for part in host.split('.') {
        octets += 1;
        let ok = !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit());
        if !ok || part.parse::<u16>().map_or(true, |n| n > 255) || (octets == 1 && part != "127") {
            return false;
        }
    }
    octets == 4
}

/// `::1` in any of its spellings (`0:0:0:0:0:0:0:1`, `0::1`, …).
fn is_ipv6_loopback(host: &str) -> bool {
    let groups = |s: &str| -> Option<Vec<u16>> {
        if s.is_empty() {
            return Some(Vec::new());
        }
        s.split(':')
            .map(|g| (!g.is_empty() && g.len() <= 4).then(|| u16::from_str_radix(g, 16).ok()).flatten())
            .collect()
    };
    let all = match host.split_once("::") {
        Some((head, tail)) => {
            let (Some(head), Some(tail)) = (groups(head), groups(tail)) else { return false };
            if head.len() + tail.len() > 7 {
                return false;
            }
            let mut all = head;
            all.resize(8 - tail.len(), 0);
            all.extend(tail);
            all
        }
        None => match groups(host) {
            Some(all) if all.len() == 8 => all,
            _ => return false,
        },
    };
    all[..7].iter().all(|g| *g == 0) && all[7] == 1
}
