//! [`BearerMiddleware`]: a reqwest-middleware `Middleware` that puts a token source's bearer
//! header on requests and retries once after a 401 that says the token is no good.

use async_trait::async_trait;
use http::Extensions;
use http::header::AUTHORIZATION;
use oauth_token_source::{RetryOn401, TokenSource};
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

/// Adds `Authorization: Bearer …` from a [`TokenSource`] to every request.
///
/// When the answer is a 401 that the [`RetryOn401`] policy says calls for a new token (by
/// default: a Bearer challenge with `error="invalid_token"`), the token that was used is
/// invalidated ([`TokenSource::invalidate_if_current`], so a newer token is kept), and the
/// request is sent once more with a new token — if its body can be cloned (a streamed body
/// cannot; then the 401 is returned as is). The second answer is returned whatever it is:
/// there is never more than one retry.
///
/// A failure to get a token is returned as [`reqwest_middleware::Error::Middleware`] holding
/// the [`oauth_token_source::ClientError`].
///
/// # Examples
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oauth_token_source::RetryOn401;
/// use oauth_reqwest::BearerMiddleware;
/// let profile = oauth_providers::rfc6749::client_credentials("https://as.example/token", "id", "secret")?;
/// let source = oauth_reqwest::token_source(profile)?;
/// let api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     // This API answers a stale token with a bare 401, no challenge.
///     .with(BearerMiddleware::new(source).retry_on_401(RetryOn401::Any))
///     .build();
/// # drop(api);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BearerMiddleware {
    source: TokenSource,
    retry_on_401: RetryOn401,
}

impl BearerMiddleware {
    /// Bearer tokens from `source`, retried after a 401 as its profile says
    /// ([`TokenSource::retry_on_401`]: `invalid_token` challenges unless the vendor's APIs
    /// answer a bare 401).
    #[must_use]
    pub fn new(source: TokenSource) -> Self {
        let retry_on_401 = source.retry_on_401();
        Self { source, retry_on_401 }
    }

    /// Sets which 401 answers get a new token and one retry.
    #[must_use]
    pub fn retry_on_401(mut self, policy: RetryOn401) -> Self {
        self.retry_on_401 = policy;
        self
    }

    /// The token source.
    #[must_use]
    pub fn source(&self) -> &TokenSource {
        &self.source
    }
}

#[async_trait]
impl Middleware for BearerMiddleware {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let (header, used) =
            self.source.authorization_with_token().await.map_err(reqwest_middleware::Error::middleware)?;
        request.headers_mut().insert(AUTHORIZATION, header);
        let copy = request.try_clone();
        let response = next.clone().run(request, extensions).await?;

        if !self.source.should_retry(self.retry_on_401, response.status(), response.headers(), &used) {
            return Ok(response);
        }
        let Some(mut retry) = copy else { return Ok(response) };
        drop(response);
        let header = self.source.authorization().await.map_err(reqwest_middleware::Error::middleware)?;
        retry.headers_mut().insert(AUTHORIZATION, header);
        next.run(retry, extensions).await
    }
}
