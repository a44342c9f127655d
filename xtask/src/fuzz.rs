//! `cargo xtask fuzz [--seconds N] [--runs N] [TARGET…]`: the cargo-fuzz targets (`fuzz/`), one
//! at a time, each for N seconds (default 60) from a scratch corpus under `target/fuzz/` seeded
//! by the committed one; prints each target's executions and crashes, and fails on any crash.
//!
//! The targets need a nightly toolchain and cargo-fuzz; cargo-fuzz is installed from crates.io
//! when missing. One libFuzzer process runs at a time, and cargo builds with one job. The
//! targets are built as cargo-fuzz builds them (optimised, with debug assertions and overflow
//! checks) but without AddressSanitizer: the code under test is safe Rust but for the one
//! audited `unsafe` block, the secret wipe, which only fills a string it holds with zeros; and
//! without the sanitizer a run executes about four times as many inputs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cargo, workspace_root};

/// Seconds per target when neither `--seconds` nor `--runs` is given.
const DEFAULT_SECONDS: u64 = 60;

/// Every cargo-fuzz build and run uses these, so a run never rebuilds what the build step built.
const BUILD_FLAGS: [&str; 2] = ["--sanitizer", "none"];

/// An input that takes longer than this is reported as a finding (a hang), not waited for.
const TIMEOUT_SECONDS: u64 = 10;

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let options = Options::parse(args)?;
    let root = workspace_root();
    let fuzz_dir = root.join("fuzz");
    let known = targets(&fuzz_dir)?;
    let chosen = if options.targets.is_empty() { known.clone() } else { options.targets.clone() };
    if let Some(unknown) = chosen.iter().find(|t| !known.contains(t)) {
        return Err(format!("no fuzz target `{unknown}`; the targets are: {}", known.join(", ")));
    }
    ensure_cargo_fuzz()?;
    eprintln!("\n==> fuzz: build the targets (nightly, one cargo job)");
    let build = nightly_fuzz()
        .arg("build")
        .args(BUILD_FLAGS)
        .arg("--fuzz-dir")
        .arg(&fuzz_dir)
        .status()
        .map_err(|e| format!("cargo +nightly fuzz build: {e}"))?;
    if !build.success() {
        return Err(format!("cargo +nightly fuzz build failed ({build})"));
    }
    let mut results = Vec::new();
    for target in &chosen {
        let result = run_target(&root, target, &options)?;
        eprintln!("{}", result.line());
        results.push(result);
    }
    eprintln!("\nfuzz summary ({} per target, one job):", options.limit());
    eprintln!("| target | executions | seconds | findings |\n|---|---:|---:|---|");
    for result in &results {
        eprintln!("| {} | {} | {} | {} |", result.target, result.executions, result.seconds, result.findings());
    }
    let crashed: Vec<&str> = results.iter().filter(|r| r.crashed()).map(|r| r.target.as_str()).collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found crashes in {}: keep each input as fuzz/crashes/<target>/<what-it-shows> (the \
             replay test then runs it) and fix the cause",
            crashed.join(", ")
        ))
    }
}

/// What was asked on the command line.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    seconds: Option<u64>,
    runs: Option<u64>,
    targets: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Self { seconds: None, runs: None, targets: Vec::new() };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
                _ => (arg.as_str(), None),
            };
            let slot = match flag {
                "--seconds" => &mut options.seconds,
                "--runs" => &mut options.runs,
                _ if flag.starts_with('-') => return Err(format!("fuzz: unknown option `{arg}`")),
                _ => {
                    options.targets.push(arg.clone());
                    continue;
                }
            };
            let value = inline.or_else(|| args.next().map(String::as_str));
            let number = value.and_then(|v| v.parse::<u64>().ok()).filter(|&n| n > 0);
            *slot = Some(number.ok_or_else(|| format!("fuzz: `{flag}` takes a whole number above zero"))?);
        }
        if options.seconds.is_none() && options.runs.is_none() {
            options.seconds = Some(DEFAULT_SECONDS);
        }
        Ok(options)
    }

    /// The libFuzzer flags that stop a run.
    fn limits(&self) -> Vec<String> {
        let mut flags = vec![format!("-max_total_time={}", self.seconds.unwrap_or(0))];
        flags.extend(self.runs.map(|runs| format!("-runs={runs}")));
        flags
    }

    fn limit(&self) -> String {
        match (self.seconds, self.runs) {
            (Some(seconds), Some(runs)) => format!("{seconds} s or {runs} executions"),
            (Some(seconds), None) => format!("{seconds} s"),
            (None, Some(runs)) => format!("{runs} executions"),
            (None, None) => "no limit".to_owned(),
        }
    }
}

