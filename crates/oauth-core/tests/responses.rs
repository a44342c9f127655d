//! Token-response parsing fixtures: a raw answer in, a `Token` or the exact typed error out, one named case each.
//!
//! Every case says where it came from: a vendor seed (`seeds/NNN_….txt`), an RFC section, a vendor's documentation, a
//! server's recorded answer, or "edge case". Where a documented example is not well-formed, the case says which
//! liberty was taken to make it a fixture.
//!
//! This file holds what every case is made of — the seeds' documented tokens, the header sets, how an answer is read
//! (quirk presets and vendor-like envelopes), bodies and expectations — and the checks on the table as a whole. The
//! cases are grouped by topic: `documented` (vendors' examples, RFC examples, recorded answers of real servers),
//! `fields` (each token field), `format` (status, content type and body shape) and `errors` (retrying, challenges,
//! vendor envelopes); `runner` checks one case. `timing`, `redaction` and `shared_reader` hold the tests that are not
//! rows of the table.

use std::time::{Duration, Instant};

use oauth_core::http::StatusCode;
use oauth_core::{
    EnvelopeError, ErrorCode, ErrorEnvelope, ErrorSource, ExpiresInProblem, ProtocolErrorKind, Quirks, RetryAfter,
};
use serde_json::Value;

#[path = "responses/documented.rs"]
mod documented;
#[path = "responses/errors.rs"]
mod errors;
#[path = "responses/fields.rs"]
mod fields;
#[path = "responses/format.rs"]
mod format;
#[path = "responses/redaction.rs"]
mod redaction;
#[path = "responses/runner.rs"]
mod runner;
#[path = "responses/shared_reader.rs"]
mod shared_reader;
#[path = "responses/timing.rs"]
mod timing;

// ----- the vendors' documented tokens -----
//
// The seeds' example responses live in fixtures/seeds/, shared with oauth-providers' tests; its README.md says which
// seed each file comes from and which liberty a repaired form takes.

/// The MXO seed's example response (seeds/000): the JWT joined (the page breaks it with spaces and a line break), the
/// body as published, repaired, and repaired with each break in the JWT read as one space.
const MXO_JWT: &str = include_str!("fixtures/seeds/mxo-access-token.repaired.txt");
const MXO_SEED_RESPONSE_VERBATIM: &str = include_str!("fixtures/seeds/mxo-token-response.verbatim.json");
const MXO_SEED_RESPONSE_REPAIRED: &str = include_str!("fixtures/seeds/mxo-token-response.repaired.json");
const MXO_SEED_RESPONSE_SPACES_KEPT: &str = include_str!("fixtures/seeds/mxo-token-response.spaces-kept.json");
/// The CloudCX seed's example response (seeds/001), as published: the page masks part of the JWT header with `*`,
/// which is visible ASCII, so the masked token is kept as it is.
const CLOUDCX_JWT: &str = include_str!("fixtures/seeds/cloudcx-access-token.txt");
const CLOUDCX_SEED_RESPONSE: &str = include_str!("fixtures/seeds/cloudcx-token-response.json");
/// The Bright Pattern seed's example response (seeds/003): with its trailing comma removed, and as published.
const BRIGHT_PATTERN_SEED_RESPONSE_REPAIRED: &str =
    include_str!("fixtures/seeds/bright-pattern-token-response.repaired.json");
const BRIGHT_PATTERN_SEED_RESPONSE_VERBATIM: &str =
    include_str!("fixtures/seeds/bright-pattern-token-response.verbatim.json");

const RFC_TOKEN: &str = "2YotnFZFEjr1zCsicMWpAA";
const RFC_REFRESH: &str = "tGzv3JOkF0XG5Qx2TlKWIA";

/// Token values that appear in fixture bodies; no error may print one of them.
const TOKENS_IN_BODIES: &[&str] = &[MXO_JWT, CLOUDCX_JWT, RFC_TOKEN, RFC_REFRESH, "mF_9.B5f-4.1JqM", "SlAV32hkKG"];

// ----- header sets -----

type Headers = &'static [(&'static str, &'static str)];

