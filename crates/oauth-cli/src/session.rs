//! One invocation's token: the profile, a token source over reqwest, and the cache around it.
//!
//! A cached token seeds the source; the source's own rule (fresh until its refresh window)
//! decides whether it is served. One in its window is not served from a process about to
//! exit: it is replaced now, through its refresh token when it has one.

use std::time::{Duration, Instant, SystemTime};

use http::HeaderValue;
use oauth_core::{AccessToken, CredentialBinding, Token, TokenIdentity, TokenRecord};
use oauth_reqwest::{ReqwestTransport, TokioRuntime};
use oauth_token_source::{RetryPolicy, TokenSource};

use crate::cache::{Cache, Identity, Lookup};
use crate::cli::{Connection, Provider};
use crate::failure::{Chain, Failure};
use crate::settings::{self, Resolved};
use crate::spinner::Spinner;
use crate::trace::{Traced, note};

pub(crate) struct Session {
    pub(crate) source: TokenSource,
    pub(crate) resolved: Resolved,
    cache: Option<Cache>,
    identity: Option<(TokenIdentity, CredentialBinding)>,
    /// The token the cache gave, to know whether a new one must be written.
    seeded: Option<AccessToken>,
    endpoint: String,
    verbose: bool,
}

impl Session {
    /// Resolves the profile, reads the cache and builds the token source.
    pub(crate) async fn open(flags: &Connection, positional: Option<&str>) -> Result<Self, Failure> {
        let resolved = settings::resolve(flags, positional).await?;
        let verbose = flags.verbose;
        let (identity, endpoint) = match resolved.profile.token_config() {
            Some(config) => {
                (Some((config.identity(), config.binding())), crate::trace::shown_uri(config.endpoint().uri()))
            }
            None => (None, resolved.profile.api_base().to_string()),
        };
        let cache = match (flags.no_cache, &identity) {
            (false, Some(_)) => Cache::open()
                .inspect_err(|why| {
                    if verbose {
                        note(&format!("* no token cache: {why}"))
                    }
                })
                .ok(),
            _ => None,
        };
        let mut seed = None;
        let mut learned_auth = None;
        if let (Some(cache), Some((token, binding))) = (&cache, &identity) {
            match cache.load(&Identity { token, binding }) {
                Lookup::Hit(record, auth) => {
                    seed = Some(record.into_token(Instant::now(), SystemTime::now()));
                    learned_auth = auth;
                }
                Lookup::Miss(why) if verbose => note(&format!("* cache: {why}")),
                Lookup::Miss(_) => {}
            }
        }
        let timeout = Duration::from_secs(flags.timeout);
        let transport = ReqwestTransport::from_builder(http_client_builder(&resolved.tls))
            .map_err(|error| Failure::network(format!("cannot set up HTTP: {}", Chain(&error))))?
            .with_timeout(timeout);
        let seeded = seed.as_ref().map(|token: &Token| token.access_token().clone());
        let mut builder = TokenSource::builder(resolved.profile.clone(), Traced::new(transport, verbose), TokioRuntime)
            .retry(RetryPolicy::default().with_deadline(timeout));
        if let Some(token) = seed {
            builder = builder.seed(token);
        }
        if let Some(method) = learned_auth {
            builder = builder.start_with_auth(method);
        }
        let source = builder.build().map_err(|error| Failure::from_client(&error, &endpoint))?;
        if seeded.is_some() {
            if source.fresh_authorization().is_some() {
                if verbose {
                    note("* cache: a fresh token; no request");
                }
            } else {
                if verbose {
                    note("* cache: the token is due for refresh; replacing it");
                }
                source.invalidate();
            }
        }
        Ok(Self { source, resolved, cache, identity, seeded, endpoint, verbose })
    }

    /// The `Authorization` header and the token it carries, fetched (with a spinner) if needed.
    pub(crate) async fn authorization(&self) -> Result<(HeaderValue, AccessToken), Failure> {
        let spinner = Spinner::start(&format!("getting a token from {}", self.endpoint));
        let result = self.source.authorization_with_token().await;
        drop(spinner);
        result.map_err(|error| {
            // Refused with the credentials that obtained the cached token: it is of no use. (An
            // entry of other credentials was never read, and is left alone.)
            if error.token_error().is_some() && self.seeded.is_some() {
                self.forget();
            }
            Failure::from_client(&error, &self.endpoint)
        })
    }

    /// The token held now, for printing.
    pub(crate) fn current(&self) -> Option<Token> {
        self.source.current_token()
    }

    pub(crate) fn provider(&self) -> Provider {
        self.resolved.provider
    }

    /// Writes the current token to the cache when it is not the one the cache gave.
    pub(crate) fn save(&self) {
        let (Some(cache), Some(identity), Some(token)) = (&self.cache, self.identity(), self.source.current_token())
        else {
            return;
        };
        if self.seeded.as_ref().is_some_and(|seeded| seeded.same_as(token.access_token())) {
            return;
        }
        let record = TokenRecord::of(&token, Instant::now(), SystemTime::now());
        if let Err(why) = cache.store(&identity, &record, self.source.auth_method()) {
            if self.verbose {
                note(&format!("* cache: {why}"));
            }
        }
    }

    /// Drops the cached entry (the server refused the token or the credentials).
    pub(crate) fn forget(&self) {
        if let (Some(cache), Some(identity)) = (&self.cache, self.identity()) {
            cache.forget(&identity);
        }
    }

    fn identity(&self) -> Option<Identity<'_>> {
        self.identity.as_ref().map(|(token, binding)| Identity { token, binding })
    }
}

/// The HTTP client settings every request of the command shares (redirects are refused by
/// the transport's constructor, and by `call`'s own client): the TLS client certificate, when
/// one was given, goes to the API as to the token endpoint (RFC 8705 §3: certificate-bound
/// tokens are used with it), and `--cacert` replaces the trusted CAs for both.
pub(crate) fn http_client_builder(tls: &crate::tls::TlsSettings) -> oauth_reqwest::reqwest::ClientBuilder {
    tls.apply(
        oauth_reqwest::reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("oauth-cli/", env!("CARGO_PKG_VERSION"))),
    )
}
