//! Accepting the redirect (`PendingAuthorization`, consumed once): `state`, `iss` and `error`
//! checked, and the code exchange it yields.

use super::request::IssuerCheck;
use super::*;

/// An authorization request on its way: the `state`, PKCE verifier, nonce, redirect URI and
/// issuer check that read the redirect coming back. Made by [`AuthorizationRequest::start`];
/// consumed by [`accept`](Self::accept) or [`accept_query`](Self::accept_query).
///
/// It is deliberately not `Clone`, and reading the redirect consumes it, so one authorization
/// request answers one redirect:
/// ```compile_fail,E0382
/// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// # use oauth_core::{ClientId, EndpointUrl};
/// # let request = AuthorizationRequest::new(
/// #     EndpointUrl::new("https://as.example/authorize")?,
/// #     ClientId::new("app")?,
/// #     EndpointUrl::new("https://app.example/cb")?,
/// # );
/// let (_url, pending) = request.start([1; ENTROPY_LEN])?;
/// let redirect = format!("code=abc&state={}", pending.state());
/// let first = pending.accept_query(&redirect);
/// let second = pending.accept_query(&redirect); // error[E0382]: use of moved value: `pending`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// ```compile_fail,E0599
/// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// # use oauth_core::{ClientId, EndpointUrl};
/// # let request = AuthorizationRequest::new(
/// #     EndpointUrl::new("https://as.example/authorize")?,
/// #     ClientId::new("app")?,
/// #     EndpointUrl::new("https://app.example/cb")?,
/// # );
/// let (_url, pending) = request.start([1; ENTROPY_LEN])?;
/// let copy = pending.clone(); // error[E0599]: no method named `clone`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// The same, read once:
/// ```
/// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// # use oauth_core::{ClientId, EndpointUrl};
/// # let request = AuthorizationRequest::new(
/// #     EndpointUrl::new("https://as.example/authorize")?,
/// #     ClientId::new("app")?,
/// #     EndpointUrl::new("https://app.example/cb")?,
/// # );
/// let (_url, pending) = request.start([1; ENTROPY_LEN])?;
/// let redirect = format!("code=abc&state={}", pending.state());
/// let first = pending.accept_query(&redirect);
/// assert!(first.is_ok());
/// assert_eq!(format!("{first:?}").matches("[redacted]").count(), 2); // the code and the verifier
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "keep it to read the redirect with `accept`"]
pub struct PendingAuthorization {
    pub(super) state: SecretStr,
    pub(super) verifier: PkceVerifier,
    pub(super) nonce: Option<Nonce>,
    pub(super) redirect_uri: EndpointUrl,
    pub(super) issuer: Option<IssuerCheck>,
}

/// The redirect parameters this module reads, each at most once (RFC 6749 §3.1).
#[derive(Default)]
struct Redirect<'a> {
    code: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    iss: Option<Cow<'a, str>>,
    error: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    uri: Option<Cow<'a, str>>,
}

impl<'a> Redirect<'a> {
    fn read(query: &'a str) -> Result<Self, AuthorizationError> {
        let mut redirect = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let (slot, name) = match &*name {
                "code" => (&mut redirect.code, "code"),
                "state" => (&mut redirect.state, "state"),
                "iss" => (&mut redirect.iss, "iss"),
                "error" => (&mut redirect.error, "error"),
                "error_description" => (&mut redirect.description, "error_description"),
                "error_uri" => (&mut redirect.uri, "error_uri"),
                _ => continue,
            };
            if slot.is_some() {
                return Err(AuthorizationError::DuplicateParameter { name });
            }
            *slot = Some(value);
        }
        Ok(redirect)
    }
}

