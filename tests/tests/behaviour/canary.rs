//! The canary scan: distinctive secrets configured on the emulators, a run of every vendor with
//! faults, and then every log line (tracing at TRACE, captured) and every error rendering
//! searched for those secrets and for every token the emulators issued.

use std::error::Error;
use std::fmt::Debug;
use std::io;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use oauth_providers::cloudcx::PasswordProfile;
use oauth_testkit::{BrightPattern, CloudCx, Fault, Mxo, Rfc6749};
use oauth_token_source::events;
use tracing_subscriber::fmt::MakeWriter;
use wiremock::MockServer;

use crate::emulator::{basic_raw, bearer, form_field};
use crate::stack::{ApiCall, CallError, Client, Settings, Stack};

// ----- the canaries -----
// `CANARY-` and a short tag (no dictionary word, so no 8-character piece of a canary is a word
// a log line may hold, such as `password`), then random letters.

const CX_SECRET: &str = "CANARY-cs-Qm7vT2wdK9Zr";
const PASSWORD: &str = "CANARY-pw-Lk4xW9zPa3Ne";
const WRONG_PASSWORD: &str = "CANARY-xpw-Hs5bN1cVe8";
const API_KEY: &str = "CANARY-ak-Pd8rE3uYt6Mi";
const WRONG_API_KEY: &str = "CANARY-xak-Gf2hJ7kLq0";
const MXO_SECRET: &str = "CANARY-ms-Jc6yF0oRb5Wu";
/// With spaces, so that the server refuses the first Basic style and the client falls back.
const RFC_SECRET: &str = "CANARY rs Vn2gA8 sDf4";
const WRONG_SECRET: &str = "CANARY-xs-Tz3kM5nBv7Qa";
const BP_SECRET: &str = "CANARY-bs-Xw1qR4pLm2Ko";

const CANARIES: &[(&str, &str)] = &[
    ("CloudCX client secret", CX_SECRET),
    ("CloudCX password", PASSWORD),
    ("wrong CloudCX password", WRONG_PASSWORD),
    ("CloudCX API key", API_KEY),
    ("wrong CloudCX API key", WRONG_API_KEY),
    ("MXO client secret", MXO_SECRET),
    ("RFC 6749 client secret", RFC_SECRET),
    ("wrong RFC 6749 client secret", WRONG_SECRET),
    ("Bright Pattern API secret", BP_SECRET),
];

/// The transport timeout of the client that meets slow answers, and a slow answer: far apart,
/// so a timeout is certain and a prompt answer is in time even on a busy machine.
const TIMEOUT: Duration = Duration::from_secs(1);
const SLOW: Fault = Fault::Slow(Duration::from_secs(5));

/// The shortest piece of a canary that counts as a leak.
const PIECE: usize = 8;
/// The tail of an issued token searched for besides the whole token (a token cut short in a
/// message still leaks its end).
const TAIL: usize = 16;

/// The events the run must log, so the scan cannot pass on empty logs.
const EXPECTED_EVENTS: &[&str] = &[
    events::REQUESTING,
    events::RECEIVED,
    events::RETRYING,
    events::AUTH_REFUSED,
    events::AUTH_LEARNED,
    events::REFUSED_BY_RESOURCE,
];

// ----- capturing logs -----

/// Everything every `tracing` event of this test binary wrote, from the first scan on.
#[derive(Clone, Default)]
pub(crate) struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// The capture, installed as the global subscriber (TRACE, fmt) on first use: global, so
    /// events from every thread and every spawned task are caught.
    pub(crate) fn global() -> &'static Self {
        static LOGS: OnceLock<Logs> = OnceLock::new();
        LOGS.get_or_init(|| {
            let logs = Self::default();
            let subscriber =
                tracing_subscriber::fmt().with_writer(logs.clone()).with_max_level(tracing::Level::TRACE).finish();
            tracing::subscriber::set_global_default(subscriber).expect("no other subscriber in this test binary");
            logs
        })
    }

    fn bytes(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where the capture ends now.
    pub(crate) fn mark(&self) -> usize {
        self.bytes().len()
    }

    /// What was written since `mark`.
    pub(crate) fn since(&self, mark: usize) -> String {
        String::from_utf8_lossy(&self.bytes()[mark..]).into_owned()
    }
}

