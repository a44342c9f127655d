//! The private key that signs `private_key_jwt` assertions: RS256, ES256 or EdDSA, read from
//! PEM or DER, with an optional `kid`.

use std::fmt;
use std::sync::Arc;

use crate::MisuseError;

/// The smallest RSA modulus accepted for RS256, in bits (RFC 7518 §3.3: "a key of size 2048
/// bits or larger MUST be used").
pub const MIN_RSA_BITS: usize = 2048;

/// A private key that signs `private_key_jwt` client assertions: RS256 (RSA, PKCS#1 v1.5 with
/// SHA-256), ES256 (P-256) or EdDSA (Ed25519), with an optional `kid` for the JWT header.
///
/// [`AssertionKey::from_pem`] reads any of them and picks the algorithm from the key; the
/// per-algorithm constructors refuse a key of another kind. The key is shared between clones
/// and wiped when the last one is dropped; Debug shows only the algorithm and the `kid`.
/// Signing takes no RNG: PKCS#1 v1.5 (with constant-time arithmetic), RFC 6979 ECDSA and
/// Ed25519 are deterministic.
///
/// # Examples
/// ```
/// use oauth_core::AssertionKey;
/// let pem = "-----BEGIN PRIVATE KEY-----
/// MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
/// -----END PRIVATE KEY-----";
/// let key = AssertionKey::from_pem(pem)?.with_kid("key-1");
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

/// Every signing key zeroizes itself on drop.
enum KeyKind {
    Rs256(rsa::pkcs1v15::SigningKey<sha2::Sha256>),
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

/// The PEM label of a PKCS#1 RSA key (`openssl genrsa`, older tools).
const PKCS1_RSA_LABEL: &str = "-----BEGIN RSA PRIVATE KEY-----";

impl AssertionKey {
    /// Any supported key from PEM: PKCS#8 (`-----BEGIN PRIVATE KEY-----`) holding an RSA,
    /// P-256 or Ed25519 key, or PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). The algorithm is
    /// the key's: RS256, ES256 or EdDSA.
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the text is none of these (an encrypted key,
    /// a public key, a certificate, another curve), or an RSA key under [`MIN_RSA_BITS`].
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// let pem = "-----BEGIN PRIVATE KEY-----
    /// MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgP0cUML4rvd2UJ+K4
    /// jRE/D5r75oYORfZtRWjxlclf40ehRANCAATBOi/M8Ng8ehSZJ4mKj5l1s25ZpcAB
    /// 9PpeIX9bTurWmmEtrM08uJX3ufpKItlTqvYWXyzGFvomGaUuqWyhBwqs
    /// -----END PRIVATE KEY-----";
    /// assert_eq!(AssertionKey::from_pem(pem)?.alg(), "ES256");
    /// assert!(AssertionKey::from_pem("-----BEGIN CERTIFICATE-----").is_err());
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    pub fn from_pem(pem: &str) -> Result<Self, MisuseError> {
        let pem = pem.trim();
        if pem.starts_with(PKCS1_RSA_LABEL) {
            return Self::rs256_pkcs1_pem(pem);
        }
        // An RSA key that parses is answered for itself: too small says so.
        if let Ok(key) = <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(pem) {
            return Self::rsa(key);
        }
        Self::es256_pkcs8_pem(pem).or_else(|_| Self::ed25519_pkcs8_pem(pem)).map_err(|_| {
            MisuseError::InvalidAssertionKey {
                expected: "an unencrypted PKCS#8 RSA (2048 bits or more), P-256 or Ed25519 private key, \
                           or a PKCS#1 RSA private key, in PEM",
            }
        })
    }

    /// An RS256 key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) holding an RSA key of
    /// at least [`MIN_RSA_BITS`].
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the text is not such a key, or the key is
    /// smaller.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// assert!(AssertionKey::rs256_pkcs8_pem("not a key").is_err());
    /// ```
    pub fn rs256_pkcs8_pem(pem: &str) -> Result<Self, MisuseError> {
        use rsa::pkcs8::DecodePrivateKey as _;
        let key = rsa::PrivateKey::from_pkcs8_pem(pem.trim())
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#8 RSA key in PEM" })?;
        Self::rsa(key)
    }

    /// An RS256 key from a PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`) of at least
    /// [`MIN_RSA_BITS`].
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the text is not such a key, or the key is
    /// smaller.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// assert!(AssertionKey::rs256_pkcs1_pem("-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----").is_err());
    /// ```
    pub fn rs256_pkcs1_pem(pem: &str) -> Result<Self, MisuseError> {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        let key = rsa::PrivateKey::from_pkcs1_pem(pem.trim())
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#1 RSA key in PEM" })?;
        Self::rsa(key)
    }

    /// An RS256 key from PKCS#8 DER holding an RSA key of at least [`MIN_RSA_BITS`].
    ///
    /// # Errors
    /// [`MisuseError::InvalidAssertionKey`] when the bytes are not such a key, or the key is
    /// smaller.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AssertionKey;
    /// assert!(AssertionKey::rs256_pkcs8_der(&[0x30, 0x00]).is_err());
    /// ```
    pub fn rs256_pkcs8_der(der: &[u8]) -> Result<Self, MisuseError> {
        use rsa::pkcs8::DecodePrivateKey as _;
        let key = rsa::PrivateKey::from_pkcs8_der(der)
            .map_err(|_| MisuseError::InvalidAssertionKey { expected: "a PKCS#8 RSA key in DER" })?;
        Self::rsa(key)
    }

    fn rsa(key: rsa::PrivateKey) -> Result<Self, MisuseError> {
        use rsa::traits::PublicKeyParts as _;
        // The modulus's own bit length (the public modulus: nothing secret is timed).
        if (key.n().as_ref().bit_width_vartime() as usize) < MIN_RSA_BITS {
            return Err(MisuseError::InvalidAssertionKey {
                expected: "an RSA key of 2048 bits or more (RFC 7518 §3.3)",
            });
        }
        Ok(Self::from_kind(KeyKind::Rs256(rsa::pkcs1v15::SigningKey::new(key))))
    }

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

    /// The JWS `alg`: `RS256`, `ES256` or `EdDSA`.
    ///
    /// # Examples
    /// See [`AssertionKey::from_pem`].
    #[must_use]
    pub fn alg(&self) -> &'static str {
        match *self.key {
            KeyKind::Rs256(_) => "RS256",
            KeyKind::Es256(_) => "ES256",
            KeyKind::EdDsa(_) => "EdDSA",
        }
    }

