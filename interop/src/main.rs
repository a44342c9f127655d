//! The interop client: runs every scenario against real authorization servers, over both
//! adapters (oauth-reqwest and oauth-hyper) — the token grants, then the user-facing flows
//! against oidc-provider (`user_flows`: discovery, the authorization code with PKCE driven by a
//! headless user, the device flow, revocation and introspection), then client authentication
//! with JWTs and mutual TLS against oidc-provider (`client_auth`) — then the `oauth` command's
//! scenarios, and reports one line per scenario and adapter (`cli` for the command).
//!
//! `cargo xtask interop` installs and starts the servers (`interop/servers/`) and runs this
//! binary with their base URLs in `OAUTH_INTEROP_OIDC_PROVIDER_URL` (and oidc-provider's HTTPS
//! listener's in `OAUTH_INTEROP_OIDC_PROVIDER_TLS_URL`), `OAUTH_INTEROP_AUTHLIB_URL` and
//! `OAUTH_INTEROP_NODE_OAUTH_URL`, and the built `oauth` binary in `OAUTH_INTEROP_CLI`. What
//! each server does is recorded in `interop/README.md`. Output, on stdout:
//!
//! ```text
//! PASS <scenario> (<adapter>, <server>): <detail>
//! FAIL <scenario> (<adapter>, <server>): <what went wrong>
//! interop: <N> passed, <M> failed
//! ```
//!
//! The exit status is non-zero when any scenario failed. Scenarios run one after another: some
//! read the server's token log or revoke every token, which concurrent scenarios would disturb.
#![allow(clippy::print_stdout, reason = "the report is this program's output")]

mod adapter;
mod admin;
mod authlib;
mod authlib_user_flows;
mod browser;
mod check;
mod cli;
mod client_auth;
mod command;
mod node_oauth;
mod oidc_provider;
mod steps;
mod user_flows;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use adapter::Adapter;
use admin::Admin;
use check::Outcome;

/// The client secret the servers' clients are registered with: every character that the Basic
/// spellings treat differently (the table in `interop/README.md`).
pub(crate) const TRICKY_SECRET: &str = "a b+c/d:e%f&g=h";

/// The longest one scenario may take (the slowest wait about 4 s for tokens to expire, or two
/// device-flow polling intervals of 5 s).
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(30);

const OIDC_PROVIDER: (&str, &str) = ("oidc-provider", "OAUTH_INTEROP_OIDC_PROVIDER_URL");
const AUTHLIB: (&str, &str) = ("authlib", "OAUTH_INTEROP_AUTHLIB_URL");
const NODE_OAUTH: (&str, &str) = ("node-oauth", "OAUTH_INTEROP_NODE_OAUTH_URL");

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    /// One line for a scenario run through `adapter` (an [`Adapter`], or `cli`).
    fn report(&mut self, name: &str, adapter: impl fmt::Display, server: &str, outcome: &Outcome, took: Duration) {
        match outcome {
            Ok(detail) => {
                self.passed += 1;
                println!("PASS {name} ({adapter}, {server}): {detail} [{took:.1?}]");
            }
            Err(problem) => {
                self.failed += 1;
                println!("FAIL {name} ({adapter}, {server}): {problem} [{took:.1?}]");
            }
        }
    }
}

/// A scenario of one server's module.
trait Scenario: Copy {
    fn name(self) -> &'static str;
    async fn run(self, server: &Admin, adapter: Adapter) -> Outcome;
}

/// Each module's `Scenario` enum has the trait's methods as its own; this says so once per
/// module.
macro_rules! scenario_modules {
    ($($module:ident),* $(,)?) => {$(
        impl Scenario for $module::Scenario {
            fn name(self) -> &'static str {
                self.name()
            }

            async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
                self.run(server, adapter).await
            }
        }
    )*};
}

scenario_modules!(oidc_provider, node_oauth, authlib, client_auth, authlib_user_flows, user_flows);

/// A scenario of the `oauth` command, against one server.
trait CliScenario: Copy {
    fn name(self) -> &'static str;
    /// The server it runs against: its name and the variable holding its base URL.
    fn server(self) -> (&'static str, &'static str);
    async fn run(self, server: &Admin, oauth: &Path) -> Outcome;
}

impl CliScenario for cli::Scenario {
    fn name(self) -> &'static str {
        self.name()
    }

    fn server(self) -> (&'static str, &'static str) {
        self.server()
    }

    async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
        self.run(server, oauth).await
    }
}

