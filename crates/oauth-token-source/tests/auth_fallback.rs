//! Auto client authentication: Basic percent → Basic raw → `client_secret_post` when the server
//! refuses the client, one pass at most, replay-safe grants only, and the winner remembered.

mod support;

use std::time::Duration;

use oauth_core::{AuthMethod, BasicEncoding, ErrorCode};
use oauth_token_source::{ClientError, RetryPolicy, TokenSource};
use support::{
    Reply, Scripted, Virtual, auto_config, config, join_all, oauth_error, oauth_error_saying, status_only, token,
};

/// `Basic base64("app:s3%20cr%3At")`: the secret `s3 cr:t` percent-encoded.
const PERCENT: Option<&str> = Some("Basic YXBwOnMzJTIwY3IlM0F0");
/// `Basic base64("app:s3 cr:t")`: as it is (RFC 7617).
const RAW: Option<&str> = Some("Basic YXBwOnMzIGNyOnQ=");
/// `client_secret_post`: no header, the credentials in the body.
const POST: Option<&str> = None;
const POST_BODY: &str = "grant_type=client_credentials&client_id=app&client_secret=s3+cr%3At";

const PERCENT_METHOD: AuthMethod = AuthMethod::Basic(BasicEncoding::Percent);
const RAW_METHOD: AuthMethod = AuthMethod::Basic(BasicEncoding::Raw);

/// Past the expiry of a 3600 s token.
const PAST_EXPIRY: Duration = Duration::from_secs(3600);

fn authorizations(transport: &Scripted) -> Vec<Option<String>> {
    transport.authorizations()
}

fn expect(headers: &[Option<&str>]) -> Vec<Option<String>> {
    headers.iter().map(|h| h.map(str::to_owned)).collect()
}

/// The answers that say the server refused the client's authentication.
fn refusals() -> [(&'static str, Reply); 5] {
    [
        ("invalid_client 401", oauth_error(401, "invalid_client")),
        ("invalid_client 400", oauth_error(400, "invalid_client")),
        ("bare 400", status_only(400)),
        ("bare 401", status_only(401)),
        ("bare 403", status_only(403)),
    ]
}

#[tokio::test(start_paused = true)]
async fn a_refused_client_tries_the_next_method_and_the_next_fetch_starts_with_the_winner() {
    for (name, refusal) in refusals() {
        let transport = Scripted::new([refusal, token("t1", 3600, None), token("t2", 3600, None)]);
        let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
        assert_eq!(source.token().await.unwrap().secret(), "t1", "{name}");
        assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW]), "{name}");

        tokio::time::sleep(PAST_EXPIRY).await;
        assert_eq!(source.token().await.unwrap().secret(), "t2", "{name}");
        assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, RAW]), "{name}: the winner first");
    }
}

#[tokio::test(start_paused = true)]
async fn two_refusals_reach_client_secret_post_and_it_is_remembered() {
    let transport = Scripted::new([
        oauth_error(401, "invalid_client"),
        oauth_error(401, "invalid_client"),
        token("t1", 3600, None),
        token("t2", 3600, None),
    ]);
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    tokio::time::sleep(PAST_EXPIRY).await;
    assert_eq!(source.token().await.unwrap().secret(), "t2");

    assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, POST, POST]));
    let bodies = transport.bodies();
    assert_eq!(bodies[0], "grant_type=client_credentials");
    assert_eq!(bodies[1], "grant_type=client_credentials");
    assert_eq!(bodies[2], POST_BODY);
    assert_eq!(bodies[3], POST_BODY);
}

