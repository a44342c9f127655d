//! `TokenLifecycle` state-machine scenarios on a virtual clock: a base `Instant` plus offsets, never the wall clock.
//!
//! Each scenario is a script of steps — poll at a time, complete or abandon a ticket, invalidate — with what each
//! step must give. Tickets are numbered in the order the script receives them.
//!
//! This file holds the words a script is written in; `scenarios` holds the scripts, `runner` plays one against a
//! `TokenLifecycle`, and `rules` checks the lifecycle's rules directly: the refresh window, leases, tickets, seeding.

use oauth_core::Completion;

#[path = "lifecycle/rules.rs"]
mod rules;
#[path = "lifecycle/runner.rs"]
mod runner;
#[path = "lifecycle/scenarios.rs"]
mod scenarios;

/// A token a fetch returns: issued at `issued` seconds, living `lifetime` seconds (none = no expiry).
#[derive(Clone, Copy)]
struct Issued {
    access: &'static str,
    issued: f64,
    lifetime: Option<f64>,
    refresh: Option<&'static str>,
}

const fn issued(access: &'static str, issued: f64, lifetime: f64, refresh: Option<&'static str>) -> Issued {
    Issued { access, issued, lifetime: Some(lifetime), refresh }
}

/// What a fetch came back with.
#[derive(Clone, Copy)]
enum Outcome {
    Token(Issued),
    /// An OAuth error answer with this code and status.
    Refused(&'static str, u16),
}

/// Which grant a ticket must carry.
#[derive(Clone, Copy, Debug, PartialEq)]
enum G {
    Primary,
    Refresh(&'static str),
}

/// What a poll must give.
#[derive(Clone, Copy)]
enum Sees {
    Ready(&'static str),
    /// Serve the token and perform the fetch (which becomes the next ticket).
    AheadFetch(&'static str, G),
    /// Serve the token; a refresh is already in flight.
    AheadInFlight(&'static str),
    /// Fetch and wait (the fetch becomes the next ticket).
    Fetch(G),
    Wait,
}

#[derive(Clone, Copy)]
enum Step {
    Poll(f64, Sees),
    Complete(usize, Outcome, Completion),
    Abandon(usize),
    Invalidate,
    /// The refresh token the lifecycle holds, and the one on its cached token.
    Holds(Option<&'static str>),
    /// When the cached token enters its refresh window, in seconds from the base.
    RefreshAt(Option<f64>),
}

struct Scenario {
    name: &'static str,
    skew: f64,
    steps: &'static [Step],
}
