//! The runner: plays a scenario's steps against a `TokenLifecycle` on a virtual clock and says at which step it first
//! gave something other than the script expects.

use std::time::{Duration, Instant};

use oauth_core::Completion::Stored;
use oauth_core::http::Response;
use oauth_core::{
    AccessToken, Decision, Fetch, FetchGrant, Quirks, RefreshToken, Token, TokenError, TokenLifecycle,
    parse_token_response,
};

use crate::{G, Issued, Outcome, Scenario, Sees, Step};

pub(crate) struct Clock(pub(crate) Instant);

impl Clock {
    pub(crate) fn at(&self, secs: f64) -> Instant {
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
pub(crate) fn refused(code: &str, status: u16) -> TokenError {
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

pub(crate) fn run(scenario: &Scenario, clock: &Clock) -> Result<(), String> {
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
