//! `cargo xtask bench`: runs the `core` benchmark of `oauth-bench` and judges oauth-core
//! against its goals — at least 2.5× faster than `oauth2`, at most 2× a bare `serde_json`
//! parse of the same body, at most 10 allocations per exchange.
//!
//! Timings are criterion's medians (`<criterion dir>/<group>/<bench>/new/estimates.json`);
//! allocation counts come from `alloc-counts.json`, which the benchmark writes beside them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use crate::{cargo, workspace_root};

/// The contestants, by their criterion ids in the benchmark's main group.
const SUBJECT: &str = "oauth-core";
const RIVAL: &str = "oauth2";
const FLOOR: &str = "bare-serde_json";

const MIN_SPEEDUP_OVER_RIVAL: f64 = 2.5;
const MAX_RATIO_TO_FLOOR: f64 = 2.0;
const MAX_ALLOCATIONS: u64 = 10;

/// Runs `cargo bench -p oauth-bench --bench core <args>` and prints the verdict.
///
/// `args` are the arguments after `bench`, passed to `cargo bench` as they are: a filter
/// (`cargo xtask bench oauth`) or criterion options after `--` (`cargo xtask bench -- --quick`).
/// Fails when the benchmark fails or when a goal is missed.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let criterion_dir = criterion_dir(&root)?;
    let report_path = criterion_dir.join("alloc-counts.json");
    let started = SystemTime::now();
    match std::fs::remove_file(&report_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("cannot remove the old {}: {e}", report_path.display()));
        }
        _ => {}
    }

    let status = cargo()
        .args(["bench", "-p", "oauth-bench", "--bench", "core"])
        .args(args)
        .env("CRITERION_HOME", &criterion_dir)
        .current_dir(&root)
        .status()
        .map_err(|e| format!("could not start cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench failed ({status})"));
    }

    let report = read_json(&report_path).map_err(|e| format!("no allocation counts: {e}"))?;
    let results = Results::read(&criterion_dir, &report, started)?;
    let (table, missed) = results.render();
    print_report(&table);
    if missed == 0 { Ok(()) } else { Err(format!("{missed} goal(s) missed")) }
}

#[expect(clippy::print_stdout, reason = "the verdict is this task's output")]
fn print_report(table: &str) {
    print!("{table}");
}

/// `$CRITERION_HOME`, else `criterion` in the target directory (`$CARGO_TARGET_DIR`, else what
/// `cargo metadata` says, else `<workspace root>/target`). Made absolute, because the
/// benchmark runs in its own package directory.
fn criterion_dir(root: &Path) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Ok(cwd.join(home));
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => cwd.join(dir),
        None => metadata_target_dir(root).unwrap_or_else(|| root.join("target")),
    };
    Ok(target.join("criterion"))
}

fn metadata_target_dir(root: &Path) -> Option<PathBuf> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root)
        .output()
        .ok()?;
    let metadata: Value = serde_json::from_slice(&output.stdout).ok()?;
    metadata["target_directory"].as_str().map(PathBuf::from)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// One row: a contestant or one of its phases.
struct Row {
    name: String,
    /// Criterion's median in nanoseconds; `None` when this run did not time it.
    median_ns: Option<f64>,
    allocations: u64,
    bytes: u64,
    phases: Vec<Self>,
}

struct Results {
    group: String,
    method: String,
    rows: Vec<Row>,
}

impl Results {
    fn read(criterion_dir: &Path, report: &Value, started: SystemTime) -> Result<Self, String> {
        let group = report["group"].as_str().ok_or("alloc-counts.json: no group")?;
        let median = |bench: &str| median_ns(&criterion_dir.join(bench).join("new/estimates.json"), started);
        let row = |value: &Value, bench: Option<String>| Row {
            name: value["name"].as_str().unwrap_or("?").to_owned(),
            median_ns: bench.and_then(|b| median(&b)),
            allocations: value["count"]["allocations"].as_u64().unwrap_or(0),
            bytes: value["count"]["bytes"].as_u64().unwrap_or(0),
            phases: Vec::new(),
        };
        let contestants = report["contestants"].as_array().ok_or("alloc-counts.json: no contestants")?;
        let rows = contestants
            .iter()
            .map(|c| {
                let name = c["name"].as_str().unwrap_or("?");
                let mut contestant = row(c, Some(format!("{group}/{name}")));
                let phases = c["phases"].as_array().map(Vec::as_slice).unwrap_or_default();
                contestant.phases = phases.iter().map(|p| row(p, p["bench"].as_str().map(str::to_owned))).collect();
                contestant
            })
            .collect();
        Ok(Self { group: group.to_owned(), method: report["method"].as_str().unwrap_or("").to_owned(), rows })
    }

