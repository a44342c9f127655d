//! One vendor's flow over one stack, written once for every vendor and both stacks: a token
//! fetched, reused, refused and replaced, refreshed ahead of expiry, and (CloudCX) an API key.
//! Each step records what the emulator saw, then checks what it claims; the first failed check
//! ends the flow with its reason.

use std::time::{Duration, Instant};

use http::StatusCode;
use http::header::AUTHORIZATION;
use oauth_core::AccessToken;
use oauth_providers::Profile;
use oauth_testkit::Controls;
use oauth_token_source::TokenSource;
use oauth_tokio::TokioRuntime;

use super::transcript::{Fetched, Sent, Step, fingerprint};
use super::transports::{Api, Stack};
use super::vendors::{Site, Vendor};
use super::{Error, RUN_LIMIT, chain};

/// The lifetime the emulator gives tokens once the flow shortens it, in seconds.
const SHORT_LIFETIME: u64 = 3;
/// How long before expiry a token is refreshed (the default is 60 s, capped at half the
/// lifetime). A 3 s token enters its refresh window 2 s after it was requested.
const REFRESH_SKEW: Duration = Duration::from_secs(1);

/// What one flow leaves behind: the call it made, its steps, and its verdict.
pub(super) struct Outcome {
    pub(super) call: Option<String>,
    pub(super) steps: Vec<Step>,
    pub(super) verdict: Result<(), String>,
}

impl Outcome {
    /// A flow that left nothing but its reason.
    pub(super) fn failed(reason: String) -> Self {
        Self { call: None, steps: Vec::new(), verdict: Err(reason) }
    }
}

/// Runs `vendor`'s flow over `stack` against an emulator of its own, giving up at `deadline`
/// (the steps done by then are kept).
pub(super) async fn run(vendor: Vendor, stack: Stack, deadline: tokio::time::Instant) -> Outcome {
    let (mut call, mut steps) = (None, Vec::new());
    let verdict = match tokio::time::timeout_at(deadline, flow(vendor, stack, &mut call, &mut steps)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(chain(&*error)),
        Err(_) => Err(format!("not done within {} s", RUN_LIMIT.as_secs())),
    };
    Outcome { call, steps, verdict }
}

async fn flow(vendor: Vendor, stack: Stack, call: &mut Option<String>, steps: &mut Vec<Step>) -> Result<(), Error> {
    let site = vendor.start().await?;
    *call = Some(site.call.summary());
    token_flow(&site, stack, steps).await?;
    match &site.api_key {
        Some(key) => api_key_flow(&site, key, stack, steps).await,
        None => Ok(()),
    }
}

/// A vendor's token flow: fetch, reuse, a refused token replaced, a refresh ahead of expiry.
async fn token_flow(site: &Site, stack: Stack, steps: &mut Vec<Step>) -> Result<(), Error> {
    let emulator = site.controls();
    let source = TokenSource::builder(site.profile.clone(), stack.transport()?, TokioRuntime)
        .refresh_skew(REFRESH_SKEW)
        .build()?;
    let api = stack.api(source.clone())?;

    // 1. No token yet: the middleware has the source fetch one, then sends the call with it.
    let sent = send(&api, site).await?;
    let first = source.token().await?;
    let step = record(steps, "token fetched", sent, Some(fetched(&source, site).await?), emulator);
    expect(step.sent.carried(&first), "the call did not carry the token the source holds")?;
    expect_token_requests(emulator, 1)?;

    // 2. The cached token serves the next call: no token request.
    let sent = send(&api, site).await?;
    let step = record(steps, "cached token reused", sent, None, emulator);
    expect(step.sent.carried(&first), "the second call did not carry the cached token")?;
    expect_token_requests(emulator, 1)?;

    // 3. The server forgets every token it issued (and issues 3 s tokens from now on): the call
    //    gets a 401, the middleware drops the token, fetches a new one and sends the call again.
    emulator.set_expires_in(SHORT_LIFETIME);
    emulator.expire_all_tokens();
    let sent = send(&api, site).await?;
    let short = source.token().await?;
    let step = record(steps, "token refused, replaced", sent, Some(fetched(&source, site).await?), emulator);
    expect(step.sent.attempts == 2, "the refused call was not sent again")?;
    let replaced = step.sent.carried(&short) && short.secret() != first.secret();
    expect(replaced, "the call was not sent again with a new token")?;
    expect_token_requests(emulator, 2)?;

    // 4. Once the 3 s token is in its refresh window (1 s before expiry), the next call is still
    //    sent with it at once, while the source fetches the next token in the background.
    let expires_at =
        source.current_token().and_then(|token| token.expires_at()).ok_or("the new token has no expiry")?;
    let window_opens = expires_at.checked_sub(REFRESH_SKEW).ok_or("the expiry is out of the clock's range")?;
    tokio::time::sleep_until((window_opens + Duration::from_millis(200)).into()).await;
    let sent = send(&api, site).await?;
    next_token(&source, &short).await?;
    // Had this machine stalled past the token's expiry, the call would have waited for the new
    // token instead: say which happened rather than assume.
    let what = if sent.carried(&short) { "refreshed ahead of expiry" } else { "refreshed on expiry" };
    record(steps, what, sent, Some(fetched(&source, site).await?), emulator);
    expect_token_requests(emulator, 3)
}

