//! The lifecycle's rules checked directly, outside the scripts: the refresh window (expiry minus the skew, capped at
//! half the lifetime), the default skew, leases, ticket ids, the grant a fetch sends, and seeded tokens.

use std::time::{Duration, Instant};

use oauth_core::{
    AccessToken, Completion, DEFAULT_REFRESH_SKEW, Decision, FetchGrant, Grant, RefreshToken, Token, TokenError,
    TokenLifecycle,
};

use crate::runner::{Clock, refused};

#[test]
fn refresh_at_is_expiry_minus_the_skew_capped_at_half_the_lifetime() {
    let clock = Clock(Instant::now());
    // (why, skew s, lifetime s, refresh_at s after issue)
    let table: &[(&str, f64, f64, f64)] = &[
        ("MXO with the default skew", 60.0, 299.0, 239.0),
        ("MXO with a skew longer than the token", 600.0, 299.0, 149.5),
        ("MXO with no skew refreshes only at expiry", 0.0, 299.0, 299.0),
        ("CloudCX with the default skew", 60.0, 3599.0, 3539.0),
        ("a skew of exactly half", 50.0, 100.0, 50.0),
        ("a one-second token", 60.0, 1.0, 0.5),
    ];
    for (why, skew, lifetime, refresh_at) in table {
        let mut life = TokenLifecycle::new(Duration::from_secs_f64(*skew));
        assert_eq!(
            life.effective_skew(Duration::from_secs_f64(*lifetime)),
            Duration::from_secs_f64(skew.min(lifetime / 2.0)),
            "{why}"
        );
        let Decision::Fetch(fetch) = life.poll(clock.at(0.0)) else { panic!("{why}: no fetch") };
        let issued_at = clock.at(10.0);
        let token = Token::bearer(AccessToken::new("a")).with_lifetime(issued_at, Duration::from_secs_f64(*lifetime));
        assert_eq!(life.complete::<TokenError>(fetch, Ok(token)).0, Completion::Stored);
        assert_eq!(life.refresh_at(), Some(issued_at + Duration::from_secs_f64(*refresh_at)), "{why}");
    }
}

#[test]
fn a_fresh_token_is_never_refreshed_ahead_at_issue() {
    let clock = Clock(Instant::now());
    for skew in [0, 1, 10, 60, 299, 600, 86_400] {
        for lifetime in [1, 2, 3, 59, 60, 61, 119, 120, 121, 299, 300, 3599] {
            let mut life = TokenLifecycle::new(Duration::from_secs(skew));
            let Decision::Fetch(fetch) = life.poll(clock.at(0.0)) else { panic!("no fetch") };
            let token =
                Token::bearer(AccessToken::new("a")).with_lifetime(clock.at(0.0), Duration::from_secs(lifetime));
            assert_eq!(life.complete::<TokenError>(fetch, Ok(token)).0, Completion::Stored);
            assert!(matches!(life.poll(clock.at(0.0)), Decision::Ready(_)), "skew {skew} s, lifetime {lifetime} s");
        }
    }
}

#[test]
fn default_lifecycle_uses_the_default_skew() {
    let life = TokenLifecycle::default();
    assert_eq!(DEFAULT_REFRESH_SKEW, Duration::from_secs(60));
    assert_eq!(life.effective_skew(Duration::from_secs(3600)), DEFAULT_REFRESH_SKEW);
    assert!(life.token().is_none() && life.refresh_token().is_none() && !life.is_fetching());
}

