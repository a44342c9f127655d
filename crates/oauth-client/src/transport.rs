//! The Transport port: the one place a token source does I/O.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::{Request, Response, StatusCode};

/// Sends one token request and returns the answer, buffered.
///
/// An adapter (oauth-reqwest, oauth-hyper, or your own) implements this for its HTTP stack.
/// It must not follow redirects (credentials would be re-sent to another host: answer
/// [`TransportErrorKind::Redirect`] instead), must stop reading a body past
/// [`ResponseLimit`] (found in the request's extensions), and should map its timeouts to
/// [`TransportErrorKind::Timeout`]. It makes no protocol decision: status codes and bodies are
/// read by oauth-core.
///
/// # Examples
/// ```
/// use oauth_client::{Transport, TransportError};
/// struct Canned(&'static str);
///
/// #[async_trait::async_trait]
/// impl Transport for Canned {
///     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
///         Ok(http::Response::builder()
///             .header("content-type", "application/json")
///             .body(self.0.as_bytes().to_vec())
///             .expect("a valid response"))
///     }
/// }
/// ```
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and reads the whole answer (up to [`ResponseLimit`]).
    async fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError>;
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        (**self).send(request).await
    }
}

/// The most body bytes a transport should read for this request; put in the request's
/// extensions by the token source. A transport that reads more than this answers
/// [`TransportErrorKind::BodyTooLarge`] rather than buffering without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseLimit(pub usize);

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (DNS, refused, TLS).
    Connect,
    /// No answer in time.
    Timeout,
    /// The server answered with a redirect, which is never followed for a token request.
    Redirect {
        /// The redirect's status.
        status: StatusCode,
        /// Where it pointed, as sent (`Location`).
        location: Option<String>,
    },
    /// The body was larger than [`ResponseLimit`].
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection broke while sending or reading.
    Io,
    /// Anything else the stack reported.
    Other,
}

/// A request that got no answer, with what the HTTP stack said.
#[derive(Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl TransportError {
    /// An error of `kind` with no underlying cause.
    #[must_use]
    pub fn new(kind: TransportErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// An error of `kind` caused by `source` (the stack's own error).
    #[must_use]
    pub fn with_source(kind: TransportErrorKind, source: impl StdError + Send + Sync + 'static) -> Self {
        Self { kind, source: Some(Arc::new(source)) }
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &TransportErrorKind {
        &self.kind
    }

    /// Whether trying again can help: connection failures, timeouts and broken connections.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TransportErrorKind::Connect => f.write_str("could not connect to the token endpoint"),
            TransportErrorKind::Timeout => f.write_str("the token endpoint did not answer in time"),
            TransportErrorKind::Redirect { status, location } => {
                write!(f, "the token endpoint redirected (HTTP {status}")?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                f.write_str("); token requests never follow redirects")
            }
            TransportErrorKind::BodyTooLarge { limit } => {
                write!(f, "the token endpoint's answer is larger than {limit} bytes")
            }
            TransportErrorKind::Io => f.write_str("the connection to the token endpoint broke"),
            TransportErrorKind::Other => f.write_str("the HTTP stack failed"),
        }?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError").field("kind", &self.kind).field("source", &self.source).finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}
