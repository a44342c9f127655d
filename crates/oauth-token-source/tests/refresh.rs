//! Refresh ahead of expiry and refresh tokens: no caller waits while a valid token exists, a
//! failed refresh leaves the old token serving, refresh tokens are kept or rotated.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth_core::ErrorCode;
use oauth_token_source::{ClientError, RetryPolicy, TokenSource, TransportErrorKind};
use support::{Gate, Reply, Scripted, Virtual, config, experience, fail, oauth_error, settle, token};

/// An MXO answer as the vendor documents it (seed `000`: lower-case `bearer`, `expires_in` 299,
/// a `jti`), with the JWT shortened to a name.
fn mxo_answer(access: &str) -> Reply {
    Reply::Http(
        200,
        vec![],
        format!(
            r#"{{"access_token":"{access}","token_type":"bearer","expires_in":299,"jti":"1a9b1856-40b0-45d8-9758-8d17a81c19a7"}}"#
        ),
    )
}

#[tokio::test(start_paused = true)]
async fn refresh_ahead_over_a_hundred_lifetimes_never_makes_a_caller_wait() {
    // With the default 60 s skew being half of a 120 s lifetime, each token's refresh window
    // opens 60 s after it was requested.
    const LIFETIME: Duration = Duration::from_secs(120);
    const WINDOW_OPENS: Duration = Duration::from_secs(60);
    let replies = (0..=100).map(|i| token(&format!("t{i}"), LIFETIME.as_secs(), None));
    let transport = Scripted::new(replies).with_latency(Duration::from_millis(50));
    let runtime = Virtual::new();
    let source = TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap();
    assert_eq!(source.token().await.unwrap().secret(), "t0", "the cold fetch, the one call allowed to wait");

    // How waiting is counted: under paused time the clock moves only when every task is idle,
    // and each token request takes 50 ms of it. A caller that waited on a fetch (as the fetcher
    // or as a waiter) therefore returns `Pending` at least once *and* sees the clock move; one
    // served from the cache or handed the current token during a refresh does neither.
    // `experience` records both, and a caller counts as waiting if either happened.
    //
    // Callers come three at a time, 20 ms apart, every second: the first of a group in the
    // window starts the refresh, the next two arrive while its 50 ms request is in flight.
    let mut callers = 0;
    let mut waited = 0;
    while transport.calls() < 101 {
        for _ in 0..3 {
            let (token, experienced) = experience(source.token()).await;
            let token = token.unwrap();
            callers += 1;
            if !experienced.at_once() {
                waited += 1;
            }
            // The token served is valid: token `tN` came from request N.
            let n: usize = token.secret()[1..].parse().unwrap();
            let requested = transport.sent()[n].at;
            assert!(tokio::time::Instant::now() < requested + LIFETIME, "{} served after it expired", token.secret());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(940)).await;
        assert!(runtime.elapsed() < Duration::from_secs(101 * 120), "refreshes stopped");
    }
    assert_eq!(waited, 0, "{waited} of {callers} callers waited for a token fetch");
    // One refresh per lifetime, inside the window of the token before it.
    let times = transport.times_since(runtime.start());
    for (n, pair) in times.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        assert!(gap >= WINDOW_OPENS && gap < LIFETIME, "request {} came {gap:?} after the one before", n + 1);
    }
}

