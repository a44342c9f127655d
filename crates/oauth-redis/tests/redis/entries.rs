//! Entries: what goes in comes back, to the same credentials and key only; anything else in
//! its place is a miss; nothing secret is written, and plaintext is an explicit choice.

use std::time::Duration;

use oauth_core::ErrorCode;
use oauth_redis::{RedisStore, RedisStoreBuilder};
use oauth_token_source::{SharedEntry, TokenStore};

use crate::support::{
    SECRET, access_token, get, key, raw, refusal_entry, server, set, store, store_key, store_key_with, token_entry,
};

#[tokio::test]
async fn a_token_and_a_refusal_round_trip() {
    let redis = server();
    let (store, key) = (store(&redis), store_key());
    assert!(store.read(&key).await.unwrap().is_none(), "nothing yet");

    store.write(&key, &token_entry("access-canary-1"), Duration::from_secs(60)).await.unwrap();
    let Some(SharedEntry::Token(record)) = store.read(&key).await.unwrap() else { panic!("a token") };
    assert_eq!(record.access_token().secret(), "access-canary-1");
    assert_eq!(record.refresh_token().unwrap().secret(), "refresh-access-canary-1");
    assert_eq!(record.lifetime(), Some(Duration::from_secs(299)));
    let ttl: i64 =
        redis::cmd("PTTL").arg(store.redis_keys(&key).token).query_async(&mut raw(&redis).await).await.unwrap();
    assert!((59_000..=60_000).contains(&ttl), "written with its ttl: {ttl} ms");

    store.write(&key, &refusal_entry(), Duration::from_secs(5)).await.unwrap();
    let Some(SharedEntry::Refused(refusal)) = store.read(&key).await.unwrap() else { panic!("a refusal") };
    let error = refusal.into_error();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
    assert!(error.to_string().contains("Client authentication failed"), "{error}");
}

