//! `cargo xtask interop`: runs the adapters against real authorization servers on 127.0.0.1.
//!
//! 1. Installs the servers into `target/interop/`, never system-wide: oidc-provider and
//!    @node-oauth/oauth2-server (with express) each with `npm ci` from its
//!    `interop/servers/<name>/package-lock.json`, Authlib and Flask into a Python venv from
//!    `interop/servers/authlib/requirements.txt` (exact pins). An install is redone only when its
//!    pins, the interpreter's version or the folder change. npm's and pip's download caches live
//!    there too.
//! 2. Starts each server on a port the system picks: the server binds `127.0.0.1:0` and prints
//!    `listening <base URL>` (no window between finding a free port and taking it);
//!    oidc-provider also binds an HTTPS listener for mutual TLS the same way and prints
//!    `listening-tls <base URL>`. Waits until each accepts connections, at most 30 s. Server
//!    output goes to `target/interop/logs/`. The Node servers get their folder in the
//!    repository in `OAUTH_INTEROP_SERVER_SOURCE` (oidc-provider reads its test-only keys and
//!    certificates from there).
//! 3. Builds the interop client (`interop/`) and the `oauth` command (`crates/oauth-cli`) before
//!    the servers start, then runs the client with `cargo run -p oauth-interop`, the base URLs in
//!    `OAUTH_INTEROP_OIDC_PROVIDER_URL` (its HTTPS one in `OAUTH_INTEROP_OIDC_PROVIDER_TLS_URL`),
//!    `OAUTH_INTEROP_AUTHLIB_URL` and `OAUTH_INTEROP_NODE_OAUTH_URL`, and the built `oauth`
//!    binary in `OAUTH_INTEROP_CLI` (under
//!    `CARGO_TARGET_DIR` when set, else `target/`); it prints a line per scenario.
//! 4. Stops the servers whatever happened (a guard kills them on drop, panics included; they also
//!    exit by themselves when their stdin closes, should this task be killed).
//!
//! Needs `node`, `npm` and `python3` on `PATH`, and the npm and Python package registries.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{cargo, run_step, workspace_root};

/// How long a server may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// What a server prints on stdout once it listens, followed by its base URL.
const READY_PREFIX: &str = "listening ";

/// What oidc-provider prints on stdout once its HTTPS listener (mutual TLS) listens, followed by
/// its base URL.
const TLS_READY_PREFIX: &str = "listening-tls ";

/// Installs and starts the servers, runs the interop client against them, stops them.
///
/// # Errors
/// A missing tool, a failed install, a server that does not start, or a failed scenario.
pub(crate) fn run() -> Result<(), String> {
    let started = Instant::now();
    let root = workspace_root();
    let servers = root.join("interop/servers");
    let cache = root.join("target/interop");
    let logs = cache.join("logs");
    fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;

    let node = tool_version("node", "Node.js 20 or later")?;
    tool_version("npm", "npm, which comes with Node.js")?;
    let python = tool_version("python3", "Python 3.9 or later with the venv module")?;

    let oidc_dir = cache.join("oidc-provider");
    install_npm("oidc-provider", &servers.join("oidc-provider"), &oidc_dir, &cache, &node)?;
    let node_oauth_dir = cache.join("node-oauth");
    install_npm("@node-oauth/oauth2-server", &servers.join("node-oauth"), &node_oauth_dir, &cache, &node)?;
    let venv = cache.join("venv");
    let requirements = servers.join("authlib/requirements.txt");
    install_authlib(&requirements, &venv, &cache, &python)?;
    run_step(
        "interop: build the client and the `oauth` command",
        cargo().args(["build", "--quiet", "--locked", "--package", "oauth-interop", "--package", "oauth-cli"]),
    )?;
    let oauth_cli = cli_binary(&root);
    let prepared = started.elapsed();

    eprintln!("\n==> interop: start the servers");
    let oidc = Server::start("oidc-provider", node_server(&servers.join("oidc-provider"), &oidc_dir)?, &logs, true)?;
    let node_oauth =
        Server::start("node-oauth", node_server(&servers.join("node-oauth"), &node_oauth_dir)?, &logs, false)?;
    let mut python_server = Command::new(venv_python(&venv));
    python_server
        .arg(servers.join("authlib/server.py"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .current_dir(&cache);
    let authlib = Server::start("authlib", python_server, &logs, false)?;
    let ready = started.elapsed();

    let result = run_step(
        "interop: run the scenarios (cargo run -p oauth-interop)",
        cargo()
            .args(["run", "--quiet", "--locked", "--package", "oauth-interop"])
            .env("OAUTH_INTEROP_OIDC_PROVIDER_URL", &oidc.url)
            .env("OAUTH_INTEROP_OIDC_PROVIDER_TLS_URL", oidc.tls_url.as_deref().unwrap_or_default())
            .env("OAUTH_INTEROP_AUTHLIB_URL", &authlib.url)
            .env("OAUTH_INTEROP_NODE_OAUTH_URL", &node_oauth.url)
            .env("OAUTH_INTEROP_CLI", &oauth_cli),
    );
    drop((oidc, authlib, node_oauth));
    eprintln!(
        "\ninterop: install and build {:.1?}, servers up {:.1?}, scenarios {:.1?}, total {:.1?}; server logs in {}",
        prepared,
        ready.saturating_sub(prepared),
        started.elapsed().saturating_sub(ready),
        started.elapsed(),
        rel(&root, &logs),
    );
    result.map_err(|e| format!("{e}; server logs in {}", rel(&root, &logs)))
}

/// The `oauth` binary `cargo build --package oauth-cli` makes: in `CARGO_TARGET_DIR` when it is
/// set (a relative one is taken from the workspace root, where the build runs), else in `target/`.
fn cli_binary(root: &Path) -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    };
    target.join("debug").join(format!("oauth{}", std::env::consts::EXE_SUFFIX))
}

