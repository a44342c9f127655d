//! `oauth token`: every provider, every format, and the cache between invocations.

use oauth_testkit::{BrightPattern, CloudCx, Mxo, Rfc6749};

use crate::support::{Sandbox, blocking, run};

/// The flags and environment that reach each emulator.
pub(crate) fn mxo_sandbox(mxo: &Mxo) -> (Sandbox, Vec<String>) {
    let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", mxo.credentials().client_secret());
    let flags = vec![
        "--provider".into(),
        "mxo".into(),
        "--server".into(),
        mxo.uri(),
        "--client-id".into(),
        mxo.credentials().client_id().into(),
    ];
    (sandbox, flags)
}

pub(crate) fn cloudcx_sandbox(cx: &CloudCx) -> (Sandbox, Vec<String>) {
    let c = cx.credentials();
    let sandbox =
        Sandbox::new().env("OAUTH_CLIENT_SECRET", c.client_secret()).env("OAUTH_PASSWORD", c.password().unwrap());
    let flags = vec![
        "--provider".into(),
        "cloudcx".into(),
        "--domain".into(),
        cx.uri(),
        "--client-id".into(),
        c.client_id().into(),
        "--username".into(),
        c.username().unwrap().into(),
    ];
    (sandbox, flags)
}

pub(crate) fn bright_pattern_sandbox(bp: &BrightPattern) -> (Sandbox, Vec<String>) {
    let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", bp.credentials().client_secret());
    let flags = vec![
        "--provider".into(),
        "bright-pattern".into(),
        "--host".into(),
        bp.uri(),
        "--tenant".into(),
        bp.tenant().into(),
        "--client-id".into(),
        bp.credentials().client_id().into(),
    ];
    (sandbox, flags)
}

pub(crate) fn rfc6749_sandbox(server: &Rfc6749) -> (Sandbox, Vec<String>) {
    let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", server.credentials().client_secret());
    let flags =
        vec!["--token-url".into(), server.token_url(), "--client-id".into(), server.credentials().client_id().into()];
    (sandbox, flags)
}

