//! `TokenLifecycle` state-machine scenarios on a virtual clock: a base `Instant` plus offsets, never the wall clock.
//!
//! Each scenario is a script of steps — poll at a time, complete or abandon a ticket, invalidate — with what each
//! step must give. Tickets are numbered in the order the script receives them.

use std::time::{Duration, Instant};

use oauth_core::http::Response;
use oauth_core::{
    AccessToken, Completion, DEFAULT_REFRESH_SKEW, Decision, Fetch, FetchGrant, Grant, Quirks, RefreshToken, Token,
    TokenError, TokenLifecycle, parse_token_response,
};

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

// ----- the runner -----

struct Clock(Instant);

impl Clock {
    fn at(&self, secs: f64) -> Instant {
        self.0 + Duration::from_secs_f64(secs)
    }
}

fn token(clock: &Clock, issued: Issued) -> Token {
    let mut token = Token::bearer(AccessToken::new(issued.access));
    if let Some(lifetime) = issued.lifetime {
        token = token.with_lifetime(clock.at(issued.issued), Duration::from_secs_f64(lifetime));
    }
    if let Some(refresh) = issued.refresh {
        token = token.with_refresh_token(RefreshToken::new(refresh));
    }
    token
}

/// An OAuth error as the parser makes it from a real answer.
fn refused(code: &str, status: u16) -> TokenError {
    let answer = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(format!(r#"{{"error":"{code}"}}"#))
        .expect("valid");
    parse_token_response(&Quirks::lenient(), &answer, Instant::now()).expect_err("an error answer")
}

/// The ticket's grant, written as `G`'s Debug writes it.
fn grant_of(fetch: &Fetch) -> String {
    match fetch.grant() {
        FetchGrant::Primary => format!("{:?}", G::Primary),
        FetchGrant::Refresh(token) => format!("Refresh({:?})", token.secret()),
        other => panic!("unknown grant {other:?}"),
    }
}

fn run(scenario: &Scenario, clock: &Clock) -> Result<(), String> {
    let mut life = TokenLifecycle::new(Duration::from_secs_f64(scenario.skew));
    let mut tickets: Vec<Option<Fetch>> = Vec::new();
    for (n, step) in scenario.steps.iter().enumerate() {
        let fail = |what: String| Err(format!("step {n}: {what}"));
        match *step {
            Step::Poll(at, want) => {
                let is_fetching_before = life.is_fetching();
                let got = match life.poll(clock.at(at)) {
                    Decision::Ready(t) => format!("Ready({})", t.access_token().secret()),
                    Decision::RefreshAhead(t, Some(f)) => {
                        let text = format!(
                            "AheadFetch({}, {}, ahead={})",
                            t.access_token().secret(),
                            grant_of(&f),
                            f.is_ahead()
                        );
                        tickets.push(Some(f));
                        text
                    }
                    Decision::RefreshAhead(t, None) => format!("AheadInFlight({})", t.access_token().secret()),
                    Decision::Fetch(f) => {
                        let text = format!("Fetch({}, ahead={})", grant_of(&f), f.is_ahead());
                        tickets.push(Some(f));
                        text
                    }
                    Decision::Wait => "Wait".to_owned(),
                };
                let expected = match want {
                    Sees::Ready(a) => format!("Ready({a})"),
                    Sees::AheadFetch(a, g) => format!("AheadFetch({a}, {g:?}, ahead=true)"),
                    Sees::AheadInFlight(a) => format!("AheadInFlight({a})"),
                    Sees::Fetch(g) => format!("Fetch({g:?}, ahead=false)"),
                    Sees::Wait => "Wait".to_owned(),
                };
                if got != expected {
                    return fail(format!("poll at {at}s gave {got}, expected {expected}"));
                }
                // A fetch is in flight exactly when one was handed out and not yet given back.
                let handed_out = matches!(want, Sees::AheadFetch(..) | Sees::Fetch(_));
                if life.is_fetching() != (is_fetching_before || handed_out) {
                    return fail(format!("is_fetching {} after poll at {at}s", life.is_fetching()));
                }
            }
            Step::Complete(ticket, outcome, want) => {
                let fetch =
                    tickets.get_mut(ticket).and_then(Option::take).ok_or(format!("step {n}: no ticket {ticket}"))?;
                let result = match outcome {
                    Outcome::Token(t) => Ok(token(clock, t)),
                    Outcome::Refused(code, status) => Err(refused(code, status)),
                };
                let (got, error) = life.complete(fetch, result);
                if got != want || error.is_some() == (want == Stored) {
                    return fail(format!("complete({ticket}) gave {got:?}, expected {want:?}"));
                }
                // Still fetching exactly when another ticket is out (a lost one's lease ran out).
                if life.is_fetching() != tickets.iter().any(Option::is_some) {
                    return fail(format!("is_fetching {} after complete({ticket})", life.is_fetching()));
                }
            }
            Step::Abandon(ticket) => {
                let fetch =
                    tickets.get_mut(ticket).and_then(Option::take).ok_or(format!("step {n}: no ticket {ticket}"))?;
                life.abandon(fetch);
                if life.is_fetching() != tickets.iter().any(Option::is_some) {
                    return fail(format!("is_fetching {} after abandon({ticket})", life.is_fetching()));
                }
            }
            Step::Invalidate => {
                life.invalidate();
                if life.token().is_some() {
                    return fail("a token survived invalidate".to_owned());
                }
            }
            Step::Holds(want) => {
                let held = life.refresh_token().map(RefreshToken::secret);
                let on_token = life.token().and_then(Token::refresh_token).map(RefreshToken::secret);
                if held != want {
                    return fail(format!("holds refresh token {held:?}, expected {want:?}"));
                }
                if life.token().is_some() && on_token != want {
                    return fail(format!("cached token carries refresh token {on_token:?}, expected {want:?}"));
                }
            }
            Step::RefreshAt(want) => {
                let got = life.refresh_at();
                if got != want.map(|s| clock.at(s)) {
                    return fail(format!("refresh_at {:?} after base, expected {want:?}", got.map(|t| t - clock.0)));
                }
            }
        }
    }
    // Every ticket handed out was given back, or the script is incomplete.
    let open: Vec<usize> = tickets.iter().enumerate().filter(|(_, t)| t.is_some()).map(|(i, _)| i).collect();
    for i in open {
        if let Some(fetch) = tickets[i].take() {
            life.abandon(fetch);
        }
    }
    Ok(())
}

#[test]
fn every_lifecycle_scenario_runs_as_scripted() {
    let clock = Clock(Instant::now());
    let failures: Vec<String> =
        SCENARIOS.iter().filter_map(|s| run(s, &clock).err().map(|e| format!("{}: {e}", s.name))).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn refresh_at_is_expiry_minus_the_skew_capped_at_half_the_lifetime() {
    let clock = Clock(Instant::now());
    // (why, skew s, lifetime s, refresh_at s after issue)
    let table: &[(&str, f64, f64, f64)] = &[
        ("MXO with the default skew", 60.0, 299.0, 239.0),
        ("MXO with a skew longer than the token", 600.0, 299.0, 149.5),
        ("MXO with no skew refreshes only at expiry", 0.0, 299.0, 299.0),
        ("CloudCX with the default skew", 60.0, 3599.0, 3539.0),
        ("a skew of exactly half", 50.0, 100.0, 50.0),
        ("a one-second token", 60.0, 1.0, 0.5),
    ];
    for (why, skew, lifetime, refresh_at) in table {
        let mut life = TokenLifecycle::new(Duration::from_secs_f64(*skew));
        assert_eq!(
            life.effective_skew(Duration::from_secs_f64(*lifetime)),
            Duration::from_secs_f64(skew.min(lifetime / 2.0)),
            "{why}"
        );
        let Decision::Fetch(fetch) = life.poll(clock.at(0.0)) else { panic!("{why}: no fetch") };
        let issued_at = clock.at(10.0);
        let token = Token::bearer(AccessToken::new("a")).with_lifetime(issued_at, Duration::from_secs_f64(*lifetime));
        assert_eq!(life.complete::<TokenError>(fetch, Ok(token)).0, Completion::Stored);
        assert_eq!(life.refresh_at(), Some(issued_at + Duration::from_secs_f64(*refresh_at)), "{why}");
    }
}

#[test]
fn a_fresh_token_is_never_refreshed_ahead_at_issue() {
    let clock = Clock(Instant::now());
    for skew in [0, 1, 10, 60, 299, 600, 86_400] {
        for lifetime in [1, 2, 3, 59, 60, 61, 119, 120, 121, 299, 300, 3599] {
            let mut life = TokenLifecycle::new(Duration::from_secs(skew));
            let Decision::Fetch(fetch) = life.poll(clock.at(0.0)) else { panic!("no fetch") };
            let token =
                Token::bearer(AccessToken::new("a")).with_lifetime(clock.at(0.0), Duration::from_secs(lifetime));
            assert_eq!(life.complete::<TokenError>(fetch, Ok(token)).0, Completion::Stored);
            assert!(matches!(life.poll(clock.at(0.0)), Decision::Ready(_)), "skew {skew} s, lifetime {lifetime} s");
        }
    }
}

#[test]
fn default_lifecycle_uses_the_default_skew() {
    let life = TokenLifecycle::default();
    assert_eq!(DEFAULT_REFRESH_SKEW, Duration::from_secs(60));
    assert_eq!(life.effective_skew(Duration::from_secs(3600)), DEFAULT_REFRESH_SKEW);
    assert!(life.token().is_none() && life.refresh_token().is_none() && !life.is_fetching());
}

#[test]
fn a_ticket_that_lost_its_lease_does_not_clear_the_one_in_flight() {
    let clock = Clock(Instant::now());
    let mut life = TokenLifecycle::new(Duration::from_secs(60)).with_fetch_timeout(Duration::from_secs(10));
    // Ticket 1 goes out and outlives its 10 s lease; the next poll hands out ticket 2.
    let Decision::Fetch(late) = life.poll(clock.at(0.0)) else { panic!("no fetch") };
    let Decision::Fetch(current) = life.poll(clock.at(10.0)) else { panic!("the lease did not run out") };
    // Ticket 1 comes back late, failed: ticket 2 must stay in flight, and no third goes out.
    let (completion, error) = life.complete(late, Err(refused("server_error", 500)));
    assert_eq!(completion, Completion::Failed);
    assert!(error.is_some(), "the error is given back to the caller");
    assert!(life.is_fetching(), "a late completion cleared the in-flight ticket");
    assert!(matches!(life.poll(clock.at(11.0)), Decision::Wait), "a second fetch was handed out");
    // Ticket 2 is handed back; only then does the next poll fetch.
    life.abandon(current);
    assert!(!life.is_fetching());
    assert!(matches!(life.poll(clock.at(12.0)), Decision::Fetch(_)));
}

#[test]
fn fetch_grant_turns_into_the_grant_to_send() {
    let primary = Grant::password("agent7", "pa55");
    assert_eq!(FetchGrant::Primary.to_grant(&primary).grant_type(), "password");
    let refresh = FetchGrant::Refresh(RefreshToken::new("r1")).to_grant(&primary);
    match refresh {
        Grant::RefreshToken { refresh_token } => assert_eq!(refresh_token.secret(), "r1"),
        other => panic!("expected a refresh grant, got {other:?}"),
    }
}

#[test]
fn ticket_ids_increase() {
    let clock = Clock(Instant::now());
    let mut life = TokenLifecycle::default();
    let mut last = 0;
    for _ in 0..5 {
        let Decision::Fetch(fetch) = life.poll(clock.at(0.0)) else { panic!("no fetch") };
        assert!(fetch.id() > last);
        last = fetch.id();
        life.abandon(fetch);
    }
}

/// A token held from elsewhere (a cache, a shared store) is served and refreshed by the same
/// rule as a fetched one, with its own refresh token.
#[test]
fn a_seeded_token_is_served_then_refreshed_ahead_with_its_refresh_token() {
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    let mut life = TokenLifecycle::new(Duration::from_secs(60));
    life.seed(
        Token::bearer(AccessToken::new("seeded"))
            .with_lifetime(t0, Duration::from_secs(299))
            .with_refresh_token(RefreshToken::new("rt-seeded")),
    );
    assert!(matches!(life.poll(at(200)), Decision::Ready(token) if token.access_token().secret() == "seeded"));
    let Decision::RefreshAhead(_, Some(fetch)) = life.poll(at(250)) else { panic!("no refresh ahead at 250 s") };
    assert!(matches!(fetch.grant(), FetchGrant::Refresh(rt) if rt.secret() == "rt-seeded"));

    // An expired seed is a fetch at once, still with the refresh token it brought.
    let mut life = TokenLifecycle::new(Duration::from_secs(60));
    life.seed(
        Token::bearer(AccessToken::new("old"))
            .with_lifetime(t0, Duration::from_secs(10))
            .with_refresh_token(RefreshToken::new("rt-old")),
    );
    let Decision::Fetch(fetch) = life.poll(at(11)) else { panic!("an expired seed must fetch") };
    assert!(matches!(fetch.grant(), FetchGrant::Refresh(rt) if rt.secret() == "rt-old"));
}

/// A token from elsewhere is held to the same rule as the lifecycle's own: fresh until its
/// refresh window opens.
#[test]
fn is_fresh_is_the_ready_rule() {
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    let life = TokenLifecycle::new(Duration::from_secs(60));
    let token = Token::bearer(AccessToken::new("x")).with_lifetime(t0, Duration::from_secs(299));
    assert!(life.is_fresh(&token, at(238)));
    assert!(!life.is_fresh(&token, at(239)), "the window opens at 299 - 60");
    let short = Token::bearer(AccessToken::new("y")).with_lifetime(t0, Duration::from_secs(4));
    assert!(life.is_fresh(&short, at(1)) && !life.is_fresh(&short, at(2)), "skew capped at half the lifetime");
    assert!(life.is_fresh(&Token::bearer(AccessToken::new("z")), at(1_000_000)), "no expiry");
}
