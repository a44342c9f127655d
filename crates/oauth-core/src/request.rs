//! Building a token request (RFC 6749 §4.3.2, §4.4.2, §6) and finishing the exchange.

use std::time::{Instant, SystemTime};

use http::{Method, Request, Response};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use crate::auth::ClientAssertion;
use crate::{
    BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, MisuseError, Params, Token, TokenEndpoint, TokenError,
    TokenRequest,
};

impl TokenEndpoint {
    /// Builds the `POST` for `request`, authenticated as `auth`, and the value that reads its
    /// answer. Everything else that could be wrong was checked when the inputs were made.
    ///
    /// The body is `application/x-www-form-urlencoded`: `grant_type`, the credentials when the
    /// method puts them in the body, the grant's own fields, `scope` when not empty, then the
    /// extra parameters in order. The `Authorization` header, when there is one, is marked
    /// sensitive.
    ///
    /// # Errors
    /// [`MisuseError::AssertionNeedsTime`] for the JWT methods
    /// ([`AuthMethod::uses_assertion`](crate::AuthMethod::uses_assertion)), whose assertion
    /// needs the time and fresh entropy: use [`TokenEndpoint::build_request_at`], which serves
    /// every method. Every other method builds.
    ///
    /// # Examples
    /// ```
    /// use std::time::Instant;
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenEndpoint, TokenRequest};
    /// let endpoint = TokenEndpoint::new("https://as.example/token")?;
    /// let auth = ClientAuth::basic(ClientId::new("app")?, ClientSecret::new("a b"));
    /// let (request, pending) = endpoint.build_request(&auth, &TokenRequest::new(Grant::ClientCredentials))?;
    /// assert_eq!(request.body(), b"grant_type=client_credentials");
    /// assert_eq!(request.headers()["authorization"], "Basic YXBwOmElMjBi"); // app:a%20b
    ///
    /// let sent_at = Instant::now();
    /// let answer = http::Response::builder()
    ///     .header("content-type", "application/json")
    ///     .body(br#"{"access_token":"t0k3n","token_type":"Bearer","expires_in":3600}"#.to_vec())
    ///     .unwrap();
    /// let token = pending.finish(&answer, sent_at)?;
    /// assert_eq!(token.access_token().secret(), "t0k3n");
    ///
    /// let jwt = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
    /// assert!(endpoint.build_request(&jwt, &TokenRequest::new(Grant::ClientCredentials)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_request(
        &self,
        auth: &ClientAuth,
        request: &TokenRequest,
    ) -> Result<(Request<Vec<u8>>, PendingExchange), MisuseError> {
        auth.refuse_assertion("TokenEndpoint::build_request_at")?;
        Ok(self.build(auth, request, None))
    }

    /// [`TokenEndpoint::build_request`] for every method, the JWT ones included: for
    /// `client_secret_jwt` and `private_key_jwt` the body also carries
    /// `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and
    /// `client_assertion`, a JWT made for this request alone (RFC 7523 §3): `iss` and `sub` the
    /// client id, `aud` this endpoint's URL (or the client's
    /// [`assertion_audience`](ClientAuth::assertion_audience)), `iat` = `now`, `exp` = `now` +
    /// 60 s, `jti` the base64url of `jti_entropy`. Call it again for each attempt, with the
    /// time then and new entropy: an assertion is never replayed. Other methods ignore `now`
    /// and `jti_entropy`. The assertion is a credential: the [`PendingExchange`] scrubs it from
    /// the answer's errors, as it does the client secret.
    ///
    /// # Examples
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenEndpoint, TokenRequest};
    /// let endpoint = TokenEndpoint::new("https://as.example/token")?;
    /// let auth = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
    /// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let (request, _pending) =
    ///     endpoint.build_request_at(&auth, &TokenRequest::new(Grant::ClientCredentials), now, [7; 16]);
    /// let body = String::from_utf8(request.body().clone())?;
    /// assert!(body.starts_with("grant_type=client_credentials&client_id=app&client_assertion_type=\
    ///     urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=ey"));
    /// assert!(!body.contains("s3cr3t"));
    /// assert!(request.headers().get("authorization").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingExchange::finish`"]
    pub fn build_request_at(
        &self,
        auth: &ClientAuth,
        request: &TokenRequest,
        now: SystemTime,
        jti_entropy: [u8; 16],
    ) -> (Request<Vec<u8>>, PendingExchange) {
        let assertion = auth.assertion(self.uri(), now, jti_entropy);
        self.build(auth, request, assertion)
    }

    /// The request from `auth`, carrying `assertion` (made for it) when the method sends one.
    pub(crate) fn build(
        &self,
        auth: &ClientAuth,
        request: &TokenRequest,
        assertion: Option<ClientAssertion>,
    ) -> (Request<Vec<u8>>, PendingExchange) {
        let body = form_body(auth, request, assertion.as_ref().map_or("", ClientAssertion::form));
        let mut http_request = Request::new(body);
        *http_request.method_mut() = Method::POST;
        *http_request.uri_mut() = self.uri().clone();
        // Assembled once per client (see `ClientAuth`); cloning skips hashing three names.
        *http_request.headers_mut() = auth.request_headers().clone();
        let pending = PendingExchange {
            quirks: *self.quirks(),
            grant: request.grant().clone(),
            client: SentCredentials::new(auth, assertion),
            secret_params: request.params().secrets().next().is_some().then(|| request.params().clone()),
        };
        (http_request, pending)
    }

    /// Reads an answer with this endpoint's quirks, for code that sees an answer and holds the
    /// endpoint but not the exchange. For an exchange you sent, use
    /// [`PendingExchange::finish`], which also keeps an unreplaced refresh token and scrubs the
    /// request's credentials from errors; [`parse_token_response`](crate::parse_token_response)
    /// says which reader is for what.
    ///
    /// # Errors
    /// As [`parse_token_response`](crate::parse_token_response).
    pub fn parse_response<B: AsRef<[u8]>>(
        &self,
        response: &Response<B>,
        sent_at: Instant,
    ) -> Result<Token, TokenError> {
        crate::parse_token_response(self.quirks(), response, sent_at)
    }
}

