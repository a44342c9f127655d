//! Error chains print each message once: a wrapper displays its inner error or returns it as its
//! `source`, never both (the Rust API guidelines' rule), so anyhow, eyre or a CLI walking
//! `source()` shows no line twice.

mod support;

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

#[tokio::test(start_paused = true)]
async fn a_redirect_carrying_the_requests_credentials_is_scrubbed_like_a_server_answer() {
    use oauth_token_source::TokenSource;
    use support::{Reply, Scripted, Virtual};

    let profile = oauth_providers::rfc6749::Builder::new("http://127.0.0.1:9/token")
        .client("app", "cl13nt-s3cr3t-value")
        .auth_method(oauth_core::AuthMethod::Post)
        .build()
        .unwrap();
    let location = "https://login.example/?client_id=app&client_secret=cl13nt-s3cr3t-value".to_owned();
    let redirect = TransportErrorKind::Redirect { status: http::StatusCode::FOUND, location: Some(location) };
    let transport = Scripted::new([Reply::Fail(TransportError::new(redirect))]);
    let source = TokenSource::new(profile, transport, Virtual::new()).unwrap();
    let error = source.token().await.unwrap_err();
    let printed = format!("{error}\n{error:?}\n{}", error.chain());
    assert!(!printed.contains("cl13nt-s3cr3t-value"), "{printed}");
    assert!(printed.contains("login.example") && printed.contains("[redacted]"), "{printed}");
}
