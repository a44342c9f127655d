//! JWT client authentication (RFC 7523 §2.2; OpenID Connect Core §9 `client_secret_jwt`,
//! `private_key_jwt`): the signed assertion a token request carries instead of a secret.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::MisuseError;

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid after its `iat`, in seconds.
pub const ASSERTION_LIFETIME_SECS: u64 = 60;

/// A private key that signs `private_key_jwt` client assertions: ES256 (P-256) or EdDSA
/// (Ed25519), read from PKCS#8, with an optional `kid` for the JWT header.
///
/// The key is shared between clones and wiped when the last one is dropped; Debug shows only
/// the algorithm and the `kid`.
///
/// # Examples
/// ```
/// use oauth_core::AssertionKey;
/// let pem = "-----BEGIN PRIVATE KEY-----
/// MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
/// -----END PRIVATE KEY-----";
/// let key = AssertionKey::ed25519_pkcs8_pem(pem)?.with_kid("key-1");
/// assert_eq!(key.alg(), "EdDSA");
/// assert_eq!(key.kid(), Some("key-1"));
/// assert_eq!(format!("{key:?}"), r#"AssertionKey { alg: "EdDSA", kid: Some("key-1") }"#);
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone)]
pub struct AssertionKey {
    key: Arc<KeyKind>,
    kid: Option<Arc<str>>,
}

/// Both signing keys zeroize themselves on drop.
enum KeyKind {
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

impl AssertionKey {
    /// An ES256 key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) holding a P-256 key.
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the text is not such a key.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// let pem = "-----BEGIN PRIVATE KEY-----
    /// MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgP0cUML4rvd2UJ+K4
    /// jRE/D5r75oYORfZtRWjxlclf40ehRANCAATBOi/M8Ng8ehSZJ4mKj5l1s25ZpcAB
    /// 9PpeIX9bTurWmmEtrM08uJX3ufpKItlTqvYWXyzGFvomGaUuqWyhBwqs
    /// -----END PRIVATE KEY-----";
    /// assert_eq!(AssertionKey::es256_pkcs8_pem(pem)?.alg(), "ES256");
    /// assert!(AssertionKey::es256_pkcs8_pem("not a key").is_err());
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    pub fn es256_pkcs8_pem(pem: &str) -> Result<Self, MisuseError> {
        use p256::pkcs8::DecodePrivateKey as _;
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(pem.trim())
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#8 P-256 key in PEM" })?;
        Ok(Self::from_kind(KeyKind::Es256(key)))
    }

    /// An ES256 key from PKCS#8 DER holding a P-256 key.
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the bytes are not such a key.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// assert!(AssertionKey::es256_pkcs8_der(&[0x30, 0x00]).is_err());
    /// ```
    pub fn es256_pkcs8_der(der: &[u8]) -> Result<Self, MisuseError> {
        use p256::pkcs8::DecodePrivateKey as _;
        let key = p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#8 P-256 key in DER" })?;
        Ok(Self::from_kind(KeyKind::Es256(key)))
    }

    /// An EdDSA key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) holding an Ed25519 key.
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the text is not such a key.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// let pem = "-----BEGIN PRIVATE KEY-----
    /// MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
    /// -----END PRIVATE KEY-----";
    /// assert_eq!(AssertionKey::ed25519_pkcs8_pem(pem)?.alg(), "EdDSA");
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    pub fn ed25519_pkcs8_pem(pem: &str) -> Result<Self, MisuseError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim())
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#8 Ed25519 key in PEM" })?;
        Ok(Self::from_kind(KeyKind::EdDsa(key)))
    }

    /// An EdDSA key from PKCS#8 DER holding an Ed25519 key.
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the bytes are not such a key.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// assert!(AssertionKey::ed25519_pkcs8_der(b"").is_err());
    /// ```
    pub fn ed25519_pkcs8_der(der: &[u8]) -> Result<Self, MisuseError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let key = ed25519_dalek::SigningKey::from_pkcs8_der(der)
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#8 Ed25519 key in DER" })?;
        Ok(Self::from_kind(KeyKind::EdDsa(key)))
    }

    fn from_kind(kind: KeyKind) -> Self {
        Self { key: Arc::new(kind), kid: None }
    }

    /// The same key, naming itself `kid` in the JWT header (the id the server knows it by,
    /// in the client's registered JWK Set).
    ///
    /// # Examples
    /// ```
    /// # use oauth_core::AssertionKey;
    /// # let pem = "-----BEGIN PRIVATE KEY-----
    /// # MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
    /// # -----END PRIVATE KEY-----";
    /// let key = AssertionKey::ed25519_pkcs8_pem(pem)?;
    /// assert_eq!(key.kid(), None);
    /// assert_eq!(key.with_kid("k").kid(), Some("k"));
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(Arc::from(kid.into()));
        self
    }

    /// The `kid`, when set.
    ///
    /// # Examples
    /// See [`AssertionKey::with_kid`].
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWS `alg`: `ES256` or `EdDSA`.
    ///
    /// # Examples
    /// See [`AssertionKey::es256_pkcs8_pem`].
    #[must_use]
    pub fn alg(&self) -> &'static str {
        match *self.key {
            KeyKind::Es256(_) => "ES256",
            KeyKind::EdDsa(_) => "EdDSA",
        }
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        match &*self.key {
            KeyKind::Es256(key) => {
                use p256::ecdsa::signature::Signer as _;
                let signature: p256::ecdsa::Signature = key.sign(input);
                signature.to_bytes().to_vec()
            }
            KeyKind::EdDsa(key) => {
                use ed25519_dalek::Signer as _;
                key.sign(input).to_bytes().to_vec()
            }
        }
    }
}

impl fmt::Debug for AssertionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssertionKey").field("alg", &self.alg()).field("kid", &self.kid()).finish()
    }
}

/// What signs an assertion: the client secret (HS256) or a private key.
#[derive(Clone, Copy)]
pub(crate) enum Signer<'a> {
    Hs256(&'a [u8]),
    Key(&'a AssertionKey),
}

#[derive(serde::Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: u64,
    exp: u64,
}

/// A signed client assertion (compact JWS): `iss` = `sub` = `client_id`, `aud` = `audience`,
/// `iat` = `now` in whole seconds, `exp` 60 s later, `jti` the base64url of `jti_entropy`.
pub(crate) fn sign_assertion(
    signer: Signer<'_>,
    client_id: &str,
    audience: &str,
    now: SystemTime,
    jti_entropy: [u8; 16],
) -> String {
    let (alg, kid) = match signer {
        Signer::Hs256(_) => ("HS256", None),
        Signer::Key(key) => (key.alg(), key.kid()),
    };
    let iat = now.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let jti = URL_SAFE_NO_PAD.encode(jti_entropy);
    let claims = Claims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        jti: &jti,
        iat,
        exp: iat.saturating_add(ASSERTION_LIFETIME_SECS),
    };
    // Invariant: two structs of strings and integers always serialize.
    let header = serde_json::to_vec(&Header { alg, typ: "JWT", kid }).expect("a JWT header serializes");
    let claims = serde_json::to_vec(&claims).expect("JWT claims serialize");
    let mut jwt = URL_SAFE_NO_PAD.encode(header);
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut jwt);
    let signature = match signer {
        Signer::Hs256(secret) => {
            use hmac::{KeyInit as _, Mac as _};
            // Invariant: HMAC takes a key of any length.
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
            mac.update(jwt.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Signer::Key(key) => key.sign(jwt.as_bytes()),
    };
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);
    jwt
}