#[tokio::test(start_paused = true)]
async fn every_method_refused_gives_the_first_methods_error_and_the_methods_tried_after_one_pass() {
    let transport = Scripted::new([
        oauth_error_saying(401, "invalid_client", "percent refused"),
        oauth_error_saying(401, "invalid_client", "raw refused"),
        oauth_error_saying(401, "invalid_client", "post refused"),
        token("t1", 3600, None),
    ])
    .with_latency(Duration::from_millis(50));
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();

    let errors: Vec<ClientError> =
        join_all((0..100).map(|_| source.token())).await.into_iter().map(Result::unwrap_err).collect();
    assert_eq!(transport.calls(), 3, "one pass over the three methods");
    assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, POST]));
    for error in &errors {
        let ClientError::Token { error: token_error, tried_auth } = error else { panic!("{error:?}") };
        assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
        let oauth_core::TokenError::Server(server) = token_error else { panic!("{error:?}") };
        assert_eq!(server.description.as_deref(), Some("percent refused"), "the first method's error");
        assert_eq!(tried_auth, &[PERCENT_METHOD, RAW_METHOD, AuthMethod::Post]);
        assert!(error.to_string().contains("client authentication tried"), "{error}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_pass_starts_at_the_remembered_method_and_wraps_around_once() {
    let transport = Scripted::new([
        oauth_error(401, "invalid_client"),
        token("t1", 3600, None),
        oauth_error_saying(401, "invalid_client", "raw refused"),
        oauth_error_saying(401, "invalid_client", "post refused"),
        oauth_error_saying(401, "invalid_client", "percent refused"),
        token("t2", 3600, None),
    ]);
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    tokio::time::sleep(PAST_EXPIRY).await;

    let error = source.token().await.unwrap_err();
    assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, RAW, POST, PERCENT]));
    let ClientError::Token { error: oauth_core::TokenError::Server(server), tried_auth } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(server.description.as_deref(), Some("raw refused"));
    assert_eq!(tried_auth, &[RAW_METHOD, AuthMethod::Post, PERCENT_METHOD]);
}

#[tokio::test(start_paused = true)]
async fn answers_that_do_not_refuse_the_client_try_no_other_method() {
    let cases = [
        ("invalid_grant", oauth_error(400, "invalid_grant")),
        ("invalid_scope", oauth_error(400, "invalid_scope")),
        ("unauthorized_client", oauth_error(400, "unauthorized_client")),
        ("401 with a body that is not OAuth", Reply::Http(401, vec![], "<html>Unauthorized</html>".to_owned())),
        ("bare 500", status_only(500)),
        ("bare 404", status_only(404)),
    ];
    for (name, reply) in cases {
        let transport = Scripted::new([reply, token("t1", 3600, None)]);
        let source = TokenSource::builder(auto_config(), transport.clone(), Virtual::new())
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let error = source.token().await.unwrap_err();
        assert_eq!(authorizations(&transport), expect(&[PERCENT]), "{name}");
        assert!(matches!(&error, ClientError::Token { tried_auth, .. } if tried_auth.is_empty()), "{name}: {error:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_refresh_token_grant_gets_no_fallback() {
    let transport = Scripted::new([token("t1", 3600, Some("r1")), oauth_error(401, "invalid_client")]);
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    tokio::time::sleep(PAST_EXPIRY).await;

    let error = source.token().await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
    // The refused refresh is sent once, with one method; the refusal drops the refresh token,
    // and the primary (replay-safe) grant then makes its own single pass over the methods.
    let bodies = transport.bodies();
    assert_eq!(bodies.iter().filter(|b| b.contains("refresh_token=r1")).count(), 1, "{bodies:?}");
    assert!(bodies[1].contains("refresh_token=r1"));
    assert_eq!(authorizations(&transport)[1..], expect(&[PERCENT, PERCENT, RAW, POST])[..], "refresh, then one pass");
    assert!(bodies[2..].iter().all(|b| b.starts_with("grant_type=client_credentials")), "{bodies:?}");
    assert!(
        matches!(&error, ClientError::Token { tried_auth, .. } if tried_auth == &[PERCENT_METHOD, RAW_METHOD, AuthMethod::Post]),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_refresh_token_grant_uses_the_remembered_method() {
    let transport =
        Scripted::new([oauth_error(401, "invalid_client"), token("t1", 3600, Some("r1")), token("t2", 3600, None)]);
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    source.token().await.unwrap();
    tokio::time::sleep(PAST_EXPIRY).await;
    assert_eq!(source.token().await.unwrap().secret(), "t2");
    assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, RAW]));
    assert!(transport.bodies()[2].starts_with("grant_type=refresh_token&"));
}

#[tokio::test(start_paused = true)]
async fn a_method_chosen_explicitly_gets_no_fallback() {
    let transport = Scripted::new([oauth_error(401, "invalid_client"), token("t1", 3600, None)]);
    let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
    let error = source.token().await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
    assert_eq!(transport.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retried_server_error_in_the_middle_of_a_pass_keeps_the_first_methods_error() {
    // Raw Basic meets a 503 once (retried after a backoff), then every method is refused.
    let transport = Scripted::new([
        oauth_error_saying(401, "invalid_client", "percent refused"),
        status_only(503),
        oauth_error_saying(401, "invalid_client", "raw refused"),
        oauth_error_saying(401, "invalid_client", "post refused"),
        token("t1", 3600, None),
    ]);
    let policy = RetryPolicy::default().with_max_attempts(5);
    let source = TokenSource::builder(auto_config(), transport.clone(), Virtual::new()).retry(policy).build().unwrap();

    let error = source.token().await.unwrap_err();
    assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, RAW, POST]));
    let ClientError::Token { error: oauth_core::TokenError::Server(server), tried_auth } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(tried_auth, &[PERCENT_METHOD, RAW_METHOD, AuthMethod::Post]);
    assert_eq!(server.description.as_deref(), Some("percent refused"), "the first method's error");
}

