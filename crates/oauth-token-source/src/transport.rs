//! The Transport port: the one place a token source does I/O.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::header::{CONTENT_LENGTH, LOCATION};
use http::{HeaderMap, Request, Response, StatusCode};

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
/// use oauth_token_source::{Transport, TransportError};
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

/// How long a transport should wait for one token request by default: short enough that the
/// token source's default 30 s deadline leaves room for retries.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The most body bytes a transport should read for this request; put in the request's
/// extensions by the token source. A transport that reads more than this answers
/// [`TransportErrorKind::BodyTooLarge`] rather than buffering without end.
///
/// The rules every transport applies to an answer live here, so an adapter only translates:
///
/// ```
/// use http::{HeaderMap, StatusCode, header::{CONTENT_LENGTH, LOCATION}};
/// use oauth_token_source::{ResponseLimit, TransportErrorKind};
/// let limit = ResponseLimit(1024);
/// let mut redirect = HeaderMap::new();
/// redirect.insert(LOCATION, "https://elsewhere.example/token".parse().unwrap());
/// let error = limit.check_head(StatusCode::FOUND, &redirect).unwrap_err();
/// assert!(matches!(error.kind(), TransportErrorKind::Redirect { .. }));
///
/// let mut body = limit.buffer();
/// body.push(&[b'x'; 1000])?;
/// assert!(body.push(&[b'x'; 100]).is_err());
/// # Ok::<(), oauth_token_source::TransportError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseLimit(pub usize);

impl Default for ResponseLimit {
    /// oauth-core's default body cap (1 MiB).
    fn default() -> Self {
        Self(oauth_core::DEFAULT_MAX_BODY_BYTES)
    }
}

impl ResponseLimit {
    /// The limit for `request`'s answer: its extension, or the default.
    #[must_use]
    pub fn of<B>(request: &Request<B>) -> Self {
        request.extensions().get::<Self>().copied().unwrap_or_default()
    }

    /// Checks an answer's status and headers before its body is read: a 3xx is a redirect,
    /// never followed (credentials would go to another URL), and a declared `Content-Length`
    /// over the limit is refused at once.
    ///
    /// # Errors
    /// [`TransportErrorKind::Redirect`] or [`TransportErrorKind::BodyTooLarge`].
    pub fn check_head(self, status: StatusCode, headers: &HeaderMap) -> Result<(), TransportError> {
        if status.is_redirection() {
            let location = headers.get(LOCATION).map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
            return Err(TransportError::new(TransportErrorKind::Redirect { status, location }));
        }
        let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.0 as u64) {
            return Err(self.exceeded());
        }
        Ok(())
    }

    /// An empty body buffer that refuses to grow past the limit.
    #[must_use]
    pub fn buffer(self) -> BodyBuffer {
        BodyBuffer { bytes: Vec::new(), limit: self.0 }
    }

    fn exceeded(self) -> TransportError {
        TransportError::new(TransportErrorKind::BodyTooLarge { limit: self.0 })
    }
}

/// A response body read chunk by chunk, refused once it passes its [`ResponseLimit`].
#[derive(Debug)]
pub struct BodyBuffer {
    bytes: Vec<u8>,
    limit: usize,
}

impl BodyBuffer {
    /// Appends a chunk.
    ///
    /// # Errors
    /// [`TransportErrorKind::BodyTooLarge`] when the body would pass the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TransportError> {
        if chunk.len() > self.limit - self.bytes.len() {
            return Err(ResponseLimit(self.limit).exceeded());
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The body read so far.
    #[must_use]
    pub fn into_vec(self) -> Vec<u8> {
        self.bytes
    }
}

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

    /// Takes out whatever `redact` finds secret: a redirect's `Location` is rewritten by it,
    /// and the stack's own error is dropped (its kind stays) when its text holds a secret, since
    /// a foreign error cannot be rewritten. The token source passes
    /// [`PendingExchange::redact`](oauth_core::PendingExchange::redact), so a transport error
    /// is scrubbed of the request's credentials like a server's answer is.
    pub fn redact(&mut self, redact: impl Fn(&str) -> Option<String>) {
        if let TransportErrorKind::Redirect { location: Some(location), .. } = &mut self.kind {
            if let Some(clean) = redact(location) {
                *location = clean;
            }
        }
        if self.source.as_ref().is_some_and(|source| redact(&source.to_string()).is_some()) {
            self.source = None;
        }
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
        }
        // The stack's own error is the `source`, not part of this text: chain printers show
        // it once (`ClientError::chain` joins them).
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
