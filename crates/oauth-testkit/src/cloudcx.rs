//! The CloudCX emulator: the password and refresh grants at `/oauth/token`, and the user list.

use http::{Method, StatusCode};
use oauth_providers::Profile;
use oauth_providers::cloudcx::{self, PasswordProfile, UsernameField};
use serde_json::{Value, json};
use wiremock::Request;

use crate::behaviour::{Behaviour, Endpoint, Responder};
use crate::emulator::sealed::Emulated;
use crate::reply::Reply;
use crate::state::{Grantee, State};
use crate::{Builder, Controls, Credentials, Emulator, RefreshRotation, wire};

/// The client id in the seed's token (its `sub` and `aud` claims, seeds/001).
const CLIENT_ID: &str = "260390634491792831814845";
/// The seed masks the middle of its secret; the rest is as shown.
const CLIENT_SECRET: &str = "6d624c35-978b-4e1f-a2c3-59d727f2ea19";
/// The login of the seed's example user.
const USERNAME: &str = "freesiaTest";
const PASSWORD: &str = "A1b2-c3d4";
const API_KEY: &str = "cx-ak-7f3e9b2c4d5a61808e1f2a3b4c5d6e7f";
/// The seed's `expires_in`.
const EXPIRES_IN: u64 = 3599;
/// The `iss` of the seed's token: http, whatever the server's own URL.
const ISSUER: &str = "http://cloudcx.cloudfon.net";
const USER_PAGE_PATH: &str = "/openapi/v2/user/page";
/// The envelope code of a refused credential (client, user or refresh token).
const CREDENTIALS_CODE: &str = "0001";
/// The envelope code of a malformed token request (a missing field, an unknown grant).
const REQUEST_CODE: &str = "0002";

/// An emulated CloudCX Control Panel ("CX").
///
/// - `POST /oauth/token`, form body: `grant_type=password` with `client_id`, `client_secret`,
///   `username` (or `email`, see [`CloudCxBuilder::username_field`]) and `password`; or
///   `grant_type=refresh_token` with `client_id`, `client_secret` and `refresh_token`. The
///   answer: `{"access_token":<RS256-shaped JWT>,"token_type":"Bearer","expires_in":3599,"refresh_token":…}`.
///   Refresh rotates the refresh token by default ([`RefreshRotation`]).
/// - Refusals use the vendor's envelope, `{"code":…,"message":…,"data":null}`: a wrong
///   client, user or refresh token is code `"0001"` with HTTP 401 (or the status set by
///   [`CloudCxBuilder::token_error_status`], 200 included); a missing field or another grant
///   is code `"0002"` with HTTP 400.
/// - `GET /openapi/v2/user/page?pageIndex=1&pageSize=25[&keywords=]` accepts a token issued
///   here and not expired, or the API key, as `Authorization: Bearer …`, and answers
///   `{"code":"0000","message":null,"data":<a Spring Data page of users>}`. A bad or expired
///   bearer gets HTTP 401, `{"code":"401",…}` and `WWW-Authenticate: Bearer error="invalid_token"`.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Instant;
/// use oauth_providers::cloudcx::{self, Page, User};
/// let cx = oauth_testkit::CloudCx::start().await;
/// let profile = cx.profile();
///
/// let (request, pending) = profile.token_config().expect("a password grant").build_request()?;
/// let token = pending.finish(&oauth_testkit::send(request).await?, Instant::now())?;
/// assert!(token.refresh_token().is_some());
///
/// let call = http::Request::get(cloudcx::user_page_url(&profile, 1, 25, Some("si"))?)
///     .header("authorization", oauth_core::bearer_header(token.access_token())?)
///     .body(Vec::new())?;
/// let answer = oauth_testkit::send(call).await?;
/// let page: Page<User> = cloudcx::read_envelope(answer.status(), answer.body())?;
/// assert_eq!(page.content[0].login_code.as_deref(), Some("freesiaTest"));
///
/// // The API key works at the same API, with no exchange.
/// let key = cx.api_key_profile().access().static_header().unwrap()?;
/// let call = http::Request::get(cloudcx::user_page_url(&profile, 1, 25, None)?)
///     .header("authorization", key)
///     .body(Vec::new())?;
/// assert_eq!(oauth_testkit::send(call).await?.status(), 200);
/// assert_eq!((cx.controls().token_requests(), cx.controls().api_requests()), (1, 2));
/// # Ok(()) }
/// ```
pub type CloudCx = Emulator<CloudCxSettings>;

