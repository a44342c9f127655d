//! Running the built `oauth` binary against emulators in this process, and the canary scan:
//! no credential ever in stdout or stderr, no token in stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One invocation's result.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// A sandbox: its own cache and config dirs, and an environment with no `OAUTH_*` variable,
/// no proxy and no home of the user's.
pub(crate) struct Sandbox {
    pub(crate) dir: PathBuf,
    env: Vec<(String, String)>,
    /// Values that must never be printed (credentials), checked after every run.
    pub(crate) secrets: Vec<String>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Sandbox {
    pub(crate) fn new() -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("oauth-cli-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("cache")).unwrap();
        Self { dir, env: Vec::new(), secrets: Vec::new() }
    }

    /// Sets a variable for every run (a secret's value is also added to the canary list).
    pub(crate) fn env(mut self, name: &str, value: &str) -> Self {
        if name.ends_with("SECRET")
            || name.ends_with("PASSWORD")
            || name.ends_with("API_KEY")
            || name.ends_with("REFRESH_TOKEN")
            || name.ends_with("PRIVATE_KEY")
        {
            self.secrets.push(value.to_owned());
        }
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Writes a file in the sandbox with owner-only permissions.
    pub(crate) fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        set_mode(&path, 0o600);
        path
    }

    pub(crate) fn cache_dir(&self) -> PathBuf {
        self.dir.join("cache")
    }

    /// Runs `oauth args…` (blocking: call it from `spawn_blocking` while emulators serve).
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, None)
    }

    pub(crate) fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut command = self.command(args);
        command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = command.spawn().expect("the oauth binary runs");
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        self.finish(args, child)
    }

    /// Starts `oauth args…` and hands back the running child (stdout and stderr piped), for a
    /// test that talks to it while it runs; [`finish`](Self::finish) collects and scans it.
    pub(crate) fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut command = self.command(args);
        command.stdin(Stdio::null());
        command.spawn().expect("the oauth binary runs")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_oauth"));
        command.args(args).env_clear();
        for name in ["PATH", "SYSTEMROOT"] {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        command
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_CACHE_HOME", self.dir.join("xdg-cache"))
            .env("OAUTH_CACHE_DIR", self.cache_dir())
            .env("NO_PROXY", "*");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    }

    /// Waits for `child` and checks its output as every run is checked.
    pub(crate) fn finish(&self, args: &[&str], child: std::process::Child) -> Output {
        let output = child.wait_with_output().unwrap();
        let output = Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        // Whatever stdout printed that looks like a token (the token asked for) is not in stderr.
        for token in token_like(&output.stdout) {
            assert!(!output.stderr.contains(token), "a token from stdout in stderr of {args:?}:\n{}", output.stderr);
        }
        for secret in &self.secrets {
            assert!(!output.stdout.contains(secret.as_str()), "a credential in stdout of {args:?}:\n{}", output.stdout);
            assert!(!output.stderr.contains(secret.as_str()), "a credential in stderr of {args:?}:\n{}", output.stderr);
        }
        output
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Output {
    /// Asserts the exit code, showing both streams when it differs.
    pub(crate) fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, expected, "exit code; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Asserts stderr is one line saying `needle` (a failure a person can act on).
    pub(crate) fn one_line_error(&self, needle: &str) -> &Self {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line expected, got:\n{}", self.stderr);
        assert!(lines[0].starts_with("oauth: "), "{}", self.stderr);
        assert!(self.stderr.contains(needle), "`{needle}` not in: {}", self.stderr);
        self
    }

    /// Asserts none of `tokens` is in stderr.
    pub(crate) fn no_token_in_stderr(&self, tokens: &[String]) -> &Self {
        for token in tokens {
            assert!(!self.stderr.contains(token.as_str()), "a token in stderr:\n{}", self.stderr);
        }
        self
    }
}

pub(crate) fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Runs a blocking closure off the runtime, so the emulators keep serving.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("the run finished")
}

/// The bearer tokens the emulator's API received (to check they never reach stderr).
pub(crate) async fn bearers(controls: &oauth_testkit::Controls) -> Vec<String> {
    controls
        .received_requests()
        .await
        .iter()
        .filter_map(|r| r.headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ").map(str::to_owned))
        .collect()
}

/// Runs of 24 or more token characters (base64url, JWT dots, hex): every token the emulators
/// issue is longer.
fn token_like(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '~' | '+' | '/' | '=')))
        .filter(|run| run.len() >= 24)
}

/// Runs `oauth args…` in `sandbox` off the runtime, handing the sandbox back for the next run.
pub(crate) async fn run(sandbox: Sandbox, args: Vec<String>) -> (Sandbox, Output) {
    blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = sandbox.run(&refs);
        (sandbox, output)
    })
    .await
}
