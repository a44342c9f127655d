//! What the tests share: a server, keys, store keys of two credentials, entries, and a raw
//! connection for looking at (and meddling with) what the store wrote.

use std::time::{Duration, Instant, SystemTime};

use oauth_core::{
    AccessToken, ClientAuth, ClientId, ClientSecret, ErrorCode, Grant, RefreshToken, RefusalRecord, Scope, ServerError,
    Token, TokenConfig, TokenEndpoint, TokenError, TokenRecord, TokenRequest,
};
use oauth_redis::{EncryptionKey, RedisStore};
use oauth_testkit::RedisServer;
use oauth_token_source::{SharedEntry, StoreKey};

/// The client secret of most tests: no store may ever write it.
pub(crate) const SECRET: &str = "client-secret-canary-7f3a";

pub(crate) fn server() -> RedisServer {
    RedisServer::start().unwrap_or_else(|error| panic!("{error}"))
}

pub(crate) fn key(byte: u8) -> EncryptionKey {
    EncryptionKey::from_bytes([byte; 32])
}

pub(crate) fn store(redis: &RedisServer) -> RedisStore {
    RedisStore::new(&redis.url(), key(1)).expect("a store")
}

/// The store key of a client-credentials configuration with `secret` and `scope`.
pub(crate) fn store_key_with(secret: &str, scope: &str) -> StoreKey {
    let config = TokenConfig::new(
        TokenEndpoint::new("https://as.example/token").unwrap(),
        ClientAuth::basic(ClientId::new("client-id-canary").unwrap(), ClientSecret::new(secret)),
        TokenRequest::new(Grant::ClientCredentials).with_scope(Scope::parse(scope).unwrap()),
    );
    StoreKey::new(config.identity(), config.binding())
}

pub(crate) fn store_key() -> StoreKey {
    store_key_with(SECRET, "read")
}

/// A token entry with `access` and a refresh token, 299 s left.
pub(crate) fn token_entry(access: &str) -> SharedEntry {
    let token = Token::bearer(AccessToken::new(access))
        .with_lifetime(Instant::now(), Duration::from_secs(299))
        .with_refresh_token(RefreshToken::new(format!("refresh-{access}")));
    SharedEntry::Token(TokenRecord::of(&token, Instant::now(), SystemTime::now()))
}

pub(crate) fn refusal_entry() -> SharedEntry {
    let mut error = ServerError::new(http::StatusCode::UNAUTHORIZED);
    error.code = Some(ErrorCode::InvalidClient);
    error.description = Some("Client authentication failed".into());
    SharedEntry::Refused(RefusalRecord::of(&TokenError::Server(Box::new(error))).unwrap())
}

/// The access token of a token entry; panics on anything else.
pub(crate) fn access_token(entry: Option<SharedEntry>) -> String {
    match entry {
        Some(SharedEntry::Token(record)) => record.access_token().secret().to_owned(),
        other => panic!("expected a token, found {other:?}"),
    }
}

/// A connection of its own, as `redis-cli` would be.
pub(crate) async fn raw(redis: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap()
}

pub(crate) async fn get(redis: &RedisServer, name: &str) -> Option<Vec<u8>> {
    redis::cmd("GET").arg(name).query_async(&mut raw(redis).await).await.unwrap()
}

pub(crate) async fn set(redis: &RedisServer, name: &str, value: &[u8]) {
    let () = redis::cmd("SET").arg(name).arg(value).query_async(&mut raw(redis).await).await.unwrap();
}
