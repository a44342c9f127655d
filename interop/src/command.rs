//! Running the `oauth` command as a child process, for `cli` and `user_flows`: a sandbox of its
//! own per scenario, a run followed while it goes or to its end, and the checks on what it
//! printed.
//!
//! The sandbox: an environment cleared but for `PATH`, a temporary `HOME`, XDG dirs and
//! `OAUTH_CACHE_DIR` (removed afterwards, whatever happens), `NO_PROXY=*`, and the secrets only
//! in the environment (`OAUTH_CLIENT_SECRET`, `OAUTH_PASSWORD`, `OAUTH_TOKEN`), never on the
//! command line. The credentials it is given, in every form a request carries them (raw,
//! percent-, form- and Basic-encoded), are canaries: every run is checked for them in stdout
//! and stderr.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::browser::form_encode;
use crate::check::ensure;

/// The longest one run of the command may take before it is killed (the servers are local; a
/// device flow waits 5 s).
pub(crate) const RUN_LIMIT: Duration = Duration::from_secs(20);

/// How long the command may take to print a line a scenario waits for.
const LINE_LIMIT: Duration = Duration::from_secs(10);

/// A temporary directory, removed when the last holder drops it: the sandbox, and each run of
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
pub(crate) struct Sandbox {
    dir: Arc<TempDir>,
    oauth: PathBuf,
    env: Vec<(&'static str, String)>,
    /// Credentials, and the forms a request carries them in, by what they are.
    canaries: Vec<(String, String)>,
}

impl Sandbox {
    pub(crate) fn new(oauth: &Path) -> Result<Self, String> {
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

    /// The client secret in `OAUTH_CLIENT_SECRET` for every run; its forms become canaries.
    pub(crate) fn client(mut self, id: &str, secret: &str) -> Self {
        let name = "OAUTH_CLIENT_SECRET";
        let what = format!("the credential in {name} (or a form of it)");
        self.canaries.extend(secret_forms(id, secret).into_iter().map(|form| (what.clone(), form)));
        self.env.push((name, secret.to_owned()));
        self
    }

    /// The resource owner's password in `OAUTH_PASSWORD` for every run, and as canaries.
    pub(crate) fn password(mut self, password: &str) -> Self {
        let name = "OAUTH_PASSWORD";
        let what = format!("the credential in {name} (or a form of it)");
        self.canaries.extend(value_forms(password).into_iter().map(|form| (what.clone(), form)));
        self.env.push((name, password.to_owned()));
        self
    }

    /// Writes `contents` to `name` in the sandbox, owner-only (the command refuses key files
    /// others can read), and returns its path. A secret's (`secret: true`) base64 lines become
    /// canaries.
    pub(crate) fn file(&mut self, name: &str, contents: &str, secret: bool) -> Result<String, String> {
        let path = self.dir.0.join(name);
        fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("cannot make {} owner-only: {e}", path.display()))?;
        }
        if secret {
            let lines = contents.lines().map(str::trim).filter(|line| line.len() >= 16 && !line.starts_with("-----"));
            self.canaries.extend(lines.map(|line| (format!("a line of the key in {name}"), line.to_owned())));
        }
        path.into_os_string().into_string().map_err(|_| format!("the sandbox path of {name} is not UTF-8"))
    }

    /// Runs `oauth args…` to its end (killed after [`RUN_LIMIT`]) and checks the canaries.
    pub(crate) async fn run(&self, args: &[&str]) -> Result<Run, String> {
        self.spawn(args, &[])?.finish().await
    }

    /// Starts `oauth args…` in the sandbox with `env` (secrets and tokens, never arguments)
    /// besides the sandbox's own.
    pub(crate) fn spawn(&self, args: &[&str], env: &[(&'static str, String)]) -> Result<Running, String> {
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
        let env: Vec<&(&str, String)> = self.env.iter().chain(env).collect();
        for (name, value) in &env {
            command.env(name, value);
        }
        command.current_dir(home).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let variables: String = env.iter().map(|(name, _)| format!("{name}=… ")).collect();
        let shown = format!("{variables}oauth {}", args.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" "));
        let mut child = command.spawn().map_err(|e| format!("{shown}: cannot run {}: {e}", self.oauth.display()))?;
        let stdout = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = out.read_to_end(&mut bytes);
                String::from_utf8_lossy(&bytes).into_owned()
            })
        });
        let (lines, stderr) = mpsc::channel();
        let stderr_thread = child.stderr.take().map(|err| {
            std::thread::spawn(move || {
                let mut err = BufReader::new(err);
                loop {
                    // Each line with its end, so that the lines joined are stderr as it was.
                    let mut line = Vec::new();
                    match err.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if lines.send(String::from_utf8_lossy(&line).into_owned()).is_err() => break,
                        Ok(_) => {}
                    }
                }
            })
        });
        Ok(Running {
            command: shown,
            child,
            stderr,
            stderr_lines: Vec::new(),
            stdout,
            stderr_thread,
            ended: false,
            canaries: self.canaries.clone(),
            _dir: Arc::clone(&self.dir),
        })
    }
}

