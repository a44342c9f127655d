//! What `oauth token` prints: the token, a header line, or a JSON object — and nothing of the
//! credentials, nor the refresh token unless asked.

use std::time::{Duration, Instant, SystemTime};

use oauth_core::{Token, TokenType};
use serde::Serialize;

use crate::cli::{Format, TokenOutput};

#[derive(Serialize)]
struct TokenJson<'a> {
    access_token: &'a str,
    token_type: &'a str,
    /// Seconds left, rounded down; `null` when the token does not expire by time.
    expires_in: Option<u64>,
    /// RFC 3339, UTC.
    expires_at: Option<String>,
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// The text to print for `token` in `format` (with its final line break).
pub(crate) fn render(token: &Token, output: &TokenOutput) -> String {
    let (format, show_refresh_token) = (output.format, output.show_refresh_token);
    let scheme = match token.token_type() {
        TokenType::Bearer => "Bearer",
        other => other.as_str(),
    };
    match format {
        Format::Token => format!("{}\n", token.access_token().secret()),
        Format::Header => format!("Authorization: {scheme} {}\n", token.access_token().secret()),
        Format::Json => {
            let (now, wall) = (Instant::now(), SystemTime::now());
            let left = token.expires_at().map(|at| at.saturating_duration_since(now));
            let json = TokenJson {
                access_token: token.access_token().secret(),
                token_type: scheme,
                expires_in: left.map(|d| d.as_secs()),
                expires_at: left.map(|d| rfc3339(wall, d)),
                scope: token.scope().map(oauth_core::Scope::as_str).filter(|s| !s.is_empty()),
                refresh_token: token.refresh_token().filter(|_| show_refresh_token).map(|t| t.secret()),
            };
            // Invariant: a struct of strings and numbers always serializes.
            let mut text = serde_json::to_string_pretty(&json).expect("token JSON serializes");
            text.push('\n');
            text
        }
    }
}

fn rfc3339(wall: SystemTime, left: Duration) -> String {
    let at = wall.checked_add(left).unwrap_or(wall);
    humantime::format_rfc3339_seconds(at).to_string()
}

/// Re-indents JSON text two spaces a level, keeping the server's field order and number
/// spellings (a parse into `serde_json::Value` would sort keys and re-spell numbers).
/// The input must be valid JSON; the caller checks that first.
pub(crate) fn pretty_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_keeps_order_numbers_and_strings() {
        let text = r#"{"z":1.50,"a":[],"b":{},"c":[1,{"x":"a, b: {c}","y":"q\"}"}],"d":null}"#;
        let pretty = pretty_json(text);
        assert_eq!(
            pretty,
            "{\n  \"z\": 1.50,\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    {\n      \"x\": \"a, b: {c}\",\n      \"y\": \"q\\\"}\"\n    }\n  ],\n  \"d\": null\n}\n"
        );
        let reparsed: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(reparsed, serde_json::from_str::<serde_json::Value>(text).unwrap());
    }

    #[test]
    fn rfc3339_is_utc_to_the_second() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(rfc3339(wall, Duration::from_millis(299_900)), "2027-01-15T08:04:59Z");
    }
}
