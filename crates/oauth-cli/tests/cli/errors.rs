//! Errors a person can act on: one line on stderr, no secret, the documented exit code.

use oauth_testkit::{Fault, Mxo, Rfc6749};

use crate::support::{Sandbox, run, set_mode};
use crate::token::{mxo_sandbox, rfc6749_sandbox};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", "s3cr3t-canary");
    let cases: &[(&[&str], &str)] = &[
        (&["token", "--token-url", "https://as.example/t"], "needs --client-id"),
        (&["token", "--token-url", "http://as.example/t", "--client-id", "a"], "--allow-http"),
        (&["token", "--token-url", "not a url", "--client-id", "a"], "not a url"),
        (&["token", "--provider", "mxo", "--client-id", "a"], "needs --server"),
        (
            &["token", "--provider", "mxo", "--server", "eu2", "--client-id", "a", "--grant", "password"],
            "no --grant password",
        ),
        (&["token", "--provider", "mxo", "--server", "eu2", "--client-id", "a", "--auth", "post"], "--auth applies to"),
        (&["token", "no-such-profile"], "no profile `no-such-profile`"),
        (&["call", "--provider", "mxo", "--server", "eu2", "--client-id", "a", "ftp://x/y"], "not supported"),
        (&["call", "--provider", "mxo", "--server", "eu2", "--client-id", "a", "http://api.example/x"], "--allow-http"),
        (
            &["call", "--provider", "mxo", "--server", "eu2", "--client-id", "a", "https://x/y", "-H", "nocolon"],
            "Name: value",
        ),
    ];
    let mut sandbox = sandbox;
    for (list, needle) in cases {
        let (back, output) = run(sandbox, args(list)).await;
        sandbox = back;
        output.code(2).one_line_error(needle);
        assert!(!output.stderr.contains("k3y-canary"), "a header value repeated: {}", output.stderr);
    }
    // A provider clap does not know: its own usage message, exit 2.
    let (sandbox, unknown) = run(sandbox, args(&["token", "--provider", "okta"])).await;
    unknown.code(2).one_line_error("invalid value 'okta'");
    assert!(unknown.stderr.contains("possible values: rfc6749, mxo, cloudcx, bright-pattern"), "{}", unknown.stderr);
    // A flag of another provider, or a scope a vendor takes none of, is refused, not dropped.
    for (list, needle) in [
        (
            &["token", "--provider", "mxo", "--domain", "cx.example.com", "--client-id", "a"][..],
            "--domain applies to --provider cloudcx",
        ),
        (
            &["token", "--token-url", "https://as.example/t", "--tenant", "t", "--client-id", "a"][..],
            "--tenant applies to --provider bright-pattern",
        ),
        (
            &["token", "--provider", "mxo", "--server", "eu2", "--scope", "x", "--client-id", "a"][..],
            "asks for no scope",
        ),
    ] {
        let (_, output) = run(Sandbox::new().env("OAUTH_CLIENT_SECRET", "s3cr3t-canary"), args(list)).await;
        output.code(2).one_line_error(needle);
    }
    let (_, help) = run(sandbox, args(&["token", "--help"])).await;
    help.code(0);
    assert!(help.stdout.contains("Examples:"), "help still prints in full");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_missing_unreadable_or_too_open_exit_2() {
    let sandbox = Sandbox::new();
    let base = args(&["token", "--provider", "mxo", "--server", "eu2", "--client-id", "a"]);
    let (sandbox, missing) = run(sandbox, base.clone()).await;
    missing.code(2).one_line_error("missing client secret: set OAUTH_CLIENT_SECRET, --client-secret-file FILE");

    let open = sandbox.file("open-secret", "s3cr3t-in-open-file\n");
    set_mode(&open, 0o644);
    let mut with_file = base.clone();
    with_file.extend(["--client-secret-file".to_owned(), open.display().to_string()]);
    let (sandbox, too_open) = run(sandbox, with_file).await;
    too_open.code(2).one_line_error("chmod 600");
    assert!(!too_open.stderr.contains("s3cr3t-in-open-file"));

    let mut absent = base;
    absent.extend(["--client-secret-file".to_owned(), "/nonexistent/secret".to_owned()]);
    let (sandbox, unreadable) = run(sandbox, absent).await;
    unreadable.code(2).one_line_error("cannot read the client secret file /nonexistent/secret");

    // A profile whose `_env` holds the secret itself, pasted by mistake: not repeated.
    let config = sandbox.file("pasted.toml", "[profiles.p]\nprovider = \"mxo\"\nserver = \"eu2\"\nclient_id = \"a\"\nclient_secret_env = \"s3cr3t-pasted-into-env\"\n");
    let (_, pasted) = run(sandbox, args(&["token", "p", "--config", &config.display().to_string()])).await;
    pasted.code(2).one_line_error("not a variable name");
    assert!(!pasted.stderr.contains("s3cr3t-pasted"), "{}", pasted.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_refusal_exits_3_with_its_error_and_the_methods_tried() {
    let rfc = Rfc6749::start().await;
    let (sandbox, mut flags) = rfc6749_sandbox(&rfc);
    let sandbox = sandbox.env("OAUTH_CLIENT_SECRET", "wrong-secret-canary");
    flags.insert(0, "token".into());
    let (_, refused) = run(sandbox, flags).await;
    refused.code(3).one_line_error("invalid_client");
    assert!(refused.stderr.contains("client authentication tried"), "{}", refused.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_failures_exit_4() {
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", "s3cr3t-canary");
    let url = format!("http://127.0.0.1:{port}/token");
    let (sandbox, refused) =
        run(sandbox, args(&["token", "--token-url", &url, "--client-id", "a", "--timeout", "2"])).await;
    refused.code(4).one_line_error("127.0.0.1");

    // https to a server that speaks plain http: a TLS failure.
    let mxo = Mxo::start().await;
    let tls_url = mxo.uri().replace("http://", "https://") + "/one/oauth2token";
    let (sandbox, tls) =
        run(sandbox, args(&["token", "--token-url", &tls_url, "--client-id", "a", "--timeout", "2"])).await;
    tls.code(4);
    assert_eq!(tls.stderr.lines().count(), 1, "{}", tls.stderr);

    // A redirect is refused, never followed with credentials.
    let (mxo_box, flags) = mxo_sandbox(&mxo);
    drop(sandbox);
    mxo.controls().fail_next(Fault::Redirect { status: 302, location: "https://elsewhere.example/".into() }, 1);
    let mut list = vec!["token".to_owned()];
    list.extend(flags.clone());
    let (mxo_box, redirect) = run(mxo_box, list.clone()).await;
    redirect.code(4).one_line_error("redirect");

    // A server slower than --timeout.
    mxo.controls().fail_next(Fault::Slow(std::time::Duration::from_secs(5)), 10);
    list.extend(["--timeout".to_owned(), "1".to_owned()]);
    let (_, slow) = run(mxo_box, list).await;
    // Whichever ends first, the request's time limit or the fetch's deadline, says so.
    slow.code(4).one_line_error("did not answer in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_the_exchange_with_credentials_masked() {
    let mxo = Mxo::start().await;
    let (sandbox, flags) = mxo_sandbox(&mxo);
    let mut list = vec!["token".to_owned(), "-v".to_owned(), "--no-cache".to_owned()];
    list.extend(flags);
    let (_, output) = run(sandbox, list).await;
    output.code(0);
    let token = output.stdout.trim().to_owned();
    assert!(output.stderr.contains(&format!("> POST {}/one/oauth2token", mxo.uri())), "{}", output.stderr);
    assert!(output.stderr.contains("> authorization: Basic [redacted]"), "{}", output.stderr);
    assert!(output.stderr.contains("< 200 OK"), "{}", output.stderr);
    assert!(!output.stderr.contains(&token), "the token in the trace");
}
