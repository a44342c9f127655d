//! `EncryptionKey`: the 32 bytes a fleet shares to seal its entries, and the keys derived from
//! it for each use (sealing, fingerprints, key names), so no key serves two purposes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// The key every process of a fleet is given to seal and open its entries: 32 random bytes.
/// Make one with `openssl rand -base64 32` (or [`generate`](Self::generate)) and hand it to
/// each process as a secret, like a password.
///
/// It never leaves the process: the store derives a key for sealing (XChaCha20-Poly1305),
/// one for the credential fingerprints and one for key names from it. `Debug` shows nothing of
/// it, and its bytes are wiped when it drops.
///
/// # Examples
/// ```
/// use oauth_redis::{EncryptionKey, KeyError};
/// let key = EncryptionKey::from_base64("q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=")?;
/// assert_eq!(format!("{key:?}"), "EncryptionKey([redacted])");
/// let same = EncryptionKey::from_hex("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")?;
/// assert!(key == same);
///
/// assert_eq!(EncryptionKey::from_base64("c2hvcnQ="), Err(KeyError::Length { found: 5 }));
/// assert_eq!(EncryptionKey::from_hex("not hex"), Err(KeyError::Hex));
/// # Ok::<(), KeyError>(())
/// ```
#[derive(Clone)]
pub struct EncryptionKey {
    bytes: Box<[u8; KEY_LEN]>,
}

/// The length of an [`EncryptionKey`], in bytes.
pub const KEY_LEN: usize = 32;

/// Why text or bytes are not an [`EncryptionKey`]. Never holds the text it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not 32 bytes.
    #[error("an encryption key is 32 bytes, not {found}")]
    Length {
        /// How many bytes there were.
        found: usize,
    },
    /// Not base64 (standard or URL-safe alphabet, padded or not).
    #[error("the encryption key is not base64")]
    Base64,
    /// Not hexadecimal.
    #[error("the encryption key is not hexadecimal")]
    Hex,
    /// The operating system gave no random bytes.
    #[error("the operating system gave no random bytes for a key")]
    Entropy,
}

impl EncryptionKey {
    /// The key made of `bytes` (wipe your copy once this is made).
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self { bytes: Box::new(bytes) }
    }

    /// The key made of `bytes`, which must be 32 long.
    ///
    /// # Errors
    /// [`KeyError::Length`] for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let mut key = Box::new([0_u8; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Length { found: bytes.len() });
        }
        key.copy_from_slice(bytes);
        Ok(Self { bytes: key })
    }

    /// The key written in base64 (`openssl rand -base64 32`): standard or URL-safe alphabet,
    /// with or without padding; whitespace around it (a trailing newline) is ignored.
    ///
    /// # Errors
    /// [`KeyError::Base64`] for text that is not base64, [`KeyError::Length`] when it is not 32
    /// bytes.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .map(Zeroizing::new)
            .ok_or(KeyError::Base64)?;
        Self::from_slice(&decoded)
    }

    /// The key written in hexadecimal (`openssl rand -hex 32`), either case; whitespace
    /// around it is ignored.
    ///
    /// # Errors
    /// [`KeyError::Hex`] for text that is not hexadecimal, [`KeyError::Length`] when it is not
    /// 32 bytes.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim().as_bytes();
        if !text.len().is_multiple_of(2) || !text.iter().all(u8::is_ascii_hexdigit) {
            return Err(KeyError::Hex);
        }
        let mut decoded = Zeroizing::new(Vec::with_capacity(text.len() / 2));
        for pair in text.chunks_exact(2) {
            decoded.push(hex_value(pair[0]) << 4 | hex_value(pair[1]));
        }
        Self::from_slice(&decoded)
    }

    /// A new random key from the operating system: for a single host, or to print once and
    /// distribute (every process of a fleet needs the same key).
    ///
    /// # Errors
    /// [`KeyError::Entropy`] when the operating system gives no random bytes.
    pub fn generate() -> Result<Self, KeyError> {
        let mut key = Box::new([0_u8; KEY_LEN]);
        getrandom::fill(&mut key[..]).map_err(|_| KeyError::Entropy)?;
        Ok(Self { bytes: key })
    }

    /// The key derived from this one for `purpose` (HMAC-SHA-256 as a PRF, a distinct label
    /// per purpose).
    fn derive(&self, purpose: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut mac = hmac(&self.bytes[..]);
        mac.update(b"oauth-redis/1 key for ");
        mac.update(purpose);
        Zeroizing::new(mac.finalize().into_bytes().into())
    }
}

