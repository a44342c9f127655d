//! Public identifiers: the client id and the resource owner's username.

use std::fmt;
use std::sync::Arc;

use crate::MisuseError;

/// A client identifier (RFC 6749 §2.2). Never empty. Cloning is a reference-count increment.
///
/// # Examples
/// ```
/// let id = oauth_core::ClientId::new("2e8fec0e-34fb-4851-800e-9989331e55d2")?;
/// assert_eq!(id.as_str(), "2e8fec0e-34fb-4851-800e-9989331e55d2");
/// assert!(oauth_core::ClientId::new("").is_err());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientId(Arc<str>);

impl ClientId {
    /// Wraps a client id.
    ///
    /// # Errors
    /// [`MisuseError::EmptyClientId`] when `id` is empty.
    pub fn new(id: impl Into<String>) -> Result<Self, MisuseError> {
        let id = id.into();
        if id.is_empty() {
            return Err(MisuseError::EmptyClientId);
        }
        Ok(Self(Arc::from(id)))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientId").field(&&*self.0).finish()
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A resource owner's username, for the password grant (RFC 6749 §4.3.2).
///
/// # Examples
/// ```
/// let user = oauth_core::Username::new("sheila.thomas");
/// assert_eq!(user.as_str(), "sheila.thomas");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Username {
    name: Arc<str>,
    field: &'static str,
}

impl Username {
    /// Wraps a username, sent as RFC 6749 §4.3.2's `username` field.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: Arc::from(name.into()), field: "username" }
    }

    /// The same username, sent under another form field name — for servers whose password
    /// grant names it otherwise (an `email` field, say). It is still the password grant: safe
    /// to replay, and a refused refresh token falls back to it.
    ///
    /// # Examples
    /// ```
    /// let user = oauth_core::Username::new("ana@example.com").sent_as("email");
    /// assert_eq!((user.field(), user.as_str()), ("email", "ana@example.com"));
    /// ```
    #[must_use]
    pub fn sent_as(mut self, field: &'static str) -> Self {
        self.field = field;
        self
    }

    /// The username as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The form field it is sent in (`username` unless [`sent_as`](Self::sent_as) said otherwise).
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Username").field(&&*self.name).finish()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