/// A form `POST` to `url` from the client `auth`, authenticated exactly as a token request is:
/// the client's request headers (`Content-Type`, `Accept`, and `Authorization` for Basic), and
/// for the body methods its form credentials after `pairs`, then the client assertion when the
/// method sends one. For the other endpoints that authenticate the client this way
/// (revocation, RFC 7009 §2.1; introspection, RFC 7662 §2.1).
pub(crate) fn client_form_post(
    url: &crate::EndpointUrl,
    auth: &ClientAuth,
    pairs: &[(&str, &str)],
    assertion: Option<&ClientAssertion>,
) -> Request<Vec<u8>> {
    let credentials = auth.form_credentials();
    let assertion = assertion.map_or("", ClientAssertion::form);
    let estimate = credentials.len()
        + assertion.len()
        + pairs.iter().map(|(name, value)| name.len() + 3 * value.len() + 2).sum::<usize>();
    let mut form = form_urlencoded::Serializer::new(String::with_capacity(estimate));
    for (name, value) in pairs {
        form.append_pair(name, value);
    }
    let mut body = form.finish();
    for encoded in [credentials, assertion] {
        if !encoded.is_empty() {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(encoded);
        }
    }
    let mut http_request = Request::new(body.into_bytes());
    *http_request.method_mut() = Method::POST;
    *http_request.uri_mut() = url.uri().clone();
    *http_request.headers_mut() = auth.request_headers().clone();
    http_request
}

/// The client's credentials as one request carried them — its id, its secret, the assertion
/// made for that request — to scrub from what the answer's errors keep. Every pending value
/// of a client-authenticated request holds one.
#[derive(Clone)]
pub(crate) struct SentCredentials {
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    assertion: Option<ClientAssertion>,
}

impl SentCredentials {
    /// What a request from `auth`, carrying `assertion` (made for it), sent.
    pub(crate) fn new(auth: &ClientAuth, assertion: Option<ClientAssertion>) -> Self {
        Self { client_id: auth.client_id().clone(), client_secret: auth.client_secret().cloned(), assertion }
    }

    /// The client id.
    pub(crate) fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Calls `f` with each credential: the secret, the base64 (standard and URL-safe, unpadded:
    /// a padded echo contains it) of each Basic spelling of id and secret, and the assertion.
    pub(crate) fn for_each_secret(&self, f: &mut impl FnMut(&str)) {
        if let Some(secret) = &self.client_secret {
            f(secret.secret());
            for encoding in [BasicEncoding::Percent, BasicEncoding::FormPlus, BasicEncoding::Raw] {
                // Raw Basic cannot carry a colon in the id; then nothing was sent that way.
                let Ok(plain) = crate::basic_credentials(self.client_id.as_str(), secret.secret(), encoding) else {
                    continue;
                };
                for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                    f(ClientSecret::new(engine.encode(&plain)).secret());
                }
                zeroize::Zeroize::zeroize(&mut { plain });
            }
        }
        if let Some(assertion) = &self.assertion {
            f(assertion.jwt());
        }
    }
}

