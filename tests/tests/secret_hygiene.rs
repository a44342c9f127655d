//! Secret hygiene (DESIGN.md decision 5): no secret ever shows in an error, a `Debug` print or a log line.
//!
//! Distinctive canary secrets are put into every public oauth-core value that can hold one — the
//! secret newtypes, client authentication in every method and encoding, every grant, request
//! parameters, built requests and pending exchanges, parsed tokens and their extras, the token
//! lifecycle and its tickets — and into server answers that turn into errors: bodies that echo
//! the client secret, the password, the refresh token or a secret parameter back, and malformed
//! `200`s that carry an access token. Every value is rendered with `Display` (where it has one),
//! `Debug` and `{:#?}`, errors also down their `source()` chain, and every rendering is searched
//! for each canary and for every 8-character piece of it. One table, one loop: a failure lists
//! every leak (value, format, which canary, where) at once.
//!
//! What is *not* a log line: the body of a built request is the wire format, and a
//! `client_secret_post` body necessarily carries the secret; `Debug` of an `http::Request<Vec<u8>>`
//! prints the body as numbers, and the `Authorization` header as `Sensitive`.
//!
//! The stored and shared forms (`TokenRecord`, the store key and entries, the Redis store with a
//! password in its URL, its key and errors) are in the table too.
//!
//! Clients that sign assertions are in the table too: each assertion a request carried is a secret
//! made per request, so the subjects that could show one are checked for it as well as for the canaries.
//!
//! This file holds the canaries, the leak check and the one table test; the values it renders are made in
//! `values`, `echoes`, `protocol_errors`, `misuse`, `user_flows` and `assertions` from the building blocks in
//! `fixtures`, and `wire` checks what is the wire format rather than a log line.

use std::error::Error;
use std::fmt::{Debug, Display};

use oauth_core::ProtocolErrorKind;

#[path = "secret_hygiene/assertions.rs"]
mod assertions;
#[path = "secret_hygiene/echoes.rs"]
mod echoes;
#[path = "secret_hygiene/fixtures.rs"]
mod fixtures;
#[path = "secret_hygiene/misuse.rs"]
mod misuse;
#[path = "secret_hygiene/protocol_errors.rs"]
mod protocol_errors;
#[path = "secret_hygiene/stores.rs"]
mod stores;
#[path = "secret_hygiene/user_flows.rs"]
mod user_flows;
#[path = "secret_hygiene/values.rs"]
mod values;
#[path = "secret_hygiene/wire.rs"]
mod wire;

use assertions::assertion_subjects;
use echoes::echo_error_subjects;
use misuse::misuse_error_subjects;
use protocol_errors::protocol_error_subjects;
use stores::store_subjects;
use user_flows::user_flow_subjects;
use values::{credential_subjects, lifecycle_subjects, request_subjects, secret_subjects, token_subjects};

// ----- the canaries -----

const CLIENT_SECRET: &str = "CANARY-client-secret-7f3a";
/// A client secret as servers really issue them (base64): a JSON encoder may write its `/` as `\/`.
const SLASHED_SECRET: &str = "CANARY-b64secret-Rt4/u8+Yz9=";
const PASSWORD: &str = "CANARY-passwd-Hq2v9Lw";
const API_KEY: &str = "CANARY-apikey-M4tR8sYe";
const ACCESS: &str = "CANARY-access-Zb6nK1pQ";
const REFRESH: &str = "CANARY-refresh-Wd3jX7cu";
const ID_TOKEN: &str = "CANARY-idtoken-Ge5rT0ma";
const PARAM: &str = "CANARY-param-Vx1yN6hs";
/// The password of a Redis URL.
const REDIS_PASSWORD: &str = "CANARY-redispw-Jc8fL3nt";
/// A value in a token response field this crate has no slot for (it may hold anything).
const EXTRA: &str = "CANARY-extra-Pk9wB2df";

