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

/// A source started from a user's token (a code or device exchange) refreshes it and never
/// sends the configuration's own grant.
#[tokio::test(start_paused = true)]
async fn a_refresh_only_source_refreshes_rotates_and_then_asks_for_the_user() {
    use oauth_token_source::ClientError;
    let transport = Scripted::new([token("t2", 120, Some("rt-2")), support::oauth_error(400, "invalid_grant")]);
    let runtime = Virtual::new();
    let user = seed("t1", runtime.start(), 10);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let source =
        TokenSource::builder(config(), transport.clone(), runtime.clone()).seed(user).refresh_only().build().unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t2", "refreshed with the seed's refresh token");
    assert!(transport.bodies()[0].contains("grant_type=refresh_token"), "{:?}", transport.bodies());

    // Past t2's expiry: the rotated refresh token is sent, and refused.
    tokio::time::sleep(Duration::from_secs(121)).await;
    let refused = source.token().await.unwrap_err();
    assert!(matches!(refused, ClientError::AuthorizationRequired { refusal: Some(_) }), "{refused:?}");
    assert_eq!(refused.code(), Some(&oauth_core::ErrorCode::InvalidGrant));
    assert!(transport.bodies()[1].ends_with("refresh_token=rt-2"), "{:?}", transport.bodies());
    assert!(!refused.is_retryable());

    // Nothing left to refresh with: asked again at once, with no request.
    let again = source.token().await.unwrap_err();
    assert!(matches!(again, ClientError::AuthorizationRequired { refusal: None }), "{again:?}");
    assert_eq!(transport.calls(), 2, "the client_credentials grant of the configuration was never sent");
}

#[tokio::test(start_paused = true)]
async fn a_refresh_only_source_without_a_refresh_token_asks_for_the_user_when_its_token_expires() {
    let transport = Scripted::new([]);
    let runtime = Virtual::new();
    let bare = Token::bearer(AccessToken::new("t1")).with_lifetime(runtime.start().into_std(), Duration::from_secs(5));
    let source = TokenSource::builder(config(), transport.clone(), runtime).seed(bare).refresh_only().build().unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let error = source.token().await.unwrap_err();
    assert!(error.to_string().contains("authorization is needed again"), "{error}");
    assert_eq!(transport.calls(), 0);
}
