//! The messages of the `tracing` events a token source emits (target `oauth_token_source`), named
//! once so that logs, tests and dashboards agree on them. No event ever carries a secret.

/// A token request is being sent (fields: `endpoint`, `grant`, `auth`, `attempt`).
pub const REQUESTING: &str = "requesting a token";
/// A token arrived (fields: `endpoint`, `lifetime`).
pub const RECEIVED: &str = "token received";
/// A token request failed in a way worth retrying (fields: `endpoint`, `error`, `delay`).
pub const RETRYING: &str = "token request failed; retrying";
/// The server refused a client-authentication method; the next one is tried.
pub const AUTH_REFUSED: &str = "client authentication refused; trying the next method";
/// A fallback client-authentication method worked and is now the first one tried.
pub const AUTH_LEARNED: &str = "client authentication method learned";
/// A refresh ahead of expiry started.
pub const REFRESHING_AHEAD: &str = "refreshing ahead of expiry";
/// A refresh ahead of expiry failed; the current token serves until it expires (field: `error`).
pub const REFRESH_AHEAD_FAILED: &str = "refresh ahead of expiry failed; the current token serves until it expires";
/// The cached token was dropped by [`TokenSource::invalidate`](crate::TokenSource::invalidate).
pub const INVALIDATED: &str = "token invalidated";
/// A resource refused the cached token, which was dropped.
pub const REFUSED_BY_RESOURCE: &str = "token refused by a resource; invalidated";
/// A fetch's caller was cancelled; the fetch was handed back for another caller.
pub const FETCH_HANDED_BACK: &str = "fetch cancelled; handed back";
/// The token store failed or stalled; the source fetches on its own and tries the store again
/// later (field: `error`). Said once per outage.
pub const STORE_UNAVAILABLE: &str = "token store unavailable; fetching without it";
/// The token store works again after an outage.
pub const STORE_RECOVERED: &str = "token store available again";
/// A fetch lease ran out with no token written (its holder failed or died); this process took
/// it over.
pub const LEASE_TAKEN_OVER: &str = "fetch lease taken over";
/// The source's token was revoked at the server and forgotten.
pub const REVOKED: &str = "token revoked";
