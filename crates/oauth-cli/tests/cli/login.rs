//! `oauth login` end to end: the binary prints the authorization URL, this test plays the
//! browser (it follows the redirect to the binary's loopback receiver), and a wiremock token
//! endpoint checks the code exchange — PKCE verifier against the challenge the URL carried.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;

use base64::Engine;
use sha2::{Digest, Sha256};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{Sandbox, blocking};

/// A token endpoint that answers only a code exchange whose verifier hashes to `challenge`.
struct CheckVerifier {
    challenge: std::sync::Mutex<Option<String>>,
}

impl Respond for CheckVerifier {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
        let get = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let verifier = get("code_verifier").unwrap_or_default();
        let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let expected = self.challenge.lock().unwrap().clone();
        if get("code").as_deref() != Some("the-code") || expected.as_deref() != Some(hashed.as_str()) {
            return ResponseTemplate::new(400).set_body_raw(r#"{"error":"invalid_grant"}"#, "application/json");
        }
        ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"user-access-token-0123456789","token_type":"Bearer","expires_in":3600,"refresh_token":"user-refresh-token-0123456789","scope":"openid"}"#,
            "application/json",
        )
    }
}

/// The authorization URL's parameter `name`.
fn param(params: &[(String, String)], name: &str) -> String {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// Runs `oauth login`, plays the browser with `redirect_query(the URL's parameters)` once the
/// URL is printed, and returns (exit code, stdout, stderr, the authorization URL, the page).
fn sign_in(
    sandbox: &Sandbox,
    token_url: &str,
    redirect_query: impl Fn(&[(String, String)]) -> String,
) -> (i32, String, String, String, String) {
    let args = [
        "login",
        "--authorize-url",
        "https://as.example/authorize",
        "--token-url",
        token_url,
        "--client-id",
        "native-app",
        "--scope",
        "openid",
        "--no-browser",
        "--wait",
        "20",
        "--format",
        "json",
        "--show-refresh-token",
    ];
    let mut child = sandbox.spawn(&args);
    let stderr = child.stderr.take().unwrap();
    let (url_tx, url_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some(url) = line.trim().strip_prefix("https://as.example/authorize?") {
                let _ = url_tx.send(format!("https://as.example/authorize?{url}"));
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let url = url_rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the URL is printed");
    let params: Vec<(String, String)> =
        form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
    let redirect = param(&params, "redirect_uri");
    let port_and_path = redirect.strip_prefix("http://127.0.0.1:").expect("a loopback redirect (RFC 8252)");
    let (port, path) = port_and_path.split_once('/').unwrap();
    let mut browser = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    let query = redirect_query(&params);
    write!(browser, "GET /{path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut page = String::new();
    browser.read_to_string(&mut page).unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), stdout, reader.join().unwrap(), url, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_and_the_code_is_exchanged_with_its_verifier() {
    let server = MockServer::start().await;
    let responder = std::sync::Arc::new(CheckVerifier { challenge: std::sync::Mutex::new(None) });
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(ArcResponder(responder.clone()))
        .mount(&server)
        .await;
    let token_url = format!("{}/token", server.uri());
    let sandbox = Sandbox::new();
    let captured = responder.clone();
    let (code, stdout, stderr, url, page) = blocking(move || {
        sign_in(&sandbox, &token_url, |params| {
            // The browser's turn: the challenge the URL carried is what the token endpoint checks.
            *captured.challenge.lock().unwrap() = Some(param(params, "code_challenge"));
            format!("code=the-code&state={}", param(params, "state"))
        })
    })
    .await;
    assert!(url.contains("code_challenge_method=S256") && url.contains("response_type=code"), "{url}");
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("Signed in"), "{page}");
    let token: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(token["access_token"], "user-access-token-0123456789");
    assert_eq!(token["refresh_token"], "user-refresh-token-0123456789");
    assert!(!stderr.contains("user-access-token") && !stderr.contains("the-code"), "{stderr}");
}

/// Records the challenge from the URL before the exchange arrives (the URL is only known once
/// the binary prints it), then checks the verifier against it.
struct ArcResponder(std::sync::Arc<CheckVerifier>);

impl Respond for ArcResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_or_forged_redirect_exits_3_and_says_so_in_the_browser() {
    let server = MockServer::start().await;
    let token_url = format!("{}/token", server.uri());
    for (query, needle) in [
        (
            Box::new(|p: &[(String, String)]| {
                format!("error=access_denied&error_description=The+user+said+no&state={}", param(p, "state"))
            }) as Box<dyn Fn(&[(String, String)]) -> String + Send>,
            "access_denied",
        ),
        (Box::new(|_: &[(String, String)]| "code=the-code&state=forged-state".to_owned()), "state"),
    ] {
        let sandbox = Sandbox::new();
        let url = token_url.clone();
        let (code, stdout, stderr, _, page) = blocking(move || sign_in(&sandbox, &url, query)).await;
        assert_eq!(code, 3, "stderr: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.lines().last().is_some_and(|l| l.starts_with("oauth: ") && l.contains(needle)), "{stderr}");
        assert!(page.starts_with("HTTP/1.1 400") && page.contains("Sign-in failed"), "{page}");
        assert!(!stderr.contains("forged-state") || needle != "state", "{stderr}");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 0, "no code was exchanged");
}
