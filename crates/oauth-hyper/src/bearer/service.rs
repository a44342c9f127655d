//! `Bearer<S>`: puts the token source's header on each request; one retry after a refusing 401.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::{Request, Response};
use oauth_token_source::{RetryOn401, TokenSource};
use tower_service::Service;

use super::BearerError;
use super::future::{Resend, ResponseFuture, token};

/// Sends each request with `Authorization: Bearer …` from a [`TokenSource`]. When the answer is
/// a 401 that [`RetryOn401`] says calls for it, the token is invalidated (only if it is still the
/// current one), a new one fetched, and the request sent once more — never more than once; the
/// second answer is returned whatever it is.
///
/// The request body must be `Clone` so the retry can resend it: buffered bodies
/// (`Full<Bytes>`, `Empty`, `String`, `Vec<u8>`, `Bytes`) are. Collect a streaming body into
/// one of those first. The clone is made before the first send, and only when a retry is
/// possible (not under [`RetryOn401::Never`]).
///
/// With a fresh token (the usual case) the request goes to the readied service within `call`,
/// and the [`ResponseFuture`] holds that service's own future, unboxed: no copy of the service
/// per call. Only a request that must wait for its token, and the retry after a 401, are boxed;
/// they go through a copy of the service kept for them, cloned from only then.
///
/// Made by [`BearerLayer`](crate::BearerLayer), or directly with [`Bearer::new`].
#[derive(Debug, Clone)]
pub struct Bearer<S> {
    inner: S,
    /// A copy of `inner` for the sends that cannot use the readied one, shared by this
    /// middleware's clones; made again at the next call after [`Bearer::get_mut`]. Behind a
    /// mutex only so that a service need not be `Sync`: it is locked just to be cloned.
    spare: Option<Arc<Mutex<S>>>,
    source: TokenSource,
    retry: RetryOn401,
}

impl<S: Clone> Bearer<S> {
    /// Wraps `inner`, taking tokens from `source`, retrying after a 401 as its profile says
    /// ([`TokenSource::retry_on_401`]).
    #[must_use]
    pub fn new(inner: S, source: TokenSource) -> Self {
        let spare = Some(Arc::new(Mutex::new(inner.clone())));
        Self { inner, spare, retry: source.retry_on_401(), source }
    }

    /// Sets which 401 answers get a new token and one retry.
    #[must_use]
    pub fn retry_on_401(mut self, retry: RetryOn401) -> Self {
        self.retry = retry;
        self
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        self.spare = None;
        &mut self.inner
    }

    /// The wrapped service, giving up the middleware.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, R> Service<Request<B>> for Bearer<S>
where
    S: Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send,
    B: Clone + Send + 'static,
    R: Send + 'static,
{
    type Response = Response<R>;
    type Error = BearerError<S::Error>;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(BearerError::Inner)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let spare = Arc::clone(self.spare.get_or_insert_with(|| Arc::new(Mutex::new(self.inner.clone()))));
        let resend = Resend { request, source: self.source.clone(), spare, policy: self.retry };
        match self.source.fresh_authorization() {
            Some((header, used)) => ResponseFuture::send(&mut self.inner, header, used, resend),
            None => ResponseFuture::later(token(self.source.clone()), resend),
        }
    }
}
