//! `cargo xtask package`: package every published crate, unpack the packages side by side, and
//! build and test them there — so a crate whose tests need a file it does not ship fails here,
//! not after publishing.
//!
//! The unpacked crates form a workspace of their own under `target/package-check`, with their
//! dependencies on each other patched to the unpacked copies (they are not on the registry yet)
//! and the repository's lock file, so versions match what CI tested.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{cargo, run_step, workspace_root};

pub(crate) fn run() -> Result<(), String> {
    let root = workspace_root();
    let crates = published_crates(&root)?;
    let mut package = cargo();
    package.args(["package", "--allow-dirty", "--no-verify", "--locked"]);
    for (name, _) in &crates {
        package.args(["-p", name]);
    }
    run_step("package", &mut package)?;

    let check = root.join("target/package-check");
    if check.exists() {
        fs::remove_dir_all(&check).map_err(|e| format!("cannot clear {}: {e}", check.display()))?;
    }
    fs::create_dir_all(&check).map_err(|e| format!("cannot create {}: {e}", check.display()))?;
    let mut members = Vec::new();
    let mut patches = Vec::new();
    for (name, version) in &crates {
        let dir = format!("{name}-{version}");
        let archive = root.join("target/package").join(format!("{dir}.crate"));
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&check)
            .status()
            .map_err(|e| format!("could not start tar: {e}"))?;
        if !status.success() {
            return Err(format!("could not unpack {}", archive.display()));
        }
        members.push(format!("\"{dir}\""));
        patches.push(format!("{name} = {{ path = \"{dir}\" }}"));
    }
    let manifest = format!(
        "# Written by `cargo xtask package`: the packaged crates, as a registry would serve them.\n\
         [workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[patch.crates-io]\n{}\n",
        members.join(", "),
        patches.join("\n")
    );
    fs::write(check.join("Cargo.toml"), manifest).map_err(|e| format!("cannot write the workspace: {e}"))?;
    fs::copy(root.join("Cargo.lock"), check.join("Cargo.lock")).map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;

    // The repository's target directory: registry dependencies built for the tests are reused.
    run_step(
        "test the packaged crates",
        cargo()
            .args(["test", "--workspace", "--manifest-path"])
            .arg(check.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", root.join("target")),
    )?;
    eprintln!("package: {} crates packaged, unpacked and tested in isolation", crates.len());
    Ok(())
}

/// The workspace's publishable crates (no `publish = false`), as (name, version).
fn published_crates(root: &Path) -> Result<Vec<(String, String)>, String> {
    let metadata = crate::workspace_metadata(root)?;
    let packages = metadata["packages"].as_array().ok_or("cargo metadata: no packages")?;
    Ok(packages
        .iter()
        // `publish` is null when publishing is allowed anywhere, `[]` for `publish = false`.
        .filter(|p| p["publish"].as_array().is_none_or(|registries| !registries.is_empty()))
        .filter_map(|p| Some((p["name"].as_str()?.to_owned(), p["version"].as_str()?.to_owned())))
        .collect())
}
