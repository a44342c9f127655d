//! The assertions scenarios make: which token requests a server saw, and what a refusal carries.

use oauth_core::{AccessToken, AuthMethod, ErrorCode, TokenError};
use oauth_token_source::ClientError;

use crate::admin::{EndpointSeen, Seen, describe};

/// What a scenario found: a one-line detail, or what went wrong.
pub(crate) type Outcome = Result<String, String>;

/// Fails with `what()` unless `condition` holds.
pub(crate) fn ensure(condition: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(what()) }
}

/// Checks the token requests a server saw, each as `(grant_type, method, status)`.
pub(crate) fn seen(seen: &[Seen], expected: &[(&str, &str, u16)]) -> Result<(), String> {
    let matches = seen.len() == expected.len()
        && seen
            .iter()
            .zip(expected)
            .all(|(s, (grant, method, status))| s.grant_type == *grant && s.method == *method && s.status == *status);
    let wanted: Vec<String> = expected.iter().map(|(g, m, s)| format!("{g} {m} → {s}")).collect();
    ensure(matches, || format!("the server saw {}, expected [{}]", describe(seen), wanted.join(", ")))
}

/// Checks the revocation and introspection requests a server saw, each written as its
/// `Display` writes it (`introspection private_key_jwt (ES256, kid k, aud …) → 200,
/// authenticated by private_key_jwt`). Returns them so listed, for a report.
pub(crate) fn endpoint_seen(seen: &[EndpointSeen], expected: &[String]) -> Result<String, String> {
    let seen: Vec<String> = seen.iter().map(ToString::to_string).collect();
    let listed = format!("[{}]", seen.join("; "));
    ensure(seen == expected, || format!("the server saw {listed}, expected [{}]", expected.join("; ")))?;
    Ok(listed)
}

/// A token, or the error as text.
pub(crate) fn token(result: Result<AccessToken, ClientError>) -> Result<AccessToken, String> {
    result.map_err(|e| format!("no token: {e}"))
}

/// What the `WWW-Authenticate` of a refusal must hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ChallengeRule {
    /// No challenge at all.
    Absent,
    /// A `Basic` challenge whose `error` is the refusal's code.
    Basic,
    /// A `Basic` challenge with no `error` parameter (a realm only).
    BasicWithoutError,
}

/// What a refused token request must look like.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) code: ErrorCode,
    pub(crate) challenge: ChallengeRule,
    /// Text the `error_description` must contain.
    pub(crate) description: Option<&'static str>,
    /// The client-authentication methods the token source reports having tried (empty: one).
    pub(crate) tried: &'static [AuthMethod],
}

impl Refusal {
    pub(crate) fn new(
        status: u16,
        code: ErrorCode,
        challenge: ChallengeRule,
        description: Option<&'static str>,
        tried: &'static [AuthMethod],
    ) -> Self {
        Self { status, code, challenge, description, tried }
    }
}

/// Checks that `result` is the server's OAuth error described by `expected`, not retryable.
pub(crate) fn refusal(result: Result<AccessToken, ClientError>, expected: &Refusal) -> Outcome {
    let Err(error) = result else { return Err("got a token, expected a refusal".to_owned()) };
    let Some(TokenError::Server(server)) = error.token_error() else {
        return Err(format!("expected the server's OAuth error, got: {error}"));
    };
    ensure(server.status.as_u16() == expected.status, || {
        format!("status {}, expected {}", server.status, expected.status)
    })?;
    ensure(server.code.as_ref() == Some(&expected.code), || {
        format!("code {:?}, expected {}", server.code, expected.code)
    })?;
    ensure(!error.is_retryable(), || format!("{error} is called retryable"))?;
    let mut detail = format!("{} {}", server.status.as_u16(), expected.code);
    if let Some(text) = expected.description {
        let description = server.description.as_deref().unwrap_or_default();
        ensure(description.contains(text), || format!("description `{description}` lacks `{text}`"))?;
        detail.push_str(&format!(" \"{description}\""));
    }
    let challenge = match expected.challenge {
        ChallengeRule::Absent => {
            ensure(server.challenges.is_empty(), || format!("unexpected challenges {:?}", server.challenges))?;
            "no challenge".to_owned()
        }
        ChallengeRule::Basic => {
            let basic = server.challenges.iter().find(|c| c.is_scheme("basic"));
            let basic = basic.ok_or_else(|| format!("no Basic challenge in {:?}", server.challenges))?;
            ensure(basic.error().as_ref() == Some(&expected.code), || format!("challenge {basic:?} lacks the error"))?;
            format!("challenge {} error={}", basic.scheme(), expected.code)
        }
        ChallengeRule::BasicWithoutError => {
            let basic = server.challenges.iter().find(|c| c.is_scheme("basic"));
            let basic = basic.ok_or_else(|| format!("no Basic challenge in {:?}", server.challenges))?;
            ensure(basic.error().is_none(), || format!("challenge {basic:?} has an error"))?;
            format!("challenge {} without error", basic.scheme())
        }
    };
    let tried = match &error {
        ClientError::Token { tried_auth, .. } => tried_auth.as_slice(),
        _ => &[],
    };
    ensure(tried == expected.tried, || format!("tried {tried:?}, expected {:?}", expected.tried))?;
    let tried = if tried.is_empty() { String::new() } else { format!(", tried {tried:?}") };
    Ok(format!("{detail}, not retryable, {challenge}{tried}"))
}

/// `result` must be `AuthorizationRequired` carrying the server's `invalid_grant`.
pub(crate) fn authorization_required(
    result: Result<oauth_core::AccessToken, ClientError>,
    what: &str,
) -> Result<String, String> {
    match result {
        Err(ClientError::AuthorizationRequired { refusal: Some(refusal) }) => {
            let Some(oauth_core::TokenError::Server(error)) = refusal.token_error() else {
                return Err(format!("{what}: refused without the server's answer: {refusal}"));
            };
            ensure(error.code.as_ref() == Some(&ErrorCode::InvalidGrant), || {
                format!("{what}: refused with {:?}, expected invalid_grant", error.code)
            })?;
            Ok(format!(
                "AuthorizationRequired ({} invalid_grant \"{}\")",
                error.status.as_u16(),
                error.description.as_deref().unwrap_or_default()
            ))
        }
        Err(other) => Err(format!("{what}: expected AuthorizationRequired with invalid_grant, got {other}")),
        Ok(_) => Err(format!("{what}: got a token, expected AuthorizationRequired")),
    }
}
