//! The token-answer targets: `parse_token_response` under `Quirks::strict()` and
//! `Quirks::lenient()`, on any answer and on form-encoded ones.

use oauth_core::Quirks;

use crate::answer::{answer, form_answer};
use crate::checks::{read_error, read_token};

/// Reads an answer (`[status][head][lines…][body]`, see the crate docs) as a token answer
/// under both presets.
///
/// Checks, besides what every reading keeps (a usable token, or an error with the answer's
/// status; both readers agreeing on a 4xx or 5xx; no planted access token shown): what the
/// strict preset accepts, the lenient one accepts as the same token (every leniency is a switch
/// that only loosens).
pub fn token_response(data: &[u8]) {
    let answer = answer(data);
    let strict = read_token(&Quirks::strict(), &answer);
    let lenient = read_token(&Quirks::lenient(), &answer);
    if let Ok(token) = &strict {
        let Ok(loose) = &lenient else {
            panic!("the lenient preset refuses what the strict one accepts: {lenient:?}");
        };
        assert_eq!(token.access_token().secret(), loose.access_token().secret());
        assert_eq!(format!("{token:?}"), format!("{loose:?}"), "the presets read one answer two ways");
    }
}

/// Reads `[status][body]` as an answer labelled `application/x-www-form-urlencoded`: as a
/// token answer under both presets, and as an error answer under the lenient one.
pub fn form_response(data: &[u8]) {
    let answer = form_answer(data);
    let _ = read_token(&Quirks::strict(), &answer);
    let _ = read_token(&Quirks::lenient(), &answer);
    let _ = read_error(&Quirks::lenient(), &answer);
}