#[test]
fn a_ticket_that_lost_its_lease_does_not_clear_the_one_in_flight() {
    let clock = Clock(Instant::now());
    let mut life = TokenLifecycle::new(Duration::from_secs(60)).with_fetch_timeout(Duration::from_secs(10));
    // Ticket 1 goes out and outlives its 10 s lease; the next poll hands out ticket 2.
    let Decision::Fetch(late) = life.poll(clock.at(0.0)) else { panic!("no fetch") };
    let Decision::Fetch(current) = life.poll(clock.at(10.0)) else { panic!("the lease did not run out") };
    // Ticket 1 comes back late, failed: ticket 2 must stay in flight, and no third goes out.
    let (completion, error) = life.complete(late, Err(refused("server_error", 500)));
    assert_eq!(completion, Completion::Failed);
    assert!(error.is_some(), "the error is given back to the caller");
    assert!(life.is_fetching(), "a late completion cleared the in-flight ticket");
    assert!(matches!(life.poll(clock.at(11.0)), Decision::Wait), "a second fetch was handed out");
    // Ticket 2 is handed back; only then does the next poll fetch.
    life.abandon(current);
    assert!(!life.is_fetching());
    assert!(matches!(life.poll(clock.at(12.0)), Decision::Fetch(_)));
}

#[test]
fn fetch_grant_turns_into_the_grant_to_send() {
    let primary = Grant::password("agent7", "pa55");
    assert_eq!(FetchGrant::Primary.to_grant(&primary).grant_type(), "password");
    let refresh = FetchGrant::Refresh(RefreshToken::new("r1")).to_grant(&primary);
    match refresh {
        Grant::RefreshToken { refresh_token } => assert_eq!(refresh_token.secret(), "r1"),
        other => panic!("expected a refresh grant, got {other:?}"),
    }
}

#[test]
fn ticket_ids_increase() {
    let clock = Clock(Instant::now());
    let mut life = TokenLifecycle::default();
    let mut last = 0;
    for _ in 0..5 {
        let Decision::Fetch(fetch) = life.poll(clock.at(0.0)) else { panic!("no fetch") };
        assert!(fetch.id() > last);
        last = fetch.id();
        life.abandon(fetch);
    }
}

/// A token held from elsewhere (a cache, a shared store) is served and refreshed by the same
/// rule as a fetched one, with its own refresh token.
#[test]
fn a_seeded_token_is_served_then_refreshed_ahead_with_its_refresh_token() {
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    let mut life = TokenLifecycle::new(Duration::from_secs(60));
    life.seed(
        Token::bearer(AccessToken::new("seeded"))
            .with_lifetime(t0, Duration::from_secs(299))
            .with_refresh_token(RefreshToken::new("rt-seeded")),
    );
    assert!(matches!(life.poll(at(200)), Decision::Ready(token) if token.access_token().secret() == "seeded"));
    let Decision::RefreshAhead(_, Some(fetch)) = life.poll(at(250)) else { panic!("no refresh ahead at 250 s") };
    assert!(matches!(fetch.grant(), FetchGrant::Refresh(rt) if rt.secret() == "rt-seeded"));

    // An expired seed is a fetch at once, still with the refresh token it brought.
    let mut life = TokenLifecycle::new(Duration::from_secs(60));
    life.seed(
        Token::bearer(AccessToken::new("old"))
            .with_lifetime(t0, Duration::from_secs(10))
            .with_refresh_token(RefreshToken::new("rt-old")),
    );
    let Decision::Fetch(fetch) = life.poll(at(11)) else { panic!("an expired seed must fetch") };
    assert!(matches!(fetch.grant(), FetchGrant::Refresh(rt) if rt.secret() == "rt-old"));
}

/// A token from elsewhere is held to the same rule as the lifecycle's own: fresh until its
/// refresh window opens.
#[test]
fn is_fresh_is_the_ready_rule() {
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    let life = TokenLifecycle::new(Duration::from_secs(60));
    let token = Token::bearer(AccessToken::new("x")).with_lifetime(t0, Duration::from_secs(299));
    assert!(life.is_fresh(&token, at(238)));
    assert!(!life.is_fresh(&token, at(239)), "the window opens at 299 - 60");
    let short = Token::bearer(AccessToken::new("y")).with_lifetime(t0, Duration::from_secs(4));
    assert!(life.is_fresh(&short, at(1)) && !life.is_fresh(&short, at(2)), "skew capped at half the lifetime");
    assert!(life.is_fresh(&Token::bearer(AccessToken::new("z")), at(1_000_000)), "no expiry");
}
