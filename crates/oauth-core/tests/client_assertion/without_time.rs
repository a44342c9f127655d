//! The builders that take no time: for the JWT methods a typed error naming the call that takes
//! the time (never a panic, never a request without its assertion); for every other method the
//! request, the same as the `_at` form builds.

use std::time::{Duration, Instant};

use http::Request;
use oauth_core::authorization::{AuthorizationRequest, CodeExchange, ENTROPY_LEN};
use oauth_core::device::{
    DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceFlowError, DeviceStep,
};
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientSecret, EndpointUrl, Grant, IntrospectionRequest, MisuseError,
    RefreshToken, RevocationRequest, TokenConfig, TokenRequest,
};

use crate::{SECRET, endpoint, id, key_jwt_client, now, secret_jwt_client};

fn url(text: &str) -> EndpointUrl {
    EndpointUrl::new(text).expect("a valid URL")
}

fn code_exchange(auth: &ClientAuth) -> CodeExchange {
    let request = AuthorizationRequest::new(
        url("https://as.example/authorize"),
        auth.client_id().clone(),
        url("https://app.example/cb"),
    );
    let (_url, pending) = request.start([0; ENTROPY_LEN]).expect("a short URL");
    let state = pending.state().to_owned();
    pending.accept_query(&format!("code=c0de-4f7a9e&state={state}")).expect("a matching state")
}

type Built = Result<Request<Vec<u8>>, MisuseError>;

/// Each builder without the time, named by the call that takes it, and with the time.
fn builders(auth: &ClientAuth) -> Vec<(&'static str, Built, Request<Vec<u8>>)> {
    let cc = TokenRequest::new(Grant::ClientCredentials);
    let config = TokenConfig::new(endpoint(), auth.clone(), cc.clone());
    let token = RefreshToken::new("rt-8f3a9b17");
    let revoke = url("https://as.example/revoke");
    let introspect = url("https://as.example/introspect");
    let device = DeviceAuthorizationEndpoint::new(url("https://as.example/device"));
    let device_request = DeviceAuthorizationRequest::new();
    vec![
        (
            "TokenEndpoint::build_request_at",
            endpoint().build_request(auth, &cc).map(|built| built.0),
            endpoint().build_request_at(auth, &cc, now(), [1; 16]).0,
        ),
        (
            "TokenConfig::build_request_at",
            config.build_request().map(|built| built.0),
            config.build_request_at(now(), [1; 16]).0,
        ),
        (
            "RevocationRequest::build_request_at",
            RevocationRequest::refresh_token(&token).build_request(&revoke, auth).map(|built| built.0),
            RevocationRequest::refresh_token(&token).build_request_at(&revoke, auth, now(), [1; 16]).0,
        ),
        (
            "IntrospectionRequest::build_request_at",
            IntrospectionRequest::refresh_token(&token).build_request(&introspect, auth).map(|built| built.0),
            IntrospectionRequest::refresh_token(&token).build_request_at(&introspect, auth, now(), [1; 16]).0,
        ),
        (
            "DeviceAuthorizationEndpoint::build_request_at",
            device.build_request(auth, &device_request).map(|built| built.0),
            device.build_request_at(auth, &device_request, now(), [1; 16]).0,
        ),
        (
            "CodeExchange::build_request_at",
            code_exchange(auth)
                .build_request(&endpoint(), auth)
                .map(|built| built.0)
                .map_err(|unbuilt| unbuilt.misuse().clone()),
            code_exchange(auth).build_request_at(&endpoint(), auth, now(), [1; 16]).0,
        ),
    ]
}

#[test]
fn every_builder_without_the_time_refuses_the_jwt_methods_with_a_typed_error() {
    for auth in [secret_jwt_client(), key_jwt_client()] {
        let method = auth.method().name();
        for (call_instead, built, _) in builders(&auth) {
            let error = built.expect_err(call_instead);
            assert_eq!(error, MisuseError::AssertionNeedsTime { method, call_instead });
            let text = error.to_string();
            assert!(text.starts_with(method) && text.contains(&format!("`{call_instead}`")), "{text}");
            assert!(!text.contains(SECRET), "{text}");
        }
    }
}

