//! The quickstart: MXO, CloudCX and Bright Pattern, each through the real reqwest stack,
//! against the testkit's emulators running in this process on 127.0.0.1 — no account, no
//! network.
//!
//! Run: `cargo run -p oauth-reqwest --example quickstart`
//!
//! For each vendor, through [`BearerMiddleware`]: the first API call fetches a token; the next
//! reuses it; a token the server stops accepting gets a 401, a new token and one retry; and a
//! short-lived token is refreshed ahead of expiry, in the background. CloudCX also shows its API
//! key, which needs no token exchange. The vendors run side by side (about 3 s, mostly waiting
//! for a refresh window to open) and print one after the other.
//!
//! Tokens are never printed (an `AccessToken`'s `Debug` is `[redacted]`): `#3fa2` is a 16-bit
//! hash of one, enough to tell two apart. `bearer` is the token the emulator received with the
//! call, read from its request log; `fetched` is what the token endpoint answered.
//!
//! Exits 0 when every step did what it says, 1 with the reason otherwise.

#![allow(clippy::print_stdout, reason = "an example prints its transcript")]

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use http::{Method, StatusCode, Uri};
use oauth_core::{AccessToken, TokenEndpoint};
use oauth_providers::{Profile, cloudcx, mxo};
use oauth_reqwest::{BearerMiddleware, ReqwestTransport, TokioRuntime};
use oauth_testkit::{BrightPattern, CloudCx, Controls, Mxo};
use oauth_token_source::{TokenSource, Transport, TransportError};
use reqwest_middleware::ClientWithMiddleware;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The lifetime the emulators give tokens once the flow shortens it, in seconds.
const SHORT_LIFETIME: u64 = 3;
/// How long before expiry a token is refreshed (the default is 60 s, capped at half the
/// lifetime). A 3 s token enters its refresh window 2 s after it was requested.
const REFRESH_SKEW: Duration = Duration::from_secs(1);
/// The whole run is abandoned after this, rather than hanging.
const RUN_LIMIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(RUN_LIMIT, run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("\nquickstart failed: {}", chain(&*error));
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("\nquickstart failed: not done after {RUN_LIMIT:?}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    // reqwest's TLS provider (ring, this crate's default feature), before any reqwest::Client.
    oauth_reqwest::install_crypto_provider();
    let started = Instant::now();
    let (mxo, cx, bp) = tokio::join!(Mxo::start(), CloudCx::start(), BrightPattern::start());
    println!("oauth-stack quickstart: vendor emulators on 127.0.0.1, reqwest with BearerMiddleware");
    println!("tokens are never printed: #xxxx is a 16-bit hash of one, to tell them apart;");
    println!("bearer: the token the API received (from the emulator's log); fetched: the token endpoint's answer");

    let mxo_call = ApiCall::post_json(mxo::interaction_url(&mxo.profile(), "ONE-ABC-1234", None)?, r#"{"uri":"x"}"#);
    let cx_call = ApiCall::get(cloudcx::user_page_url(&cx.profile(), 1, 25, None)?);
    let bp_call = ApiCall::get(bp.user_url(bp.credentials().client_id()).parse()?);
    let mut transcripts = [
        Transcript::new("MXO", &mxo_call),
        Transcript::new("CloudCX", &cx_call),
        Transcript::new("Bright Pattern", &bp_call),
    ];
    let [mxo_out, cx_out, bp_out] = &mut transcripts;

    let results = tokio::join!(
        token_flow(mxo_out, mxo.controls(), mxo.profile(), &mxo_call),
        async {
            token_flow(cx_out, cx.controls(), cx.profile(), &cx_call).await?;
            api_key_flow(cx_out, &cx, &cx_call).await
        },
        // Bright Pattern answers a dead token with a bare 401 and no `WWW-Authenticate`
        // challenge, so the default policy (retry on `invalid_token` only) would not retry.
        token_flow(bp_out, bp.controls(), bp.profile(), &bp_call),
    );

    for transcript in &transcripts {
        transcript.print();
    }
    results.0.map_err(|e| format!("MXO: {}", chain(&*e)))?;
    results.1.map_err(|e| format!("CloudCX: {}", chain(&*e)))?;
    results.2.map_err(|e| format!("Bright Pattern: {}", chain(&*e)))?;
    println!("\nall flows passed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// A vendor's token flow: fetch, reuse, a refused token replaced, a refresh ahead of expiry.
async fn token_flow(out: &mut Transcript, emulator: &Controls, profile: Profile, call: &ApiCall) -> Result<(), Error> {
    let answers = Answers::default();
    let transport = Noting::new(ReqwestTransport::from_builder(loopback())?, &profile, answers.clone())?;
    let source = TokenSource::builder(profile, transport, TokioRuntime).refresh_skew(REFRESH_SKEW).build()?;
    let api = reqwest_middleware::ClientBuilder::new(loopback().build()?)
        // Which 401s get a new token and one retry is the profile's call (Bright Pattern's API
        // answers a dead token with a bare 401; the others send a challenge here).
        .with(BearerMiddleware::new(source.clone()))
        .build();

    // 1. No token yet: the middleware has the source fetch one, then sends the call with it.
    let sent = call.send(&api, emulator).await?;
    let first = source.token().await?;
    out.line("token fetched", &sent, answers.fetched(&first)?, emulator);
    expect(sent.bearer == tag(&first), "the call did not carry the token the source holds")?;
    expect_token_requests(emulator, 1)?;

    // 2. The cached token serves the next call: no token request.
    let sent = call.send(&api, emulator).await?;
    out.line("cached token reused", &sent, String::new(), emulator);
    expect(sent.bearer == tag(&first), "the second call did not carry the cached token")?;
    expect_token_requests(emulator, 1)?;

    // 3. The server forgets every token it issued (and issues 3 s tokens from now on): the call
    //    gets a 401, the middleware drops the token, fetches a new one and sends the call again.
    emulator.set_expires_in(SHORT_LIFETIME);
    emulator.expire_all_tokens();
    let sent = call.send(&api, emulator).await?;
    let short = source.token().await?;
    out.line("token refused, replaced", &sent, answers.fetched(&short)?, emulator);
    expect(sent.attempts == 2, "the refused call was not sent again")?;
    expect(sent.bearer == tag(&short) && !short.same_as(&first), "the retry did not carry a new token")?;
    expect_token_requests(emulator, 2)?;

    // 4. Once the 3 s token is in its refresh window (1 s before expiry), the next call is still
    //    sent with it at once, while the source fetches the next token in the background.
    let window_opens = answers.sent_at()? + Duration::from_secs(SHORT_LIFETIME) - REFRESH_SKEW;
    tokio::time::sleep_until((window_opens + Duration::from_millis(200)).into()).await;
    let sent = call.send(&api, emulator).await?;
    let refreshed = next_token(&source, &short).await?;
    // Had this machine stalled past the token's expiry, the call would have waited for the
    // new token instead; say which happened rather than assume.
    let step = if sent.bearer == tag(&short) { "refreshed ahead" } else { "refreshed on expiry" };
    out.line(step, &sent, answers.fetched(&refreshed)?, emulator);
    expect_token_requests(emulator, 3)
}

/// CloudCX's API key: a static token source, the same middleware, no token exchange.
async fn api_key_flow(out: &mut Transcript, cx: &CloudCx, call: &ApiCall) -> Result<(), Error> {
    let before = cx.controls().token_requests();
    let source = oauth_reqwest::token_source(cx.api_key_profile())?;
    let api =
        reqwest_middleware::ClientBuilder::new(loopback().build()?).with(BearerMiddleware::new(source.clone())).build();
    let sent = call.send(&api, cx.controls()).await?;
    out.line("API key, no exchange", &sent, "static source (the key itself)".into(), cx.controls());
    expect(source.is_static(), "the API-key source is not static")?;
    expect_token_requests(cx.controls(), before)
}

/// A reqwest client builder for the emulators: no proxy, even if the environment names one
/// (`HTTP_PROXY` would otherwise apply to 127.0.0.1 too).
fn loopback() -> reqwest::ClientBuilder {
    reqwest::Client::builder().no_proxy()
}

/// The token the source holds once it no longer holds `old` (the background refresh is done).
async fn next_token(source: &TokenSource, old: &AccessToken) -> Result<AccessToken, Error> {
    let give_up = Instant::now() + Duration::from_secs(5);
    loop {
        let token = source.token().await?;
        if !token.same_as(old) {
            return Ok(token);
        }
        if Instant::now() > give_up {
            return Err("no new token within 5 s of the refresh window opening".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One API call of a vendor: method, URL and, for a POST, a JSON body.
struct ApiCall {
    method: Method,
    url: Uri,
    json: Option<&'static str>,
}

impl ApiCall {
    fn get(url: Uri) -> Self {
        Self { method: Method::GET, url, json: None }
    }

    fn post_json(url: Uri, json: &'static str) -> Self {
        Self { method: Method::POST, url, json: Some(json) }
    }

    /// Sends the call through `api` and reads the answer; an error unless it ends in a 200.
    async fn send(&self, api: &ClientWithMiddleware, emulator: &Controls) -> Result<Sent, Error> {
        let before = emulator.api_requests();
        let mut request = api.request(self.method.clone(), self.url.to_string());
        if let Some(json) = self.json {
            request = request.header(http::header::CONTENT_TYPE, "application/json").body(json);
        }
        let response = request.send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        let sent = Sent {
            status,
            attempts: emulator.api_requests().saturating_sub(before),
            bearer: self.last_bearer(emulator).await,
        };
        if status != StatusCode::OK {
            let (method, path, body) = (&self.method, self.url.path(), String::from_utf8_lossy(&body));
            return Err(format!("{method} {path} with bearer {}: {status}, expected 200: {body}", sent.bearer).into());
        }
        Ok(sent)
    }

    /// The tag of the bearer token on the last request the emulator received for this call.
    async fn last_bearer(&self, emulator: &Controls) -> String {
        let requests = emulator.server().received_requests().await.unwrap_or_default();
        requests
            .iter()
            .rev()
            .find(|r| r.url.path() == self.url.path())
            .and_then(|r| r.headers.get(http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer "))
            .map_or_else(|| "none".to_owned(), tag_of)
    }
}

/// What became of an API call: its final status, how many requests the emulator saw for it,
/// and the token the last one carried.
struct Sent {
    status: StatusCode,
    attempts: usize,
    bearer: String,
}

impl fmt::Display for Sent {
    /// `-> 200 bearer #3fa2`, or `-> 401, retried -> 200 …` when the middleware retried.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let retried = if self.attempts == 2 { "401, retried -> " } else { "" };
        let status = format!("-> {retried}{}", self.status.as_u16());
        write!(f, "{status:<22} bearer {}", self.bearer)
    }
}

fn expect(condition: bool, otherwise: &str) -> Result<(), Error> {
    if condition { Ok(()) } else { Err(otherwise.into()) }
}

fn expect_token_requests(emulator: &Controls, expected: usize) -> Result<(), Error> {
    let actual = emulator.token_requests();
    if actual == expected {
        Ok(())
    } else {
        Err(format!("the emulator counted {actual} token requests, expected {expected}").into())
    }
}

/// Four hex digits of a hash of the token: enough to tell tokens apart, nothing to use.
fn tag(token: &AccessToken) -> String {
    tag_of(token.secret())
}

fn tag_of(secret: &str) -> String {
    let mut hasher = DefaultHasher::new();
    secret.hash(&mut hasher);
    format!("#{:04x}", hasher.finish() & 0xffff)
}

/// An error and its sources, `outer: inner: …`.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}

/// One vendor's lines, kept until its flow is done (the flows run side by side).
struct Transcript {
    heading: String,
    lines: Vec<String>,
}

impl Transcript {
    fn new(vendor: &str, call: &ApiCall) -> Self {
        Self { heading: format!("{vendor}: {} {}", call.method, call.url.path()), lines: Vec::new() }
    }

    fn line(&mut self, step: &str, sent: &Sent, fetched: String, emulator: &Controls) {
        let (sent, requests) = (sent.to_string(), emulator.token_requests());
        self.lines.push(format!("  {step:<24}{sent:<37}{fetched:<44}[token requests: {requests}]"));
    }

    fn print(&self) {
        println!("\n{}", self.heading);
        for line in &self.lines {
            println!("{line}");
        }
    }
}

/// What the last token answer said, as [`Noting`] saw it.
#[derive(Clone)]
struct Answer {
    sent_at: Instant,
    grant: String,
    lifetime: Option<Duration>,
    token_type: String,
}

/// The last token answer, shared between a [`Noting`] transport and the flow.
#[derive(Clone, Default)]
struct Answers(Arc<Mutex<Option<Answer>>>);

impl Answers {
    fn set(&self, answer: Answer) {
        // A panic while the lock was held cannot leave a half-written `Option`.
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
    }

    fn last(&self) -> Result<Answer, Error> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone().ok_or_else(|| "no token answer yet".into())
    }

    fn sent_at(&self) -> Result<Instant, Error> {
        Ok(self.last()?.sent_at)
    }

    /// `fetched #3fa2 (299 s, client_credentials)`; the token type too when not `Bearer`.
    fn fetched(&self, token: &AccessToken) -> Result<String, Error> {
        let answer = self.last()?;
        let lifetime = answer.lifetime.map_or_else(|| "no expiry".to_owned(), |l| format!("{} s", l.as_secs()));
        let token_type = if answer.token_type == "Bearer" { String::new() } else { format!("{}, ", answer.token_type) };
        Ok(format!("fetched {} ({lifetime}, {token_type}{})", tag(token), answer.grant))
    }
}

/// A [`ReqwestTransport`] that also notes what each token answer said, for the transcript.
/// The token source reads every answer itself; this only looks. Any [`Transport`] can wrap
/// another like this: to log, to count, to add a header.
struct Noting {
    inner: ReqwestTransport,
    endpoint: TokenEndpoint,
    answers: Answers,
}

impl Noting {
    fn new(inner: ReqwestTransport, profile: &Profile, answers: Answers) -> Result<Self, Error> {
        let config = profile.token_config().ok_or("the profile has no token exchange")?;
        Ok(Self { inner, endpoint: config.endpoint().clone(), answers })
    }
}

#[async_trait]
impl Transport for Noting {
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
        let grant = std::str::from_utf8(request.body())
            .ok()
            .and_then(|form| form.split('&').find_map(|pair| pair.strip_prefix("grant_type=")))
            .unwrap_or("?")
            .to_owned();
        let sent_at = Instant::now();
        let response = self.inner.send(request).await?;
        // Read with the endpoint's quirks, as the source reads it (Bright Pattern's
        // `"expires_in":"3599"` is a string).
        if let Ok(token) = self.endpoint.parse_response(&response, sent_at) {
            let token_type = token.token_type().as_str().to_owned();
            self.answers.set(Answer { sent_at, grant, lifetime: token.lifetime(), token_type });
        }
        Ok(response)
    }
}
