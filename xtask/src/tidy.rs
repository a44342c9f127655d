//! `cargo xtask tidy`: the repository's structural rules, checked as absences.
//!
//! Also runs as a `#[test]`, so `cargo test` alone catches a broken rule.
//!
//! - Every crate depends only on what its layer allows (DESIGN.md's dependency rules).
//! - oauth-core is sans-IO: no clock, I/O (sockets, name resolution, files), runtime, threads or
//!   randomness in its source. Parsing an address is not I/O: `core::net::IpAddr` is allowed.
//! - Vendor names appear only in the crates that are about vendors.
//! - Every Rust source file starts with a `//!` line saying what it is for.
//! - Nothing names the machine it was written on.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What each library crate may depend on (normal dependencies), when it exists.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "oauth-core",
        &[
            "http",
            "serde",
            "serde_json",
            "form_urlencoded",
            "base64",
            "thiserror",
            "zeroize",
            "httpdate",
            "sha2",
            "hmac",
            "p256",
            "ed25519-dalek",
            "rsa",
        ],
    ),
    ("oauth-providers", &["oauth-core", "http", "serde", "serde_json", "form_urlencoded", "thiserror"]),
    ("oauth-token-source", &["oauth-core", "http", "thiserror", "async-trait", "event-listener", "tracing", "metrics"]),
    ("oauth-tokio", &["oauth-token-source", "tokio"]),
    // The Redis store: the port, redis on tokio (rustls for `rediss://`), and the sealing.
    (
        "oauth-redis",
        &[
            "oauth-core",
            "oauth-token-source",
            "redis",
            "tokio",
            "futures-core",
            "rustls",
            "chacha20poly1305",
            "hmac",
            "sha2",
            "getrandom",
            "zeroize",
            "base64",
            "async-trait",
            "thiserror",
        ],
    ),
    // The front door: re-exports the layers, adds no logic.
    (
        "oauth-stack",
        &[
            "oauth-core",
            "oauth-providers",
            "oauth-token-source",
            "oauth-reqwest",
            "oauth-hyper",
            "oauth-testkit",
            "oauth-redis",
        ],
    ),
    // The `oauth` command: the top of the stack, and the one binary that may name vendors (it
    // turns `--provider mxo` into a profile). hyper and the testkit only behind `demo`.
    (
        "oauth-cli",
        &[
            "oauth-core",
            "oauth-providers",
            "oauth-token-source",
            "oauth-reqwest",
            "oauth-tokio",
            "oauth-hyper",
            "oauth-testkit",
            "http",
            "serde",
            "serde_json",
            "tokio",
            "clap",
            "clap_complete",
            "toml",
            "dirs",
            "humantime",
            "hmac",
            "sha2",
            "getrandom",
            "rpassword",
            "qrcode",
            "base64",
            "async-trait",
            "zeroize",
            "tracing",
            "tracing-subscriber",
            "hyper-util",
            "http-body-util",
            "tower",
        ],
    ),
];

/// Dependencies a crate must never have, even transitively through a feature.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("oauth-token-source", &["tokio", "reqwest", "hyper", "hyper-util", "async-std", "smol"]),
    ("oauth-providers", &["tokio", "reqwest", "hyper", "hyper-util"]),
    // Emulators reach the command only through the testkit, behind the `demo` feature.
    ("oauth-cli", &["wiremock"]),
];

/// Text that must not appear in a crate's source (comments excluded).
///
/// Sockets and name resolution are named one by one rather than as `std::net`: that module also
/// holds `IpAddr` and its parsers, which read text and are not I/O.
const SANS_IO: &[&str] = &[
    "Instant::now",
    "SystemTime::now",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "ToSocketAddrs",
    "UnixStream",
    "UnixListener",
    "UnixDatagram",
    "std::fs",
    "std::thread",
    "std::process",
    "std::env",
    "tokio",
    "reqwest",
    "hyper",
    "rand::",
    "thread_rng",
    "OsRng",
    "getrandom",
    "async fn",
    ".await",
];

/// Crates whose source is sans-IO.
const SANS_IO_CRATES: &[&str] = &["crates/oauth-core/src", "crates/oauth-providers/src"];

