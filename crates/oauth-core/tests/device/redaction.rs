//! The device code is never printed: not by the authorization, the flow, its steps, the pending
//! exchange or any error — even when a server echoes it back — and a send step prints no body.

use std::fmt;

use oauth_core::device::{DeviceAuthorizationError, DeviceFlow, DeviceStep};
use oauth_core::{ClientAuth, ClientId, ClientSecret};

use crate::script::{Answer, TOKEN};
use crate::{DEVICE_CODE, at, json, read_answer, rfc_authorization, rfc_flow, secs_of, token_endpoint};

/// Every rendering of `value` that could reach a log.
fn renderings(value: &(impl fmt::Debug + ?Sized)) -> [String; 2] {
    [format!("{value:?}"), format!("{value:#?}")]
}

fn assert_no_device_code(what: &str, texts: impl IntoIterator<Item = String>) {
    for text in texts {
        assert!(!text.contains(DEVICE_CODE), "{what} shows the device code: {text}");
        // Nor its first half, in case something cut it.
        assert!(!text.contains(&DEVICE_CODE[..20]), "{what} shows part of the device code: {text}");
    }
}

#[test]
fn the_device_code_is_never_in_any_debug_display_or_error() {
    let authorization = rfc_authorization();
    assert_no_device_code("DeviceAuthorization", renderings(&authorization));
    assert_no_device_code(
        "SecretParam",
        [format!("{}", authorization.device_code()), format!("{:?}", authorization.device_code())],
    );

    let mut flow = rfc_flow();
    assert_no_device_code("DeviceFlow", renderings(&flow));
    let step = flow.poll(at(5));
    assert_no_device_code("DeviceStep::Send", renderings(&step));
    let DeviceStep::Send(request, pending) = step else { panic!() };
    assert!(String::from_utf8_lossy(request.body()).contains(DEVICE_CODE), "the request itself carries it");
    assert_no_device_code("PendingExchange", renderings(&pending));
    assert_no_device_code("DeviceFlow in flight", renderings(&flow));

    // A server that echoes the device code in its error: scrubbed from the error, from the
    // flow's own reading of it, and from both renderings.
    let echo = json(
        400,
        r#"{"error":"invalid_grant","error_description":"unknown device_code GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"}"#,
    );
    let result = pending.finish(&echo, at(5));
    let error = result.as_ref().unwrap_err();
    assert_no_device_code("TokenError", [error.to_string(), format!("{error:?}")]);
    let given_back = flow.answered(at(5), result).unwrap();
    assert_no_device_code("the error given back", [given_back.to_string()]);
    let DeviceStep::Failed(ended) = flow.poll(at(5)) else { panic!() };
    assert_no_device_code("DeviceFlowError", [ended.to_string(), format!("{ended:?}"), format!("{ended:#?}")]);
    assert_no_device_code("DeviceStep::Failed", renderings(&flow.poll(at(5))));
    assert_no_device_code("DeviceFlow ended", renderings(&flow));

    // Every way the flow can end.
    for script in [
        &[Answer::Error("access_denied")][..],
        &[Answer::Error("expired_token")],
        &[Answer::Error("authorization_pending")],
        &[Answer::Token],
    ] {
        let mut flow = rfc_flow();
        let mut now = 0;
        loop {
            let step = flow.poll(at(now));
            assert_no_device_code("a step", renderings(&step));
            match step {
                DeviceStep::Wait(until) => now = secs_of(until),
                DeviceStep::Send(_, pending) => {
                    let body = match script[0] {
                        Answer::Error(code) => json(400, &format!(r#"{{"error":"{code}"}}"#)),
                        _ => json(200, TOKEN),
                    };
                    let result = pending.finish(&body, at(now));
                    let _ = flow.answered(at(now), result);
                }
                DeviceStep::Done(_) | DeviceStep::Failed(_) => break,
                DeviceStep::InFlight => unreachable!(),
            }
        }
        assert_no_device_code("an ended flow", renderings(&flow));
    }
}

#[test]
fn the_device_code_is_never_in_a_device_authorization_error() {
    // Unusable answers that carry the device code, under its plain name and escaped ones.
    for body in [
        r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","verification_uri":"https://a","expires_in":9}"#,
        r#"{"device\u005fcode":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","verification_uri":"https://a","expires_in":9}"#,
        r#"{"device\u005fcod\u0065":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","verification_uri":"https://a","expires_in":9}"#,
        r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"u","verification_uri":"https://a","expires_in":"soon"}"#,
    ] {
        let error = read_answer(&json(200, body), at(0)).unwrap_err();
        assert!(matches!(error, DeviceAuthorizationError::Protocol(_)), "{error:?}");
        assert_no_device_code(
            "DeviceAuthorizationError",
            [error.to_string(), format!("{error:?}"), format!("{error:#?}")],
        );
    }
    // Echoed in an error answer: masked by name in the excerpt.
    let echo = json(400, r#"{"error":"invalid_request","device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"}"#);
    let error = read_answer(&echo, at(0)).unwrap_err();
    assert_no_device_code("DeviceAuthorizationError::Server", [error.to_string(), format!("{error:?}")]);
}

#[test]
fn a_send_step_prints_no_body() {
    let auth = ClientAuth::post(ClientId::new("app").unwrap(), ClientSecret::new("client-secret-value"));
    let mut flow = DeviceFlow::new(token_endpoint(), auth, &rfc_authorization(), at(0));
    let step = flow.poll(at(5));
    for text in renderings(&step) {
        assert!(text.contains("https://example.com/token"), "{text}");
        assert!(!text.contains("client-secret-value") && !text.contains("body"), "{text}");
    }
}