#[test]
fn every_other_method_builds_without_the_time_as_with_it() {
    let methods = [
        AuthMethod::Basic(BasicEncoding::Percent),
        AuthMethod::Basic(BasicEncoding::FormPlus),
        AuthMethod::Basic(BasicEncoding::Raw),
        AuthMethod::Post,
        AuthMethod::None,
        AuthMethod::TlsClientAuth,
        AuthMethod::SelfSignedTlsClientAuth,
    ];
    for method in methods {
        let auth =
            ClientAuth::post(id(), ClientSecret::new(SECRET)).with_method(method).expect("a method for a secret");
        for (call, built, at) in builders(&auth) {
            let built = built.unwrap_or_else(|error| panic!("{} refused by {call}: {error}", method.name()));
            assert_eq!(built.body(), at.body(), "{} through {call}", method.name());
            assert_eq!(built.headers(), at.headers(), "{} through {call}", method.name());
            assert!(!String::from_utf8_lossy(built.body()).contains("client_assertion"));
        }
    }
}

fn device_flow(auth: ClientAuth, t0: Instant) -> DeviceFlow {
    let device = DeviceAuthorizationEndpoint::new(url("https://as.example/device"));
    let (_, pending) = device.build_request_at(&auth, &DeviceAuthorizationRequest::new(), now(), [9; 16]);
    let answer = http::Response::builder()
        .header("content-type", "application/json")
        .body(r#"{"device_code":"d3v1c3-c0d3-GmRhmh","user_code":"WDJB-MJHT","verification_uri":"https://as.example/a","expires_in":600}"#)
        .expect("a response");
    let authorization = pending.finish(&answer, t0).expect("a device authorization");
    DeviceFlow::new(endpoint(), auth, &authorization, t0)
}

#[test]
fn the_device_flow_polled_without_the_time_ends_with_a_typed_error_for_a_jwt_client() {
    let t0 = Instant::now();
    let secs = |s: u64| t0 + Duration::from_secs(s);
    let expected = MisuseError::AssertionNeedsTime { method: "private_key_jwt", call_instead: "DeviceFlow::poll_at" };

    // At the first poll, before any request is due: nothing is handed out, the flow ends.
    let mut flow = device_flow(key_jwt_client(), t0);
    let DeviceStep::Failed(DeviceFlowError::Misuse(error)) = flow.poll(secs(0)) else { panic!("not ended") };
    assert_eq!(error, &expected);
    let DeviceStep::Failed(error) = flow.poll(secs(5)) else { panic!("it stays ended") };
    assert!(error.token_error().is_none());
    assert!(error.to_string().contains("`DeviceFlow::poll_at`"), "{error}");
    assert!(matches!(flow.poll_at(secs(5), now(), [1; 16]), DeviceStep::Failed(_)), "it stays ended for poll_at");

    // A request out (from `poll_at`) is left alone: `poll` says it is in flight.
    let mut flow = device_flow(secret_jwt_client(), t0);
    let DeviceStep::Send(_, pending) = flow.poll_at(secs(5), now(), [1; 16]) else { panic!("due at 5 s") };
    assert!(matches!(flow.poll(secs(6)), DeviceStep::InFlight));
    let pending_answer = http::Response::builder()
        .status(400)
        .header("content-type", "application/json")
        .body(r#"{"error":"authorization_pending"}"#)
        .expect("a response");
    assert!(flow.answered(secs(6), pending.finish(&pending_answer, secs(6))).is_some());
    assert!(matches!(flow.poll(secs(11)), DeviceStep::Failed(DeviceFlowError::Misuse(_))));

    // Every other client polls without the time as before.
    let mut flow = device_flow(ClientAuth::public(id()), t0);
    assert!(matches!(flow.poll(secs(0)), DeviceStep::Wait(at) if at == secs(5)));
    assert!(matches!(flow.poll(secs(5)), DeviceStep::Send(..)));
}

#[test]
fn a_refused_code_exchange_is_handed_back_unspent() {
    let auth = secret_jwt_client();
    let unbuilt = code_exchange(&auth).build_request(&endpoint(), &auth).expect_err("a JWT client");
    assert!(unbuilt.to_string().contains("unspent"), "{unbuilt}");
    assert!(!format!("{unbuilt:?}").contains(SECRET));
    let (request, _) = unbuilt.into_exchange().build_request_at(&endpoint(), &auth, now(), [1; 16]);
    let expected = code_exchange(&auth).build_request_at(&endpoint(), &auth, now(), [1; 16]).0;
    assert_eq!(request.body(), expected.body(), "the same code, verifier and redirect URI");
}
