//! The building blocks the values are made from: a client in each authentication method, grants and parameters
//! holding the canaries, the endpoint, server answers, and an exchange finished on paper.

use std::fmt::Debug;
use std::time::Instant;

use http::Response;
use http::header::CONTENT_TYPE;
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, Params, Scope, SecretParam, Token,
    TokenEndpoint, TokenError, TokenRequest,
};

use crate::{CLIENT_SECRET, PARAM, PASSWORD, REFRESH};

pub(crate) fn client_id() -> ClientId {
    ClientId::new("app-7").expect("a non-empty client id")
}

/// Every way a client can authenticate.
pub(crate) const METHODS: [AuthMethod; 5] = [
    AuthMethod::Basic(BasicEncoding::Percent),
    AuthMethod::Basic(BasicEncoding::FormPlus),
    AuthMethod::Basic(BasicEncoding::Raw),
    AuthMethod::Post,
    AuthMethod::None,
];

pub(crate) fn auth(method: AuthMethod) -> ClientAuth {
    ClientAuth::new(client_id(), Some(ClientSecret::new(CLIENT_SECRET)), method).expect("no colon in the id")
}

pub(crate) fn secret_params() -> Params {
    let mut params = Params::new();
    params.push_secret("client_assertion", SecretParam::new(PARAM)).expect("not reserved");
    params.push("resource", "https://api.example").expect("not reserved");
    params
}

pub(crate) fn extension_grant() -> Grant {
    let mut params = Params::new();
    params.push_secret("assertion", SecretParam::new(PARAM)).expect("not reserved");
    Grant::extension("urn:ietf:params:oauth:grant-type:jwt-bearer", params).expect("a valid grant type")
}

/// Every grant, each holding its secret.
pub(crate) fn grants() -> Vec<(&'static str, Grant)> {
    vec![
        ("client_credentials", Grant::ClientCredentials),
        ("password", Grant::password("sheila.thomas", PASSWORD)),
        ("refresh_token", Grant::refresh_token(REFRESH)),
        ("jwt-bearer extension", extension_grant()),
    ]
}

pub(crate) fn request(grant: Grant) -> TokenRequest {
    TokenRequest::new(grant)
        .with_scope(Scope::parse("read write").expect("valid scope"))
        .with_params(secret_params())
        .expect("no reserved names")
}

pub(crate) fn endpoint() -> TokenEndpoint {
    TokenEndpoint::new("https://as.example/oauth/token").expect("a valid endpoint")
}

pub(crate) fn answer(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type)
        .body(body.into())
        .expect("a valid test response")
}

pub(crate) fn json(status: u16, body: &str) -> Response<Vec<u8>> {
    answer(status, "application/json", body)
}

/// Sends `request` as `auth` (on paper) and finishes the exchange with `response`.
pub(crate) fn exchange(
    auth: &ClientAuth,
    request: &TokenRequest,
    response: &Response<Vec<u8>>,
) -> Result<Token, TokenError> {
    exchange_at(&endpoint(), auth, request, response)
}

pub(crate) fn exchange_at(
    endpoint: &TokenEndpoint,
    auth: &ClientAuth,
    request: &TokenRequest,
    response: &Response<Vec<u8>>,
) -> Result<Token, TokenError> {
    let (_wire, pending) = endpoint.build_request(auth, request)?;
    pending.finish(response, Instant::now())
}

pub(crate) fn expect_err<T: Debug>(case: &str, result: Result<T, TokenError>) -> TokenError {
    match result {
        Err(error) => error,
        Ok(value) => panic!("{case}: expected an error, got {value:?}"),
    }
}
