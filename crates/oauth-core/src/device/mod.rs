//! The device authorization grant (RFC 8628): asking for a device code, then polling the token
//! endpoint with it until the user approves or refuses, or the code expires — as values, given
//! `now`.
//!
//! Two pure halves around the I/O, as for every exchange in this crate:
//! 1. [`DeviceAuthorizationEndpoint::build_request`] makes the device authorization request
//!    (§3.1); [`PendingDeviceAuthorization::finish`] reads its answer (§3.2) into a
//!    [`DeviceAuthorization`]: the code and address to show the user, and the device code,
//!    a secret.
//! 2. [`DeviceFlow`] is the polling (§3.4, §3.5) as a state machine shaped like
//!    [`TokenLifecycle`](crate::TokenLifecycle): [`DeviceFlow::poll`] says, at `now`, to send a
//!    token request (and hands it out), to wait until an instant, or that the flow is done or
//!    failed; [`DeviceFlow::answered`] takes each answer back. At most one request is out at a
//!    time, and none is handed out before the interval has passed.
//!
//! # A whole flow
//! ```
//! use std::time::{Duration, Instant, SystemTime};
//! use oauth_core::device::{
//!     DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceStep,
//! };
//! use oauth_core::{ClientAuth, ClientId, EndpointUrl, Scope, TokenEndpoint, TokenError};
//!
//! let auth = ClientAuth::public(ClientId::new("tv-app")?);
//! let device = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device")?);
//! let request = DeviceAuthorizationRequest::new().with_scope(Scope::parse("read")?);
//! let (http_request, pending) = device.build_request(&auth, &request)?;
//! assert_eq!(http_request.body(), b"client_id=tv-app&scope=read");
//!
//! // … send it; note when …
//! let t0 = Instant::now();
//! let answer = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json")
//!     .body(r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT",
//!              "verification_uri":"https://example.com/device","expires_in":1800,"interval":5}"#)?;
//! let authorization = pending.finish(&answer, t0)?;
//! assert_eq!(authorization.user_code(), "WDJB-MJHT"); // show it, and the address, to the user
//!
//! let token_endpoint = TokenEndpoint::new("https://as.example/token")?;
//! let mut flow = DeviceFlow::new(token_endpoint, auth, &authorization, t0);
//! assert!(matches!(flow.poll(t0), DeviceStep::Wait(at) if at == t0 + Duration::from_secs(5)));
//!
//! let t1 = t0 + Duration::from_secs(5);
//! let DeviceStep::Send(token_request, pending) = flow.poll(t1) else { unreachable!() };
//! assert!(matches!(flow.poll(t1), DeviceStep::InFlight)); // never two at once
//! // … send `token_request` …
//! let answer = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json")
//!     .body(r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#)?;
//! let result = pending.finish(&answer, t1);
//! assert!(flow.answered::<TokenError>(t1, result).is_none());
//! let DeviceStep::Done(token) = flow.poll(t1) else { unreachable!() };
//! assert_eq!(token.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use http::{Method, Request, Response, StatusCode};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{ExpiresInProblem, JsonKind, status_is_retryable};
use crate::expires_in::{ExpiresIn, ExpiresRaw, expires_in_secs};
use crate::media::{Format, FormatProblem, body_format, json_kind_of};
use crate::{
    BodyExcerpt, BodyProblem, ClientAuth, EndpointUrl, ErrorCode, Extras, Grant, MisuseError, Params, PendingExchange,
    ProtocolError, ProtocolErrorKind, Quirks, RESERVED_EXTENSION_PARAMS, RequestFailure, RetryAfter, Scope,
    SecretParam, ServerError, Token, TokenEndpoint, TokenError, TokenRequest,
};

/// The `grant_type` of the device access token request (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// How much a `slow_down` answer adds to the interval, for that and every later request
/// (RFC 8628 §3.5). A request that got no answer, or a "try later" answer, adds the same.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

mod answer;
mod authorization;
mod flow;

pub use authorization::{
    DeviceAnswerProblem, DeviceAuthorization, DeviceAuthorizationEndpoint, DeviceAuthorizationError,
    DeviceAuthorizationRequest, DeviceProtocolError, PendingDeviceAuthorization,
};
pub use flow::{DeviceFlow, DeviceFlowError, DeviceStep};