#[tokio::test(start_paused = true)]
async fn inside_a_pass_a_400_invalid_request_counts_as_that_method_refused() {
    // oidc-provider answers raw Basic it cannot decode (a `%` in the secret) with 400
    // invalid_request "not properly encoded": the pass goes on to client_secret_post.
    let transport = Scripted::new([
        oauth_error(401, "invalid_client"),
        oauth_error(400, "invalid_request"),
        token("t1", 3600, None),
    ]);
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    assert_eq!(authorizations(&transport), expect(&[PERCENT, RAW, POST]));
    assert_eq!(transport.bodies()[2], POST_BODY);

    // Outside a pass, invalid_request is the request's fault, not the client's: no fallback.
    let transport = Scripted::new([oauth_error(400, "invalid_request"), token("t1", 3600, None)]);
    let source = TokenSource::builder(auto_config(), transport.clone(), Virtual::new())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(source.token().await.unwrap_err().code(), Some(&ErrorCode::InvalidRequest));
    assert_eq!(authorizations(&transport), expect(&[PERCENT]));

    // Every method refused this way: the first method's error, all three tried.
    let transport = Scripted::new([
        oauth_error(401, "invalid_client"),
        oauth_error(400, "invalid_request"),
        oauth_error(401, "invalid_client"),
    ]);
    let source = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    let error = source.token().await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
    assert!(
        matches!(&error, ClientError::Token { tried_auth, .. } if tried_auth == &[PERCENT_METHOD, RAW_METHOD, AuthMethod::Post]),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_client_id_with_a_colon_skips_raw_basic_and_gets_a_token_in_the_body() {
    // RFC 6749 allows a `:` in a client id; raw Basic (RFC 7617 §2) cannot carry one. The
    // default generic profile lists raw Basic among its fallbacks: it is skipped, not fatal.
    let profile =
        oauth_providers::rfc6749::client_credentials("http://127.0.0.1:9/token", "urn:app:1", "s3cr3t").unwrap();
    let transport = Scripted::new([oauth_error(401, "invalid_client"), token("t1", 3600, None)]);
    let source = TokenSource::new(profile, transport.clone(), Virtual::new()).unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    // base64("urn%3Aapp%3A1:s3cr3t"), then no header: the credentials went in the body.
    assert_eq!(authorizations(&transport), expect(&[Some("Basic dXJuJTNBYXBwJTNBMTpzM2NyM3Q="), POST]));
    assert_eq!(transport.bodies()[1], "grant_type=client_credentials&client_id=urn%3Aapp%3A1&client_secret=s3cr3t");
}

#[tokio::test(start_paused = true)]
async fn a_learned_method_passed_to_the_next_source_is_where_it_starts() {
    // The first source learns that only the body works; a second one, told so, sends the body
    // at once (a refresh token, which is never replayed with another method, then gets through).
    let transport = Scripted::new([
        oauth_error(401, "invalid_client"),
        oauth_error(401, "invalid_client"),
        token("t1", 299, None),
        token("t2", 299, None),
    ]);
    let first = TokenSource::new(auto_config(), transport.clone(), Virtual::new()).unwrap();
    first.token().await.unwrap();
    let learned = first.auth_method().expect("a method");
    assert_eq!(learned, oauth_core::AuthMethod::Post);
    let second = TokenSource::builder(auto_config(), transport.clone(), Virtual::new())
        .start_with_auth(learned)
        .build()
        .unwrap();
    assert_eq!(second.token().await.unwrap().secret(), "t2");
    assert_eq!(transport.calls(), 4, "the second source sent one request");
    assert!(transport.authorizations()[3].is_none(), "with the body, not Basic");
}
