//! The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636) and the issuer check of
//! RFC 9207, sans-IO: the URL to send the user to, then the redirect read back into the token
//! request that exchanges its code. The caller passes in the entropy.
//!
//! ```text
//! AuthorizationRequest ─ start(entropy) ─► (authorization URL, PendingAuthorization)
//!    the user's browser goes to the URL; the server redirects back to the redirect URI
//! PendingAuthorization::accept(redirect) ─► CodeExchange | AuthorizationError   (state, iss, error, code)
//! CodeExchange::build_request(endpoint, auth) ─► http::Request + PendingExchange  (the token request)
//! PendingExchange::finish(answer, sent_at) ─► Token | TokenError
//! ```
//!
//! # A whole flow
//! ```
//! use std::time::Instant;
//! use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
//! use oauth_core::{ClientAuth, ClientId, EndpointUrl, Scope, TokenEndpoint};
//!
//! let request = AuthorizationRequest::new(
//!     EndpointUrl::new("https://as.example/authorize")?,
//!     ClientId::new("my-app")?,
//!     EndpointUrl::new("https://app.example/callback")?,
//! )
//! .with_scope(Scope::parse("openid profile")?);
//!
//! // Entropy from the operating system's generator, in real code.
//! let entropy = [7u8; ENTROPY_LEN];
//! let (url, pending) = request.start(entropy)?;
//! assert!(url.to_string().starts_with("https://as.example/authorize?response_type=code&client_id=my-app&"));
//!
//! // … send the user to `url`; the server redirects back to the callback …
//! let state = pending.state().to_owned();
//! let redirect: http::Uri = format!("https://app.example/callback?code=SplxlOBeZQQYbYS6WxSbIA&state={state}").parse()?;
//! let exchange = pending.accept(&redirect)?;
//!
//! let endpoint = TokenEndpoint::new("https://as.example/token")?;
//! let (token_request, pending_exchange) = exchange.build_request(&endpoint, &ClientAuth::public(ClientId::new("my-app")?))?;
//! assert!(token_request.body().starts_with(b"grant_type=authorization_code&client_id=my-app&code=SplxlOBeZQQYbYS6WxSbIA&"));
//!
//! // … send `token_request`, then read its answer …
//! let answer = http::Response::builder()
//!     .header("content-type", "application/json")
//!     .body(r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#)?;
//! let token = pending_exchange.finish(&answer, Instant::now())?;
//! assert_eq!(token.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU16;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{Request, Uri};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize as _;

use crate::secret::{REDACTED, SecretStr};
use crate::{
    ClientAuth, ClientId, EndpointUrl, ErrorCode, Grant, MisuseError, Params, PendingExchange, Scope, TokenEndpoint,
    TokenRequest,
};

/// How many bytes of entropy [`AuthorizationRequest::start`] takes: the first
/// [`VERIFIER_ENTROPY_LEN`] make the PKCE verifier, the next [`STATE_ENTROPY_LEN`] the `state`.
pub const ENTROPY_LEN: usize = VERIFIER_ENTROPY_LEN + STATE_ENTROPY_LEN;

/// How many bytes of entropy make a PKCE verifier: 32, which RFC 7636 §7.1 recommends (a
/// 43-character verifier).
pub const VERIFIER_ENTROPY_LEN: usize = 32;

/// How many bytes of entropy make a `state`: 16 (128 bits, a 22-character value).
pub const STATE_ENTROPY_LEN: usize = 16;

/// The parameter names an authorization request writes itself; its extra parameters
/// ([`AuthorizationRequest::with_params`]) may not set them.
pub const RESERVED_AUTHORIZATION_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "prompt",
];

/// The longest URI an [`http::Uri`] holds.
const MAX_URI_LEN: usize = u16::MAX as usize - 1;

mod redirect;
mod request;
mod secrets;
mod unbuilt;

pub use redirect::{AuthorizationError, CodeExchange, PendingAuthorization};
pub use request::{AuthorizationRequest, UrlTooLong};
pub use secrets::{AuthorizationCode, Nonce, PkceVerifier, loopback_redirect_uri};
pub use unbuilt::UnbuiltExchange;