/// The targets: the names of `fuzz/fuzz_targets/*.rs`, sorted.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// `cargo +nightly fuzz`, building with one job. The rustup proxy is called by name: the
/// `cargo` running this task is a toolchain's own and takes no `+toolchain`.
fn nightly_fuzz() -> Command {
    let mut command = Command::new("cargo");
    command.args(["+nightly", "fuzz"]).env("CARGO_BUILD_JOBS", "1").current_dir(workspace_root());
    command
}

/// Installs cargo-fuzz when `cargo +nightly fuzz` is not there, saying so.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let nightly = Command::new("cargo").args(["+nightly", "--version"]).output();
    if !nightly.is_ok_and(|output| output.status.success()) {
        return Err("the fuzz targets need a nightly toolchain: `rustup toolchain install nightly`".to_owned());
    }
    let present = Command::new("cargo").args(["+nightly", "fuzz", "--version"]).output();
    if present.is_ok_and(|output| output.status.success()) {
        return Ok(());
    }
    eprintln!(
        "\n==> fuzz: cargo-fuzz is not installed; installing it from crates.io (cargo install cargo-fuzz --locked)"
    );
    let status = cargo()
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("cargo install cargo-fuzz: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo install cargo-fuzz --locked failed ({status})")) }
}

/// How one target's run went.
struct TargetResult {
    target: String,
    executions: u64,
    seconds: u64,
    /// The inputs libFuzzer saved as findings (crash, leak, timeout, out of memory).
    artifacts: Vec<PathBuf>,
    /// The first panic or sanitizer line of the log, if any.
    message: Option<String>,
    log: PathBuf,
    exit_ok: bool,
}

impl TargetResult {
    fn crashed(&self) -> bool {
        !self.exit_ok || !self.artifacts.is_empty()
    }

    fn findings(&self) -> String {
        if !self.crashed() {
            return "none".to_owned();
        }
        let inputs: Vec<String> = self.artifacts.iter().map(|a| a.display().to_string()).collect();
        let message = self.message.as_deref().unwrap_or("see the log");
        format!("{message} (inputs: {}; log: {})", inputs.join(", "), self.log.display())
    }

    fn line(&self) -> String {
        let rate = self.executions / self.seconds.max(1);
        format!(
            "fuzz {}: {} executions in {} s ({rate}/s); findings: {}",
            self.target,
            self.executions,
            self.seconds,
            self.findings()
        )
    }
}

/// Runs one target from a scratch corpus (`target/fuzz/corpus/<target>`, new inputs go there)
/// plus the committed inputs, which libFuzzer reads but never writes.
fn run_target(root: &Path, target: &str, options: &Options) -> Result<TargetResult, String> {
    let scratch = root.join("target/fuzz");
    let corpus = scratch.join("corpus").join(target);
    let artifacts = scratch.join("artifacts").join(target);
    let logs = scratch.join("logs");
    let _ = fs::remove_dir_all(&artifacts);
    for dir in [&corpus, &artifacts, &logs] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let log = logs.join(format!("{target}.log"));
    let file = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let stderr = file.try_clone().map_err(|e| format!("{}: {e}", log.display()))?;

    let mut command = nightly_fuzz();
    command.arg("run").args(BUILD_FLAGS).arg("--fuzz-dir").arg(root.join("fuzz")).arg(target).arg(&corpus);
    for committed in ["corpus", "crashes"] {
        let dir = root.join("fuzz").join(committed).join(target);
        if dir.is_dir() {
            command.arg(dir);
        }
    }
    command
        .arg("--")
        .args(options.limits())
        .arg(format!("-timeout={TIMEOUT_SECONDS}"))
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(stderr));
    eprintln!("\n==> fuzz {target} ({}; log: {})", options.limit(), log.display());
    let started = Instant::now();
    let status = command.status().map_err(|e| format!("cargo +nightly fuzz run {target}: {e}"))?;
    let elapsed = started.elapsed();

    let text = fs::read(&log).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let mut saved: Vec<PathBuf> = fs::read_dir(&artifacts).into_iter().flatten().flatten().map(|e| e.path()).collect();
    saved.sort();
    Ok(TargetResult {
        target: target.to_owned(),
        executions: executions(&text).unwrap_or(0),
        seconds: seconds(&text).unwrap_or(elapsed.as_secs()),
        artifacts: saved,
        message: first_finding(&text),
        log,
        exit_ok: status.success(),
    })
}

