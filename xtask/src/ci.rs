//! `cargo xtask ci [--quick]`: every check CI runs, in order, stopping at the first failure.
//! `--quick` (for inner loops) leaves out the slow, outward-facing steps: packaging and interop.
//! Builds are lean here (no incremental state, no linked debug info): see `crate::cargo`.

use std::time::Instant;

use crate::{cargo, interop, package, run_step, tidy, workspace_root};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => return Err(format!("ci takes no arguments but `--quick`, not {args:?}")),
    };
    let started = Instant::now();
    crate::LEAN_BUILDS.store(true, std::sync::atomic::Ordering::Relaxed);
    run_step("fmt", cargo().args(["fmt", "--all", "--", "--check"]))?;
    eprintln!("\n==> tidy");
    tidy::run(&workspace_root())?;
    run_step("clippy", cargo().args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    run_step("test", cargo().args(["test", "--workspace", "--locked"]))?;
    run_step("doc", cargo().args(["doc", "--workspace", "--no-deps", "--locked"]).env("RUSTDOCFLAGS", "-D warnings"))?;
    run_step("demo", cargo().args(["run", "--quiet", "--locked", "-p", "oauth-cli", "--", "demo"]))?;
    if !quick {
        package::run()?;
        eprintln!("\n==> interop");
        interop::run()?;
    }
    eprintln!("\nci: all checks passed in {:.0?}{}", started.elapsed(), if quick { " (quick)" } else { "" });
    Ok(())
}
