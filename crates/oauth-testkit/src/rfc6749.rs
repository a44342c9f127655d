//! A generic RFC 6749 token endpoint with switchable client authentication, and a protected
//! resource.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use http::{Method, StatusCode};
use oauth_providers::{Profile, rfc6749};
use serde_json::{Value, json};
use wiremock::Request;

use crate::behaviour::{Behaviour, Endpoint, Responder};
use crate::emulator::sealed::Emulated;
use crate::reply::Reply;
use crate::state::{Grantee, State};
use crate::{Builder, Controls, Credentials, Emulator, RefreshRotation, wire};

const TOKEN_PATH: &str = "/token";
const RESOURCE_PATH: &str = "/api/resource";
const REALM: &str = "oauth-testkit";
const EXPIRES_IN: u64 = 3600;

/// How the server reads the `id:secret` inside a Basic header (after base64), which decides
/// which of the client's encodings it accepts. INTEROP.md's table, for the secret
/// `a b+c/d:e%f&g=h`:
///
/// | client's encoding | [`FormDecode`](Self::FormDecode) | [`Unquote`](Self::Unquote) | [`Verbatim`](Self::Verbatim) |
/// |---|---|---|---|
/// | form-urlencoded, space as `+` | 200 | 401 | 401 |
/// | percent-encoded, space as `%20` | 200 | 200 | 401 |
/// | raw (RFC 7617) | 400 "not properly encoded" | 200 | 200 |
///
/// For credentials with nothing to escape (letters, digits, `-._~`) every encoding is the same
/// text and all three accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BasicDecoding {
    /// Form-decode each part (`+` is a space, `%XX` a byte) and refuse an invalid escape with
    /// `400 invalid_request` "not properly encoded" (RFC 6749 §2.3.1 read literally; what
    /// oidc-provider does).
    FormDecode,
    /// Percent-decode each part, keeping `+` and any invalid escape as written (Python's
    /// `unquote`; what Authlib does).
    Unquote,
    /// No decoding: the `id:secret` is compared byte for byte (RFC 7617; servers that accept
    /// only raw Basic).
    Verbatim,
}

/// A grant the token endpoint may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrantType {
    /// `client_credentials` (RFC 6749 §4.4).
    ClientCredentials,
    /// `password` (RFC 6749 §4.3).
    Password,
    /// `refresh_token` (RFC 6749 §6).
    RefreshToken,
}

impl GrantType {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "client_credentials" => Some(Self::ClientCredentials),
            "password" => Some(Self::Password),
            "refresh_token" => Some(Self::RefreshToken),
            _ => None,
        }
    }
}

