//! Helpers the provider conformance tests share: collecting the failures of a table of named cases, checking the
//! exact token request a profile builds, reading an answer both ways a profile offers, the checks every vendor's token
//! and server-error expectations start with, and Debug output that must not hold a secret.

#![allow(dead_code, reason = "each test file compiles this module on its own and uses a part of it")]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use oauth_core::http::{Method, Request, Response};
use oauth_core::{ErrorCode, ErrorSource, ServerError, Token, TokenConfig, TokenError};
use oauth_providers::Profile;

// ----- tables of cases -----

/// The failures of a table of named cases; a name used twice is one of them.
#[derive(Default)]
pub(crate) struct Failures {
    failures: Vec<String>,
    names: BTreeSet<&'static str>,
}

impl Failures {
    /// Notes a case's name; a second case of the same name is a failure.
    pub(crate) fn name(&mut self, name: &'static str) {
        if !self.names.insert(name) {
            self.failures.push(format!("{name}: duplicate case name"));
        }
    }

    pub(crate) fn push(&mut self, failure: String) {
        self.failures.push(failure);
    }

    /// Records a failed outcome as `label (source): what is wrong`.
    pub(crate) fn record(&mut self, label: &str, source: &str, outcome: Result<(), String>) {
        if let Err(e) = outcome {
            self.failures.push(format!("{label} ({source}): {e}"));
        }
    }

    /// Fails the test with every failure, counted, one a line.
    #[track_caller]
    pub(crate) fn assert_none(&self) {
        assert!(self.failures.is_empty(), "{} failing cases:\n{}", self.failures.len(), self.failures.join("\n"));
    }
}

/// Runs `check` on every case of a table, and fails the test listing each case it refuses as
/// `name (source): what is wrong`, and each name used twice; `label` gives a case's name and source.
#[track_caller]
pub(crate) fn check_each<C>(
    cases: impl IntoIterator<Item = C>,
    label: impl Fn(&C) -> (&'static str, &'static str),
    check: impl Fn(&C) -> Result<(), String>,
) {
    let mut failures = Failures::default();
    for case in cases {
        let (name, source) = label(&case);
        failures.name(name);
        failures.record(name, source, check(&case));
    }
    failures.assert_none();
}

/// `Ok` when nothing is wrong, else everything that is.
pub(crate) fn verdict(bad: Vec<String>) -> Result<(), String> {
    if bad.is_empty() { Ok(()) } else { Err(bad.join("; ")) }
}

// ----- the request -----

/// The token request a profile must build, and the profile's own vendor and API base.
pub(crate) struct ExpectedRequest<'a> {
    pub(crate) vendor: &'a str,
    pub(crate) api_base: &'a str,
    pub(crate) uri: &'a str,
    /// The `Authorization` header, when the client authenticates with one; it is then the one sensitive header.
    pub(crate) authorization: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

/// Every header as (name, value, sensitive), sorted.
pub(crate) fn headers_of(request: &Request<Vec<u8>>) -> Vec<(String, String, bool)> {
    let mut headers: Vec<(String, String, bool)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned(), value.is_sensitive())
        })
        .collect();
    headers.sort();
    headers
}

/// What differs between a profile and the request it built and what they must be: the vendor, the API base, a POST
/// to the token URL, exactly the headers `Accept: application/json`, the form Content-Type and the expected
/// `Authorization` (if any), and the body byte for byte.
pub(crate) fn request_mismatches(
    profile: &Profile,
    request: &Request<Vec<u8>>,
    want: &ExpectedRequest<'_>,
) -> Vec<String> {
    let mut bad = Vec::new();
    if profile.vendor() != want.vendor {
        bad.push(format!("vendor {}", profile.vendor()));
    }
    if profile.api_base() != want.api_base {
        bad.push(format!("api_base {}", profile.api_base()));
    }
    if request.method() != Method::POST {
        bad.push(format!("method {}", request.method()));
    }
    if request.uri() != want.uri {
        bad.push(format!("uri {}", request.uri()));
    }
    let mut expected = vec![
        ("accept".to_owned(), "application/json".to_owned(), false),
        ("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned(), false),
    ];
    if let Some(authorization) = want.authorization {
        expected.push(("authorization".to_owned(), authorization.to_owned(), true));
    }
    expected.sort();
    let headers = headers_of(request);
    if headers != expected {
        bad.push(format!("headers {headers:?}"));
    }
    if request.body() != want.body {
        bad.push(format!("body {}", String::from_utf8_lossy(request.body())));
    }
    bad
}

// ----- the answers -----

/// An answer with this status, these headers and this body.
pub(crate) fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Vec<u8>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.as_bytes().to_vec()).expect("fixture headers are valid")
}

/// The answer read both ways a profile offers, each with its name: by the endpoint's own reader and by the pending
/// exchange of a request the configuration built. Both use the profile's quirks, so they must agree.
pub(crate) fn read_both_ways(
    config: &TokenConfig,
    answer: &Response<Vec<u8>>,
    sent_at: Instant,
) -> [(&'static str, Result<Token, TokenError>); 2] {
    let (_request, pending) = config.build_request().expect("no client assertion to sign");
    [("parse_response", config.endpoint().parse_response(answer, sent_at)), ("finish", pending.finish(answer, sent_at))]
}

/// What is wrong with a token, against what every vendor table expects of one: the access token, the `Bearer` type,
/// and a lifetime of `lifetime` seconds counted from `sent_at`.
pub(crate) fn token_mismatches(token: &Token, access_token: &str, lifetime: u64, sent_at: Instant) -> Vec<String> {
    let mut bad = Vec::new();
    if token.access_token().secret() != access_token {
        bad.push("access_token".to_owned());
    }
    if token.token_type().as_str() != "Bearer" {
        bad.push(format!("token_type {}", token.token_type()));
    }
    let lifetime = Duration::from_secs(lifetime);
    if token.lifetime() != Some(lifetime) || token.expires_at() != Some(sent_at + lifetime) {
        bad.push(format!("lifetime {:?}, expires_at is not sent_at + lifetime", token.lifetime()));
    }
    bad
}

/// What is wrong with a server error, against what every vendor table states of one: the status, the OAuth code, where
/// the error was read from, its description, and whether it may be retried.
pub(crate) fn server_mismatches(
    error: &ServerError,
    status: u16,
    code: Option<&ErrorCode>,
    source: ErrorSource,
    description: Option<&str>,
    retryable: bool,
) -> Vec<String> {
    let mut bad = Vec::new();
    if error.status.as_u16() != status {
        bad.push(format!("status {}", error.status));
    }
    if error.code.as_ref() != code {
        bad.push(format!("code {:?}", error.code));
    }
    if error.source != source {
        bad.push(format!("source {:?}", error.source));
    }
    if error.description.as_deref() != description {
        bad.push(format!("description {:?}", error.description));
    }
    if error.is_retryable() != retryable {
        bad.push(format!("is_retryable {}", error.is_retryable()));
    }
    bad
}

// ----- secrets -----

/// Fails the test if `printed`, the Debug output `what` names, holds any of `secrets`.
#[track_caller]
pub(crate) fn assert_hides(what: &str, printed: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!printed.contains(secret), "{what} prints {secret}: {printed}");
    }
}
