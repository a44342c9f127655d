//! JWT client authentication (RFC 7523 §2.2) at Authlib's token endpoint: `client_secret_jwt`
//! and `private_key_jwt` through a token source, then what Authlib refuses — an algorithm it
//! does not verify by default, an audience it does not accept, a key it does not know, an
//! assertion sent twice — each a typed `invalid_client` whose text holds no assertion.
//!
//! Authlib's `JWTBearerClientAssertion` verifies with joserfc's recommended algorithms only
//! (HS256, RS256, ES256), finds the key by the header's `kid` in the client's JWKS, accepts as
//! `aud` what the server's `get_audiences` lists (here the token endpoint's URL and the issuer),
//! and refuses a `jti` it has seen (the server keeps them until the assertion expires).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use oauth_core::{
    AssertionKey, ClientAuth, ClientSecret, ErrorCode, Grant, TokenConfig, TokenEndpoint, TokenError, TokenRequest,
};
use oauth_token_source::Transport;

use super::{assertions_since, client_id, endpoint, entropy, send, source};
use crate::TRICKY_SECRET;
use crate::adapter::{Adapter, Api};
use crate::admin::{Admin, describe};
use crate::check::{self, ChallengeRule, Outcome, Refusal, ensure};
use crate::steps::{self, CC};

// Test-only keys (interop/servers/authlib/keys/README.md); the server holds the public halves
// of the first three, not of the stranger's.
const RS256_KEY: &str = include_str!("../../servers/authlib/keys/rs256.key.pem");
pub(super) const ES256_KEY: &str = include_str!("../../servers/authlib/keys/es256.key.pem");
const ED25519_KEY: &str = include_str!("../../servers/authlib/keys/ed25519.key.pem");
const STRANGER_KEY: &str = include_str!("../../servers/authlib/keys/stranger-es256.key.pem");

const SECRET_JWT_CLIENT: &str = "secret-jwt-client";
pub(super) const KEY_JWT_CLIENT: &str = "key-jwt-client";
/// How the token log names the methods.
const CLIENT_SECRET_JWT: &str = "client_secret_jwt";
pub(super) const PRIVATE_KEY_JWT: &str = "private_key_jwt";

/// What every JWT in compact form starts with (the base64url of `{"`): an error text holding
/// it would hold an assertion.
pub(super) const JWT_START: &str = "eyJ";

fn key(pem: &str, kid: &str) -> Result<AssertionKey, String> {
    Ok(AssertionKey::from_pem(pem).map_err(|e| format!("the test key {kid}: {e}"))?.with_kid(kid))
}

pub(super) fn key_client(pem: &str, kid: &str) -> Result<ClientAuth, String> {
    Ok(ClientAuth::private_key_jwt(client_id(KEY_JWT_CLIENT)?, key(pem, kid)?))
}

/// client_credentials at the server's token endpoint, authenticated as `auth`.
pub(super) fn config(server: &Admin, auth: ClientAuth) -> Result<TokenConfig, String> {
    let token_endpoint = TokenEndpoint::at(endpoint(server, "/token")?);
    Ok(TokenConfig::new(token_endpoint, auth, TokenRequest::new(Grant::ClientCredentials)))
}

/// Two fetches through a token source authenticated as `auth` (the second after `invalidate`,
/// so with a fresh assertion: a new `jti`), both accepted with `method`, the assertions' headers
/// `header`; then `/api/me` through the adapter's middleware answers the client.
async fn accepted(
    server: &Admin,
    adapter: Adapter,
    transport: &Arc<dyn Transport>,
    auth: ClientAuth,
    method: &'static str,
    header: &str,
) -> Outcome {
    let id = auth.client_id().as_str().to_owned();
    let source = source(transport, config(server, auth)?)?;
    let mark = server.mark().await?;
    let first = check::token(source.token().await)?;
    source.invalidate();
    let second = check::token(source.token().await)?;
    ensure(!second.same_as(&first), || "the token after invalidate is the old one".to_owned())?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, method, 200), (CC, method, 200)])?;
    let headers = assertions_since(server, mark).await?;
    ensure(headers.iter().all(|h| h == header) && headers.len() == 2, || {
        format!("assertion headers {headers:?}, expected {header} twice")
    })?;
    let api = Api::new(adapter, source);
    steps::expect_me(&api, &format!("{}/api/me", server.base()), &format!("\"{id}\"")).await?;
    Ok(format!(
        "token source: server saw {} (assertions {header}; the second a fresh jti after invalidate); /api/me 200 \
         through the middleware",
        describe(&seen)
    ))
}

