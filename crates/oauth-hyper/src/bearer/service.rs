//! `Bearer<S>`: puts the token source's header on each request; one retry after a refusing 401.

use std::future::poll_fn;
use std::task::{Context, Poll};

use http::{Request, Response};
use oauth_client::{BoxFuture, RetryOn401, TokenSource, set_bearer};
use tower_service::Service;

use super::BearerError;

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
/// Made by [`BearerLayer`](crate::BearerLayer), or directly with [`Bearer::new`].
#[derive(Debug, Clone)]
pub struct Bearer<S> {
    inner: S,
    source: TokenSource,
    retry: RetryOn401,
}

impl<S> Bearer<S> {
    /// Wraps `inner`, taking tokens from `source`, retrying after a 401 as its profile says
    /// ([`TokenSource::retry_on_401`]).
    #[must_use]
    pub fn new(inner: S, source: TokenSource) -> Self {
        let retry = source.retry_on_401();
        Self { inner, source, retry }
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
    type Future = BoxFuture<Result<Response<R>, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(BearerError::Inner)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The readied service serves this call; the clone takes its place (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let (source, retry) = (self.source.clone(), self.retry);
        Box::pin(async move {
            let (header, used) = source.authorization_with_token().await.map_err(BearerError::Token)?;
            let again = (retry != RetryOn401::Never).then(|| request.clone());
            set_bearer(&mut request, header);
            let response = inner.call(request).await.map_err(BearerError::Inner)?;
            if !source.should_retry(retry, response.status(), response.headers(), &used) {
                return Ok(response);
            }
            let Some(mut again) = again else { return Ok(response) };
            drop(response);
            let (header, _) = source.authorization_with_token().await.map_err(BearerError::Token)?;
            set_bearer(&mut again, header);
            poll_fn(|cx| inner.poll_ready(cx)).await.map_err(BearerError::Inner)?;
            inner.call(again).await.map_err(BearerError::Inner)
        })
    }
}
