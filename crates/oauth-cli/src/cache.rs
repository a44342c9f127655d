//! The token cache between invocations: scripts call `oauth token` in loops, and an MXO token
//! lives 299 s.
//!
//! One file per token identity (token URL, client id, grant and user, scope) under the platform's cache
//! dir (or `OAUTH_CACHE_DIR`), mode 0600 in a 0700 dir, named by a hash of those. An entry is
//! bound to the credentials that obtained it by a keyed fingerprint — HMAC-SHA-256 under a
//! random key kept beside the entries (0600), over a per-entry salt and the secrets — so a
//! changed or wrong secret misses, while the file shows nothing that would let anyone test a
//! guess at the secret without that key. Anything unreadable, foreign or corrupt is a miss,
//! never an error.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use oauth_core::{AuthMethod, BasicEncoding, CredentialBinding, TokenIdentity, TokenRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cache directory and the key fingerprints are made with.
pub(crate) struct Cache {
    dir: PathBuf,
    key: [u8; 32],
}

/// What identifies the token an entry holds (oauth-core's identity of the configuration: token
/// URL, client, grant and user, scope, parameters), and the credentials that obtained it.
#[derive(Clone, Copy)]
pub(crate) struct Identity<'a> {
    pub(crate) token: &'a TokenIdentity,
    pub(crate) binding: &'a CredentialBinding,
}

