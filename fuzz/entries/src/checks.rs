//! The invariants every reading of an answer must keep, shared by the answer-shaped targets.
//!
//! Each check states only what oauth-core documents for every input: a token is usable as a
//! header and expires when its lifetime says; an error keeps the answer's status, challenges and
//! `Retry-After`; the token reader and the shared error reader agree on a 4xx or 5xx; and no
//! error shows an access token planted in the body (the body excerpt masks token-bearing fields).

use std::sync::LazyLock;
use std::time::Instant;

use oauth_core::http::header::RETRY_AFTER;
use oauth_core::{
    Challenge, ErrorSource, Quirks, RetryAfter, ServerError, Token, TokenError, parse_error_response,
    parse_token_response,
};
use serde_json::Value;

use crate::answer::{Answer, Label};

/// When every request of a run was "sent": one fixed moment, so expiries compare exactly.
static SENT_AT: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Reads `answer` as a token answer under `quirks` and checks what holds for any outcome.
pub(crate) fn read_token(quirks: &Quirks, answer: &Answer<'_>) -> Result<Token, TokenError> {
    let status = answer.status();
    let sent_at = *SENT_AT;
    let outcome = parse_token_response(quirks, &answer.response, sent_at);
    match &outcome {
        Ok(token) => {
            assert!(status.is_success(), "a token from a {status} answer");
            assert!(quirks.any_success_status || status.as_u16() == 200, "a token from a {status} answer");
            let secret = token.access_token().secret();
            assert!(!secret.is_empty(), "an empty access token");
            assert!(secret.bytes().all(|b| b.is_ascii_graphic()), "an access token no header can carry");
            assert_eq!(token.expires_at(), token.lifetime().and_then(|l| sent_at.checked_add(l)));
            assert!(token.lifetime().is_none_or(|l| l <= quirks.max_lifetime), "a lifetime past the profile's cap");
            let _ = format!("{token:?}");
        }
        Err(error) => {
            assert_eq!(error.status(), Some(status), "the error lost the answer's status: {error:?}");
            let _ = (error.to_string(), format!("{error:?}"), error.is_retryable(), error.code(), error.retry_after());
        }
    }
    // The token reader hands a 4xx or 5xx to the reader every endpoint shares: both say the same.
    if status.is_client_error() || status.is_server_error() {
        let Err(TokenError::Server(from_token)) = &outcome else {
            panic!("a {status} answer read as {outcome:?}, not a server error");
        };
        let shared = read_error(quirks, answer).expect("a 4xx or 5xx is an error");
        assert_eq!(format!("{shared:?}"), format!("{from_token:?}"), "the two readers disagree");
    }
    if let (Some(planted), Err(error)) = (planted_token(answer), &outcome) {
        assert_hidden(error, &planted);
    }
    outcome
}

/// Reads `answer` as any endpoint's error answer under `quirks` and checks what holds for any
/// outcome.
pub(crate) fn read_error(quirks: &Quirks, answer: &Answer<'_>) -> Option<ServerError> {
    let status = answer.status();
    let headers = answer.response.headers();
    let error = parse_error_response(quirks, &answer.response);
    let Some(error) = error else {
        assert!(!status.is_client_error() && !status.is_server_error(), "a {status} answer read as no error");
        return None;
    };
    assert_eq!(error.status, status, "the error lost the answer's status: {error:?}");
    assert_eq!(error.challenges, Challenge::from_headers(headers), "the error lost the answer's challenges");
    assert_eq!(error.retry_after, headers.get(RETRY_AFTER).and_then(RetryAfter::parse), "Retry-After changed");
    match error.source {
        ErrorSource::OAuthBody | ErrorSource::Challenge => assert!(error.code.is_some(), "{error:?}"),
        ErrorSource::StatusOnly => {
            assert!(error.code.is_none() && error.description.is_none(), "a status-only error with words: {error:?}");
        }
        _ => {}
    }
    let _ = (error.to_string(), format!("{error:?}"), error.is_retryable());
    if let Some(planted) = planted_token(answer) {
        assert_hidden(&TokenError::from(error.clone()), &planted);
    }
    Some(error)
}

