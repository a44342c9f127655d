//! The fuzz targets' bodies: one plain `fn(&[u8])` per target, run by libFuzzer (`fuzz/`) and by
//! the stable replay test over the committed corpus.
//!
//! Each entry point turns arbitrary bytes into the input of one public parser of oauth-core or
//! oauth-providers, calls it, and panics only when an invariant that must hold is broken: the
//! parsers themselves promise never to panic, whatever the bytes. A panic here is therefore a
//! finding, under libFuzzer and under `cargo test` alike.
//!
//! | target | what it reads |
//! |---|---|
//! | `token_response` | `parse_token_response` under `Quirks::strict()` and `Quirks::lenient()` |
//! | `form_response` | the same, with a form-encoded `Content-Type`, and `parse_error_response` |
//! | `error_response` | `parse_error_response` under both presets |
//! | `vendor_envelope` | both readers under the CloudCX and Bright Pattern profiles' quirks |
//! | `challenge` | `WWW-Authenticate`: `Challenge::parse_all`, `Challenge::from_headers`, `is_invalid_token` |
//! | `retry_after` | `RetryAfter::parse`, then `RetryPolicy::delay` with arbitrary numbers |
//! | `host` | `TokenEndpoint::new`, the profiles' host readers, `Profile::api_url` |
//! | `cloudcx_envelope` | `oauth_providers::cloudcx::read_envelope` |
//!
//! How the bytes are laid out for each target is said on its function. The answer-shaped ones
//! share one layout: `[status][head][lines…][body]`, where the first byte picks the status, the
//! second the `Content-Type` and whether `WWW-Authenticate` and `Retry-After` lines follow (see
//! `fuzz/README.md`).
//!
//! # What this crate is not
//! Not a test suite of expected values: it checks only what holds for every input. It is not
//! published.

mod answer;
mod challenge;
mod checks;
mod cloudcx;
mod errors;
mod host;
mod retry;
mod token;

pub use challenge::challenge;
pub use cloudcx::cloudcx_envelope;
pub use errors::{error_response, vendor_envelope};
pub use host::host;
pub use retry::retry_after;
pub use token::{form_response, token_response};

/// A fuzz target's entry point.
pub type Entry = fn(&[u8]);

/// Every target by name: the names of `fuzz/fuzz_targets/*.rs` and of the corpus folders.
pub const TARGETS: &[(&str, Entry)] = &[
    ("token_response", token_response),
    ("form_response", form_response),
    ("error_response", error_response),
    ("vendor_envelope", vendor_envelope),
    ("challenge", challenge),
    ("retry_after", retry_after),
    ("host", host),
    ("cloudcx_envelope", cloudcx_envelope),
];

/// The entry point named `name`, if there is one.
#[must_use]
pub fn entry(name: &str) -> Option<Entry> {
    TARGETS.iter().find(|(target, _)| *target == name).map(|(_, entry)| *entry)
}
