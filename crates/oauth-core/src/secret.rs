//! Secret values: redacted when printed, zeroized when dropped, read only through `.secret()`.
//!
//! Every secret type here shares one representation: an `Arc<str>` whose bytes are overwritten
//! with zeros when the last handle is dropped. Cloning a secret clones the handle, not the bytes,
//! so a token served to a thousand callers exists once in memory and is wiped once.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroize;

/// Shared secret text, zeroized when the last handle drops.
#[derive(Clone)]
pub(crate) struct SecretStr(Arc<str>);

impl SecretStr {
    /// Copies `value` into a fresh shared buffer (one allocation).
    pub(crate) fn from_str_copy(value: &str) -> Self {
        Self(Arc::from(value))
    }

    /// Moves `value` into a shared buffer and wipes the original `String`.
    pub(crate) fn from_string(mut value: String) -> Self {
        let secret = Self::from_str_copy(&value);
        value.zeroize();
        secret
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Drop for SecretStr {
    #[inline]
    fn drop(&mut self) {
        // Only the last handle may wipe the bytes; the others still read them. The plain count
        // read first spares every other handle `get_mut`'s compare-and-swap.
        if Arc::strong_count(&self.0) == 1 {
            if let Some(text) = Arc::get_mut(&mut self.0) {
                wipe(text);
            }
        }
    }
}

/// Overwrites `text` with zeros in one pass, then hides the write from the optimiser so it is
/// not removed as a dead store before the free. (`Zeroize` writes a byte at a time with
/// volatile stores, which costs ~0.4 ns a byte: more than parsing the token.)
#[allow(unsafe_code, reason = "the one audited unsafe block of oauth-core; see SAFETY")]
fn wipe(text: &mut str) {
    // SAFETY: every byte becomes 0, and a string of NUL bytes is valid UTF-8, so `text` is a
    // valid `str` again before this borrow ends.
    let bytes = unsafe { text.as_bytes_mut() };
    bytes.fill(0);
    zeroize::optimization_barrier(bytes);
}

/// What every secret prints instead of its value.
pub(crate) const REDACTED: &str = "[redacted]";

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Prints as `[redacted]` with `Debug` and `Display`, is never serialised, and is wiped
        /// from memory when the last clone is dropped. Read the value with
        #[doc = concat!("[`", stringify!($name), "::secret`].")]
        #[derive(Clone)]
        pub struct $name(SecretStr);

        impl $name {
            /// Wraps a secret value, wiping the `String` it was given.
            ///
            /// # Examples
            /// ```
            #[doc = concat!("let value = oauth_core::", stringify!($name), "::new(\"s3cr3t\");")]
            /// assert_eq!(value.secret(), "s3cr3t");
            /// assert!(!format!("{value:?}").contains("s3cr3t"));
            /// ```
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretStr::from_string(value.into()))
            }

            /// The secret value. Every read of a secret goes through this call, so a search
            /// for `.secret()` finds every place one leaves the type.
            #[must_use]
            #[inline]
            pub fn secret(&self) -> &str {
                self.0.expose()
            }

            #[allow(dead_code, reason = "not every secret type is parsed from a response")]
            pub(crate) fn from_borrowed(value: &str) -> Self {
                Self(SecretStr::from_str_copy(value))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(SecretStr::from_str_copy(value))
            }
        }
    };
}

secret_type! {
    /// A client secret issued by the authorization server (RFC 6749 §2.3.1).
    ClientSecret
}
secret_type! {
    /// A resource owner's password, for the password grant (RFC 6749 §4.3).
    Password
}
secret_type! {
    /// A long-lived API key sent as a bearer credential without any token exchange.
    ApiKey
}
secret_type! {
    /// An access token (RFC 6749 §1.4). Cloning is a reference-count increment.
    AccessToken
}
secret_type! {
    /// A refresh token (RFC 6749 §1.5).
    RefreshToken
}
impl AccessToken {
    /// Whether `self` and `other` are handles to the same issued token (not merely equal text):
    /// how a token source tells whether a resource's 401 is about the token it holds now.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{AccessToken, ApiKey};
    /// let issued = AccessToken::new("abc");
    /// assert!(issued.same_as(&issued.clone()));
    /// assert!(!issued.same_as(&AccessToken::new("abc")));
    /// let key = AccessToken::from(ApiKey::new("k3y"));
    /// assert_eq!(key.secret(), "k3y");
    /// ```
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        self.0.ptr_eq(&other.0)
    }
}

/// An API key presented where an access token goes; the bytes are shared, not copied.
impl From<ApiKey> for AccessToken {
    fn from(key: ApiKey) -> Self {
        Self(key.0)
    }
}

secret_type! {
    /// An OpenID Connect ID token returned beside an access token.
    IdToken
}
secret_type! {
    /// A secret value of a grant-extension parameter (an assertion, a device code, …).
    SecretParam
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_zeroes_every_byte_and_leaves_a_valid_str() {
        let mut text = String::from("eyJhbGciOiJSUzI1NiJ9.é.sig");
        wipe(text.as_mut_str());
        assert!(text.bytes().all(|b| b == 0));
        assert_eq!(text.chars().count(), text.len());
    }

    #[test]
    fn only_the_last_handle_wipes() {
        let first = SecretStr::from_str_copy("shared-secret");
        let second = first.clone();
        drop(first);
        assert_eq!(second.expose(), "shared-secret");
    }
}
