//! The JWT client authentication methods (RFC 7523 §2.2, OpenID Connect Core §9) against
//! oidc-provider's plain listener: `client_secret_jwt` (HS256 with the client secret) as
//! `jwt-secret-client`, `private_key_jwt` (ES256, EdDSA) as `jwt-key-client`, whose registered
//! JWK Set holds the public halves of the test keys, and an assertion signed with a key the
//! server does not know.

use oauth_core::{AssertionKey, AuthMethod, ErrorCode};
use oauth_providers::rfc6749::Builder;

use super::{ensure_nothing_leaks, error_texts, listed, two_tokens};
use crate::TRICKY_SECRET;
use crate::adapter::{Adapter, token_source};
use crate::admin::{Admin, Seen};
use crate::check::{self, ChallengeRule, Outcome, Refusal, ensure};
use crate::steps::{CC, profile};

pub(super) const SECRET_CLIENT: &str = "jwt-secret-client";
pub(super) const KEY_CLIENT: &str = "jwt-key-client";

// Test-only keys, public in this repository (`interop/servers/oidc-provider/jwt/README.md`).
pub(super) const ES256_KEY: &str = include_str!("../../servers/oidc-provider/jwt/es256.key.pem");
const ED25519_KEY: &str = include_str!("../../servers/oidc-provider/jwt/ed25519.key.pem");
/// RSA, 2048 bits.
pub(super) const RS256_KEY: &str = include_str!("../../servers/oidc-provider/jwt/rs256.key.pem");
/// A P-256 key the server does not know.
const UNKNOWN_ES256_KEY: &str = include_str!("../../servers/oidc-provider/jwt/unknown-es256.key.pem");

/// The `kid`s the server registered the public keys under.
pub(super) const ES256_KID: &str = "es256-key";
const ED25519_KID: &str = "ed25519-key";
pub(super) const RS256_KID: &str = "rs256-key";

/// A `private_key_jwt` key of `jwt-key-client`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Key {
    Es256,
    Ed25519,
    Rs256,
}

impl Key {
    /// The key with its `kid`, and the JWS `alg` it signs with.
    pub(super) fn load(self) -> Result<(AssertionKey, &'static str), String> {
        let (key, kid, alg) = match self {
            Self::Es256 => (AssertionKey::es256_pkcs8_pem(ES256_KEY), ES256_KID, "ES256"),
            Self::Ed25519 => (AssertionKey::ed25519_pkcs8_pem(ED25519_KEY), ED25519_KID, "EdDSA"),
            Self::Rs256 => (AssertionKey::rs256_pkcs8_pem(RS256_KEY), RS256_KID, "RS256"),
        };
        let key = key.map_err(|e| format!("the test key: {e}"))?.with_kid(kid);
        ensure(key.alg() == alg, || format!("the key signs {}, expected {alg}", key.alg()))?;
        Ok((key, alg))
    }
}

/// `client_secret_jwt`: two tokens, each request with a fresh HS256 assertion. Every profile
/// here comes from the generic RFC 6749 builder, as a service would make it.
pub(super) async fn client_secret_jwt(server: &Admin, adapter: Adapter) -> Outcome {
    let builder =
        Builder::new(token_url(server)).client(SECRET_CLIENT, TRICKY_SECRET).auth_method(AuthMethod::ClientSecretJwt);
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let (.., seen) = two_tokens(server, &source, "client_secret_jwt").await?;
    expect_assertions(&seen, "HS256", None)?;
    Ok(format!("two tokens, a fresh assertion each (aud the token endpoint); server saw {}", listed(&seen)))
}

/// `private_key_jwt` with `key`: two tokens, each request with a fresh assertion. The EdDSA
/// assertions are addressed to the issuer (`assertion_audience`), the others to the token
/// endpoint (the default): oidc-provider accepts either.
pub(super) async fn private_key_jwt(server: &Admin, adapter: Adapter, key: Key) -> Outcome {
    let (assertion_key, alg) = key.load()?;
    let kid = assertion_key.kid().map(str::to_owned);
    let mut builder = Builder::new(token_url(server)).private_key_jwt(KEY_CLIENT, assertion_key);
    let audience = match key {
        Key::Es256 | Key::Rs256 => "the token endpoint",
        Key::Ed25519 => {
            builder = builder.assertion_audience(server.base());
            "the issuer"
        }
    };
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let (.., seen) = two_tokens(server, &source, "private_key_jwt").await?;
    expect_assertions(&seen, alg, kid.as_deref())?;
    Ok(format!("two tokens, a fresh assertion each (aud {audience}); server saw {}", listed(&seen)))
}

/// An ES256 assertion naming the registered key's `kid`, signed with another key: 401
/// `invalid_client`, not retryable, and no text of the error holds the assertion or any key.
pub(super) async fn unknown_key_refused(server: &Admin, adapter: Adapter) -> Outcome {
    let key = AssertionKey::es256_pkcs8_pem(UNKNOWN_ES256_KEY).map_err(|e| format!("the test key: {e}"))?;
    let builder = Builder::new(token_url(server)).private_key_jwt(KEY_CLIENT, key.with_kid(ES256_KID));
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    let result = source.token().await;
    let texts = result.as_ref().err().map(error_texts).unwrap_or_default();
    let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Absent, None, &[]);
    let detail = check::refusal(result, &expected)?;
    ensure_nothing_leaks(&texts, &[UNKNOWN_ES256_KEY, ES256_KEY, ED25519_KEY, RS256_KEY])?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CC, "private_key_jwt", 401)])?;
    expect_assertions(&seen, "ES256", Some(ES256_KID))?;
    Ok(format!(
        "{detail}; server saw {}; the error's {} texts (Display, Debug, sources) hold no JWT, assertion or key",
        listed(&seen),
        texts.len()
    ))
}

pub(super) fn token_url(server: &Admin) -> String {
    format!("{}/token", server.base())
}

/// Checks that every request the server saw carried an assertion with `alg` and `kid`.
pub(super) fn expect_assertions(seen: &[Seen], alg: &str, kid: Option<&str>) -> Result<(), String> {
    for entry in seen {
        let found = entry.detail.assertion.as_ref().map(|(alg, kid)| (alg.as_str(), kid.as_deref()));
        ensure(found == Some((alg, kid)), || {
            format!("the server saw an assertion {found:?}, expected alg {alg} and kid {kid:?}")
        })?;
    }
    Ok(())
}
