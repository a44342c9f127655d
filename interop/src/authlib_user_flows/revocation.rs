//! Revocation (RFC 7009) and introspection (RFC 7662) against Authlib's `RevocationEndpoint`
//! and `IntrospectionEndpoint` at `/revoke` and `/introspect`, with tokens a token source got.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::StatusCode;
use oauth_core::introspection::{IntrospectionError, IntrospectionRequest};
use oauth_core::revocation::{RevocationError, RevocationRequest};
use oauth_core::{AccessToken, AuthMethod, BasicEncoding, ClientAuth, ClientSecret, ErrorCode, Grant, Scope};
use oauth_providers::rfc6749::Builder;
use oauth_token_source::{TokenSource, Transport};

use super::{LONG_LIVED, PASSWORD, USER, client_id, endpoint};
use crate::TRICKY_SECRET;
use crate::adapter::{Adapter, Api, token_source};
use crate::admin::{Admin, describe};
use crate::check::{self, Outcome, authorization_required, ensure};
use crate::steps::{self, BASIC, CC, POST, REFRESH, introspect, introspected, revoke, revoked};

fn basic(id: &str, secret: &str) -> Result<ClientAuth, String> {
    Ok(ClientAuth::basic(client_id(id)?, ClientSecret::new(secret)))
}

/// A token source for `id`, fixed to percent-encoded Basic (or the body for `post-client`),
/// with `grant`; `configure` changes the source's builder.
fn client_source(
    server: &Admin,
    adapter: Adapter,
    id: &str,
    grant: Grant,
    configure: impl FnOnce(oauth_token_source::Builder) -> oauth_token_source::Builder,
) -> Result<TokenSource, String> {
    let method = if id == "post-client" { AuthMethod::Post } else { AuthMethod::Basic(BasicEncoding::Percent) };
    let scope = Scope::parse("read write").map_err(|e| e.to_string())?;
    let builder = Builder::new(format!("{}/token", server.base()))
        .client(id, TRICKY_SECRET)
        .auth_method(method)
        .grant(grant)
        .scope(scope);
    token_source(adapter, steps::profile(builder)?, configure)
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The password grant through a token source gives an access token and a refresh token, both
/// introspected active; the refresh token revoked (200), both are then inactive (Authlib
/// revokes the access token with it here); a refresh-only source seeded with the token refuses
/// to go on: `AuthorizationRequired` carrying the refresh's 400 `invalid_grant`. Revoking the
/// revoked token again is answered 200 (RFC 7009 §2.2).
pub(super) async fn revoke_refresh_token(server: &Admin, adapter: Adapter, transport: &Arc<dyn Transport>) -> Outcome {
    let (revocation, introspection) = (endpoint(server, "/revoke")?, endpoint(server, "/introspect")?);
    let auth = basic(LONG_LIVED, TRICKY_SECRET)?;
    let source = client_source(server, adapter, LONG_LIVED, Grant::password(USER, PASSWORD), |b| b)?;
    let mark = server.mark().await?;
    check::token(source.token().await)?;
    let token = source.current_token().ok_or("the source holds no token after a fetch")?;
    let granted = server.seen_since(mark).await?;
    check::seen(&granted, &[(steps::PASSWORD, BASIC, 200)])?;
    let refresh_token = token.refresh_token().ok_or("the password grant answered no refresh token")?;
    let access = IntrospectionRequest::access_token(token.access_token());
    let refresh = IntrospectionRequest::refresh_token(refresh_token);

    let answer = introspected(transport, &introspection, &auth, &refresh).await?;
    ensure(answer.is_active() && answer.client_id() == Some(LONG_LIVED) && answer.username() == Some(USER), || {
        format!("the refresh token: active {}, client_id {:?}", answer.is_active(), answer.client_id())
    })?;
    ensure(introspected(transport, &introspection, &auth, &access).await?.is_active(), || {
        "the fresh access token is introspected inactive".to_owned()
    })?;

    revoked(transport, &revocation, &auth, &RevocationRequest::refresh_token(refresh_token)).await?;
    for (what, request) in [("refresh", &refresh), ("access", &access)] {
        let answer = introspected(transport, &introspection, &auth, request).await?;
        ensure(!answer.is_active(), || format!("the {what} token is active after the refresh token was revoked"))?;
    }

    let seeded = source_seeded(server, adapter, token.clone())?;
    seeded.invalidate();
    let mark = server.mark().await?;
    let refused = authorization_required(seeded.token().await, "the revoked refresh token")?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(REFRESH, BASIC, 400)])?;
    ensure(seen.first().and_then(|s| s.error.as_deref()) == Some("invalid_grant"), || {
        format!("the refresh was refused with {}", describe(&seen))
    })?;
    revoked(transport, &revocation, &auth, &RevocationRequest::refresh_token(refresh_token)).await?;
    Ok(format!(
        "password grant {} → refresh and access tokens introspected active (client_id {LONG_LIVED}, username {USER}) \
         → refresh token revoked → both inactive → refresh-only source: {refused}, server saw {} → revoked again → 200",
        describe(&granted),
        describe(&seen)
    ))
}

