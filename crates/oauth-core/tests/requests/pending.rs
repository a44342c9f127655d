//! What `PendingExchange` does with the answer: a refresh keeps the old refresh token unless the answer rotates it,
//! and the answer is read with the endpoint's quirks.

use std::time::{Duration, Instant};

use oauth_core::{Grant, RefreshToken, TokenEndpoint, TokenRequest};

use crate::{PERCENT, auth, json_answer};

#[test]
fn refresh_keeps_the_old_refresh_token_unless_the_answer_rotates_it() {
    let table: &[(&str, Grant, &str, Option<&str>)] = &[
        (
            "refresh without a new refresh token keeps the old one (RFC 6749 §6; oidc-provider)",
            Grant::refresh_token("r-old"),
            r#"{"access_token":"a2","token_type":"Bearer","expires_in":3600}"#,
            Some("r-old"),
        ),
        (
            "refresh answered with the same refresh token keeps it",
            Grant::refresh_token("r-old"),
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"r-old"}"#,
            Some("r-old"),
        ),
        (
            "refresh with rotation takes the new one (Authlib)",
            Grant::refresh_token("r-old"),
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"r-new"}"#,
            Some("r-new"),
        ),
        (
            "client_credentials without a refresh token has none",
            Grant::ClientCredentials,
            r#"{"access_token":"a2","token_type":"Bearer"}"#,
            None,
        ),
        (
            "password grant with a refresh token keeps it",
            Grant::password("u", "p"),
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"r-first"}"#,
            Some("r-first"),
        ),
    ];
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some("s"), PERCENT);
    let sent_at = Instant::now();
    for (why, grant, body, want) in table {
        let (_, pending) =
            endpoint.build_request(&auth, &TokenRequest::new(grant.clone())).expect("no client assertion to sign");
        assert_eq!(pending.grant().grant_type(), grant.grant_type());
        let token = pending.finish(&json_answer(200, body), sent_at).expect(why);
        assert_eq!(token.refresh_token().map(RefreshToken::secret), *want, "{why}");
        assert_eq!(token.access_token().secret(), "a2");
    }
}

#[test]
fn finish_reads_with_the_endpoint_quirks() {
    let body = r#"{"access_token":"a1","token_type":"Bearer","expires_in":"3599"}"#;
    let sent_at = Instant::now();
    let lenient = TokenEndpoint::new("https://as.example/token").expect("valid");
    let strict = lenient.clone().with_quirks(oauth_core::Quirks::strict());
    let auth = auth("app", Some("s"), PERCENT);
    let request = TokenRequest::new(Grant::ClientCredentials);
    let token = lenient
        .build_request(&auth, &request)
        .expect("no client assertion to sign")
        .1
        .finish(&json_answer(200, body), sent_at)
        .expect("lenient");
    assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(3599)));
    assert!(lenient.parse_response(&json_answer(200, body), sent_at).is_ok());
    assert!(
        strict
            .build_request(&auth, &request)
            .expect("no client assertion to sign")
            .1
            .finish(&json_answer(200, body), sent_at)
            .is_err()
    );
    assert!(strict.parse_response(&json_answer(200, body), sent_at).is_err());
}