/// A lookup's result; a miss says why, for `-v`.
pub(crate) enum Lookup {
    /// The token, and the client-authentication method that obtained it.
    Hit(TokenRecord, Option<AuthMethod>),
    Miss(&'static str),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    v: u8,
    /// The entry's name again: a file copied or renamed to another name is foreign.
    name: String,
    salt: String,
    fingerprint: String,
    /// The client-authentication method that worked, so the next run starts with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auth: Option<String>,
    record: Box<serde_json::value::RawValue>,
}

const VERSION: u8 = 1;
const FINGERPRINT_CONTEXT: &[u8] = b"oauth-stack token cache credential fingerprint v1";

impl Cache {
    /// The cache at `OAUTH_CACHE_DIR` or the platform's cache dir; `Err` (for `-v`) when there
    /// is none or it cannot be set up: the command then runs without a cache.
    pub(crate) fn open() -> Result<Self, String> {
        let dir = match std::env::var_os("OAUTH_CACHE_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::cache_dir().ok_or("no cache directory on this platform")?.join("oauth-stack").join("tokens"),
        };
        create_private_dir(&dir).map_err(|e| format!("cannot create the cache dir {}: {e}", dir.display()))?;
        let key = load_or_create_key(&dir.join("key"))?;
        Ok(Self { dir, key })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// The entry for `identity`, if it is there, well-formed, and obtained with these secrets.
    pub(crate) fn load(&self, identity: &Identity<'_>) -> Lookup {
        let name = entry_name(identity);
        let Ok(bytes) = fs::read(self.path(&name)) else { return Lookup::Miss("no cached token") };
        let Ok(entry) = serde_json::from_slice::<Entry>(&bytes) else {
            return Lookup::Miss("cache entry unreadable; ignored");
        };
        if entry.v != VERSION || entry.name != name {
            return Lookup::Miss("cache entry foreign; ignored");
        }
        let (Some(salt), Some(fingerprint)) = (from_hex(&entry.salt), from_hex(&entry.fingerprint)) else {
            return Lookup::Miss("cache entry unreadable; ignored");
        };
        if self.mac(&salt, identity.binding).verify_slice(&fingerprint).is_err() {
            return Lookup::Miss("cached token was obtained with other credentials; ignored");
        }
        match TokenRecord::decode(entry.record.get().as_bytes()) {
            Ok(record) => Lookup::Hit(record, entry.auth.as_deref().and_then(auth_from_name)),
            Err(_) => Lookup::Miss("cache entry unreadable; ignored"),
        }
    }

    /// Writes the entry for `identity` (replacing the file whole, so a reader never sees half).
    pub(crate) fn store(
        &self,
        identity: &Identity<'_>,
        record: &TokenRecord,
        auth: Option<AuthMethod>,
    ) -> Result<(), String> {
        let name = entry_name(identity);
        let mut salt = [0_u8; 16];
        getrandom::fill(&mut salt).map_err(|e| format!("no randomness for the cache: {e}"))?;
        let fingerprint = self.mac(&salt, identity.binding).finalize().into_bytes();
        let encoded = record.encode();
        let record = std::str::from_utf8(&encoded).map_err(|_| "a record is JSON text".to_owned())?;
        let record = serde_json::value::RawValue::from_string(record.to_owned()).map_err(|e| e.to_string())?;
        let entry = Entry {
            v: VERSION,
            name: name.clone(),
            salt: to_hex(&salt),
            fingerprint: to_hex(&fingerprint),
            auth: auth.map(|method| auth_name(method).to_owned()),
            record,
        };
        let bytes = zeroize::Zeroizing::new(serde_json::to_vec(&entry).map_err(|e| e.to_string())?);
        write_private(&self.path(&name), &bytes).map_err(|e| format!("cannot write the cache entry: {e}"))
    }

    /// Removes the entry for `identity` (a token the server refused).
    pub(crate) fn forget(&self, identity: &Identity<'_>) {
        let _ = fs::remove_file(self.path(&entry_name(identity)));
    }

    fn mac(&self, salt: &[u8], binding: &CredentialBinding) -> Hmac<Sha256> {
        // Invariant: HMAC takes a key of any length.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(FINGERPRINT_CONTEXT);
        mac.update(salt);
        for (name, secret) in binding.secrets() {
            for field in [name, secret] {
                mac.update(&(field.len() as u64).to_le_bytes());
                mac.update(field.as_bytes());
            }
        }
        mac
    }
}

fn auth_name(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::Basic(BasicEncoding::Raw) => "raw-basic",
        AuthMethod::Basic(_) => "basic",
        AuthMethod::Post => "post",
        _ => "none",
    }
}

fn auth_from_name(name: &str) -> Option<AuthMethod> {
    Some(match name {
        "raw-basic" => AuthMethod::Basic(BasicEncoding::Raw),
        "basic" => AuthMethod::Basic(BasicEncoding::Percent),
        "post" => AuthMethod::Post,
        "none" => AuthMethod::None,
        _ => return None,
    })
}

/// The file name: a hash of the identifying fields, each length-prefixed so no two sets of
/// fields make the same input. No secret goes in.
fn entry_name(identity: &Identity<'_>) -> String {
    let mut hash = Sha256::new();
    for field in identity.token.parts() {
        hash.update((field.len() as u64).to_le_bytes());
        hash.update(field.as_bytes());
    }
    to_hex(&hash.finalize()[..16])
}

fn load_or_create_key(path: &Path) -> Result<[u8; 32], String> {
    if let Ok(bytes) = fs::read(path) {
        if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(key);
        }
    }
    // No key, or not one of ours: a new key (old entries then miss, which is safe).
    let mut key = [0_u8; 32];
    getrandom::fill(&mut key).map_err(|e| format!("no randomness for the cache key: {e}"))?;
    write_private(path, &key).map_err(|e| format!("cannot write the cache key {}: {e}", path.display()))?;
    // Two commands racing to make the key: whichever rename landed last wins; read it back.
    match fs::read(path).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok()) {
        Some(key) => Ok(key),
        None => Err(format!("the cache key {} is unreadable", path.display())),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes `bytes` to a fresh owner-only file beside `path`, then renames it over `path`.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut nonce = [0_u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let temporary = path.with_extension(format!("tmp-{}", to_hex(&nonce)));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = fs::remove_file(&temporary);
            Err(error)
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant, SystemTime};

    use oauth_core::{AccessToken, Token, TokenConfig};

    use super::*;

    fn cache(dir: &Path) -> Cache {
        create_private_dir(dir).unwrap();
        Cache { dir: dir.to_path_buf(), key: load_or_create_key(&dir.join("key")).unwrap() }
    }

    fn record() -> TokenRecord {
        let now = Instant::now();
        let token = Token::bearer(AccessToken::new("cached-at")).with_lifetime(now, Duration::from_secs(299));
        TokenRecord::of(&token, now, SystemTime::now())
    }

    fn config(scope: &str, secret: &str) -> TokenConfig {
        oauth_providers::rfc6749::Builder::new("https://as.example/token")
            .client("app", secret)
            .scope(oauth_core::Scope::parse(scope).unwrap())
            .build()
            .unwrap()
            .token_config()
            .unwrap()
            .clone()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("oauth-cli-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn an_entry_is_served_only_to_the_credentials_that_obtained_it() {
        let dir = temp_dir("bound");
        let cache = cache(&dir);
        let (right, wrong) = (config("", "s3cr3t"), config("", "wrong"));
        let (token, binding) = (right.identity(), right.binding());
        let identity = Identity { token: &token, binding: &binding };
        cache.store(&identity, &record(), None).unwrap();
        assert!(matches!(cache.load(&identity), Lookup::Hit(r, None) if r.access_token().secret() == "cached-at"));
        cache.store(&identity, &record(), Some(AuthMethod::Post)).unwrap();
        assert!(
            matches!(cache.load(&identity), Lookup::Hit(_, Some(AuthMethod::Post))),
            "the learned method comes back"
        );

        let wrong_binding = wrong.binding();
        let other = Identity { binding: &wrong_binding, ..identity };
        assert!(matches!(cache.load(&other), Lookup::Miss(reason) if reason.contains("other credentials")));

        // The file holds neither the secret nor an unkeyed hash of it.
        let file = fs::read_to_string(cache.path(&entry_name(&identity))).unwrap();
        assert!(!file.contains("s3cr3t"));
        assert!(!file.contains(&to_hex(&Sha256::digest(b"s3cr3t"))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(cache.path(&entry_name(&identity))).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn corrupt_foreign_and_other_scope_entries_miss() {
        let dir = temp_dir("corrupt");
        let cache = cache(&dir);
        let (read, write) = (config("read", "s"), config("write", "s"));
        let (read_token, read_binding, write_token) = (read.identity(), read.binding(), write.identity());
        let identity = Identity { token: &read_token, binding: &read_binding };
        cache.store(&identity, &record(), None).unwrap();
        let other_scope = Identity { token: &write_token, binding: &read_binding };
        assert!(matches!(cache.load(&other_scope), Lookup::Miss("no cached token")));

        let path = cache.path(&entry_name(&identity));
        for garbage in [&b"{not json"[..], b"", b"\xff\xfe", br#"{"v":9}"#] {
            fs::write(&path, garbage).unwrap();
            assert!(matches!(cache.load(&identity), Lookup::Miss(_)));
        }
        // An entry moved under another name is foreign.
        cache.store(&other_scope, &record(), None).unwrap();
        fs::copy(cache.path(&entry_name(&other_scope)), &path).unwrap();
        assert!(matches!(cache.load(&identity), Lookup::Miss("cache entry foreign; ignored")));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_damaged_key_file_is_replaced() {
        let dir = temp_dir("key");
        create_private_dir(&dir).unwrap();
        fs::write(dir.join("key"), b"short").unwrap();
        let key = load_or_create_key(&dir.join("key")).unwrap();
        assert_eq!(fs::read(dir.join("key")).unwrap(), key);
        fs::remove_dir_all(dir).unwrap();
    }
}
