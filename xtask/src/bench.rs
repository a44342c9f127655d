//! `cargo xtask bench`: runs the `core` benchmark of `oauth-bench` and judges oauth-core
//! against its goals — at least 2.5× faster than `oauth2`, at most 2× a bare `serde_json`
//! parse of the same body, at most 10 allocations per exchange. Then runs the `client` (token
//! source) and `middleware` (bearer middleware throughput) benchmarks, each of which prints its
//! own comparison after criterion's output, so one command prints all three reports; and last
//! the fleet benchmark (`fleet/`: processes sharing one token through Redis, side by side with
//! the same processes alone).
//!
//! Timings are criterion's medians (`<criterion dir>/<group>/<bench>/new/estimates.json`);
//! allocation counts come from `alloc-counts.json`, which the benchmark writes beside them.
//!
//! On a noisy machine medians swing by 2× between runs, so when `valgrind` is on `PATH` the
//! task also counts instructions, which do not: it runs the benchmark binary once per
//! contestant under `valgrind --tool=callgrind --toggle-collect=<that contestant's measured
//! function>` with `OAUTH_BENCH_PROFILE_RUNS` set (the binary then runs each measured exchange
//! exactly that many times and exits before criterion), and divides. The two speed goals are
//! judged on both measures, and fail only when both miss; without valgrind, time alone decides.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use crate::{cargo, workspace_root};

mod callgrind;

use callgrind::{Instructions, PROFILE_RUNS, count_instructions};

/// The contestants, by their criterion ids in the benchmark's main group.
const SUBJECT: &str = "oauth-core";
const RIVAL: &str = "oauth2";
const FLOOR: &str = "bare-serde_json";

const MIN_SPEEDUP_OVER_RIVAL: f64 = 2.5;
const MAX_RATIO_TO_FLOOR: f64 = 2.0;
const MAX_ALLOCATIONS: u64 = 10;

/// What each measured function drops, said in the output because it changes the numbers.
const DROPS_NOTE: &str = "each contestant's measured function drops what its exchange produced (oauth-core: the \
                          request and the token; oauth2: its request, the answer and the token; bare-serde_json: \
                          its struct), so time, allocations and instructions all include the drops";

/// The benchmarks that print their own report, run after `core` in this order.
const SELF_REPORTING: [&str; 2] = ["client", "middleware"];

/// Runs `cargo bench -p oauth-bench --bench core <args>` and prints the verdict, then
/// `--bench client <args>` and `--bench middleware <args>`, which print their own.
///
/// `args` are the arguments after `bench`, passed to each `cargo bench` as they are: a filter
/// (`cargo xtask bench oauth`) or criterion options after `--` (`cargo xtask bench -- --quick`).
/// After `core`, counts instructions per exchange under callgrind when valgrind is on `PATH`
/// (without it, says so and judges on time alone). Fails when a benchmark fails to run; a
/// missed goal is reported, not a failure (a speed goal of `core` is missed when time and
/// instructions both miss it).
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

    bench("core", args, &root, &criterion_dir)?;

    let report = read_json(&report_path).map_err(|e| format!("no allocation counts: {e}"))?;
    let mut results = Results::read(&criterion_dir, &report, started)?;
    results.instructions = count_instructions(&root, &criterion_dir);
    if let Instructions::Counted { per_exchange, .. } = &results.instructions {
        for row in &mut results.rows {
            row.instructions = per_exchange.iter().find(|(name, _)| *name == row.name).map(|&(_, n)| n);
        }
    }
    let (table, missed) = results.render();
    print_report(&table);
    // A missed goal is a finding to report, not a failure of the task: the exit status says
    // whether the benchmarks ran.
    if missed > 0 {
        eprintln!("bench: {missed} goal(s) missed (see the table)");
    }
    for name in SELF_REPORTING {
        bench(name, args, &root, &criterion_dir)?;
    }
    print_fresh_path_share(&criterion_dir, started);
    fleet(args)
}

