//! The Bright Pattern emulator: client_credentials with `scope` = tenant, and the user API.

use std::collections::BTreeMap;

use http::{Method, StatusCode};
use oauth_providers::Profile;
use oauth_providers::bright_pattern::{TenantProfile, TokenApi};
use serde_json::{Value, json};
use wiremock::Request;

use crate::behaviour::{Behaviour, Endpoint, Responder};
use crate::emulator::sealed::Emulated;
use crate::reply::Reply;
use crate::state::{Grantee, State};
use crate::{Builder, Controls, Credentials, Emulator, wire};

/// The seed's example login id ("sheila.thomas", seeds/003's parameter table).
const LOGIN_ID: &str = "sheila.thomas";
/// The seed's example API secret.
const API_SECRET: &str = "qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ";
/// The seed's `"3599"`.
const EXPIRES_IN: u64 = 3599;
const USER_PATH: &str = "/configapi/v2/user/";

/// An emulated Bright Pattern Contact Center tenant.
///
/// - `POST /configapi/v2/oauth/token` and `/configapi/v3/oauth/token`, form body:
///   `grant_type=client_credentials`, `client_id` (the user's login id), `client_secret` (the
///   API secret) and `scope` = the tenant host, or `tenant=` instead of `scope` (the
///   service-provider variant). The answer:
///   `{"access_token":<64 upper-case hex>,"token_type":"Bearer","expires_in":"3599","scope":<tenant>}`,
///   with `expires_in` a string.
/// - A missing or other `scope`/`tenant`: `400 {"error":"invalid_scope",…}`. A wrong login,
///   secret or grant type: `401 {"errorCode":1,"errorMessage":"Authentication failed"}`.
///   [`Fault::RateLimited`](crate::Fault::RateLimited): `429 {"errorCode":12,…}` with `Retry-After`.
/// - `GET /configapi/v2/user/{login}` with a token issued here and not expired answers the
///   user as JSON (the Postman collection's shape); an expired or unknown token gets
///   `401 {"errorCode":2,"errorMessage":"Token expired"}` (no token at all, `errorCode` 1), with
///   no `WWW-Authenticate`; an unknown login a bare `404`.
///
/// The tenant is the server's own host (`127.0.0.1`), which is what the default profile sends
/// as `scope`, unless [`BrightPatternBuilder::tenant`] names another.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::{Duration, Instant};
/// let bp = oauth_testkit::BrightPattern::start().await;
///
/// let (request, pending) = bp.profile().token_config().unwrap().build_request()?;
/// let token = pending.finish(&oauth_testkit::send(request).await?, Instant::now())?;
/// assert_eq!(token.lifetime(), Some(Duration::from_secs(3599))); // sent as "3599"
/// assert_eq!(token.access_token().secret().len(), 64);
///
/// let call = http::Request::get(bp.user_url("sheila.thomas"))
///     .header("authorization", oauth_core::bearer_header(token.access_token())?)
///     .body(Vec::new())?;
/// let answer = oauth_testkit::send(call).await?;
/// let user: serde_json::Value = serde_json::from_slice(answer.body())?;
/// assert_eq!(user["loginId"], "sheila.thomas");
/// # Ok(()) }
/// ```
pub type BrightPattern = Emulator<BrightPatternSettings>;

/// Settings for a [`BrightPattern`] emulator: the login id and API secret (as
/// [`client`](Builder::client)) and the token lifetime ([`Builder`]), and Bright Pattern's own
/// below.
pub type BrightPatternBuilder = Builder<BrightPatternSettings>;

/// Bright Pattern's own settings (the tenant, reissuing live tokens, more users): the vendor
/// type of [`BrightPattern`], set through [`BrightPatternBuilder`].
#[derive(Debug, Clone, Default)]
pub struct BrightPatternSettings {
    /// The tenant the builder named, if any.
    named: Option<String>,
    /// The tenant in effect once started: the named one, or the server's own host.
    tenant: String,
    reissue: bool,
    users: Vec<Value>,
}

impl Emulator<BrightPatternSettings> {
    /// `oauth_providers::bright_pattern`'s tenant profile for this server: the v2 token path,
    /// `scope` = the tenant.
    ///
    /// # Panics
    /// Never for a started emulator: its start checked that the credentials make a profile.
    #[must_use]
    pub fn profile(&self) -> Profile {
        self.profile_builder().build().unwrap_or_else(|e| panic!("BrightPattern: the credentials make no profile: {e}"))
    }

    /// The tenant profile's builder, filled in for this server, to change before building
    /// (the v3 path, the service-provider variant, another scope).
    ///
    /// # Examples
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use oauth_providers::bright_pattern::TokenApi;
    /// let bp = oauth_testkit::BrightPattern::start().await;
    /// let sp = bp.profile_builder().token_api(TokenApi::ListManagementV3).service_provider(bp.tenant()).build()?;
    /// let (request, pending) = sp.token_config().unwrap().build_request()?;
    /// assert!(request.uri().path().starts_with("/configapi/v3/"));
    /// assert!(pending.finish(&oauth_testkit::send(request).await?, std::time::Instant::now()).is_ok());
    /// # Ok(()) }
    /// ```
    pub fn profile_builder(&self) -> TenantProfile {
        let builder = TenantProfile::new(self.uri(), self.credentials.client_id(), self.credentials.client_secret())
            .token_api(TokenApi::ConfigV2);
        match &self.settings.named {
            Some(tenant) => builder.scope(tenant.as_str()),
            None => builder,
        }
    }

    /// The tenant host the token endpoint wants as `scope` (or `tenant`).
    #[must_use]
    pub fn tenant(&self) -> &str {
        &self.settings.tenant
    }

