//! Presenting a token to a resource server (RFC 6750 §2.1).

use http::HeaderValue;

use crate::{AccessToken, ApiKey, MisuseError};

/// Builds `Authorization: Bearer <credential>` for a header, marked sensitive so HTTP stacks
/// and loggers that honour the flag leave it out.
///
/// # Errors
/// [`MisuseError::InvalidBearerCredential`] when the credential holds characters a header
/// cannot carry (a token parsed by this crate never does).
///
/// # Examples
/// ```
/// use oauth_core::{AccessToken, bearer_header};
/// let header = bearer_header(&AccessToken::new("mF_9.B5f-4.1JqM"))?;
/// assert_eq!(header, "Bearer mF_9.B5f-4.1JqM");
/// assert!(header.is_sensitive());
/// assert!(bearer_header(&AccessToken::new("two\nlines")).is_err());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
pub fn bearer_header(credential: &impl BearerCredential) -> Result<HeaderValue, MisuseError> {
    let secret = credential.bearer_secret();
    if secret.is_empty() || !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(MisuseError::InvalidBearerCredential);
    }
    let mut text = String::with_capacity(7 + secret.len());
    text.push_str("Bearer ");
    text.push_str(secret);
    // Invariant: "Bearer " plus visible ASCII (checked above) is a valid header value.
    let mut value = HeaderValue::from_str(&text).map_err(|_| MisuseError::InvalidBearerCredential)?;
    value.set_sensitive(true);
    Ok(value)
}

/// A secret that can be presented as a bearer credential: an access token, or an API key that
/// a vendor accepts in its place.
pub trait BearerCredential {
    /// The secret text to present.
    fn bearer_secret(&self) -> &str;
}

impl BearerCredential for AccessToken {
    fn bearer_secret(&self) -> &str {
        self.secret()
    }
}

impl BearerCredential for ApiKey {
    fn bearer_secret(&self) -> &str {
        self.secret()
    }
}