/// The fleet benchmark (`fleet/`): 8 processes x 100 tasks for 30 s against one emulator
/// issuing 3 s tokens, without a store and with Redis, side by side. Needs `redis-server`.
/// Runs unless a filter that is not `fleet` was given.
fn fleet(args: &[String]) -> Result<(), String> {
    let filter = args.iter().take_while(|a| *a != "--").find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| f != "fleet") {
        return Ok(());
    }
    eprintln!("\n==> cargo run --release -p oauth-fleet -- run (about 70 s)");
    let status = cargo()
        .args(["run", "--release", "--quiet", "--locked", "-p", "oauth-fleet", "--", "run"])
        .status()
        .map_err(|e| format!("could not start the fleet benchmark: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("the fleet benchmark failed ({status})")) }
}

/// The fresh path's cost as a share of one loopback API call through each middleware — the
/// number that says whether the fresh path is worth any machinery: the clock read it costs,
/// against the call it precedes.
#[expect(clippy::print_stdout, reason = "the verdict is this task's output")]
fn print_fresh_path_share(criterion_dir: &Path, started: SystemTime) {
    let get =
        |group: &str, name: &str| median_ns(&criterion_dir.join(group).join(name).join("new/estimates.json"), started);
    let (Some(clock), Some(flag)) = (get("token_source", "fresh_clock_path"), get("token_source", "fresh_flag_path"))
    else {
        println!("\nfresh path share of an API call: not measured in this run");
        return;
    };
    println!("\nfresh path against one loopback API call (per-request time at the baseline's throughput)\n");
    println!("{:<44} {:>12} {:>16} {:>16}", "API call through", "per request", "clock path", "clock - flag");
    for (id, label) in
        [("reqwest_static_header", "reqwest (static header)"), ("hyper_static_header", "hyper (static header)")]
    {
        if let Some(call) = get("middleware", id) {
            let share = |ns: f64| format!("{:.3} %", 100.0 * ns / call);
            println!("{label:<44} {:>12} {:>16} {:>16}", time(Some(call)), share(clock), share(clock - flag));
        }
    }
    println!("goal: the clock path under 1 % of a call");
}

/// `cargo bench -p oauth-bench --bench <name> <args>`, writing under `criterion_dir`.
fn bench(name: &str, args: &[String], root: &Path, criterion_dir: &Path) -> Result<(), String> {
    eprintln!("\n==> cargo bench -p oauth-bench --bench {name}");
    let status = cargo()
        .args(["bench", "-p", "oauth-bench", "--bench", name])
        .args(args)
        .env("CRITERION_HOME", criterion_dir)
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not start cargo bench --bench {name}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo bench --bench {name} failed ({status})")) }
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
    /// Callgrind instructions per exchange; contestants only, when counted.
    instructions: Option<f64>,
    allocations: u64,
    bytes: u64,
    phases: Vec<Self>,
}

struct Results {
    group: String,
    method: String,
    rows: Vec<Row>,
    instructions: Instructions,
}

impl Results {
    fn read(criterion_dir: &Path, report: &Value, started: SystemTime) -> Result<Self, String> {
        let group = report["group"].as_str().ok_or("alloc-counts.json: no group")?;
        let median = |bench: &str| median_ns(&criterion_dir.join(bench).join("new/estimates.json"), started);
        let row = |value: &Value, bench: Option<String>| Row {
            name: value["name"].as_str().unwrap_or("?").to_owned(),
            median_ns: bench.and_then(|b| median(&b)),
            instructions: None,
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
        Ok(Self {
            group: group.to_owned(),
            method: report["method"].as_str().unwrap_or("").to_owned(),
            rows,
            instructions: Instructions::Skipped("not counted yet".into()),
        })
    }

    fn contestant(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name)
    }

    /// The table and the goals; returns it with the number of goals missed.
    fn render(&self) -> (String, usize) {
        let subject = self.contestant(SUBJECT);
        let subject_ns = subject.and_then(|r| r.median_ns);
        let subject_instr = subject.and_then(|r| r.instructions);
        let mut out = String::new();
        let _ = writeln!(out, "\n{} exchange: criterion median time; allocations: {}", self.group, self.method);
        match &self.instructions {
            Instructions::Counted { out_dir, .. } => {
                let _ = writeln!(
                    out,
                    "instructions: callgrind Ir inside each measured function, {PROFILE_RUNS} runs each, divided by \
                     {PROFILE_RUNS} (deterministic, but a proxy for time: blind to cache misses and how many \
                     instructions run per cycle; callgrind files in {})",
                    out_dir.display()
                );
            }
            Instructions::Skipped(why) => {
                let _ = writeln!(out, "instruction counts: skipped ({why})");
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<50} {:>10} {:>14} {:>15} {:>21} {:>9} {:>9}",
            "contestant", "median", "vs oauth-core", "instr/exchange", "vs oauth-core (instr)", "allocs", "bytes"
        );
        for row in &self.rows {
            let ratio = match (row.median_ns, subject_ns) {
                (Some(ns), Some(base)) => format!("{:.2}×", ns / base),
                _ => "-".into(),
            };
            let instr_ratio = match (row.instructions, subject_instr) {
                (Some(n), Some(base)) => format!("{:.2}×", n / base),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "{:<50} {:>10} {:>14} {:>15} {:>21} {:>9} {:>9}",
                row.name,
                time(row.median_ns),
                ratio,
                row.instructions.map_or_else(|| "-".into(), |n| format!("{n:.0}")),
                instr_ratio,
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
                    "{name:<50} {:>10} {share:>14} {:>15} {:>21} {:>9} {:>9}",
                    time(phase.median_ns),
                    "",
                    "",
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
        let _ = writeln!(out, "({DROPS_NOTE})");

        let instr_missing = match &self.instructions {
            Instructions::Counted { .. } => "n/a (not counted)".to_owned(),
            Instructions::Skipped(why) => format!("n/a ({why})"),
        };
        let measure = |(short, name), value: Option<f64>, passes: fn(f64) -> bool, missing: &str| Measure {
            short,
            name,
            verdict: value.map(|v| (format!("{v:.2}×"), passes(v))),
            missing: missing.to_owned(),
        };
        let rival = self.contestant(RIVAL);
        let floor = self.contestant(FLOOR);
        let ratio = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a / b);
        let speedup = |v: f64| v >= MIN_SPEEDUP_OVER_RIVAL;
        let to_floor = |v: f64| v <= MAX_RATIO_TO_FLOOR;
        let speed_goals = [
            (
                format!("{SUBJECT} at least {MIN_SPEEDUP_OVER_RIVAL}× faster than {RIVAL}"),
                [
                    measure(TIME, ratio(rival.and_then(|r| r.median_ns), subject_ns), speedup, TIME_MISSING),
                    measure(INSTR, ratio(rival.and_then(|r| r.instructions), subject_instr), speedup, &instr_missing),
                ],
            ),
            (
                format!("{SUBJECT} at most {MAX_RATIO_TO_FLOOR}× the bare serde_json parse"),
                [
                    measure(TIME, ratio(subject_ns, floor.and_then(|r| r.median_ns)), to_floor, TIME_MISSING),
                    measure(INSTR, ratio(subject_instr, floor.and_then(|r| r.instructions)), to_floor, &instr_missing),
                ],
            ),
        ];

        let _ = writeln!(out, "\ngoals:");
        let mut missed = 0;
        for (goal, measures) in speed_goals {
            // Instructions decide when counted (deterministic); time decides only without them.
            let [time, instructions] = &measures;
            let decisive = if instructions.verdict.is_some() { instructions } else { time };
            let (word, basis) = match &decisive.verdict {
                None => ("n/a ", "not measured in this run".to_owned()),
                Some((_, true)) => ("PASS", format!("decided by {}", decisive.short)),
                Some((_, false)) => {
                    missed += 1;
                    ("FAIL", format!("decided by {}", decisive.short))
                }
            };
            let _ = writeln!(out, "  {word}  {goal:<56} {basis}");
            for m in &measures {
                let (value, verdict) = match &m.verdict {
                    Some((value, true)) => (value.as_str(), "pass"),
                    Some((value, false)) => (value.as_str(), "miss"),
                    None => ("-", m.missing.as_str()),
                };
                let _ = writeln!(out, "          {:<44} {value:>8}  {verdict}", m.name);
            }
        }
        let allocations = subject.map(|r| (r.allocations.to_string(), r.allocations <= MAX_ALLOCATIONS));
        let goal = format!("{SUBJECT} at most {MAX_ALLOCATIONS} allocations per exchange");
        let (word, value) = match allocations {
            Some((value, true)) => ("PASS", value),
            Some((value, false)) => {
                missed += 1;
                ("FAIL", value)
            }
            None => ("n/a ", "not counted in this run".to_owned()),
        };
        let _ = writeln!(out, "  {word}  {goal:<56} {value}");
        let _ = writeln!(
            out,
            "rule: instruction counts decide the speed goals (time on this shared machine can swing 2x between \
             runs); time decides only when valgrind is missing. Time is always shown."
        );
        (out, missed)
    }
}

/// The two measures of the speed goals, as the goals block names them (short, long).
const TIME: (&str, &str) = ("time", "by time (criterion median)");
const INSTR: (&str, &str) = ("instructions", "by instructions (callgrind, deterministic)");
const TIME_MISSING: &str = "n/a (not timed in this run)";

/// One speed goal judged on one measure.
struct Measure {
    short: &'static str,
    name: &'static str,
    /// The ratio, shown, and whether it meets the goal; `None` when not measured.
    verdict: Option<(String, bool)>,
    /// What to say when not measured.
    missing: String,
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
