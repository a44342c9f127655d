//! `TokenSource::revoke`: the refresh token (or the access token) revoked with the source's
//! client authentication, then forgotten; a refusal keeps the token.

mod support;

use oauth_core::EndpointUrl;
use oauth_token_source::TokenSource;
use support::{Reply, Scripted, Virtual, config, oauth_error, token};

#[tokio::test(start_paused = true)]
async fn the_refresh_token_is_revoked_then_forgotten() {
    let transport =
        Scripted::new([token("t1", 299, Some("rt1")), Reply::Http(200, vec![], String::new()), token("t2", 299, None)]);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    let endpoint = EndpointUrl::new("http://127.0.0.1:9/revoke").unwrap();
    source.revoke(&endpoint).await.unwrap();
    let sent = transport.sent();
    assert_eq!(sent[1].body, "token=rt1&token_type_hint=refresh_token&client_id=app&client_secret=s3cr3t");
    assert!(source.current_token().is_none(), "forgotten");
    assert_eq!(source.token().await.unwrap().secret(), "t2");
    assert!(transport.bodies()[2].starts_with("grant_type=client_credentials"), "not the revoked refresh token");
}

#[tokio::test(start_paused = true)]
async fn a_refused_revocation_keeps_the_token_and_says_why() {
    let transport = Scripted::new([token("t1", 299, None), oauth_error(400, "unsupported_token_type")]);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    let error = source.revoke(&EndpointUrl::new("http://127.0.0.1:9/revoke").unwrap()).await.unwrap_err();
    assert_eq!(error.code().map(oauth_core::ErrorCode::as_str), Some("unsupported_token_type"));
    assert!(transport.bodies()[1].starts_with("token=t1&token_type_hint=access_token"), "{:?}", transport.bodies());
    assert_eq!(source.token().await.unwrap().secret(), "t1", "kept");
    assert_eq!(transport.calls(), 2);
}