const CANARIES: &[(&str, &str)] = &[
    ("client secret", CLIENT_SECRET),
    ("base64 client secret", SLASHED_SECRET),
    ("password", PASSWORD),
    ("API key", API_KEY),
    ("access token", ACCESS),
    ("refresh token", REFRESH),
    ("ID token", ID_TOKEN),
    ("secret parameter", PARAM),
    ("Redis password", REDIS_PASSWORD),
    ("unknown response field", EXTRA),
];

/// What every secret prints instead of its value.
const REDACTED: &str = "[redacted]";

/// The shortest piece of a canary that counts as a leak (a token cut at an excerpt's end, or
/// wrapped over two lines, still leaks its halves).
const PIECE: usize = 8;

// ----- the table -----

/// One value, rendered every way it can be printed.
struct Subject {
    name: String,
    /// Whether every rendering must show the `[redacted]` marker.
    expect_marker: bool,
    renderings: Vec<(String, String)>,
    /// Secrets of this value's own, made as it was (a client assertion), looked for beside the canaries.
    own_secrets: Vec<(&'static str, String)>,
}

impl Subject {
    /// `{:?}` and `{:#?}`.
    fn debug<T: Debug + ?Sized>(name: impl Into<String>, value: &T) -> Self {
        Self {
            name: name.into(),
            expect_marker: false,
            renderings: vec![("{:?}".into(), format!("{value:?}")), ("{:#?}".into(), format!("{value:#?}"))],
            own_secrets: Vec::new(),
        }
    }

    /// `{}`, `{:?}` and `{:#?}`.
    fn display<T: Debug + Display + ?Sized>(name: impl Into<String>, value: &T) -> Self {
        let mut subject = Self::debug(name, value);
        subject.renderings.insert(0, ("{}".into(), format!("{value}")));
        subject
    }

    /// `{}`, `{:?}`, `{:#?}`, and the same for every error down the `source()` chain.
    fn error<E: Error + 'static>(name: impl Into<String>, error: &E) -> Self {
        let mut subject = Self::display(name, error);
        let mut depth = 0;
        let mut source = error.source();
        while let Some(cause) = source {
            depth += 1;
            subject.renderings.push((format!("source #{depth} {{}}"), format!("{cause}")));
            subject.renderings.push((format!("source #{depth} {{:?}}"), format!("{cause:?}")));
            subject.renderings.push((format!("source #{depth} {{:#?}}"), format!("{cause:#?}")));
            source = cause.source();
        }
        subject
    }

    /// A text an accessor hands out, as it is.
    fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            expect_marker: false,
            renderings: vec![("as text".into(), text.into())],
            own_secrets: Vec::new(),
        }
    }

    /// Adds one more rendering (a text an accessor hands out for logs).
    fn with(mut self, label: &str, text: impl Into<String>) -> Self {
        self.renderings.push((label.into(), text.into()));
        self
    }

    /// Every rendering must show `[redacted]`.
    fn marked(mut self) -> Self {
        self.expect_marker = true;
        self
    }

    /// No rendering may show `secret` (`what` names it), whole or the piece of it after its last
    /// `.` (a JWT's signature: its header and claims are not secret and are alike in every JWT).
    fn holding(mut self, what: &'static str, secret: impl Into<String>) -> Self {
        self.own_secrets.push((what, secret.into()));
        self
    }
}

