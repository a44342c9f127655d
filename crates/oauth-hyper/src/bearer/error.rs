//! `BearerError`: no token, or the wrapped service's own error.

use oauth_token_source::ClientError;

/// Why a [`Bearer`](super::Bearer) call failed.
///
/// An enum rather than tower's usual `BoxError`, so a caller can tell "no token" from "the
/// request failed" with a `match` and keeps the inner service's error type; it implements
/// `std::error::Error` (when `E` does), so layers above that expect `Into<BoxError>` take it
/// as is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BearerError<E> {
    /// No token could be had; the request was not sent (or not sent again).
    #[error(transparent)]
    Token(ClientError),
    /// The wrapped service failed.
    #[error(transparent)]
    Inner(E),
}
