//! `MisuseError`: what the caller asked for cannot be done — never caused by a server's answer.

/// The caller asked for something that cannot be done. Never caused by a server's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MisuseError {
    /// A client id must not be empty.
    #[error("the client id is empty")]
    EmptyClientId,
    /// The token endpoint is not an absolute `http(s)` URL.
    #[error("the token endpoint `{url}` is not an absolute http(s) URL: {reason}")]
    InvalidEndpoint {
        /// The URL as given, with any credentials in it replaced by `[redacted]`.
        url: Box<str>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The token endpoint uses plain `http` on a host that is not loopback.
    #[error(
        "the token endpoint `{url}` uses plain http on a non-loopback host; credentials would travel in clear text (opt out explicitly with `TokenEndpoint::new_allowing_http`)"
    )]
    InsecureEndpoint {
        /// The URL as given, with any credentials in it replaced by `[redacted]`.
        url: Box<str>,
    },
    /// An extra parameter would overwrite one the library sets itself.
    #[error(
        "the extra parameter `{name}` is set by the library (grant type, credentials, client id or scope) and cannot be overridden"
    )]
    ReservedParameter {
        /// The parameter name.
        name: Box<str>,
    },
    /// A scope token breaks RFC 6749 §3.3 (empty, or holds a space, `"`, `\` or a control character).
    #[error("`{token}` is not a valid scope token (RFC 6749 §3.3)")]
    InvalidScopeToken {
        /// The offending token.
        token: Box<str>,
    },
    /// Raw (RFC 7617) Basic authentication cannot carry a client id with a colon.
    #[error(
        "raw Basic authentication cannot carry a client id containing `:` (RFC 7617 §2); use the percent-encoded form or client_secret_post"
    )]
    ColonInRawBasicClientId,
    /// A JWT client-authentication method without what signs its assertion:
    /// `client_secret_jwt` needs a client secret, `private_key_jwt` an [`AssertionKey`](crate::AssertionKey).
    #[error("{method} needs {needs} to sign its client assertion")]
    MissingAssertionSigner {
        /// The method's name (`client_secret_jwt` or `private_key_jwt`).
        method: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// A request built without the time and entropy for a client that authenticates with a
    /// JWT assertion (`client_secret_jwt`, `private_key_jwt`), which must be made fresh for each
    /// request: use the `_at` form of the same call, which takes both.
    #[error(
        "{method} signs a fresh client assertion for each request, which needs the time and new entropy: use `{call_instead}`, which takes both"
    )]
    AssertionNeedsTime {
        /// The method's name (`client_secret_jwt` or `private_key_jwt`).
        method: &'static str,
        /// The call that takes the time and entropy (`TokenEndpoint::build_request_at`, …).
        call_instead: &'static str,
    },
    /// [`ClientAuth::tls`](crate::ClientAuth::tls) with a method that is not mutual TLS.
    #[error("{method} is not a mutual-TLS client authentication method (RFC 8705)")]
    NotTlsClientAuth {
        /// The method's name.
        method: &'static str,
    },
    /// A private key for client assertions could not be read. The reason never quotes the key.
    #[error("the client assertion key could not be read as {expected}")]
    InvalidAssertionKey {
        /// What was expected (`a PKCS#8 P-256 key in PEM`, …).
        expected: &'static str,
    },
    /// A bearer credential is empty or holds characters a header cannot carry.
    #[error("the bearer credential is empty or holds characters an HTTP header cannot carry")]
    InvalidBearerCredential,
    /// A grant-extension `grant_type` is empty or not a URI/name the form can carry.
    #[error("`{grant_type}` is not a usable grant type")]
    InvalidGrantType {
        /// The grant type as given.
        grant_type: Box<str>,
    },
}