/// An argument as a shell would need it written.
fn shell_word(arg: &str) -> String {
    if arg.contains(' ') { format!("'{arg}'") } else { arg.to_owned() }
}

/// A run of the command still going: its stderr readable line by line. Dropping it kills the
/// child (this process's own, by its handle) if it has not ended.
pub(crate) struct Running {
    pub(crate) command: String,
    child: Child,
    stderr: mpsc::Receiver<String>,
    /// The lines read so far, each with its line end.
    stderr_lines: Vec<String>,
    stdout: Option<JoinHandle<String>>,
    stderr_thread: Option<JoinHandle<()>>,
    ended: bool,
    canaries: Vec<(String, String)>,
    /// The sandbox outlives the child.
    _dir: Arc<TempDir>,
}

impl Running {
    /// Waits (up to [`LINE_LIMIT`]) for a stderr line `pick` takes something from.
    pub(crate) async fn line(&mut self, what: &str, pick: impl Fn(&str) -> Option<String>) -> Result<String, String> {
        let deadline = Instant::now() + LINE_LIMIT;
        loop {
            match self.stderr.try_recv() {
                Ok(line) => {
                    let found = pick(line_text(&line));
                    self.stderr_lines.push(line);
                    if let Some(found) = found {
                        return Ok(found);
                    }
                }
                Err(TryRecvError::Empty) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(10)).await
                }
                Err(TryRecvError::Empty) => {
                    return Err(format!(
                        "{}: no {what} on stderr within {LINE_LIMIT:?}; stderr so far {:?}",
                        self.command,
                        self.lines_so_far()
                    ));
                }
                Err(TryRecvError::Disconnected) => {
                    return Err(format!("{}: stderr closed before {what}: {:?}", self.command, self.lines_so_far()));
                }
            }
        }
    }

    fn lines_so_far(&self) -> Vec<&str> {
        self.stderr_lines.iter().map(|line| line_text(line)).collect()
    }

    /// Waits for the end (killing the child after [`RUN_LIMIT`]), collects its output and
    /// checks the sandbox's canaries.
    pub(crate) async fn finish(mut self) -> Result<Run, String> {
        let deadline = Instant::now() + RUN_LIMIT;
        let code = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status.code(),
                Ok(None) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(10)).await,
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
                Err(e) => return Err(format!("{}: cannot wait for it: {e}", self.command)),
            }
        };
        self.ended = true;
        let stdout = self.stdout.take().map(|reader| reader.join().unwrap_or_default()).unwrap_or_default();
        if let Some(reader) = self.stderr_thread.take() {
            let _ = reader.join();
        }
        self.stderr_lines.extend(self.stderr.try_iter());
        let stderr = self.stderr_lines.concat();
        let run = Run { command: std::mem::take(&mut self.command), code, stdout, stderr };
        let canaries: Vec<(&str, &str)> =
            self.canaries.iter().map(|(what, value)| (what.as_str(), value.as_str())).collect();
        run.absent(&canaries)?;
        Ok(run)
    }
}

