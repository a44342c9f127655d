//! §3.4, §3.5: polling — the token request's grant and client authentication, each error answer
//! doing what the RFC says at the exact instants, `slow_down`, the device code's expiry, one
//! request out at a time, lost and try-later answers, `Retry-After`, and the flow's errors.

use std::time::Duration;

use oauth_core::device::{
    DEFAULT_INTERVAL, DEVICE_CODE_GRANT_TYPE, DeviceFlow, DeviceFlowError, DeviceStep, SLOW_DOWN_STEP,
};
use oauth_core::http::Response;
use oauth_core::{ClientAuth, ClientId, ClientSecret, ErrorCode, Quirks, TokenError};

use crate::script::{Answer, End, TOKEN, drive};
use crate::{at, json, public_client, rfc_authorization, rfc_flow, token_endpoint};

#[test]
fn the_token_request_carries_the_device_code_grant_and_client_authentication() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(request, pending) = flow.poll(at(5)) else { panic!("expected a request at 5 s") };
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://example.com/token");
    assert_eq!(
        request.body(),
        b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=1406020730\
          &device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
    );
    assert_eq!(pending.grant().grant_type(), DEVICE_CODE_GRANT_TYPE);
    assert!(!pending.grant().is_replay_safe());

    let basic = ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new("s3cr3t"));
    let mut flow = DeviceFlow::new(token_endpoint(), basic, &rfc_authorization(), at(0));
    let DeviceStep::Send(request, _) = flow.poll(at(5)) else { panic!("expected a request at 5 s") };
    assert!(request.headers()["authorization"].is_sensitive());
    assert_eq!(
        request.body(),
        b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code\
          &device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
    );
}

#[test]
fn pending_pending_slow_down_pending_token_at_the_exact_times() {
    use Answer::{Error, Token};
    let script = [
        Error("authorization_pending"),
        Error("authorization_pending"),
        Error("slow_down"),
        Error("authorization_pending"),
        Token,
    ];
    let (sent, end) = drive(rfc_flow(), 0, &script);
    // 5 s apart until slow_down makes it 10 s.
    assert_eq!(sent, [5, 10, 15, 25, 35]);
    assert_eq!(end, End::Token("2YotnFZFEjr1zCsicMWpAA".into()));
}