/// `program --version`, or a message saying what to install.
fn tool_version(program: &str, what: &str) -> Result<String, String> {
    let missing =
        |detail: String| format!("interop needs `{program}` on PATH ({what}) to install and run the servers: {detail}");
    let output = Command::new(program).arg("--version").output().map_err(|e| missing(e.to_string()))?;
    if !output.status.success() {
        return Err(missing(format!("`{program} --version` failed ({})", output.status)));
    }
    let text = if output.stdout.is_empty() { output.stderr } else { output.stdout };
    Ok(String::from_utf8_lossy(&text).trim().to_owned())
}

/// `npm ci` of the server pinned in `source` (its `package.json` and `package-lock.json`) into
/// `dir`, unless the same pins are installed there. `name` names it in messages.
fn install_npm(name: &str, source: &Path, dir: &Path, cache: &Path, node: &str) -> Result<(), String> {
    let manifest = read(&source.join("package.json"))?;
    let lock = read(&source.join("package-lock.json"))?;
    let stamp = [format!("node {node}\n{}\n", dir.display()).into_bytes(), manifest.clone(), lock.clone()].concat();
    if is_installed(dir, &stamp) && dir.join("node_modules").is_dir() {
        eprintln!("interop: {name} already installed in {} (pins unchanged)", rel(&workspace_root(), dir));
        return Ok(());
    }
    eprintln!(
        "\n==> interop: install {name} (npm ci, pinned by package-lock.json) into {}",
        rel(&workspace_root(), dir)
    );
    remove(&dir.join("node_modules"))?;
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(&dir.join("package.json"), &manifest)?;
    write(&dir.join("package-lock.json"), &lock)?;
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"])
        .env("npm_config_cache", cache.join("npm-cache"))
        .env("npm_config_update_notifier", "false");
    run_in(dir, "npm ci", &mut npm)?;
    write(&dir.join(STAMP), &stamp)
}

/// `node server.mjs` in `dir`, where the server's packages are installed, with the current
/// `server.mjs` copied there from `source`, which `OAUTH_INTEROP_SERVER_SOURCE` names (for the
/// files the server reads from its folder).
fn node_server(source: &Path, dir: &Path) -> Result<Command, String> {
    copy(&source.join("server.mjs"), &dir.join("server.mjs"))?;
    let mut command = Command::new("node");
    command.arg("server.mjs").current_dir(dir).env("OAUTH_INTEROP_SERVER_SOURCE", source);
    Ok(command)
}

/// A venv with the pinned Authlib and Flask at `venv`, unless the same pins are installed there.
fn install_authlib(requirements: &Path, venv: &Path, cache: &Path, python: &str) -> Result<(), String> {
    let pins = read(requirements)?;
    let stamp = [format!("{python}\n{}\n", venv.display()).into_bytes(), pins].concat();
    if is_installed(venv, &stamp) && venv_python(venv).is_file() {
        eprintln!("interop: Authlib already installed in {} (pins unchanged)", rel(&workspace_root(), venv));
        return Ok(());
    }
    eprintln!(
        "\n==> interop: install Authlib + Flask (pip, pinned by requirements.txt) into {}",
        rel(&workspace_root(), venv)
    );
    remove(venv)?;
    run_in(cache, "python3 -m venv", Command::new("python3").arg("-m").arg("venv").arg(venv))?;
    let mut pip = Command::new(venv_python(venv));
    pip.args(["-m", "pip", "install", "--quiet", "--no-input", "--disable-pip-version-check", "--requirement"])
        .arg(requirements)
        .env("PIP_CACHE_DIR", cache.join("pip-cache"));
    run_in(cache, "pip install", &mut pip)?;
    write(&venv.join(STAMP), &stamp)
}