/// The only files that may hold `unsafe` (each block audited, with a SAFETY comment).
const UNSAFE_ALLOWED: &[&str] = &["crates/oauth-core/src/secret.rs", "benches/src/lib.rs"];

/// Crates that must not know any vendor (source and docs alike).
const VENDOR_FREE: &[&str] = &[
    "crates/oauth-core/src",
    "crates/oauth-token-source/src",
    "crates/oauth-reqwest/src",
    "crates/oauth-hyper/src",
    "crates/oauth-stack/src",
    "crates/oauth-redis/src",
];

const VENDOR_NAMES: &[&str] =
    &["mxo", "thunderhead", "medallia", "cloudcx", "cloudfon", "bright pattern", "brightpattern", "bright_pattern"];

/// Fixture folders that crates ship copies of, so each packaged crate's tests run on their own;
/// the copies must not drift (their READMEs may differ, to name each other).
const FIXTURE_COPIES: &[(&str, &str)] =
    &[("crates/oauth-core/tests/fixtures/seeds", "crates/oauth-providers/tests/fixtures/seeds")];

pub(crate) fn run(root: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    check_layers(root, &mut problems)?;
    for (original, copy) in FIXTURE_COPIES {
        check_copies(root, original, copy, &mut problems);
    }
    for dir in SANS_IO_CRATES {
        for file in rust_files(&root.join(dir)) {
            for (line, needle) in sans_io_uses(&read(&file)) {
                problems.push(format!("{}:{line}: sans-IO crate uses `{needle}`", rel(root, &file)));
            }
        }
    }
    for dir in VENDOR_FREE {
        for file in rust_files(&root.join(dir)) {
            let text = read(&file).to_ascii_lowercase();
            for (number, line) in text.lines().enumerate() {
                for vendor in VENDOR_NAMES {
                    if contains_word(line, vendor) {
                        problems.push(format!("{}:{}: names the vendor `{vendor}`", rel(root, &file), number + 1));
                    }
                }
            }
        }
    }
    for file in tracked_files(root)? {
        let path = root.join(&file);
        if file.ends_with(".rs") && !read(&path).trim_start().starts_with("//!") {
            problems.push(format!("{file}: does not start with a `//!` line saying what it is for"));
        }
        if file.ends_with(".rs") && !UNSAFE_ALLOWED.contains(&file.as_str()) {
            let keyword = ["un", "safe"].concat();
            if let Some((line, _)) = code_lines(&read(&path)).iter().find(|(_, l)| contains_word(l, &keyword)) {
                problems.push(format!("{file}:{line}: `{keyword}` outside the audited files"));
            }
        }
        check_machine_names(&file, &read(&path), &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("tidy found {} problem(s):\n  {}", problems.len(), problems.join("\n  ")))
    }
}

/// The first line (from 1) on which each banned name of [`SANS_IO`] appears in code.
fn sans_io_uses(text: &str) -> Vec<(usize, &'static str)> {
    let code = code_lines(text);
    SANS_IO
        .iter()
        .filter_map(|needle| code.iter().find(|(_, l)| l.contains(needle)).map(|(line, _)| (*line, *needle)))
        .collect()
}

/// Checks every workspace crate's normal dependencies against `LAYERS` (no more, and no stale
/// entry) and `FORBIDDEN`.
fn check_layers(root: &Path, problems: &mut Vec<String>) -> Result<(), String> {
    let metadata = crate::workspace_metadata(root)?;
    let packages = metadata["packages"].as_array().ok_or("cargo metadata: no packages")?;
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        let normal: BTreeSet<&str> = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str())
            .collect();
        if let Some((_, allowed)) = LAYERS.iter().find(|(crate_name, _)| *crate_name == name) {
            for dep in normal.iter().filter(|d| !allowed.contains(d)) {
                problems.push(format!("{name} depends on `{dep}`, which its layer does not allow"));
            }
            // The list says what the layer uses: an entry nothing uses is a stale permission.
            for dep in allowed.iter().filter(|d| !normal.contains(*d)) {
                problems.push(format!("{name}'s layer allows `{dep}`, which it does not use: drop the entry"));
            }
        }
        if let Some((_, banned)) = FORBIDDEN.iter().find(|(crate_name, _)| *crate_name == name) {
            for dep in normal.iter().filter(|d| banned.contains(d)) {
                problems.push(format!("{name} depends on `{dep}`, which its layer forbids"));
            }
        }
    }
    Ok(())
}

