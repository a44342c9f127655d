//! Observability: tracing events for fetch, refresh, retry, fallback, invalidation and
//! cancellation — and never a secret in them, even when the server echoes one back.

mod support;

use std::time::Duration;

use oauth_token_source::{TokenSource, events};
use support::{Logs, Reply, Scripted, Virtual, oauth_error_saying, settle, token};

/// Every secret in this test contains this, so one search finds any of them.
const CANARY: &str = "CANARY";

#[tokio::test(start_paused = true)]
async fn events_say_what_happened_and_carry_no_secret() {
    let logs = Logs::default();
    let _capture = logs.capture();
    let config =
        oauth_providers::rfc6749::client_credentials("http://127.0.0.1:9/token", "app", "CANARY-client-secret")
            .unwrap()
            .token_config()
            .unwrap()
            .clone();
    let transport = Scripted::new([
        // Percent Basic refused, with the secret echoed back; raw Basic accepted.
        oauth_error_saying(401, "invalid_client", "bad secret CANARY-client-secret"),
        token("CANARY-access-1", 120, Some("CANARY-refresh-1")),
        // The refresh ahead of expiry meets a 503 echoing the refresh token, is retried, and
        // rotates the refresh token.
        oauth_error_saying(503, "temporarily_unavailable", "busy with CANARY-refresh-1"),
        token("CANARY-access-2", 120, Some("CANARY-refresh-2")),
        // The next refresh fails for good, echoing the refresh token.
        oauth_error_saying(400, "invalid_request", "cannot use CANARY-refresh-2"),
        // After invalidation.
        token("CANARY-access-3", 120, None),
        Reply::Hang,
    ])
    .with_latency(Duration::from_millis(50));
    let source = TokenSource::new(config, transport.clone(), Virtual::new()).unwrap();

    source.token().await.unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    source.token().await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(source.token().await.unwrap().secret(), "CANARY-access-2");
    tokio::time::sleep(Duration::from_secs(61)).await;
    source.token().await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;

    source.invalidate();
    let used = source.token().await.unwrap();
    assert_eq!(used.secret(), "CANARY-access-3");
    assert!(source.invalidate_if_current(&used));
    assert!(tokio::time::timeout(Duration::from_secs(1), source.token()).await.is_err(), "the fetch hangs");
    settle().await;

    let text = logs.text();
    for expected in [
        events::REQUESTING,
        "grant=client_credentials",
        "grant=refresh_token",
        events::AUTH_REFUSED,
        events::AUTH_LEARNED,
        events::RECEIVED,
        events::REFRESHING_AHEAD,
        events::RETRYING,
        events::REFRESH_AHEAD_FAILED,
        events::INVALIDATED,
        events::REFUSED_BY_RESOURCE,
        events::FETCH_HANDED_BACK,
        "[redacted]",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    assert!(!text.contains(CANARY), "a secret in the logs:\n{text}");
    for header in transport.authorizations().into_iter().flatten() {
        let credentials = header.trim_start_matches("Basic ");
        assert!(!text.contains(credentials), "Basic credentials in the logs:\n{text}");
    }
}
