//! The fetch lease: one holder at a time, given back by its owner only, gone when it runs out.

use std::time::Duration;

use oauth_token_source::TokenStore;

use crate::support::{access_token, get, server, store, store_key, token_entry};

#[tokio::test]
async fn a_lease_is_exclusive_and_released_only_by_its_owner() {
    let redis = server();
    // Two instances: two processes, each with its own connection.
    let (one, two, key) = (store(&redis), store(&redis), store_key());
    let minute = Duration::from_secs(60);
    assert!(one.try_lease(&key, "owner-1", minute).await.unwrap());
    assert!(!two.try_lease(&key, "owner-2", minute).await.unwrap(), "held by owner-1");
    assert!(!one.try_lease(&key, "owner-1", minute).await.unwrap(), "not taken twice, even by its holder");

    two.release(&key, "owner-2").await.unwrap();
    assert!(!two.try_lease(&key, "owner-2", minute).await.unwrap(), "owner-2 cannot release owner-1's lease");
    assert_eq!(get(&redis, &one.redis_keys(&key).lease).await.as_deref(), Some(&b"owner-1"[..]));

    one.release(&key, "owner-1").await.unwrap();
    assert!(get(&redis, &one.redis_keys(&key).lease).await.is_none(), "released");
    assert!(two.try_lease(&key, "owner-2", minute).await.unwrap());
    one.release(&key, "owner-1").await.unwrap();
    assert!(!one.try_lease(&key, "owner-1", minute).await.unwrap(), "a late release frees nothing");
}

#[tokio::test]
async fn a_lease_expires() {
    let redis = server();
    let (store, key) = (store(&redis), store_key());
    assert!(store.try_lease(&key, "dies", Duration::from_millis(150)).await.unwrap());
    assert!(!store.try_lease(&key, "next", Duration::from_secs(60)).await.unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store.try_lease(&key, "next", Duration::from_secs(60)).await.unwrap(), "the holder died: it ran out");
}

#[tokio::test]
async fn of_many_contenders_one_takes_the_lease() {
    let redis = server();
    let key = store_key();
    let contenders: Vec<_> = (0..8)
        .map(|i| {
            let (store, key) = (store(&redis), key.clone());
            tokio::spawn(async move { store.try_lease(&key, &format!("owner-{i}"), Duration::from_secs(60)).await })
        })
        .collect();
    let mut taken = 0;
    for contender in contenders {
        taken += usize::from(contender.await.unwrap().unwrap());
    }
    assert_eq!(taken, 1);
}

#[tokio::test]
async fn a_lease_is_not_taken_when_the_entry_changed_since_the_read() {
    let redis = server();
    let (late, holder, key) = (store(&redis), store(&redis), store_key());
    let minute = Duration::from_secs(60);
    // `late` finds nothing; meanwhile the holder fetches, writes and lets go of its lease.
    assert!(late.read(&key).await.unwrap().is_none());
    assert!(holder.try_lease(&key, "holder", minute).await.unwrap());
    holder.write(&key, &token_entry("access-fresh"), minute).await.unwrap();
    holder.release(&key, "holder").await.unwrap();
    assert!(!late.try_lease(&key, "late", minute).await.unwrap(), "the fetch it would make was just made");
    assert!(get(&redis, &late.redis_keys(&key).lease).await.is_none());
    // The check is for the attempt after a read: without one, a free lease is taken.
    assert!(late.try_lease(&key, "late", minute).await.unwrap());
    late.release(&key, "late").await.unwrap();

    // Read again: the token is there; with the entry as read, the lease is taken as usual.
    assert_eq!(access_token(late.read(&key).await.unwrap()), "access-fresh");
    assert!(late.try_lease(&key, "late", minute).await.unwrap(), "to refresh it, say");
    late.release(&key, "late").await.unwrap();

    // The entry removed since the read: also a change.
    assert!(late.read(&key).await.unwrap().is_some());
    holder.write(&key, &token_entry("gone"), Duration::ZERO).await.unwrap();
    assert!(!late.try_lease(&key, "late", minute).await.unwrap());
    assert!(late.read(&key).await.unwrap().is_none());
    assert!(late.try_lease(&key, "late", minute).await.unwrap());
}
