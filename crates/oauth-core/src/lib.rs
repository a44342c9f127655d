//! Sans-IO OAuth 2.0 client core: token requests in, tokens and typed errors out, as plain
//! [`http`] types.
//!
//! This crate builds token requests as [`http::Request<Vec<u8>>`] and reads answers from
//! [`http::Response`], at a time the caller passes in. It applies client authentication the
//! way a server needs it ([`ClientAuth`], [`BasicEncoding`]), reads answers as leniently as a
//! profile allows ([`Quirks`]), splits failures by who is at fault ([`TokenError`]), parses
//! `WWW-Authenticate` ([`Challenge`]), and keeps a token's lifecycle as a value
//! ([`TokenLifecycle`]).
//!
//! # What this crate does not do
//! - **No I/O.** It never opens a socket or a file; you send the request with any HTTP stack.
//! - **No clock.** Every decision about time takes `now` (or `sent_at`) as an argument.
//! - **No async, no threads, no randomness.**
//! - **No vendor knowledge.** Vendor quirks are data built elsewhere (oauth-providers) and
//!   passed in as [`Quirks`] and [`ErrorEnvelope`].
//!
//! # A whole exchange
//! ```
//! use std::time::{Duration, Instant};
//! use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenEndpoint, TokenRequest};
//!
//! let endpoint = TokenEndpoint::new("https://as.example/oauth/token")?;
//! let auth = ClientAuth::post(ClientId::new("my-app")?, ClientSecret::new("s3cr3t"));
//! let request = TokenRequest::new(Grant::password("agent7", "pa55"));
//!
//! let (http_request, pending) = endpoint.build_request(&auth, &request)?;
//! assert_eq!(http_request.body(),
//!     b"grant_type=password&client_id=my-app&client_secret=s3cr3t&username=agent7&password=pa55");
//!
//! // … send `http_request` with any client; note when it was sent …
//! let sent_at = Instant::now();
//! let answer = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json")
//!     .body(r#"{"access_token":"eyJ.x.y","token_type":"bearer","expires_in":299,"jti":"1a9b"}"#)?;
//!
//! let token = pending.finish(&answer, sent_at)?;
//! assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(299)));
//! assert_eq!(token.extras().jti(), Some("1a9b"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assertion;
mod attempts;
mod auth;
pub mod authorization;
mod bearer;
mod body_problem;
mod challenge;
mod config;
pub mod device;
pub mod discovery;
mod endpoint;
mod error;
mod error_body;
mod expires_in;
mod fallback;
mod grant;
mod id;
mod identity;
pub mod introspection;
mod json_object;
mod lifecycle;
mod mask;
mod media;
mod quirks;
mod record;
mod refusal;
mod request;
mod response;
mod retry;
pub mod revocation;
mod scope;
mod secret;
mod token;
mod token_type;
mod url;

pub use assertion::{ASSERTION_LIFETIME_SECS, AssertionKey, JWT_BEARER_ASSERTION_TYPE, MIN_RSA_BITS};
pub use attempts::{AttemptStep, Attempts, RequestFailure};
// The user-facing flows live in their modules; the types a caller names most are also here.
pub use auth::{AuthMethod, BasicEncoding, ClientAuth, basic_credentials};
pub use authorization::{
    AuthorizationCode, AuthorizationError, AuthorizationRequest, CodeExchange, PendingAuthorization, PkceVerifier,
};
pub use bearer::{BearerCredential, bearer_header};
pub use body_problem::BodyProblem;
pub use challenge::{Challenge, RetryOn401, is_invalid_token};
pub use config::{Access, TokenConfig};
pub use device::{DeviceAuthorization, DeviceFlow, DeviceStep};
pub use discovery::{DiscoveryError, Issuer, ServerMetadata, WellKnown};
pub use endpoint::TokenEndpoint;
pub use error::{
    ErrorCode, ErrorSource, ExpiresInProblem, JsonKind, MisuseError, ProtocolError, ProtocolErrorKind, RetryAfter,
    ServerError, TokenError,
};
pub use error_body::parse_error_response;
pub use fallback::{AuthFallback, refuses_client};
pub use grant::{Grant, ParamValue, Params, RESERVED_EXTENSION_PARAMS, RESERVED_PARAMS, TokenRequest};
pub use http;
pub use id::{ClientId, Username};
pub use identity::{CredentialBinding, TokenIdentity};
pub use introspection::{Introspection, IntrospectionError, IntrospectionRequest};
pub use lifecycle::{
    AHEAD_RETRY_MAX, AHEAD_RETRY_MIN, Completion, DEFAULT_FETCH_TIMEOUT, DEFAULT_REFRESH_SKEW, Decision, Fetch,
    FetchGrant, TokenLifecycle, is_refusal,
};
pub use mask::{BODY_EXCERPT_LIMIT, BodyExcerpt};
pub use quirks::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_LIFETIME, EnvelopeError, ErrorEnvelope, Quirks};
pub use record::{RecordError, TokenRecord};
pub use refusal::RefusalRecord;
pub use request::PendingExchange;
pub use response::parse_token_response;
pub use retry::RetryPolicy;
pub use revocation::{RevocationError, RevocationRequest, TokenTypeHint};
pub use scope::Scope;
pub use secret::{AccessToken, ApiKey, ClientSecret, IdToken, Password, RefreshToken, SecretParam};
pub use token::{Extras, Token};
pub use token_type::TokenType;
pub use url::{EndpointUrl, is_loopback};

/// The README's example, compiled and run as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