/// Every one of `secrets` (or a piece of its last `.`-separated part) in `text`, described.
fn own_leaks_in(text: &str, secrets: &[(&'static str, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (what, secret) in secrets {
        if let Some(at) = text.find(secret.as_str()) {
            found.push(format!("the whole {what}, at: …{}…", around(text, at, secret.len())));
            continue;
        }
        let last = secret.rsplit('.').next().unwrap_or(secret);
        let piece = (0..=last.len().saturating_sub(PIECE))
            .map(|i| &last[i..(i + PIECE).min(last.len())])
            .find_map(|p| Some((p, text.find(p)?)));
        if let Some((piece, at)) = piece {
            found.push(format!("`{piece}`, a piece of the {what}, at: …{}…", around(text, at, PIECE)));
        }
    }
    found
}

/// Every canary (or piece of one) in `text`, described.
fn leaks_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for &(what, canary) in CANARIES {
        if let Some(at) = text.find(canary) {
            found.push(format!("the whole {what} `{canary}`, at: …{}…", around(text, at, canary.len())));
            continue;
        }
        // Pieces every canary shares (`CANARY-a` of both the access token and the API key) would
        // blame the wrong one; each canary has plenty of pieces of its own.
        let own = |piece: &&str| CANARIES.iter().all(|&(_, other)| other == canary || !other.contains(*piece));
        let piece = (0..=canary.len() - PIECE)
            .map(|i| &canary[i..i + PIECE])
            .filter(own)
            .find_map(|p| Some((p, text.find(p)?)));
        if let Some((piece, at)) = piece {
            found.push(format!("`{piece}`, a piece of the {what} `{canary}`, at: …{}…", around(text, at, PIECE)));
        }
    }
    found
}

/// Up to 40 characters either side of `text[at..at + len]`.
fn around(text: &str, at: usize, len: usize) -> &str {
    let mut start = at.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + 40).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}

#[test]
fn no_rendering_of_any_value_shows_a_secret() {
    let subjects: Vec<Subject> = [
        secret_subjects(),
        credential_subjects(),
        request_subjects(),
        token_subjects(),
        lifecycle_subjects(),
        echo_error_subjects(),
        protocol_error_subjects(),
        misuse_error_subjects(),
        store_subjects(),
        user_flow_subjects(),
        assertion_subjects(),
    ]
    .into_iter()
    .flatten()
    .collect();

    let mut failures = Vec::new();
    let mut renderings = 0;
    for subject in &subjects {
        for (format, text) in &subject.renderings {
            renderings += 1;
            for leak in leaks_in(text).into_iter().chain(own_leaks_in(text, &subject.own_secrets)) {
                failures.push(format!("{} with {format} leaks {leak}", subject.name));
            }
            if subject.expect_marker && !text.contains(REDACTED) {
                failures.push(format!("{} with {format} lacks the `{REDACTED}` marker: {text}", subject.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems in {renderings} renderings of {} values:\n{}",
        failures.len(),
        subjects.len(),
        failures.join("\n")
    );
    // The table is the test: a refactor that empties it must fail here, not pass silently.
    assert!(subjects.len() >= 150 && renderings >= 450, "{} values, {renderings} renderings", subjects.len());
}

/// The leak check itself finds what it must: a canary whole, a piece of one, and nothing in the
/// marker alone.
#[test]
fn leak_check_finds_whole_and_partial_canaries() {
    assert_eq!(leaks_in(&format!("x{ACCESS}x")).len(), 1);
    assert_eq!(leaks_in(&format!("cut: {}…", &REFRESH[..PIECE + 2])).len(), 1);
    assert_eq!(leaks_in(&format!("wrapped: {}\n{}", &ID_TOKEN[..10], &ID_TOKEN[10..])).len(), 1);
    assert!(leaks_in(&format!("{REDACTED} access_token refresh_token client_secret password")).is_empty());
    let kind = ProtocolErrorKind::MissingAccessToken;
    assert!(leaks_in(&format!("{kind} {kind:?}")).is_empty());
    // A value's own secret: whole, or a piece of its signature; its JWT header alone is no leak.
    let jwt = [("assertion", "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhcHAtNyJ9.c2lnbmF0dXJlLWJ5dGVz".to_owned())];
    assert_eq!(own_leaks_in(&format!("x{}x", jwt[0].1), &jwt).len(), 1);
    assert_eq!(own_leaks_in("cut: c2lnbmF0dXJl…", &jwt).len(), 1);
    assert!(own_leaks_in(&format!("{REDACTED} eyJhbGciOiJIUzI1NiJ9"), &jwt).is_empty());
}