/// A line without its end (`\n` or `\r\n`), as `BufRead::lines` gives it.
fn line_text(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.ended {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A run of the command that ended.
#[derive(Debug)]
pub(crate) struct Run {
    /// As reports show it: variable names, never their values.
    pub(crate) command: String,
    /// `None` when it was killed after [`RUN_LIMIT`] or ended by a signal.
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// What `--format json` printed.
pub(crate) struct JsonToken {
    pub(crate) access_token: String,
    /// Empty when there is none.
    pub(crate) refresh_token: String,
    pub(crate) expires_in: u64,
    /// As printed, not yet checked.
    pub(crate) expires_at: String,
    pub(crate) scope: String,
}

impl Run {
    pub(crate) fn exit(&self, expected: i32) -> Result<(), String> {
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
    pub(crate) fn quiet(&self) -> Result<(), String> {
        ensure(self.stderr.is_empty(), || format!("{}: unexpected stderr {:?}", self.command, self.stderr))
    }

    /// None of `values` in stdout or stderr.
    pub(crate) fn absent(&self, values: &[(&str, &str)]) -> Result<(), String> {
        for (what, value) in values.iter().filter(|(_, value)| !value.is_empty()) {
            for (stream, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
                ensure(!text.contains(value), || format!("{}: {what} is in {stream}", self.command))?;
            }
        }
        Ok(())
    }

    pub(crate) fn no_token_in_stderr(&self, tokens: &[&str]) -> Result<(), String> {
        for token in tokens.iter().filter(|t| !t.is_empty()) {
            ensure(!self.stderr.contains(token), || {
                format!("{}: a token printed on stdout is in stderr", self.command)
            })?;
        }
        Ok(())
    }

    /// Exit 3, nothing on stdout, one `oauth: …` line on stderr.
    pub(crate) fn refused(&self) -> Result<&str, String> {
        self.exit(3)?;
        ensure(self.stdout.is_empty(), || format!("{}: stdout {:?} on a refusal", self.command, self.stdout))?;
        match self.stderr.lines().collect::<Vec<_>>().as_slice() {
            [line] if line.starts_with("oauth: ") => Ok(line),
            _ => Err(format!("{}: stderr is not one `oauth: …` line: {:?}", self.command, self.stderr)),
        }
    }

    /// A failure about stdout.
    pub(crate) fn bad_stdout(&self, why: &str) -> String {
        format!("{}: {why}; stdout {:?}", self.command, self.stdout)
    }

    /// `--format json`: access_token, token_type `Bearer`, expires_in > 0, and a refresh token
    /// exactly when `refresh` (asked for with `--show-refresh-token`); the tokens checked absent
    /// from stderr. What `expires_at` must be is the caller's to check.
    pub(crate) fn json_token(&self, refresh: bool) -> Result<JsonToken, String> {
        let bad = |why: String| self.bad_stdout(&why);
        let json: Value = serde_json::from_str(&self.stdout).map_err(|e| bad(format!("not JSON ({e})")))?;
        let text = |field: &str| json[field].as_str().filter(|t| !t.is_empty()).map(str::to_owned);
        let access_token = text("access_token").ok_or_else(|| bad("no access_token".to_owned()))?;
        let token_type = json["token_type"].as_str();
        ensure(token_type == Some("Bearer"), || bad(format!("token_type {token_type:?}, expected \"Bearer\"")))?;
        let expires_in = json["expires_in"].as_u64().filter(|&s| s > 0);
        let expires_in = expires_in.ok_or_else(|| bad("expires_in is not a positive integer".to_owned()))?;
        let refresh_token = text("refresh_token");
        ensure(refresh_token.is_some() == refresh, || {
            bad(if refresh { "no refresh_token with --show-refresh-token" } else { "a refresh_token unasked" }
                .to_owned())
        })?;
        let refresh_token = refresh_token.unwrap_or_default();
        self.no_token_in_stderr(&[&access_token, &refresh_token])?;
        Ok(JsonToken {
            access_token,
            refresh_token,
            expires_in,
            expires_at: json["expires_at"].as_str().unwrap_or_default().to_owned(),
            scope: text("scope").unwrap_or_default(),
        })
    }
}

/// A client secret in every form a request carries it: raw, percent- and form-encoded, and in
/// the Basic credentials (raw and percent-encoded) with the client's `id`.
pub(crate) fn secret_forms(id: &str, secret: &str) -> Vec<String> {
    let mut forms = value_forms(secret);
    for credentials in [format!("{id}:{secret}"), format!("{}:{}", percent_encode(id), percent_encode(secret))] {
        forms.push(base64(credentials.as_bytes()));
    }
    forms
}

/// A value raw, percent-encoded and form-encoded.
fn value_forms(value: &str) -> Vec<String> {
    vec![value.to_owned(), percent_encode(value), form_encode(value)]
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
    fn encodings_match_what_a_request_carries() {
        assert_eq!(percent_encode("a b+c/d:e%f&g=h"), "a%20b%2Bc%2Fd%3Ae%25f%26g%3Dh");
        assert_eq!(form_encode("a b+c/d:e%f&g=h"), "a+b%2Bc%2Fd%3Ae%25f%26g%3Dh");
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn stderr_lines_are_read_without_their_ends() {
        assert_eq!(line_text("oauth: refused\r\n"), "oauth: refused");
        assert_eq!(line_text("last"), "last");
    }
}
