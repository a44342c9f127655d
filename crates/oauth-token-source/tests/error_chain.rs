//! Error chains print each message once: a wrapper displays its inner error or returns it as its
//! `source`, never both (the Rust API guidelines' rule), so anyhow, eyre or a CLI walking
//! `source()` shows no line twice.

use std::error::Error;
use std::time::Duration;

use oauth_core::{MisuseError, TokenError};
use oauth_token_source::{ClientError, TransportError, TransportErrorKind};

/// Every message of the chain, outermost first.
fn messages(error: &(dyn Error + 'static)) -> Vec<String> {
    let mut out = vec![error.to_string()];
    let mut source = error.source();
    while let Some(next) = source {
        out.push(next.to_string());
        source = next.source();
    }
    out
}

/// No message of the chain repeats another's text inside it.
fn assert_each_once(name: &str, error: &(dyn Error + 'static)) {
    let chain = messages(error);
    for (i, outer) in chain.iter().enumerate() {
        for inner in &chain[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()),
                "{name}: {outer:?} repeats its source {inner:?} (chain {chain:?})"
            );
        }
    }
}

#[test]
fn no_error_shows_its_source_twice() {
    let misuse = TokenError::from(MisuseError::EmptyClientId);
    let refused = ClientError::Transport(TransportError::with_source(
        TransportErrorKind::Connect,
        std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused"),
    ));
    let cases: Vec<(&str, Box<dyn Error + 'static>)> = vec![
        ("TokenError::Misuse", Box::new(misuse.clone())),
        ("ClientError::Token", Box::new(ClientError::from(misuse.clone()))),
        ("ClientError::Transport", Box::new(refused.clone())),
        (
            "ClientError::Deadline",
            Box::new(ClientError::Deadline {
                deadline: Duration::from_secs(30),
                attempts: 3,
                last: Some(Box::new(ClientError::from(misuse))),
            }),
        ),
        (
            "ClientError::Deadline over a transport error",
            Box::new(ClientError::Deadline {
                deadline: Duration::from_secs(30),
                attempts: 2,
                last: Some(Box::new(refused)),
            }),
        ),
    ];
    for (name, error) in &cases {
        assert_each_once(name, error.as_ref());
    }
}

#[test]
fn the_deadline_hands_its_last_error_to_chain_printers() {
    let last = ClientError::from(TokenError::from(MisuseError::EmptyClientId));
    let late =
        ClientError::Deadline { deadline: Duration::from_secs(30), attempts: 3, last: Some(Box::new(last.clone())) };
    assert_eq!(late.source().map(ToString::to_string), Some(last.to_string()));
    assert_eq!(late.chain().to_string(), format!("no token within 30s (3 attempt(s)): {last}"));
}
