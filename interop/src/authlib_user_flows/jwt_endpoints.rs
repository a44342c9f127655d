//! Revocation and introspection by a `private_key_jwt` client at Authlib's `/introspect` and
//! `/revoke`, which accept the JWT methods: the client's own token introspected, revoked and
//! introspected again, each request with a fresh assertion (`build_request_at`).
//!
//! Authlib accepts as `aud` only what the server's `get_audiences` lists — the token endpoint's
//! URL and the issuer — so the client is set up as a service talking to Authlib would be, with
//! `with_assertion_audience(<issuer>)` for every endpoint. The library's default `aud`, the URL
//! of the endpoint the request goes to, is refused at both.

use std::sync::Arc;

use http::StatusCode;
use oauth_core::introspection::{IntrospectionError, IntrospectionRequest};
use oauth_core::revocation::{RevocationError, RevocationRequest};
use oauth_core::{ErrorCode, ServerError};
use oauth_token_source::Transport;

use super::client_auth::{ES256_KEY, JWT_START, KEY_JWT_CLIENT, PRIVATE_KEY_JWT, config, key_client};
use super::{endpoint, source};
use crate::admin::{Admin, AssertionSeen, EndpointSeen, describe};
use crate::check::{self, Outcome, ensure};
use crate::steps::{CC, introspect, revoke};

const KID: &str = "es256-1";
/// What Authlib says of an assertion whose `aud` it does not list.
const BAD_AUDIENCE: &str = "Invalid claim: 'aud'";

/// `key-jwt-client` (ES256), its assertions addressed to the issuer: a token through a token
/// source; the same client with the default `aud` (each endpoint's URL) is refused at
/// `/introspect` and `/revoke` with 400 `invalid_client`, the token still active; with the
/// issuer it introspects its token (active), revokes it (200) and introspects it again
/// (inactive). The endpoint log shows each request's assertion and what authenticated it.
pub(super) async fn private_key_jwt(server: &Admin, transport: &Arc<dyn Transport>) -> Outcome {
    let default_audience = key_client(ES256_KEY, KID)?;
    let issuer = server.base().to_owned();
    let auth = default_audience.clone().with_assertion_audience(issuer.as_str());
    let source = source(transport, config(server, auth.clone())?)?;
    let mark = server.mark().await?;
    let token = check::token(source.token().await)?;
    let granted = server.seen_since(mark).await?;
    check::seen(&granted, &[(CC, PRIVATE_KEY_JWT, 200)])?;

    let (introspection, revocation) = (endpoint(server, "/introspect")?, endpoint(server, "/revoke")?);
    let (introspection_url, revocation_url) = (format!("{issuer}/introspect"), format!("{issuer}/revoke"));
    let request = IntrospectionRequest::access_token(&token);
    let revocation_request = RevocationRequest::access_token(&token);
    let mark = server.endpoint_mark().await?;

    let refused_introspection = match introspect(transport, &introspection, &default_audience, &request).await? {
        Err(IntrospectionError::Server(error)) => refusal(&error, "introspection")?,
        other => {
            return Err(format!(
                "introspection with aud {introspection_url}: expected 400 invalid_client, got {other:?}"
            ));
        }
    };
    let refused_revocation = match revoke(transport, &revocation, &default_audience, &revocation_request).await? {
        Err(RevocationError::Server(error)) => refusal(&error, "revocation")?,
        other => {
            return Err(format!("revocation with aud {revocation_url}: expected 400 invalid_client, got {other:?}"));
        }
    };

    let answer = introspect(transport, &introspection, &auth, &request).await?;
    let answer = answer.map_err(|e| format!("introspecting its own token: {e}"))?;
    ensure(answer.is_active() && answer.client_id() == Some(KEY_JWT_CLIENT), || {
        format!("its own token: active {}, client_id {:?}", answer.is_active(), answer.client_id())
    })?;
    revoke(transport, &revocation, &auth, &revocation_request)
        .await?
        .map_err(|e| format!("revoking its own token: {e}"))?;
    let after = introspect(transport, &introspection, &auth, &request).await?;
    let after = after.map_err(|e| format!("introspecting the revoked token: {e}"))?;
    ensure(!after.is_active() && after.client_id().is_none(), || {
        format!("the revoked token: active {}, client_id {:?}", after.is_active(), after.client_id())
    })?;

    let seen = server.endpoint_seen_since(mark).await?;
    let expected = [
        entry("introspection", &introspection_url, 400),
        entry("revocation", &revocation_url, 400),
        entry("introspection", &issuer, 200),
        entry("revocation", &issuer, 200),
        entry("introspection", &issuer, 200),
    ];
    let endpoints = check::endpoint_seen(&seen, &expected)?;
    Ok(format!(
        "token source (aud the issuer): server saw {}; aud the endpoint's URL (the default) → introspection \
         {refused_introspection}, revocation {refused_revocation}; aud the issuer → active (client_id \
         {KEY_JWT_CLIENT}) → revoked (200) → {{\"active\": false}}; no assertion in the errors; server saw \
         {endpoints}",
        describe(&granted)
    ))
}

/// The refusal of an assertion whose `aud` Authlib does not list: 400 `invalid_client` with
/// [`BAD_AUDIENCE`], no challenge, and no text of it holding an assertion.
fn refusal(error: &ServerError, what: &str) -> Result<String, String> {
    let text = format!("{error} {error:?}");
    ensure(!text.contains(JWT_START), || format!("the {what} error's text holds an assertion"))?;
    let description = error.description.as_deref().unwrap_or_default();
    ensure(
        error.status == StatusCode::BAD_REQUEST
            && error.code.as_ref() == Some(&ErrorCode::InvalidClient)
            && description.contains(BAD_AUDIENCE)
            && error.challenges.is_empty(),
        || format!("{what}: {} {:?} `{description}`, {} challenges", error.status, error.code, error.challenges.len()),
    )?;
    Ok(format!("{} invalid_client \"{description}\"", error.status.as_u16()))
}

/// How the endpoint log writes a `private_key_jwt` request to `endpoint` whose ES256 assertion
/// had `aud`: authenticated (200), or refused with 400 `invalid_client`.
fn entry(endpoint: &str, aud: &str, status: u16) -> String {
    let accepted = status == 200;
    EndpointSeen {
        endpoint: endpoint.to_owned(),
        method: PRIVATE_KEY_JWT.to_owned(),
        assertion: Some(AssertionSeen {
            alg: "ES256".to_owned(),
            kid: Some(KID.to_owned()),
            aud: Some(aud.to_owned()),
        }),
        status,
        error: (!accepted).then(|| "invalid_client".to_owned()),
        authenticated_by: accepted.then(|| PRIVATE_KEY_JWT.to_owned()),
    }
    .to_string()
}
