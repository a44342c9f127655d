//! Scenarios that run the `oauth` command (crates/oauth-cli) as a child process against the real
//! servers: a token in JSON, the cache serving the next call with no request, a cached refresh
//! token used after expiry, the auto client authentication, `-v` with credentials masked, and
//! refusals with their exit codes.
//!
//! Each scenario runs the binary named by `OAUTH_INTEROP_CLI` in a sandbox of its own: an
//! environment cleared but for `PATH`, a temporary `HOME`, XDG dirs and `OAUTH_CACHE_DIR`
//! (removed afterwards, whatever happens), `NO_PROXY=*`, and the secrets only in
//! `OAUTH_CLIENT_SECRET` and `OAUTH_PASSWORD`, never on the command line. Every run is checked
//! for canaries: no credential (nor its percent-encoded or Basic form) in stdout or stderr, and
//! no token the command printed in stderr.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::admin::{Admin, Seen, describe};
use crate::check::{self, Outcome, ensure};
use crate::steps::{BASIC, CC, PASSWORD, POST, REFRESH};
use crate::{AUTHLIB, NODE_OAUTH, OIDC_PROVIDER, TRICKY_SECRET};

/// The variable holding the path of the built `oauth` binary (set by `cargo xtask interop`).
pub(crate) const BINARY_VARIABLE: &str = "OAUTH_INTEROP_CLI";