/// The file recording what an install was made from.
const STAMP: &str = ".interop-installed";

fn is_installed(dir: &Path, stamp: &[u8]) -> bool {
    fs::read(dir.join(STAMP)).is_ok_and(|recorded| recorded == stamp)
}

/// The venv's interpreter (the Unix layout: CI and developers run this on Linux or macOS).
fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Runs `command` in `dir`; fails on a non-zero exit.
fn run_in(dir: &Path, name: &str, command: &mut Command) -> Result<(), String> {
    let status = command
        .current_dir(dir)
        .status()
        .map_err(|e| format!("{name}: could not start `{}`: {e}", command.get_program().display()))?;
    if status.success() { Ok(()) } else { Err(format!("{name} failed ({status})")) }
}

/// A running server, killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    url: String,
    /// The base URL of its HTTPS listener, for a server started with one.
    tls_url: Option<String>,
}

impl Server {
    /// Starts `command`, waits for its `listening <url>` line (and, with `tls`, its
    /// `listening-tls <url>` line) and for each port to accept a connection, within
    /// [`START_TIMEOUT`].
    fn start(name: &'static str, mut command: Command, logs: &Path, tls: bool) -> Result<Self, String> {
        let log_path = logs.join(format!("{name}.log"));
        let log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let stdout_log = log.try_clone().map_err(|e| format!("{}: {e}", log_path.display()))?;
        let child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{name}: could not start `{}`: {e}", command.get_program().display()))?;
        // From here on the guard stops the server on every path, errors included.
        let mut server = Self { name, child, url: String::new(), tls_url: None };
        let deadline = Instant::now() + START_TIMEOUT;
        let failed = |why: String| format!("{name} did not start: {why}\n{}", tail(&log_path));

        let stdout = server.child.stdout.take().ok_or_else(|| failed("no stdout".to_owned()))?;
        let (ready, announced) = mpsc::channel();
        std::thread::spawn(move || forward_stdout(stdout, stdout_log, &ready));
        let (mut url, mut tls_url) = (None, None);
        while url.is_none() || (tls && tls_url.is_none()) {
            let expected = if url.is_none() { READY_PREFIX } else { TLS_READY_PREFIX };
            match announced.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok((READY_PREFIX, announced)) => url = Some(announced),
                Ok((_, announced)) => tls_url = Some(announced),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(failed(format!("no `{expected}<url>` line within {START_TIMEOUT:?}")));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(100));
                    let status = match server.child.try_wait() {
                        Ok(Some(status)) => format!("it exited ({status})"),
                        _ => "it closed its stdout".to_owned(),
                    };
                    return Err(failed(format!("{status} before printing `{expected}<url>`")));
                }
            }
        }
        let url = url.unwrap_or_default();
        for announced in std::iter::once(&url).chain(&tls_url) {
            let address = socket_address(announced)
                .ok_or_else(|| failed(format!("cannot read an address from `{announced}`")))?;
            while TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_err() {
                if Instant::now() > deadline {
                    return Err(failed(format!("{address} refused connections for {START_TIMEOUT:?}")));
                }
                if let Ok(Some(status)) = server.child.try_wait() {
                    return Err(failed(format!("it exited ({status})")));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let also = tls_url.as_ref().map(|tls| format!(" and {tls}")).unwrap_or_default();
        eprintln!("interop: {name} listening on {url}{also} (pid {})", server.child.id());
        server.url = url;
        server.tls_url = tls_url;
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only this process's own child, by its handle; it may have exited already.
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("interop: stopped {}", self.name);
    }
}

/// Sends the base URL of each of the server's `listening <url>` and `listening-tls <url>` lines
/// with its prefix, and copies the rest of its stdout into its log until it closes.
fn forward_stdout(stdout: impl std::io::Read, mut log: File, ready: &mpsc::Sender<(&'static str, String)>) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let announced = [READY_PREFIX, TLS_READY_PREFIX]
            .into_iter()
            .find_map(|prefix| line.strip_prefix(prefix).map(|url| (prefix, url.trim().to_owned())));
        match announced {
            Some(announced) => {
                let _ = ready.send(announced);
            }
            None => {
                let _ = writeln!(log, "{line}");
            }
        }
    }
}

/// `127.0.0.1:<port>` from `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
fn socket_address(url: &str) -> Option<SocketAddr> {
    let authority = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"))?;
    authority.trim_end_matches('/').parse().ok()
}

/// The last lines of a server's log, for an error message.
fn tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(20);
    format!("--- {} (last lines) ---\n{}", log.display(), lines[start..].join("\n"))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to).map(drop).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn remove(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot remove {}: {e}", dir.display())),
        _ => Ok(()),
    }
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