#[tokio::test(start_paused = true)]
async fn an_mxo_299_second_token_is_fresh_at_issue_and_refreshed_before_expiry() {
    // (skew set, when the refresh window opens): the default 60 s skew, and 600 s capped at
    // half the lifetime.
    let cases = [(None, Duration::from_secs(239)), (Some(Duration::from_secs(600)), Duration::from_millis(149_500))];
    for (skew, window_opens) in cases {
        let transport = Scripted::new([mxo_answer("jwt-1"), mxo_answer("jwt-2")]);
        let runtime = Virtual::new();
        let start = runtime.start();
        // The vendor's documented example credentials.
        let profile = oauth_providers::mxo::profile(
            "eu2",
            "2e8fec0e-34fb-4851-800e-9989331e55d2",
            "d7f4484f-9817-4778-9161-6eb06d1f6cf7",
        )
        .unwrap();
        let mut builder = TokenSource::builder(profile, transport.clone(), runtime.clone());
        if let Some(skew) = skew {
            builder = builder.refresh_skew(skew);
        }
        let source = builder.build().unwrap();

        assert_eq!(source.token().await.unwrap().secret(), "jwt-1");
        let (again, at_issue) = experience(source.token()).await;
        assert_eq!(again.unwrap().secret(), "jwt-1");
        settle().await;
        assert!(at_issue.at_once(), "{skew:?}");
        assert_eq!(transport.calls(), 1, "{skew:?}: not stale on arrival");

        tokio::time::sleep_until(start + window_opens - Duration::from_millis(1)).await;
        assert_eq!(source.token().await.unwrap().secret(), "jwt-1");
        settle().await;
        assert_eq!(transport.calls(), 1, "{skew:?}: no refresh before the window");

        tokio::time::sleep_until(start + window_opens).await;
        // Whatever marks the window open at this instant gets to run first.
        settle().await;
        let (current, in_window) = experience(source.token()).await;
        assert_eq!(current.unwrap().secret(), "jwt-1", "{skew:?}");
        assert!(in_window.at_once(), "{skew:?}");
        settle().await;
        assert_eq!(transport.calls(), 2, "{skew:?}: refreshed as the window opened");
        assert_eq!(source.token().await.unwrap().secret(), "jwt-2", "{skew:?}");
        assert!(runtime.elapsed() < Duration::from_secs(299), "{skew:?}: before the first token expired");
        assert_eq!(
            transport.authorizations()[1].as_deref(),
            Some(
                "Basic MmU4ZmVjMGUtMzRmYi00ODUxLTgwMGUtOTk4OTMzMWU1NWQyOmQ3ZjQ0ODRmLTk4MTctNDc3OC05MTYxLTZlYjA2ZDFmNmNmNw=="
            ),
            "the vendor's documented header"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_refresh_leaves_the_valid_token_serving_then_a_typed_error_at_expiry_then_recovery() {
    let transport = Scripted::new([token("t1", 120, None), fail(TransportErrorKind::Connect)]);
    let runtime = Virtual::new();
    let start = runtime.start();
    let reported: Arc<Mutex<Vec<ClientError>>> = Arc::default();
    let source = TokenSource::builder(config(), transport.clone(), runtime.clone())
        .retry(RetryPolicy::none())
        .on_refresh_error({
            let reported = reported.clone();
            move |error| reported.lock().unwrap().push(error.clone())
        })
        .build()
        .unwrap();
    source.token().await.unwrap();

    // A caller every second through the whole refresh window (60 s to 120 s).
    tokio::time::sleep_until(start + Duration::from_secs(60)).await;
    let mut callers = 0;
    while runtime.elapsed() < Duration::from_secs(120) {
        let (token, experienced) = experience(source.token()).await;
        assert_eq!(token.unwrap().secret(), "t1", "at {:?}", runtime.elapsed());
        assert!(experienced.at_once(), "at {:?}", runtime.elapsed());
        callers += 1;
        settle().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let refreshes = transport.calls() - 1;
    let reported = reported.lock().unwrap().clone();
    assert!(refreshes >= 2, "the refresh was tried again");
    assert!(refreshes < callers / 4, "a failing refresh backs off: {refreshes} tries for {callers} callers");
    assert_eq!(reported.len(), refreshes, "every failed refresh is reported");
    assert!(
        reported.iter().all(|e| matches!(e, ClientError::Transport(t) if *t.kind() == TransportErrorKind::Connect))
    );

    // Expired: now the caller gets the transport's error, typed.
    let error = source.token().await.unwrap_err();
    assert!(matches!(&error, ClientError::Transport(t) if *t.kind() == TransportErrorKind::Connect), "{error:?}");

    transport.script([token("t2", 120, None)]);
    assert_eq!(source.token().await.unwrap().secret(), "t2");
}

/// Which way the second and third tokens are fetched.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// After the token expired, by the caller.
    AtExpiry,
    /// In the refresh window, in the background.
    Ahead,
}

#[tokio::test(start_paused = true)]
async fn a_refresh_token_is_kept_when_the_answer_has_none_and_replaced_when_rotated() {
    // (answers, the refresh token the third request must carry)
    let cases = [
        ([token("t1", 120, Some("r1")), token("t2", 120, None), token("t3", 120, None)], "r1"),
        ([token("t1", 120, Some("r1")), token("t2", 120, Some("r2")), token("t3", 120, None)], "r2"),
    ];
    for path in [Path::AtExpiry, Path::Ahead] {
        for (replies, third_carries) in cases.clone() {
            let transport = Scripted::new(replies);
            let source = TokenSource::new(config(), transport.clone(), Virtual::new()).unwrap();
            for expected in ["t1", "t2", "t3"] {
                match path {
                    Path::AtExpiry => {}
                    Path::Ahead => {
                        source.token().await.unwrap();
                        settle().await;
                    }
                }
                assert_eq!(source.token().await.unwrap().secret(), expected, "{path:?}");
                let wait = match path {
                    Path::AtExpiry => 120,
                    Path::Ahead => 61,
                };
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            let bodies = transport.bodies();
            assert_eq!(bodies.len(), 3, "{path:?}: {bodies:?}");
            assert!(bodies[0].starts_with("grant_type=client_credentials&"), "{bodies:?}");
            assert!(bodies[1].starts_with("grant_type=refresh_token&"), "{bodies:?}");
            assert!(bodies[1].ends_with("&refresh_token=r1"), "{bodies:?}");
            assert!(bodies[2].ends_with(&format!("&refresh_token={third_carries}")), "{path:?}: {bodies:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_refresh_token_falls_back_to_the_primary_grant_once() {
    let password = || {
        oauth_providers::cloudcx::password("cx.cloudfon.net:9001", "2603", "6d62", "agent", "pa55")
            .unwrap()
            .token_config()
            .unwrap()
            .clone()
    };
    type MakeConfig = fn() -> oauth_core::TokenConfig;
    let grants: [(&str, MakeConfig, &str); 2] = [
        ("client_credentials", config, "grant_type=client_credentials&"),
        ("password", password, "grant_type=password&"),
    ];
    for (grant, make_config, primary) in grants {
        // The primary grant works.
        let transport =
            Scripted::new([token("t1", 120, Some("r1")), oauth_error(400, "invalid_grant"), token("t2", 120, None)]);
        let source = TokenSource::new(make_config(), transport.clone(), Virtual::new()).unwrap();
        source.token().await.unwrap();
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(source.token().await.unwrap().secret(), "t2", "{grant}");
        let bodies = transport.bodies();
        assert_eq!(bodies.len(), 3, "{grant}: {bodies:?}");
        assert!(bodies[1].contains("refresh_token=r1"), "{grant}: {bodies:?}");
        assert!(bodies[2].starts_with(primary), "{grant}: {bodies:?}");

        // The primary grant fails too: its error, and no loop.
        let transport = Scripted::new([
            token("t1", 120, Some("r1")),
            oauth_error(400, "invalid_grant"),
            oauth_error(401, "invalid_client"),
            token("t2", 120, None),
        ]);
        let source = TokenSource::new(make_config(), transport.clone(), Virtual::new()).unwrap();
        source.token().await.unwrap();
        tokio::time::sleep(Duration::from_secs(120)).await;
        let error = source.token().await.unwrap_err();
        assert_eq!(error.code(), Some(&ErrorCode::InvalidClient), "{grant}: {error:?}");
        settle().await;
        assert_eq!(transport.calls(), 3, "{grant}: one refresh, one primary");
        // The refused refresh token is gone: the next call uses the primary grant.
        assert_eq!(source.token().await.unwrap().secret(), "t2", "{grant}");
        assert!(transport.bodies()[3].starts_with(primary), "{grant}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_refresh_token_refused_while_callers_wait_at_expiry_falls_back_to_the_primary_grant() {
    // The first caller in the window comes a second before expiry; the refresh it starts is
    // still in the transport when the token expires, so the next caller waits for it. The
    // server then refuses the refresh token: that caller should get a token from the primary
    // grant, as a caller doing the refresh itself would.
    let gate = Gate::closed();
    let transport = Scripted::new([
        token("t1", 120, Some("r1")),
        Reply::Gated(gate.clone(), Box::new(oauth_error(400, "invalid_grant"))),
        token("t2", 120, None),
    ]);
    let runtime = Virtual::new();
    let start = runtime.start();
    let source = TokenSource::new(config(), transport.clone(), runtime.clone()).unwrap();
    source.token().await.unwrap();

    tokio::time::sleep_until(start + Duration::from_secs(119)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    settle().await;
    assert_eq!(transport.calls(), 2, "the refresh is in the transport");

    tokio::time::sleep_until(start + Duration::from_secs(120)).await;
    let waiter = tokio::spawn({
        let source = source.clone();
        async move { source.token().await }
    });
    settle().await;
    gate.open();
    let result = waiter.await.unwrap();
    assert_eq!(result.map(|t| t.secret().to_owned()).map_err(|e| e.to_string()), Ok("t2".to_owned()));
    assert!(transport.bodies()[2].starts_with("grant_type=client_credentials&"));
}

#[tokio::test(start_paused = true)]
async fn a_refresh_token_refused_ahead_of_expiry_is_reported_and_the_primary_grant_refreshes() {
    let reported: Arc<Mutex<Vec<ClientError>>> = Arc::default();
    let transport =
        Scripted::new([token("t1", 120, Some("r1")), oauth_error(400, "invalid_grant"), token("t2", 120, None)]);
    let source = TokenSource::builder(config(), transport.clone(), Virtual::new())
        .on_refresh_error({
            let reported = reported.clone();
            move |error| reported.lock().unwrap().push(error.clone())
        })
        .build()
        .unwrap();
    source.token().await.unwrap();

    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    settle().await;
    assert_eq!(reported.lock().unwrap().len(), 1);
    assert_eq!(reported.lock().unwrap()[0].code(), Some(&ErrorCode::InvalidGrant));

    // Still in the window: the next caller gets the valid token and a primary-grant refresh.
    assert_eq!(source.token().await.unwrap().secret(), "t1");
    settle().await;
    assert_eq!(source.token().await.unwrap().secret(), "t2");
    let bodies = transport.bodies();
    assert_eq!(bodies.len(), 3);
    assert!(bodies[2].starts_with("grant_type=client_credentials&"), "{bodies:?}");
}
