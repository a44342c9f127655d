//! `ResponseFuture`: a [`Bearer`](super::Bearer) call — the wrapped service's own future when
//! the token is fresh, a boxed one only to wait for a token or for the one retry after a 401.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use http::{HeaderValue, Request, Response};
use oauth_core::AccessToken;
use oauth_token_source::{BoxFuture, ClientError, RetryOn401, TokenSource, set_bearer};
use pin_project_lite::pin_project;
use tower_service::Service;

use super::BearerError;

/// The header for a valid token and the token it carries, as an owned future (oauth-token-source's
/// `TokenFuture` borrows its source, and a call's future outlives `call`).
pub(super) type Token = BoxFuture<Result<(HeaderValue, AccessToken), ClientError>>;
type Answer<S, B> = Result<<S as Service<Request<B>>>::Response, BearerError<<S as Service<Request<B>>>::Error>>;

pub(super) fn token(source: TokenSource) -> Token {
    Box::pin(async move { source.authorization_with_token().await })
}

pin_project! {
    /// The future of a [`Bearer`](super::Bearer) call.
    ///
    /// With a fresh token (the usual case) it is the wrapped service's own future, unboxed,
    /// beside what the one retry after a refusing 401 would need; only a call that has to wait
    /// for its token, and that retry, are boxed.
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<S: Service<Request<B>>, B> {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S: Service<Request<B>>, B> {
        // The first send; with the send to make again and the token it carried, unless the
        // 401 rule is `Never`.
        Sent { #[pin] future: S::Future, retry: Option<(Resend<S, B>, AccessToken)> },
        // A send that waited for its token, or the retry.
        Boxed { future: BoxFuture<Answer<S, B>> },
    }
}

/// A send still to be made, or made again: the request, where its token comes from, the copy of
/// the service kept for such sends, and the 401 rule.
pub(super) struct Resend<S, B> {
    pub(super) request: Request<B>,
    pub(super) source: TokenSource,
    pub(super) spare: Arc<Mutex<S>>,
    pub(super) policy: RetryOn401,
}

impl<S, B, R> ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send,
    B: Clone + Send + 'static,
    R: Send + 'static,
{
    /// Sends with `header` (for the token `used`) through `service`, which is ready; keeps a
    /// copy of the request for the retry unless the 401 rule is `Never`.
    pub(super) fn send(service: &mut S, header: HeaderValue, used: AccessToken, resend: Resend<S, B>) -> Self {
        let (mut request, retry) = match resend.policy {
            RetryOn401::Never => (resend.request, None),
            _ => (resend.request.clone(), Some((resend, used))),
        };
        set_bearer(&mut request, header);
        Self { state: State::Sent { future: service.call(request), retry } }
    }

    /// Waits for `token`, then for a ready copy of the service, then sends.
    pub(super) fn later(token: Token, resend: Resend<S, B>) -> Self {
        Self { state: State::Boxed { future: Box::pin(Self::send_later(token, resend)) } }
    }

    async fn send_later(token: Token, resend: Resend<S, B>) -> Answer<S, B> {
        let (header, used) = token.await.map_err(BearerError::Token)?;
        // Locked only to clone: a panic elsewhere cannot leave the copy half-made.
        let mut service = resend.spare.lock().unwrap_or_else(PoisonError::into_inner).clone();
        poll_fn(|cx| service.poll_ready(cx)).await.map_err(BearerError::Inner)?;
        Self::send(&mut service, header, used, resend).await
    }
}

impl<S, B, R> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send,
    B: Clone + Send + 'static,
    R: Send + 'static,
{
    type Output = Answer<S, B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let (response, retry) = match state.as_mut().project() {
                StateProj::Boxed { future } => return future.as_mut().poll(cx),
                StateProj::Sent { future, retry } => {
                    (ready!(future.poll(cx)).map_err(BearerError::Inner)?, retry.take())
                }
            };
            let Some((mut resend, used)) = retry else { return Poll::Ready(Ok(response)) };
            if !resend.source.should_retry(resend.policy, response.status(), response.headers(), &used) {
                return Poll::Ready(Ok(response));
            }
            drop(response);
            // Once: the retry's answer is returned whatever it is.
            resend.policy = RetryOn401::Never;
            state.set(State::Boxed { future: Box::pin(Self::send_later(token(resend.source.clone()), resend)) });
        }
    }
}