/// Settings for a [`CloudCx`] emulator: the client and the token lifetime ([`Builder`]), and
/// CloudCX's own below.
pub type CloudCxBuilder = Builder<CloudCxSettings>;

/// CloudCX's own settings (the API key, the username field, refresh rotation, the refusal
/// status, the users): the vendor type of [`CloudCx`], set through [`CloudCxBuilder`].
///
/// `Debug` hides the API key.
#[derive(Clone)]
pub struct CloudCxSettings {
    api_key: String,
    field: UsernameField,
    rotation: RefreshRotation,
    error_status: StatusCode,
    users: Vec<Value>,
}

impl Default for CloudCxSettings {
    fn default() -> Self {
        Self {
            api_key: API_KEY.into(),
            field: UsernameField::Username,
            rotation: RefreshRotation::Rotate,
            error_status: StatusCode::UNAUTHORIZED,
            users: vec![seed_user()],
        }
    }
}

impl std::fmt::Debug for CloudCxSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudCxSettings")
            .field("api_key", &"[redacted]")
            .field("field", &self.field)
            .field("rotation", &self.rotation)
            .field("error_status", &self.error_status)
            .field("users", &self.users.len())
            .finish()
    }
}

/// The user of the seed's example answer (its e-mail address moved to example.com).
fn seed_user() -> Value {
    json!({
        "id": "75d86d40-f7d9-4025-8a1c-8a868f918289",
        "loginCode": USERNAME,
        "roles": ["Admin", "Agents"],
        "firstName": "freesia",
        "lastName": "Test",
        "email": "freesia@example.com",
        "phoneNumber": null,
        "uniqueCode": null,
    })
}

impl Emulator<CloudCxSettings> {
    /// `oauth_providers::cloudcx`'s password profile for this server, credentials and
    /// username field.
    ///
    /// # Panics
    /// Never for a started emulator: its start checked that the credentials make a profile.
    #[must_use]
    pub fn profile(&self) -> Profile {
        self.profile_builder().build().unwrap_or_else(|e| panic!("CloudCx: the credentials make no profile: {e}"))
    }

    /// The password profile's builder, filled in for this server, to change before building.
    pub fn profile_builder(&self) -> PasswordProfile {
        let c = &self.credentials;
        PasswordProfile::new(
            self.uri(),
            c.client_id(),
            c.client_secret(),
            c.username().unwrap_or_default(),
            c.password().unwrap_or_default(),
        )
        .username_field(self.settings.field)
    }

    /// The API key the user-list API accepts.
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.settings.api_key
    }

    /// `oauth_providers::cloudcx::api_key` for this server and its API key.
    ///
    /// # Panics
    /// Never for a started emulator: its start checked that the key makes a profile.
    #[must_use]
    pub fn api_key_profile(&self) -> Profile {
        cloudcx::api_key(&self.uri(), self.settings.api_key.as_str())
            .unwrap_or_else(|e| panic!("CloudCx: the API key makes no profile: {e}"))
    }
}

impl Builder<CloudCxSettings> {
    /// The resource owner the password grant accepts.
    pub fn resource_owner(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials.set_users(vec![(username.into(), password.into())]);
        self
    }