/// The access token of a JSON-object body, when it can be looked for in an error's text
/// without false alarms: at least 12 token characters with a letter and a digit (no prose or
/// number the error writes itself looks like that), written once in the body, and found in no
/// other string, name or number of the body, nor in a header. A body that may be read as a form
/// is not used: form decoding can spell the token in another field.
pub(crate) fn planted_token(answer: &Answer<'_>) -> Option<String> {
    if answer.label != Label::NotForm {
        return None;
    }
    let body = std::str::from_utf8(answer.body()).ok()?;
    let value: Value = serde_json::from_str(body).ok()?;
    let token = value.get("access_token")?.as_str()?;
    let shaped = token.len() >= 12
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"._~+/-".contains(&b))
        && token.bytes().any(|b| b.is_ascii_alphabetic())
        && token.bytes().any(|b| b.is_ascii_digit());
    if !shaped || body.matches(token).count() != 1 {
        return None;
    }
    let mut texts = Vec::new();
    texts_of(&value, &mut texts);
    if texts.iter().filter(|text| text.contains(token)).count() != 1 {
        return None;
    }
    if answer.header_bytes.windows(token.len()).any(|w| w == token.as_bytes()) {
        return None;
    }
    Some(token.to_owned())
}

/// Every string, member name and number of `value`, as text.
fn texts_of(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Number(number) => out.push(number.to_string()),
        Value::Array(items) => items.iter().for_each(|item| texts_of(item, out)),
        Value::Object(members) => {
            for (name, member) in members {
                out.push(name.clone());
                texts_of(member, out);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

/// Panics if `error` shows `token`: in its message or in the body excerpt it keeps.
///
/// The message is checked in parts (a protocol error's kind, a server error's own message) and
/// the excerpt as text, not through `{:?}`: escaping could make a `\n` followed by the token's
/// tail look like the token.
pub(crate) fn assert_hidden(error: &TokenError, token: &str) {
    let (message, excerpt) = match error {
        TokenError::Server(e) => (e.to_string(), e.body.text()),
        TokenError::Protocol(e) => (e.kind.to_string(), e.body.text()),
        other => (other.to_string(), ""),
    };
    assert!(!message.contains(token), "an error message shows the access token {token:?}: {message}");
    assert!(!excerpt.contains(token), "an error's body excerpt shows the access token {token:?}: {excerpt}");
}

#[cfg(test)]
mod tests {
    use oauth_core::ServerError;
    use oauth_core::http::StatusCode;

    use super::*;
    use crate::answer::answer;

    const TOKEN: &str = "2YotnFZFEjr1zCsicMWpAA";

    #[test]
    fn a_token_is_planted_only_where_it_cannot_be_confused() {
        let planted = |input: &str| planted_token(&answer(input.as_bytes()));
        assert_eq!(planted(&format!(r#"0A{{"access_token":"{TOKEN}","token_type":"mac"}}"#)).as_deref(), Some(TOKEN));
        for confusable in [
            format!(r#"0C{{"access_token":"{TOKEN}"}}"#), // labelled as a form
            format!(r#"0A{{"access_token":"{TOKEN}","x":"{TOKEN}"}}"#), // written twice
            format!(r#"0A{{"access_token":"{TOKEN}","x":"a\u0032YotnFZFEjr1zCsicMWpAA"}}"#), // spelled again
            format!("0a{TOKEN}\n{{\"access_token\":\"{TOKEN}\"}}"), // also in a header
            r#"0A{"access_token":"ShortToken1"}"#.to_owned(), // too short
            r#"0A{"access_token":"OnlyLettersHere"}"#.to_owned(), // reads like prose
        ] {
            assert_eq!(planted(&confusable), None, "{confusable}");
        }
    }

    #[test]
    #[should_panic(expected = "shows the access token")]
    fn an_error_showing_the_planted_token_is_a_finding() {
        let mut error = ServerError::new(StatusCode::BAD_REQUEST);
        error.description = Some(format!("no such token {TOKEN}").into());
        assert_hidden(&TokenError::from(error), TOKEN);
    }
}
