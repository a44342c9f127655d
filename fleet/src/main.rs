//! `oauth-fleet`: processes that share one token through Redis, measured against the same
//! processes without it.
//!
//! `oauth-fleet run [--processes 8] [--tasks 100] [--seconds 30] [--lifetime 3]` starts an
//! emulated token endpoint issuing `--lifetime`-second tokens and a Redis on 127.0.0.1, then
//! runs the fleet twice — each process a token source with `--tasks` tasks calling `token()`
//! without pause — once without a store and once with Redis, and prints, side by side: token
//! requests, requests per token period (a token is refreshed once per period: its lifetime
//! less the refresh skew), callers that waited for a fetch, and the cost of `token()` on the
//! fresh path. `cargo xtask bench` runs the full form; CI runs a short one (`tests/short.rs`).
//! `oauth-fleet worker …` is one process of the fleet (started by `run`).

mod coordinator;
mod report;
mod worker;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => coordinator::main(&args[1..]),
        Some("worker") => worker::main(&args[1..]),
        _ => Err("usage: oauth-fleet run [--processes N] [--tasks N] [--seconds N] [--lifetime N] [--json]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[allow(clippy::print_stderr, reason = "the one line a failed run leaves")]
            {
                eprintln!("oauth-fleet: {error}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Reads `--name value` from `args`, or `default`.
pub(crate) fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a value")),
        None => Ok(default),
    }
}
