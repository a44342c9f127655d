//! The token source's error: the exchange's own error, the transport's, or the deadline.

use std::fmt;
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
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientError {
    /// The token endpoint refused, or answered something unusable, or the request could not be
    /// built (see [`TokenError`]'s fault split). Displays the exchange's error (and the auth
    /// methods tried); its `source` is that error's own.
    Token {
        /// The exchange's error (with several auth methods tried: the first method's error).
        error: TokenError,
        /// The client-authentication methods tried, in order, when more than one was.
        tried_auth: Vec<AuthMethod>,
    },
    /// The request got no answer. Displays the transport's error; its `source` is that
    /// error's own.
    Transport(TransportError),
    /// A source started from a user's token (a code or device exchange) can only refresh it,
    /// and the refresh token is gone — refused, or never issued: the user must authorize
    /// again. Its `source` is the refusal, when there was one.
    AuthorizationRequired {
        /// The refresh's refusal, if one caused this.
        refusal: Option<Box<Self>>,
    },
    /// No token within the deadline of one `token()` call, retries included. Its `source` is
    /// the last error before time ran out, if any ([`ClientError::chain`] prints both).
    Deadline {
        /// The deadline.
        deadline: Duration,
        /// How many requests were sent.
        attempts: u32,
        /// The last error before time ran out, if any.
        last: Option<Box<Self>>,
    },
}

/// One rule for every variant, the Rust API guidelines': a wrapper displays its inner error or
/// returns it as its `source`, never both, so chain printers (anyhow, eyre, a CLI) show each
/// message once.
impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token { error, tried_auth } => write!(f, "{error}{}", tried_note(tried_auth)),
            Self::Transport(error) => fmt::Display::fmt(error, f),
            Self::AuthorizationRequired { .. } => {
                f.write_str("the user's authorization is needed again: the refresh token is gone or was refused")
            }
            Self::Deadline { deadline, attempts, .. } => {
                write!(f, "no token within {deadline:?} ({attempts} attempt(s))")
            }
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Token { error, .. } => error.source(),
            Self::Transport(error) => error.source(),
            Self::Deadline { last, .. } => last.as_deref().map(|e| e as &(dyn std::error::Error + 'static)),
            Self::AuthorizationRequired { refusal } => {
                refusal.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
            }
        }
    }
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
            Self::AuthorizationRequired { .. } => false,
        }
    }

    /// The OAuth error code, when the server sent one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Token { error, .. } => error.code(),
            Self::Deadline { last: Some(last), .. } => last.code(),
            Self::AuthorizationRequired { refusal: Some(refusal) } => refusal.code(),
            _ => None,
        }
    }

    /// This error and every `source` under it, joined with `: ` — one line for a log or a
    /// terminal, each message once.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use oauth_token_source::{ClientError, TransportError, TransportErrorKind};
    /// let refused = ClientError::Transport(TransportError::new(TransportErrorKind::Connect));
    /// let late = ClientError::Deadline { deadline: Duration::from_secs(30), attempts: 3, last: Some(Box::new(refused)) };
    /// assert!(late.chain().to_string().starts_with("no token within 30s (3 attempt(s)): "));
    /// ```
    #[must_use]
    pub fn chain(&self) -> impl fmt::Display + '_ {
        Chain(self)
    }

    /// The exchange's error, when the server answered.
    #[must_use]
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::Token { error, .. } => Some(error),
            Self::Deadline { last: Some(last), .. } => last.token_error(),
            Self::AuthorizationRequired { refusal: Some(refusal) } => refusal.token_error(),
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

/// Displays an error and its sources, `: `-separated.
/// An error and its sources on one line.
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
