//! The names of the metrics a token source records through the `metrics` facade, named once
//! for code, tests and dashboards. Every metric carries an `endpoint` label (the token
//! endpoint's host). Install any `metrics` recorder (Prometheus, StatsD, …) to collect them;
//! without one they cost a few loads.

/// Counter: token requests sent, by `outcome` (`token`, `refused`, `failed`).
pub const TOKEN_REQUESTS: &str = "oauth_token_requests_total";
/// Counter: callers that waited for a fetch in flight (in this process, or in another one of
/// the fleet).
pub const WAITERS: &str = "oauth_token_waiters_total";
/// Histogram: how long, in seconds, callers waited for a fetch in flight.
pub const WAIT_SECONDS: &str = "oauth_token_wait_seconds";
/// Counter: reads of the shared store, by `result` (`hit`, `stale`, `miss`, `refused`).
pub const STORE_READS: &str = "oauth_store_reads_total";
/// Counter: store operations that failed or stalled (the source then fetched on its own).
pub const STORE_ERRORS: &str = "oauth_store_errors_total";
/// Counter: fetch leases taken over after their holder failed or died.
pub const LEASE_TAKEOVERS: &str = "oauth_lease_takeovers_total";