    fn contestant(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name)
    }

    /// The table and the goals; returns it with the number of goals missed.
    fn render(&self) -> (String, usize) {
        let subject = self.contestant(SUBJECT);
        let subject_ns = subject.and_then(|r| r.median_ns);
        let mut out = String::new();
        let _ = writeln!(out, "\n{} exchange: criterion median time; allocations: {}\n", self.group, self.method);
        let _ = writeln!(
            out,
            "{:<50} {:>10} {:>14} {:>9} {:>9}",
            "contestant", "median", "vs oauth-core", "allocs", "bytes"
        );
        for row in &self.rows {
            let ratio = match (row.median_ns, subject_ns) {
                (Some(ns), Some(base)) => format!("{:.2}×", ns / base),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "{:<50} {:>10} {:>14} {:>9} {:>9}",
                row.name,
                time(row.median_ns),
                ratio,
                row.allocations,
                row.bytes
            );
            for phase in &row.phases {
                let share = match (phase.median_ns, row.median_ns) {
                    (Some(ns), Some(total)) => format!("{:.0}%", 100.0 * ns / total),
                    _ => String::new(),
                };
                let name = format!("  {}", phase.name);
                let _ = writeln!(
                    out,
                    "{name:<50} {:>10} {share:>14} {:>9} {:>9}",
                    time(phase.median_ns),
                    phase.allocations,
                    phase.bytes
                );
            }
        }

        let _ = writeln!(
            out,
            "(indented rows are parts, timed on their own; their % is of the contestant's median and need not \
             add up to 100%)"
        );

        let rival_ns = self.contestant(RIVAL).and_then(|r| r.median_ns);
        let floor_ns = self.contestant(FLOOR).and_then(|r| r.median_ns);
        let goals = [
            (
                format!("{SUBJECT} at least {MIN_SPEEDUP_OVER_RIVAL}× faster than {RIVAL}"),
                rival_ns.zip(subject_ns).map(|(r, s)| (format!("{:.2}×", r / s), r / s >= MIN_SPEEDUP_OVER_RIVAL)),
            ),
            (
                format!("{SUBJECT} at most {MAX_RATIO_TO_FLOOR}× the bare serde_json parse"),
                subject_ns.zip(floor_ns).map(|(s, f)| (format!("{:.2}×", s / f), s / f <= MAX_RATIO_TO_FLOOR)),
            ),
            (
                format!("{SUBJECT} at most {MAX_ALLOCATIONS} allocations per exchange"),
                subject.map(|r| (r.allocations.to_string(), r.allocations <= MAX_ALLOCATIONS)),
            ),
        ];
        let _ = writeln!(out, "\ngoals:");
        let mut missed = 0;
        for (goal, verdict) in goals {
            let (word, value) = match verdict {
                Some((value, true)) => ("PASS", value),
                Some((value, false)) => {
                    missed += 1;
                    ("FAIL", value)
                }
                None => ("n/a ", "not timed in this run".to_owned()),
            };
            let _ = writeln!(out, "  {word}  {goal:<56} {value}");
        }
        (out, missed)
    }
}

/// The median of one benchmark, when its estimates were written by this run.
fn median_ns(path: &Path, started: SystemTime) -> Option<f64> {
    let fresh = std::fs::metadata(path).and_then(|m| m.modified()).is_ok_and(|at| at >= started);
    if !fresh {
        return None;
    }
    read_json(path).ok()?["median"]["point_estimate"].as_f64()
}

fn time(ns: Option<f64>) -> String {
    match ns {
        None => "-".into(),
        Some(ns) if ns < 1_000.0 => format!("{ns:.1} ns"),
        Some(ns) if ns < 1_000_000.0 => format!("{:.3} µs", ns / 1_000.0),
        Some(ns) => format!("{:.3} ms", ns / 1_000_000.0),
    }
}