/// The command scenarios of a module whose scenarios all run against oidc-provider.
macro_rules! oidc_provider_cli_scenarios {
    ($($module:ident),* $(,)?) => {$(
        impl CliScenario for $module::CliScenario {
            fn name(self) -> &'static str {
                self.name()
            }

            fn server(self) -> (&'static str, &'static str) {
                OIDC_PROVIDER
            }

            async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
                self.run(server, oauth).await
            }
        }
    )*};
}

oidc_provider_cli_scenarios!(client_auth, user_flows);

#[tokio::main]
async fn main() -> ExitCode {
    // Plain reqwest clients are built below before any token source: install the TLS provider.
    oauth_reqwest::install_crypto_provider();
    let mut tally = Tally::default();
    run_all(&mut tally, OIDC_PROVIDER, &oidc_provider::Scenario::ALL).await;
    run_all(&mut tally, OIDC_PROVIDER, &user_flows::Scenario::ALL).await;
    run_all(&mut tally, OIDC_PROVIDER, &client_auth::Scenario::ALL).await;
    run_all(&mut tally, AUTHLIB, &authlib::Scenario::ALL).await;
    run_all(&mut tally, AUTHLIB, &authlib_user_flows::Scenario::ALL).await;
    run_all(&mut tally, NODE_OAUTH, &node_oauth::Scenario::ALL).await;
    let oauth = cli_binary();
    run_cli(&mut tally, &oauth, &cli::Scenario::ALL).await;
    run_cli(&mut tally, &oauth, &user_flows::CliScenario::ALL).await;
    run_cli(&mut tally, &oauth, &client_auth::CliScenario::ALL).await;
    println!("interop: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Runs each of `scenarios` over each adapter against the server whose base URL is in
/// `variable`, one at a time, each within [`SCENARIO_TIMEOUT`]. Without the URL, each fails.
async fn run_all<S: Scenario>(tally: &mut Tally, (server_name, variable): (&str, &str), scenarios: &[S]) {
    let server = admin_for(variable);
    for &scenario in scenarios {
        for adapter in Adapter::ALL {
            let started = Instant::now();
            let outcome = match &server {
                Ok(admin) => tokio::time::timeout(SCENARIO_TIMEOUT, scenario.run(admin, adapter))
                    .await
                    .unwrap_or_else(|_| Err(format!("no result within {SCENARIO_TIMEOUT:?}"))),
                Err(problem) => Err(problem.clone()),
            };
            tally.report(scenario.name(), adapter, server_name, &outcome, started.elapsed());
        }
    }
}

/// The `oauth` binary named by `OAUTH_INTEROP_CLI`, or why there is none.
fn cli_binary() -> Result<PathBuf, String> {
    let variable = cli::BINARY_VARIABLE;
    match std::env::var_os(variable).map(PathBuf::from) {
        Some(path) if path.is_file() => Ok(path),
        Some(path) if !path.as_os_str().is_empty() => Err(format!(
            "{variable} names {}, which is no file: build it with `cargo build -p oauth-cli`",
            path.display()
        )),
        _ => Err(format!(
            "{variable} is not set: run the suite with `cargo xtask interop`, or set it to a built `oauth` binary"
        )),
    }
}

/// Runs each of the `oauth` command's `scenarios` once, against its server, with the binary
/// `oauth`, each within [`SCENARIO_TIMEOUT`]. Without the binary or the server's URL, each fails.
async fn run_cli<S: CliScenario>(tally: &mut Tally, oauth: &Result<PathBuf, String>, scenarios: &[S]) {
    for &scenario in scenarios {
        let (server_name, variable) = scenario.server();
        let started = Instant::now();
        let outcome = match (oauth, &admin_for(variable)) {
            (Ok(oauth), Ok(admin)) => tokio::time::timeout(SCENARIO_TIMEOUT, scenario.run(admin, oauth))
                .await
                .unwrap_or_else(|_| Err(format!("no result within {SCENARIO_TIMEOUT:?}"))),
            (Err(problem), _) | (_, Err(problem)) => Err(problem.clone()),
        };
        tally.report(scenario.name(), "cli", server_name, &outcome, started.elapsed());
    }
}

/// The admin endpoints of the server whose base URL is in `variable`, or why there is none.
fn admin_for(variable: &str) -> Result<Admin, String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Ok(Admin::new(&url)),
        _ => Err(format!("{variable} is not set: run the suite with `cargo xtask interop`")),
    }
}
