//! The runner of the response table: builds each case's answer, parses it with the case's quirks, and says every way
//! the outcome differs from what the case expects (no error may print a token of the fixture bodies).

use std::time::{Duration, Instant};

use oauth_core::http::Response;
use oauth_core::{ProtocolErrorKind, TokenError, parse_token_response};
use serde_json::Value;

use crate::{Case, Expect, Kind, TOKENS_IN_BODIES};

pub(crate) fn response(case: &Case) -> Response<Vec<u8>> {
    let mut builder = Response::builder().status(case.status);
    for (name, value) in case.headers {
        builder = builder.header(*name, *value);
    }
    builder.body(case.body.bytes()).expect("fixture headers are valid")
}

pub(crate) fn check(case: &Case, sent_at: Instant) -> Result<(), String> {
    let quirks = case.quirks.quirks();
    let outcome = parse_token_response(&quirks, &response(case), sent_at);
    match (&case.expect, outcome) {
        (Expect::Token(want), Ok(token)) => {
            let mut bad = Vec::new();
            if token.access_token().secret() != want.access_token {
                bad.push("access_token".to_owned());
            }
            if token.token_type().as_str() != want.token_type {
                bad.push(format!("token_type {}", token.token_type()));
            }
            let lifetime = want.lifetime.map(Duration::from_secs);
            if token.lifetime() != lifetime {
                bad.push(format!("lifetime {:?}", token.lifetime()));
            }
            // DESIGN.md decision 3: expires_at = time the request was sent + expires_in.
            if token.expires_at() != lifetime.map(|l| sent_at + l) {
                bad.push("expires_at is not sent_at + lifetime".to_owned());
            }
            if token.refresh_token().map(|t| t.secret()) != want.refresh_token {
                bad.push("refresh_token".to_owned());
            }
            if token.scope().map(|s| s.as_str()) != want.scope {
                bad.push(format!("scope {:?}", token.scope()));
            }
            if token.id_token().map(|t| t.secret()) != want.id_token {
                bad.push("id_token".to_owned());
            }
            if token.extras().len() != want.extras.len() {
                bad.push(format!("extras {:?}", token.extras()));
            }
            for (name, json) in want.extras {
                let expected: Value = serde_json::from_str(json).expect("fixture extras are JSON");
                if token.extras().get(name) != Some(&expected) {
                    bad.push(format!("extra {name} = {:?}", token.extras().get(name)));
                }
            }
            if format!("{token:?}").contains(want.access_token) {
                bad.push("Debug prints the access token".to_owned());
            }
            if bad.is_empty() { Ok(()) } else { Err(bad.join("; ")) }
        }
        (Expect::Server(want), Err(TokenError::Server(error))) => {
            let mut bad = Vec::new();
            if error.status.as_u16() != case.status {
                bad.push(format!("status {}", error.status));
            }
            if error.code != want.code {
                bad.push(format!("code {:?}", error.code));
            }
            if error.source != want.source {
                bad.push(format!("source {:?}", error.source));
            }
            if error.description.as_deref() != want.description {
                bad.push(format!("description {:?}", error.description));
            }
            if error.vendor_code.as_deref() != want.vendor_code {
                bad.push(format!("vendor_code {:?}", error.vendor_code));
            }
            let challenges: Vec<(&str, Option<&str>)> =
                error.challenges.iter().map(|c| (c.scheme(), c.param("error"))).collect();
            if challenges != want.challenges {
                bad.push(format!("challenges {challenges:?}"));
            }
            if error.retry_after != want.retry_after {
                bad.push(format!("retry_after {:?}", error.retry_after));
            }
            let whole = TokenError::Server(error.clone());
            if whole.is_retryable() != want.retryable {
                bad.push(format!("is_retryable {}", whole.is_retryable()));
            }
            if whole.code() != want.code.as_ref() || whole.status().map(|s| s.as_u16()) != Some(case.status) {
                bad.push("TokenError::code/status disagree with the ServerError".to_owned());
            }
            bad.extend(leaks(&whole));
            if bad.is_empty() { Ok(()) } else { Err(bad.join("; ")) }
        }
        (Expect::Protocol(want), Err(TokenError::Protocol(error))) => {
            let mut bad = Vec::new();
            let kind_ok = match &want.kind {
                Kind::Is(kind) => error.kind == *kind,
                Kind::NotJson => matches!(error.kind, ProtocolErrorKind::NotJson { .. }),
            };
            if !kind_ok {
                bad.push(format!("kind {:?}", error.kind));
            }
            if error.status.as_u16() != case.status {
                bad.push(format!("status {}", error.status));
            }
            if error.retry_after != want.retry_after {
                bad.push(format!("retry_after {:?}", error.retry_after));
            }
            let whole = TokenError::Protocol(error.clone());
            if whole.is_retryable() != want.retryable {
                bad.push(format!("is_retryable {}", whole.is_retryable()));
            }
            if whole.code().is_some() {
                bad.push("a protocol error has no OAuth code".to_owned());
            }
            bad.extend(leaks(&whole));
            if bad.is_empty() { Ok(()) } else { Err(bad.join("; ")) }
        }
        (_, Ok(token)) => Err(format!("expected an error, got {token:?}")),
        (_, Err(error)) => Err(format!("wrong outcome: {error:?}")),
    }
}

/// A fixture token in an error's Display or Debug.
fn leaks(error: &TokenError) -> Option<String> {
    let printed = format!("{error} {error:?}");
    TOKENS_IN_BODIES.iter().find(|t| printed.contains(*t)).map(|t| format!("error prints the token {t}"))
}