    /// The API key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.settings.api_key = key.into();
        self
    }

    /// The name of the username field: `username` (the default, the current cURL example) or
    /// `email` (the older Postman steps). The other name is then a missing field.
    pub fn username_field(mut self, field: UsernameField) -> Self {
        self.settings.field = field;
        self
    }

    /// What a refresh does to the refresh token (rotate by default).
    pub fn refresh_rotation(mut self, rotation: RefreshRotation) -> Self {
        self.settings.rotation = rotation;
        self
    }

    /// The HTTP status of a refused credential (401 by default; the envelope is an error
    /// even on 200).
    ///
    /// # Panics
    /// When `status` is not an HTTP status code.
    pub fn token_error_status(mut self, status: u16) -> Self {
        self.settings.error_status =
            StatusCode::from_u16(status).unwrap_or_else(|_| panic!("`{status}` is not an HTTP status"));
        self
    }

    /// The users the user-list API pages through, as JSON objects in the seed's shape
    /// (`id`, `loginCode`, `roles`, `firstName`, `lastName`, `email`, …). The default is the
    /// seed's one user.
    pub fn users(mut self, users: impl IntoIterator<Item = Value>) -> Self {
        self.settings.users = users.into_iter().collect();
        self
    }
}

impl Emulated for CloudCxSettings {
    const NAME: &'static str = "CloudCx";
    const EXPIRES_IN: u64 = EXPIRES_IN;

    fn credentials() -> Credentials {
        Credentials::new(CLIENT_ID, CLIENT_SECRET, &[(USERNAME, PASSWORD)])
    }

    fn responder(&mut self, credentials: &Credentials, controls: &Controls) -> Responder {
        let (username, password) = credentials.users().first().cloned().unwrap_or_default();
        controls.responder(CloudCxBehaviour {
            client_id: credentials.client_id().to_owned(),
            client_secret: credentials.client_secret().to_owned(),
            username,
            password,
            api_key: self.api_key.clone(),
            field: match self.field {
                UsernameField::Email => "email",
                _ => "username",
            },
            rotation: self.rotation,
            error_status: self.error_status,
            users: self.users.clone(),
        })
    }

    fn check(emulator: &CloudCx) {
        let _ = (emulator.profile(), emulator.api_key_profile());
    }
}

struct CloudCxBehaviour {
    client_id: String,
    client_secret: String,
    username: String,
    password: String,
    api_key: String,
    field: &'static str,
    rotation: RefreshRotation,
    error_status: StatusCode,
    users: Vec<Value>,
}

fn envelope(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(status, &json!({"code": code, "message": message, "data": null}))
}

impl CloudCxBehaviour {
    fn refuse_credentials(&self, message: &str) -> Reply {
        envelope(self.error_status, CREDENTIALS_CODE, message)
    }

    fn issue(&self, state: &mut State, grantee: Grantee, refresh_token: Option<String>) -> Reply {
        let now = wire::unix_now();
        let user_id = self
            .users
            .iter()
            .find(|u| grantee.username.as_deref().is_some_and(|name| u["loginCode"] == name))
            .and_then(|u| u["id"].as_str().map(str::to_owned))
            .unwrap_or_else(wire::uuid);
        let claims = json!({
            "sub": grantee.client_id,
            "aud": grantee.client_id,
            "nbf": now,
            "user-id": user_id,
            "iss": ISSUER,
            "exp": now + state.expires_in(),
            "iat": now,
        });
        let token = wire::jwt(&json!({"kid": wire::uuid(), "alg": "RS256"}), &claims, 256);
        state.remember_access(&token, grantee);
        let mut body = json!({"access_token": token, "token_type": "Bearer", "expires_in": state.expires_in()});
        if let Some(refresh_token) = refresh_token {
            body["refresh_token"] = Value::String(refresh_token);
        }
        Reply::json(StatusCode::OK, &body).no_store()
    }

    fn new_refresh_token(state: &mut State, grantee: &Grantee) -> String {
        let token = wire::random_b64url(96);
        state.remember_refresh(&token, grantee.clone());
        token
    }

    fn password_grant(&self, form: &wire::Form, state: &mut State) -> Reply {
        let (Some(username), Some(password)) = (form.get(self.field), form.get("password")) else {
            let missing = if form.get(self.field).is_none() { self.field } else { "password" };
            return envelope(StatusCode::BAD_REQUEST, REQUEST_CODE, &format!("{missing} is required"));
        };
        if username != self.username || password != self.password {
            return self.refuse_credentials("Bad credentials");
        }
        let grantee = Grantee { client_id: self.client_id.clone(), username: Some(username.to_owned()), scope: None };
        let refresh_token = Self::new_refresh_token(state, &grantee);
        self.issue(state, grantee, Some(refresh_token))
    }

