//! `oauth-fleet run`: the emulator, the Redis, the two runs of the fleet, the report.

use std::process::Stdio;
use std::time::Duration;

use oauth_testkit::{RedisServer, Rfc6749};

use crate::report::{Report, Run};
use crate::worker::Counts;

/// What a run is made of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) processes: usize,
    pub(crate) tasks: usize,
    pub(crate) seconds: u64,
    pub(crate) lifetime: u64,
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let shape = Shape {
        processes: crate::flag(args, "--processes", 8)?,
        tasks: crate::flag(args, "--tasks", 100)?,
        seconds: crate::flag(args, "--seconds", 30)?,
        lifetime: crate::flag(args, "--lifetime", 3)?,
    };
    let json = args.iter().any(|a| a == "--json");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let report = runtime.block_on(measure(shape))?;
    let text = if json { serde_json::to_string(&report).map_err(|e| e.to_string())? } else { report.table() };
    #[allow(clippy::print_stdout, reason = "the report is this program's output")]
    {
        println!("{text}");
    }
    Ok(())
}

/// Runs the fleet without a store, then with Redis, against one emulator and one Redis.
pub(crate) async fn measure(shape: Shape) -> Result<Report, String> {
    let emulator = Rfc6749::builder().expires_in(shape.lifetime).start().await;
    let redis = RedisServer::start().map_err(|e| format!("cannot start Redis: {e}"))?;
    let alone = run(&emulator, None, shape).await?;
    let shared = run(&emulator, Some(&redis.url()), shape).await?;
    Ok(Report::new(shape, alone, shared))
}

async fn run(emulator: &Rfc6749, redis: Option<&str>, shape: Shape) -> Result<Run, String> {
    let before = emulator.controls().token_requests();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut children = Vec::new();
    for _ in 0..shape.processes {
        let child = tokio::process::Command::new(&exe)
            .args(["worker", "--tasks", &shape.tasks.to_string(), "--seconds", &shape.seconds.to_string()])
            .env("FLEET_TOKEN_URL", emulator.token_url())
            .env("FLEET_CLIENT_ID", emulator.credentials().client_id())
            .env("FLEET_CLIENT_SECRET", emulator.credentials().client_secret())
            .env("FLEET_REDIS_URL", redis.unwrap_or_default())
            .env("NO_PROXY", "*")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start a worker: {e}"))?;
        children.push(child);
    }
    let mut total = Counts::default();
    let mut fresh = Vec::new();
    for child in children {
        let limit = Duration::from_secs(shape.seconds + 60);
        let output = tokio::time::timeout(limit, child.wait_with_output())
            .await
            .map_err(|_| format!("a worker did not finish within {limit:?}"))?
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!("a worker failed ({})", output.status));
        }
        let counts: Counts = serde_json::from_slice(&output.stdout).map_err(|e| format!("a worker's report: {e}"))?;
        total.calls += counts.calls;
        total.waited += counts.waited;
        total.errors += counts.errors;
        fresh.push(counts.fresh_ns);
    }
    fresh.sort_by(f64::total_cmp);
    total.fresh_ns = fresh.get(fresh.len() / 2).copied().unwrap_or_default();
    Ok(Run { counts: total, token_requests: emulator.controls().token_requests() - before })
}

/// The store the workers share: the fleet's namespace in the run's own Redis, sealed under a
/// fixed key.
pub(crate) fn redis_store(url: &str) -> Result<oauth_redis::RedisStore, String> {
    oauth_redis::RedisStore::builder(url, oauth_redis::EncryptionKey::from_bytes([0x5a; 32]))
        .namespace("oauth-fleet")
        .build()
        .map_err(|e| e.to_string())
}
