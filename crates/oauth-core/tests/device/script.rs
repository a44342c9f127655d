//! Scripts of token-endpoint answers and the driver that plays one against a `DeviceFlow` on the
//! virtual clock, recording the instant of every request and how the flow ended.

use std::fmt;

use oauth_core::device::{DeviceFlow, DeviceFlowError, DeviceStep};
use oauth_core::{ErrorCode, RequestFailure, TokenError};

use crate::{at, json, secs_of};

/// What the token endpoint answers one request with, in a script.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Answer {
    /// `{"error":"…"}` with 400 (RFC 8628 §3.5's answers).
    Error(&'static str),
    /// Any status and body.
    Raw(u16, &'static str),
    /// No answer: the transport failed.
    Lost,
    Token,
}

pub(crate) const TOKEN: &str = r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#;

/// A transport failure: no answer, so no token error.
#[derive(Debug)]
pub(crate) struct Lost;

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection reset")
    }
}

/// A request's result as a driver has it: the endpoint's answer read, or a transport error.
#[derive(Debug)]
pub(crate) enum Failure {
    Answer(TokenError),
    Transport(Lost),
}

impl RequestFailure for Failure {
    fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::Answer(e) => Some(e),
            Self::Transport(_) => None,
        }
    }
    fn is_retryable(&self) -> bool {
        match self {
            Self::Answer(e) => e.is_retryable(),
            Self::Transport(_) => true,
        }
    }
}

/// How a scripted run ended.
#[derive(Debug, PartialEq)]
pub(crate) enum End {
    Token(String),
    Denied,
    ServerExpired,
    CodeExpired(u64),
    Refused(Option<ErrorCode>),
}

/// Runs `flow` on the virtual clock from `start`: waits exactly as long as each `Wait` says,
/// answers each request at once with the next scripted answer (the last one repeating), and
/// checks that no second request is handed out while one is out. Returns the instants (in
/// seconds) of every request, and how it ended.
pub(crate) fn drive(mut flow: DeviceFlow, start: u64, script: &[Answer]) -> (Vec<u64>, End) {
    let mut now = at(start);
    let mut sent = Vec::new();
    loop {
        match flow.poll(now) {
            DeviceStep::Wait(until) => {
                assert!(until > now, "a wait must end in the future");
                now = until;
            }
            DeviceStep::Send(_, pending) => {
                sent.push(secs_of(now));
                assert!(matches!(flow.poll(now), DeviceStep::InFlight), "a second request while one is out");
                assert!(flow.is_in_flight());
                let answer = script[(sent.len() - 1).min(script.len() - 1)];
                let result = match answer {
                    Answer::Error(code) => pending.finish(&json(400, &format!(r#"{{"error":"{code}"}}"#)), now),
                    Answer::Raw(status, body) => pending.finish(&json(status, body), now),
                    Answer::Token => pending.finish(&json(200, TOKEN), now),
                    Answer::Lost => {
                        let _ = flow.answered(now, Err::<oauth_core::Token, _>(Failure::Transport(Lost)));
                        continue;
                    }
                };
                let _ = flow.answered(now, result.map_err(Failure::Answer));
            }
            DeviceStep::InFlight => panic!("nothing should be out here"),
            DeviceStep::Done(token) => return (sent, End::Token(token.access_token().secret().to_owned())),
            DeviceStep::Failed(error) => {
                let end = match error {
                    DeviceFlowError::AccessDenied(_) => End::Denied,
                    DeviceFlowError::ExpiredToken(_) => End::ServerExpired,
                    DeviceFlowError::CodeExpired { expires_at } => End::CodeExpired(secs_of(*expires_at)),
                    DeviceFlowError::Refused(e) => End::Refused(e.code().cloned()),
                    other => panic!("unexpected {other:?}"),
                };
                return (sent, end);
            }
        }
    }
}