pub(super) async fn client_secret_jwt(server: &Admin, adapter: Adapter, transport: &Arc<dyn Transport>) -> Outcome {
    let auth = ClientAuth::client_secret_jwt(client_id(SECRET_JWT_CLIENT)?, ClientSecret::new(TRICKY_SECRET));
    accepted(server, adapter, transport, auth, CLIENT_SECRET_JWT, "HS256 kid none").await
}

/// `alg` is RS256 or ES256: the key of that kind, its `kid` in the server's JWKS.
pub(super) async fn private_key_jwt(
    server: &Admin,
    adapter: Adapter,
    transport: &Arc<dyn Transport>,
    alg: &str,
) -> Outcome {
    let (pem, kid) = if alg == "RS256" { (RS256_KEY, "rs256-1") } else { (ES256_KEY, "es256-1") };
    let auth = key_client(pem, kid)?;
    let signs = auth.assertion_key().map(AssertionKey::alg);
    ensure(signs == Some(alg), || format!("AssertionKey::from_pem read the {kid} key as {signs:?}"))?;
    accepted(server, adapter, transport, auth, PRIVATE_KEY_JWT, &format!("{alg} kid {kid}")).await
}

/// One fetch through a token source authenticated as `auth`, refused with 400 `invalid_client`
/// (no challenge: the request used no Basic) whose description holds `description`; the error
/// is not retryable, names no assertion, and the server saw one `private_key_jwt` request.
async fn refused(
    server: &Admin,
    transport: &Arc<dyn Transport>,
    auth: ClientAuth,
    description: Option<&'static str>,
) -> Result<String, String> {
    let source = source(transport, config(server, auth)?)?;
    let mark = server.mark().await?;
    let result = source.token().await;
    let text = match &result {
        Err(error) => format!("{error} {error:?}"),
        Ok(_) => String::new(),
    };
    let expected = Refusal::new(400, ErrorCode::InvalidClient, ChallengeRule::Absent, description, &[]);
    let detail = check::refusal(result, &expected)?;
    ensure(!text.contains(JWT_START), || "the error's text holds an assertion".to_owned())?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, PRIVATE_KEY_JWT, 400)])?;
    let headers = assertions_since(server, mark).await?;
    Ok(format!("{detail} (assertion {})", headers.join(", ")))
}

/// The library signs Ed25519 keys as `EdDSA` (RFC 8037); Authlib verifies only joserfc's
/// recommended algorithms unless told otherwise, and EdDSA is not one of them.
pub(super) async fn eddsa_refused(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let auth = key_client(ED25519_KEY, "ed25519-1")?;
    let refused = refused(server, transport, auth, Some("Algorithm of 'EdDSA' is not recommended")).await?;
    Ok(format!("EdDSA (the key's kid in the server's JWKS) → {refused}; no assertion in the error"))
}

/// `with_assertion_audience`: the issuer (the base URL) is accepted as well as the token
/// endpoint's URL (the library's default, shown by the other scenarios); another audience is
/// refused.
pub(super) async fn assertion_audience(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let issuer = key_client(ES256_KEY, "es256-1")?.with_assertion_audience(server.base());
    let source = source(transport, config(server, issuer)?)?;
    let mark = server.mark().await?;
    check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, PRIVATE_KEY_JWT, 200)])?;

    let elsewhere = key_client(ES256_KEY, "es256-1")?.with_assertion_audience("https://elsewhere.example");
    let refused = refused(server, transport, elsewhere, Some("Invalid claim: 'aud'")).await?;
    Ok(format!(
        "aud {} (the issuer) → {}; aud https://elsewhere.example → {refused}; no assertion in the error",
        server.base(),
        describe(&seen)
    ))
}

