//! A source started from a token held elsewhere (a cache between runs, a shared store), and
//! the token's metadata read back without re-parsing anything.

mod support;

use std::time::Duration;

use oauth_core::{AccessToken, RefreshToken, Scope, Token};
use oauth_token_source::TokenSource;
use support::{Scripted, Virtual, config, token};

fn seed(access: &str, issued: tokio::time::Instant, lifetime: u64) -> Token {
    Token::bearer(AccessToken::new(access))
        .with_lifetime(issued.into_std(), Duration::from_secs(lifetime))
        .with_refresh_token(RefreshToken::new("rt-seed"))
        .with_scope(Scope::parse("read").unwrap())
}

#[tokio::test(start_paused = true)]
async fn a_fresh_seed_is_served_without_a_request_and_reported_whole() {
    let transport = Scripted::new([]);
    let runtime = Virtual::new();
    let source = TokenSource::builder(config(), transport.clone(), runtime.clone())
        .seed(seed("seeded", runtime.start(), 299))
        .build()
        .unwrap();
    assert!(source.fresh_authorization().is_some(), "a fresh seed is on the fresh path from the start");
    assert_eq!(source.token().await.unwrap().secret(), "seeded");
    assert_eq!(transport.calls(), 0, "a fresh seed needs no token request");

    let current = source.current_token().expect("the seed is held");
    assert_eq!(current.lifetime(), Some(Duration::from_secs(299)));
    assert_eq!(current.expires_at(), Some(runtime.start().into_std() + Duration::from_secs(299)));
    assert_eq!(current.scope().map(Scope::as_str), Some("read"));
    assert_eq!(current.token_type().as_str(), "Bearer");
}

#[tokio::test(start_paused = true)]
async fn an_expired_seed_is_replaced_through_its_refresh_token() {
    let transport = Scripted::new([token("fetched", 299, None)]);
    let runtime = Virtual::new();
    let expired = seed("old", runtime.start(), 10);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let source = TokenSource::builder(config(), transport.clone(), runtime.clone()).seed(expired).build().unwrap();
    assert!(source.fresh_authorization().is_none(), "an expired seed is not fresh");
    assert_eq!(source.token().await.unwrap().secret(), "fetched");
    assert_eq!(transport.calls(), 1);
    let body = &transport.bodies()[0];
    assert!(body.starts_with("grant_type=refresh_token&") && body.ends_with("&refresh_token=rt-seed"), "{body}");
    // The answer had no refresh token: the seed's is kept for the next refresh.
    assert_eq!(source.current_token().unwrap().refresh_token().map(RefreshToken::secret), Some("rt-seed"));
}

#[tokio::test(start_paused = true)]
async fn current_token_is_none_before_the_first_token_and_after_invalidate() {
    let transport = Scripted::new([token("t1", 299, None)]);
    let source = TokenSource::new(config(), transport, Virtual::new()).unwrap();
    assert!(source.current_token().is_none());
    source.token().await.unwrap();
    assert!(source.current_token().is_some());
    source.invalidate();
    assert!(source.current_token().is_none());
}

#[test]
fn a_seed_no_header_can_carry_is_refused_when_built() {
    let bad = Token::bearer(AccessToken::new("line\nbreak"));
    let error = TokenSource::builder(config(), Scripted::new([]), Virtual::new()).seed(bad).build().unwrap_err();
    assert!(!error.to_string().contains("line"), "{error}");
}
