//! The fleet benchmark's quick form, run by `cargo test`: three processes against one emulator
//! and a real Redis, without a store and with it. With the store the fleet sends about one
//! token request per token period; without it, one per process.

use std::process::Command;

#[test]
fn three_processes_share_one_token_through_redis() {
    let output = Command::new(env!("CARGO_BIN_EXE_oauth-fleet"))
        .args(["run", "--processes", "3", "--tasks", "10", "--seconds", "4", "--lifetime", "2", "--json"])
        .env("NO_PROXY", "*")
        .output()
        .expect("oauth-fleet runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "oauth-fleet failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("a JSON report");
    let per_period = |run: &str| {
        let requests = report[run]["token_requests"].as_f64().unwrap();
        requests / (report["seconds"].as_f64().unwrap() / report["period"].as_f64().unwrap())
    };
    let (alone, shared) = (per_period("alone"), per_period("shared"));
    assert!(alone >= 2.5, "without a store each of 3 processes fetches: {alone} per period\n{report}");
    assert!(shared <= 1.5, "with Redis the fleet shares one token per period: {shared}\n{report}");
    for run in ["alone", "shared"] {
        assert_eq!(report[run]["counts"]["errors"], 0, "{run}: {report}");
    }
}