/// A refresh-only source of `long-lived-client` seeded with `token`.
fn source_seeded(server: &Admin, adapter: Adapter, token: oauth_core::Token) -> Result<TokenSource, String> {
    client_source(server, adapter, LONG_LIVED, Grant::password(USER, PASSWORD), |b| b.seed(token).refresh_only())
}

/// GETs `/api/me` with `token` outside the middleware: whether the answer says the token is no
/// good (401 with a Bearer `invalid_token` challenge), and the status.
async fn api_refuses(server: &Admin, token: &AccessToken) -> Result<(bool, StatusCode), String> {
    let url = format!("{}/api/me", server.base());
    let response = reqwest::Client::new().get(&url).bearer_auth(token.secret()).send().await;
    let response = response.map_err(|e| format!("GET {url}: {e}"))?;
    Ok((oauth_core::is_invalid_token(response.status(), response.headers()), response.status()))
}

/// A client_credentials token behind the bearer middleware: `/api/me` answers 200; the access
/// token revoked (200), the API answers it 401 `invalid_token` and introspection says inactive;
/// the middleware's next call gets one new token and 200. Another client may not revoke this
/// client's token: Authlib answers 400 `invalid_grant`, and the token stays active.
pub(super) async fn revoke_access_token(server: &Admin, adapter: Adapter, transport: &Arc<dyn Transport>) -> Outcome {
    let (revocation, introspection) = (endpoint(server, "/revoke")?, endpoint(server, "/introspect")?);
    let auth = basic(LONG_LIVED, TRICKY_SECRET)?;
    let source = client_source(server, adapter, LONG_LIVED, Grant::ClientCredentials, |b| b)?;
    let api = Api::new(adapter, source.clone());
    let me = format!("{}/api/me", server.base());
    let who = format!("\"{LONG_LIVED}\"");
    steps::expect_me(&api, &me, &who).await?;
    let first = check::token(source.token().await)?;

    revoked(transport, &revocation, &auth, &RevocationRequest::access_token(&first)).await?;
    let (refused, status) = api_refuses(server, &first).await?;
    ensure(refused, || format!("the revoked token got {status} from /api/me, expected 401 invalid_token"))?;
    let answer = introspected(transport, &introspection, &auth, &IntrospectionRequest::access_token(&first)).await?;
    ensure(!answer.is_active(), || "the revoked access token is introspected active".to_owned())?;

    let mark = server.mark().await?;
    steps::expect_me(&api, &me, &who).await?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, BASIC, 200)])?;
    let second = check::token(source.token().await)?;
    ensure(!second.same_as(&first), || "the revoked token is still cached".to_owned())?;

    let other = basic("basic-client", TRICKY_SECRET)?;
    let foreign = match revoke(transport, &revocation, &other, &RevocationRequest::access_token(&second)).await? {
        Err(RevocationError::Server(error))
            if error.status == StatusCode::BAD_REQUEST && error.code.as_ref() == Some(&ErrorCode::InvalidGrant) =>
        {
            "400 invalid_grant"
        }
        other => {
            return Err(format!("basic-client revoking another's token: expected 400 invalid_grant, got {other:?}"));
        }
    };
    let answer = introspected(transport, &introspection, &auth, &IntrospectionRequest::access_token(&second)).await?;
    ensure(answer.is_active(), || "the token another client tried to revoke is inactive".to_owned())?;
    Ok(format!(
        "/api/me 200 → access token revoked → the API answers it {status} invalid_token, introspection inactive → \
         the middleware refetched once {} → 200; basic-client revoking the new token → {foreign}, still active",
        describe(&seen)
    ))
}

