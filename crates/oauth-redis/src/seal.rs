//! An entry as the bytes stored under its Redis key, and back: sealed with XChaCha20-Poly1305
//! (the default) or, by a named opt-in, in plaintext under an HMAC tag. Both forms carry a keyed
//! fingerprint of the credentials and are bound to the key name they were written under; what
//! does not open, verify and decode is `None`, never an error.
//!
//! Sealed: `oauth-redis:1:sealed:` ‖ nonce (24 random bytes) ‖ ciphertext and tag of
//! (kind ‖ fingerprint ‖ record), with the prefix and the key name as associated data.
//!
//! Plaintext: `oauth-redis:1:plain:{kind}:{fingerprint}:{tag}:{record}`, the fingerprint and tag
//! in unpadded base64url, the record as oauth-core encodes it (JSON, tokens included: that is
//! what the opt-in is for). The tag is an HMAC over the key name and every other field.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hmac::Mac;
use oauth_core::{CredentialBinding, RefusalRecord, TokenRecord};
use oauth_token_source::SharedEntry;
use zeroize::Zeroizing;

use crate::key::{Keys, hmac};

const SEALED: &[u8] = b"oauth-redis:1:sealed:";
const PLAIN: &[u8] = b"oauth-redis:1:plain:";
const NONCE_LEN: usize = 24;
const FINGERPRINT_LEN: usize = 32;

/// How entries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sealing {
    /// XChaCha20-Poly1305.
    Sealed,
    /// Readable with `GET`, authenticated by an HMAC tag.
    Plaintext,
}

/// What kind of entry a value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Token,
    Refusal,
}

impl Kind {
    fn of(entry: &SharedEntry) -> Option<Self> {
        match entry {
            SharedEntry::Token(_) => Some(Self::Token),
            SharedEntry::Refused(_) => Some(Self::Refusal),
            _ => None,
        }
    }

    fn byte(self) -> u8 {
        match self {
            Self::Token => b'T',
            Self::Refusal => b'R',
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Refusal => "refusal",
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        [Self::Token, Self::Refusal].into_iter().find(|k| k.byte() == byte)
    }

    fn from_name(name: &[u8]) -> Option<Self> {
        [Self::Token, Self::Refusal].into_iter().find(|k| k.name().as_bytes() == name)
    }
}

/// The keyed fingerprint of `binding`: HMAC-SHA-256 over each secret's name and value,
/// length-prefixed. Without the key it tells nothing about the secrets.
pub(crate) fn fingerprint(keys: &Keys, binding: &CredentialBinding) -> [u8; FINGERPRINT_LEN] {
    let mut mac = hmac(&keys.mac[..]);
    mac.update(b"oauth-redis/1 credential binding");
    for (name, secret) in binding.secrets() {
        for field in [name, secret] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
    }
    mac.finalize().into_bytes().into()
}

/// The value to store for `entry` under the key named `redis_key`; `None` for an entry kind this
/// version does not know (nothing is written).
pub(crate) fn seal(
    keys: &Keys,
    sealing: Sealing,
    redis_key: &str,
    binding: &CredentialBinding,
    entry: &SharedEntry,
) -> Option<Zeroizing<Vec<u8>>> {
    let kind = Kind::of(entry)?;
    let record = match entry {
        SharedEntry::Token(record) => record.encode(),
        SharedEntry::Refused(refusal) => Zeroizing::new(refusal.encode()),
        _ => return None,
    };
    let fingerprint = fingerprint(keys, binding);
    Some(match sealing {
        Sealing::Sealed => {
            let mut body = Zeroizing::new(Vec::with_capacity(1 + FINGERPRINT_LEN + record.len() + 16));
            body.push(kind.byte());
            body.extend_from_slice(&fingerprint);
            body.extend_from_slice(&record);
            let mut nonce = [0_u8; NONCE_LEN];
            // Without randomness nothing is sealed; the store writes nothing and says so.
            getrandom::fill(&mut nonce).ok()?;
            cipher(keys).encrypt_in_place(&XNonce::from(nonce), &associated_data(redis_key), &mut *body).ok()?;
            let mut value = Vec::with_capacity(SEALED.len() + NONCE_LEN + body.len());
            value.extend_from_slice(SEALED);
            value.extend_from_slice(&nonce);
            value.extend_from_slice(&body);
            Zeroizing::new(value)
        }
        Sealing::Plaintext => {
            let fingerprint = URL_SAFE_NO_PAD.encode(fingerprint);
            let tag = URL_SAFE_NO_PAD.encode(plain_tag(keys, redis_key, kind, fingerprint.as_bytes(), &record));
            let mut value = Zeroizing::new(Vec::with_capacity(PLAIN.len() + 100 + record.len()));
            for part in [PLAIN, kind.name().as_bytes(), b":", fingerprint.as_bytes(), b":", tag.as_bytes(), b":"] {
                value.extend_from_slice(part);
            }
            value.extend_from_slice(&record);
            value
        }
    })
}

/// The entry in `value`, read under the key named `redis_key`, if it opens with these keys,
/// was written under that name, decodes, and is bound to `binding`; `None` otherwise.
pub(crate) fn open(keys: &Keys, redis_key: &str, binding: &CredentialBinding, value: &[u8]) -> Option<SharedEntry> {
    let (kind, stored_fingerprint, record) = if let Some(rest) = value.strip_prefix(SEALED) {
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let mut body = Zeroizing::new(sealed.to_vec());
        let nonce = XNonce::try_from(nonce).ok()?;
        cipher(keys).decrypt_in_place(&nonce, &associated_data(redis_key), &mut *body).ok()?;
        if body.len() < 1 + FINGERPRINT_LEN {
            return None;
        }
        let kind = Kind::from_byte(body[0])?;
        let fingerprint = body[1..=FINGERPRINT_LEN].to_vec();
        let record = Zeroizing::new(body[1 + FINGERPRINT_LEN..].to_vec());
        (kind, fingerprint, record)
    } else if let Some(rest) = value.strip_prefix(PLAIN) {
        let mut fields = rest.splitn(4, |&b| b == b':');
        let (kind, fingerprint, tag, record) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
        let kind = Kind::from_name(kind)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        plain_mac(keys, redis_key, kind, fingerprint, record).verify_slice(&tag).ok()?;
        (kind, URL_SAFE_NO_PAD.decode(fingerprint).ok()?, Zeroizing::new(record.to_vec()))
    } else {
        return None;
    };
    let mut ours = hmac(&keys.mac[..]);
    ours.update(b"oauth-redis/1 fingerprint check");
    ours.update(&fingerprint(keys, binding));
    let mut theirs = hmac(&keys.mac[..]);
    theirs.update(b"oauth-redis/1 fingerprint check");
    theirs.update(&stored_fingerprint);
    // Compared as HMACs of each, so the comparison takes the same time wherever they differ.
    theirs.verify(&ours.finalize().into_bytes()).ok()?;
    match kind {
        Kind::Token => TokenRecord::decode(&record).ok().map(SharedEntry::Token),
        Kind::Refusal => RefusalRecord::decode(&record).ok().map(SharedEntry::Refused),
    }
}

fn cipher(keys: &Keys) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&(*keys.seal).into())
}

