//! Every fault the testkit injects at a token endpoint → the typed error, or the documented
//! recovery; the API is never called without a token.

use std::time::{Duration, Instant};

use http::StatusCode;
use oauth_core::{ProtocolErrorKind, TokenError};
use oauth_testkit::{BrightPattern, CloudCx, Controls, Fault, Mxo, Rfc6749};
use oauth_token_source::{ClientError, RetryPolicy, TransportErrorKind};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::emulator::{Counts, form_field, token_requests};
use crate::stack::{ApiCall, Settings, Stack};

/// The transport timeout where a scenario needs one to run out, and an answer slow enough to
/// make it: far apart, so the timeout is certain, and a prompt answer is in time even on a busy
/// machine (a 10 MiB answer may take longer than this to start: those keep the default).
const TIMEOUT: Duration = Duration::from_secs(1);
const SLOW: Fault = Fault::Slow(Duration::from_secs(5));

const fn counts(tokens: usize, api: usize) -> Counts {
    Counts { tokens, api }
}

/// The transport error's kind, or a panic naming what came instead.
fn transport_kind(error: &ClientError) -> &TransportErrorKind {
    match error {
        ClientError::Transport(error) => error.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// 503 once: retried after a backoff, and the call goes through.
pub(crate) async fn unavailable_then_recovered(stack: Stack) {
    let mxo = Mxo::start().await;
    mxo.controls().fail_next(Fault::Status(503), 1);
    let client = stack.client(mxo.profile(), Settings::default());
    client.ok(&ApiCall::mxo(&mxo), "a call whose first token request meets a 503").await;
    assert_eq!(Counts::of(mxo.controls()), counts(2, 1), "the 503, the retry, the API call");
}

/// 429 with `Retry-After: 1` (and Bright Pattern's `errorCode` 12 body): the retry waits at
/// least that second. A `Retry-After` longer than the policy honours is returned at once.
pub(crate) async fn rate_limited_honours_retry_after(stack: Stack) {
    let bp = BrightPattern::start().await;
    let call = ApiCall::bright_pattern(&bp);
    bp.controls().fail_next(Fault::RateLimited { retry_after_secs: 1 }, 1);
    // Bright Pattern's profile retries its API's bare 401 by itself.
    let client = stack.client(bp.profile(), Settings::default());
    let started = Instant::now();
    client.ok(&call, "a call whose first token request meets a 429").await;
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}, before Retry-After's 1 s");
    assert_eq!(Counts::of(bp.controls()), counts(2, 1));

    bp.controls().fail_next(Fault::RateLimited { retry_after_secs: 3600 }, 1);
    let impatient = Settings::default().retry(Settings::default().retry.with_max_retry_after(Duration::from_secs(5)));
    let client = stack.client(bp.profile(), impatient);
    let (error, _) = client.no_token(&call, "Retry-After past the policy's limit").await;
    let status = error.token_error().and_then(TokenError::status);
    assert_eq!(status, Some(StatusCode::TOO_MANY_REQUESTS), "{error}");
    assert!(error.is_retryable());
    assert_eq!(
        Counts::of(bp.controls()),
        counts(3, 1),
        "not retried: the server asked for longer than the policy waits"
    );
}

/// An answer slower than the transport's timeout: a `Timeout`, which is retryable — the next
/// call (or the policy's retry) gets the token.
pub(crate) async fn slow_answer_times_out(stack: Stack) {
    let cx = CloudCx::start().await;
    let call = ApiCall::cloudcx(&cx);
    let settings = Settings::default().timeout(TIMEOUT);

    cx.controls().fail_next(SLOW, 1);
    let once = stack.client(cx.profile(), settings.retry(RetryPolicy::none()));
    let (error, _) = once.no_token(&call, "a token request slower than the timeout").await;
    assert_eq!(transport_kind(&error), &TransportErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
    assert_eq!(Counts::of(cx.controls()), counts(1, 0));
    once.ok(&call, "the next call, answered promptly").await;
    assert_eq!(Counts::of(cx.controls()), counts(2, 1));

    cx.controls().fail_next(SLOW, 1);
    let retrying = stack.client(cx.profile(), settings);
    retrying.ok(&call, "a call whose first token request times out").await;
    assert_eq!(Counts::of(cx.controls()), counts(4, 2), "the timeout, the retry, the API call");
}

/// `200` with a body cut short: a protocol error, not retried (the same answer would come back).
pub(crate) async fn malformed_body_is_not_retried(stack: Stack) {
    let server = Rfc6749::start().await;
    server.controls().fail_next(Fault::MalformedBody, 1);
    let client = stack.client(server.profile(), Settings::default());
    let (error, _) = client.no_token(&ApiCall::rfc6749(&server), "a malformed token answer").await;
    match error.token_error() {
        Some(TokenError::Protocol(protocol)) => {
            assert!(matches!(protocol.kind, ProtocolErrorKind::NotJson { .. }), "{error}");
            assert_eq!(protocol.status, StatusCode::OK);
        }
        _ => panic!("expected a protocol error, got {error:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(Counts::of(server.controls()), counts(1, 0), "one token request, no API call");
}

/// A redirect from the token endpoint is never followed: a `Redirect` error naming where it
/// pointed, and the target never hears of the request (its credentials included).
pub(crate) async fn redirect_is_not_followed(stack: Stack) {
    let mxo = Mxo::start().await;
    let target = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).named("redirect target").mount(&target).await;
    let location = format!("{}/one/oauth2token", target.uri());
    let client = stack.client(mxo.profile(), Settings::default());

    for (n, status) in [302_u16, 307, 308].into_iter().enumerate() {
        mxo.controls().fail_next(Fault::Redirect { status, location: location.clone() }, 1);
        let (error, _) = client.no_token(&ApiCall::mxo(&mxo), &format!("a {status} from the token endpoint")).await;
        match transport_kind(&error) {
            TransportErrorKind::Redirect { status: got, location: Some(to) } => {
                assert_eq!((got.as_u16(), to.as_str()), (status, location.as_str()));
            }
            other => panic!("{status}: expected a redirect naming its location, got {other:?}"),
        }
        assert!(error.to_string().contains(&location), "{status}: the message names the location: {error}");
        assert!(!error.is_retryable());
        assert_eq!(Counts::of(mxo.controls()), counts(n + 1, 0), "{status}: one token request, not retried");
    }
    let reached = target.received_requests().await.expect("recording is on");
    assert!(reached.is_empty(), "the redirect target got {} request(s)", reached.len());

    client.ok(&ApiCall::mxo(&mxo), "a call once the redirects stop").await;
    assert_eq!(Counts::of(mxo.controls()), counts(4, 1));
}

/// A 10 MiB token answer is refused at the 1 MiB cap, not buffered; not retried.
pub(crate) async fn huge_body_is_capped(stack: Stack) {
    let cx = CloudCx::start().await;
    cx.controls().fail_next(Fault::HugeBody(10 * 1024 * 1024), 1);
    let client = stack.client(cx.profile(), Settings::default());
    let (error, _) = client.no_token(&ApiCall::cloudcx(&cx), "a 10 MiB token answer").await;
    assert_eq!(
        transport_kind(&error),
        &TransportErrorKind::BodyTooLarge { limit: oauth_core::DEFAULT_MAX_BODY_BYTES },
        "{error}"
    );
    assert!(!error.is_retryable());
    assert_eq!(Counts::of(cx.controls()), counts(1, 0));

    client.ok(&ApiCall::cloudcx(&cx), "a call once answers are small again").await;
    assert_eq!(Counts::of(cx.controls()), counts(2, 1));
}

/// 5xx on every attempt: the server's error after exactly the policy's number of attempts.
pub(crate) async fn endless_5xx_stops_at_max_attempts(stack: Stack) {
    const ATTEMPTS: u32 = 4;
    let server = Rfc6749::start().await;
    server.controls().fail_next(Fault::Status(500), 10);
    let policy = Settings::default().retry.with_max_attempts(ATTEMPTS);
    let client = stack.client(server.profile(), Settings::default().retry(policy));
    let (error, _) = client.no_token(&ApiCall::rfc6749(&server), "a token endpoint failing every time").await;
    let status = error.token_error().and_then(TokenError::status);
    assert_eq!(status, Some(StatusCode::INTERNAL_SERVER_ERROR), "the last answer's status: {error}");
    assert!(error.is_retryable(), "a 500 is worth retrying later");
    assert_eq!(Counts::of(server.controls()), counts(ATTEMPTS as usize, 0), "attempts = the policy's max_attempts");

    server.controls().clear_faults();
    client.ok(&ApiCall::rfc6749(&server), "a call once the server recovers").await;
    assert_eq!(Counts::of(server.controls()), counts(ATTEMPTS as usize + 1, 1));
}

/// A refresh whose answer is lost: the server rotated the refresh token, but its answer came
/// after the transport's timeout. The retry presents the old refresh token, which the server
/// refuses from then on; the source must then fall back to its primary grant (once) and carry
/// on — not keep presenting the dead refresh token.
async fn lost_refresh_answer(stack: Stack, vendor: &Controls, call: ApiCall, access: impl Into<oauth_core::Access>) {
    let client = stack.client(access, Settings::default().timeout(TIMEOUT));
    client.ok(&call, "first call (password grant)").await;

    vendor.fail_next(SLOW, 1);
    vendor.expire_all_tokens();
    client.ok(&call, "a call whose refresh answer is lost").await;
    let requests = vendor.received_requests().await;
    let grants: Vec<_> =
        token_requests(&requests).into_iter().map(|r| form_field(r, "grant_type").unwrap_or_default()).collect();
    assert_eq!(grants, ["password", "refresh_token", "refresh_token", "password"]);
    assert_eq!(Counts::of(vendor), counts(4, 3), "the refused call and its retry");

    client.ok(&call, "the call after").await;
    assert_eq!(Counts::of(vendor), counts(4, 4));
}

/// A generic RFC 6749 server refuses the dead refresh token with `invalid_grant` (§5.2).
pub(crate) async fn lost_refresh_answer_rfc6749(stack: Stack) {
    let server = Rfc6749::start().await;
    let profile = server.profile_builder().grant(oauth_core::Grant::password("alice", "wonder land")).build();
    lost_refresh_answer(
        stack,
        server.controls(),
        ApiCall::rfc6749(&server),
        profile.expect("an RFC 6749 password profile"),
    )
    .await;
}

/// CloudCX refuses the dead refresh token with its envelope: code `0001`, HTTP 401.
pub(crate) async fn lost_refresh_answer_cloudcx(stack: Stack) {
    let cx = CloudCx::start().await;
    lost_refresh_answer(stack, cx.controls(), ApiCall::cloudcx(&cx), cx.profile()).await;
}
