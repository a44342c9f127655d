//! Scenarios that run the `oauth` command (crates/oauth-cli) as a child process against the real
//! servers: a token in JSON, the cache serving the next call with no request, a cached refresh
//! token used after expiry, the auto client authentication, `-v` with credentials masked, and
//! refusals with their exit codes.
//!
//! Each scenario runs the binary named by `OAUTH_INTEROP_CLI` in a [`Sandbox`] of its own (see
//! `command`), the secrets only in `OAUTH_CLIENT_SECRET` and `OAUTH_PASSWORD`. Every run is
//! checked for canaries: no credential (nor its percent-encoded or Basic form) in stdout or
//! stderr, and no token the command printed in stderr.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::admin::{Admin, Seen, describe};
use crate::check::{self, Outcome, ensure};
use crate::command::{JsonToken, Run, Sandbox};
use crate::steps::{BASIC, CC, PASSWORD, POST, REFRESH};
use crate::{AUTHLIB, NODE_OAUTH, OIDC_PROVIDER, TRICKY_SECRET};

/// The variable holding the path of the built `oauth` binary (set by `cargo xtask interop`).
pub(crate) const BINARY_VARIABLE: &str = "OAUTH_INTEROP_CLI";

/// Authlib's password and refresh tokens live 2 s: a run this long after the first finds the
/// cached token expired.
const PAST_AUTHLIB_EXPIRY: Duration = Duration::from_millis(2200);

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    TokenJson,
    WrongSecret,
    VerboseMasked,
    CachedTokenNoRequest,
    PasswordThenCachedRefresh,
    AuthlibWrongPassword,
    NodeOauthToken,
    NodeOauthWrongPassword,
}