fn form_body(auth: &ClientAuth, request: &TokenRequest, assertion: &str) -> Vec<u8> {
    let grant = request.grant();
    let credentials = auth.form_credentials();
    let grant_len = match grant {
        Grant::Password { username, password } => 3 * (username.as_str().len() + password.secret().len()) + 20,
        Grant::RefreshToken { refresh_token } => 3 * refresh_token.secret().len() + 15,
        _ => 0,
    };
    let estimate = 48 + credentials.len() + assertion.len() + grant_len + 3 * request.scope().as_str().len();
    let mut body = String::with_capacity(estimate);
    body.push_str("grant_type=");
    match grant {
        // The built-in grant types are letters and `_`: nothing to encode.
        Grant::Extension { grant_type, .. } => body.extend(form_urlencoded::byte_serialize(grant_type.as_bytes())),
        _ => body.push_str(grant.grant_type()),
    }
    if !credentials.is_empty() {
        body.push('&');
        body.push_str(credentials);
    }
    if !assertion.is_empty() {
        body.push('&');
        body.push_str(assertion);
    }
    let nothing_more =
        matches!(grant, Grant::ClientCredentials) && request.scope().is_empty() && request.params().is_empty();
    if nothing_more {
        return body.into_bytes();
    }
    // The serializer writes the `&` before each pair, as the body already holds pairs.
    let mut form = form_urlencoded::Serializer::for_suffix(body, 0);
    match grant {
        Grant::ClientCredentials => {}
        Grant::Password { username, password } => {
            form.append_pair(username.field(), username.as_str());
            form.append_pair("password", password.secret());
        }
        Grant::RefreshToken { refresh_token } => {
            form.append_pair("refresh_token", refresh_token.secret());
        }
        Grant::AuthorizationCode { code, redirect_uri, code_verifier } => {
            form.append_pair("code", code.secret());
            form.append_pair("redirect_uri", &redirect_uri.to_string());
            form.append_pair("code_verifier", code_verifier.secret());
        }
        Grant::Extension { params, .. } => append_params(&mut form, params),
    }
    if !request.scope().is_empty() {
        form.append_pair("scope", request.scope().as_str());
    }
    append_params(&mut form, request.params());
    form.finish().into_bytes()
}

fn append_params(form: &mut form_urlencoded::Serializer<'_, String>, params: &Params) {
    for (name, value) in params.iter() {
        form.append_pair(name, value.as_str());
    }
}

/// A token request on its way: reads the answer, keeps a refresh token the answer did not
/// replace, and scrubs every credential it sent from the error if the server echoes one.
///
/// Made by [`TokenEndpoint::build_request_at`] (or [`TokenEndpoint::build_request`]); consumed
/// by [`PendingExchange::finish`].
#[must_use = "give the answer to `finish` to get the token"]
pub struct PendingExchange {
    quirks: crate::Quirks,
    grant: Grant,
    client: SentCredentials,
    secret_params: Option<Params>,
}

impl PendingExchange {
    /// Reads the answer — the reader for an exchange you sent. `sent_at` is when the request
    /// was sent, on the caller's clock.
    ///
    /// Hand over *every* answer, whatever its status: a 400 or 401 carries the server's
    /// `error`, `error_description` and `WWW-Authenticate` challenge, which is how this method
    /// tells a refused client from a bad request, and a 429 or 503 its `Retry-After`. Many
    /// HTTP clients turn non-2xx statuses into their own errors (reqwest's `error_for_status`,
    /// ureq's default); switch that off for token requests, or the answer is lost.
    ///
    /// # Errors
    /// As [`parse_token_response`](crate::parse_token_response), with the credentials this
    /// request carried replaced by `[redacted]` in any text kept from the server.
    pub fn finish<B: AsRef<[u8]>>(self, response: &Response<B>, sent_at: Instant) -> Result<Token, TokenError> {
        match crate::parse_token_response(&self.quirks, response, sent_at) {
            Ok(mut token) => {
                if let Grant::RefreshToken { refresh_token } = self.grant {
                    // RFC 6749 §6: the server may keep the refresh token; then the old one stays.
                    token.refresh_token.get_or_insert(refresh_token);
                }
                Ok(token)
            }
            Err(mut error) => {
                self.scrub(&mut error);
                Err(error)
            }
        }
    }

    /// The grant this request carried.
    #[must_use]
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// `text` with every credential this request carried replaced by `[redacted]`, in every
    /// spelling a server or an HTTP stack may repeat it in (as is, JSON-escaped, form- and
    /// percent-encoded, and the base64 of each Basic spelling of the client's id and secret;
    /// the client assertion, when the request carried one);
    /// `None` when there is nothing to replace. For texts that do not come through
    /// [`finish`](Self::finish) — a transport error's redirect `Location`, say.
    #[must_use]
    pub fn redact(&self, text: &str) -> Option<String> {
        let mut out: Option<String> = None;
        self.for_each_secret(|secret| {
            if let Some(scrubbed) = crate::mask::scrubbed(out.as_deref().unwrap_or(text), secret) {
                out = Some(scrubbed);
            }
        });
        out
    }

    fn scrub(&self, error: &mut TokenError) {
        self.for_each_secret(|secret| error.scrub(secret));
    }

    /// Calls `f` with each credential this request carried, the client's in every spelling
    /// [`SentCredentials::for_each_secret`] names.
    fn for_each_secret(&self, mut f: impl FnMut(&str)) {
        self.client.for_each_secret(&mut f);
        match &self.grant {
            Grant::Password { password, .. } => f(password.secret()),
            Grant::RefreshToken { refresh_token } => f(refresh_token.secret()),
            Grant::AuthorizationCode { code, code_verifier, .. } => {
                f(code.secret());
                f(code_verifier.secret());
            }
            Grant::Extension { params, .. } => params.secrets().for_each(&mut f),
            Grant::ClientCredentials => {}
        }
        if let Some(params) = &self.secret_params {
            params.secrets().for_each(&mut f);
        }
    }
}

impl std::fmt::Debug for PendingExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingExchange").field("grant", &self.grant).finish_non_exhaustive()
    }
}
