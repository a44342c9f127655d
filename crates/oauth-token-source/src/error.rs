//! The token source's error: the exchange's own error, the transport's, or the deadline.

use std::time::Duration;

use oauth_core::{AuthMethod, ErrorCode, TokenError};

use crate::TransportError;

/// Why no token could be had.
///
/// # Examples
/// Telling who is at fault, and whether to try again:
/// ```
/// use oauth_token_source::ClientError;
/// use oauth_core::ErrorCode;
///
/// fn advice(error: &ClientError) -> &'static str {
///     match error {
///         _ if error.code() == Some(&ErrorCode::InvalidClient) => "check the client id and secret",
///         ClientError::Transport(_) => "the token endpoint could not be reached",
///         _ if error.is_retryable() => "try again later",
///         _ => "the server refused; see the error",
///     }
/// }
/// let unreachable = oauth_token_source::TransportError::new(oauth_token_source::TransportErrorKind::Connect);
/// assert_eq!(advice(&ClientError::from(unreachable)), "the token endpoint could not be reached");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The token endpoint refused, or answered something unusable, or the request could not be
    /// built (see [`TokenError`]'s fault split).
    #[error("{error}{}", tried_note(tried_auth))]
    Token {
        /// The exchange's error (with several auth methods tried: the first method's error).
        #[source]
        error: TokenError,
        /// The client-authentication methods tried, in order, when more than one was.
        tried_auth: Vec<AuthMethod>,
    },
    /// The request got no answer.
    #[error(transparent)]
    Transport(TransportError),
    /// No token within the deadline of one `token()` call, retries included.
    #[error("no token within {deadline:?} ({attempts} attempt(s)){}", last.as_ref().map(|e| format!("; last error: {e}")).unwrap_or_default())]
    Deadline {
        /// The deadline.
        deadline: Duration,
        /// How many requests were sent.
        attempts: u32,
        /// The last error before time ran out, if any.
        last: Option<Box<Self>>,
    },
}

fn tried_note(tried: &[AuthMethod]) -> String {
    if tried.len() < 2 {
        return String::new();
    }
    let names: Vec<String> = tried.iter().map(|m| format!("{m:?}")).collect();
    format!(" (client authentication tried: {})", names.join(", "))
}

impl ClientError {
    /// Whether trying again later can help.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Token { error, .. } => error.is_retryable(),
            Self::Transport(error) => error.is_retryable(),
            Self::Deadline { .. } => true,
        }
    }

    /// The OAuth error code, when the server sent one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Token { error, .. } => error.code(),
            Self::Deadline { last: Some(last), .. } => last.code(),
            _ => None,
        }
    }

    /// The exchange's error, when the server answered.
    #[must_use]
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::Token { error, .. } => Some(error),
            Self::Deadline { last: Some(last), .. } => last.token_error(),
            _ => None,
        }
    }
}

impl From<TokenError> for ClientError {
    fn from(error: TokenError) -> Self {
        Self::Token { error, tried_auth: Vec::new() }
    }
}

impl From<TransportError> for ClientError {
    fn from(error: TransportError) -> Self {
        Self::Transport(error)
    }
}
