//! The behaviour suite: one set of scenarios, written once, run over both HTTP stacks
//! (reqwest with its middleware, hyper with the tower layer) against the testkit's emulators.
//!
//! - **Vendor flows** (`flows`): MXO, CloudCX by password (refreshing with the refresh token)
//!   and by API key, Bright Pattern, and a generic RFC 6749 server that makes the client learn
//!   its authentication — token → API call with the bearer → cached reuse → expiry → new token
//!   → the API's 401 → exactly one new token and one retried call.
//! - **Faults** (`faults`): each fault the testkit injects at the token endpoint gives its typed
//!   error or its documented recovery; a redirect is never followed; a 10 MiB answer is capped.
//! - **Canary scan** (`canary`): with distinctive secrets on the emulators, no log line
//!   (tracing at TRACE, captured globally) and no error or `Debug` rendering shows a secret or
//!   an issued token.
//!
//! Each test runs its scenario on both stacks at once (each on its own emulators) and names
//! the stack that failed. Time is real: lifetimes are two seconds, timings are asserted only
//! as lower bounds (`Retry-After`).

use std::future::Future;

#[path = "behaviour/canary.rs"]
mod canary;
#[path = "behaviour/emulator.rs"]
mod emulator;
#[path = "behaviour/faults.rs"]
mod faults;
#[path = "behaviour/flows.rs"]
mod flows;
#[path = "shared/panic_message.rs"]
mod panic_message;
#[path = "behaviour/stack.rs"]
mod stack;

use stack::{STACKS, Stack};

/// Runs `scenario` on every stack concurrently; fails naming each stack whose run panicked.
async fn on_every_stack<F, Fut>(scenario: F)
where
    F: Fn(Stack) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runs: Vec<_> = STACKS.into_iter().map(|stack| (stack, tokio::spawn(scenario(stack)))).collect();
    let mut failures = Vec::new();
    for (stack, run) in runs {
        if let Err(error) = run.await {
            let message = panic_message::panic_message(error);
            failures.push(format!("[{stack:?}] {message}"));
        }
    }
    assert!(failures.is_empty(), "failed on {} stack(s):\n{}", failures.len(), failures.join("\n"));
}

macro_rules! scenarios {
    ($($(#[doc = $doc:expr])* $test:ident => $scenario:path;)*) => {$(
        $(#[doc = $doc])*
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            on_every_stack($scenario).await;
        }
    )*};
}

scenarios! {
    /// MXO: raw Basic client_credentials; a new token after expiry and after the API's 401.
    mxo_flow_reuses_renews_and_retries_once => flows::mxo;
    /// CloudCX password grant: later tokens come by the (rotated) refresh token.
    cloudcx_password_flow_refreshes_with_the_refresh_token => flows::cloudcx_password;
    /// CloudCX API key: the key on every call, never a token request.
    cloudcx_api_key_flow_sends_no_token_request => flows::cloudcx_api_key;
    /// Bright Pattern: its bare 401 is retried by the profile's own rule, returned under a
    /// challenge-only rule.
    bright_pattern_flow_retries_its_bare_401 => flows::bright_pattern;
    /// RFC 6749: the refused Basic style falls back to the next, which is then kept.
    rfc6749_flow_learns_client_authentication => flows::rfc6749_auth_fallback;

    /// 503, then a token.
    fault_503_is_retried_and_recovers => faults::unavailable_then_recovered;
    /// 429 with `Retry-After`.
    fault_429_waits_for_retry_after => faults::rate_limited_honours_retry_after;
    /// An answer slower than the transport timeout.
    fault_slow_answer_is_a_retryable_timeout => faults::slow_answer_times_out;
    /// A malformed 200.
    fault_malformed_body_is_a_protocol_error_not_retried => faults::malformed_body_is_not_retried;
    /// 302, 307 and 308 from the token endpoint.
    fault_redirect_is_refused_and_not_followed => faults::redirect_is_not_followed;
    /// A 10 MiB token answer.
    fault_huge_body_is_capped => faults::huge_body_is_capped;
    /// A refresh answer lost to the timeout, the server having rotated the refresh token (RFC 6749).
    fault_lost_refresh_answer_falls_back_to_the_primary_grant_rfc6749 => faults::lost_refresh_answer_rfc6749;
    /// The same against CloudCX, which refuses a dead refresh token with `0001`/401.
    fault_lost_refresh_answer_falls_back_to_the_primary_grant_cloudcx => faults::lost_refresh_answer_cloudcx;
    /// 500 on every attempt.
    fault_endless_5xx_stops_after_max_attempts => faults::endless_5xx_stops_at_max_attempts;

    /// No secret or issued token in any log line, error or `Debug` rendering.
    canary_secrets_and_tokens_never_logged_or_rendered => canary::scan;
}

/// The canary scan finds what it must, and the log capture sees events from any task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_scan_finds_leaks_and_captures_every_task() {
    canary::self_check().await;
}