/// Introspection answers: a client_credentials token with a scope is active with `client_id`,
/// `scope`, `token_type`, `exp` about an hour ahead, `iat` and `iss`; the same token asked by
/// another client, and a token the server never issued, are answered `{"active": false}` — an
/// answer, not an error; `post-client` introspects its own token with `client_secret_post`; a
/// wrong secret is refused with 401 `invalid_client` and a Basic challenge.
pub(super) async fn introspection(server: &Admin, adapter: Adapter, transport: &Arc<dyn Transport>) -> Outcome {
    let introspection = endpoint(server, "/introspect")?;
    let auth = basic(LONG_LIVED, TRICKY_SECRET)?;
    let source = client_source(server, adapter, LONG_LIVED, Grant::ClientCredentials, |b| b)?;
    let mark = server.mark().await?;
    let token = check::token(source.token().await)?;
    check::seen(&server.seen_since(mark).await?, &[(CC, BASIC, 200)])?;
    let access = IntrospectionRequest::access_token(&token);

    let answer = introspected(transport, &introspection, &auth, &access).await?;
    let scope = answer.scope().map(Scope::as_str).unwrap_or_default().to_owned();
    let token_type = answer.token_type().map(|t| t.as_str().to_owned()).unwrap_or_default();
    let exp = answer.exp().unwrap_or_default();
    ensure(answer.is_active() && answer.client_id() == Some(LONG_LIVED) && scope == "read write", || {
        format!("active {}, client_id {:?}, scope `{scope}`", answer.is_active(), answer.client_id())
    })?;
    let now = now();
    ensure((now + 3500..=now + 3601).contains(&exp) && answer.iat().is_some_and(|iat| iat <= now + 1), || {
        format!("exp {exp}, iat {:?}, now {now}", answer.iat())
    })?;
    ensure(token_type == "Bearer" && answer.iss() == Some(server.base()) && answer.sub().is_none(), || {
        format!("token_type {token_type}, iss {:?}, sub {:?}", answer.iss(), answer.sub())
    })?;

    let other = basic("basic-client", TRICKY_SECRET)?;
    let foreign = introspected(transport, &introspection, &other, &access).await?;
    let unknown = IntrospectionRequest::new("a-token-this-server-never-issued");
    let never = introspected(transport, &introspection, &auth, &unknown).await?;
    for (what, answer) in [("another client's token", &foreign), ("an unknown token", &never)] {
        ensure(!answer.is_active() && answer.client_id().is_none() && answer.exp().is_none(), || {
            format!("{what}: active {}, client_id {:?}", answer.is_active(), answer.client_id())
        })?;
    }

    let post = client_source(server, adapter, "post-client", Grant::ClientCredentials, |b| b)?;
    let mark = server.mark().await?;
    let own = check::token(post.token().await)?;
    check::seen(&server.seen_since(mark).await?, &[(CC, POST, 200)])?;
    let post_auth = ClientAuth::post(client_id("post-client")?, ClientSecret::new(TRICKY_SECRET));
    let post_answer =
        introspected(transport, &introspection, &post_auth, &IntrospectionRequest::access_token(&own)).await?;
    ensure(post_answer.is_active() && post_answer.client_id() == Some("post-client"), || {
        "post-client's own token is not introspected active".to_owned()
    })?;

    let wrong = basic(LONG_LIVED, "not-the-secret")?;
    let refused = match introspect(transport, &introspection, &wrong, &access).await? {
        Err(IntrospectionError::Server(error))
            if error.status == StatusCode::UNAUTHORIZED
                && error.code.as_ref() == Some(&ErrorCode::InvalidClient)
                && error.challenges.iter().any(|c| c.is_scheme("basic")) =>
        {
            "401 invalid_client with a Basic challenge"
        }
        other => return Err(format!("a wrong secret: expected 401 invalid_client, got {other:?}")),
    };
    Ok(format!(
        "active (client_id {LONG_LIVED}, scope `{scope}`, token_type {token_type}, exp now+{} s, iat, iss); asked by \
         basic-client → {{\"active\": false}}; a token never issued → {{\"active\": false}}; post-client's own token \
         by client_secret_post → active; a wrong secret → {refused}",
        exp.saturating_sub(now)
    ))
}
