//! Redis down, slow or refusing: the store builds anyway, each operation fails with the right
//! kind (so the token source steps around it), it works again once Redis is back, and no error
//! or `Debug` output shows a secret.

use std::time::{Duration, Instant};

use oauth_redis::{ConfigError, EncryptionKey, RedisStore};
use oauth_testkit::RedisServer;
use oauth_token_source::{StoreError, StoreErrorKind, StoreKey, TokenStore};

use crate::support::{SECRET, access_token, key, server, store, store_key, token_entry};

const PASSWORD: &str = "redis-password-canary-9c1e";

/// Every operation once, each expected to fail with one of `kinds`, within a few seconds.
async fn every_operation_fails(store: &RedisStore, key: &StoreKey, kinds: &[StoreErrorKind]) -> Vec<StoreError> {
    let minute = Duration::from_secs(60);
    let started = Instant::now();
    let errors = [
        ("now", store.now().await.unwrap_err()),
        ("read", store.read(key).await.unwrap_err()),
        ("write", store.write(key, &token_entry("access-canary-down"), minute).await.unwrap_err()),
        ("lease", store.try_lease(key, "owner", minute).await.unwrap_err()),
        ("release", store.release(key, "owner").await.unwrap_err()),
        ("wait", store.wait(key, minute).await.unwrap_err()),
    ];
    assert!(started.elapsed() < Duration::from_secs(5), "failing took {:?}", started.elapsed());
    for (op, error) in &errors {
        assert!(kinds.contains(&error.kind()), "{op}: {error:?}");
    }
    errors.into_iter().map(|(_, error)| error).collect()
}

/// The error's whole chain and its `Debug`.
fn shown(error: &StoreError) -> String {
    let mut text = format!("{error:?}");
    let mut next: Option<&dyn std::error::Error> = Some(error);
    while let Some(error) = next {
        text.push_str(&format!(" / {error}"));
        next = error.source();
    }
    text
}

fn assert_nothing_secret(text: &str) {
    for canary in [PASSWORD, SECRET, "access-canary", "client-id-canary"] {
        assert!(!text.contains(canary), "{canary} shown in: {text}");
    }
}