/// CloudCX's API key: a static token source, the same middleware, no token exchange.
async fn api_key_flow(site: &Site, key: &Profile, stack: Stack, steps: &mut Vec<Step>) -> Result<(), Error> {
    let emulator = site.controls();
    let before = emulator.token_requests();
    let source = TokenSource::new(key.clone(), stack.transport()?, TokioRuntime)?;
    expect(source.is_static(), "the API-key source is not static")?;
    let api = stack.api(source.clone())?;
    let sent = send(&api, site).await?;
    let step = record(steps, "API key, no token exchange", sent, None, emulator);
    expect(step.sent.carried(&source.token().await?), "the call did not carry the API key")?;
    expect_token_requests(emulator, before)
}

/// Sends the site's API call through `api`; an error unless it ends in a 200.
async fn send(api: &Api, site: &Site) -> Result<Sent, Error> {
    let before = site.controls().api_requests();
    let (status, body) = api.send(&site.call).await?;
    let attempts = site.controls().api_requests().saturating_sub(before);
    let sent = Sent { status, attempts, bearer: last_bearer(site).await };
    if status != StatusCode::OK {
        let bearer = sent.bearer.as_ref().map_or_else(|| "no token".to_owned(), fingerprint);
        let body: String = String::from_utf8_lossy(&body).chars().take(160).collect();
        let body = if body.is_empty() { body } else { format!(": {body}") };
        return Err(format!("{} with bearer {bearer}: {status}, expected 200{body}", site.call.summary()).into());
    }
    Ok(sent)
}

/// Adds a step to the transcript and hands it back for its checks.
fn record<'a>(
    steps: &'a mut Vec<Step>,
    what: &'static str,
    sent: Sent,
    fetched: Option<Fetched>,
    emulator: &Controls,
) -> &'a Step {
    steps.push(Step { what, sent, fetched, token_requests: emulator.token_requests() });
    &steps[steps.len() - 1]
}

/// The token the source holds, its lifetime, and the grant of the last token request.
async fn fetched(source: &TokenSource, site: &Site) -> Result<Fetched, Error> {
    let token = source.current_token().ok_or("the source holds no token")?;
    let token_path = site.profile.token_config().map(|config| config.endpoint().uri().path());
    let requests = site.controls().received_requests().await;
    let grant = requests
        .iter()
        .rev()
        .find(|request| Some(request.url.path()) == token_path)
        .and_then(|request| std::str::from_utf8(&request.body).ok())
        .and_then(|form| form.split('&').find_map(|pair| pair.strip_prefix("grant_type=")))
        .unwrap_or("?")
        .to_owned();
    Ok(Fetched { token: token.access_token().clone(), grant, lifetime: token.lifetime() })
}

/// The token on the last request the emulator received for the site's API call.
async fn last_bearer(site: &Site) -> Option<AccessToken> {
    let requests = site.controls().received_requests().await;
    let last = requests.iter().rev().find(|request| request.url.path() == site.call.path())?;
    let header = last.headers.get(AUTHORIZATION)?.to_str().ok()?;
    Some(AccessToken::new(header.strip_prefix("Bearer ")?))
}

/// Waits until the source holds a token other than `old` (the background refresh is done).
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

fn expect(condition: bool, otherwise: &str) -> Result<(), Error> {
    if condition { Ok(()) } else { Err(otherwise.into()) }
}

fn expect_token_requests(emulator: &Controls, expected: usize) -> Result<(), Error> {
    let actual = emulator.token_requests();
    expect(actual == expected, &format!("the emulator counted {actual} token requests, expected {expected}"))
}
