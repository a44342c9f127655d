//! `complete_device_flow`: the device flow driven over a transport on a virtual clock — it
//! waits the interval, slows down when told, ends on a token or a refusal, and a JWT client
//! signs a fresh assertion for each poll.

mod support;

use std::time::Duration;

use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlowError};
use oauth_core::{ClientAuth, ClientId, ClientSecret, DeviceFlow, EndpointUrl, TokenEndpoint};
use oauth_token_source::{Runtime, complete_device_flow};
use support::{Reply, Scripted, Virtual, oauth_error, token};

const DEVICE_CODE: &str = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";

/// RFC 8628 §3.2's answer, with a 5 s interval and a 600 s code.
fn authorization_answer() -> Reply {
    Reply::Http(
        200,
        vec![],
        format!(
            r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device","expires_in":600,"interval":5}}"#
        ),
    )
}

/// Asks for a device code as `client` through `transport`, and starts its flow.
async fn start(client: &ClientAuth, transport: &Scripted, runtime: &Virtual) -> DeviceFlow {
    let device = DeviceAuthorizationEndpoint::new(EndpointUrl::new("http://127.0.0.1:9/device").unwrap());
    let (request, pending) =
        device.build_request_at(client, &DeviceAuthorizationRequest::new(), runtime.wall_clock(), [1; 16]);
    let answer = oauth_token_source::Transport::send(transport, request).await.unwrap();
    let authorization = pending.finish(&answer, runtime.now()).unwrap();
    let endpoint = TokenEndpoint::new("http://127.0.0.1:9/token").unwrap();
    DeviceFlow::new(endpoint, client.clone(), &authorization, runtime.now())
}

fn public() -> ClientAuth {
    ClientAuth::public(ClientId::new("tv-app").unwrap())
}

#[tokio::test(start_paused = true)]
async fn pending_then_slow_down_then_a_token_each_at_its_interval() {
    let transport = Scripted::new([
        authorization_answer(),
        oauth_error(400, "authorization_pending"),
        oauth_error(400, "slow_down"),
        token("t1", 300, Some("rt1")),
    ]);
    let runtime = Virtual::new();
    let flow = start(&public(), &transport, &runtime).await;
    let started = runtime.start();
    let token = complete_device_flow(flow, &transport, &runtime).await.unwrap();
    assert_eq!(token.access_token().secret(), "t1");
    // 5 s, then 5 s more, then 10 s after the slow_down.
    let times: Vec<u64> = transport.times_since(started).iter().skip(1).map(Duration::as_secs).collect();
    assert_eq!(times, [5, 10, 20]);
    for body in &transport.bodies()[1..] {
        assert!(body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"), "{body}");
        assert!(body.contains(DEVICE_CODE), "{body}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_refusal_ends_the_flow_with_its_reason() {
    let transport = Scripted::new([authorization_answer(), oauth_error(400, "access_denied")]);
    let runtime = Virtual::new();
    let flow = start(&public(), &transport, &runtime).await;
    let error = complete_device_flow(flow, &transport, &runtime).await.unwrap_err();
    assert!(matches!(error, DeviceFlowError::AccessDenied(_)), "{error:?}");
    assert_eq!(transport.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_transport_failure_slows_the_polling_and_the_code_expires() {
    let mut replies = vec![authorization_answer()];
    replies.extend((0..200).map(|_| support::fail(oauth_token_source::TransportErrorKind::Connect)));
    let transport = Scripted::new(replies);
    let runtime = Virtual::new();
    let flow = start(&public(), &transport, &runtime).await;
    let error = complete_device_flow(flow, &transport, &runtime).await.unwrap_err();
    assert!(matches!(error, DeviceFlowError::CodeExpired { .. }), "{error:?}");
    // Each failure adds 5 s to the interval: 5, 10, 15, … s apart, all within the 600 s code.
    let polls = transport.calls() - 1;
    assert!((10..=16).contains(&polls), "{polls} polls in 600 s");
}

#[tokio::test(start_paused = true)]
async fn a_jwt_client_signs_a_fresh_assertion_for_each_poll() {
    let client = ClientAuth::client_secret_jwt(ClientId::new("tv-app").unwrap(), ClientSecret::new("s3cr3t"));
    let transport =
        Scripted::new([authorization_answer(), oauth_error(400, "authorization_pending"), token("t1", 300, None)]);
    let runtime = Virtual::new();
    let flow = start(&client, &transport, &runtime).await;
    complete_device_flow(flow, &transport, &runtime).await.unwrap();
    let assertions: Vec<String> = transport.bodies()[1..]
        .iter()
        .map(|body| body.split("client_assertion=").nth(1).expect("an assertion").to_owned())
        .collect();
    assert_eq!(assertions.len(), 2);
    assert_ne!(assertions[0], assertions[1], "never the same assertion twice");
    assert!(transport.bodies().iter().all(|body| !body.contains("s3cr3t")));
}