/// A key the server does not know: under a `kid` it has not registered (joserfc finds no key),
/// and under the `kid` of a registered key (the signature does not verify: Authlib sends no
/// description).
pub(super) async fn unknown_key(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let unknown_kid = key_client(STRANGER_KEY, "stranger-1")?;
    let first = refused(server, transport, unknown_kid, Some("No key for kid: 'stranger-1'")).await?;
    let borrowed_kid = key_client(STRANGER_KEY, "es256-1")?;
    let second = refused(server, transport, borrowed_kid, None).await?;
    Ok(format!(
        "a stranger's ES256 key as kid stranger-1 → {first}; as kid es256-1 (a registered key's) → {second}; no \
         assertion in either error"
    ))
}

/// The same assertion twice: `build_request_at` with the same time and `jti` entropy makes the
/// same request (the library itself never does: each attempt takes new entropy). The first is
/// answered with a token, the second refused — Authlib remembers the `jti` — with an error that
/// holds no assertion; a request with a fresh `jti` is accepted again.
pub(super) async fn replayed_assertion(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let auth = key_client(ES256_KEY, "es256-1")?;
    let token_endpoint = TokenEndpoint::at(endpoint(server, "/token")?);
    let request = TokenRequest::new(Grant::ClientCredentials);
    let (now, jti) = (SystemTime::now(), entropy::<16>()?);
    let (first, first_pending) = token_endpoint.build_request_at(&auth, &request, now, jti);
    let (again, again_pending) = token_endpoint.build_request_at(&auth, &request, now, jti);
    ensure(first.body() == again.body(), || "the same time and entropy made two different requests".to_owned())?;
    let body = String::from_utf8_lossy(first.body()).into_owned();
    let assertion = body.split('&').find_map(|pair| pair.strip_prefix("client_assertion=")).unwrap_or_default();
    ensure(assertion.starts_with(JWT_START), || "the request carries no client_assertion".to_owned())?;

    let mark = server.mark().await?;
    let sent_at = Instant::now();
    first_pending.finish(&send(transport, first).await?, sent_at).map_err(|e| format!("the first use: {e}"))?;
    let error = match again_pending.finish(&send(transport, again).await?, Instant::now()) {
        Err(error) => error,
        Ok(_) => return Err("the replayed assertion got a token".to_owned()),
    };
    let text = format!("{error} {error:?}");
    ensure(!text.contains(assertion) && !text.contains(JWT_START), || {
        "the error's text holds the assertion".to_owned()
    })?;
    let TokenError::Server(refusal) = &error else { return Err(format!("expected the server's error, got {error}")) };
    let description = refusal.description.as_deref().unwrap_or_default();
    ensure(
        refusal.status.as_u16() == 400
            && refusal.code.as_ref() == Some(&ErrorCode::InvalidClient)
            && description.contains("JWT ID is used before"),
        || format!("the replay was answered {} {:?} `{description}`", refusal.status, refusal.code),
    )?;

    let (fresh, fresh_pending) = token_endpoint.build_request_at(&auth, &request, SystemTime::now(), entropy()?);
    fresh_pending.finish(&send(transport, fresh).await?, Instant::now()).map_err(|e| format!("a fresh jti: {e}"))?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, PRIVATE_KEY_JWT, 200), (CC, PRIVATE_KEY_JWT, 400), (CC, PRIVATE_KEY_JWT, 200)])?;
    Ok(format!(
        "one assertion sent twice, then a fresh one: server saw {}; the replay → 400 invalid_client \"{description}\", \
         no assertion in the error",
        describe(&seen)
    ))
}