impl PendingAuthorization {
    /// Reads the redirect that came back (RFC 6749 §4.1.2): an absolute URL or the request
    /// target a loopback listener got (`/callback?code=…&state=…`). Only its query is read;
    /// a fragment never reaches an `http::Uri`. Check first with
    /// [`is_redirect`](Self::is_redirect) that a request is the redirect at all (a browser
    /// also asks a loopback listener for `/favicon.ico`): this consumes the pending request.
    ///
    /// In order: no parameter this reads may appear twice; `state` must be this request's
    /// (compared in constant time); `iss` must name the configured issuer
    /// ([`AuthorizationRequest::with_issuer`]), and be present if the server always sends it;
    /// an `error` is the server's refusal; otherwise there must be a `code`. Parameters it does
    /// not read (`session_state`, `scope`, …) are ignored.
    ///
    /// # Errors
    /// [`AuthorizationError`]; it never holds the code, the verifier or the `state`.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::ErrorCode;
    /// use oauth_core::authorization::{AuthorizationError, AuthorizationRequest, ENTROPY_LEN};
    /// # use oauth_core::{ClientId, EndpointUrl};
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://as.example/authorize")?,
    ///     ClientId::new("app")?,
    ///     EndpointUrl::new("https://app.example/cb")?,
    /// );
    /// let (_url, pending) = request.start([9; ENTROPY_LEN])?;
    /// let refused: http::Uri =
    ///     format!("/cb?error=access_denied&error_description=The+user+said+no&state={}", pending.state()).parse()?;
    /// assert!(pending.is_redirect(&refused));
    /// match pending.accept(&refused) {
    ///     Err(AuthorizationError::Server { code: ErrorCode::AccessDenied, description, .. }) => {
    ///         assert_eq!(description.as_deref(), Some("The user said no"));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accept(self, redirect: &Uri) -> Result<CodeExchange, AuthorizationError> {
        self.accept_query(redirect.query().unwrap_or_default())
    }

    /// As [`accept`](Self::accept), for the redirect's query as text (a leading `?` is
    /// skipped, anything from a `#` on is ignored), or a `response_mode=form_post` body, which
    /// carries the same parameters in the same encoding.
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn accept_query(self, query: &str) -> Result<CodeExchange, AuthorizationError> {
        let query = query.split('#').next().unwrap_or_default();
        let query = query.strip_prefix('?').unwrap_or(query);
        let redirect = Redirect::read(query)?;
        match redirect.state.as_deref() {
            None | Some("") => return Err(AuthorizationError::MissingState),
            Some(state) if !constant_time_eq(state.as_bytes(), self.state.expose().as_bytes()) => {
                return Err(AuthorizationError::StateMismatch);
            }
            Some(_) => {}
        }
        let secrets = [self.state.expose(), redirect.code.as_deref().unwrap_or_default()];
        if let Some(check) = &self.issuer {
            match redirect.iss.as_deref() {
                Some(iss) if iss != &*check.issuer => {
                    return Err(AuthorizationError::IssuerMismatch {
                        expected: check.issuer.clone(),
                        received: cleaned(iss, &secrets),
                    });
                }
                None if check.required => {
                    return Err(AuthorizationError::MissingIssuer { expected: check.issuer.clone() });
                }
                _ => {}
            }
        }
        if let Some(error) = redirect.error.as_deref() {
            return Err(AuthorizationError::Server {
                code: ErrorCode::from_code(&cleaned(error, &secrets)),
                description: redirect.description.as_deref().map(|text| cleaned(text, &secrets)),
                uri: redirect.uri.as_deref().map(|text| cleaned(text, &secrets)),
            });
        }
        let code = match redirect.code {
            None => return Err(AuthorizationError::MissingCode),
            Some(code) if code.is_empty() => return Err(AuthorizationError::MissingCode),
            Some(Cow::Owned(code)) => AuthorizationCode::new(code),
            Some(Cow::Borrowed(code)) => AuthorizationCode::from(code),
        };
        Ok(CodeExchange {
            code,
            redirect_uri: self.redirect_uri,
            verifier: self.verifier,
            nonce: self.nonce,
            issuer: redirect.iss.map(|iss| cleaned(&iss, &[self.state.expose()])),
        })
    }

    /// Whether `target` — an absolute URL, or the request target a listener got — is a request
    /// to the redirect URI: the same path and, when `target` has them, the same scheme and
    /// authority (without case). The query is not looked at.
    ///
    /// # Examples
    /// ```
    /// use std::num::NonZeroU16;
    /// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN, loopback_redirect_uri};
    /// # use oauth_core::{ClientId, EndpointUrl};
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://as.example/authorize")?,
    ///     ClientId::new("cli")?,
    ///     loopback_redirect_uri(NonZeroU16::new(8400).unwrap()),
    /// );
    /// let (_url, pending) = request.start([3; ENTROPY_LEN])?;
    /// assert!(pending.is_redirect(&"/callback?code=x&state=y".parse()?));
    /// assert!(pending.is_redirect(&"http://127.0.0.1:8400/callback?code=x".parse()?));
    /// assert!(!pending.is_redirect(&"/favicon.ico".parse()?));
    /// assert!(!pending.is_redirect(&"http://127.0.0.1:9999/callback".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_redirect(&self, target: &Uri) -> bool {
        let expected = self.redirect_uri.uri();
        let same =
            |a: Option<&str>, b: Option<&str>| a.is_none() || a.zip(b).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
        target.path() == expected.path()
            && same(target.scheme_str(), expected.scheme_str())
            && same(
                target.authority().map(http::uri::Authority::as_str),
                expected.authority().map(http::uri::Authority::as_str),
            )
    }

    /// The `state` the authorization URL carries: a key to find this pending request by when
    /// several are out (a web server with many users signing in). It is in the URL the user
    /// sees, but still keep it out of logs.
    #[must_use]
    pub fn state(&self) -> &str {
        self.state.expose()
    }

    /// The OpenID Connect nonce the request carries, if any.
    #[must_use]
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }

    /// The redirect URI the request carries.
    #[must_use]
    pub fn redirect_uri(&self) -> &EndpointUrl {
        &self.redirect_uri
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &format_args!("{REDACTED}"))
            .field("verifier", &self.verifier)
            .field("nonce", &self.nonce)
            .field("redirect_uri", &self.redirect_uri)
            .field("issuer", &self.issuer.as_ref().map(|check| &check.issuer))
            .finish()
    }
}