impl Scenario {
    pub(crate) const ALL: [Self; 8] = [
        Self::TokenJson,
        Self::WrongSecret,
        Self::VerboseMasked,
        Self::CachedTokenNoRequest,
        Self::PasswordThenCachedRefresh,
        Self::AuthlibWrongPassword,
        Self::NodeOauthToken,
        Self::NodeOauthWrongPassword,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::TokenJson => "cli_token_json",
            Self::WrongSecret => "cli_wrong_secret_exit_3",
            Self::VerboseMasked => "cli_verbose_masks_credentials",
            Self::CachedTokenNoRequest => "cli_cached_token_no_request",
            Self::PasswordThenCachedRefresh => "cli_password_then_cached_refresh_token",
            Self::AuthlibWrongPassword => "cli_wrong_password_exit_3",
            Self::NodeOauthToken => "cli_token_raw_basic_fallback",
            Self::NodeOauthWrongPassword => "cli_wrong_password_invalid_grant",
        }
    }

    /// The server it runs against: its name and the variable holding its base URL.
    pub(crate) fn server(self) -> (&'static str, &'static str) {
        match self {
            Self::TokenJson | Self::WrongSecret | Self::VerboseMasked | Self::CachedTokenNoRequest => OIDC_PROVIDER,
            Self::PasswordThenCachedRefresh | Self::AuthlibWrongPassword => AUTHLIB,
            Self::NodeOauthToken | Self::NodeOauthWrongPassword => NODE_OAUTH,
        }
    }

    pub(crate) async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
        let token_url = format!("{}/token", server.base());
        let client = |id: &str| Sandbox::new(oauth).map(|sandbox| sandbox.client(id, TRICKY_SECRET));
        match self {
            Self::TokenJson => {
                let sandbox = client("basic-client")?;
                let args = ["token", "--token-url", &token_url, "--client-id", "basic-client", "--format", "json"];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                run.exit(0)?;
                let (_, detail) = json_token(&run, false)?;
                run.quiet()?;
                let seen = seen_since(server, mark, &[(CC, BASIC, 200)]).await?;
                Ok(format!("{}: {}; server saw {seen}", run.command, detail))
            }
            // The auto client authentication tries each method once and names them all.
            Self::WrongSecret => {
                let sandbox = Sandbox::new(oauth)?.client("basic-client", "wrong-secret-canary");
                let args = ["token", "--token-url", &token_url, "--client-id", "basic-client", "--format", "json"];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                let line = refused(&run, "invalid_client")?;
                let tried = "client authentication tried: Basic(Percent), Basic(Raw), Post";
                ensure(line.contains(tried), || format!("{}: stderr lacks `{tried}`: {line:?}", run.command))?;
                let seen = seen_since(server, mark, &[(CC, BASIC, 401), (CC, BASIC, 401), (CC, POST, 401)]).await?;
                Ok(format!("{}: exit 3, {line:?}; server saw {seen}", run.command))
            }
            Self::VerboseMasked => {
                let sandbox = client("basic-client")?;
                let args = ["token", "--token-url", &token_url, "--client-id", "basic-client", "-v"];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                run.exit(0)?;
                plain_token(&run)?;
                for wanted in [format!("> POST {token_url}"), "> authorization: Basic [redacted]".to_owned()] {
                    ensure(run.stderr.contains(&wanted), || {
                        format!("{}: the trace lacks `{wanted}`: {:?}", run.command, run.stderr)
                    })?;
                }
                let seen = seen_since(server, mark, &[(CC, BASIC, 200)]).await?;
                let lines = run.stderr.lines().count();
                Ok(format!(
                    "{}: exit 0, {lines} trace lines with `> POST …/token` and `authorization: Basic [redacted]`, \
                     no credential and no token in them; server saw {seen}",
                    run.command
                ))
            }
            Self::CachedTokenNoRequest => {
                let sandbox = client("basic-client")?;
                let args = ["token", "--token-url", &token_url, "--client-id", "basic-client"];
                let mark = server.mark().await?;
                let first = sandbox.run(&args).await?;
                first.exit(0)?;
                let token = plain_token(&first)?;
                first.quiet()?;
                let second = sandbox.run(&args).await?;
                second.exit(0)?;
                second.quiet()?;
                ensure(plain_token(&second)? == token, || {
                    format!("{}: the second run printed another token, not the cached one", second.command)
                })?;
                let seen = seen_since(server, mark, &[(CC, BASIC, 200)]).await?;
                Ok(format!(
                    "{} twice: the same token, server saw {seen} (the second served from the cache)",
                    first.command
                ))
            }
            Self::PasswordThenCachedRefresh => password_then_cached_refresh(server, oauth, &token_url).await,
            // Authlib answers a wrong resource-owner password with `invalid_request` (never
            // `invalid_grant`; `interop/README.md`). The body, the method this client is
            // registered with, got past client authentication: its answer is the one to show.
            Self::AuthlibWrongPassword => {
                let sandbox = client("post-client")?.password("not-the-password-canary");
                let args = [
                    "token",
                    "--token-url",
                    &token_url,
                    "--client-id",
                    "post-client",
                    "--grant",
                    "password",
                    "--username",
                    "ana",
                    "--format",
                    "json",
                ];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                run.exit(3)?;
                let expected = [(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 401), (PASSWORD, POST, 400)];
                let seen = seen_since(server, mark, &expected).await?;
                let line = refused(&run, "invalid_request")?;
                Ok(format!("{}: exit 3, {line:?}; server saw {seen}", run.command))
            }
            // The percent-encoded secret is taken literally here: raw Basic gets the token.
            Self::NodeOauthToken => {
                let sandbox = client("basic-client")?;
                let args = ["token", "--token-url", &token_url, "--client-id", "basic-client", "--format", "header"];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                run.exit(0)?;
                let token = run.stdout.strip_prefix("Authorization: Bearer ").and_then(|t| t.strip_suffix('\n'));
                let token = token.filter(|t| !t.is_empty() && !t.contains(char::is_whitespace));
                let token =
                    token.ok_or_else(|| format!("{}: stdout is not a header: {:?}", run.command, run.stdout))?;
                run.no_token_in_stderr(&[token])?;
                run.quiet()?;
                let seen = seen_since(server, mark, &[(CC, BASIC, 401), (CC, BASIC, 200)]).await?;
                Ok(format!("{}: exit 0, `Authorization: Bearer …`; server saw {seen}", run.command))
            }
            // node-oauth answers a wrong password with `invalid_grant`, as RFC 6749 §5.2 says.
            Self::NodeOauthWrongPassword => {
                let sandbox = client("basic-client")?.password("not-the-password-canary");
                let args = [
                    "token",
                    "--token-url",
                    &token_url,
                    "--client-id",
                    "basic-client",
                    "--grant",
                    "password",
                    "--username",
                    "bob",
                ];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                let line = refused(&run, "invalid_grant")?;
                let seen = seen_since(server, mark, &[(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 400)]).await?;
                Ok(format!("{}: exit 3, {line:?}; server saw {seen}", run.command))
            }
        }
    }
}