/// A generic OAuth 2.0 authorization server (RFC 6749) and a protected resource (RFC 6750).
///
/// - `POST /token`, form body, `client_credentials`, `password` and `refresh_token` grants
///   (each can be switched off). Client authentication is `client_secret_basic` read with a
///   chosen [`BasicDecoding`], and/or `client_secret_post`; both in one request is
///   `400 invalid_request` (RFC 6749 §2.3). Answers are RFC 6749 §5.1 JSON
///   (`access_token`, `token_type: "Bearer"`, `expires_in`, `refresh_token` for the password
///   and refresh grants, `scope` when one was asked for) with `Cache-Control: no-store`.
/// - Errors are RFC 6749 §5.2 JSON: a refused client is `401 invalid_client`, with
///   `WWW-Authenticate: Basic realm="oauth-testkit", error="invalid_client"` when the client
///   tried Basic; `invalid_request`, `unsupported_grant_type`, `unauthorized_client` (a grant
///   switched off) and `invalid_grant` (wrong password, unknown refresh token) are 400.
/// - `GET /api/resource` wants a bearer token issued here and not expired; otherwise `401`
///   with `WWW-Authenticate: Bearer realm="oauth-testkit", error="invalid_token", …` (no
///   `error` when no token was sent).
///
/// The presets [`authlib_like`](Self::authlib_like), [`oidc_provider_like`](Self::oidc_provider_like)
/// and [`raw_only`](Self::raw_only) follow INTEROP.md's recorded answers.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Instant;
/// use oauth_core::{AuthMethod, BasicEncoding, ErrorCode, Grant};
/// use oauth_testkit::Rfc6749;
/// let server = Rfc6749::authlib_like().client("app", "a b+c/d:e%f&g=h").start().await;
///
/// // Authlib reads `+` as `+`, so the form encoding fails …
/// let plus = server.profile_builder().auth_method(AuthMethod::Basic(BasicEncoding::FormPlus)).build()?;
/// let (request, pending) = plus.token_config().unwrap().build_request()?;
/// let error = pending.finish(&oauth_testkit::send(request).await?, Instant::now()).unwrap_err();
/// assert_eq!(error.code(), Some(&ErrorCode::InvalidClient));
///
/// // … and `%20` works; then the password grant and the resource.
/// let pw = server.profile_builder()
///     .auth_method(AuthMethod::Basic(BasicEncoding::Percent))
///     .grant(Grant::password("alice", "wonder land"))
///     .build()?;
/// let (request, pending) = pw.token_config().unwrap().build_request()?;
/// let token = pending.finish(&oauth_testkit::send(request).await?, Instant::now())?;
/// assert!(token.refresh_token().is_some());
/// let call = http::Request::get(pw.api_url("/api/resource")?)
///     .header("authorization", oauth_core::bearer_header(token.access_token())?)
///     .body(Vec::new())?;
/// assert_eq!(oauth_testkit::send(call).await?.status(), 200);
/// # Ok(()) }
/// ```
pub type Rfc6749 = Emulator<Rfc6749Settings>;

/// Settings for an [`Rfc6749`] server: the client and the token lifetime ([`Builder`]), and
/// the server's own below.
///
/// Defaults: client `app` / `s3cr3t`, resource owner `alice` / `wonder land`, Basic read with
/// [`BasicDecoding::FormDecode`] (padding required, scheme matched without case) and
/// `client_secret_post` both accepted, all three grants, [`RefreshRotation::Rotate`],
/// `expires_in` 3600.
pub type Rfc6749Builder = Builder<Rfc6749Settings>;

/// The RFC 6749 server's own settings (client authentication, grants, refresh rotation): the
/// vendor type of [`Rfc6749`], set through [`Rfc6749Builder`].
#[derive(Debug, Clone)]
pub struct Rfc6749Settings {
    basic: Option<BasicDecoding>,
    padding_required: bool,
    scheme_case_sensitive: bool,
    post: bool,
    grants: Vec<GrantType>,
    rotation: RefreshRotation,
}

impl Default for Rfc6749Settings {
    fn default() -> Self {
        Self {
            basic: Some(BasicDecoding::FormDecode),
            padding_required: true,
            scheme_case_sensitive: false,
            post: true,
            grants: vec![GrantType::ClientCredentials, GrantType::Password, GrantType::RefreshToken],
            rotation: RefreshRotation::Rotate,
        }
    }
}

impl Emulator<Rfc6749Settings> {
    /// The token endpoint's path.
    pub const TOKEN_PATH: &str = TOKEN_PATH;
    /// The protected resource's path.
    pub const RESOURCE_PATH: &str = RESOURCE_PATH;

    /// Like Authlib 1.9 (INTEROP.md): Basic read with `unquote` (`+` stays `+`), base64
    /// padding required, refresh tokens rotated.
    pub fn authlib_like() -> Rfc6749Builder {
        Rfc6749Builder::default().basic(Some(BasicDecoding::Unquote)).basic_padding_required(true)
    }

