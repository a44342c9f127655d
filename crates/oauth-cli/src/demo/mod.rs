//! `oauth demo`: every vendor's whole flow through the real library, over both HTTP stacks,
//! against the testkit's emulators running in this process on 127.0.0.1 — no account, no
//! network.
//!
//! Each vendor's flow runs over each stack as a task of its own, against an emulator of its
//! own, all side by side: about 3 s, most of it waiting for a 3-second token's refresh window.
//! The whole run gives up after [`RUN_LIMIT`]. Then a table per vendor, a verdict line per
//! vendor, and `Ok(true)` only when every flow passed.
//!
//! | file | one idea |
//! |---|---|
//! | `vendors` | the three vendors: their emulators and API calls |
//! | `transports` | the two stacks: reqwest + `BearerMiddleware`, hyper + tower `BearerLayer` |
//! | `flow` | the steps, written once, and their checks |
//! | `transcript` | the tables, the verdicts, token fingerprints |

mod flow;
mod transcript;
mod transports;
mod vendors;

use std::time::{Duration, Instant};

use flow::Outcome;
use transcript::Table;
use transports::Stack;
use vendors::Vendor;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The whole run is abandoned after this, rather than hanging.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// Runs the demo, writing its transcript to `out`; `Ok(true)` when every vendor's flow passed.
pub(crate) async fn run(out: &mut dyn std::io::Write) -> std::io::Result<bool> {
    // reqwest's TLS provider, before any reqwest::Client is built.
    oauth_reqwest::install_crypto_provider();
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + RUN_LIMIT;
    transcript::preamble(out)?;

    let tasks: Vec<_> = Vendor::ALL
        .into_iter()
        .flat_map(|vendor| Stack::ALL.map(|stack| (vendor, stack)))
        .map(|(vendor, stack)| (vendor, stack, tokio::spawn(flow::run(vendor, stack, deadline))))
        .collect();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for (vendor, stack, task) in tasks {
        // A task ends without an outcome only if it panicked (the panic is on stderr).
        let outcome = task.await.unwrap_or_else(|error| Outcome::failed(format!("the flow's task ended: {error}")));
        outcomes.push((vendor, stack, outcome));
    }

    let tables: Vec<Table<'_>> = Vendor::ALL.into_iter().map(|vendor| table(vendor, &outcomes)).collect();
    transcript::tables(out, &tables)?;
    writeln!(out)?;
    for vendor in Vendor::ALL {
        let stacks: Vec<_> =
            outcomes.iter().filter(|(v, ..)| *v == vendor).map(|(_, stack, o)| (stack.name(), &o.verdict)).collect();
        transcript::verdict(out, vendor.name(), &stacks)?;
    }
    let passed = outcomes.iter().all(|(.., outcome)| outcome.verdict.is_ok());
    let summary = if passed { "every flow passed" } else { "FAILED" };
    writeln!(out, "\n{summary} in {:.1} s", started.elapsed().as_secs_f64())?;
    out.flush()?;
    Ok(passed)
}

/// `vendor`'s table: its call as the heading, a column per stack.
fn table(vendor: Vendor, outcomes: &[(Vendor, Stack, Outcome)]) -> Table<'_> {
    let mine: Vec<_> = outcomes.iter().filter(|(v, ..)| *v == vendor).collect();
    let heading = match mine.iter().find_map(|(.., outcome)| outcome.call.as_deref()) {
        Some(call) => format!("{}: {call}", vendor.name()),
        None => vendor.name().to_owned(),
    };
    Table {
        heading,
        columns: mine.iter().map(|(_, stack, outcome)| (stack.name(), outcome.steps.as_slice())).collect(),
    }
}

/// An error and its sources, `outer: inner: …`.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}