/// `a == b`, in a time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// `text` from the redirect as an error may keep it: any of `secrets` in it replaced by
/// `[redacted]` (a server may echo the request into its description).
fn cleaned(text: &str, secrets: &[&str]) -> Box<str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for secret in secrets {
        if let Some(scrubbed) = crate::mask::scrubbed(&out, secret) {
            out = Cow::Owned(scrubbed);
        }
    }
    out.into()
}

/// Why a redirect did not give a code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The authorization server refused (RFC 6749 §4.1.2.1): the user denied access
    /// (`access_denied`), the request was wrong (`invalid_request`, `invalid_scope`, …), or an
    /// OpenID Connect `login_required`, `consent_required`, … (kept as [`ErrorCode::Other`]).
    Server {
        /// The `error` code.
        code: ErrorCode,
        /// `error_description`, when sent.
        description: Option<Box<str>>,
        /// `error_uri`, when sent.
        uri: Option<Box<str>>,
    },
    /// The redirect has no `state`: it does not answer this request (RFC 6749 §10.12).
    MissingState,
    /// The redirect's `state` is another: it answers another request, or was forged
    /// (RFC 6749 §10.12).
    StateMismatch,
    /// The redirect has no `iss`, which the authorization server says it always sends
    /// (RFC 9207 §2.4).
    MissingIssuer {
        /// The issuer the request went to.
        expected: Box<str>,
    },
    /// The redirect's `iss` names another authorization server (RFC 9207 §2.4: a mix-up
    /// attack, or the wrong server configured).
    IssuerMismatch {
        /// The issuer the request went to.
        expected: Box<str>,
        /// The `iss` the redirect carries.
        received: Box<str>,
    },
    /// The redirect carries neither `code` nor `error` (or an empty `code`).
    MissingCode,
    /// A parameter appears more than once, so its meaning is ambiguous (RFC 6749 §3.1).
    DuplicateParameter {
        /// The parameter.
        name: &'static str,
    },
}