    /// Like oidc-provider 9 (INTEROP.md): Basic form-decoded, raw credentials that do not
    /// decode refused with 400 "not properly encoded", unpadded base64 accepted, the same
    /// refresh token sent back.
    pub fn oidc_provider_like() -> Rfc6749Builder {
        Rfc6749Builder::default()
            .basic(Some(BasicDecoding::FormDecode))
            .basic_padding_required(false)
            .refresh_rotation(RefreshRotation::Reuse)
    }

    /// A server that accepts only raw (RFC 7617) Basic: no decoding, no `client_secret_post`.
    pub fn raw_only() -> Rfc6749Builder {
        Rfc6749Builder::default().basic(Some(BasicDecoding::Verbatim)).post(false)
    }

    /// The token URL, `{uri}/token`.
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.uri())
    }

    /// A client_credentials profile for this server: `oauth_providers::rfc6749::Builder`
    /// defaults (percent-encoded Basic, with the raw-Basic and body fallbacks).
    ///
    /// # Panics
    /// Never for a started server: its start checked that the credentials make a profile.
    #[must_use]
    pub fn profile(&self) -> Profile {
        self.profile_builder().build().unwrap_or_else(|e| panic!("Rfc6749: the credentials make no profile: {e}"))
    }

    /// `oauth_providers::rfc6749::Builder` for this server's token URL and client, to choose
    /// the method, grant or scope before building.
    pub fn profile_builder(&self) -> rfc6749::Builder {
        rfc6749::Builder::new(self.token_url()).client(self.credentials.client_id(), self.credentials.client_secret())
    }
}

impl Builder<Rfc6749Settings> {
    /// The resource owners the password grant accepts (replacing the default one).
    pub fn users<U: Into<String>, P: Into<String>>(mut self, users: impl IntoIterator<Item = (U, P)>) -> Self {
        self.credentials.set_users(users.into_iter().map(|(u, p)| (u.into(), p.into())).collect());
        self
    }

    /// How Basic credentials are read, or `None` to refuse `client_secret_basic`.
    pub fn basic(mut self, decoding: Option<BasicDecoding>) -> Self {
        self.settings.basic = decoding;
        self
    }

    /// Whether base64 without its `=` padding is refused (as Authlib does) or accepted.
    pub fn basic_padding_required(mut self, required: bool) -> Self {
        self.settings.padding_required = required;
        self
    }

    /// Whether only `Basic` spelled so counts as Basic (some servers in the wild), instead of
    /// any case (RFC 9110 §11.1).
    pub fn basic_scheme_case_sensitive(mut self, sensitive: bool) -> Self {
        self.settings.scheme_case_sensitive = sensitive;
        self
    }

    /// Whether `client_secret_post` is accepted.
    pub fn post(mut self, accepted: bool) -> Self {
        self.settings.post = accepted;
        self
    }

    /// The grants allowed; any other known grant is `unauthorized_client`.
    pub fn grants(mut self, grants: impl IntoIterator<Item = GrantType>) -> Self {
        self.settings.grants = grants.into_iter().collect();
        self
    }

    /// What a refresh does to the refresh token.
    pub fn refresh_rotation(mut self, rotation: RefreshRotation) -> Self {
        self.settings.rotation = rotation;
        self
    }
}

impl Emulated for Rfc6749Settings {
    const NAME: &'static str = "Rfc6749";
    const EXPIRES_IN: u64 = EXPIRES_IN;

    fn credentials() -> Credentials {
        Credentials::new("app", "s3cr3t", &[("alice", "wonder land")])
    }

    fn responder(&mut self, credentials: &Credentials, controls: &Controls) -> Responder {
        controls.responder(Rfc6749Behaviour { credentials: credentials.clone(), settings: self.clone() })
    }

    fn check(emulator: &Rfc6749) {
        let _ = emulator.profile();
    }
}

struct Rfc6749Behaviour {
    credentials: Credentials,
    settings: Rfc6749Settings,
}

/// An RFC 6749 §5.2 error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    Reply::json(status, &json!({"error": error, "error_description": description})).no_store()
}