    /// A digest of the private key, standing for it where credentials are compared (the token
    /// cache's and the fleet store's binding): equal for the same key, different otherwise,
    /// and the key cannot be recovered from it.
    pub(crate) fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let mut digest = sha2::Sha256::new();
        digest.update(self.alg().as_bytes());
        let mut private: zeroize::Zeroizing<Vec<u8>> = zeroize::Zeroizing::new(match &*self.key {
            KeyKind::Rs256(key) => {
                use rsa::traits::PrivateKeyParts as _;
                AsRef::<rsa::PrivateKey>::as_ref(key).d().to_be_bytes().into_vec()
            }
            KeyKind::Es256(key) => key.to_bytes().to_vec(),
            KeyKind::EdDsa(key) => key.to_bytes().to_vec(),
        });
        digest.update(private.as_slice());
        zeroize::Zeroize::zeroize(&mut *private);
        digest.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// The JWS signature of `input`.
    pub(super) fn sign(&self, input: &[u8]) -> Vec<u8> {
        match &*self.key {
            KeyKind::Rs256(key) => {
                use rsa::signature::{SignatureEncoding as _, Signer as _};
                // Invariant: PKCS#1 v1.5 signing fails only for a modulus too small for the
                // SHA-256 digest info, and the key was refused under 2048 bits when read.
                key.try_sign(input).expect("a 2048-bit key signs a SHA-256 digest").to_vec()
            }
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
