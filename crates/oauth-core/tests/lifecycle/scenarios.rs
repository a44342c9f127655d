//! The scripted scenarios — single flight, refresh ahead and its backoff, expiry, leases, refresh-token rotation and
//! rejection, abandon and invalidate — and the test that runs every one.

use std::time::Instant;

use oauth_core::Completion;

use crate::runner::{Clock, run};
use crate::{G, Issued, Outcome, Scenario, Sees, Step, issued};

use Completion::{Failed, RefreshRejected, Stored};
use Outcome::{Refused, Token as Tok};
use Sees::{AheadFetch, AheadInFlight, Fetch as F, Ready, Wait};
use Step::{Abandon, Complete, Holds, Invalidate, Poll as P, RefreshAt};

/// MXO's token: 299 s, no refresh token (VENDORS.md §1, seeds/000).
const MXO_A1: Outcome = Tok(issued("a1", 0.0, 299.0, None));

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "first poll fetches with the primary grant and later polls wait for it (single flight)",
        skew: 60.0,
        steps: &[P(0.0, F(G::Primary)), P(0.0, Wait), P(5.0, Wait), Complete(0, MXO_A1, Stored), P(5.0, Ready("a1"))],
    },
    Scenario {
        name: "mxo 299 s token with 60 s skew is ready until 239 s, refreshed ahead until 299 s, then fetched",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            RefreshAt(Some(239.0)),
            P(0.0, Ready("a1")),
            P(238.999, Ready("a1")),
            P(239.0, AheadFetch("a1", G::Primary)),
            P(239.0, AheadInFlight("a1")),
            P(298.999, AheadInFlight("a1")),
            Complete(1, Tok(issued("a2", 240.0, 299.0, None)), Stored),
            P(299.0, Ready("a2")),
            RefreshAt(Some(479.0)),
        ],
    },
    Scenario {
        name: "mxo 299 s token with 600 s skew is capped at half the lifetime and is never stale at issue",
        skew: 600.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            RefreshAt(Some(149.5)),
            P(0.0, Ready("a1")),
            P(149.4, Ready("a1")),
            P(149.5, AheadFetch("a1", G::Primary)),
        ],
    },
    Scenario {
        name: "a token fetched late is still measured from its issue time",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            // Sent at 0, answered at 250: already in the refresh window on arrival.
            Complete(0, MXO_A1, Stored),
            P(250.0, AheadFetch("a1", G::Primary)),
        ],
    },
    Scenario {
        name: "an expired token is not served: the next poll fetches and the one after waits",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            P(299.0, F(G::Primary)),
            P(300.0, Wait),
            Complete(1, Tok(issued("a2", 299.0, 299.0, None)), Stored),
            P(300.0, Ready("a2")),
        ],
    },
    Scenario {
        name: "an expired token with a refresh ahead in flight waits for it",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            P(250.0, AheadFetch("a1", G::Primary)),
            P(299.0, Wait),
            Complete(1, Tok(issued("a2", 250.0, 299.0, None)), Stored),
            P(299.0, Ready("a2")),
        ],
    },
    Scenario {
        name: "a failed refresh ahead keeps serving the old token until it expires",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            P(240.0, AheadFetch("a1", G::Primary)),
            Complete(1, Refused("temporarily_unavailable", 503), Failed),
            P(241.0, AheadFetch("a1", G::Primary)),
            Complete(2, Refused("server_error", 500), Failed),
            P(298.0, AheadFetch("a1", G::Primary)),
            Abandon(3),
            P(299.0, F(G::Primary)),
        ],
    },
    Scenario {
        name: "a failing refresh ahead backs off 1 s then 2 s from each attempt's start while the old token serves",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            P(240.0, AheadFetch("a1", G::Primary)),
            Complete(1, Refused("server_error", 500), Failed),
            P(240.5, AheadInFlight("a1")),
            P(241.0, AheadFetch("a1", G::Primary)),
            Complete(2, Refused("server_error", 500), Failed),
            P(242.9, AheadInFlight("a1")),
            P(243.0, AheadFetch("a1", G::Primary)),
            Complete(3, Tok(issued("a2", 243.0, 299.0, None)), Stored),
            P(243.0, Ready("a2")),
            // A success resets the backoff: the next window starts at once.
            P(482.0, AheadFetch("a2", G::Primary)),
        ],
    },
    Scenario {
        name: "a ticket never handed back loses its slot after the 120 s lease and the next poll fetches again",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            P(119.9, Wait),
            P(120.0, F(G::Primary)),
            P(120.0, Wait),
            // The lost ticket answers after all: its token is stored, the newer ticket stays out.
            Complete(0, MXO_A1, Stored),
            P(121.0, Ready("a1")),
            Complete(1, Tok(issued("a2", 120.0, 299.0, None)), Stored),
            P(121.0, Ready("a2")),
        ],
    },
    Scenario {
        name: "a failed first fetch leaves nothing to serve and the next poll fetches again",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Refused("temporarily_unavailable", 503), Failed),
            P(1.0, F(G::Primary)),
        ],
    },
    Scenario {
        name: "invalid_grant on a refresh ahead drops the refresh token and the next fetch is primary",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 3599.0, Some("r1"))), Stored),
            Holds(Some("r1")),
            P(3540.0, AheadFetch("a1", G::Refresh("r1"))),
            Complete(1, Refused("invalid_grant", 400), RefreshRejected),
            Holds(None),
            P(3541.0, AheadFetch("a1", G::Primary)),
            Complete(2, Tok(issued("a2", 3541.0, 3599.0, None)), Stored),
            Holds(None),
            P(3600.0, Ready("a2")),
        ],
    },
    Scenario {
        name: "invalid_grant on a refresh after expiry drops the refresh token and the next fetch is primary",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 3599.0, Some("r1"))), Stored),
            P(3599.0, F(G::Refresh("r1"))),
            Complete(1, Refused("invalid_grant", 400), RefreshRejected),
            P(3599.0, F(G::Primary)),
        ],
    },
    Scenario {
        name: "invalid_grant on a primary fetch is a plain failure",
        skew: 60.0,
        steps: &[P(0.0, F(G::Primary)), Complete(0, Refused("invalid_grant", 400), Failed), P(0.0, F(G::Primary))],
    },
    Scenario {
        name: "any refusal of a refresh drops the refresh token (a rotated token's lost answer may be refused as invalid_client)",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 100.0, Some("r1"))), Stored),
            P(100.0, F(G::Refresh("r1"))),
            Complete(1, Refused("invalid_client", 401), RefreshRejected),
            Holds(None),
            P(100.0, F(G::Primary)),
        ],
    },
    Scenario {
        name: "a refresh answered with 'later' keeps the refresh token",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 100.0, Some("r1"))), Stored),
            P(100.0, F(G::Refresh("r1"))),
            Complete(1, Refused("temporarily_unavailable", 503), Failed),
            Holds(Some("r1")),
            P(100.0, F(G::Refresh("r1"))),
            Complete(2, Refused("server_error", 500), Failed),
            Holds(Some("r1")),
        ],
    },
    Scenario {
        name: "the refresh token is kept when the new token comes without one",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 100.0, Some("r1"))), Stored),
            P(100.0, F(G::Refresh("r1"))),
            Complete(1, Tok(issued("a2", 100.0, 100.0, None)), Stored),
            Holds(Some("r1")),
            P(200.0, F(G::Refresh("r1"))),
        ],
    },
    Scenario {
        name: "the refresh token is replaced when the server rotates it",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 100.0, Some("r1"))), Stored),
            P(100.0, F(G::Refresh("r1"))),
            Complete(1, Tok(issued("a2", 100.0, 100.0, Some("r2"))), Stored),
            Holds(Some("r2")),
            P(200.0, F(G::Refresh("r2"))),
        ],
    },
    Scenario {
        name: "abandon frees the slot for the next poll",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            P(0.0, Wait),
            Abandon(0),
            P(0.0, F(G::Primary)),
            P(0.0, Wait),
            Complete(1, MXO_A1, Stored),
            P(1.0, Ready("a1")),
        ],
    },
    Scenario {
        name: "abandoning a refresh ahead lets the next poll start another",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            P(240.0, AheadFetch("a1", G::Primary)),
            Abandon(1),
            P(240.0, AheadFetch("a1", G::Primary)),
        ],
    },
    Scenario {
        name: "invalidate forces a fetch and keeps the refresh token",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(issued("a1", 0.0, 3599.0, Some("r1"))), Stored),
            P(10.0, Ready("a1")),
            Invalidate,
            RefreshAt(None),
            Holds(Some("r1")),
            P(10.0, F(G::Refresh("r1"))),
            P(10.0, Wait),
        ],
    },
    Scenario {
        name: "invalidate without a refresh token forces a primary fetch",
        skew: 60.0,
        steps: &[P(0.0, F(G::Primary)), Complete(0, MXO_A1, Stored), Invalidate, P(1.0, F(G::Primary))],
    },
    Scenario {
        name: "invalidate during a refresh ahead waits for it instead of fetching twice",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, MXO_A1, Stored),
            P(240.0, AheadFetch("a1", G::Primary)),
            Invalidate,
            P(241.0, Wait),
            Complete(1, Tok(issued("a2", 240.0, 299.0, None)), Stored),
            P(241.0, Ready("a2")),
        ],
    },
    Scenario {
        name: "a token without expiry is served forever and never refreshed",
        skew: 60.0,
        steps: &[
            P(0.0, F(G::Primary)),
            Complete(0, Tok(Issued { access: "k1", issued: 0.0, lifetime: None, refresh: None }), Stored),
            RefreshAt(None),
            P(0.0, Ready("k1")),
            P(1e9, Ready("k1")),
        ],
    },
];

#[test]
fn every_lifecycle_scenario_runs_as_scripted() {
    let clock = Clock(Instant::now());
    let failures: Vec<String> =
        SCENARIOS.iter().filter_map(|s| run(s, &clock).err().map(|e| format!("{}: {e}", s.name))).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
