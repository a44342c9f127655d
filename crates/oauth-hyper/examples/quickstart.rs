//! The quickstart over hyper: MXO's flow through the tower [`BearerLayer`] on hyper-util's
//! legacy client, against the testkit's MXO emulator running in this process on 127.0.0.1 —
//! no account, no network.
//!
//! Run: `cargo run -p oauth-hyper --example quickstart-hyper` (named apart from oauth-reqwest's
//! `quickstart` in Cargo.toml, since two examples of one name collide in `target/`).
//!
//! The first call fetches a token; the next reuses it; a token the server stops accepting gets
//! a 401, a new token and one retry; a 3 s token is refreshed ahead of expiry in the background
//! (about 2.5 s, most of it waiting for the refresh window). Tokens are never printed: `#3fa2` is
//! a 16-bit hash of one, and `bearer` the token the emulator received, read from its request log.
//!
//! Exits 0 when every step did what it says, 1 with the reason otherwise.

#![allow(clippy::print_stdout, reason = "an example prints its transcript")]

use std::hash::{DefaultHasher, Hash, Hasher};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oauth_core::AccessToken;
use oauth_hyper::{Bearer, BearerLayer, HyperTransport, TokioRuntime};
use oauth_testkit::Mxo;
use oauth_token_source::TokenSource;
use tower::{Layer, ServiceExt};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Api = Bearer<Client<HttpConnector, Full<Bytes>>>;

/// The lifetime of the short-lived tokens, in seconds, and how long before expiry they are
/// refreshed: a 3 s token enters its refresh window 2 s after it was requested.
const SHORT_LIFETIME: u64 = 3;
const REFRESH_SKEW: Duration = Duration::from_secs(1);
const RUN_LIMIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(RUN_LIMIT, run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            eprintln!("\nquickstart failed: {message}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("\nquickstart failed: not done after {RUN_LIMIT:?}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    let started = Instant::now();
    let mxo = Mxo::start().await;
    let profile = mxo.profile();
    let url = oauth_providers::mxo::interaction_url(&profile, "ONE-ABC-1234", None)?;

    // Tokens come through a HyperTransport (plain HTTP is allowed only on loopback)…
    let transport = HyperTransport::new(HttpConnector::new());
    let source = TokenSource::builder(profile, transport, TokioRuntime).refresh_skew(REFRESH_SKEW).build()?;
    // …and go on the requests of any hyper client, through the tower layer.
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let api = BearerLayer::new(source.clone()).layer(client);

    println!("oauth-stack quickstart over hyper: the MXO emulator on 127.0.0.1, tower BearerLayer");
    println!("(tokens are never printed: #xxxx is a 16-bit hash of one; bearer: what the API received)\n");
    println!("MXO: POST {}", url.path());

    // 1. No token yet: the layer has the source fetch one, then sends the call with it.
    let sent = interact(&api, &url, &mxo).await?;
    let first = source.token().await?;
    line("token fetched", &sent, "", &mxo);
    expect(
        sent.bearer == tag(&first) && mxo.controls().token_requests() == 1,
        "the first call did not fetch one token",
    )?;

    // 2. The cached token serves the next call.
    let sent = interact(&api, &url, &mxo).await?;
    line("cached token reused", &sent, "", &mxo);
    expect(
        sent.bearer == tag(&first) && mxo.controls().token_requests() == 1,
        "the second call did not reuse the token",
    )?;

    // 3. The server forgets its tokens (and issues 3 s ones from now on): a 401 with
    //    `error="invalid_token"`, so the layer drops the token, fetches one, and retries once.
    mxo.controls().set_expires_in(SHORT_LIFETIME);
    mxo.controls().expire_all_tokens();
    let refused_at = Instant::now();
    let sent = interact(&api, &url, &mxo).await?;
    let short = source.token().await?;
    line("token refused, replaced", &sent, "", &mxo);
    expect(sent.attempts == 2 && sent.bearer == tag(&short), "the refused call was not retried with a new token")?;
    expect(mxo.controls().token_requests() == 2, "the refused token was not replaced by exactly one request")?;

    // 4. In the 3 s token's refresh window, the call goes out with it at once while the source
    //    fetches the next token in the background.
    let window_opens = refused_at + Duration::from_secs(SHORT_LIFETIME) - REFRESH_SKEW;
    tokio::time::sleep_until((window_opens + Duration::from_millis(200)).into()).await;
    let sent = interact(&api, &url, &mxo).await?;
    let refreshed = next_token(&source, &short).await?;
    let step = if sent.bearer == tag(&short) { "refreshed ahead" } else { "refreshed on expiry" };
    line(step, &sent, &format!("fetched {} in the background", tag(&refreshed)), &mxo);
    expect(mxo.controls().token_requests() == 3, "the refresh took other than one token request")?;

    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// What became of a call: its final status, the requests the emulator saw, the last one's token.
struct Sent {
    status: StatusCode,
    attempts: usize,
    bearer: String,
}

/// Posts an empty interaction through `api`; an error unless the answer is a 200.
async fn interact(api: &Api, url: &Uri, mxo: &Mxo) -> Result<Sent, Error> {
    let before = mxo.controls().api_requests();
    let request = http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(br#"{"uri":"x"}"#)))?;
    let response = api.clone().oneshot(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let bearer = mxo
        .controls()
        .received_requests()
        .await
        .iter()
        .rev()
        .find(|r| r.url.path() == url.path())
        .and_then(|r| r.headers.get(http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer "))
        .map_or_else(|| "none".to_owned(), tag_of);
    if status != StatusCode::OK {
        let body = String::from_utf8_lossy(&body);
        return Err(format!("POST {} with bearer {bearer}: {status}, expected 200: {body}", url.path()).into());
    }
    Ok(Sent { status, attempts: mxo.controls().api_requests().saturating_sub(before), bearer })
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

fn line(step: &str, sent: &Sent, note: &str, mxo: &Mxo) {
    let retried = if sent.attempts == 2 { "401, retried -> " } else { "" };
    let status = format!("-> {retried}{}", sent.status.as_u16());
    let bearer = format!("bearer {}", sent.bearer);
    println!("  {step:<24}{status:<23}{bearer:<14}{note:<32}[token requests: {}]", mxo.controls().token_requests());
}

fn expect(condition: bool, otherwise: &str) -> Result<(), Error> {
    if condition { Ok(()) } else { Err(otherwise.into()) }
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
