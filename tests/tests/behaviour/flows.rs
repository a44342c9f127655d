//! Every vendor flow end to end: token → API call with bearer → cached reuse → expiry → new
//! token → the server drops every token → API `401` → one new token and one retried call.

use std::time::Duration;

use oauth_core::Access;
use oauth_testkit::{BrightPattern, CloudCx, Controls, Mxo, Rfc6749};
use oauth_token_source::RetryOn401;

use crate::emulator::{Counts, REFUSED, basic, bearers, form_field, token_requests};
use crate::stack::{ApiCall, Client, Settings, Stack};

/// The `expires_in` every flow's emulator announces: short, so expiry costs seconds.
const LIFETIME: Duration = Duration::from_secs(2);
/// Refresh ahead this long before expiry: the cached token is fresh for the first 1.75 s, far
/// longer than the two calls that must reuse it take.
const SKEW: Duration = Duration::from_millis(250);
/// Waited after the reuse step: past expiry on the client's clock (it counts from before the
/// request was sent), so the next call fetches — without a refresh-ahead race.
const PAST_EXPIRY: Duration = Duration::from_millis(2200);

/// The flow every vendor goes through, checking the emulator's counters at each step and, at
/// the end, which bearer each API request carried. `call` is the vendor's API call;
/// `first_fetch` is how many token requests the first token takes (more than one when client
/// authentication has to be learned). Returns the client, for the vendor's own checks.
async fn token_flow(
    stack: Stack,
    vendor: &Controls,
    call: ApiCall,
    access: impl Into<Access>,
    on_401: Option<RetryOn401>,
    first_fetch: usize,
) -> Client {
    vendor.set_expires_in(LIFETIME.as_secs());
    let settings = Settings::default().skew(SKEW);
    let client = stack.client(access, Settings { on_401, ..settings });
    let counts = |tokens, api| Counts { tokens, api };

    client.ok(&call, "first call").await;
    assert_eq!(Counts::of(vendor), counts(first_fetch, 1), "a token, then the API call with it");

    client.ok(&call, "second call").await;
    assert_eq!(Counts::of(vendor), counts(first_fetch, 2), "the cached token serves the second call");

    tokio::time::sleep(PAST_EXPIRY).await;
    client.ok(&call, "call after expiry").await;
    assert_eq!(Counts::of(vendor), counts(first_fetch + 1, 3), "one new token request after expiry");

    vendor.expire_all_tokens();
    client.ok(&call, "call after the server dropped every token").await;
    assert_eq!(Counts::of(vendor), counts(first_fetch + 2, 5), "the API's 401: one new token, one retried call");

    client.ok(&call, "call after the retry").await;
    assert_eq!(Counts::of(vendor), counts(first_fetch + 2, 6), "the new token is cached");

    let sent = bearers(&vendor.received_requests().await);
    assert_eq!(sent.len(), 6, "every API request carried a bearer token");
    // Compared without printing: the values are live tokens.
    assert!(sent[0] == sent[1], "the second call reused the first token");
    assert!(sent[1] != sent[2], "the call after expiry carried a new token");
    assert!(sent[2] == sent[3], "the refused call carried the token the server had dropped");
    assert!(sent[3] != sent[4], "the retry carried a new token");
    assert!(sent[4] == sent[5], "the call after the retry reused that token");
    client
}

/// MXO: raw Basic, client_credentials every time (MXO issues no refresh token).
pub(crate) async fn mxo(stack: Stack) {
    let mxo = Mxo::start().await;
    token_flow(stack, mxo.controls(), ApiCall::mxo(&mxo), mxo.profile(), Some(RetryOn401::InvalidToken), 1).await;

    let requests = mxo.controls().received_requests().await;
    let fetches = token_requests(&requests);
    assert_eq!(fetches.len(), 3);
    let expected = format!("{}:{}", mxo.credentials().client_id(), mxo.credentials().client_secret());
    for fetch in fetches {
        assert_eq!(fetch.body, b"grant_type=client_credentials");
        assert!(basic(fetch).is_some_and(|b| b == expected), "raw Basic with the id and secret as they are");
    }
}

