//! The errors: `ConfigError` for a store that cannot be built, and redis's errors sorted into
//! the port's `StoreErrorKind`s, their text kept as the source unless it holds the password.

use std::fmt;

use oauth_token_source::{StoreError, StoreErrorKind};
use redis::{ErrorKind, RedisError, ServerErrorKind};

/// Why a [`RedisStore`](crate::RedisStore) cannot be built. Never holds the URL (it may carry a
/// password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not a Redis URL.
    #[error(
        "not a Redis URL ({reason}); expected redis://[[user]:password@]host[:port][/db], rediss://… or unix:///path"
    )]
    Url {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `rediss://` URL, but TLS is not built in (the `ring` feature is off).
    #[error("a rediss:// URL needs oauth-redis's `ring` feature (TLS)")]
    TlsDisabled,
    /// An empty namespace, or one with whitespace or control characters.
    #[error("a namespace must be non-empty, without whitespace or control characters")]
    Namespace,
}

impl ConfigError {
    /// The error for a URL redis could not read; its text is matched, never repeated.
    pub(crate) fn url(error: &RedisError) -> Self {
        let text = error.to_string();
        let reasons: [(&str, &'static str); 8] = [
            ("did not parse", "it does not parse, or its scheme is not redis, rediss, unix or redis+unix"),
            ("Missing hostname", "no host"),
            ("wildcard", "a wildcard address (0.0.0.0 or ::) is no server"),
            ("database number", "the database is not a number"),
            ("protocol", "an unknown `protocol`"),
            ("fragment", "a `#` fragment"),
            ("UTF-8", "the user or password is not UTF-8"),
            ("Missing path", "no socket path"),
        ];
        let reason =
            reasons.iter().find(|(needle, _)| text.contains(needle)).map_or("unreadable", |(_, reason)| reason);
        Self::Url { reason }
    }
}

/// The store error for a redis error: its kind, and redis's message as the source.
pub(crate) fn failure(error: &RedisError, password: Option<&str>) -> StoreError {
    StoreError::with_source(kind(error), RedisFailure::new(error, password))
}

/// Which of the port's kinds a redis error is.
fn kind(error: &RedisError) -> StoreErrorKind {
    if error.is_timeout() {
        return StoreErrorKind::Timeout;
    }
    // A pipeline's error is its first command's.
    let code = match error.clone().into_server_errors() {
        Some(errors) => errors.first().map(|(_, e)| e.code().to_owned()),
        None => error.code().map(str::to_owned),
    };
    match error.kind() {
        ErrorKind::Io => StoreErrorKind::Unavailable,
        ErrorKind::AuthenticationFailed => StoreErrorKind::Refused,
        ErrorKind::Server(ServerErrorKind::ReadOnly | ServerErrorKind::NoPerm) => StoreErrorKind::Refused,
        // A script calling a command its user may not run: NOPERM said as `ERR` (Redis 6 and 7).
        ErrorKind::Server(ServerErrorKind::ResponseError)
            if error.to_string().contains("user executing the script can't run") =>
        {
            StoreErrorKind::Refused
        }
        ErrorKind::Server(
            ServerErrorKind::BusyLoading
            | ServerErrorKind::MasterDown
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::TryAgain,
        ) => StoreErrorKind::Unavailable,
        // Codes redis has no kind for.
        ErrorKind::Extension => match code.as_deref() {
            Some("OOM" | "NOAUTH" | "WRONGPASS" | "NOPERM" | "MISCONF" | "READONLY") => StoreErrorKind::Refused,
            Some("LOADING" | "MASTERDOWN" | "BUSY") => StoreErrorKind::Unavailable,
            _ => StoreErrorKind::Other,
        },
        _ => StoreErrorKind::Other,
    }
}

/// What redis said, as text: the source of a [`StoreError`]. Redis's own messages name no
/// secret we know of; should one ever repeat the URL's password, only its category is kept.
struct RedisFailure {
    message: String,
}

impl RedisFailure {
    fn new(error: &RedisError, password: Option<&str>) -> Self {
        let message = error.to_string();
        let message = match password {
            Some(password) if message.contains(password) => {
                format!("{} (the rest withheld: it repeated the password)", error.category())
            }
            _ => message,
        };
        Self { message }
    }
}

impl fmt::Display for RedisFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redis: {}", self.message)
    }
}

impl fmt::Debug for RedisFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedisFailure").field(&self.message).finish()
    }
}

impl std::error::Error for RedisFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    fn redis_error(kind: ErrorKind, detail: &str) -> RedisError {
        RedisError::from((kind, "test", detail.to_owned()))
    }

    #[test]
    fn kinds() {
        let io = |kind| RedisError::from(std::io::Error::from(kind));
        assert_eq!(self::kind(&io(std::io::ErrorKind::ConnectionRefused)), StoreErrorKind::Unavailable);
        assert_eq!(self::kind(&io(std::io::ErrorKind::ConnectionReset)), StoreErrorKind::Unavailable);
        assert_eq!(self::kind(&io(std::io::ErrorKind::TimedOut)), StoreErrorKind::Timeout);
        assert_eq!(self::kind(&redis_error(ErrorKind::AuthenticationFailed, "x")), StoreErrorKind::Refused);
        assert_eq!(self::kind(&redis_error(ErrorKind::Client, "x")), StoreErrorKind::Other);
    }

    #[test]
    fn a_message_that_repeats_the_password_is_withheld() {
        let error = redis_error(ErrorKind::AuthenticationFailed, "bad password hunter2-canary");
        let failure = RedisFailure::new(&error, Some("hunter2-canary"));
        let shown = format!("{failure} {failure:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("authentication failed"), "{shown}");
        assert!(RedisFailure::new(&error, Some("other")).to_string().contains("bad password"));
    }
}
