//! Test support: run a token exchange or an API call against an emulator with oauth-core and
//! `oauth_testkit::send` only, and read what came back.

#![allow(dead_code, reason = "each test file uses part of the support")]

use std::time::Instant;

use http::{Request, Response};
use oauth_core::{AccessToken, ClientAuth, Grant, ServerError, Token, TokenConfig, TokenError, TokenRequest};

/// Sends the config's primary request and reads the answer as the profile would.
pub(crate) async fn exchange(config: &TokenConfig) -> Result<Token, TokenError> {
    exchange_request(config, config.auth(), config.request()).await
}

/// Sends `request` as `auth` to the config's endpoint, read with its quirks.
pub(crate) async fn exchange_request(
    config: &TokenConfig,
    auth: &ClientAuth,
    request: &TokenRequest,
) -> Result<Token, TokenError> {
    let (http_request, pending) = config.endpoint().build_request(auth, request)?;
    let sent_at = Instant::now();
    let answer = oauth_testkit::send(http_request).await.expect("the emulator answers");
    pending.finish(&answer, sent_at)
}

/// Uses `refresh_token` with the config's client and endpoint.
pub(crate) async fn refresh(config: &TokenConfig, refresh_token: &str) -> Result<Token, TokenError> {
    let request = config.request().with_grant(Grant::refresh_token(refresh_token));
    exchange_request(config, config.auth(), &request).await
}

/// The raw answer to the config's primary request.
pub(crate) async fn raw_answer(config: &TokenConfig) -> Response<Vec<u8>> {
    let (request, _pending) = config.build_request().expect("no client assertion to sign");
    oauth_testkit::send(request).await.expect("the emulator answers")
}

/// The answer's body as JSON.
pub(crate) fn json(answer: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(answer.body()).expect("a JSON body")
}

/// The server error inside `error`, or a panic naming what it was.
pub(crate) fn server_error(error: &TokenError) -> &ServerError {
    match error {
        TokenError::Server(server) => server,
        other => panic!("expected a server error, got {other:?}"),
    }
}

/// `method url` with `Authorization: Bearer {bearer}` when given, and `body`.
pub(crate) async fn call(method: &str, url: &str, bearer: Option<&str>, body: &[u8]) -> Response<Vec<u8>> {
    let mut request = Request::builder().method(method).uri(url);
    if let Some(bearer) = bearer {
        request = request.header("authorization", oauth_core::bearer_header(&AccessToken::new(bearer)).unwrap());
    }
    let request = request.body(body.to_vec()).expect("a valid request");
    oauth_testkit::send(request).await.expect("the emulator answers")
}

/// The `WWW-Authenticate` header as text, when there is one.
pub(crate) fn challenge(answer: &Response<Vec<u8>>) -> Option<&str> {
    answer.headers().get("www-authenticate").map(|v| v.to_str().expect("visible ASCII"))
}