/// Flags files of `original` that `copy` lacks or holds with other bytes, and the reverse.
fn check_copies(root: &Path, original: &str, copy: &str, problems: &mut Vec<String>) {
    let names = |dir: &Path| -> BTreeSet<String> {
        fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "README.md")
            .collect()
    };
    let (ours, theirs) = (names(&root.join(original)), names(&root.join(copy)));
    for name in ours.union(&theirs) {
        if fs::read(root.join(original).join(name)).ok() != fs::read(root.join(copy).join(name)).ok() {
            problems.push(format!("{original}/{name} and its copy in {copy} differ"));
        }
    }
}

/// Flags absolute paths of a developer machine and the names of the tools it was built with.
fn check_machine_names(file: &str, text: &str, problems: &mut Vec<String>) {
    // Assembled at run time so this file does not flag itself.
    let needles =
        [["/wo", "rk/"].concat(), ["/ro", "ot/"].concat(), ["/ho", "me/"].concat(), [".lib", "rary/"].concat()];
    for (number, line) in text.lines().enumerate() {
        for needle in &needles {
            if line.contains(needle.as_str()) {
                problems.push(format!("{file}:{}: names a path of a particular machine (`{needle}`)", number + 1));
            }
        }
    }
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Lines with comments removed (`//` to end of line), numbered from 1; blank results dropped.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let code = match line.find("//") {
                Some(at) => &line[..at],
                None => line,
            };
            (!code.trim().is_empty()).then(|| (i + 1, code.to_owned()))
        })
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Files git tracks plus untracked files it does not ignore; every file under the root
/// (except `target/` and `.git/`) when git is not available.
fn tracked_files(root: &Path) -> Result<Vec<String>, String> {
    let output =
        Command::new("git").args(["ls-files", "--cached", "--others", "--exclude-standard"]).current_dir(root).output();
    match output {
        Ok(output) if output.status.success() => Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|f| root.join(f).is_file())
            .map(str::to_owned)
            .collect()),
        _ => Ok(rust_files(root)
            .into_iter()
            .filter(|p| !p.components().any(|c| c.as_os_str() == "target" || c.as_os_str() == ".git"))
            .map(|p| rel(root, &p))
            .collect()),
    }
}

fn read(path: &Path) -> String {
    fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        if let Err(problems) = run(&crate::workspace_root()) {
            panic!("{problems}");
        }
    }

    #[test]
    fn vendor_names_are_matched_as_words() {
        assert!(contains_word("what mxo documents", "mxo"));
        assert!(!contains_word("remxoved", "mxo"));
        assert!(contains_word("(cloudcx)", "cloudcx"));
    }

    #[test]
    fn comments_do_not_count_as_code() {
        let lines = code_lines("// Instant::now\nlet x = 1; // tokio\nlet t = Instant::now();");
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|(_, l)| !l.contains("tokio")));
        assert!(lines[1].1.contains("Instant::now"));
    }

    #[test]
    fn sans_io_allows_address_parsing_and_refuses_sockets() {
        let parsing =
            "use core::net::{IpAddr, Ipv6Addr};\nlet ip: std::net::Ipv4Addr = host.parse()?;\nip.is_loopback()";
        assert_eq!(sans_io_uses(parsing), []);
        let sockets = "use core::net::IpAddr;\nlet s = std::net::TcpStream::connect(addr)?;\n// UdpSocket in a comment";
        assert_eq!(sans_io_uses(sockets), [(2, "TcpStream")]);
        let resolving = "use std::net::ToSocketAddrs;\nlet l = TcpListener::bind(a)?;\nlet u = UdpSocket::bind(a)?;";
        assert_eq!(sans_io_uses(resolving), [(2, "TcpListener"), (3, "UdpSocket"), (1, "ToSocketAddrs")]);
    }

    #[test]
    fn machine_paths_are_flagged() {
        let mut problems = Vec::new();
        check_machine_names("a.md", &["see ", "/ro", "ot/x"].concat(), &mut problems);
        assert_eq!(problems.len(), 1);
    }
}
