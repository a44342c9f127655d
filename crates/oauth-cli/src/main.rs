//! The `oauth` command: a token, or an API call with one, for MXO, CloudCX, Bright Pattern and
//! any RFC 6749 server; and `oauth demo`, every vendor's flow against in-process emulators.
//!
//! Exit codes: 0 ok, 1 the API answered an error, 2 usage, 3 the authorization server
//! refused, 4 network or transport (`failure.rs`).

mod cache;
mod call;
mod cli;
mod client;
mod config;
mod credentials;
#[cfg(feature = "demo")]
mod demo;
mod device;
mod discover;
mod failure;
mod login;
mod loopback;
mod output;
mod profiles;
mod qr;
mod revoke;
mod secrets;
mod session;
mod settings;
mod spinner;
mod tls;
mod trace;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use tracing_subscriber::layer::SubscriberExt;

use crate::cli::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    // The spinner follows the token source's retry events; nothing else is logged.
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(spinner::RetryStatus));
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&Failure::network(format!("cannot start the async runtime: {error}"))),
    };
    oauth_reqwest::install_crypto_provider();
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure),
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Token(args) => {
            let session = session::Session::open(&args.connection, args.profile_name.as_deref()).await?;
            session.authorization().await?;
            session.save();
            let token = session.current().ok_or_else(|| Failure::network("the token source held no token"))?;
            print(output::render(&token, &args.output).as_bytes())
        }
        Command::Login(args) => {
            let token = login::run(&args).await?;
            print(output::render(&token, &args.output).as_bytes())
        }
        Command::Device(args) => {
            let token = device::run(&args).await?;
            print(output::render(&token, &args.output).as_bytes())
        }
        Command::Revoke(args) => print(revoke::run(revoke::Action::Revoke, &args).await?.as_bytes()),
        Command::Introspect(args) => print(revoke::run(revoke::Action::Introspect, &args).await?.as_bytes()),
        Command::Discover { issuer, connection } => print(discover::run(&issuer, &connection).await?.as_bytes()),
        Command::Call(args) => {
            let (answer, outcome) = call::run(&args).await?;
            if answer.json {
                print(output::pretty_json(&String::from_utf8_lossy(&answer.body)).as_bytes())?;
            } else {
                print(&answer.body)?;
            }
            outcome
        }
        #[cfg(feature = "demo")]
        Command::Demo => {
            let mut out = std::io::stdout().lock();
            match demo::run(&mut out).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(Failure::api("the demo failed (see above)")),
                Err(error) => Err(Failure::network(format!("the demo could not write its transcript: {error}"))),
            }
        }
        Command::Profiles { config } => print(profiles::list(config.as_deref())?.as_bytes()),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "oauth", &mut out);
            print(&out)
        }
    }
}

/// Writes to stdout; a closed pipe (`oauth token | head -c0`) is not an error worth a message.
fn print(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure::usage(format!("cannot write the output: {error}"))),
    }
}

/// Help and version print as clap prints them; a usage error is one line, like every failure.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        error.exit();
    }
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned();
    let valid = match error.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) => format!(" (possible values: {})", values.join(", ")),
        _ => String::new(),
    };
    fail(&Failure::usage(format!("{first}{valid}; see `oauth --help`")))
}

fn fail(failure: &Failure) -> ExitCode {
    trace::note(&format!("oauth: {failure}"));
    ExitCode::from(failure.exit)
}