/// libFuzzer's count of executed inputs: `stat::number_of_executed_units: N` (or the last
/// `Done N runs` line).
fn executions(log: &str) -> Option<u64> {
    let stat = log.lines().rev().find_map(|line| line.strip_prefix("stat::number_of_executed_units:"));
    let done = || log.lines().rev().find_map(|line| line.strip_prefix("Done ")?.split_whitespace().next());
    stat.or_else(done)?.trim().parse().ok()
}

/// The run's length as libFuzzer measured it: `Done N runs in S second(s)`.
fn seconds(log: &str) -> Option<u64> {
    let line = log.lines().rev().find(|line| line.starts_with("Done "))?;
    line.split_whitespace().skip_while(|word| *word != "in").nth(1)?.parse().ok()
}

/// The first line that says what went wrong: a panic, a sanitizer report, a timeout, a leak.
fn first_finding(log: &str) -> Option<String> {
    let needles = ["panicked at", "ERROR: AddressSanitizer", "ERROR: libFuzzer", "ERROR: LeakSanitizer"];
    let at = log.lines().position(|line| needles.iter().any(|n| line.contains(n)))?;
    let mut lines = log.lines().skip(at);
    let first = lines.next()?.trim().to_owned();
    // A panic's message is on the line after its location.
    match lines.next() {
        Some(next) if first.contains("panicked at") => Some(format!("{first} {}", next.trim())),
        _ => Some(first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_default_to_a_minute_per_target() {
        let options = Options::parse(&[]).unwrap();
        assert_eq!(options, Options { seconds: Some(DEFAULT_SECONDS), runs: None, targets: vec![] });
        assert_eq!(options.limits(), ["-max_total_time=60"]);
    }

    #[test]
    fn options_take_seconds_runs_and_targets() {
        let options = Options::parse(&args("--seconds 5 host --runs=1000 challenge")).unwrap();
        assert_eq!(options.seconds, Some(5));
        assert_eq!(options.runs, Some(1000));
        assert_eq!(options.targets, ["host", "challenge"]);
        assert_eq!(Options::parse(&args("--runs 7")).unwrap().limits(), ["-max_total_time=0", "-runs=7"]);
        for bad in ["--seconds", "--seconds 0", "--seconds x", "--jobs 2"] {
            assert!(Options::parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_log_gives_executions_time_and_the_finding() {
        let clean =
            "#1048576\tpulse  cov: 1\nDone 10000001 runs in 97 second(s)\nstat::number_of_executed_units: 10000001\n";
        assert_eq!(executions(clean), Some(10_000_001));
        assert_eq!(seconds(clean), Some(97));
        assert_eq!(first_finding(clean), None);
        let crashed = "#5\tNEW\n\nthread '<unnamed>' panicked at src/host.rs:9:5:\nan error repeats it\nnote: run";
        assert_eq!(
            first_finding(crashed).as_deref(),
            Some("thread '<unnamed>' panicked at src/host.rs:9:5: an error repeats it")
        );
        assert_eq!(executions("Done 42 runs in 0 second(s)"), Some(42));
    }
}
