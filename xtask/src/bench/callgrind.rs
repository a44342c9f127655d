//! Counting instructions per exchange under callgrind: the benchmark binary run once per
//! contestant with `--toggle-collect=<its measured function>` and a fixed number of runs, the
//! total divided by the runs. Deterministic where timings on a noisy machine are not.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{FLOOR, RIVAL, SUBJECT};
use crate::cargo;

/// Each contestant's measured exchange function in `benches/benches/core.rs`, as a callgrind
/// `--toggle-collect` pattern (the bench target is named `core`, hence the crate name; the `*`
/// allows for a symbol suffix such as `.llvm.123`). Each must match exactly one function that
/// ran; [`callgrind`] checks.
pub(super) const MEASURED_FUNCTIONS: [(&str, &str); 3] = [
    (SUBJECT, "core::measured_oauth_core_exchange*"),
    (RIVAL, "core::measured_oauth2_exchange*"),
    (FLOOR, "core::measured_bare_serde_json_exchange*"),
];

/// Makes the benchmark binary run each measured exchange this many times and exit.
const PROFILE_RUNS_VAR: &str = "OAUTH_BENCH_PROFILE_RUNS";
/// How many times; the same for every contestant.
pub(super) const PROFILE_RUNS: u64 = 1000;
/// What the binary prints on stderr when it has run them.
fn profile_done_line(runs: u64) -> String {
    format!("oauth-bench profile: ran each measured exchange {runs} times")
}

/// Instructions per exchange, or why there are none.
pub(super) enum Instructions {
    Counted {
        /// Contestant name and callgrind `Ir` per exchange.
        per_exchange: Vec<(&'static str, f64)>,
        /// Where callgrind's output files are, for `callgrind_annotate`.
        out_dir: PathBuf,
    },
    /// Why not (`valgrind not installed`, or what failed).
    Skipped(String),
}

/// Counts each contestant's instructions per exchange with callgrind; never fails the task,
/// since without the counts the speed goals are judged on time alone, which is stricter.
pub(super) fn count_instructions(root: &Path, criterion_dir: &Path) -> Instructions {
    let Some(valgrind) = on_path("valgrind") else {
        return Instructions::Skipped("valgrind not installed".into());
    };
    eprintln!("\n==> counting instructions: callgrind, {PROFILE_RUNS} runs of each measured exchange");
    let out_dir = criterion_dir.join("callgrind");
    let counted = bench_executable(root).and_then(|exe| {
        std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
        MEASURED_FUNCTIONS
            .iter()
            .map(|&(name, pattern)| {
                let out = out_dir.join(format!("{name}.out"));
                let total = callgrind(&valgrind, &exe, pattern, &out)?;
                // Exact: instruction counts stay far below 2^53.
                let per_exchange = total as f64 / PROFILE_RUNS as f64;
                eprintln!("    {name:<16} {total} instructions / {PROFILE_RUNS} = {per_exchange:.1} per exchange");
                Ok((name, per_exchange))
            })
            .collect::<Result<Vec<_>, String>>()
    });
    match counted {
        Ok(per_exchange) => Instructions::Counted { per_exchange, out_dir },
        Err(e) => Instructions::Skipped(format!("valgrind failed: {e}")),
    }
}

/// The first `program` in a `PATH` directory.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
}

/// The benchmark binary `cargo bench` runs, built if need be: the `executable` of the
/// `compiler-artifact` message for the bench target `core`.
fn bench_executable(root: &Path) -> Result<PathBuf, String> {
    let output = cargo()
        .args(["bench", "-p", "oauth-bench", "--bench", "core", "--no-run", "--message-format=json"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not start cargo bench --no-run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo bench --no-run failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact"
                && message["target"]["name"] == "core"
                && message["target"]["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k == "bench"))
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo bench --no-run named no executable for the bench target `core`".into())
}

/// Runs the benchmark binary in profiling mode under callgrind, collecting only inside the
/// functions `pattern` selects, and returns the instructions collected (`Ir`).
///
/// Checks that the binary did run in profiling mode, that `pattern` matched exactly one
/// function, and that the out file's total agrees with valgrind's `Collected`.
fn callgrind(valgrind: &Path, exe: &Path, pattern: &str, out: &Path) -> Result<u64, String> {
    let output = Command::new(valgrind)
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(format!("--toggle-collect={pattern}"))
        .arg(exe)
        .arg("--list")
        .env(PROFILE_RUNS_VAR, PROFILE_RUNS.to_string())
        .output()
        .map_err(|e| format!("could not start {}: {e}", valgrind.display()))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail = || stderr.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    if !output.status.success() {
        return Err(format!("{} exited with {}:\n{}", valgrind.display(), output.status, tail()));
    }
    if !stderr.contains(&profile_done_line(PROFILE_RUNS)) {
        return Err(format!("the benchmark did not say it ran in profiling mode ({PROFILE_RUNS_VAR}):\n{}", tail()));
    }
    let collected = stderr
        .lines()
        .find_map(|line| line.split_once("Collected :").map(|(_, n)| n.trim().replace(',', "")))
        .and_then(|n| n.parse::<u64>().ok());

    let text = std::fs::read_to_string(out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    let events = text.lines().find_map(|l| l.strip_prefix("events:")).map(str::split_whitespace);
    if events.and_then(|mut e| e.next()) != Some("Ir") {
        return Err(format!("{}: the first event is not Ir", out.display()));
    }
    let total = text
        .lines()
        .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
        .and_then(|n| n.split_whitespace().next()?.parse::<u64>().ok())
        .ok_or_else(|| format!("{}: no summary or totals line", out.display()))?;
    if collected.is_some_and(|c| c != total) {
        return Err(format!("valgrind collected {collected:?} instructions but {} says {total}", out.display()));
    }

    // Function names are written once, in full, as `fn=(id) name` or `cfn=(id) name`.
    let mut matched: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("fn=(").or_else(|| l.strip_prefix("cfn=(")))
        .filter_map(|l| l.split_once(") ").map(|(_, name)| name))
        .filter(|name| glob_match(pattern, name))
        .collect();
    matched.sort_unstable();
    matched.dedup();
    match matched.as_slice() {
        [_] if total > 0 => Ok(total),
        [] | [_] => Err(format!("`{pattern}` selected no function that ran")),
        several => Err(format!("`{pattern}` is ambiguous: it selects {}", several.join(", "))),
    }
}

/// Callgrind's pattern matching: `*` is any run of characters, `?` any one character.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (pattern, name): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if let Some((star_p, star_n)) = star {
            p = star_p + 1;
            n = star_n + 1;
            star = Some((star_p, star_n + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pattern_selects_only_its_own_function() {
        let names = [
            "core::measured_oauth_core_exchange",
            "core::measured_oauth2_exchange",
            "core::measured_bare_serde_json_exchange",
        ];
        for (i, (_, pattern)) in MEASURED_FUNCTIONS.iter().enumerate() {
            for (j, name) in names.iter().enumerate() {
                assert_eq!(glob_match(pattern, name), i == j, "{pattern} vs {name}");
            }
            assert!(glob_match(pattern, &format!("{}.llvm.123", names[i])));
            assert!(!glob_match(pattern, "core::Core::exchange"));
            assert!(!glob_match(pattern, "core::oauth2_exchange"));
            assert!(!glob_match(pattern, "core::bare_parse"));
        }
    }

    #[test]
    fn glob_matches_like_callgrind() {
        assert!(glob_match("*bare*", "core::bare_parse"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(!glob_match("abc", "abcd"));
        assert!(glob_match("*", ""));
    }
}