    /// The URL of `GET /configapi/v2/user/{login}` on this server.
    #[must_use]
    pub fn user_url(&self, login: &str) -> String {
        let login: String = form_urlencoded::byte_serialize(login.as_bytes()).collect();
        format!("{}{USER_PATH}{}", self.uri(), login.replace('+', "%20"))
    }
}

impl Builder<BrightPatternSettings> {
    /// The tenant host to want as `scope` (the server's own host by default); the emulator's
    /// profile then sends it.
    pub fn tenant(mut self, host: impl Into<String>) -> Self {
        self.settings.named = Some(host.into());
        self
    }

    /// Answers a token request with the client's live token, if it has one, and its remaining
    /// seconds, as the documented `"3480"` suggests the server may (off by default).
    pub fn reissue_live_tokens(mut self, reissue: bool) -> Self {
        self.settings.reissue = reissue;
        self
    }

    /// Another user for `GET /configapi/v2/user/{login}`, as a JSON object with a `loginId`
    /// (the client's own user is always there).
    pub fn user(mut self, user: Value) -> Self {
        self.settings.users.push(user);
        self
    }
}

impl Emulated for BrightPatternSettings {
    const NAME: &'static str = "BrightPattern";
    const EXPIRES_IN: u64 = EXPIRES_IN;

    fn credentials() -> Credentials {
        Credentials::new(LOGIN_ID, API_SECRET, &[])
    }

    fn responder(&mut self, credentials: &Credentials, controls: &Controls) -> Responder {
        let login_id = credentials.client_id();
        let mut users = BTreeMap::new();
        users.insert(login_id.to_owned(), default_user(login_id));
        for user in &self.users {
            if let Some(login) = user["loginId"].as_str() {
                users.insert(login.to_owned(), user.clone());
            }
        }
        self.tenant = self.named.clone().unwrap_or_else(|| controls.server().address().ip().to_string());
        controls.responder(BrightPatternBehaviour {
            tenant: self.tenant.clone(),
            login_id: login_id.to_owned(),
            api_secret: credentials.client_secret().to_owned(),
            reissue: self.reissue,
            users,
        })
    }

    fn check(emulator: &BrightPattern) {
        let _ = emulator.profile();
    }
}

/// A user in the shape of the Postman collection's "Get user data" example.
fn default_user(login: &str) -> Value {
    json!({
        "disabled": false,
        "changePassword": false,
        "skills": {},
        "loginId": login,
        "firstName": "Sheila",
        "lastName": "Thomas",
        "team": "Customer Service",
        "extension": "1048",
        "email": "sheila.thomas@example.com",
        "roles": ["Agent"],
    })
}

struct BrightPatternBehaviour {
    tenant: String,
    login_id: String,
    api_secret: String,
    reissue: bool,
    users: BTreeMap<String, Value>,
}

fn error_code(status: StatusCode, code: u32, message: &str) -> Reply {
    Reply::json(status, &json!({"errorCode": code, "errorMessage": message}))
}

fn token_answer(token: &str, expires_in: u64, scope: &str) -> Reply {
    let body =
        json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in.to_string(), "scope": scope});
    Reply::json(StatusCode::OK, &body).no_store()
}

impl Behaviour for BrightPatternBehaviour {
    fn endpoint(&self, request: &Request) -> Endpoint {
        let path = request.url.path();
        if path == TokenApi::ConfigV2.path() || path == TokenApi::ListManagementV3.path() {
            Endpoint::Token
        } else if path.strip_prefix(USER_PATH).is_some_and(|login| !login.is_empty() && !login.contains('/')) {
            Endpoint::Api
        } else {
            Endpoint::Unknown
        }
    }

    fn token(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::POST {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "POST");
        }
        let form = wire::Form::of(request);
        let tenant = match (form.get("scope"), form.get("tenant")) {
            (Some(scope), _) => scope,
            (None, Some(tenant)) => tenant,
            (None, None) => {
                let body =
                    json!({"error": "invalid_scope", "error_description": "scope (the tenant host) is required"});
                return Reply::json(StatusCode::BAD_REQUEST, &body);
            }
        };
        if tenant != self.tenant {
            let body = json!({"error": "invalid_scope", "error_description": format!("unknown tenant `{tenant}`")});
            return Reply::json(StatusCode::BAD_REQUEST, &body);
        }
        let authenticated = form.get("grant_type") == Some("client_credentials")
            && form.get("client_id") == Some(self.login_id.as_str())
            && form.get("client_secret") == Some(self.api_secret.as_str());
        if !authenticated {
            return error_code(StatusCode::UNAUTHORIZED, 1, "Authentication failed");
        }
        if self.reissue {
            if let Some((token, left)) = state.live_access_of(&self.login_id) {
                return token_answer(token, left, tenant);
            }
        }
        let token = wire::hex(&wire::random_bytes(32), true);
        let grantee = Grantee { client_id: self.login_id.clone(), username: None, scope: Some(tenant.to_owned()) };
        state.remember_access(&token, grantee);
        token_answer(&token, state.expires_in(), tenant)
    }

    fn api(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::GET {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "GET");
        }
        match wire::bearer(&request.headers) {
            None => return error_code(StatusCode::UNAUTHORIZED, 1, "Authentication failed"),
            Some(token) if state.valid_access(token).is_none() => {
                return error_code(StatusCode::UNAUTHORIZED, 2, "Token expired");
            }
            Some(_) => {}
        }
        let login = wire::decode_segment(request.url.path().strip_prefix(USER_PATH).unwrap_or_default());
        match self.users.get(&login) {
            Some(user) => Reply::json(StatusCode::OK, user),
            None => Reply::empty(StatusCode::NOT_FOUND),
        }
    }

    fn rate_limited(&self) -> Reply {
        error_code(StatusCode::TOO_MANY_REQUESTS, 12, "Limit exceeded")
    }
}
