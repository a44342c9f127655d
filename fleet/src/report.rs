//! The fleet's figures, side by side: without a store and with Redis.

use serde::Serialize;

use crate::coordinator::Shape;
use crate::worker::Counts;

/// One run of the fleet.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Run {
    pub(crate) counts: Counts,
    pub(crate) token_requests: usize,
}

/// Both runs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub(crate) processes: usize,
    pub(crate) tasks: usize,
    pub(crate) seconds: u64,
    pub(crate) lifetime: u64,
    /// Seconds between refreshes of one token: its lifetime less the refresh skew (60 s,
    /// capped at half the lifetime).
    pub(crate) period: f64,
    pub(crate) alone: Run,
    pub(crate) shared: Run,
}

impl Report {
    pub(crate) fn new(shape: Shape, alone: Run, shared: Run) -> Self {
        let lifetime = shape.lifetime as f64;
        let period = lifetime - (lifetime / 2.0).min(60.0);
        Self {
            processes: shape.processes,
            tasks: shape.tasks,
            seconds: shape.seconds,
            lifetime: shape.lifetime,
            period,
            alone,
            shared,
        }
    }

    /// Token requests per token period: 1.0 is one fetch per token for the whole fleet.
    pub(crate) fn per_period(&self, run: &Run) -> f64 {
        run.token_requests as f64 / (self.seconds as f64 / self.period)
    }

    /// Token requests per token lifetime: with the refresh skew capped at half the lifetime,
    /// one token per lifetime is fetched in each half, so 2.0 is one fetch per token.
    pub(crate) fn per_lifetime(&self, run: &Run) -> f64 {
        run.token_requests as f64 / (self.seconds as f64 / self.lifetime as f64)
    }

    pub(crate) fn table(&self) -> String {
        let row = |name: &str, alone: String, shared: String| format!("{name:<34}{alone:>16}{shared:>20}\n");
        let mut text = format!(
            "fleet: {} processes x {} tasks calling token() for {} s; {} s tokens, refreshed every {:.1} s\n",
            self.processes, self.tasks, self.seconds, self.lifetime, self.period
        );
        text += &row("", "without store".into(), "with Redis".into());
        text += &row("token requests", self.alone.token_requests.to_string(), self.shared.token_requests.to_string());
        text += &row(
            "token requests per token period",
            format!("{:.2}", self.per_period(&self.alone)),
            format!("{:.2}", self.per_period(&self.shared)),
        );
        text += &row(
            "token requests per token lifetime",
            format!("{:.2}", self.per_lifetime(&self.alone)),
            format!("{:.2}", self.per_lifetime(&self.shared)),
        );
        text += &row("token() calls", self.alone.counts.calls.to_string(), self.shared.counts.calls.to_string());
        text += &row(
            "callers that waited for a fetch",
            self.alone.counts.waited.to_string(),
            self.shared.counts.waited.to_string(),
        );
        text += &row("errors", self.alone.counts.errors.to_string(), self.shared.counts.errors.to_string());
        text += &row(
            "fresh token(), ns (median)",
            format!("{:.1}", self.alone.counts.fresh_ns),
            format!("{:.1}", self.shared.counts.fresh_ns),
        );
        text += &format!(
            "fresh path with the store / without: {:.2}x\n",
            self.shared.counts.fresh_ns / self.alone.counts.fresh_ns.max(f64::MIN_POSITIVE)
        );
        text
    }
}