/// The longest one run of the command may take before it is killed (the servers are local).
const RUN_LIMIT: Duration = Duration::from_secs(20);

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
                let json = run.json_token(false)?;
                run.quiet()?;
                let seen = seen_since(server, mark, &[(CC, BASIC, 200)]).await?;
                Ok(format!("{}: {}; server saw {seen}", run.command, json.detail))
            }
            // The auto client authentication tries each method once and names them all.
            Self::WrongSecret => {
                let sandbox = Sandbox::new(oauth)?.client("basic-client", "wrong-secret-canary");
                let args = ["token", "--token-url", &token_url, "--client-id", "basic-client", "--format", "json"];
                let mark = server.mark().await?;
                let run = sandbox.run(&args).await?;
                let line = run.refused("invalid_client")?;
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
                run.plain_token()?;
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
                let token = first.plain_token()?;
                first.quiet()?;
                let second = sandbox.run(&args).await?;
                second.exit(0)?;
                second.quiet()?;
                ensure(second.plain_token()? == token, || {
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
                let line = run.refused("invalid_request")?;
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
                let line = run.refused("invalid_grant")?;
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
    let token = first.json_token(true)?;
    first.quiet()?;
    let learned =
        seen_since(server, mark, &[(PASSWORD, BASIC, 401), (PASSWORD, BASIC, 401), (PASSWORD, POST, 200)]).await?;

    tokio::time::sleep(PAST_AUTHLIB_EXPIRY).await;
    let mark = server.mark().await?;
    let second = sandbox.run(&args).await?;
    second.exit(0)?;
    let renewed = second.json_token(true)?;
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

/// A temporary directory, removed when the last holder drops it: the scenario, and each run of
/// the command while its child lives (so a scenario given up on keeps it until the child ends).
#[derive(Debug)]
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

static NEXT_SANDBOX: AtomicUsize = AtomicUsize::new(0);

/// One scenario's home, cache and environment for the command, and the values it must never
/// print.
#[derive(Debug)]
struct Sandbox {
    dir: Arc<TempDir>,
    oauth: PathBuf,
    env: Vec<(&'static str, String)>,
    /// Credentials, and the forms a request carries them in, by the variable they came from.
    canaries: Vec<(&'static str, String)>,
}

impl Sandbox {
    fn new(oauth: &Path) -> Result<Self, String> {
        let n = NEXT_SANDBOX.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("oauth-interop-cli-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).map_err(|e| format!("cannot create the sandbox {}: {e}", path.display()))?;
        Ok(Self { dir: Arc::new(TempDir(path)), oauth: oauth.to_owned(), env: Vec::new(), canaries: Vec::new() })
    }

    /// The client secret in `OAUTH_CLIENT_SECRET`; the secret, its encoded forms and the Basic
    /// credentials made of it become canaries.
    fn client(mut self, id: &str, secret: &str) -> Self {
        let name = "OAUTH_CLIENT_SECRET";
        for form in [secret.to_owned(), percent_encode(secret), form_encode(secret)] {
            self.canaries.push((name, form));
        }
        for credentials in [format!("{id}:{secret}"), format!("{}:{}", percent_encode(id), percent_encode(secret))] {
            self.canaries.push((name, base64(credentials.as_bytes())));
        }
        self.env.push((name, secret.to_owned()));
        self
    }

    /// The resource owner's password in `OAUTH_PASSWORD`, and as canaries.
    fn password(mut self, password: &str) -> Self {
        let name = "OAUTH_PASSWORD";
        for form in [password.to_owned(), percent_encode(password), form_encode(password)] {
            self.canaries.push((name, form));
        }
        self.env.push((name, password.to_owned()));
        self
    }

    /// Runs `oauth args…` to its end (killed after [`RUN_LIMIT`]) and checks the canaries.
    async fn run(&self, args: &[&str]) -> Result<Run, String> {
        let home = &self.dir.0;
        let mut command = Command::new(&self.oauth);
        command.args(args).env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("xdg-cache"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("OAUTH_CACHE_DIR", home.join("cache"))
            .env("NO_PROXY", "*");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command.current_dir(home).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());

        let variables: String = self.env.iter().map(|(name, _)| format!("{name}=… ")).collect();
        let shown = format!("{variables}oauth {}", args.join(" "));
        let program = self.oauth.display().to_string();
        let keep = Arc::clone(&self.dir);
        let finished = tokio::task::spawn_blocking(move || {
            let finished = run_to_end(command, RUN_LIMIT);
            drop(keep); // the sandbox outlives the child
            finished
        })
        .await
        .map_err(|e| format!("{shown}: the run panicked: {e}"))?
        .map_err(|e| format!("{shown}: cannot run {program}: {e}"))?;
        let (code, stdout, stderr) = finished;
        let run = Run { command: shown, code, stdout, stderr };
        for (name, canary) in &self.canaries {
            for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                ensure(!text.contains(canary.as_str()), || {
                    format!("{}: the credential in {name} (or a form of it) is in {stream}", run.command)
                })?;
            }
        }
        Ok(run)
    }
}

/// Runs `command`, collecting its output; kills it after `limit` (its exit code is then `None`).
fn run_to_end(mut command: Command, limit: Duration) -> std::io::Result<(Option<i32>, String, String)> {
    let mut child = command.spawn()?;
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let deadline = Instant::now() + limit;
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            waited => {
                // Past the limit, or unable to tell: stop this run's own child, by its handle.
                let _ = child.kill();
                let _ = child.wait();
                waited?;
                break None;
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    Ok((code, stdout, stderr))
}

/// One run of the command.
#[derive(Debug)]
struct Run {
    /// The command as shown in reports: variable names, never their values.
    command: String,
    /// `None` when it was killed after [`RUN_LIMIT`] or ended by a signal.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// What `--format json` printed.
struct JsonToken {
    access_token: String,
    refresh_token: String,
    detail: String,
}

impl Run {
    fn exit(&self, expected: i32) -> Result<(), String> {
        ensure(self.code == Some(expected), || {
            let code =
                self.code.map_or_else(|| format!("no exit code (killed after {RUN_LIMIT:?}?)"), |c| c.to_string());
            format!(
                "{}: exit {code}, expected {expected}; stdout {:?}, stderr {:?}",
                self.command, self.stdout, self.stderr
            )
        })
    }

    /// Nothing on stderr (no `-v`, no terminal for a spinner).
    fn quiet(&self) -> Result<(), String> {
        ensure(self.stderr.is_empty(), || format!("{}: unexpected stderr {:?}", self.command, self.stderr))
    }

    fn no_token_in_stderr(&self, tokens: &[&str]) -> Result<(), String> {
        for token in tokens.iter().filter(|t| !t.is_empty()) {
            ensure(!self.stderr.contains(token), || {
                format!("{}: a token printed on stdout is in stderr", self.command)
            })?;
        }
        Ok(())
    }

    /// `--format token`: one line, the access token alone; checked absent from stderr.
    fn plain_token(&self) -> Result<&str, String> {
        let token = self.stdout.strip_suffix('\n').filter(|t| !t.is_empty() && !t.contains(char::is_whitespace));
        let token = token.ok_or_else(|| format!("{}: stdout is not one token: {:?}", self.command, self.stdout))?;
        self.no_token_in_stderr(&[token])?;
        Ok(token)
    }

    /// `--format json`: access_token, token_type `Bearer`, expires_in > 0, expires_at in RFC 3339
    /// and consistent with expires_in, and a refresh token exactly when `refresh` (asked for with
    /// `--show-refresh-token`); the tokens checked absent from stderr.
    fn json_token(&self, refresh: bool) -> Result<JsonToken, String> {
        let bad = |why: String| format!("{}: {why}; stdout {:?}", self.command, self.stdout);
        let json: Value = serde_json::from_str(&self.stdout).map_err(|e| bad(format!("not JSON ({e})")))?;
        let text = |field: &str| json[field].as_str().filter(|t| !t.is_empty()).map(str::to_owned);
        let access_token = text("access_token").ok_or_else(|| bad("no access_token".to_owned()))?;
        let token_type = json["token_type"].as_str();
        ensure(token_type == Some("Bearer"), || bad(format!("token_type {token_type:?}, expected \"Bearer\"")))?;
        let expires_in = json["expires_in"].as_u64().filter(|&s| s > 0);
        let expires_in = expires_in.ok_or_else(|| bad("expires_in is not a positive integer".to_owned()))?;
        let expires_at = json["expires_at"].as_str().unwrap_or_default();
        let at =
            rfc3339_seconds(expires_at).ok_or_else(|| bad(format!("expires_at {expires_at:?} is not RFC 3339")))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let expected_at = i64::try_from(now.saturating_add(expires_in)).unwrap_or(i64::MAX);
        ensure(at.abs_diff(expected_at) <= 5, || {
            bad(format!("expires_at {expires_at} is not about now + expires_in ({expires_in} s)"))
        })?;
        let refresh_token = text("refresh_token");
        ensure(refresh_token.is_some() == refresh, || {
            bad(if refresh { "no refresh_token with --show-refresh-token" } else { "a refresh_token unasked" }
                .to_owned())
        })?;
        let refresh_token = refresh_token.unwrap_or_default();
        self.no_token_in_stderr(&[&access_token, &refresh_token])?;
        let with_refresh = if refresh { ", refresh_token" } else { "" };
        let detail = format!(
            "exit 0, JSON access_token, token_type Bearer, expires_in {expires_in}, expires_at {expires_at}{with_refresh}"
        );
        Ok(JsonToken { access_token, refresh_token, detail })
    }

    /// Exit 3, nothing on stdout, one line on stderr naming the server's error `code`.
    fn refused(&self, code: &str) -> Result<&str, String> {
        self.exit(3)?;
        ensure(self.stdout.is_empty(), || format!("{}: stdout {:?} on a refusal", self.command, self.stdout))?;
        let lines: Vec<&str> = self.stderr.lines().collect();
        let line = match lines.as_slice() {
            [line] if line.starts_with("oauth: ") => *line,
            _ => return Err(format!("{}: stderr is not one `oauth: …` line: {:?}", self.command, self.stderr)),
        };
        let named = format!("`{code}`");
        ensure(line.contains(&named), || format!("{}: stderr names no {named}: {line:?}", self.command))?;
        Ok(line)
    }
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

/// Every byte but RFC 3986's unreserved characters as `%XX` (the Basic encoding of RFC 6749
/// §2.3.1 as the profile's default sends it).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `application/x-www-form-urlencoded`, as a request body carries a value.
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b' ' => "+".to_owned(),
            b'*' | b'-' | b'.' | b'_' => char::from(b).to_string(),
            _ if b.is_ascii_alphanumeric() => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Standard base64 with padding, as `Authorization: Basic` carries the credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0_u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
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

    #[test]
    fn encodings_match_what_a_request_carries() {
        assert_eq!(percent_encode("a b+c/d:e%f&g=h"), "a%20b%2Bc%2Fd%3Ae%25f%26g%3Dh");
        assert_eq!(form_encode("a b+c/d:e%f&g=h"), "a+b%2Bc%2Fd%3Ae%25f%26g%3Dh");
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }
}