const JSON: Headers = &[("content-type", "application/json")];
const NONE: Headers = &[];
/// RFC 6749 §5.1 and §5.2: the headers of both examples.
const RFC_HEADERS: Headers =
    &[("content-type", "application/json;charset=UTF-8"), ("cache-control", "no-store"), ("pragma", "no-cache")];
/// oidc-provider's recorded success headers, lower-case names, charset in the type.
const OIDC_PROVIDER: Headers = &[("content-type", "application/json; charset=utf-8"), ("cache-control", "no-store")];
/// Authlib's recorded success and error headers.
const AUTHLIB: Headers = &[("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("Pragma", "no-cache")];
const FORM: Headers = &[("content-type", "application/x-www-form-urlencoded")];
const TEXT: Headers = &[("content-type", "text/plain")];
const HTML: Headers = &[("content-type", "text/html")];

// ----- quirks -----

/// How a case's answer is read.
#[derive(Clone, Copy)]
enum Preset {
    Lenient,
    Strict,
    /// A preset with something changed; the text says what.
    Tweak(&'static str, fn() -> Quirks),
}

impl Preset {
    fn quirks(self) -> Quirks {
        match self {
            Self::Lenient => Quirks::lenient(),
            Self::Strict => Quirks::strict(),
            Self::Tweak(_, make) => make(),
        }
    }
}

const LENIENT_DEFAULT_LIFETIME: Preset = Preset::Tweak("lenient, default_lifetime 3600 s", || {
    let mut quirks = Quirks::lenient();
    quirks.default_lifetime = Some(Duration::from_secs(3600));
    quirks
});
const STRICT_STRING_EXPIRES_IN: Preset = Preset::Tweak("strict, expires_in_as_string", || {
    let mut quirks = Quirks::strict();
    quirks.expires_in_as_string = true;
    quirks
});
const LENIENT_UNKNOWN_TYPE: Preset = Preset::Tweak("lenient, accept_unknown_token_type", || {
    let mut quirks = Quirks::lenient();
    quirks.accept_unknown_token_type = true;
    quirks
});
const CLOUDCX_ENVELOPE: Preset = Preset::Tweak("lenient, CloudCX-like `code` envelope", || {
    let mut quirks = Quirks::lenient();
    quirks.error_envelope = Some(ErrorEnvelope::new("cloudcx-like", cloudcx_like));
    quirks
});
const BRIGHT_PATTERN_ENVELOPE: Preset = Preset::Tweak("lenient, Bright-Pattern-like `errorCode` envelope", || {
    let mut quirks = Quirks::lenient();
    quirks.error_envelope = Some(ErrorEnvelope::new("bright-pattern-like", bright_pattern_like));
    quirks
});

/// A CloudCX-like envelope (CloudCX's documentation): `code` other than `"0000"` is an error, `message` says why.
fn cloudcx_like(_: StatusCode, body: &Value) -> Option<EnvelopeError> {
    let code = body.get("code")?.as_str()?;
    if code == "0000" {
        return None;
    }
    let mut error = EnvelopeError::new().vendor_code(code);
    if let Some(message) = body.get("message").and_then(Value::as_str) {
        error = error.description(message);
    }
    Some(error)
}

/// A Bright-Pattern-like envelope (Bright Pattern's documentation, Task Routing): `errorCode` 1 is an authentication
/// failure, 12 a rate limit that is worth retrying.
fn bright_pattern_like(_: StatusCode, body: &Value) -> Option<EnvelopeError> {
    let code = body.get("errorCode")?.as_u64()?;
    let mut error = EnvelopeError::new().vendor_code(code.to_string());
    if let Some(message) = body.get("errorMessage").and_then(Value::as_str) {
        error = error.description(message);
    }
    Some(match code {
        1 => error.code(ErrorCode::InvalidClient).retryable(false),
        12 => error.retryable(true),
        _ => error,
    })
}

// ----- bodies -----

#[derive(Clone, Copy)]
enum Body {
    Text(&'static str),
    Bytes(&'static [u8]),
    Made(fn() -> Vec<u8>),
}

impl Body {
    fn bytes(self) -> Vec<u8> {
        match self {
            Self::Text(text) => text.as_bytes().to_vec(),
            Self::Bytes(bytes) => bytes.to_vec(),
            Self::Made(make) => make(),
        }
    }
}

/// A token response padded with insignificant whitespace to exactly `len` bytes.
fn padded_token_body(len: usize) -> Vec<u8> {
    let head = br#"{"access_token":"cap","token_type":"Bearer""#;
    let tail = b"}";
    let mut body = head.to_vec();
    body.resize(len - tail.len(), b' ');
    body.extend_from_slice(tail);
    assert_eq!(body.len(), len);
    body
}

// ----- expectations -----

/// What a success must hold.
struct Tok {
    access_token: &'static str,
    /// `TokenType::as_str`.
    token_type: &'static str,
    /// `expires_in` as read (or the default lifetime); `None` = no expiry.
    lifetime: Option<u64>,
    refresh_token: Option<&'static str>,
    scope: Option<&'static str>,
    id_token: Option<&'static str>,
    /// Every extra field, as JSON text.
    extras: &'static [(&'static str, &'static str)],
}

/// A bearer token with the given lifetime and nothing else.
fn tok(access_token: &'static str, lifetime: Option<u64>) -> Tok {
    Tok { access_token, token_type: "Bearer", lifetime, refresh_token: None, scope: None, id_token: None, extras: &[] }
}

/// What a `TokenError::Server` must hold.
struct Srv {
    code: Option<ErrorCode>,
    source: ErrorSource,
    description: Option<&'static str>,
    vendor_code: Option<&'static str>,
    /// (scheme, `error` parameter) of every challenge, in order.
    challenges: &'static [(&'static str, Option<&'static str>)],
    retry_after: Option<RetryAfter>,
    retryable: bool,
}

fn srv(code: Option<ErrorCode>, source: ErrorSource, retryable: bool) -> Srv {
    Srv { code, source, description: None, vendor_code: None, challenges: &[], retry_after: None, retryable }
}

enum Kind {
    Is(ProtocolErrorKind),
    /// `NotJson` with whatever detail the JSON reader gives.
    NotJson,
}

/// What a `TokenError::Protocol` must hold.
struct Proto {
    kind: Kind,
    retryable: bool,
    retry_after: Option<RetryAfter>,
}

fn proto(kind: ProtocolErrorKind) -> Expect {
    Expect::Protocol(Proto { kind: Kind::Is(kind), retryable: false, retry_after: None })
}

fn not_json() -> Expect {
    Expect::Protocol(Proto { kind: Kind::NotJson, retryable: false, retry_after: None })
}

fn expires_in(problem: ExpiresInProblem) -> Expect {
    proto(ProtocolErrorKind::InvalidExpiresIn { problem })
}

enum Expect {
    Token(Tok),
    Server(Srv),
    Protocol(Proto),
}

struct Case {
    /// What the case shows, as a sentence in snake case.
    name: &'static str,
    /// Where the answer comes from.
    source: &'static str,
    status: u16,
    headers: Headers,
    body: Body,
    quirks: Preset,
    expect: Expect,
}

// ----- the table -----

/// Every case, topic by topic.
fn cases() -> Vec<Case> {
    [documented::cases(), fields::cases(), format::cases(), errors::cases()].into_iter().flatten().collect()
}

#[test]
fn every_response_fixture_parses_to_its_expected_outcome() {
    // Any base works: the expiry checks are relative to it. An hour ahead shows nothing uses `Instant::now()`.
    let sent_at = Instant::now() + Duration::from_secs(3600);
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|case| runner::check(case, sent_at).err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    assert!(failures.is_empty(), "{} failing fixtures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn fixture_table_has_forty_named_and_sourced_cases() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names must be unique");
    for case in &cases {
        assert!(!case.source.is_empty(), "{} has no source", case.name);
        assert!(case.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{}", case.name);
        if let Preset::Tweak(what, _) = case.quirks {
            assert!(!what.is_empty(), "{} tweaks the quirks without saying how", case.name);
        }
    }
}