impl AuthorizationError {
    /// The server's `error` code, when it refused.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Server { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server { code, description, uri } => {
                write!(f, "the authorization server refused with `{code}`")?;
                if let Some(description) = description {
                    write!(f, ": {description}")?;
                }
                if let Some(uri) = uri {
                    write!(f, " (see {uri})")?;
                }
                Ok(())
            }
            Self::MissingState => f.write_str(
                "the redirect carries no `state`, so it cannot be matched to this authorization request (RFC 6749 §10.12)",
            ),
            Self::StateMismatch => f.write_str(
                "the redirect's `state` is not this authorization request's: it answers another request or was forged (RFC 6749 §10.12)",
            ),
            Self::MissingIssuer { expected } => write!(
                f,
                "the redirect carries no `iss`, which the authorization server `{expected}` always sends (RFC 9207)"
            ),
            Self::IssuerMismatch { expected, received } => write!(
                f,
                "the redirect's `iss` `{received}` is not the authorization server `{expected}` the request went to (RFC 9207)"
            ),
            Self::MissingCode => f.write_str("the redirect carries neither a `code` nor an `error`"),
            Self::DuplicateParameter { name } => {
                write!(f, "the redirect carries `{name}` more than once (RFC 6749 §3.1)")
            }
        }
    }
}

impl std::error::Error for AuthorizationError {}

/// A redirect read and checked: the code, ready to be exchanged for a token (RFC 6749 §4.1.3)
/// with its PKCE verifier (RFC 7636 §4.5). Made by [`PendingAuthorization::accept`].
///
/// The exchange is an ordinary token request: [`build_request`](Self::build_request) (or
/// [`build_request_at`](Self::build_request_at), for every client) makes it and its
/// [`PendingExchange`], whose [`finish`](PendingExchange::finish) reads the answer and scrubs
/// the code and the verifier from errors. The grant is not replay-safe
/// ([`Grant::is_replay_safe`]): a code is single use, so a failed exchange is not retried with
/// other client authentication.
#[must_use = "exchange the code with `build_request_at` before it expires"]
pub struct CodeExchange {
    code: AuthorizationCode,
    redirect_uri: EndpointUrl,
    verifier: PkceVerifier,
    nonce: Option<Nonce>,
    issuer: Option<Box<str>>,
}

impl CodeExchange {
    /// The token request that exchanges the code, authenticated as `auth` — which must be the
    /// client the authorization request named — and the value that reads its answer.
    ///
    /// The body is `grant_type=authorization_code`, the client's form credentials when its
    /// method puts them in the body (a public client's `client_id`, RFC 6749 §4.1.3), then
    /// `code`, `redirect_uri` and `code_verifier`.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, TokenEndpoint};
    /// let client = ClientAuth::basic(ClientId::new("s6BhdRkqt3")?, ClientSecret::new("gX1fBat3bV"));
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://server.example.com/authorize")?,
    ///     client.client_id().clone(),
    ///     EndpointUrl::new("https://client.example.com/cb")?,
    /// );
    /// let (_url, pending) = request.start([0; ENTROPY_LEN])?;
    /// let state = pending.state().to_owned();
    /// let exchange = pending.accept_query(&format!("code=SplxlOBeZQQYbYS6WxSbIA&state={state}"))?;
    ///
    /// let endpoint = TokenEndpoint::new("https://server.example.com/token")?;
    /// let (token_request, _pending) = exchange.build_request(&endpoint, &client)?;
    /// assert_eq!(token_request.headers()["authorization"], "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
    /// assert_eq!(
    ///     std::str::from_utf8(token_request.body())?,
    ///     "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA\
    ///      &redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&code_verifier=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    ///
    /// # Errors
    /// [`UnbuiltExchange`](super::UnbuiltExchange) for the JWT methods, whose assertion needs
    /// the time and fresh entropy ([`MisuseError::AssertionNeedsTime`]): it hands the exchange
    /// back unspent, for [`CodeExchange::build_request_at`].
    pub fn build_request(
        self,
        endpoint: &TokenEndpoint,
        auth: &ClientAuth,
    ) -> Result<(Request<Vec<u8>>, PendingExchange), super::UnbuiltExchange> {
        if let Err(misuse) = auth.refuse_assertion("CodeExchange::build_request_at") {
            return Err(super::UnbuiltExchange { misuse, exchange: Box::new(self) });
        }
        // Not a JWT method: the time and entropy are not read.
        let request = self.into_token_request();
        Ok(endpoint.build_request_at(auth, &request, std::time::SystemTime::UNIX_EPOCH, [0; 16]))
    }

