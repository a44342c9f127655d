//! Developer tasks for the workspace: `cargo xtask ci | tidy | bench | interop | package | fuzz`.
//!
//! `ci` is what CI runs (`.ci/run`) and what the README gives as the test command.

mod bench;
mod ci;
mod fuzz;
mod interop;
mod package;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  ci      fmt --check, tidy, clippy -D warnings, tests (unit, integration, doc), docs -D warnings,
          `oauth demo`, packaging, interop; `ci --quick` stops before packaging
  tidy    the repository's structural rules (dependency layering, sans-IO core, file headers)
  bench   the benchmarks, with ratios against their baselines (extra args go to criterion)
  interop the adapters against real authorization servers (oidc-provider, Authlib), installed
          into target/interop from npm and PyPI and run on 127.0.0.1
  package package every published crate, unpack the packages together and test them there
  fuzz    [--seconds N] [--runs N] [TARGET…]: the cargo-fuzz targets (nightly), one at a time,
          N seconds each (default 60); prints executions and crashes, fails on a crash";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&args[1..]),
        Some("tidy") => tidy::run(&workspace_root()).map(|()| eprintln!("tidy: ok")),
        Some("bench") => bench::run(&args[1..]),
        Some("interop") => interop::run(),
        Some("package") => package::run(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            eprintln!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command in the workspace root, echoing it first; fails on a non-zero exit.
pub(crate) fn run_step(name: &str, command: &mut Command) -> Result<(), String> {
    eprintln!("\n==> {name}");
    let status = command
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("{name}: could not start {:?}: {e}", command.get_program()))?;
    if status.success() { Ok(()) } else { Err(format!("{name} failed ({status})")) }
}

/// `cargo metadata` of the workspace's own packages (no dependencies), as JSON.
pub(crate) fn workspace_metadata(root: &Path) -> Result<serde_json::Value, String> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

/// Set by `ci`: every cargo it starts builds lean (see [`cargo`]).
static LEAN_BUILDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `cargo`, as the one running this task. Under `ci`, without incremental state and with debug
/// information stripped from what is linked: a cold run then writes about half the bytes (a
/// failing test still names its file and line, which come from the panic, not debug info).
pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    if LEAN_BUILDS.load(std::sync::atomic::Ordering::Relaxed) {
        command.env("CARGO_INCREMENTAL", "0").env("CARGO_PROFILE_DEV_STRIP", "debuginfo");
    }
    command
}