/// CloudCX password grant: the first token by password, each later one by the refresh token
/// (rotated by the server, so each refresh must present the newest one).
pub(crate) async fn cloudcx_password(stack: Stack) {
    let cx = CloudCx::start().await;
    token_flow(stack, cx.controls(), ApiCall::cloudcx(&cx), cx.profile(), Some(RetryOn401::InvalidToken), 1).await;

    let requests = cx.controls().received_requests().await;
    let fetches = token_requests(&requests);
    let grants: Vec<_> = fetches.iter().map(|r| form_field(r, "grant_type").unwrap_or_default()).collect();
    assert_eq!(grants, ["password", "refresh_token", "refresh_token"]);
    let presented: Vec<_> = fetches.iter().filter_map(|r| form_field(r, "refresh_token")).collect();
    assert_eq!(presented.len(), 2);
    assert!(presented[0] != presented[1], "the second refresh presented the rotated refresh token");
    assert!(fetches[1..].iter().all(|r| form_field(r, "password").is_none()), "no password once refreshing");
}

/// CloudCX API key: no token request at all, whatever the API answers.
pub(crate) async fn cloudcx_api_key(stack: Stack) {
    let cx = CloudCx::start().await;
    let call = ApiCall::cloudcx(&cx);
    let client = stack.client(cx.api_key_profile(), Settings::default());
    assert!(client.source().is_static());

    client.ok(&call, "first call").await;
    client.ok(&call, "second call").await;
    cx.controls().expire_all_tokens();
    client.ok(&call, "call after the server dropped every token").await;
    assert_eq!(Counts::of(cx.controls()), Counts { tokens: 0, api: 3 });
    let sent = bearers(&cx.controls().received_requests().await);
    assert!(sent.len() == 3 && sent.iter().all(|key| key == cx.api_key()), "every call carried the key");

    // A refused key is answered as it is: a new "token" would be the same key.
    let wrong = oauth_providers::cloudcx::api_key(&cx.uri(), "cx-ak-not-the-key").expect("a key profile");
    let client = stack.client(wrong, Settings::default());
    assert_eq!(client.answer(&call, "a refused API key").await.status, REFUSED);
    assert_eq!(Counts::of(cx.controls()), Counts { tokens: 0, api: 4 }, "no retry, no token request");
}

/// Bright Pattern: `scope` = tenant, `expires_in` as a string.
pub(crate) async fn bright_pattern(stack: Stack) {
    let bp = BrightPattern::start().await;
    // Bright Pattern's API answers a stale token with `401 {"errorCode":2}` and no
    // `WWW-Authenticate` challenge; its profile says so (`RetryOn401::Any`), and the middleware
    // follows the profile with no setting from the caller.
    token_flow(stack, bp.controls(), ApiCall::bright_pattern(&bp), bp.profile(), None, 1).await;
    let before = Counts::of(bp.controls());

    // Told to wait for an `invalid_token` challenge, the middleware returns that bare 401 as is.
    let call = ApiCall::bright_pattern(&bp);
    let client = stack.client(bp.profile(), Settings::default().on_401(RetryOn401::InvalidToken));
    client.ok(&call, "first call, challenge-only policy").await;
    bp.controls().expire_all_tokens();
    assert_eq!(client.answer(&call, "a bare 401 under the challenge-only policy").await.status, REFUSED);
    assert_eq!(Counts::of(bp.controls()), Counts { tokens: before.tokens + 1, api: before.api + 2 }, "no retry");
}

/// A generic RFC 6749 server that reads Basic credentials verbatim, with a secret holding a
/// space: the profile's first style (percent-encoded Basic, `s3%20cr3t`) is refused, the
/// fallback (raw Basic) works, and every later fetch starts with the learned one.
pub(crate) async fn rfc6749_auth_fallback(stack: Stack) {
    let server = Rfc6749::raw_only().client("app", "s3 cr3t").start().await;
    token_flow(stack, server.controls(), ApiCall::rfc6749(&server), server.profile(), None, 2).await;

    let requests = server.controls().received_requests().await;
    let sent: Vec<_> = token_requests(&requests).into_iter().map(|r| basic(r).unwrap_or_default()).collect();
    assert_eq!(sent, ["app:s3%20cr3t", "app:s3 cr3t", "app:s3 cr3t", "app:s3 cr3t"]);
}