#[tokio::test]
async fn another_store_instance_reads_what_one_wrote() {
    let redis = server();
    store(&redis).write(&store_key(), &token_entry("access-canary-2"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(access_token(store(&redis).read(&store_key()).await.unwrap()), "access-canary-2");
}

#[tokio::test]
async fn an_entry_expires_with_its_ttl_and_a_zero_ttl_removes_it() {
    let redis = server();
    let (store, key) = (store(&redis), store_key());
    store.write(&key, &token_entry("short"), Duration::from_millis(100)).await.unwrap();
    assert!(store.read(&key).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(store.read(&key).await.unwrap().is_none(), "expired");

    store.write(&key, &token_entry("long"), Duration::from_secs(60)).await.unwrap();
    store.write(&key, &token_entry("gone"), Duration::ZERO).await.unwrap();
    assert!(store.read(&key).await.unwrap().is_none(), "a zero ttl leaves nothing");
}

#[tokio::test]
async fn other_credentials_miss() {
    let redis = server();
    let store = store(&redis);
    store.write(&store_key(), &token_entry("access-canary-3"), Duration::from_secs(60)).await.unwrap();
    let rotated = store_key_with("another-secret", "read");
    assert!(store.read(&rotated).await.unwrap().is_none(), "other credentials are not served");
    assert_ne!(store.redis_keys(&rotated), store.redis_keys(&store_key()), "nor do they overwrite it");
    store.write(&rotated, &token_entry("access-rotated"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(access_token(store.read(&store_key()).await.unwrap()), "access-canary-3");
    assert_eq!(access_token(store.read(&rotated).await.unwrap()), "access-rotated");
}

#[tokio::test]
async fn another_encryption_key_misses() {
    let redis = server();
    let key_one = store(&redis);
    key_one.write(&store_key(), &token_entry("access-canary-4"), Duration::from_secs(60)).await.unwrap();
    let key_two = RedisStore::new(&redis.url(), key(2)).unwrap();
    assert!(key_two.read(&store_key()).await.unwrap().is_none());
    // Even under the first key's names (they differ: names are keyed too).
    let names = key_one.redis_keys(&store_key());
    assert_ne!(key_two.redis_keys(&store_key()), names);
    let value = get(&redis, &names.token).await.unwrap();
    set(&redis, &key_two.redis_keys(&store_key()).token, &value).await;
    assert!(key_two.read(&store_key()).await.unwrap().is_none(), "a value sealed under another key");
}

#[tokio::test]
async fn a_tampered_value_misses() {
    let redis = server();
    for plaintext in [false, true] {
        let store = builder(&redis, plaintext).build().unwrap();
        store.write(&store_key(), &token_entry("access-canary-5"), Duration::from_secs(60)).await.unwrap();
        let name = store.redis_keys(&store_key()).token;
        let value = get(&redis, &name).await.unwrap();
        for at in [0, 30, value.len() / 2, value.len() - 1] {
            let mut tampered = value.clone();
            tampered[at] ^= 0x20;
            set(&redis, &name, &tampered).await;
            assert!(store.read(&store_key()).await.unwrap().is_none(), "plaintext {plaintext}: byte {at} changed");
        }
        set(&redis, &name, &value[..value.len() - 1]).await;
        assert!(store.read(&store_key()).await.unwrap().is_none(), "plaintext {plaintext}: cut short");
        set(&redis, &name, &value).await;
        assert_eq!(access_token(store.read(&store_key()).await.unwrap()), "access-canary-5", "the original reads");
    }
}

#[tokio::test]
async fn a_foreign_value_misses() {
    let redis = server();
    let store = store(&redis);
    let name = store.redis_keys(&store_key()).token;
    let record = match token_entry("access-forged") {
        SharedEntry::Token(record) => record.encode().to_vec(),
        _ => unreachable!(),
    };
    for foreign in [&b"hello"[..], b"", &record, b"oauth-redis:1:sealed:", b"oauth-redis:1:plain:token:x:y:{}"] {
        set(&redis, &name, foreign).await;
        assert!(store.read(&store_key()).await.unwrap().is_none(), "{:?}", String::from_utf8_lossy(foreign));
    }
    // Another type under the name: a miss too, and the next write replaces it.
    let mut connection = raw(&redis).await;
    let _: i64 = redis::cmd("DEL").arg(&name).query_async(&mut connection).await.unwrap();
    let _: i64 = redis::cmd("HSET").arg(&name).arg("f").arg("v").query_async(&mut connection).await.unwrap();
    assert!(store.read(&store_key()).await.unwrap().is_none());
    store.write(&store_key(), &token_entry("access-canary-8"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(access_token(store.read(&store_key()).await.unwrap()), "access-canary-8");
}

#[tokio::test]
async fn a_value_moved_to_another_key_misses() {
    let redis = server();
    let store = store(&redis);
    let (read, write) = (store_key_with(SECRET, "read"), store_key_with(SECRET, "write"));
    store.write(&read, &token_entry("access-read-only"), Duration::from_secs(60)).await.unwrap();
    let value = get(&redis, &store.redis_keys(&read).token).await.unwrap();
    set(&redis, &store.redis_keys(&write).token, &value).await;
    assert!(store.read(&write).await.unwrap().is_none(), "a read-scope token is not served for the write scope");
    assert_eq!(access_token(store.read(&read).await.unwrap()), "access-read-only");
}

#[tokio::test]
async fn sealed_values_and_key_names_hold_nothing_secret() {
    let redis = server();
    let store = store(&redis);
    store.write(&store_key(), &token_entry("access-canary-6"), Duration::from_secs(60)).await.unwrap();
    store.try_lease(&store_key(), "owner", Duration::from_secs(60)).await.unwrap();
    let names: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut raw(&redis).await).await.unwrap();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(name.starts_with("oauth:token:") || name.starts_with("oauth:lease:"), "{name}");
        for canary in ["client-id-canary", "as.example", SECRET, "read"] {
            assert!(!name.contains(canary), "{canary} in the key name {name}");
        }
    }
    let value = get(&redis, &store.redis_keys(&store_key()).token).await.unwrap();
    let text = String::from_utf8_lossy(&value);
    assert!(text.starts_with("oauth-redis:1:sealed:"));
    for canary in ["access-canary-6", "refresh-access", SECRET, "client-id-canary", "Bearer", "299"] {
        assert!(!text.contains(canary), "{canary} in a sealed value");
    }
}

#[tokio::test]
async fn plaintext_is_readable_with_get_and_holds_no_credential() {
    let redis = server();
    let plain = builder(&redis, true).build().unwrap();
    assert!(plain.is_plaintext());
    plain.write(&store_key(), &token_entry("access-canary-7"), Duration::from_secs(60)).await.unwrap();
    let value = get(&redis, &plain.redis_keys(&store_key()).token).await.unwrap();
    let text = String::from_utf8(value).expect("plaintext is text");
    assert!(text.starts_with("oauth-redis:1:plain:token:"), "{text}");
    assert!(text.contains(r#""access_token":"access-canary-7""#), "{text}");
    assert!(!text.contains(SECRET), "the credentials are never written: {text}");
    // Every store reads both forms.
    assert_eq!(access_token(store(&redis).read(&store_key()).await.unwrap()), "access-canary-7");
    // And a plaintext entry is bound like a sealed one.
    assert!(plain.read(&store_key_with("another-secret", "read")).await.unwrap().is_none());
}

#[tokio::test]
async fn namespaces_keep_fleets_apart() {
    let redis = server();
    let billing = builder(&redis, false).namespace("billing").build().unwrap();
    let search = builder(&redis, false).namespace("search").build().unwrap();
    assert_eq!(billing.namespace(), "billing");
    billing.write(&store_key(), &token_entry("access-billing"), Duration::from_secs(60)).await.unwrap();
    assert!(search.read(&store_key()).await.unwrap().is_none());
    assert!(billing.redis_keys(&store_key()).token.starts_with("billing:token:"));
    assert!(search.redis_keys(&store_key()).channel.starts_with("search:published:"));
}

fn builder(redis: &oauth_testkit::RedisServer, plaintext: bool) -> RedisStoreBuilder {
    let builder = RedisStore::builder(&redis.url(), key(1));
    if plaintext { builder.plaintext() } else { builder }
}
