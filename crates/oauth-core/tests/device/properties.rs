//! Properties of polling: whatever the timing of polls and answers, never two requests out, none
//! at or after the expiry, and none sooner than the interval in force.

use std::time::{Duration, Instant};

use oauth_core::device::{DeviceFlow, DeviceFlowError, DeviceStep};
use proptest::prelude::*;

use crate::script::{Answer, Failure, Lost};
use crate::{at, json, public_client, rfc_authorization, token_endpoint};

#[derive(Clone, Copy, Debug)]
enum Event {
    /// Poll this many milliseconds after the previous event.
    PollAfter(u64),
    /// Answer the request out (if any) this many milliseconds later.
    Answer(u64, Answer),
}

fn event() -> impl Strategy<Value = Event> {
    let answer = prop_oneof![
        Just(Answer::Error("authorization_pending")),
        Just(Answer::Error("slow_down")),
        Just(Answer::Lost),
        Just(Answer::Raw(503, "")),
        Just(Answer::Raw(429, "")),
    ];
    prop_oneof![
        (0u64..20_000).prop_map(Event::PollAfter),
        ((0u64..20_000), answer).prop_map(|(ms, a)| Event::Answer(ms, a)),
    ]
}

proptest! {
    /// Whatever the timing of polls and answers: never two requests out, never one handed out
    /// at or after the expiry, and never one sooner than the interval in force after the
    /// previous answer.
    #[test]
    fn polling_keeps_its_promises(events in proptest::collection::vec(event(), 1..200)) {
        let mut flow = DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(0));
        let mut now = at(0);
        let mut out = None;
        let mut last_answer: Option<(Instant, Duration)> = Some((at(0), flow.interval()));
        for event in events {
            match event {
                Event::PollAfter(ms) => {
                    now += Duration::from_millis(ms);
                    match flow.poll(now) {
                        DeviceStep::Send(_, pending) => {
                            prop_assert!(out.is_none(), "a second request while one is out");
                            prop_assert!(now < at(1800), "a request at or after the expiry");
                            if let Some((answered, interval)) = last_answer {
                                prop_assert!(now >= answered + interval, "a request before the interval passed");
                            }
                            out = Some(pending);
                        }
                        DeviceStep::InFlight => prop_assert!(out.is_some()),
                        DeviceStep::Wait(until) => {
                            prop_assert!(until > now && until <= at(1800));
                            prop_assert!(out.is_none());
                        }
                        DeviceStep::Failed(DeviceFlowError::CodeExpired { .. }) => prop_assert!(now >= at(1800)),
                        other => prop_assert!(false, "unexpected {:?}", other),
                    }
                }
                Event::Answer(ms, answer) => {
                    now += Duration::from_millis(ms);
                    let Some(pending) = out.take() else { continue };
                    let result = match answer {
                        Answer::Error(code) => pending.finish(&json(400, &format!(r#"{{"error":"{code}"}}"#)), now).map_err(Failure::Answer),
                        Answer::Raw(status, body) => pending.finish(&json(status, body), now).map_err(Failure::Answer),
                        Answer::Lost | Answer::Token => Err(Failure::Transport(Lost)),
                    };
                    let _ = flow.answered(now, result);
                    last_answer = Some((now, flow.interval()));
                }
            }
        }
    }
}
