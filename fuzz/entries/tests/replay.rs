//! Replays every committed fuzz input (`fuzz/corpus/<target>/*`, `fuzz/crashes/<target>/*`)
//! through its target's entry point, on stable Rust, so `cargo test` checks them all.
//!
//! The folder's name picks the entry point: a folder no target claims fails the test, as does
//! a target without a corpus, so nothing is skipped silently.

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use oauth_fuzz_entries::{TARGETS, entry};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the entries crate lives in fuzz/").to_path_buf()
}

/// The sorted entries of `dir`; none when it does not exist.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(read) => read.map(|entry| entry.expect("a readable folder entry").path()).collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    paths
}

#[test]
fn every_committed_input_replays_without_a_finding() {
    let mut problems = Vec::new();
    let mut replayed = 0;
    let mut with_corpus = BTreeSet::new();
    for kind in ["corpus", "crashes"] {
        for folder in entries(&fuzz_dir().join(kind)) {
            let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(run) = entry(&name).filter(|_| folder.is_dir()) else {
                problems.push(format!("{kind}/{name}: no fuzz target has this name"));
                continue;
            };
            for file in entries(&folder) {
                let data = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                replayed += 1;
                if kind == "corpus" {
                    with_corpus.insert(name.clone());
                }
                if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                    problems
                        .push(format!("{kind}/{name}/{}: the entry point panicked (message above)", file_name(&file)));
                }
            }
        }
    }
    for (target, _) in TARGETS {
        if !with_corpus.contains(*target) {
            problems.push(format!("corpus/{target}: no committed input for this target"));
        }
    }
    assert!(replayed > 0, "no fuzz input found under {}", fuzz_dir().display());
    assert!(
        problems.is_empty(),
        "{} of {replayed} inputs or folders failed:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_target_has_a_libfuzzer_target_and_nothing_else_does() {
    let scripts: BTreeSet<String> = entries(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|path| Some(path.file_name()?.to_str()?.strip_suffix(".rs")?.to_owned()))
        .collect();
    let names: BTreeSet<String> = TARGETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(scripts, names, "fuzz/fuzz_targets/*.rs and TARGETS differ");
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for name in &names {
        let script = fs::read_to_string(fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"))).expect("a target");
        assert!(script.contains(&format!("oauth_fuzz_entries::{name}(")), "fuzz_targets/{name}.rs calls another entry");
        assert!(manifest.contains(&format!("name = \"{name}\"")), "fuzz/Cargo.toml has no [[bin]] for {name}");
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
