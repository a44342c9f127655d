//! `oauth demo` run as a user runs it: the built binary exits 0, prints a passing verdict line
//! for every vendor over both stacks, and never prints a token in full, on stdout or stderr.
//!
//! The demo's tokens are minted in its own process, so the scan looks for their shape: every
//! token the emulators mint is a run of 36 or more base64url or hex characters (MXO and CloudCX
//! issue JWTs, whose segments are that long; Bright Pattern 64 hex digits; CloudCX refresh tokens
//! 128 base64url characters, its API key 38), while the longest the transcript means to print
//! (`client_credentials`) has 18; the scan flags any run of 24. A second test mints a token of every kind from the same emulators and checks
//! that the scan finds each one, so the scan cannot quietly stop matching what they issue.

#![cfg(feature = "demo")]

use std::process::Command;
use std::time::Instant;

use oauth_testkit::{BrightPattern, CloudCx, Mxo};

const VENDORS: [&str; 3] = ["MXO", "CloudCX", "Bright Pattern"];

/// The shortest run of token characters taken for a printed token.
const TOKEN_RUN: usize = 24;

/// Every run of base64url characters (which take in hex) at least [`TOKEN_RUN`] long: a token
/// printed whole, whatever surrounds it.
fn token_like(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|run| run.len() >= TOKEN_RUN)
        .collect()
}

/// `MXO             reqwest ok   hyper ok`.
fn passes(line: &str, vendor: &str) -> bool {
    line.strip_prefix(vendor).is_some_and(|rest| rest.split_whitespace().eq(["reqwest", "ok", "hyper", "ok"]))
}

#[test]
fn the_demo_passes_for_every_vendor_and_prints_no_token() {
    let output = Command::new(env!("CARGO_BIN_EXE_oauth")).arg("demo").output().expect("the oauth binary starts");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "oauth demo failed ({}):\n{stdout}\n{stderr}", output.status);
    for vendor in VENDORS {
        assert!(stdout.lines().any(|line| passes(line, vendor)), "no passing verdict line for {vendor}:\n{stdout}");
    }
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        let printed = token_like(text);
        assert!(printed.is_empty(), "oauth demo printed {} token(s) in full on {name}: {printed:?}", printed.len());
    }
}

#[tokio::test]
async fn the_scan_finds_every_kind_of_token_the_emulators_mint() {
    let (mxo, cx, bp) = (Mxo::start().await, CloudCx::start().await, BrightPattern::start().await);
    let mut tokens = vec![("CloudCX API key", cx.api_key().to_owned())];
    for (vendor, profile) in [("MXO", mxo.profile()), ("CloudCX", cx.profile()), ("Bright Pattern", bp.profile())] {
        let config = profile.token_config().expect("the profile exchanges tokens");
        let (request, pending) = config.build_request().expect("no client assertion to sign");
        let answer = oauth_testkit::send(request).await.expect("the emulator answers");
        let token = pending.finish(&answer, Instant::now()).expect("the emulator issues a token");
        tokens.push((vendor, token.access_token().secret().to_owned()));
        if let Some(refresh) = token.refresh_token() {
            tokens.push((vendor, refresh.secret().to_owned()));
        }
    }
    assert_eq!(tokens.len(), 5, "an access token of each vendor, CloudCX's refresh token and API key");
    for (vendor, token) in &tokens {
        for line in [format!("  cached token reused   200 {token} [1]"), format!("bearer={token}."), token.clone()] {
            assert!(!token_like(&line).is_empty(), "the scan missed a {vendor} token of {} characters", token.len());
        }
    }
    // And it passes the transcript's own words.
    let transcript = "  token refused, replaced (client_credentials, 3 s)   401 -> 200 #c57f, then #759c [2]\n\
                      Bright Pattern: GET /configapi/v2/user/sheila.thomas    reqwest    hyper";
    assert_eq!(token_like(transcript), Vec::<&str>::new());
}