#[test]
fn each_rfc_8628_3_5_error_answer_does_what_the_rfc_says() {
    use Answer::{Error, Token};
    let cases: &[(&str, &[Answer], &[u64], End)] = &[
        (
            "authorization_pending keeps the interval",
            &[Error("authorization_pending"), Token],
            &[5, 10],
            End::Token("2YotnFZFEjr1zCsicMWpAA".into()),
        ),
        ("slow_down adds 5 s", &[Error("slow_down"), Token], &[5, 15], End::Token("2YotnFZFEjr1zCsicMWpAA".into())),
        (
            "slow_down twice adds 10 s",
            &[Error("slow_down"), Error("slow_down"), Token],
            &[5, 15, 30],
            End::Token("2YotnFZFEjr1zCsicMWpAA".into()),
        ),
        ("access_denied ends it", &[Error("authorization_pending"), Error("access_denied")], &[5, 10], End::Denied),
        ("expired_token ends it", &[Error("expired_token")], &[5], End::ServerExpired),
        ("any other refusal ends it", &[Error("invalid_grant")], &[5], End::Refused(Some(ErrorCode::InvalidGrant))),
        (
            "a 2xx that is not a token ends it",
            &[Answer::Raw(200, r#"{"token_type":"Bearer"}"#)],
            &[5],
            End::Refused(None),
        ),
    ];
    for (name, script, times, end) in cases {
        let (sent, got) = drive(rfc_flow(), 0, script);
        assert_eq!(&sent, times, "{name}");
        assert_eq!(&got, end, "{name}");
    }
}

#[test]
fn slow_down_grows_the_interval_for_every_later_request() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    let error = flow.answered(at(5), pending.finish(&json(400, r#"{"error":"slow_down"}"#), at(5)));
    assert_eq!(error.and_then(|e| e.code().cloned()), Some(ErrorCode::SlowDown)); // given back to log
    assert_eq!(flow.interval(), DEFAULT_INTERVAL + SLOW_DOWN_STEP);
    assert!(matches!(flow.poll(at(14)), DeviceStep::Wait(until) if until == at(15)));
    let DeviceStep::Send(_, pending) = flow.poll(at(15)) else { panic!() };
    flow.answered(at(15), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(15)));
    assert_eq!(flow.interval(), Duration::from_secs(10), "pending keeps the grown interval");
    assert!(matches!(flow.poll(at(15)), DeviceStep::Wait(until) if until == at(25)));
}

#[test]
fn the_device_codes_expiry_ends_the_flow_even_if_the_server_keeps_saying_pending() {
    let (sent, end) = drive(rfc_flow(), 0, &[Answer::Error("authorization_pending")]);
    // Every 5 s from 5 s to 1795 s; none at the expiry itself.
    assert_eq!(sent, (1..=359).map(|n| n * 5).collect::<Vec<_>>());
    assert_eq!(end, End::CodeExpired(1800));

    // With slow_down, a wait that would pass the expiry ends at it.
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(1795)) else { panic!() };
    flow.answered(at(1797), pending.finish(&json(400, r#"{"error":"slow_down"}"#), at(1795)));
    assert!(matches!(flow.poll(at(1797)), DeviceStep::Wait(until) if until == at(1800)));
    let DeviceStep::Failed(error) = flow.poll(at(1800)) else { panic!() };
    assert!(matches!(error, DeviceFlowError::CodeExpired { expires_at } if *expires_at == at(1800)));
    assert!(error.token_error().is_none());
    assert!(matches!(flow.poll(at(5000)), DeviceStep::Failed(DeviceFlowError::CodeExpired { .. })), "it stays ended");
}

#[test]
fn a_request_out_at_the_expiry_is_waited_for_and_its_token_still_counts() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(1795)) else { panic!() };
    // Long past the expiry, the request is still out: no second one, no verdict yet.
    assert!(matches!(flow.poll(at(1800)), DeviceStep::InFlight));
    assert!(matches!(flow.poll(at(9999)), DeviceStep::InFlight));
    flow.answered::<TokenError>(at(1801), pending.finish(&json(200, TOKEN), at(1795)));
    assert!(matches!(flow.poll(at(1801)), DeviceStep::Done(_)));

    // The same request answered `authorization_pending` instead: expired at the next poll.
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(1795)) else { panic!() };
    flow.answered(at(1801), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(1795)));
    assert!(matches!(flow.poll(at(1801)), DeviceStep::Failed(DeviceFlowError::CodeExpired { .. })));
}

#[test]
fn no_request_before_the_interval_has_passed() {
    let mut flow = rfc_flow();
    assert!(matches!(flow.poll(at(0)), DeviceStep::Wait(until) if until == at(5)));
    assert!(matches!(flow.poll(at(4)), DeviceStep::Wait(until) if until == at(5)));
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    // The next is due one interval after the answer, however long the answer took.
    flow.answered(at(8), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(5)));
    assert!(matches!(flow.poll(at(12)), DeviceStep::Wait(until) if until == at(13)));
    assert!(matches!(flow.poll(at(13)), DeviceStep::Send(..)));
}

#[test]
fn a_second_request_is_never_handed_out_while_one_is_unanswered() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, first) = flow.poll(at(5)) else { panic!() };
    for t in [5, 6, 10, 100, 1799] {
        assert!(matches!(flow.poll(at(t)), DeviceStep::InFlight), "at {t}");
    }
    // Given back unanswered: the next one is a full interval later.
    drop(first);
    flow.abandon(at(100));
    assert!(!flow.is_in_flight());
    assert!(matches!(flow.poll(at(100)), DeviceStep::Wait(until) if until == at(105)));
    assert!(matches!(flow.poll(at(105)), DeviceStep::Send(..)));
}