#[tokio::test]
async fn a_store_builds_with_redis_down_and_works_once_it_is_up() {
    let mut redis = RedisServer::start_with(&["--requirepass", PASSWORD]).unwrap();
    redis.kill();
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{}", redis.port());
    let store = RedisStore::new(&url, key(1)).expect("builds without connecting");
    assert_nothing_secret(&format!("{store:?}"));
    for error in every_operation_fails(&store, &store_key(), &[StoreErrorKind::Unavailable]).await {
        assert_nothing_secret(&shown(&error));
        assert!(shown(&error).contains("refused"), "says why: {}", shown(&error));
    }

    redis.restart().unwrap();
    assert!(store.read(&store_key()).await.unwrap().is_none());
    store.write(&store_key(), &token_entry("access-up"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(access_token(store.read(&store_key()).await.unwrap()), "access-up");
    assert!(store.now().await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_mid_run_fails_each_operation_and_the_store_recovers() {
    let mut redis = server();
    let (store, other, key) = (store(&redis), self::store_of(&redis), store_key());
    store.write(&key, &token_entry("access-before"), Duration::from_secs(60)).await.unwrap();
    store.wait(&key, Duration::from_millis(20)).await.unwrap(); // a subscription, to lose as well
    redis.kill();
    // The first use of a broken connection fails too: never a hang, never a panic. (When the
    // client has not yet seen the connection close, that first command can only time out.)
    let errors = every_operation_fails(&store, &key, &[StoreErrorKind::Unavailable, StoreErrorKind::Timeout]).await;
    for error in &errors[1..] {
        assert_eq!(error.kind(), StoreErrorKind::Unavailable, "after the first: {error:?}");
    }

    redis.restart().unwrap();
    assert!(store.read(&key).await.unwrap().is_none(), "connected again (to an empty Redis)");
    store.write(&key, &token_entry("access-after"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(access_token(store.read(&key).await.unwrap()), "access-after");
    assert!(store.try_lease(&key, "owner", Duration::from_secs(60)).await.unwrap());
    store.release(&key, "owner").await.unwrap();

    // Waiting works again too.
    let started = Instant::now();
    let waiting = tokio::spawn({
        let (store, key) = (store.clone(), key.clone());
        async move { store.wait(&key, Duration::from_secs(10)).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    other.write(&key, &token_entry("access-wakes"), Duration::from_secs(60)).await.unwrap();
    waiting.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

fn store_of(redis: &RedisServer) -> RedisStore {
    RedisStore::new(&redis.url(), key(1)).unwrap()
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    // Accepts connections and says nothing: a stalled Redis.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _accepting = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(10));
        drop(held);
    });
    let store = RedisStore::builder(&format!("redis://127.0.0.1:{port}"), key(1))
        .connect_timeout(Duration::from_millis(200))
        .response_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = store.read(&store_key()).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_never_shown() {
    let redis = RedisServer::start_with(&["--requirepass", "the-right-password"]).unwrap();
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{}", redis.port());
    let store = RedisStore::new(&url, key(1)).unwrap();
    let error = store.read(&store_key()).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "{}", shown(&error));
    assert_nothing_secret(&shown(&error));
    assert_nothing_secret(&format!("{store:?}"));
    let no_password = RedisStore::new(&redis.url(), key(1)).unwrap();
    assert_eq!(no_password.read(&store_key()).await.unwrap_err().kind(), StoreErrorKind::Refused);

    let right = RedisStore::new(&format!("redis://:the-right-password@127.0.0.1:{}", redis.port()), key(1)).unwrap();
    assert!(right.read(&store_key()).await.unwrap().is_none());
}

#[tokio::test]
async fn a_user_and_password_in_the_url_log_in_and_permissions_are_kept() {
    let password = format!(">{PASSWORD}");
    let fleet_user = ["--user", "fleet", "on", &password, "~*", "&*", "+@all"];
    let reader_user = ["--user", "reader", "on", ">reader-password", "~*", "&*", "+@all", "-set"];
    let redis = RedisServer::start_with(&[&fleet_user[..], &reader_user[..]].concat()).unwrap();
    let fleet = RedisStore::new(&format!("redis://fleet:{PASSWORD}@127.0.0.1:{}", redis.port()), key(1)).unwrap();
    let shown_store = format!("{fleet:?}");
    assert!(shown_store.contains("redis://fleet@127.0.0.1:"), "{shown_store}");
    assert_nothing_secret(&shown_store);
    fleet.write(&store_key(), &token_entry("access-acl"), Duration::from_secs(60)).await.unwrap();

    let reader =
        RedisStore::new(&format!("redis://reader:reader-password@127.0.0.1:{}", redis.port()), key(1)).unwrap();
    assert_eq!(access_token(reader.read(&store_key()).await.unwrap()), "access-acl");
    let error = reader.write(&store_key(), &token_entry("access-canary-x"), Duration::from_secs(60)).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "NOPERM: {}", shown(&error));
    let error = reader.try_lease(&store_key(), "owner", Duration::from_secs(60)).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "NOPERM: {}", shown(&error));
    let fresh_reader = RedisStore::new(&format!("redis://reader:reader-password@127.0.0.1:{}", redis.port()), key(1));
    let error = fresh_reader.unwrap().try_lease(&store_key(), "owner", Duration::from_secs(60)).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "NOPERM without a read first: {}", shown(&error));
}

#[tokio::test]
async fn a_read_only_or_full_redis_refuses_writes() {
    // A replica of a master that is not there: reads work, writes are READONLY.
    let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", "1"]).unwrap();
    let store = store(&replica);
    assert!(store.read(&store_key()).await.unwrap().is_none());
    let error = store.write(&store_key(), &token_entry("access-canary-ro"), Duration::from_secs(60)).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "READONLY: {}", shown(&error));
    let error = store.try_lease(&store_key(), "owner", Duration::from_secs(60)).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "READONLY: {}", shown(&error));

    let full = RedisServer::start_with(&["--maxmemory", "1", "--maxmemory-policy", "noeviction"]).unwrap();
    let store = self::store(&full);
    let error =
        store.write(&store_key(), &token_entry("access-canary-oom"), Duration::from_secs(60)).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Refused, "OOM: {}", shown(&error));
    for read_first in [false, true] {
        if read_first {
            assert!(store.read(&store_key()).await.unwrap().is_none(), "reads still work");
        }
        let error = store.try_lease(&store_key(), "owner", Duration::from_secs(60)).await.unwrap_err();
        assert_eq!(error.kind(), StoreErrorKind::Refused, "OOM: {}", shown(&error));
    }
}

#[test]
fn a_malformed_url_is_a_typed_error_that_never_repeats_the_password() {
    let urls = [
        format!("http://user:{PASSWORD}@127.0.0.1:6379"),
        format!("redis://user:{PASSWORD}@127.0.0.1:notaport"),
        format!("redis://user:{PASSWORD}@127.0.0.1:6379/notadb"),
        format!("redis://:{PASSWORD}@0.0.0.0:6379"),
        format!("redis://:{PASSWORD}@127.0.0.1:6379/?protocol={PASSWORD}"),
        format!("rediss://:{PASSWORD}@127.0.0.1:6379/#insecure"),
        PASSWORD.to_owned(),
        String::new(),
    ];
    for url in &urls {
        let error = RedisStore::new(url, key(1)).expect_err(url);
        assert!(matches!(error, ConfigError::Url { .. }), "{url}: {error:?}");
        let text = format!("{error} {error:?}");
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(text.contains("not a Redis URL"), "{text}");
    }
    let error = RedisStore::builder("redis://127.0.0.1", key(1)).namespace("has space").build().unwrap_err();
    assert_eq!(error, ConfigError::Namespace);
    assert_eq!(
        RedisStore::builder("redis://127.0.0.1", key(1)).namespace("").build().unwrap_err(),
        ConfigError::Namespace
    );
    let shown = format!("{:?}", RedisStore::builder(&format!("redis://:{PASSWORD}@h"), key(1)));
    assert!(!shown.contains(PASSWORD), "{shown}");
}

#[test]
fn tls_and_socket_urls_build() {
    for url in ["rediss://:pw@redis.example:6380/2", "redis://[::1]:6379", "unix:///run/redis.sock?db=3"] {
        let store = RedisStore::new(url, EncryptionKey::from_bytes([3; 32])).expect(url);
        assert!(!format!("{store:?}").contains("pw@"), "{store:?}");
    }
    let store = RedisStore::new("rediss://redis.example:6380/2", key(1)).unwrap();
    assert!(format!("{store:?}").contains(r#"server: "rediss://redis.example:6380/2""#), "{store:?}");
}

#[tokio::test]
async fn tls_to_a_server_that_does_not_speak_it_fails_cleanly() {
    let redis = server();
    let store = RedisStore::new(&format!("rediss://127.0.0.1:{}", redis.port()), key(1)).unwrap();
    let error = store.read(&store_key()).await.unwrap_err();
    assert_ne!(error.kind(), StoreErrorKind::Refused, "{}", shown(&error));
    assert_nothing_secret(&shown(&error));
}
