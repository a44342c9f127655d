//! Scope: an ordered set of scope tokens, written space-delimited (RFC 6749 §3.3).

use std::fmt;
use std::str::FromStr;

use crate::MisuseError;

/// An ordered set of scope tokens (RFC 6749 §3.3).
///
/// Tokens keep the order they were first added in; a repeated token is kept once. The set is
/// stored already joined with single spaces, so putting it into a request costs no allocation.
/// Two scopes are equal when they hold the same tokens, whatever their order.
///
/// # Examples
/// ```
/// use oauth_core::Scope;
/// let scope: Scope = "read write read".parse()?;
/// assert_eq!(scope.as_str(), "read write");
/// assert_eq!(scope, Scope::new(["write", "read"])?);
/// assert!(Scope::new(["bad\"quote"]).is_err());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone, Default)]
pub struct Scope {
    joined: String,
}

impl Scope {
    /// The empty scope (nothing is sent).
    #[must_use]
    pub const fn empty() -> Self {
        Self { joined: String::new() }
    }

    /// Builds a scope from tokens, checking each against RFC 6749 §3.3's `scope-token` grammar.
    ///
    /// # Errors
    /// [`MisuseError::InvalidScopeToken`] for an empty token or one with a space, `"`, `\` or a
    /// control character.
    pub fn new<I, S>(tokens: I) -> Result<Self, MisuseError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut scope = Self::empty();
        for token in tokens {
            scope.insert(token.as_ref())?;
        }
        Ok(scope)
    }

    /// Parses a space-delimited scope string, checking every token.
    ///
    /// # Errors
    /// As [`Scope::new`].
    pub fn parse(value: &str) -> Result<Self, MisuseError> {
        Self::new(value.split_ascii_whitespace())
    }

    /// A scope as a server sent it: split on whitespace, tokens kept as they are.
    pub(crate) fn from_server<'a, I>(tokens: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: Clone,
    {
        let tokens = tokens.into_iter();
        let capacity = tokens.clone().map(|t| t.len() + 1).sum();
        let mut scope = Self { joined: String::with_capacity(capacity) };
        for token in tokens {
            for part in token.split_ascii_whitespace() {
                scope.push_unchecked(part);
            }
        }
        scope
    }

    /// A space-delimited scope as a server sent it. The usual answer — single spaces, no
    /// repeats — is copied as it is, in one allocation.
    pub(crate) fn from_server_text(text: &str) -> Self {
        if is_normalised(text) {
            return Self { joined: text.to_owned() };
        }
        Self::from_server([text])
    }

    /// Adds a token; returns `false` when it was already present.
    ///
    /// # Errors
    /// As [`Scope::new`].
    pub fn insert(&mut self, token: &str) -> Result<bool, MisuseError> {
        if !is_scope_token(token) {
            return Err(MisuseError::InvalidScopeToken { token: token.into() });
        }
        Ok(self.push_unchecked(token))
    }

    fn push_unchecked(&mut self, token: &str) -> bool {
        if token.is_empty() || self.contains(token) {
            return false;
        }
        if !self.joined.is_empty() {
            self.joined.push(' ');
        }
        self.joined.push_str(token);
        true
    }

    /// Whether `token` is in the set.
    #[must_use]
    pub fn contains(&self, token: &str) -> bool {
        self.iter().any(|t| t == token)
    }

    /// The tokens in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.joined.split(' ').filter(|t| !t.is_empty())
    }

    /// How many tokens the set holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.joined.is_empty()
    }

    /// The space-delimited form, as sent in a request.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.joined
    }
}

/// Whether `text` is already in stored form: tokens separated by single spaces, no other
/// whitespace, no repeats. One pass over the bytes; up to 16 tokens (more take the slow path).
fn is_normalised(text: &str) -> bool {
    const MAX: usize = 16;
    let bytes = text.as_bytes();
    let mut bounds = [(0usize, 0usize); MAX];
    let mut count = 0;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' {
            if i == start || count == MAX {
                return false; // a leading or double space, or too many tokens to check cheaply
            }
            bounds[count] = (start, i);
            count += 1;
            start = i + 1;
        } else if b.is_ascii_whitespace() {
            return false;
        }
    }
    if start == bytes.len() {
        return bytes.is_empty(); // a trailing space (or nothing at all, which is fine)
    }
    if count == MAX {
        return false;
    }
    bounds[count] = (start, bytes.len());
    count += 1;
    let tokens = &bounds[..count];
    !tokens.iter().enumerate().any(|(i, &(s, e))| tokens[..i].iter().any(|&(s2, e2)| bytes[s..e] == bytes[s2..e2]))
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
fn is_scope_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|t| other.contains(t))
    }
}

impl Eq for Scope {}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Scope").field(&self.joined).finish()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.joined)
    }
}

impl FromStr for Scope {
    type Err = MisuseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.joined)
    }
}

impl<'de> serde::Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_is_normalised_by_either_path() {
        let cases = [
            ("read write", "read write"),
            ("read", "read"),
            ("", ""),
            ("read  write", "read write"),
            (" read write ", "read write"),
            ("read\twrite", "read write"),
            ("read write read", "read write"),
            ("tenant.example.com", "tenant.example.com"),
        ];
        for (sent, kept) in cases {
            assert_eq!(Scope::from_server_text(sent).as_str(), kept, "{sent:?}");
        }
    }
}
