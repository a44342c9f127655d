//! The flow's secrets — the authorization code, the PKCE verifier, the nonce — and the loopback
//! redirect URI of RFC 8252.

use super::*;

macro_rules! flow_secret {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Prints as `[redacted]` with `Debug` and `Display`, is never serialised, and is wiped
        /// from memory when the last clone is dropped.
        #[derive(Clone)]
        pub struct $name(SecretStr);

        impl $name {
            /// The secret value. Every read of a secret goes through this call.
            #[must_use]
            pub fn secret(&self) -> &str {
                self.0.expose()
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
    };
}

flow_secret! {
    /// An authorization code (RFC 6749 §1.3.1): single use, short-lived, exchanged once for a
    /// token.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::authorization::AuthorizationCode;
    /// let code = AuthorizationCode::new("SplxlOBeZQQYbYS6WxSbIA");
    /// assert_eq!(code.secret(), "SplxlOBeZQQYbYS6WxSbIA");
    /// assert_eq!(format!("{code:?} {code}"), "AuthorizationCode([redacted]) [redacted]");
    /// ```
    AuthorizationCode
}

impl AuthorizationCode {
    /// Wraps a code, wiping the `String` it was given.
    pub fn new(code: impl Into<String>) -> Self {
        Self(SecretStr::from_string(code.into()))
    }
}

impl From<String> for AuthorizationCode {
    fn from(code: String) -> Self {
        Self::new(code)
    }
}

impl From<&str> for AuthorizationCode {
    fn from(code: &str) -> Self {
        Self(SecretStr::from_str_copy(code))
    }
}

flow_secret! {
    /// A PKCE code verifier (RFC 7636 §4.1): 43 characters of the unreserved set, the unpadded
    /// base64url of 32 bytes of entropy. Only its [`challenge`](Self::challenge) leaves with the
    /// authorization request; the verifier itself goes to the token endpoint.
    ///
    /// # Examples
    /// RFC 7636 Appendix B:
    /// ```
    /// use oauth_core::authorization::PkceVerifier;
    /// let verifier = PkceVerifier::from_entropy(&[
    ///     116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    ///     105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    /// ]);
    /// assert_eq!(verifier.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// assert_eq!(verifier.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// assert_eq!(format!("{verifier:?}"), "PkceVerifier([redacted])");
    /// ```
    PkceVerifier
}

impl PkceVerifier {
    /// The verifier made from 32 bytes of entropy: their unpadded base64url (43 characters).
    #[must_use]
    pub fn from_entropy(entropy: &[u8; VERIFIER_ENTROPY_LEN]) -> Self {
        Self(SecretStr::from_string(URL_SAFE_NO_PAD.encode(entropy)))
    }

    /// The `S256` code challenge (RFC 7636 §4.2): `BASE64URL(SHA-256(verifier))`, unpadded.
    #[must_use]
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret().as_bytes()))
    }
}

flow_secret! {
    /// An OpenID Connect `nonce` (OpenID Connect Core §3.1.2.1): sent with the authorization
    /// request, found again in the ID token, which the caller checks.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::authorization::Nonce;
    /// let nonce = Nonce::from_entropy(&[0xfb; 16]);
    /// assert_eq!(nonce.secret(), "-_v7-_v7-_v7-_v7-_v7-w");
    /// assert_eq!(Nonce::new("n-0S6_WzA2Mj").secret(), "n-0S6_WzA2Mj");
    /// assert_eq!(format!("{nonce:?}"), "Nonce([redacted])");
    /// ```
    Nonce
}

impl Nonce {
    /// Wraps a nonce, wiping the `String` it was given.
    pub fn new(nonce: impl Into<String>) -> Self {
        Self(SecretStr::from_string(nonce.into()))
    }

    /// A nonce made from 16 bytes of entropy: their unpadded base64url (22 characters).
    #[must_use]
    pub fn from_entropy(entropy: &[u8; 16]) -> Self {
        Self(SecretStr::from_string(URL_SAFE_NO_PAD.encode(entropy)))
    }
}

/// The loopback redirect URI of a native app (RFC 8252 §7.3): `http://127.0.0.1:{port}/callback`,
/// where `port` is the one the app's own listener got.
///
/// # Examples
/// ```
/// use std::num::NonZeroU16;
/// let redirect = oauth_core::authorization::loopback_redirect_uri(NonZeroU16::new(51004).unwrap());
/// assert_eq!(redirect.to_string(), "http://127.0.0.1:51004/callback");
/// ```
#[must_use]
pub fn loopback_redirect_uri(port: NonZeroU16) -> EndpointUrl {
    // Invariant: http on 127.0.0.1 with a port from 1 to 65535 is what `EndpointUrl` accepts.
    EndpointUrl::new(&format!("http://127.0.0.1:{port}/callback")).expect("a loopback URL with a non-zero port")
}