/// Authlib's `post-client` accepts only `client_secret_post`: the auto client authentication
/// falls back to it for the password grant. The 2 s token then expires, and the same command
/// with the same cache must replace it through the cached refresh token, not the password.
async fn password_then_cached_refresh(server: &Admin, oauth: &Path, token_url: &str) -> Outcome {
    let sandbox = Sandbox::new(oauth)?.client("post-client", TRICKY_SECRET).password("pa55 w0rd");
    let args = [
        "token",
        "--token-url",
        token_url,
        "--client-id",
        "post-client",
        "--grant",
        "password",
        "--username",
        "ana",
        "--format",
        "json",
        "--show-refresh-token",
    ];
    let mark = server.mark().await?;
    let first = sandbox.run(&args).await?;
    first.exit(0)?;
    let (token, _) = json_token(&first, true)?;
    first.quiet()?;
    let learned =
        seen_since(server, mark, &[(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 401), (PASSWORD, POST, 200)]).await?;

    tokio::time::sleep(PAST_AUTHLIB_EXPIRY).await;
    let mark = server.mark().await?;
    let second = sandbox.run(&args).await?;
    second.exit(0)?;
    let (renewed, _) = json_token(&second, true)?;
    second.quiet()?;
    second.no_token_in_stderr(&[&token.access_token, &token.refresh_token])?;
    ensure(renewed.access_token != token.access_token, || {
        format!("{}: the expired token was printed again", second.command)
    })?;
    let seen = server.seen_since(mark).await?;
    let refreshed = !seen.is_empty()
        && seen.iter().all(|s| s.grant_type == REFRESH)
        && seen.last().is_some_and(|s| s.status == 200);
    ensure(refreshed, || {
        format!(
            "after expiry, {} got a new token but the server saw {}: expected refresh_token requests only, the \
             last answered 200 (the cached refresh token used, not the password)",
            second.command,
            describe(&seen)
        )
    })?;
    Ok(format!(
        "{}: exit 0 with a refresh token, server saw {learned}; {:.1?} later, the same command: a new token, \
         server saw {}",
        first.command,
        PAST_AUTHLIB_EXPIRY,
        describe(&seen)
    ))
}

/// Checks the token requests the server saw since `mark`, and lists them.
async fn seen_since(server: &Admin, mark: usize, expected: &[(&str, &str, u16)]) -> Result<String, String> {
    let seen: Vec<Seen> = server.seen_since(mark).await?;
    check::seen(&seen, expected)?;
    Ok(describe(&seen))
}

/// `--format token`: one line, the access token alone; checked absent from stderr.
fn plain_token(run: &Run) -> Result<&str, String> {
    let token = run.stdout.strip_suffix('\n').filter(|t| !t.is_empty() && !t.contains(char::is_whitespace));
    let token = token.ok_or_else(|| format!("{}: stdout is not one token: {:?}", run.command, run.stdout))?;
    run.no_token_in_stderr(&[token])?;
    Ok(token)
}

/// `--format json` as [`Run::json_token`] checks it, with expires_at in RFC 3339 and consistent
/// with expires_in; and the report's words for it.
fn json_token(run: &Run, refresh: bool) -> Result<(JsonToken, String), String> {
    let token = run.json_token(refresh)?;
    let (expires_in, expires_at) = (token.expires_in, token.expires_at.as_str());
    let at = rfc3339_seconds(expires_at)
        .ok_or_else(|| run.bad_stdout(&format!("expires_at {expires_at:?} is not RFC 3339")))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let expected_at = i64::try_from(now.saturating_add(expires_in)).unwrap_or(i64::MAX);
    ensure(at.abs_diff(expected_at) <= 5, || {
        run.bad_stdout(&format!("expires_at {expires_at} is not about now + expires_in ({expires_in} s)"))
    })?;
    let with_refresh = if refresh { ", refresh_token" } else { "" };
    let detail = format!(
        "exit 0, JSON access_token, token_type Bearer, expires_in {expires_in}, expires_at {expires_at}{with_refresh}"
    );
    Ok((token, detail))
}

/// Exit 3, nothing on stdout, one line on stderr naming the server's error `code`.
fn refused<'r>(run: &'r Run, code: &str) -> Result<&'r str, String> {
    let line = run.refused()?;
    let named = format!("`{code}`");
    ensure(line.contains(&named), || format!("{}: stderr names no {named}: {line:?}", run.command))?;
    Ok(line)
}

/// Seconds since the Unix epoch of an RFC 3339 date-time (`2025-01-31T12:00:00Z`, with optional
/// fractional seconds and a `Z` or `±hh:mm` offset), or `None` when it is not one.
fn rfc3339_seconds(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let shape = bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !shape {
        return None;
    }
    let number = |from, to| number_in(text, from, to);
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60 && second <= 60;
    if !valid {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let offset = rest.get(1..)?;
            let (hours, minutes) = (number_in(offset, 0, 2)?, number_in(offset, 3, 5)?);
            if offset.len() != 5 || offset.as_bytes()[2] != b':' || hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// The decimal number in `text[from..to]`, digits only.
fn number_in(text: &str, from: usize, to: usize) -> Option<i64> {
    let digits = text.get(from..to)?;
    digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok())?
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_read_to_epoch_seconds() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(rfc3339_seconds("2026-11-27T13:58:02Z"), Some(1_795_787_882));
        assert_eq!(rfc3339_seconds("2026-11-27T14:58:02.25+01:00"), Some(1_795_787_882));
        for bad in ["2026-11-27 13:58:02", "2026-11-27T13:58:02", "2026-13-27T13:58:02Z", "2026-11-27T13:58:02+0100"] {
            assert_eq!(rfc3339_seconds(bad), None, "{bad}");
        }
    }
}