    /// [`CodeExchange::build_request`] for every client, those that sign assertions included:
    /// their body also carries `client_assertion_type` and `client_assertion`, a JWT made for
    /// this request at `now` with `jti_entropy`, as [`TokenEndpoint::build_request_at`] makes
    /// it. Its `aud` is the client's [`assertion_audience`](ClientAuth::assertion_audience) when
    /// set, else the token endpoint's URL. Other methods ignore `now` and `jti_entropy`.
    ///
    /// # Examples
    /// ```
    /// use std::time::SystemTime;
    /// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, TokenEndpoint};
    /// let client = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
    /// let request = AuthorizationRequest::new(
    ///     EndpointUrl::new("https://as.example/authorize")?,
    ///     client.client_id().clone(),
    ///     EndpointUrl::new("https://app.example/cb")?,
    /// );
    /// let (_url, pending) = request.start([0; ENTROPY_LEN])?;
    /// let state = pending.state().to_owned();
    /// let exchange = pending.accept_query(&format!("code=c0de&state={state}"))?;
    ///
    /// let endpoint = TokenEndpoint::new("https://as.example/token")?;
    /// let entropy = [42; 16]; // from the operating system's generator, in real code
    /// let (token_request, _pending) = exchange.build_request_at(&endpoint, &client, SystemTime::now(), entropy);
    /// let body = std::str::from_utf8(token_request.body())?;
    /// assert!(body.starts_with("grant_type=authorization_code&client_id=app&client_assertion_type="));
    /// assert!(!body.contains("s3cr3t"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the request must be sent and its answer given to `PendingExchange::finish`"]
    pub fn build_request_at(
        self,
        endpoint: &TokenEndpoint,
        auth: &ClientAuth,
        now: SystemTime,
        jti_entropy: [u8; 16],
    ) -> (Request<Vec<u8>>, PendingExchange) {
        endpoint.build_request_at(auth, &self.into_token_request(), now, jti_entropy)
    }

    /// The exchange as a [`TokenRequest`] carrying [`Grant::AuthorizationCode`], to add extra
    /// parameters (RFC 8707 `resource`) before [`TokenEndpoint::build_request_at`]. No scope: the
    /// code already carries the one granted (RFC 6749 §4.1.3).
    ///
    /// # Examples
    /// ```
    /// # use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
    /// # use oauth_core::{ClientAuth, ClientId, EndpointUrl, Grant, Params, TokenEndpoint};
    /// # let request = AuthorizationRequest::new(
    /// #     EndpointUrl::new("https://as.example/authorize")?,
    /// #     ClientId::new("app")?,
    /// #     EndpointUrl::new("https://app.example/cb")?,
    /// # );
    /// # let (_url, pending) = request.start([0; ENTROPY_LEN])?;
    /// # let redirect = format!("code=c0de&state={}", pending.state());
    /// # let exchange = pending.accept_query(&redirect)?;
    /// let mut resource = Params::new();
    /// resource.push("resource", "https://api.example/")?;
    /// let token_request = exchange.into_token_request().with_params(resource)?;
    /// assert_eq!(token_request.grant().grant_type(), "authorization_code");
    /// assert!(!token_request.grant().is_replay_safe());
    /// let endpoint = TokenEndpoint::new("https://as.example/token")?;
    /// let (http_request, _pending) = endpoint.build_request(&ClientAuth::public(ClientId::new("app")?), &token_request)?;
    /// assert!(http_request.body().ends_with(b"&resource=https%3A%2F%2Fapi.example%2F"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn into_token_request(self) -> TokenRequest {
        TokenRequest::new(Grant::AuthorizationCode {
            code: self.code,
            redirect_uri: self.redirect_uri,
            code_verifier: self.verifier,
        })
    }

    /// The OpenID Connect nonce the authorization request carried: the ID token's `nonce`
    /// claim must equal it.
    #[must_use]
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }

    /// The `iss` the redirect carried (RFC 9207), if any: checked against the issuer when one
    /// was configured ([`AuthorizationRequest::with_issuer`]), as the server sent it otherwise.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
}

impl fmt::Debug for CodeExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeExchange")
            .field("code", &self.code)
            .field("redirect_uri", &self.redirect_uri)
            .field("verifier", &self.verifier)
            .field("nonce", &self.nonce)
            .field("issuer", &self.issuer)
            .finish()
    }
}
