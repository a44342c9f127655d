//! `Bearer<S>`: puts the token source's header on each request; one retry after a refusing 401.

use std::future::poll_fn;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response};
use oauth_token_source::{BoxFuture, RetryOn401, TokenSource, set_bearer};
use tower_service::Service;

use super::BearerError;

/// The future of a [`Bearer`] call.
pub type ResponseFuture<S, B> = BoxFuture<Answer<S, B>>;
type Answer<S, B> = Result<<S as Service<Request<B>>>::Response, BearerError<<S as Service<Request<B>>>::Error>>;

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
/// The request goes out on the service readied for this call, which the call's future takes
/// (a copy stays with the middleware); the retry readies it again.
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
        Self { inner, retry: source.retry_on_401(), source }
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
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(BearerError::Inner)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The readied service goes with the request, a copy stays (tower's clone-and-swap).
        let copy = self.inner.clone();
        let service = std::mem::replace(&mut self.inner, copy);
        Box::pin(send(service, request, self.source.clone(), self.retry))
    }
}

/// Sends `request` through `service` with the source's token, and once more with a new token
/// when the 401 rule says so.
async fn send<S, B, R>(mut service: S, request: Request<B>, source: TokenSource, policy: RetryOn401) -> Answer<S, B>
where
    S: Service<Request<B>, Response = Response<R>>,
    B: Clone,
{
    let (header, used) = source.authorization_with_token().await.map_err(BearerError::Token)?;
    let retry = (!matches!(policy, RetryOn401::Never)).then(|| request.clone());
    let response = call(&mut service, request, header).await?;
    let Some(request) = retry else { return Ok(response) };
    if !source.should_retry(policy, response.status(), response.headers(), &used) {
        return Ok(response);
    }
    drop(response);
    // Once: the retry's answer is returned whatever it is.
    let (header, _) = source.authorization_with_token().await.map_err(BearerError::Token)?;
    poll_fn(|cx| service.poll_ready(cx)).await.map_err(BearerError::Inner)?;
    call(&mut service, request, header).await
}

async fn call<S: Service<Request<B>>, B>(
    service: &mut S,
    mut request: Request<B>,
    header: HeaderValue,
) -> Answer<S, B> {
    set_bearer(&mut request, header);
    service.call(request).await.map_err(BearerError::Inner)
}
