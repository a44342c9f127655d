//! An in-memory `TokenStore` for the source's own tests: "processes" are token sources sharing
//! one `MemoryStore`. The fleet tests against a real Redis live in oauth-redis.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth_core::CredentialBinding;
use oauth_token_source::{SharedEntry, StoreError, StoreErrorKind, StoreKey, TokenStore};

#[derive(Default)]
struct Inner {
    entries: Mutex<HashMap<Vec<String>, (CredentialBinding, SharedEntry, tokio::time::Instant)>>,
    leases: Mutex<HashMap<Vec<String>, (String, tokio::time::Instant)>>,
    written: tokio::sync::Notify,
    down: AtomicBool,
    hang: AtomicBool,
    writes: AtomicUsize,
}

/// A store in memory; clones share it.
#[derive(Clone, Default)]
pub(crate) struct MemoryStore(Arc<Inner>);

impl MemoryStore {
    /// Every operation fails as if the store were unreachable (or works again).
    pub(crate) fn set_down(&self, down: bool) {
        self.0.down.store(down, Ordering::SeqCst);
    }

    /// Every operation hangs (a stalled store).
    pub(crate) fn set_hanging(&self, hang: bool) {
        self.0.hang.store(hang, Ordering::SeqCst);
    }

    pub(crate) fn writes(&self) -> usize {
        self.0.writes.load(Ordering::SeqCst)
    }

    /// Takes the lease for an owner that will never release it (a process that died holding it).
    pub(crate) fn lease_held_by_the_dead(&self, key: &StoreKey, lease: Duration) {
        let until = tokio::time::Instant::now() + lease;
        self.0.leases.lock().unwrap().insert(key.identity().parts().to_vec(), ("dead".into(), until));
    }

    async fn gate(&self) -> Result<(), StoreError> {
        if self.0.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if self.0.down.load(Ordering::SeqCst) {
            return Err(StoreError::new(StoreErrorKind::Unavailable));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn read(&self, key: &StoreKey) -> Result<Option<SharedEntry>, StoreError> {
        self.gate().await?;
        let entries = self.0.entries.lock().unwrap();
        Ok(entries
            .get(key.identity().parts())
            .filter(|(binding, _, until)| binding == key.binding() && tokio::time::Instant::now() < *until)
            .map(|(_, entry, _)| entry.clone()))
    }

    async fn write(&self, key: &StoreKey, entry: &SharedEntry, ttl: Duration) -> Result<(), StoreError> {
        self.gate().await?;
        let until = tokio::time::Instant::now() + ttl;
        self.0
            .entries
            .lock()
            .unwrap()
            .insert(key.identity().parts().to_vec(), (key.binding().clone(), entry.clone(), until));
        self.0.writes.fetch_add(1, Ordering::SeqCst);
        self.0.written.notify_waiters();
        Ok(())
    }

    async fn try_lease(&self, key: &StoreKey, owner: &str, lease: Duration) -> Result<bool, StoreError> {
        self.gate().await?;
        let now = tokio::time::Instant::now();
        let mut leases = self.0.leases.lock().unwrap();
        let parts = key.identity().parts().to_vec();
        if leases.get(&parts).is_some_and(|(_, until)| now < *until) {
            return Ok(false);
        }
        leases.insert(parts, (owner.to_owned(), now + lease));
        Ok(true)
    }

    async fn release(&self, key: &StoreKey, owner: &str) -> Result<(), StoreError> {
        self.gate().await?;
        let mut leases = self.0.leases.lock().unwrap();
        if leases.get(key.identity().parts()).is_some_and(|(held_by, _)| held_by == owner) {
            leases.remove(key.identity().parts());
        }
        Ok(())
    }

    async fn wait(&self, _key: &StoreKey, timeout: Duration) -> Result<(), StoreError> {
        self.gate().await?;
        let _ = tokio::time::timeout(timeout, self.0.written.notified()).await;
        Ok(())
    }
}