impl PartialEq for EncryptionKey {
    /// Compares in constant time.
    fn eq(&self, other: &Self) -> bool {
        self.bytes.iter().zip(other.bytes.iter()).fold(0_u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl Eq for EncryptionKey {}

impl Drop for EncryptionKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey([redacted])")
    }
}

/// The keys a store works with, each derived from the [`EncryptionKey`] for one purpose.
pub(crate) struct Keys {
    /// XChaCha20-Poly1305's key, for sealed entries.
    pub(crate) seal: Zeroizing<[u8; 32]>,
    /// HMAC-SHA-256's key for credential fingerprints and plaintext entries' tags.
    pub(crate) mac: Zeroizing<[u8; 32]>,
    /// HMAC-SHA-256's key for Redis key names.
    pub(crate) name: Zeroizing<[u8; 32]>,
}

impl Keys {
    pub(crate) fn new(key: &EncryptionKey) -> Self {
        Self { seal: key.derive(b"sealing"), mac: key.derive(b"fingerprints"), name: key.derive(b"key names") }
    }
}

/// HMAC-SHA-256 under `key`.
pub(crate) fn hmac(key: &[u8]) -> Hmac<Sha256> {
    // Invariant: HMAC takes a key of any length.
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length")
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_agree_and_errors_say_why() {
        let bytes: [u8; 32] = std::array::from_fn(|i| u8::try_from(i * 7 % 256).unwrap());
        let key = EncryptionKey::from_bytes(bytes);
        let standard = STANDARD.encode(bytes);
        let url_safe = URL_SAFE_NO_PAD.encode(bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        assert!(EncryptionKey::from_base64(&format!("  {standard}\n")).unwrap() == key);
        assert!(EncryptionKey::from_base64(&url_safe).unwrap() == key);
        assert!(EncryptionKey::from_hex(&hex).unwrap() == key);
        assert!(EncryptionKey::from_hex(&hex.to_lowercase()).unwrap() == key);
        assert!(EncryptionKey::from_slice(&bytes).unwrap() == key);

        assert_eq!(EncryptionKey::from_slice(&bytes[..31]), Err(KeyError::Length { found: 31 }));
        assert_eq!(EncryptionKey::from_base64("!!!!"), Err(KeyError::Base64));
        assert_eq!(EncryptionKey::from_hex(&hex[..62]), Err(KeyError::Length { found: 31 }));
        assert_eq!(EncryptionKey::from_hex("abc"), Err(KeyError::Hex));
        assert_eq!(EncryptionKey::from_hex(&"zz".repeat(32)), Err(KeyError::Hex));
        assert!(EncryptionKey::generate().unwrap() != key);
    }

    #[test]
    fn errors_and_debug_never_hold_the_text() {
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LWlzLXRvby1sb25nLWJ5LWZhcg==";
        let error = EncryptionKey::from_base64(secret).unwrap_err();
        assert!(!format!("{error} {error:?}").contains("c2Vj"));
        let error = EncryptionKey::from_hex("s3cr3t-s3cr3t").unwrap_err();
        assert!(!format!("{error} {error:?}").contains("s3cr3t"));
        let key = EncryptionKey::from_bytes([0xab; 32]);
        assert!(!format!("{key:?}").to_lowercase().contains("ab"));
    }

    #[test]
    fn each_purpose_has_its_own_key() {
        let keys = Keys::new(&EncryptionKey::from_bytes([1; 32]));
        assert_ne!(*keys.seal, *keys.mac);
        assert_ne!(*keys.mac, *keys.name);
        assert_ne!(*keys.seal, [1; 32]);
    }
}
