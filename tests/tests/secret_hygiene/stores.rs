//! What persists or shares a token — the stored and shared records, a configuration's identity
//! and credential binding, the store port's key and entries, and the Redis store with its key,
//! its URL password and its configuration errors — printed every way it can be.

use std::time::{Duration, Instant, SystemTime};

use oauth_core::{AccessToken, RecordError, RefreshToken, Token, TokenRecord};
use oauth_token_source::{SharedEntry, StoreKey};

use crate::fixtures::{auth, endpoint, grants, request};
use crate::{ACCESS, REDIS_PASSWORD, REFRESH, Subject};

pub(crate) fn store_subjects() -> Vec<Subject> {
    let token = Token::bearer(AccessToken::new(ACCESS))
        .with_lifetime(Instant::now(), Duration::from_secs(299))
        .with_refresh_token(RefreshToken::new(REFRESH));
    let record = TokenRecord::of(&token, Instant::now(), SystemTime::now());
    let mut subjects = vec![
        Subject::debug("TokenRecord", &record).marked(),
        Subject::debug("SharedEntry::Token", &SharedEntry::Token(record.clone())).marked(),
        Subject::error("RecordError (a record with a secret in a bad field)", &record_error()),
    ];
    for (name, grant) in grants() {
        let config = oauth_core::TokenConfig::new(endpoint(), auth(oauth_core::AuthMethod::Post), request(grant));
        subjects.push(Subject::debug(format!("TokenIdentity of {name}"), &config.identity()));
        subjects.push(Subject::debug(format!("TokenIdentity parts of {name}"), config.identity().parts()));
        subjects.push(Subject::debug(format!("CredentialBinding of {name}"), &config.binding()).marked());
        subjects
            .push(Subject::debug(format!("StoreKey of {name}"), &StoreKey::new(config.identity(), config.binding())));
    }
    let key = oauth_redis::EncryptionKey::from_bytes([42; 32]);
    subjects.push(Subject::debug("EncryptionKey", &key).marked());
    let url = format!("redis://app:{REDIS_PASSWORD}@127.0.0.1:6379/0");
    let store = oauth_redis::RedisStore::new(&url, key.clone()).expect("a usable URL");
    subjects.push(Subject::debug("RedisStore with a password in its URL", &store));
    let bad = format!("http://app:{REDIS_PASSWORD}@redis.example/");
    let error = oauth_redis::RedisStore::new(&bad, key.clone()).expect_err("not a Redis URL");
    subjects.push(Subject::error("ConfigError for a URL with a password", &error));
    let short = oauth_redis::EncryptionKey::from_base64("c2hvcnQ=").expect_err("too short");
    subjects.push(Subject::error("KeyError", &short));
    subjects
}

fn record_error() -> RecordError {
    let bytes = format!(r#"{{"v":1,"access_token":"{ACCESS}","token_type":"Bearer","scope":"a\"b{REFRESH}"}}"#);
    TokenRecord::decode(bytes.as_bytes()).expect_err("an invalid scope")
}