fn with(flags: &[String], more: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = more.iter().map(|s| (*s).to_owned()).collect();
    all.splice(1..1, flags.iter().cloned());
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_prints_a_token_in_every_format() {
    let (mxo, cx, bp, rfc) = tokio::join!(Mxo::start(), CloudCx::start(), BrightPattern::start(), Rfc6749::start());
    let cases = [
        ("mxo", mxo_sandbox(&mxo), mxo.controls()),
        ("cloudcx", cloudcx_sandbox(&cx), cx.controls()),
        ("bright-pattern", bright_pattern_sandbox(&bp), bp.controls()),
        ("rfc6749", rfc6749_sandbox(&rfc), rfc.controls()),
    ];
    for (name, (sandbox, flags), controls) in cases {
        let (sandbox, token) = run(sandbox, with(&flags, &["token", "--no-cache"])).await;
        token.code(0);
        let printed = token.stdout.trim_end_matches('\n');
        assert!(!printed.is_empty() && !printed.contains(['\n', ' ']), "{name}: {:?}", token.stdout);
        assert!(token.stderr.is_empty(), "{name}: {}", token.stderr);

        let (sandbox, header) = run(sandbox, with(&flags, &["token", "--no-cache", "--format", "header"])).await;
        header.code(0);
        assert!(
            header.stdout.starts_with("Authorization: Bearer ") && header.stdout.ends_with('\n'),
            "{name}: {}",
            header.stdout
        );

        let (_sandbox, json) = run(sandbox, with(&flags, &["token", "--no-cache", "--format", "json"])).await;
        json.code(0);
        let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert!(value["access_token"].as_str().is_some_and(|t| !t.is_empty()), "{name}: {value}");
        assert_eq!(value["token_type"], "Bearer", "{name}");
        let expires_in = value["expires_in"].as_u64().unwrap_or_else(|| panic!("{name}: {value}"));
        assert!(expires_in > 0 && expires_in <= 3600, "{name}: {expires_in}");
        assert!(value["expires_at"].as_str().is_some_and(|at| at.ends_with('Z') && at.len() == 20), "{name}: {value}");
        assert!(value.get("refresh_token").is_none(), "{name}: a refresh token without --show-refresh-token");
        assert_eq!(controls.token_requests(), 3, "{name}: --no-cache fetches every time");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_serves_the_next_call_and_ignores_a_corrupt_file() {
    let mxo = Mxo::start().await;
    let (sandbox, flags) = mxo_sandbox(&mxo);
    let (sandbox, first) = run(sandbox, with(&flags, &["token"])).await;
    first.code(0);
    let (sandbox, second) = run(sandbox, with(&flags, &["token"])).await;
    second.code(0);
    assert_eq!(second.stdout, first.stdout, "the cached token");
    assert_eq!(mxo.controls().token_requests(), 1, "the second call made no request");

    // Every entry overwritten with garbage: ignored, a new token fetched, no error.
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::write(&path, b"{\"v\":1,\"garbage").unwrap();
        }
    }
    let (sandbox, third) = run(sandbox, with(&flags, &["token", "-v"])).await;
    third.code(0);
    assert!(third.stderr.contains("cache entry unreadable; ignored"), "{}", third.stderr);
    assert_eq!(mxo.controls().token_requests(), 2);

    // The JSON format of the same token comes from the cache too.
    let (_sandbox, json) = run(sandbox, with(&flags, &["token", "--format", "json"])).await;
    json.code(0);
    assert_eq!(mxo.controls().token_requests(), 2, "json from the cache too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_secret_misses_the_cache_and_fails_loudly() {
    let mxo = Mxo::start().await;
    let (sandbox, flags) = mxo_sandbox(&mxo);
    let (sandbox, first) = run(sandbox, with(&flags, &["token"])).await;
    first.code(0);
    let sandbox = sandbox.env("OAUTH_CLIENT_SECRET", "not-the-secret");
    let (_sandbox, wrong) = run(sandbox, with(&flags, &["token"])).await;
    wrong.code(3).one_line_error("refused");
    assert!(wrong.stdout.is_empty(), "no token printed: {}", wrong.stdout);
    assert_eq!(mxo.controls().token_requests(), 2, "the wrong secret was sent, not served from the cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_its_refresh_window_is_replaced_and_the_refresh_token_shown_only_when_asked() {
    let cx = CloudCx::builder().expires_in(2).start().await;
    let (sandbox, flags) = cloudcx_sandbox(&cx);
    // A 2 s token enters its refresh window after 1 s (the skew is capped at half the lifetime).
    let (sandbox, first) = run(sandbox, with(&flags, &["token", "--format", "json", "--show-refresh-token"])).await;
    first.code(0);
    let value: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert!(value["refresh_token"].as_str().is_some_and(|t| !t.is_empty()), "{value}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_sandbox, second) = run(sandbox, with(&flags, &["token", "-v"])).await;
    second.code(0);
    assert_ne!(second.stdout.trim(), value["access_token"].as_str().unwrap(), "a token in its window is replaced");
    assert!(second.stderr.contains("due for refresh"), "{}", second.stderr);
    assert_eq!(cx.controls().token_requests(), 2);
    let requests = cx.controls().received_requests().await;
    let body = String::from_utf8_lossy(&requests.last().unwrap().body).into_owned();
    assert!(body.starts_with("grant_type=refresh_token"), "refreshed with the cached refresh token: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudcx_with_an_api_key_needs_no_client_id_and_no_exchange() {
    let cx = CloudCx::start().await;
    let sandbox = Sandbox::new().env("OAUTH_API_KEY", cx.api_key());
    let args = [
        "token".to_owned(),
        "--provider".into(),
        "cloudcx".into(),
        "--domain".into(),
        cx.uri(),
        "--format".into(),
        "header".into(),
    ];
    let output = blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        // The canary list holds the key, but printing it is this command's job: check by hand.
        let mut sandbox = sandbox;
        sandbox.secrets.clear();
        sandbox.run(&refs)
    })
    .await;
    output.code(0);
    assert_eq!(output.stdout, format!("Authorization: Bearer {}\n", cx.api_key()));
    assert!(output.stderr.is_empty(), "nothing on stderr, the key least of all: {}", output.stderr);
    assert_eq!(cx.controls().token_requests(), 0);
}
