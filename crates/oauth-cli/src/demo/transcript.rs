//! What the demo prints: a table per vendor (a row per step, a column per stack), then a verdict
//! line per vendor. Tokens appear only as fingerprints: four hex digits of a hash, enough to
//! tell two apart and nothing to use.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Write};
use std::time::Duration;

use http::StatusCode;
use oauth_core::AccessToken;

/// What became of an API call, as the emulator saw it.
pub(super) struct Sent {
    /// The final status, after any retry.
    pub(super) status: StatusCode,
    /// How many requests reached the API for this call: 2 when the middleware retried.
    pub(super) attempts: usize,
    /// The token the last of them carried, from the emulator's request log.
    pub(super) bearer: Option<AccessToken>,
}

impl Sent {
    /// Whether the call went out with `token`.
    pub(super) fn carried(&self, token: &AccessToken) -> bool {
        self.bearer.as_ref().is_some_and(|bearer| bearer.secret() == token.secret())
    }
}

/// A token the source was given, with what came with it.
pub(super) struct Fetched {
    pub(super) token: AccessToken,
    /// The `grant_type` of the token request, from the emulator's log.
    pub(super) grant: String,
    pub(super) lifetime: Option<Duration>,
}

/// One step of a flow: what it shows, the call it made, the token it fetched, and the token
/// requests the emulator had counted by its end.
pub(super) struct Step {
    pub(super) what: &'static str,
    pub(super) sent: Sent,
    pub(super) fetched: Option<Fetched>,
    pub(super) token_requests: usize,
}

impl Step {
    /// `token fetched (client_credentials, 299 s)`.
    fn label(&self) -> String {
        match &self.fetched {
            None => self.what.to_owned(),
            Some(fetched) => {
                let lifetime =
                    fetched.lifetime.map_or_else(|| "no expiry".to_owned(), |l| format!("{} s", l.as_secs()));
                format!("{} ({}, {lifetime})", self.what, fetched.grant)
            }
        }
    }

    /// `200 #3fa2 [1]`, `401 -> 200 #6d2e [2]`, or `200 #6d2e, then #74a0 [3]` when the call
    /// went out with one token while the next was fetched behind it.
    fn cell(&self) -> String {
        let retried = if self.sent.attempts > 1 { "401 -> " } else { "" };
        let bearer = self.sent.bearer.as_ref().map_or_else(|| "no token".to_owned(), fingerprint);
        let then = match &self.fetched {
            Some(fetched) if !self.sent.carried(&fetched.token) => format!(", then {}", fingerprint(&fetched.token)),
            _ => String::new(),
        };
        format!("{retried}{} {bearer}{then} [{}]", self.sent.status.as_u16(), self.token_requests)
    }
}

/// One vendor's table: its call, and the steps of each stack's flow.
pub(super) struct Table<'a> {
    pub(super) heading: String,
    pub(super) columns: Vec<(&'static str, &'a [Step])>,
}

impl Table<'_> {
    /// Each row's label and cells. A row's label is the first stack's; a cell whose own step
    /// differs from it (a refresh that came late, on expiry) says so.
    fn rows(&self) -> Vec<(String, Vec<String>)> {
        let count = self.columns.iter().map(|(_, steps)| steps.len()).max().unwrap_or(0);
        (0..count)
            .map(|row| {
                let steps: Vec<Option<&Step>> = self.columns.iter().map(|(_, steps)| steps.get(row)).collect();
                let first = steps.iter().flatten().next();
                let label = first.map(|step| step.label()).unwrap_or_default();
                let cells = steps
                    .iter()
                    .map(|step| match step {
                        None => "-".to_owned(),
                        Some(step) if first.is_some_and(|f| f.what != step.what) => {
                            format!("{} ({})", step.cell(), step.what)
                        }
                        Some(step) => step.cell(),
                    })
                    .collect();
                (label, cells)
            })
            .collect()
    }
}

/// The lines printed before the flows start.
pub(super) fn preamble(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "oauth demo: each vendor's whole flow through this library, against emulators on 127.0.0.1")?;
    writeln!(out, "(no account, no network), over reqwest + BearerMiddleware and hyper + tower BearerLayer.")?;
    writeln!(out, "A cell is the API's answer, the token it received (#xxxx: a 16-bit hash; tokens are never")?;
    writeln!(out, "shown), the next token when one was fetched behind the call, and [token requests so far].")?;
    out.flush()
}

/// Every vendor's table, aligned alike.
pub(super) fn tables(out: &mut dyn Write, tables: &[Table<'_>]) -> io::Result<()> {
    let rows: Vec<_> = tables.iter().map(Table::rows).collect();
    let all_rows = || rows.iter().flatten();
    let label_width = all_rows().map(|(label, _)| label.len() + 2).chain(tables.iter().map(|t| t.heading.len())).max();
    let label_width = label_width.unwrap_or(0) + 3;
    let cell_width = all_rows().flat_map(|(_, cells)| cells.iter().map(String::len)).max().unwrap_or(0) + 3;
    for (table, rows) in tables.iter().zip(&rows) {
        let mut line = format!("\n{:<label_width$}", table.heading);
        for (stack, _) in &table.columns {
            line.push_str(&format!("{stack:<cell_width$}"));
        }
        writeln!(out, "{}", line.trim_end())?;
        for (label, cells) in rows {
            let mut line = format!("  {label:<width$}", width = label_width - 2);
            for cell in cells {
                line.push_str(&format!("{cell:<cell_width$}"));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

/// `MXO             reqwest ok   hyper FAILED: the refused call was not sent again`.
pub(super) fn verdict(out: &mut dyn Write, vendor: &str, stacks: &[(&str, &Result<(), String>)]) -> io::Result<()> {
    let mut line = format!("{vendor:<16}");
    for (stack, result) in stacks {
        match result {
            Ok(()) => line.push_str(&format!("{stack} ok   ")),
            Err(reason) => line.push_str(&format!("{stack} FAILED: {reason}   ")),
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// `#3fa2`: four hex digits of a hash of the token.
pub(super) fn fingerprint(token: &AccessToken) -> String {
    let mut hasher = DefaultHasher::new();
    token.secret().hash(&mut hasher);
    format!("#{:04x}", hasher.finish() & 0xffff)
}
