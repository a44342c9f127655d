//! The MXO emulator: `POST /one/oauth2token` with raw Basic, and the Interaction API.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{Method, StatusCode};
use oauth_providers::{Profile, mxo};
use wiremock::Request;

use crate::behaviour::{Behaviour, Endpoint, Responder};
use crate::emulator::sealed::Emulated;
use crate::reply::Reply;
use crate::state::{Grantee, State};
use crate::{Builder, Controls, Credentials, Emulator, wire};

/// The seed's example client id (seeds/000, a UUID like every MXO id).
const CLIENT_ID: &str = "2e8fec0e-34fb-4851-800e-9989331e55d2";
/// The seed's example client secret.
const CLIENT_SECRET: &str = "d7f4484f-9817-4778-9161-6eb06d1f6cf7";
/// The documented `expires_in`.
const EXPIRES_IN: u64 = 299;
const INTERACTION_PATH: &str = "/one/oauth2/rt/api/2.0/interaction";

/// An emulated MXO server (Thunderhead ONE / Medallia Experience Orchestration).
///
/// - `POST /one/oauth2token` wants `Authorization: Basic base64(id:secret)` with the id and
///   secret as they are (RFC 7617): the decoded `id:secret` must match byte for byte, so a
///   percent- or form-encoded header is refused whenever the encoding changes the text (never
///   for the UUIDs MXO issues). The form body must be exactly `grant_type=client_credentials`.
///   The answer is the seed's: `{"access_token":<JWT>,"token_type":"bearer","expires_in":299,"jti":<uuid>}`.
/// - Wrong or missing credentials: a bare `401` (the error body is undocumented). Any other
///   body: a bare `400`. Another method: `405`.
/// - `POST` or `PUT /one/oauth2/rt/api/2.0/interaction?sk=…` wants `Authorization: Bearer`
///   with a token issued here and not expired; otherwise `401` with
///   `WWW-Authenticate: Bearer error="invalid_token"` (just `Bearer` when no token was sent).
///   A missing `sk` is a bare `400`. The answer is an empty Interaction response
///   (`statusCode`, `tid`, `session`, `trackers`, `captures`, `optimizations`).
///
/// # Examples
/// A whole exchange with oauth-core and the profile oauth-providers makes for this server:
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::{Duration, Instant};
/// let mxo = oauth_testkit::Mxo::start().await;
/// let profile = mxo.profile();
///
/// let (request, pending) = profile.token_config().expect("MXO exchanges tokens").build_request()?;
/// let sent_at = Instant::now();
/// let token = pending.finish(&oauth_testkit::send(request).await?, sent_at)?;
/// assert_eq!(token.lifetime(), Some(Duration::from_secs(299)));
/// assert!(token.extras().jti().is_some());
///
/// let url = oauth_providers::mxo::interaction_url(&profile, "ONE-ABC-1234", None)?;
/// let call = http::Request::post(url)
///     .header("authorization", oauth_core::bearer_header(token.access_token())?)
///     .header("content-type", "application/json")
///     .body(br#"{"uri":"app://home"}"#.to_vec())?;
/// assert_eq!(oauth_testkit::send(call).await?.status(), 200);
///
/// mxo.controls().expire_all_tokens();
/// let (request, pending) = profile.token_config().unwrap().build_request()?;
/// let _ = pending.finish(&oauth_testkit::send(request).await?, Instant::now())?;
/// assert_eq!((mxo.controls().token_requests(), mxo.controls().api_requests()), (2, 1));
/// # Ok(()) }
/// ```
pub type Mxo = Emulator<MxoSettings>;

/// Settings for an [`Mxo`] emulator: the client and the token lifetime ([`Builder`]); MXO has
/// no others.
pub type MxoBuilder = Builder<MxoSettings>;

/// MXO's own settings (it has none beyond the client and the lifetime): the vendor type of
/// [`Mxo`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct MxoSettings {}

