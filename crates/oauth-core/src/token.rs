//! An issued token and the fields that came with it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{AccessToken, IdToken, RefreshToken, Scope, TokenType};

/// An access token as issued, with its lifetime placed on the caller's clock.
///
/// `expires_at` is the time the request was *sent* plus `expires_in`, so time spent on the
/// network only ever makes the token look shorter-lived, never longer.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
/// use oauth_core::{AccessToken, Token};
/// let sent_at = Instant::now();
/// let token = Token::bearer(AccessToken::new("abc")).with_lifetime(sent_at, Duration::from_secs(299));
/// assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(299)));
/// assert!(!token.is_expired(sent_at));
/// assert!(!format!("{token:?}").contains("abc"));
/// ```
#[derive(Clone)]
pub struct Token {
    pub(crate) access_token: AccessToken,
    pub(crate) token_type: TokenType,
    pub(crate) lifetime: Option<Duration>,
    pub(crate) expires_at: Option<Instant>,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) scope: Option<Scope>,
    pub(crate) id_token: Option<IdToken>,
    pub(crate) extras: Extras,
}

impl Token {
    /// A bearer token with no known expiry and nothing else: for static credentials and tests.
    #[must_use]
    pub fn bearer(access_token: AccessToken) -> Self {
        Self {
            access_token,
            token_type: TokenType::Bearer,
            lifetime: None,
            expires_at: None,
            refresh_token: None,
            scope: None,
            id_token: None,
            extras: Extras::default(),
        }
    }

    /// Sets the lifetime, counted from `issued_at`. A lifetime too long for the clock to hold
    /// leaves the token without expiry.
    #[must_use]
    pub fn with_lifetime(mut self, issued_at: Instant, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self.expires_at = issued_at.checked_add(lifetime);
        self
    }

    /// Sets the refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: RefreshToken) -> Self {
        self.refresh_token = Some(refresh_token);
        self
    }

    /// Sets the granted scope.
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// The access token.
    #[must_use]
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The token type (always Bearer unless the profile accepts others).
    #[must_use]
    pub fn token_type(&self) -> &TokenType {
        &self.token_type
    }

    /// How long the token was issued for (`expires_in`, or the profile's default lifetime).
    #[must_use]
    pub fn lifetime(&self) -> Option<Duration> {
        self.lifetime
    }

    /// When the token expires on the caller's clock; `None` when it does not expire by time.
    #[must_use]
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// Whether the token has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// The refresh token, when one was issued (or kept from the previous token).
    #[must_use]
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The scope the server says it granted, when it said.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// An OpenID Connect ID token, when one came along.
    #[must_use]
    pub fn id_token(&self) -> Option<&IdToken> {
        self.id_token.as_ref()
    }

    /// Every other field of the response.
    #[must_use]
    pub fn extras(&self) -> &Extras {
        &self.extras
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("lifetime", &self.lifetime)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("id_token", &self.id_token)
            .field("extras", &self.extras)
            .finish()
    }
}

/// The fields of a token response this crate has no slot for (`jti`, `iat`, vendor fields),
/// kept as JSON values. Cloning shares them.
///
/// `Debug` prints the field names only: an unknown field may hold anything, secrets included.
#[derive(Clone, Default)]
pub struct Extras {
    map: Option<Arc<serde_json::Map<String, serde_json::Value>>>,
}

impl Extras {
    pub(crate) fn from_map(map: serde_json::Map<String, serde_json::Value>) -> Self {
        Self { map: (!map.is_empty()).then(|| Arc::new(map)) }
    }

    /// The value of field `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.map.as_ref()?.get(name)
    }

    /// The JWT ID (`jti`), when the server sent one.
    #[must_use]
    pub fn jti(&self) -> Option<&str> {
        self.get("jti")?.as_str()
    }

    /// Every field, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.map.iter().flat_map(|m| m.iter()).map(|(k, v)| (k.as_str(), v))
    }

    /// How many fields there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.as_ref().map_or(0, |m| m.len())
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_none()
    }
}

impl fmt::Debug for Extras {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(|(k, _)| k)).finish()
    }
}
