//! The `token_type` of an access token (RFC 6749 §7.1).

use std::fmt;

/// How an access token is presented to a resource server (RFC 6749 §7.1).
///
/// The value is compared without regard to case, as RFC 6749 §5.1 requires, so `bearer`
/// (as some servers send it) and `BEARER` are both [`TokenType::Bearer`].
///
/// # Examples
/// ```
/// use oauth_core::TokenType;
/// assert_eq!(TokenType::from_name("bearer"), TokenType::Bearer);
/// assert_eq!(TokenType::from_name("mac").as_str(), "mac");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenType {
    /// A bearer token (RFC 6750): the only kind this library presents.
    Bearer,
    /// Any other type, as the server spelled it.
    Other(Box<str>),
}

impl TokenType {
    /// Reads a type name, ignoring case for the types this library knows.
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        if name.eq_ignore_ascii_case("bearer") { Self::Bearer } else { Self::Other(name.into()) }
    }

    /// The canonical name (`Bearer`), or the server's spelling for others.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Bearer => "Bearer",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
