//! What an emulator remembers while it runs: its counters, the faults queued for it, and the
//! tokens it issued.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::Fault;

/// Who a token was issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grantee {
    /// The client.
    pub(crate) client_id: String,
    /// The resource owner, for the password grant.
    pub(crate) username: Option<String>,
    /// The scope granted, when one was asked for.
    pub(crate) scope: Option<String>,
}

/// An access token the emulator issued, with its issue time on the real clock.
struct Issued {
    grantee: Grantee,
    at: Instant,
    lifetime: Duration,
}

/// The emulator's mutable state, behind one lock held only while a request is answered or a
/// control is used.
pub(crate) struct State {
    pub(crate) token_requests: usize,
    pub(crate) api_requests: usize,
    pub(crate) tokens_issued: usize,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) expires_in: u64,
    access: HashMap<String, Issued>,
    refresh: HashMap<String, Grantee>,
}

impl State {
    pub(crate) fn new(expires_in: u64) -> Self {
        Self {
            token_requests: 0,
            api_requests: 0,
            tokens_issued: 0,
            faults: VecDeque::new(),
            expires_in,
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    /// The `expires_in` to announce, which is also how long the API accepts the token.
    pub(crate) fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Records an access token just issued.
    pub(crate) fn remember_access(&mut self, token: &str, grantee: Grantee) {
        self.tokens_issued += 1;
        let issued = Issued { grantee, at: Instant::now(), lifetime: Duration::from_secs(self.expires_in) };
        self.access.insert(token.to_owned(), issued);
    }

    /// Who `token` was issued to, when it was issued here and has not expired.
    pub(crate) fn valid_access(&self, token: &str) -> Option<&Grantee> {
        self.access.get(token).filter(|i| i.at.elapsed() < i.lifetime).map(|i| &i.grantee)
    }

    /// A still-valid access token of `client_id` and the whole seconds it has left, rounded up.
    pub(crate) fn live_access_of(&self, client_id: &str) -> Option<(&str, u64)> {
        self.access
            .iter()
            .filter(|(_, i)| i.grantee.client_id == client_id)
            .filter_map(|(token, i)| Some((token.as_str(), i.lifetime.checked_sub(i.at.elapsed())?)))
            .filter(|(_, left)| !left.is_zero())
            .max_by_key(|(_, left)| *left)
            .map(|(token, left)| (token, left.as_secs() + u64::from(left.subsec_nanos() > 0)))
    }

    /// Forgets every access token issued so far: the API refuses them from now on.
    pub(crate) fn expire_all_access(&mut self) {
        self.access.clear();
    }

    /// Records a refresh token just issued.
    pub(crate) fn remember_refresh(&mut self, token: &str, grantee: Grantee) {
        self.refresh.insert(token.to_owned(), grantee);
    }

    /// Who `token` was issued to, when it is a live refresh token of this emulator.
    pub(crate) fn refresh_grantee(&self, token: &str) -> Option<&Grantee> {
        self.refresh.get(token)
    }

    /// Makes a refresh token unusable (rotation).
    pub(crate) fn forget_refresh(&mut self, token: &str) {
        self.refresh.remove(token);
    }

    /// Makes every refresh token issued so far unusable.
    pub(crate) fn revoke_all_refresh(&mut self) {
        self.refresh.clear();
    }
}

/// What a refresh does to the refresh token it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefreshRotation {
    /// A new refresh token comes with each refresh and the old one is refused from then on
    /// (Authlib's default).
    #[default]
    Rotate,
    /// The same refresh token is sent back and stays valid (oidc-provider, Spring's
    /// `reuseRefreshTokens`).
    Reuse,
    /// No `refresh_token` in the answer; the old one stays valid (RFC 6749 §6 allows it).
    Omit,
}
