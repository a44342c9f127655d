//! Invalidation after a resource's 401: the token is dropped and fetched again once on next
//! use, and a late 401 about an older token never drops a newer one.

mod support;

use std::time::Duration;

use oauth_token_source::TokenSource;
use support::{Scripted, Virtual, config, join_all, settle, token};

const LATENCY: Duration = Duration::from_millis(50);

/// How the caller learns the token was refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// `invalidate()`.
    Unconditional,
    /// `invalidate_if_current(the token used)`.
    AboutTheTokenUsed,
}

#[tokio::test(start_paused = true)]
async fn a_refused_token_is_fetched_again_once_by_however_many_callers() {
    for refusal in [Refusal::Unconditional, Refusal::AboutTheTokenUsed] {
        let transport = Scripted::new([token("t1", 3600, None), token("t2", 3600, None)]).with_latency(LATENCY);
        let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
        let used = source.token().await.unwrap();

        match refusal {
            Refusal::Unconditional => source.invalidate(),
            Refusal::AboutTheTokenUsed => assert!(source.invalidate_if_current(&used), "worth fetching a new one"),
        }
        let tokens = join_all((0..1000).map(|_| source.token())).await;
        assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == "t2"), "{refusal:?}");
        assert_eq!(transport.calls(), 2, "{refusal:?}: one new request");

        // Served from the cache from then on: no loop.
        for _ in 0..10 {
            assert_eq!(source.token().await.unwrap().secret(), "t2");
        }
        settle().await;
        assert_eq!(transport.calls(), 2, "{refusal:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_late_401_about_an_older_token_keeps_the_newer_one() {
    // The second token has the same text as the first (a server may reissue it): it is still
    // a different token, and a 401 about the first must not drop it.
    for second in ["t2", "t1"] {
        let transport = Scripted::new([token("t1", 3600, None), token(second, 3600, None)]);
        let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
        let old = source.token().await.unwrap();
        let (_, old_again) = source.authorization_with_token().await.unwrap();
        assert!(source.invalidate_if_current(&old_again));
        let new = source.token().await.unwrap();
        assert_eq!(new.secret(), second);
        assert_eq!(transport.calls(), 2);

        // The 401 about `old` arrives only now.
        assert!(source.invalidate_if_current(&old), "a new token is worth trying");
        let served = source.token().await.unwrap();
        assert!(served.same_as(&new), "{second}: the newer token is kept");
        assert_eq!(transport.calls(), 2, "{second}: no request for a stale 401");
    }
}

#[tokio::test(start_paused = true)]
async fn invalidating_keeps_the_refresh_token() {
    let transport = Scripted::new([token("t1", 3600, Some("r1")), token("t2", 3600, None)]);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    source.invalidate();
    assert_eq!(source.token().await.unwrap().secret(), "t2");
    let bodies = transport.bodies();
    assert!(bodies[1].starts_with("grant_type=refresh_token&"), "{bodies:?}");
    assert!(bodies[1].ends_with("&refresh_token=r1"), "{bodies:?}");
}

#[tokio::test(start_paused = true)]
async fn invalidating_during_a_refresh_ahead_waits_for_that_refresh_rather_than_starting_another() {
    let transport = Scripted::new([token("t1", 120, None), token("t2", 120, None)]).with_latency(LATENCY);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    let used = source.token().await.unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    settle().await;
    assert_eq!(transport.calls(), 2, "the refresh is in flight");

    assert!(source.invalidate_if_current(&used));
    let tokens = join_all((0..100).map(|_| source.token())).await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == "t2"));
    assert_eq!(transport.calls(), 2);
}
