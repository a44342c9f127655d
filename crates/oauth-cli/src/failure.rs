//! Why a command failed, as one line a person can act on, and its exit code.
//!
//! Every failure is made here from a typed error: the library's errors already hold no secret
//! (tokens and credentials are redacted or masked where they are made), so this module only
//! chooses the words and the code.

use std::fmt;
use std::process::ExitCode;

use oauth_token_source::{ClientError, TransportError, TransportErrorKind};

/// The documented exit codes (`oauth --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// The API answered an HTTP error or a vendor error envelope.
    Api = 1,
    /// A bad flag, profile, config file, secret file or URL.
    Usage = 2,
    /// The authorization server refused.
    Refused = 3,
    /// Network or transport.
    Network = 4,
}

/// A failed command: one line, and its exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exit: Exit,
    message: String,
}

impl Failure {
    pub(crate) fn with_exit(exit: Exit, message: impl Into<String>) -> Self {
        Self { exit, message: message.into() }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self { exit: Exit::Usage, message: message.into() }
    }

    pub(crate) fn api(message: impl Into<String>) -> Self {
        Self { exit: Exit::Api, message: message.into() }
    }

    pub(crate) fn network(message: impl Into<String>) -> Self {
        Self { exit: Exit::Network, message: message.into() }
    }

    /// A token source's error: the server's refusal (3) or the way to it failing (4).
    pub(crate) fn from_client(error: &ClientError, endpoint: &str) -> Self {
        match error {
            ClientError::Token { error: oauth_core::TokenError::Misuse(misuse), .. } => Self::usage(misuse.to_string()),
            ClientError::Token { .. } => Self {
                exit: Exit::Refused,
                message: format!("the authorization server at {endpoint} refused: {}", error.chain()),
            },
            ClientError::Transport(transport) => Self::transport(transport, endpoint),
            ClientError::AuthorizationRequired { .. } => {
                Self { exit: Exit::Refused, message: format!("{endpoint}: {}; sign in again", error.chain()) }
            }
            ClientError::Deadline { last: Some(last), .. } if matches!(**last, ClientError::Token { .. }) => {
                Self { exit: Exit::Refused, message: format!("no token from {endpoint}: {}", error.chain()) }
            }
            ClientError::Deadline { last: None, .. } => Self::network(format!(
                "no token from {endpoint}: {} (the token endpoint did not answer in time)",
                error.chain()
            )),
            ClientError::Deadline { .. } => Self::network(format!("no token from {endpoint}: {}", error.chain())),
            _ => Self::network(format!("{endpoint}: {}", error.chain())),
        }
    }

    /// The way to a server failing, with a hint for the common causes.
    pub(crate) fn transport(error: &TransportError, target: &str) -> Self {
        let hint = match error.kind() {
            TransportErrorKind::Connect => {
                if chain_mentions(error, &["certificate", "tls", "handshake"]) {
                    " (a TLS failure: check the host name and that its certificate is trusted)"
                } else {
                    " (is the host and port right, and the server up?)"
                }
            }
            TransportErrorKind::Timeout => " (the server did not answer in time)",
            TransportErrorKind::Redirect { .. } => {
                " (redirects are never followed with credentials: use the URL it points to)"
            }
            _ => "",
        };
        Self::network(format!("{target}: {}{hint}", Chain(error)))
    }
}

fn chain_mentions(error: &(dyn std::error::Error + 'static), words: &[&str]) -> bool {
    let text = Chain(error).to_string().to_ascii_lowercase();
    words.iter().any(|word| text.contains(word))
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit as u8)
    }
}

/// An error and its sources on one line, each message once.
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut source = self.0.source();
        while let Some(error) = source {
            let next = error.to_string();
            if !text.contains(&next) {
                text.push_str(": ");
                text.push_str(&next);
            }
            source = error.source();
        }
        // One line, whatever a lower layer put in its message.
        f.write_str(&text.replace(['\n', '\r'], " "))
    }
}
