//! `oauth call`: each vendor's API through the token, a refused token replaced once, the body
//! printed, CloudCX's envelope read, HTTP errors as exit code 1.

use oauth_testkit::{BrightPattern, CloudCx, Mxo};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Output, Sandbox, bearers, blocking};
use crate::token::{bright_pattern_sandbox, cloudcx_sandbox, mxo_sandbox};

async fn run_with(
    sandbox: Sandbox,
    flags: Vec<String>,
    args: Vec<String>,
    stdin: Option<&'static str>,
) -> (Sandbox, Output) {
    blocking(move || {
        let mut all: Vec<String> = vec!["call".into()];
        all.extend(flags);
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let output = sandbox.run_with_stdin(&refs, stdin);
        (sandbox, output)
    })
    .await
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_vendor_api_answers_through_the_token() {
    let (mxo, cx, bp) = tokio::join!(Mxo::start(), CloudCx::start(), BrightPattern::start());

    let (sandbox, flags) = mxo_sandbox(&mxo);
    let (_, out) = run_with(
        sandbox,
        flags,
        strings(&["POST", "/one/oauth2/rt/api/2.0/interaction?sk=ONE-ABC-1234", "--data", "-"]),
        Some(r#"{"uri":"https://example.com/"}"#),
    )
    .await;
    out.code(0).no_token_in_stderr(&bearers(mxo.controls()).await);
    let requests = mxo.controls().received_requests().await;
    let api = requests.last().unwrap();
    assert_eq!(api.headers.get("content-type").unwrap(), "application/json");
    assert_eq!(api.body, br#"{"uri":"https://example.com/"}"#);

    let (sandbox, flags) = cloudcx_sandbox(&cx);
    let (_, out) =
        run_with(sandbox, flags, strings(&["/openapi/v2/user/page?pageIndex=1&pageSize=25", "-v"]), None).await;
    out.code(0).no_token_in_stderr(&bearers(cx.controls()).await);
    assert!(out.stdout.starts_with("{\n  \"code\": \"0000\""), "pretty JSON in the server's order:\n{}", out.stdout);
    assert!(out.stderr.contains("HTTP 200 OK"), "the status line with -v: {}", out.stderr);
    assert!(out.stderr.contains("> authorization: Bearer [redacted]"), "{}", out.stderr);

    let (sandbox, flags) = bright_pattern_sandbox(&bp);
    let login = bp.credentials().client_id().to_owned();
    let (_, out) = run_with(sandbox, flags, vec![bp.user_url(&login)], None).await;
    out.code(0);
    assert!(serde_json::from_str::<serde_json::Value>(&out.stdout).is_ok(), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_cached_token_is_replaced_once_and_the_call_sent_again() {
    let cx = CloudCx::start().await;
    let (sandbox, flags) = cloudcx_sandbox(&cx);
    let page = strings(&["/openapi/v2/user/page?pageIndex=1&pageSize=5"]);
    let (sandbox, first) = run_with(sandbox, flags.clone(), page.clone(), None).await;
    first.code(0);
    cx.controls().expire_all_tokens();
    let (_, second) = run_with(sandbox, flags, page, None).await;
    second.code(0);
    assert_eq!(cx.controls().token_requests(), 2, "the cached token was refused, one new token fetched");
    assert_eq!(cx.controls().api_requests(), 3, "the refused call was sent again once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_and_cloudcx_envelopes_exit_1_with_the_body_printed() {
    let cx = CloudCx::start().await;
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/openapi/v2/refused"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"code":"1001","message":"No permission","data":null}"#, "application/json"),
        )
        .mount(&other)
        .await;
    Mock::given(method("GET"))
        .and(path("/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_raw("no such thing", "text/plain"))
        .mount(&other)
        .await;
    let (sandbox, flags) = cloudcx_sandbox(&cx);
    let (sandbox, envelope) =
        run_with(sandbox, flags.clone(), vec![format!("{}/openapi/v2/refused", other.uri())], None).await;
    envelope.code(1).one_line_error("code 1001");
    assert!(envelope.stderr.contains("No permission"), "{}", envelope.stderr);
    assert!(envelope.stdout.contains("\"code\": \"1001\""), "the body is still printed: {}", envelope.stdout);

    let (_, missing) = run_with(sandbox, flags, vec![format!("{}/missing", other.uri())], None).await;
    missing.code(1).one_line_error("404 Not Found");
    assert_eq!(missing.stdout, "no such thing");
}
