//! Scenario steps both servers' scenarios use: one token fetch, one refusal, with the token
//! requests the server saw checked.

use oauth_providers::rfc6749::Builder;

use crate::adapter::{Adapter, token_source};
use crate::admin::{Admin, describe};
use crate::check::{self, Outcome, Refusal};

/// The profile `builder` makes, or why it cannot.
pub(crate) fn profile(builder: Builder) -> Result<oauth_providers::Profile, String> {
    builder.build().map_err(|e| format!("profile: {e}"))
}

/// Fetches one token with `builder`'s profile and checks the requests the server saw, each as
/// `(grant_type, method, status)`.
pub(crate) async fn fetch(
    server: &Admin,
    adapter: Adapter,
    builder: Builder,
    expected: &[(&str, &str, u16)],
) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    check::token(source.token().await)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, expected)?;
    Ok(format!("token; server saw {}", describe(&seen)))
}

/// Asks for a token with `builder`'s profile, expecting `expected`, and checks the requests the
/// server saw (refusals are not retryable: no request repeats).
pub(crate) async fn refuse(
    server: &Admin,
    adapter: Adapter,
    builder: Builder,
    expected: &Refusal,
    seen: &[(&str, &str, u16)],
) -> Outcome {
    let source = token_source(adapter, profile(builder)?, |b| b)?;
    let mark = server.mark().await?;
    let detail = check::refusal(source.token().await, expected)?;
    check::seen(&server.seen_since(mark).await?, seen)?;
    Ok(detail)
}
