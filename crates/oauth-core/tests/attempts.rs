//! The decisions every driver executes, as tables: which answers refuse the client (and so move
//! to the next authentication method), which are retried and after how long, and when a fetch
//! gives up — each rule named with its source.

use std::time::{Duration, Instant, SystemTime};

use oauth_core::http::{HeaderValue, Response};
use oauth_core::{
    AttemptStep, Attempts, AuthFallback, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant,
    RefreshToken, RetryAfter, RetryPolicy, TokenConfig, TokenEndpoint, TokenError, TokenRequest, parse_token_response,
    refuses_client,
};

const PERCENT: AuthMethod = AuthMethod::Basic(BasicEncoding::Percent);
const RAW: AuthMethod = AuthMethod::Basic(BasicEncoding::Raw);
const POST: AuthMethod = AuthMethod::Post;
/// 2⁶³: the middle of the jitter range.
const MID: u64 = 1 << 63;

/// The server's answer read as the token source reads it.
fn answer(status: u16, body: &str, headers: &[(&str, &str)]) -> TokenError {
    let mut response = Response::builder().status(status).header("content-type", "application/json");
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    let response = response.body(body.as_bytes().to_vec()).expect("a valid response");
    parse_token_response(&oauth_core::Quirks::default(), &response, Instant::now()).expect_err("an error answer")
}

fn config(client_id: &str, fallbacks: &[AuthMethod], grant: Grant) -> TokenConfig {
    TokenConfig::new(
        TokenEndpoint::new("https://as.example/token").expect("https"),
        ClientAuth::basic(ClientId::new(client_id).expect("not empty"), ClientSecret::new("s3 cr:t")),
        TokenRequest::new(grant),
    )
    .with_auth_fallbacks(fallbacks.iter().copied())
}

struct Refusal {
    rule: &'static str,
    source: &'static str,
    error: TokenError,
    first_method: bool,
    in_pass: bool,
}