impl io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// ----- what is rendered -----

/// Every text that was printed or could be: (what, text).
#[derive(Default)]
struct Renderings(Vec<(String, String)>);

impl Renderings {
    /// `{:?}` and `{:#?}`.
    fn debug(&mut self, what: &str, value: &impl Debug) {
        self.0.push((format!("{what} {{:?}}"), format!("{value:?}")));
        self.0.push((format!("{what} {{:#?}}"), format!("{value:#?}")));
    }

    /// `{}`, `{:?}`, `{:#?}`, and `{}` and `{:?}` down the `source()` chain.
    fn error(&mut self, what: &str, error: &(dyn Error + 'static)) {
        self.0.push((format!("{what} {{}}"), error.to_string()));
        self.debug(what, &error);
        let mut depth = 0;
        let mut source = error.source();
        while let Some(cause) = source {
            depth += 1;
            self.0.push((format!("{what} source #{depth} {{}}"), cause.to_string()));
            self.0.push((format!("{what} source #{depth} {{:?}}"), format!("{cause:?}")));
            source = cause.source();
        }
    }

    /// A call that got no token: the stack's error and the token source's.
    fn no_token(&mut self, what: &str, (client, call): &(oauth_token_source::ClientError, CallError)) {
        self.error(&format!("{what}: ClientError"), client);
        self.error(&format!("{what}: the stack's error"), call);
    }
}

/// A secret the scan searches for, and the pieces of it that count as a leak.
struct Secret {
    what: String,
    pieces: Vec<String>,
}

impl Secret {
    /// A canary: whole, or any 8-character piece no other canary shares.
    fn canary(what: &str, canary: &str) -> Self {
        let own = |piece: &str| CANARIES.iter().all(|&(_, other)| other == canary || !other.contains(piece));
        let mut pieces = vec![canary.to_owned()];
        pieces.extend((0..=canary.len() - PIECE).map(|i| &canary[i..i + PIECE]).filter(|p| own(p)).map(str::to_owned));
        Self { what: what.to_owned(), pieces }
    }

    /// An issued token (or credential on the wire): whole, or its tail.
    fn issued(what: String, token: &str) -> Self {
        let mut pieces = vec![token.to_owned()];
        if token.len() > TAIL {
            pieces.push(token[token.len() - TAIL..].to_owned());
        }
        Self { what, pieces }
    }