/// What a sealed value is bound to: the format and the key name it was written under.
fn associated_data(redis_key: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(SEALED.len() + 8 + redis_key.len());
    data.extend_from_slice(SEALED);
    data.extend_from_slice(&(redis_key.len() as u64).to_be_bytes());
    data.extend_from_slice(redis_key.as_bytes());
    data
}

fn plain_mac(keys: &Keys, redis_key: &str, kind: Kind, fingerprint: &[u8], record: &[u8]) -> hmac::Hmac<sha2::Sha256> {
    let mut mac = hmac(&keys.mac[..]);
    mac.update(PLAIN);
    for field in [redis_key.as_bytes(), kind.name().as_bytes(), fingerprint, record] {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field);
    }
    mac
}

fn plain_tag(keys: &Keys, redis_key: &str, kind: Kind, fingerprint: &[u8], record: &[u8]) -> [u8; 32] {
    plain_mac(keys, redis_key, kind, fingerprint, record).finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant, UNIX_EPOCH};

    use oauth_core::{
        AccessToken, ClientAuth, ClientId, ClientSecret, ErrorCode, Grant, RefreshToken, ServerError, Token,
        TokenConfig, TokenEndpoint, TokenError, TokenRequest,
    };

    use super::*;
    use crate::EncryptionKey;

    fn binding(secret: &str) -> CredentialBinding {
        TokenConfig::new(
            TokenEndpoint::new("https://as.example/token").unwrap(),
            ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new(secret)),
            TokenRequest::new(Grant::ClientCredentials),
        )
        .binding()
    }

    fn token_entry() -> SharedEntry {
        let now = Instant::now();
        let token = Token::bearer(AccessToken::new("at-canary-1"))
            .with_lifetime(now, Duration::from_secs(299))
            .with_refresh_token(RefreshToken::new("rt-canary-1"));
        SharedEntry::Token(TokenRecord::of(&token, now, UNIX_EPOCH + Duration::from_secs(1_800_000_000)))
    }

    fn refusal_entry() -> SharedEntry {
        let mut error = ServerError::new(http::StatusCode::UNAUTHORIZED);
        error.code = Some(ErrorCode::InvalidClient);
        SharedEntry::Refused(RefusalRecord::of(&TokenError::Server(Box::new(error))).unwrap())
    }

    fn keys(byte: u8) -> Keys {
        Keys::new(&EncryptionKey::from_bytes([byte; 32]))
    }

    fn access_token(entry: Option<SharedEntry>) -> Option<String> {
        match entry? {
            SharedEntry::Token(record) => Some(record.access_token().secret().to_owned()),
            _ => None,
        }
    }

    #[test]
    fn both_forms_round_trip_both_kinds() {
        let (keys, binding) = (keys(1), binding("s3cr3t-canary"));
        for sealing in [Sealing::Sealed, Sealing::Plaintext] {
            let value = seal(&keys, sealing, "oauth:token:k", &binding, &token_entry()).unwrap();
            let entry = open(&keys, "oauth:token:k", &binding, &value);
            assert_eq!(access_token(entry).as_deref(), Some("at-canary-1"), "{sealing:?}");
            let value = seal(&keys, sealing, "oauth:token:k", &binding, &refusal_entry()).unwrap();
            let Some(SharedEntry::Refused(refusal)) = open(&keys, "oauth:token:k", &binding, &value) else {
                panic!("{sealing:?}: the refusal did not come back")
            };
            assert_eq!(refusal.into_error().code(), Some(&ErrorCode::InvalidClient));
        }
    }

    #[test]
    fn a_sealed_value_hides_everything_and_nonces_differ() {
        let (keys, binding) = (keys(1), binding("s3cr3t-canary"));
        let one = seal(&keys, Sealing::Sealed, "k", &binding, &token_entry()).unwrap();
        let two = seal(&keys, Sealing::Sealed, "k", &binding, &token_entry()).unwrap();
        assert_ne!(*one, *two, "a fresh nonce per write");
        let text = String::from_utf8_lossy(&one);
        for canary in ["at-canary", "rt-canary", "s3cr3t-canary", "Bearer"] {
            assert!(!text.contains(canary), "{canary} in a sealed value");
        }
    }

    #[test]
    fn a_plaintext_value_shows_the_token_but_no_credential() {
        let (keys, binding) = (keys(1), binding("s3cr3t-canary"));
        let value = seal(&keys, Sealing::Plaintext, "k", &binding, &token_entry()).unwrap();
        let text = std::str::from_utf8(&value).unwrap();
        assert!(text.starts_with("oauth-redis:1:plain:token:"), "{text}");
        assert!(text.contains("at-canary-1"));
        assert!(!text.contains("s3cr3t-canary"));
    }

    #[test]
    fn anything_else_is_none() {
        let (keys1, binding1) = (keys(1), binding("s3cr3t-canary"));
        for sealing in [Sealing::Sealed, Sealing::Plaintext] {
            let value = seal(&keys1, sealing, "k", &binding1, &token_entry()).unwrap();
            assert!(open(&keys1, "k", &binding1, &value).is_some());
            assert!(open(&keys(2), "k", &binding1, &value).is_none(), "{sealing:?}: another key");
            assert!(open(&keys1, "k2", &binding1, &value).is_none(), "{sealing:?}: another key name");
            assert!(open(&keys1, "k", &binding("other"), &value).is_none(), "{sealing:?}: other credentials");
            for at in [0, PLAIN.len() + 2, value.len() / 2, value.len() - 1] {
                let mut tampered = value.to_vec();
                tampered[at] ^= 0x01;
                assert!(open(&keys1, "k", &binding1, &tampered).is_none(), "{sealing:?}: byte {at} flipped");
            }
            for cut in [0, 5, SEALED.len(), SEALED.len() + NONCE_LEN, value.len() - 1] {
                assert!(open(&keys1, "k", &binding1, &value[..cut]).is_none(), "{sealing:?}: cut at {cut}");
            }
        }
        for garbage in [&b""[..], b"hello", b"oauth-redis:1:sealed:", b"oauth-redis:1:plain:token:::", b"\xff\xfe"] {
            assert!(open(&keys1, "k", &binding1, garbage).is_none());
        }
        let mut other_version = seal(&keys1, Sealing::Sealed, "k", &binding1, &token_entry()).unwrap().to_vec();
        other_version[12] = b'2';
        assert!(open(&keys1, "k", &binding1, &other_version).is_none());
    }

    #[test]
    fn a_plaintext_value_with_an_edited_record_is_refused() {
        let (keys, binding) = (keys(1), binding("s3cr3t-canary"));
        let value = seal(&keys, Sealing::Plaintext, "k", &binding, &token_entry()).unwrap();
        let edited = std::str::from_utf8(&value).unwrap().replace("at-canary-1", "at-forged-1");
        assert!(open(&keys, "k", &binding, edited.as_bytes()).is_none());
    }
}
