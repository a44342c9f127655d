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

#[tokio::test(start_paused = true)]
async fn a_jwt_client_revokes_with_a_fresh_assertion_addressed_to_the_revocation_endpoint() {
    use base64::Engine as _;
    use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenConfig, TokenEndpoint, TokenRequest};
    let config = TokenConfig::new(
        TokenEndpoint::new("http://127.0.0.1:9/token").unwrap(),
        ClientAuth::client_secret_jwt(ClientId::new("app").unwrap(), ClientSecret::new("s3cr3t")),
        TokenRequest::new(Grant::ClientCredentials),
    );
    let transport = Scripted::new([token("t1", 299, Some("rt1")), Reply::Http(200, vec![], String::new())]);
    let source = TokenSource::new(config, transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    source.revoke(&EndpointUrl::new("http://127.0.0.1:9/revoke").unwrap()).await.unwrap();
    let bodies = transport.bodies();
    let prefix = "token=rt1&token_type_hint=refresh_token&client_id=app&client_assertion_type=\
                  urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=";
    let assertion = bodies[1].strip_prefix(prefix).unwrap_or_else(|| panic!("{}", bodies[1]));
    assert!(!bodies[1].contains("s3cr3t"));
    let claims = assertion.split('.').nth(1).expect("a JWT");
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], "http://127.0.0.1:9/revoke");
    assert_ne!(bodies[0].split("client_assertion=").nth(1), Some(assertion), "not the token request's assertion");
}