    fn refresh_grant(&self, form: &wire::Form, state: &mut State) -> Reply {
        let Some(presented) = form.get("refresh_token") else {
            return envelope(StatusCode::BAD_REQUEST, REQUEST_CODE, "refresh_token is required");
        };
        let grantee = match state.refresh_grantee(presented) {
            Some(grantee) if grantee.client_id == self.client_id => grantee.clone(),
            _ => return self.refuse_credentials("Invalid refresh token"),
        };
        let refresh_token = match self.rotation {
            RefreshRotation::Rotate => {
                state.forget_refresh(presented);
                Some(Self::new_refresh_token(state, &grantee))
            }
            RefreshRotation::Reuse => Some(presented.to_owned()),
            RefreshRotation::Omit => None,
        };
        self.issue(state, grantee, refresh_token)
    }

    fn user_page(&self, request: &Request) -> Reply {
        let number = |name: &str| wire::query(request, name).and_then(|v| v.parse::<u64>().ok()).filter(|n| *n >= 1);
        let (Some(index), Some(size)) = (number("pageIndex"), number("pageSize")) else {
            return envelope(StatusCode::BAD_REQUEST, "400", "pageIndex and pageSize must be numbers from 1");
        };
        let keywords = wire::query(request, "keywords").unwrap_or_default().to_lowercase();
        let matching: Vec<&Value> = self
            .users
            .iter()
            .filter(|user| {
                keywords.is_empty()
                    || ["loginCode", "firstName", "lastName", "email"]
                        .iter()
                        .any(|field| user[*field].as_str().is_some_and(|text| text.to_lowercase().contains(&keywords)))
            })
            .collect();
        let total = matching.len() as u64;
        let start = usize::try_from((index - 1).saturating_mul(size)).unwrap_or(usize::MAX);
        let content: Vec<&Value> =
            matching.into_iter().skip(start).take(usize::try_from(size).unwrap_or(usize::MAX)).collect();
        let data = json!({
            "totalPages": total.div_ceil(size),
            "totalElements": total,
            "size": size,
            "number": index - 1,
            "numberOfElements": content.len(),
            "content": content,
        });
        Reply::json(StatusCode::OK, &json!({"code": cloudcx::SUCCESS_CODE, "message": null, "data": data}))
    }
}

impl Behaviour for CloudCxBehaviour {
    fn endpoint(&self, request: &Request) -> Endpoint {
        match request.url.path() {
            cloudcx::TOKEN_PATH => Endpoint::Token,
            USER_PAGE_PATH => Endpoint::Api,
            _ => Endpoint::Unknown,
        }
    }

    fn token(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::POST {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "POST");
        }
        let form = wire::Form::of(request);
        let grant_type = form.get("grant_type");
        if !matches!(grant_type, Some("password" | "refresh_token")) {
            let message = match grant_type {
                None => "grant_type is required".to_owned(),
                Some(other) => format!("Unsupported grant type: {other}"),
            };
            return envelope(StatusCode::BAD_REQUEST, REQUEST_CODE, &message);
        }
        if form.get("client_id") != Some(self.client_id.as_str())
            || form.get("client_secret") != Some(self.client_secret.as_str())
        {
            return self.refuse_credentials("Bad client credentials");
        }
        match grant_type {
            Some("password") => self.password_grant(&form, state),
            _ => self.refresh_grant(&form, state),
        }
    }

    fn api(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::GET {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "GET");
        }
        match wire::bearer(&request.headers) {
            None => {
                envelope(StatusCode::UNAUTHORIZED, "401", "Full authentication is required to access this resource")
                    .header("www-authenticate", "Bearer")
            }
            Some(token) if token == self.api_key || state.valid_access(token).is_some() => self.user_page(request),
            Some(_) => envelope(StatusCode::UNAUTHORIZED, "401", "Invalid or expired token")
                .header("www-authenticate", r#"Bearer error="invalid_token""#),
        }
    }
}
