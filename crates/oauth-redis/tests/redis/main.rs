//! oauth-redis against a real Redis: every test starts its own `redis-server` (through
//! `oauth_testkit::RedisServer`) and fails, never skips, when it is not installed.

mod entries;
mod fleet;
mod lease;
mod outage;
mod support;
mod wait;
