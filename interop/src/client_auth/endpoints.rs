//! Revocation (RFC 7009) and introspection (RFC 7662) by the JWT clients themselves, against
//! oidc-provider's `/token/introspection` and `/token/revocation`: each client gets a
//! client_credentials token through a token source, introspects it (active, its own
//! `client_id`), revokes it and introspects it again (inactive). Every request carries a fresh
//! assertion (`IntrospectionRequest::build_request_at`, `RevocationRequest::build_request_at`),
//! signed as the token source's profile signs its own — the same `ClientAuth` — and addressed
//! to the URL of the endpoint it goes to (the default `aud`, which oidc-provider accepts). The
//! server's endpoint log shows each request's method, the assertion's `alg`, `kid` and `aud`, and
//! what authenticated the client.

use oauth_core::introspection::IntrospectionRequest;
use oauth_core::revocation::RevocationRequest;
use oauth_core::{AuthMethod, EndpointUrl, TokenConfig};
use oauth_providers::rfc6749::Builder;

use super::jwt::{KEY_CLIENT, Key, SECRET_CLIENT, expect_assertions, token_url};
use super::listed;
use crate::TRICKY_SECRET;
use crate::adapter::{self, Adapter, token_source};
use crate::admin::{Admin, AssertionSeen, EndpointSeen};
use crate::check::{self, Outcome, ensure};
use crate::steps::{CC, introspect, profile, revoke};

/// Where oidc-provider serves the two endpoints, and how its endpoint log names them.
pub(super) const INTROSPECTION: (&str, &str) = ("/token/introspection", "introspection");
pub(super) const REVOCATION: (&str, &str) = ("/token/revocation", "revocation");

/// `jwt-key-client` with its ES256 key (kid `es256-key`).
pub(super) async fn private_key_jwt(server: &Admin, adapter: Adapter) -> Outcome {
    let (key, alg) = Key::Es256.load()?;
    let kid = key.kid().map(str::to_owned);
    let builder = Builder::new(token_url(server)).private_key_jwt(KEY_CLIENT, key);
    own_token(server, adapter, builder, alg, kid.as_deref()).await
}

/// `jwt-secret-client`, HS256 with its secret.
pub(super) async fn client_secret_jwt(server: &Admin, adapter: Adapter) -> Outcome {
    let builder =
        Builder::new(token_url(server)).client(SECRET_CLIENT, TRICKY_SECRET).auth_method(AuthMethod::ClientSecretJwt);
    own_token(server, adapter, builder, "HS256", None).await
}

/// A token from `builder`'s profile through a token source, then introspected, revoked and
/// introspected again by the same client (the profile's `ClientAuth`) over the adapter's
/// transport; every request's assertion signed with `alg` (and `kid`).
async fn own_token(server: &Admin, adapter: Adapter, builder: Builder, alg: &str, kid: Option<&str>) -> Outcome {
    let profile = profile(builder)?;
    let auth = profile.token_config().map(TokenConfig::auth).cloned().ok_or("the profile exchanges no tokens")?;
    let method = auth.method().name();
    let id = auth.client_id().as_str().to_owned();
    let source = token_source(adapter, profile, |b| b)?;
    let mark = server.mark().await?;
    let token = check::token(source.token().await)?;
    let granted = server.seen_since(mark).await?;
    check::seen(&granted, &[(CC, method, 200)])?;
    expect_assertions(&granted, alg, kid)?;

    let transport = adapter::transport(adapter)?;
    let (introspection, introspection_url) = endpoint(server, INTROSPECTION.0)?;
    let (revocation, revocation_url) = endpoint(server, REVOCATION.0)?;
    let request = IntrospectionRequest::access_token(&token);
    let mark = server.endpoint_mark().await?;
    let answer = introspect(&transport, &introspection, &auth, &request).await?;
    let answer = answer.map_err(|e| format!("introspecting its own token: {e}"))?;
    let token_type = answer.token_type().map(|t| t.as_str().to_owned()).unwrap_or_default();
    ensure(answer.is_active() && answer.client_id() == Some(id.as_str()), || {
        format!("its own token: active {}, client_id {:?}", answer.is_active(), answer.client_id())
    })?;
    let revoked = revoke(&transport, &revocation, &auth, &RevocationRequest::access_token(&token)).await?;
    revoked.map_err(|e| format!("revoking its own token: {e}"))?;
    let after = introspect(&transport, &introspection, &auth, &request).await?;
    let after = after.map_err(|e| format!("introspecting the revoked token: {e}"))?;
    ensure(!after.is_active() && after.client_id().is_none(), || {
        format!("the revoked token: active {}, client_id {:?}", after.is_active(), after.client_id())
    })?;

    let seen = server.endpoint_seen_since(mark).await?;
    let expected =
        [(INTROSPECTION.1, &introspection_url), (REVOCATION.1, &revocation_url), (INTROSPECTION.1, &introspection_url)]
            .map(|(name, url)| accepted(name, method, alg, kid, url));
    let endpoints = check::endpoint_seen(&seen, &expected)?;
    Ok(format!(
        "token source: server saw {}; introspected by itself → active (client_id {id}, token_type {token_type}) → \
         revoked (200) → introspected → {{\"active\": false}}, each with a fresh assertion, aud the endpoint's URL \
         (the default); server saw {endpoints}",
        listed(&granted)
    ))
}

/// The endpoint at `path` on `server`, and its URL as text.
pub(super) fn endpoint(server: &Admin, path: &str) -> Result<(EndpointUrl, String), String> {
    let url = format!("{}{path}", server.base());
    Ok((EndpointUrl::new(&url).map_err(|e| format!("{url}: {e}"))?, url))
}

/// How the endpoint log writes a request to `endpoint` with an assertion (`alg`, `kid`, `aud`)
/// for `method` that authenticated the client (200).
pub(super) fn accepted(endpoint: &str, method: &str, alg: &str, kid: Option<&str>, aud: &str) -> String {
    EndpointSeen {
        endpoint: endpoint.to_owned(),
        method: method.to_owned(),
        assertion: Some(AssertionSeen { alg: alg.to_owned(), kid: kid.map(str::to_owned), aud: Some(aud.to_owned()) }),
        status: 200,
        error: None,
        authenticated_by: Some(method.to_owned()),
    }
    .to_string()
}