#[test]
fn an_answer_with_no_request_out_is_ignored_and_given_back() {
    let mut flow = rfc_flow();
    let stray = json(400, r#"{"error":"access_denied"}"#);
    let error = oauth_core::parse_token_response(&Quirks::lenient(), &stray, at(1)).unwrap_err();
    assert!(flow.answered(at(1), Err::<oauth_core::Token, _>(error)).is_some());
    assert!(matches!(flow.poll(at(1)), DeviceStep::Wait(until) if until == at(5)));
    flow.abandon(at(2)); // nothing out: nothing happens
    assert!(matches!(flow.poll(at(2)), DeviceStep::Wait(until) if until == at(5)));
}

#[test]
fn a_lost_request_or_a_try_later_answer_backs_off_like_slow_down() {
    use Answer::{Error, Lost, Raw, Token};
    let cases: &[(&str, &[Answer], &[u64])] = &[
        ("no answer", &[Lost, Token], &[5, 15]),
        ("no answer twice", &[Lost, Lost, Token], &[5, 15, 30]),
        ("a 503", &[Raw(503, "busy"), Token], &[5, 15]),
        ("temporarily_unavailable", &[Raw(400, r#"{"error":"temporarily_unavailable"}"#), Token], &[5, 15]),
        ("then pending keeps the grown interval", &[Lost, Error("authorization_pending"), Token], &[5, 15, 25]),
    ];
    for (name, script, times) in cases {
        let (sent, end) = drive(rfc_flow(), 0, script);
        assert_eq!(&sent, times, "{name}");
        assert_eq!(end, End::Token("2YotnFZFEjr1zCsicMWpAA".into()), "{name}");
    }
}

#[test]
fn a_retry_after_delay_postpones_the_next_request_once() {
    let busy = |retry_after: &str| {
        Response::builder().status(429).header("retry-after", retry_after).body(Vec::new()).unwrap()
    };
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    flow.answered(at(5), pending.finish(&busy("30"), at(5)));
    assert_eq!(flow.interval(), Duration::from_secs(10));
    assert!(matches!(flow.poll(at(5)), DeviceStep::Wait(until) if until == at(35)));
    let DeviceStep::Send(_, pending) = flow.poll(at(35)) else { panic!() };
    flow.answered(at(35), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(35)));
    assert!(matches!(flow.poll(at(35)), DeviceStep::Wait(until) if until == at(45)));

    // A delay beyond the clock's range waits until the device code expires, without panicking.
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    flow.answered(at(5), pending.finish(&busy("18446744073709551615"), at(5)));
    assert!(matches!(flow.poll(at(5)), DeviceStep::Wait(until) if until == at(1800)));
}

#[test]
fn a_flow_started_late_waits_an_interval_from_its_start() {
    let (sent, _) =
        drive(DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(100)), 100, &[Answer::Token]);
    assert_eq!(sent, [105]);
    // Started after the code expired: failed at once, nothing sent.
    let (sent, end) = drive(
        DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(1800)),
        1800,
        &[Answer::Token],
    );
    assert!(sent.is_empty());
    assert_eq!(end, End::CodeExpired(1800));
}

#[test]
fn flow_errors_display_what_happened_and_keep_the_answer_as_source() {
    use std::error::Error as _;
    let end_with = |code: &str| {
        let mut flow = rfc_flow();
        let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
        flow.answered(at(5), pending.finish(&json(400, &format!(r#"{{"error":"{code}"}}"#)), at(5)));
        let DeviceStep::Failed(error) = flow.poll(at(5)) else { panic!() };
        error.clone()
    };
    let denied = end_with("access_denied");
    assert_eq!(denied.to_string(), "the user refused the device authorization");
    assert_eq!(denied.token_error().and_then(TokenError::code), Some(&ErrorCode::AccessDenied));
    assert!(denied.source().is_some());
    let expired = end_with("expired_token");
    assert!(matches!(expired, DeviceFlowError::ExpiredToken(_)));
    assert!(expired.source().unwrap().to_string().contains("expired_token"));
    let refused = end_with("invalid_client");
    assert!(refused.to_string().contains("invalid_client"), "{refused}");
    assert!(refused.source().is_none(), "displayed, so not also the source");
}