#[test]
fn refusals_of_the_client_are_told_from_other_errors() {
    let refusal = |rule, source, error, first_method, in_pass| Refusal { rule, source, error, first_method, in_pass };
    let table = [
        refusal(
            "invalid_client on 401",
            "RFC 6749 §5.2",
            answer(401, r#"{"error":"invalid_client"}"#, &[]),
            true,
            true,
        ),
        refusal(
            "invalid_client on 400",
            "RFC 6749 §5.2; Authlib answers 400 to an unknown id in the body (INTEROP notes)",
            answer(400, r#"{"error":"invalid_client"}"#, &[]),
            true,
            true,
        ),
        refusal("bare 401, no body", "servers that refuse without a body", answer(401, "", &[]), true, true),
        refusal("bare 400, no body", "servers that refuse without a body", answer(400, "", &[]), true, true),
        refusal("bare 403, no body", "servers that refuse without a body", answer(403, "", &[]), true, true),
        refusal(
            "400 invalid_request is the request's fault at first",
            "RFC 6749 §5.2: a malformed request, which another method would not fix",
            answer(400, r#"{"error":"invalid_request"}"#, &[]),
            false,
            true,
        ),
        refusal(
            "invalid_grant is never the client",
            "RFC 6749 §5.2",
            answer(400, r#"{"error":"invalid_grant"}"#, &[]),
            false,
            false,
        ),
        refusal(
            "unauthorized_client is a grant the client may not use",
            "RFC 6749 §5.2",
            answer(400, r#"{"error":"unauthorized_client"}"#, &[]),
            false,
            false,
        ),
        refusal("a 500 is the server's trouble", "RFC 9110 §15.6", answer(500, "", &[]), false, false),
        refusal(
            "a 401 with a body that is not OAuth",
            "a proxy's page: not a client refusal",
            answer(401, r#"{"message":"no"}"#, &[]),
            false,
            false,
        ),
    ];
    for Refusal { rule, source, error, first_method, in_pass } in table {
        assert_eq!(refuses_client(&error, false), first_method, "{rule} ({source}), first method");
        assert_eq!(refuses_client(&error, true), in_pass, "{rule} ({source}), inside a pass");
    }
}

#[test]
fn a_method_the_credentials_cannot_carry_is_skipped_not_fatal() {
    // RFC 7617 §2: a user-id containing a colon cannot be sent in raw Basic.
    let with_colon = AuthFallback::new(&config("urn:app:1", &[RAW, POST], Grant::ClientCredentials));
    let methods: Vec<_> = with_colon.methods().iter().map(ClientAuth::method).collect();
    assert_eq!(methods, [PERCENT, POST]);
    assert_eq!(with_colon.skipped(), [RAW]);

    let plain = AuthFallback::new(&config("app", &[RAW, POST], Grant::ClientCredentials));
    assert_eq!(plain.methods().len(), 3);
    assert!(plain.skipped().is_empty());
}

/// Drives one fetch: each answer in turn, returning what the attempts said after each.
fn drive(fallback: &AuthFallback, start: usize, grant: &Grant, answers: Vec<TokenError>) -> Vec<String> {
    let now = Instant::now();
    let mut attempts = Attempts::new(fallback, start, grant, RetryPolicy::default(), now);
    let mut said = Vec::new();
    for error in answers {
        let method = attempts.next_auth().method();
        let step = match attempts.failed(error, now, SystemTime::UNIX_EPOCH, MID) {
            AttemptStep::NextAuth => "next auth".to_owned(),
            AttemptStep::RetryAfter(wait) => format!("retry after {wait:?}"),
            AttemptStep::GiveUp { error, tried } => format!("give up with {:?} after {tried:?}", error.status()),
        };
        said.push(format!("{method:?}: {step}"));
    }
    said
}

#[test]
fn a_fallback_pass_tries_each_method_once_then_reports_the_first_refusal() {
    let fallback = AuthFallback::new(&config("app", &[RAW, POST], Grant::ClientCredentials));
    let refused = || answer(401, r#"{"error":"invalid_client"}"#, &[]);
    let oidc_provider_cannot_decode =
        answer(400, r#"{"error":"invalid_request","error_description":"not properly encoded"}"#, &[]);
    assert_eq!(
        drive(
            &fallback,
            0,
            &Grant::ClientCredentials,
            vec![refused(), oidc_provider_cannot_decode, answer(400, r#"{"error":"invalid_client"}"#, &[])]
        ),
        [
            "Basic(Percent): next auth",
            "Basic(Raw): next auth",
            "Post: give up with Some(401) after [Basic(Percent), Basic(Raw), Post]",
        ]
    );
}

#[test]
fn an_answer_past_client_authentication_at_the_end_of_the_pass_is_the_one_reported() {
    // Authlib with a wrong password: Basic is refused (401 invalid_client), the body gets the
    // client past authentication and the grant is refused (400 invalid_request). That last
    // answer says what is wrong; the first would blame the client secret.
    let fallback = AuthFallback::new(&config("app", &[RAW, POST], Grant::ClientCredentials));
    let refused = || answer(401, r#"{"error":"invalid_client"}"#, &[]);
    let wrong_password =
        answer(400, r#"{"error":"invalid_request","error_description":"Invalid 'username' or 'password'"}"#, &[]);
    assert_eq!(
        drive(&fallback, 0, &Grant::ClientCredentials, vec![refused(), refused(), wrong_password]),
        [
            "Basic(Percent): next auth",
            "Basic(Raw): next auth",
            "Post: give up with Some(400) after [Basic(Percent), Basic(Raw), Post]",
        ]
    );
}

#[test]
fn a_grant_that_is_not_safe_to_replay_never_falls_back() {
    // DESIGN decision 1: a rotating refresh token (like a code) may be spent by the first
    // request, so a second method would only be refused for the spent grant.
    let fallback = AuthFallback::new(&config("app", &[RAW, POST], Grant::ClientCredentials));
    let code = Grant::RefreshToken { refresh_token: RefreshToken::new("r1") };
    assert_eq!(
        drive(&fallback, 0, &code, vec![answer(401, r#"{"error":"invalid_client"}"#, &[])]),
        ["Basic(Percent): give up with Some(401) after []"]
    );
}

#[test]
fn the_method_that_worked_is_where_the_next_fetch_starts() {
    let fallback = AuthFallback::new(&config("app", &[RAW, POST], Grant::ClientCredentials));
    let now = Instant::now();
    let mut attempts: Attempts<'_, TokenError> =
        Attempts::new(&fallback, 0, &Grant::ClientCredentials, RetryPolicy::default(), now);
    let _ = attempts.next_auth();
    let step = attempts.failed(answer(401, r#"{"error":"invalid_client"}"#, &[]), now, SystemTime::UNIX_EPOCH, MID);
    assert!(matches!(step, AttemptStep::NextAuth));
    assert_eq!(attempts.next_auth().method(), RAW);
    assert_eq!(attempts.succeeded(), Some(1), "raw Basic is remembered");

    let again: Attempts<'_, TokenError> =
        Attempts::new(&fallback, 1, &Grant::ClientCredentials, RetryPolicy::default(), now);
    assert_eq!(again.auth().method(), RAW);
    assert_eq!(again.succeeded(), None, "nothing new learned");
    let out_of_range: Attempts<'_, TokenError> =
        Attempts::new(&fallback, 7, &Grant::ClientCredentials, RetryPolicy::default(), now);
    assert_eq!(out_of_range.auth().method(), PERCENT);
}

#[test]
fn retryable_answers_are_retried_with_backoff_within_the_attempts() {
    let fallback = AuthFallback::fixed(ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new("s")));
    let busy = || answer(503, r#"{"error":"temporarily_unavailable"}"#, &[]);
    // RFC 9110 §15.6.4 and RFC 6749 §5.2: a 503 / temporarily_unavailable is worth another
    // try; equal jitter waits between half and all of 200 ms, then 400 ms; the third failure
    // ends the default three attempts.
    assert_eq!(
        drive(&fallback, 0, &Grant::ClientCredentials, vec![busy(), busy(), busy()]),
        [
            "Basic(Percent): retry after 150ms",
            "Basic(Percent): retry after 300ms",
            "Basic(Percent): give up with Some(503) after []",
        ]
    );
    // RFC 6749 §5.2: invalid_grant is final.
    assert_eq!(
        drive(&fallback, 0, &Grant::ClientCredentials, vec![answer(400, r#"{"error":"invalid_grant"}"#, &[])]),
        ["Basic(Percent): give up with Some(400) after []"]
    );
}

#[test]
fn retry_after_replaces_the_backoff_up_to_the_policys_limit() {
    let policy = RetryPolicy::default();
    let epoch = SystemTime::UNIX_EPOCH;
    let cases: [(&str, Option<RetryAfter>, Option<Duration>); 5] = [
        ("seconds", Some(RetryAfter::Delay(Duration::from_secs(7))), Some(Duration::from_secs(7))),
        ("more than 30 s is refused", Some(RetryAfter::Delay(Duration::from_secs(31))), None),
        (
            "an HTTP-date 5 s ahead",
            Some(RetryAfter::Date(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:05 GMT"))),
            Some(Duration::from_secs(5)),
        ),
        (
            "an unreadable date means now",
            Some(RetryAfter::Date(HeaderValue::from_static("soon, friend GMT"))),
            Some(Duration::ZERO),
        ),
        ("none: the backoff", None, Some(Duration::from_millis(150))),
    ];
    for (name, retry_after, expected) in cases {
        assert_eq!(policy.delay(1, retry_after.as_ref(), epoch, MID), expected, "{name}");
    }
}

#[test]
fn the_backoff_doubles_to_its_cap_and_the_jitter_spans_half_of_it() {
    let policy = RetryPolicy::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1));
    let at = |retry, entropy| policy.delay(retry, None, SystemTime::UNIX_EPOCH, entropy).unwrap();
    assert_eq!(at(1, 0), Duration::from_millis(50));
    assert_eq!(at(2, 0), Duration::from_millis(100));
    assert_eq!(at(3, 0), Duration::from_millis(200));
    assert_eq!(at(9, 0), Duration::from_millis(500), "capped at 1 s, half of it fixed");
    assert!(at(9, u64::MAX) < Duration::from_secs(1) && at(9, u64::MAX) > Duration::from_millis(999));
    assert_eq!(at(u32::MAX, 0), Duration::from_millis(500), "no overflow on absurd retry numbers");
}

#[test]
fn extreme_durations_saturate_instead_of_panicking() {
    let fallback = AuthFallback::fixed(ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new("s")));
    let now = Instant::now();
    for deadline in [Duration::ZERO, Duration::from_nanos(1), Duration::from_secs(u64::MAX), Duration::MAX] {
        let policy = RetryPolicy::default()
            .with_deadline(deadline)
            .with_max_retry_after(Duration::MAX)
            .with_backoff(Duration::MAX, Duration::MAX);
        let mut attempts: Attempts<'_, TokenError> =
            Attempts::new(&fallback, 0, &Grant::ClientCredentials, policy, now);
        let _ = attempts.time_left(now);
        let _ = attempts.next_auth();
        let huge = answer(503, "", &[("retry-after", "18446744073709551615")]);
        let _ = attempts.failed(huge, now, SystemTime::UNIX_EPOCH, u64::MAX);
        let _ = policy.delay(u32::MAX, None, SystemTime::UNIX_EPOCH, u64::MAX);
    }
}