/// How the client tried to authenticate.
enum Attempt {
    Basic,
    Post,
}

impl Rfc6749Behaviour {
    fn client_id(&self) -> String {
        self.credentials.client_id().to_owned()
    }

    fn invalid_client(attempt: &Attempt, description: &str) -> Reply {
        let reply = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
        match attempt {
            Attempt::Basic => {
                reply.header("www-authenticate", format!(r#"Basic realm="{REALM}", error="invalid_client""#))
            }
            Attempt::Post => reply,
        }
    }

    /// Authenticates the client: `Ok` when it is the registered one, or the error answer.
    fn authenticate(&self, request: &Request, form: &wire::Form) -> Result<(), Reply> {
        let s = &self.settings;
        let header = wire::authorization(&request.headers).filter(|a| a.scheme.eq_ignore_ascii_case("basic"));
        if header.is_some() && form.get("client_secret").is_some() {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client authentication must only be provided using one mechanism",
            ));
        }
        let Some(header) = header else {
            if form.get("client_secret").is_none() {
                return Err(Self::invalid_client(&Attempt::Post, "no client authentication"));
            }
            if !s.post {
                return Err(Self::invalid_client(&Attempt::Post, "client_secret_post is not allowed for this client"));
            }
            if form.get("client_id") != Some(self.credentials.client_id())
                || form.get("client_secret") != Some(self.credentials.client_secret())
            {
                return Err(Self::invalid_client(&Attempt::Post, "client authentication failed"));
            }
            return Ok(());
        };
        let Some(decoding) = s.basic else {
            return Err(Self::invalid_client(&Attempt::Basic, "client_secret_basic is not allowed for this client"));
        };
        if s.scheme_case_sensitive && header.scheme != "Basic" {
            return Err(Self::invalid_client(&Attempt::Basic, "no client authentication"));
        }
        let engine = if s.padding_required { &STANDARD } else { &STANDARD_PAD_INDIFFERENT };
        let Some(decoded) = engine.decode(header.credentials).ok() else {
            return Err(Self::invalid_client(&Attempt::Basic, "invalid Basic credentials"));
        };
        let Some(colon) = decoded.iter().position(|&b| b == b':') else {
            return Err(Self::invalid_client(&Attempt::Basic, "invalid Basic credentials"));
        };
        let decode = |part: &[u8]| -> Option<Vec<u8>> {
            match decoding {
                BasicDecoding::Verbatim => Some(part.to_vec()),
                BasicDecoding::Unquote => wire::percent_decode(part, false),
                BasicDecoding::FormDecode => {
                    let spaced: Vec<u8> = part.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
                    wire::percent_decode(&spaced, true).filter(|bytes| std::str::from_utf8(bytes).is_ok())
                }
            }
        };
        let (Some(id), Some(secret)) = (decode(&decoded[..colon]), decode(&decoded[colon + 1..])) else {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id and client_secret in the authorization header are not properly encoded",
            ));
        };
        if id != self.credentials.client_id().as_bytes() || secret != self.credentials.client_secret().as_bytes() {
            return Err(Self::invalid_client(&Attempt::Basic, "client authentication failed"));
        }
        Ok(())
    }

    fn issue(&self, state: &mut State, grantee: Grantee, refresh_token: Option<String>) -> Reply {
        let token = wire::random_b64url(32);
        let scope = grantee.scope.clone();
        state.remember_access(&token, grantee);
        let mut body = json!({"access_token": token, "token_type": "Bearer", "expires_in": state.expires_in()});
        if let Some(refresh_token) = refresh_token {
            body["refresh_token"] = Value::String(refresh_token);
        }
        if let Some(scope) = scope {
            body["scope"] = Value::String(scope);
        }
        Reply::json(StatusCode::OK, &body).no_store()
    }

    fn new_refresh_token(state: &mut State, grantee: &Grantee) -> String {
        let token = wire::random_b64url(32);
        state.remember_refresh(&token, grantee.clone());
        token
    }

    fn grant(&self, grant: GrantType, form: &wire::Form, state: &mut State) -> Reply {
        let s = &self.settings;
        let scope = form.get("scope").filter(|scope| !scope.is_empty()).map(str::to_owned);
        let required = |name: &str| {
            form.get(name).ok_or_else(|| {
                oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &format!("`{name}` is required"))
            })
        };
        match grant {
            GrantType::ClientCredentials => {
                self.issue(state, Grantee { client_id: self.client_id(), username: None, scope }, None)
            }
            GrantType::Password => {
                let (username, password) = match (required("username"), required("password")) {
                    (Ok(u), Ok(p)) => (u, p),
                    (Err(e), _) | (_, Err(e)) => return e,
                };
                if !self.credentials.users().iter().any(|(u, p)| u == username && p == password) {
                    return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "wrong username or password");
                }
                let grantee = Grantee { client_id: self.client_id(), username: Some(username.to_owned()), scope };
                let refresh_token = Self::new_refresh_token(state, &grantee);
                self.issue(state, grantee, Some(refresh_token))
            }
            GrantType::RefreshToken => {
                let presented = match required("refresh_token") {
                    Ok(token) => token,
                    Err(e) => return e,
                };
                let mut grantee = match state.refresh_grantee(presented) {
                    Some(grantee) if grantee.client_id == self.credentials.client_id() => grantee.clone(),
                    _ => {
                        return oauth_error(
                            StatusCode::BAD_REQUEST,
                            "invalid_grant",
                            "unknown or revoked refresh token",
                        );
                    }
                };
                if scope.is_some() {
                    grantee.scope = scope;
                }
                let refresh_token = match s.rotation {
                    RefreshRotation::Rotate => {
                        state.forget_refresh(presented);
                        Some(Self::new_refresh_token(state, &grantee))
                    }
                    RefreshRotation::Reuse => Some(presented.to_owned()),
                    RefreshRotation::Omit => None,
                };
                self.issue(state, grantee, refresh_token)
            }
        }
    }
}