    /// Where in `text` this secret (or a piece of it) shows, described without repeating it.
    fn found_in(&self, text: &str) -> Option<String> {
        self.pieces.iter().find_map(|piece| {
            let at = text.find(piece.as_str())?;
            let before = text[..at].chars().rev().take(40).collect::<String>().chars().rev().collect::<String>();
            Some(format!("the {} (a {}-character piece) after …{before}", self.what, piece.len()))
        })
    }
}

// ----- the run -----

/// Every emulator the run talks to, each with canary credentials.
struct Vendors {
    cx: CloudCx,
    mxo: Mxo,
    rfc: Rfc6749,
    bp: BrightPattern,
}

/// Runs every vendor on `stack` with faults, then scans the logs written meanwhile and every
/// error and `Debug` rendering for the canaries and the tokens issued.
pub(crate) async fn scan(stack: Stack) {
    let logs = Logs::global();
    let mark = logs.mark();
    let vendors = Vendors {
        cx: CloudCx::builder()
            .client("cx-client", CX_SECRET)
            .resource_owner("canary.user", PASSWORD)
            .api_key(API_KEY)
            .start()
            .await,
        mxo: Mxo::builder().client("mxo-client", MXO_SECRET).start().await,
        rfc: Rfc6749::raw_only().client("rfc-client", RFC_SECRET).start().await,
        bp: BrightPattern::builder().client("bp.login", BP_SECRET).start().await,
    };
    let mut printed = Renderings::default();
    let clients = run(stack, &vendors, &mut printed).await;

    // Every client's Debug, and its current token's, as a caller might log them; the current
    // tokens are searched for too.
    let mut secrets: Vec<Secret> = CANARIES.iter().map(|&(what, canary)| Secret::canary(what, canary)).collect();
    for (name, client) in &clients {
        printed.debug(&format!("{name} client"), client);
        if let Ok(token) = client.source().token().await {
            printed.debug(&format!("{name} access token"), &token);
            secrets.push(Secret::issued(format!("{name} client's current token"), token.secret()));
        }
    }
    printed.debug("CloudCX emulator", &vendors.cx);
    printed.debug("MXO emulator", &vendors.mxo);
    printed.debug("RFC 6749 emulator", &vendors.rfc);
    printed.debug("Bright Pattern emulator", &vendors.bp);
    printed.debug("CloudCX profile", &vendors.cx.profile());
    printed.debug("CloudCX API key profile", &vendors.cx.api_key_profile());
    printed.debug("MXO profile", &vendors.mxo.profile());

    let mut token_requests = 0;
    for (vendor, requests, tokens) in [
        ("CloudCX", vendors.cx.controls().received_requests().await, vendors.cx.controls().token_requests()),
        ("MXO", vendors.mxo.controls().received_requests().await, vendors.mxo.controls().token_requests()),
        ("RFC 6749", vendors.rfc.controls().received_requests().await, vendors.rfc.controls().token_requests()),
        ("Bright Pattern", vendors.bp.controls().received_requests().await, vendors.bp.controls().token_requests()),
    ] {
        token_requests += tokens;
        secrets.extend(issued_secrets(vendor, &requests));
    }
    check_the_canaries_were_sent(&vendors).await;

    let logged = logs.since(mark);
    let mut leaks = Vec::new();
    for secret in &secrets {
        if let Some(leak) = secret.found_in(&logged) {
            leaks.push(format!("the logs show {leak}"));
        }
        for (what, text) in &printed.0 {
            if let Some(leak) = secret.found_in(text) {
                leaks.push(format!("{what} shows {leak}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{} leak(s):\n{}", leaks.len(), leaks.join("\n"));

    // Not vacuous: the logs hold the run's events, the scan had errors and tokens to look at.
    for event in EXPECTED_EVENTS {
        assert!(logged.contains(event), "no `{event}` in the {} bytes logged", logged.len());
    }
    let requesting = logged.matches(events::REQUESTING).count();
    assert!(
        requesting >= token_requests,
        "{requesting} `requesting a token` events for {token_requests} token requests"
    );
    let errors = printed.0.iter().filter(|(what, _)| what.contains("ClientError {}")).count();
    assert!(errors >= 8, "only {errors} errors rendered");
    let issued = secrets.len() - CANARIES.len();
    assert!(issued >= 15, "only {issued} issued tokens and credentials to look for");
}

/// The run: every vendor's flow, CloudCX and MXO through every fault, and wrong credentials.
/// Each error is rendered into `printed`. Returns the clients, to print them too.
async fn run(stack: Stack, vendors: &Vendors, printed: &mut Renderings) -> Vec<(&'static str, Client)> {
    let Vendors { cx, mxo, rfc, bp } = vendors;
    let call = ApiCall::cloudcx(cx);
    let retry = Settings::default().retry.with_max_attempts(2);
    let settings = Settings::default().retry(retry);

    // CloudCX password grant, then faults on the next tokens (refreshes, as the server drops
    // the access token first and the API answers 401). Only faults the server answers without
    // rotating the refresh token: a lost refresh answer leaves a CloudCX source stuck (see
    // `faults::lost_refresh_answer_cloudcx`); those faults run on MXO below.
    let client = stack.client(cx.profile(), settings);
    client.ok(&call, "CloudCX password grant").await;
    for fault in [Fault::Status(503), Fault::RateLimited { retry_after_secs: 1 }] {
        cx.controls().fail_next(fault.clone(), 1);
        cx.controls().expire_all_tokens();
        client.ok(&call, &format!("CloudCX refresh recovering from {fault:?}")).await;
    }
    let target = MockServer::start().await;
    let redirect = Fault::Redirect { status: 307, location: format!("{}/oauth/token", target.uri()) };
    // The redirect echoing the request carries the refresh token and the client secret.
    let echoing = Fault::RedirectEchoingRequest { status: 302 };
    for (fault, n) in [(Fault::MalformedBody, 1), (redirect, 1), (echoing, 1), (Fault::Status(500), 2)] {
        cx.controls().fail_next(fault.clone(), n);
        cx.controls().expire_all_tokens();
        let step = format!("CloudCX refresh failing with {fault:?}");
        printed.no_token(&step, &client.no_token(&call, &step).await);
    }
    client.ok(&call, "CloudCX once the faults stop").await;

    let wrong = PasswordProfile::new(cx.uri(), "cx-client", CX_SECRET, "canary.user", WRONG_PASSWORD).build();
    let wrong = stack.client(wrong.expect("a CloudCX profile"), settings);
    printed.no_token("CloudCX wrong password", &wrong.no_token(&call, "CloudCX wrong password").await);

    let key = stack.client(cx.api_key_profile(), settings);
    key.ok(&call, "CloudCX API key").await;
    let wrong_key = oauth_providers::cloudcx::api_key(&cx.uri(), WRONG_API_KEY).expect("a key profile");
    let wrong_key = stack.client(wrong_key, settings);
    printed.debug("CloudCX wrong API key answer", &wrong_key.answer(&call, "CloudCX wrong API key").await);

    // MXO: a token, the 401 path, a huge answer, slow answers, and a wrong secret.
    let mxo_client = stack.client(mxo.profile(), settings);
    let mxo_call = ApiCall::mxo(mxo);
    mxo_client.ok(&mxo_call, "MXO").await;
    mxo.controls().expire_all_tokens();
    mxo_client.ok(&mxo_call, "MXO after the server dropped every token").await;
    mxo.controls().fail_next(Fault::HugeBody(10 * 1024 * 1024), 1);
    mxo.controls().expire_all_tokens();
    printed.no_token("MXO huge answer", &mxo_client.no_token(&mxo_call, "MXO huge answer").await);
    mxo_client.ok(&mxo_call, "MXO once answers are small again").await;
    // Servers repeating what they should not: the request's Basic header in an error, and the
    // token under names no RFC gives (so the answer is refused without repeating it).
    for fault in [Fault::EchoRequest, Fault::TokenUnderOtherNames] {
        mxo.controls().fail_next(fault.clone(), 1);
        mxo.controls().expire_all_tokens();
        let step = format!("MXO answering with {fault:?}");
        printed.no_token(&step, &mxo_client.no_token(&mxo_call, &step).await);
    }
    mxo_client.ok(&mxo_call, "MXO once the echoes stop").await;
    // A short transport timeout only for the slow answers: elsewhere it could run out before a
    // 10 MiB answer starts on a busy machine, and turn an expected error into a retry.
    let hasty = stack.client(mxo.profile(), settings.timeout(TIMEOUT));
    mxo.controls().fail_next(SLOW, 1);
    hasty.ok(&mxo_call, "MXO recovering from a slow answer").await;
    mxo.controls().fail_next(SLOW, 2);
    mxo.controls().expire_all_tokens();
    printed.no_token("MXO slow answers", &hasty.no_token(&mxo_call, "MXO slow answers").await);
    let wrong = oauth_providers::mxo::profile(&mxo.uri(), "mxo-client", WRONG_SECRET).expect("an MXO profile");
    let wrong = stack.client(wrong, settings);
    printed.no_token("MXO wrong secret", &wrong.no_token(&mxo_call, "MXO wrong secret").await);

    // RFC 6749: client authentication learned by fallback; a wrong secret fails every method.
    let rfc_client = stack.client(rfc.profile(), settings);
    rfc_client.ok(&ApiCall::rfc6749(rfc), "RFC 6749 with the fallback").await;
    let wrong = oauth_providers::rfc6749::client_credentials(&rfc.token_url(), "rfc-client", WRONG_SECRET);
    let wrong = stack.client(wrong.expect("an RFC 6749 profile"), settings);
    printed.no_token("RFC 6749 wrong secret", &wrong.no_token(&ApiCall::rfc6749(rfc), "RFC 6749 wrong secret").await);

    // Bright Pattern (whose API's bare 401 its profile retries by itself).
    let bp_client = stack.client(bp.profile(), settings);
    bp_client.ok(&ApiCall::bright_pattern(bp), "Bright Pattern").await;
    bp.controls().expire_all_tokens();
    bp_client.ok(&ApiCall::bright_pattern(bp), "Bright Pattern after the server dropped every token").await;

    vec![
        ("CloudCX", client),
        ("CloudCX API key", key),
        ("MXO", mxo_client),
        ("MXO with a short timeout", hasty),
        ("RFC 6749", rfc_client),
        ("Bright Pattern", bp_client),
    ]
}

/// The access tokens the API requests carried, the refresh tokens the token requests
/// presented, and the Basic credentials they sent (base64), each as a secret to look for.
fn issued_secrets(vendor: &str, requests: &[wiremock::Request]) -> Vec<Secret> {
    let mut secrets = Vec::new();
    for (n, request) in requests.iter().enumerate() {
        if let Some(token) = bearer(request) {
            secrets.push(Secret::issued(format!("{vendor} bearer credential of request #{n}"), &token));
        }
        if let Some(token) = form_field(request, "refresh_token") {
            secrets.push(Secret::issued(format!("{vendor} refresh token of request #{n}"), &token));
        }
        if let Some(basic) = basic_raw(request) {
            secrets.push(Secret::issued(format!("{vendor} Basic credentials of request #{n}"), &basic));
        }
    }
    secrets
}

/// The canaries really went on the wire (so the scan looked for values that were in play).
async fn check_the_canaries_were_sent(vendors: &Vendors) {
    let cx = vendors.cx.controls().received_requests().await;
    let sent = |name: &str, value: &str| cx.iter().any(|r| form_field(r, name).as_deref() == Some(value));
    assert!(sent("client_secret", CX_SECRET) && sent("password", PASSWORD) && sent("password", WRONG_PASSWORD));
    assert!(cx.iter().any(|r| bearer(r).as_deref() == Some(API_KEY)));
    assert!(cx.iter().any(|r| bearer(r).as_deref() == Some(WRONG_API_KEY)));
    let bp = vendors.bp.controls().received_requests().await;
    assert!(bp.iter().any(|r| form_field(r, "client_secret").as_deref() == Some(BP_SECRET)));
}

/// The scan itself finds what it must — a canary whole or in part, an issued token whole or by
/// its tail, an event logged on another thread — and nothing in redacted text.
pub(crate) async fn self_check() {
    let secret = Secret::canary("CloudCX password", PASSWORD);
    assert!(secret.found_in(&format!("x{PASSWORD}x")).is_some());
    assert!(secret.found_in(&format!("cut: {}…", &PASSWORD[..PIECE + 1])).is_some());
    assert!(secret.found_in("[redacted] grant=password client_secret password CANARY-").is_none());
    let token = Secret::issued("token".into(), "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJlLXJhbmRvbS1ieXRlcw");
    assert!(token.found_in("a JWT header alone: eyJhbGciOiJIUzI1").is_none());
    assert!(token.found_in("sig c2lnbmF0dXJlLXJhbmRvbS1ieXRlcw").is_some());

    let logs = Logs::global();
    let mark = logs.mark();
    tokio::spawn(async { tracing::trace!(target: "oauth_tests", "capture self-check") }).await.expect("logged");
    assert!(logs.since(mark).contains("capture self-check"), "a TRACE event from a spawned task is captured");
}