impl Emulator<MxoSettings> {
    /// `oauth_providers::mxo::profile` for this server and its credentials.
    ///
    /// # Panics
    /// Never for a started emulator: its start checked that the credentials make a profile.
    #[must_use]
    pub fn profile(&self) -> Profile {
        let (id, secret) = (self.credentials.client_id(), self.credentials.client_secret());
        mxo::profile(&self.uri(), id, secret)
            .unwrap_or_else(|e| panic!("Mxo: the credentials make no MXO profile: {e}"))
    }
}

impl Emulated for MxoSettings {
    const NAME: &'static str = "Mxo";
    const EXPIRES_IN: u64 = EXPIRES_IN;

    fn credentials() -> Credentials {
        Credentials::new(CLIENT_ID, CLIENT_SECRET, &[])
    }

    fn responder(&mut self, credentials: &Credentials, controls: &Controls) -> Responder {
        let expected = format!("{}:{}", credentials.client_id(), credentials.client_secret()).into_bytes();
        controls.responder(MxoBehaviour { client_id: credentials.client_id().to_owned(), expected })
    }

    fn check(emulator: &Mxo) {
        let _ = emulator.profile();
    }
}

struct MxoBehaviour {
    client_id: String,
    /// The decoded Basic credentials to accept: `id:secret`, raw.
    expected: Vec<u8>,
}

impl MxoBehaviour {
    fn authenticated(&self, request: &Request) -> bool {
        wire::authorization(&request.headers)
            .filter(|a| a.scheme.eq_ignore_ascii_case("basic"))
            .and_then(|a| STANDARD.decode(a.credentials).ok())
            .is_some_and(|decoded| decoded == self.expected)
    }
}

impl Behaviour for MxoBehaviour {
    fn endpoint(&self, request: &Request) -> Endpoint {
        match request.url.path() {
            mxo::TOKEN_PATH => Endpoint::Token,
            path if path.trim_end_matches('/') == INTERACTION_PATH => Endpoint::Api,
            _ => Endpoint::Unknown,
        }
    }

    fn token(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::POST {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "POST");
        }
        if !self.authenticated(request) {
            return Reply::empty(StatusCode::UNAUTHORIZED);
        }
        let form = wire::Form::of(request);
        if form.pairs() != [("grant_type".to_owned(), "client_credentials".to_owned())] {
            return Reply::empty(StatusCode::BAD_REQUEST);
        }
        let client_id = self.client_id.clone();
        let jti = wire::uuid();
        let now = wire::unix_now();
        let claims = serde_json::json!({
            "tenantType": 1,
            "tenantLocale": "en_US",
            "scope": [],
            "tenantid": 5817498782861102551_u64,
            "exp": now + state.expires_in(),
            "userid": client_id,
            "jti": jti,
            "client_id": client_id,
        });
        let token = wire::jwt(&serde_json::json!({"alg": "HS256", "typ": "JWT"}), &claims, 32);
        state.remember_access(&token, Grantee { client_id, username: None, scope: None });
        let body = serde_json::json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": state.expires_in(),
            "jti": jti,
        });
        Reply::json(StatusCode::OK, &body).no_store()
    }

    fn api(&self, request: &Request, state: &mut State) -> Reply {
        if request.method != Method::POST && request.method != Method::PUT {
            return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).header("allow", "POST, PUT");
        }
        match wire::bearer(&request.headers) {
            None => return Reply::empty(StatusCode::UNAUTHORIZED).header("www-authenticate", "Bearer"),
            Some(token) if state.valid_access(token).is_none() => {
                return Reply::empty(StatusCode::UNAUTHORIZED)
                    .header("www-authenticate", r#"Bearer error="invalid_token""#);
            }
            Some(_) => {}
        }
        if wire::query(request, "sk").is_none_or(|sk| sk.is_empty()) {
            return Reply::empty(StatusCode::BAD_REQUEST);
        }
        let tid = wire::query(request, "tid").filter(|t| !t.is_empty()).unwrap_or_else(wire::uuid);
        let body = serde_json::json!({
            "statusCode": 200,
            "tid": tid,
            "session": "",
            "trackers": [],
            "captures": [],
            "optimizations": [],
        });
        Reply::json(StatusCode::OK, &body)
    }
}