impl Behaviour for Rfc6749Behaviour {
    fn endpoint(&self, request: &Request) -> Endpoint {
        match request.url.path() {
            TOKEN_PATH => Endpoint::Token,
            RESOURCE_PATH => Endpoint::Api,
            _ => Endpoint::Unknown,
        }
    }

    fn token(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::POST {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "POST");
        }
        let form = wire::Form::of(request);
        if let Some(name) = form.repeated() {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &format!("`{name}` is repeated"));
        }
        if let Err(reply) = self.authenticate(request, &form) {
            return reply;
        }
        let grant = match form.get("grant_type") {
            None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "`grant_type` is required"),
            Some(name) => match GrantType::from_name(name) {
                None => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "unsupported_grant_type",
                        &format!("`{name}` is not supported"),
                    );
                }
                Some(grant) if !self.settings.grants.contains(&grant) => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "unauthorized_client",
                        &format!("the client may not use `{name}`"),
                    );
                }
                Some(grant) => grant,
            },
        };
        self.grant(grant, &form, state)
    }

    fn api(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::GET {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "GET");
        }
        let Some(token) = wire::bearer(&request.headers) else {
            return Reply::empty(StatusCode::UNAUTHORIZED)
                .header("www-authenticate", format!(r#"Bearer realm="{REALM}""#));
        };
        match state.valid_access(token) {
            Some(grantee) => {
                Reply::json(StatusCode::OK, &json!({"client_id": grantee.client_id, "username": grantee.username, "scope": grantee.scope}))
            }
            None => Reply::empty(StatusCode::UNAUTHORIZED).header(
                "www-authenticate",
                format!(
                    r#"Bearer realm="{REALM}", error="invalid_token", error_description="The access token is invalid or has expired""#
                ),
            ),
        }
    }
}
