//! A token in a form that outlives the process — a file cache, a store shared by a fleet — and
//! the way back to a whole [`Token`].
//!
//! A [`Token`]'s expiry is an `Instant`, which means nothing to another process or after a
//! restart. A [`TokenRecord`] holds it on the wall clock instead, so processes with different
//! monotonic clocks agree on it, and the conversion both ways takes the two clocks' readings
//! as arguments (core reads no clock). Its secrets are written out only by
//! [`encode`](TokenRecord::encode), which says so in its name; `Debug` redacts them as
//! everywhere else.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::{AccessToken, IdToken, RefreshToken, Scope, Token, TokenType};

/// The version of the encoded form; a record of another version does not decode.
const VERSION: u8 = 1;

/// A token with its expiry on the wall clock: what a cache or a shared store keeps.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant, UNIX_EPOCH};
/// use oauth_core::{AccessToken, RefreshToken, Token, TokenRecord};
/// // The encoded form keeps milliseconds; a whole-second wall clock keeps the example exact.
/// let (now, wall) = (Instant::now(), UNIX_EPOCH + Duration::from_secs(1_800_000_000));
/// let token = Token::bearer(AccessToken::new("at-1"))
///     .with_lifetime(now, Duration::from_secs(299))
///     .with_refresh_token(RefreshToken::new("rt-1"));
///
/// let bytes = TokenRecord::of(&token, now, wall).encode();
/// let record = TokenRecord::decode(&bytes)?;
/// assert!(!format!("{record:?}").contains("at-1"));
///
/// // Another process, 100 s later by both clocks: 199 s are left, whatever its `Instant`s are.
/// let later = Instant::now() + Duration::from_secs(100);
/// let back = record.into_token(later, wall + Duration::from_secs(100));
/// assert_eq!(back.expires_at(), Some(later + Duration::from_secs(199)));
/// assert_eq!(back.lifetime(), Some(Duration::from_secs(299)));
/// assert_eq!(back.refresh_token().unwrap().secret(), "rt-1");
/// # Ok::<(), oauth_core::RecordError>(())
/// ```
#[derive(Clone)]
pub struct TokenRecord {
    access_token: AccessToken,
    token_type: TokenType,
    lifetime: Option<Duration>,
    expires_at: Option<SystemTime>,
    refresh_token: Option<RefreshToken>,
    scope: Option<Scope>,
    id_token: Option<IdToken>,
}

/// Why bytes are not a token record. Never carries the bytes: they may hold tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Not a record at all (not JSON, or fields missing or of the wrong type).
    #[error("not a token record")]
    Malformed,
    /// A record of another version.
    #[error("a token record of version {found}, not {VERSION}")]
    Version {
        /// The version found.
        found: u64,
    },
    /// A field is present but unusable (an empty access token, an invalid scope).
    #[error("a token record with an unusable `{field}`")]
    Invalid {
        /// The field's name.
        field: &'static str,
    },
}

impl TokenRecord {
    /// The record of `token`, whose `Instant`s are placed on the wall clock by the pair of
    /// readings `now` (monotonic) and `wall_now` (the same moment on the wall clock).
    #[must_use]
    pub fn of(token: &Token, now: Instant, wall_now: SystemTime) -> Self {
        let expires_at = token.expires_at.map(|at| match at.checked_duration_since(now) {
            Some(left) => wall_now.checked_add(left).unwrap_or(wall_now),
            None => wall_now.checked_sub(now.duration_since(at)).unwrap_or(UNIX_EPOCH),
        });
        Self {
            access_token: token.access_token.clone(),
            token_type: token.token_type.clone(),
            lifetime: token.lifetime,
            expires_at,
            refresh_token: token.refresh_token.clone(),
            scope: token.scope.clone(),
            id_token: token.id_token.clone(),
        }
    }

    /// The token again, its expiry placed on this process's clock by the readings `now` and
    /// `wall_now`. A record past its expiry gives a token that is already expired, never one
    /// with time left; the lifetime is kept, so the refresh window is where it was.
    #[must_use]
    pub fn into_token(self, now: Instant, wall_now: SystemTime) -> Token {
        let expires_at = self.expires_at.map(|at| match at.duration_since(wall_now) {
            Ok(left) => now.checked_add(left).unwrap_or(now),
            Err(overdue) => now.checked_sub(overdue.duration()).unwrap_or(now),
        });
        Token {
            access_token: self.access_token,
            token_type: self.token_type,
            lifetime: self.lifetime,
            expires_at,
            refresh_token: self.refresh_token,
            scope: self.scope,
            id_token: self.id_token,
            extras: crate::Extras::default(),
        }
    }

    /// When the token expires on the wall clock; `None` when it does not expire by time.
    #[must_use]
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// How long the token was issued for.
    #[must_use]
    pub fn lifetime(&self) -> Option<Duration> {
        self.lifetime
    }

    /// The access token.
    #[must_use]
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The refresh token, when there is one.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The granted scope, when the server said.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// The record as bytes (JSON), **secrets included**: for a store that protects them (a
    /// file only its owner reads, an encrypted entry). The buffer is wiped when dropped.
    #[must_use]
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let wire = Wire {
            v: u64::from(VERSION),
            access_token: self.access_token.secret().into(),
            token_type: self.token_type.as_str().into(),
            lifetime_ms: self.lifetime.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            expires_at_ms: self.expires_at.map(unix_millis),
            refresh_token: self.refresh_token.as_ref().map(|t| t.secret().into()),
            scope: self.scope.as_ref().map(|s| s.as_str().into()),
            id_token: self.id_token.as_ref().map(|t| t.secret().into()),
        };
        // Invariant: a struct of strings and integers always serializes.
        Zeroizing::new(serde_json::to_vec(&wire).expect("a record serializes"))
    }

    /// Reads bytes written by [`encode`](Self::encode).
    ///
    /// # Errors
    /// [`RecordError`] for anything else: other JSON, another version, an unusable field.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut wire: Wire = serde_json::from_slice(bytes).map_err(|_| RecordError::Malformed)?;
        if wire.v != u64::from(VERSION) {
            return Err(RecordError::Version { found: wire.v });
        }
        if wire.access_token.is_empty() || wire.token_type.is_empty() {
            return Err(RecordError::Invalid { field: "access_token" });
        }
        let scope = match &wire.scope {
            Some(text) => Some(Scope::parse(text).map_err(|_| RecordError::Invalid { field: "scope" })?),
            None => None,
        };
        Ok(Self {
            access_token: AccessToken::new(std::mem::take(&mut wire.access_token)),
            token_type: TokenType::from_name(&wire.token_type),
            lifetime: wire.lifetime_ms.map(Duration::from_millis),
            expires_at: wire.expires_at_ms.and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms))),
            refresh_token: wire.refresh_token.take().filter(|t| !t.is_empty()).map(RefreshToken::new),
            scope,
            id_token: wire.id_token.take().filter(|t| !t.is_empty()).map(IdToken::new),
        })
    }
}

fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The encoded form. Its strings are wiped when it drops (the secrets were moved out or copied).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    v: u64,
    access_token: String,
    token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lifetime_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.access_token.zeroize();
        self.refresh_token.zeroize();
        self.id_token.zeroize();
    }
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("lifetime", &self.lifetime)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}
