//! Every other endpoint that authenticates the client carries an assertion too, made exactly as
//! the token endpoint's: revocation, introspection and device authorization address it to
//! their own URL, the device flow's polling and the code exchange to the token endpoint's; the
//! client's set audience wins everywhere. Both JWT methods, a new assertion for new entropy.

use std::time::{Duration, Instant};

use http::Request;
use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
use oauth_core::device::{
    DeviceAuthorization, DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceFlowError,
    DeviceStep,
};
use oauth_core::{
    AccessToken, AuthMethod, ClientAuth, EndpointUrl, Grant, IntrospectionRequest, RefreshToken, RevocationRequest,
    Scope, TokenConfig, TokenRequest,
};

use crate::{
    ED_PEM, JWT_BEARER_IN_FORM, TOKEN_URL, assert_carries_assertion, claims_of, endpoint, jwt_in, key_jwt_client, now,
    secret_jwt_client, split, verify_hs256,
};

const REVOKE_URL: &str = "https://as.example/oauth/revoke";
const INTROSPECT_URL: &str = "https://as.example/oauth/introspect";
const DEVICE_URL: &str = "https://as.example/oauth/device_authorization";
const ISSUER: &str = "https://as.example";
const DEVICE_CODE: &str = "d3v1c3-c0d3-GmRhmhcxhw";

fn url(text: &str) -> EndpointUrl {
    EndpointUrl::new(text).expect("a valid URL")
}

/// Checks an EdDSA assertion's signature with the Ed25519 key's public half.
fn verify_eddsa(jwt: &str) {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    let (_, _, input, signature) = split(jwt);
    let verifying = ed25519_dalek::SigningKey::from_pkcs8_pem(ED_PEM).expect("a valid key").verifying_key();
    let signature = ed25519_dalek::Signature::from_slice(&signature).expect("64 bytes");
    verifying.verify_strict(input.as_bytes(), &signature).expect("signed with the client's key");
}

/// What every endpoint's request built by `build` (for a client, with entropy) must carry, for
/// both JWT methods: the assertion for `aud` and the entropy, signed, a new one for new
/// entropy, and the issuer as `aud` once the client sets it.
fn check_endpoint(aud: &str, build: impl Fn(&ClientAuth, [u8; 16]) -> Request<Vec<u8>>) {
    for auth in [secret_jwt_client(), key_jwt_client()] {
        let first = assert_carries_assertion(&build(&auth, [1; 16]), aud, [1; 16]);
        match auth.method() {
            AuthMethod::ClientSecretJwt => verify_hs256(&first),
            _ => verify_eddsa(&first),
        }
        let second = assert_carries_assertion(&build(&auth, [2; 16]), aud, [2; 16]);
        assert_ne!(first, second, "{}: the same assertion twice", auth.method().name());
        assert_ne!(claims_of(&first)["jti"], claims_of(&second)["jti"]);
        let to_issuer = auth.clone().with_assertion_audience(ISSUER);
        assert_carries_assertion(&build(&to_issuer, [3; 16]), ISSUER, [3; 16]);
    }
}

#[test]
fn revocation_carries_an_assertion_addressed_to_the_revocation_endpoint() {
    let token = RefreshToken::new("rt-45ghiukldjahdnhzdauz");
    check_endpoint(REVOKE_URL, |auth, entropy| {
        RevocationRequest::refresh_token(&token).build_request_at(&url(REVOKE_URL), auth, now(), entropy).0
    });
    let (request, _) = RevocationRequest::refresh_token(&token).build_request_at(
        &url(REVOKE_URL),
        &secret_jwt_client(),
        now(),
        [1; 16],
    );
    let body = std::str::from_utf8(request.body()).expect("UTF-8");
    let jwt = jwt_in(request.body());
    assert_eq!(
        body,
        format!(
            "token=rt-45ghiukldjahdnhzdauz&token_type_hint=refresh_token&client_id=client-1&{JWT_BEARER_IN_FORM}&client_assertion={jwt}"
        )
    );
    assert_eq!(request.uri(), REVOKE_URL);
}

#[test]
fn introspection_carries_an_assertion_addressed_to_the_introspection_endpoint() {
    let token = AccessToken::new("mF_9.B5f-4.1JqM");
    check_endpoint(INTROSPECT_URL, |auth, entropy| {
        IntrospectionRequest::access_token(&token).build_request_at(&url(INTROSPECT_URL), auth, now(), entropy).0
    });
    let (request, _) = IntrospectionRequest::access_token(&token).build_request_at(
        &url(INTROSPECT_URL),
        &key_jwt_client(),
        now(),
        [1; 16],
    );
    let body = std::str::from_utf8(request.body()).expect("UTF-8");
    assert!(body.starts_with("token=mF_9.B5f-4.1JqM&token_type_hint=access_token&client_id=client-1&"), "{body}");
    assert_eq!(request.headers()["accept"], "application/json");
}

#[test]
fn device_authorization_carries_an_assertion_addressed_to_its_endpoint() {
    let endpoint = DeviceAuthorizationEndpoint::new(url(DEVICE_URL));
    let request = DeviceAuthorizationRequest::new().with_scope(Scope::parse("read").expect("a valid scope"));
    check_endpoint(DEVICE_URL, |auth, entropy| endpoint.build_request_at(auth, &request, now(), entropy).0);
    let (sent, _) = endpoint.build_request_at(&secret_jwt_client(), &request, now(), [1; 16]);
    let jwt = jwt_in(sent.body());
    let body = std::str::from_utf8(sent.body()).expect("UTF-8");
    assert_eq!(body, format!("client_id=client-1&{JWT_BEARER_IN_FORM}&client_assertion={jwt}&scope=read"));
}

/// A device authorization whose code lives 30 s and is polled every 5 s, read at `t0`.
fn device_authorization(t0: Instant) -> DeviceAuthorization {
    let device = DeviceAuthorizationEndpoint::new(url(DEVICE_URL));
    let (_, pending) =
        device.build_request_at(&secret_jwt_client(), &DeviceAuthorizationRequest::new(), now(), [9; 16]);
    let answer = http::Response::builder()
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://as.example/activate","expires_in":30,"interval":5}}"#
        ))
        .expect("a response");
    pending.finish(&answer, t0).expect("a device authorization")
}

#[test]
fn the_device_flow_polls_with_an_assertion_addressed_to_the_token_endpoint() {
    let t0 = Instant::now();
    let authorization = device_authorization(t0);
    check_endpoint(TOKEN_URL, |auth, entropy| {
        let mut flow = DeviceFlow::new(endpoint(), auth.clone(), &authorization, t0);
        match flow.poll_at(t0 + Duration::from_secs(5), now(), entropy) {
            DeviceStep::Send(request, _) => request,
            other => panic!("expected a request at 5 s, got {other:?}"),
        }
    });
    let mut flow = DeviceFlow::new(endpoint(), secret_jwt_client(), &authorization, t0);
    let DeviceStep::Send(request, _) = flow.poll_at(t0 + Duration::from_secs(5), now(), [1; 16]) else {
        panic!("expected a request at 5 s")
    };
    let jwt = jwt_in(request.body());
    let body = std::str::from_utf8(request.body()).expect("UTF-8");
    assert_eq!(
        body,
        format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=client-1&{JWT_BEARER_IN_FORM}\
             &client_assertion={jwt}&device_code={DEVICE_CODE}"
        )
    );
}

#[test]
fn the_device_flow_keeps_its_rules_when_polled_with_the_wall_clock() {
    let t0 = Instant::now();
    let secs = |s: u64| t0 + Duration::from_secs(s);
    let wall = |s: u64| now() + Duration::from_secs(s);
    let mut flow = DeviceFlow::new(endpoint(), key_jwt_client(), &device_authorization(t0), t0);
    let pending_answer = || {
        http::Response::builder()
            .status(400)
            .header("content-type", "application/json")
            .body(r#"{"error":"authorization_pending"}"#)
            .expect("a response")
    };

    // Never before the interval.
    assert!(matches!(flow.poll_at(secs(4), wall(4), [1; 16]), DeviceStep::Wait(at) if at == secs(5)));
    let DeviceStep::Send(request, pending) = flow.poll_at(secs(5), wall(5), [2; 16]) else { panic!("due at 5 s") };
    let first = jwt_in(request.body());
    assert_eq!(claims_of(&first)["iat"], crate::NOW_SECS + 5, "iat from the wall clock given");
    // Never two in flight.
    assert!(matches!(flow.poll_at(secs(6), wall(6), [3; 16]), DeviceStep::InFlight));
    assert!(flow.answered(secs(6), pending.finish(&pending_answer(), secs(6))).is_some());

    let DeviceStep::Send(request, pending) = flow.poll_at(secs(11), wall(11), [4; 16]) else { panic!("due at 11 s") };
    let second = jwt_in(request.body());
    assert_ne!(first, second, "a fresh assertion for each request");
    assert_eq!(claims_of(&second)["exp"], crate::NOW_SECS + 11 + 60);
    assert!(flow.answered(secs(12), pending.finish(&pending_answer(), secs(12))).is_some());

    // Never after the device code's expiry (30 s).
    assert!(matches!(flow.poll_at(secs(17), wall(17), [5; 16]), DeviceStep::Send(..)));
    flow.abandon(secs(29));
    assert!(matches!(flow.poll_at(secs(29), wall(29), [6; 16]), DeviceStep::Wait(at) if at == secs(30)));
    assert!(matches!(
        flow.poll_at(secs(30), wall(30), [7; 16]),
        DeviceStep::Failed(DeviceFlowError::CodeExpired { .. })
    ));
}

#[test]
fn the_code_exchange_carries_an_assertion_addressed_to_the_token_endpoint() {
    let exchange = |auth: &ClientAuth| {
        let request = AuthorizationRequest::new(
            url("https://as.example/authorize"),
            auth.client_id().clone(),
            url("https://app.example/cb"),
        );
        let (_url, pending) = request.start([0; ENTROPY_LEN]).expect("a short URL");
        let state = pending.state().to_owned();
        pending.accept_query(&format!("code=SplxlOBeZQQYbYS6WxSbIA&state={state}")).expect("a matching state")
    };
    check_endpoint(TOKEN_URL, |auth, entropy| exchange(auth).build_request_at(&endpoint(), auth, now(), entropy).0);
    let (request, _) =
        exchange(&secret_jwt_client()).build_request_at(&endpoint(), &secret_jwt_client(), now(), [1; 16]);
    let body = std::str::from_utf8(request.body()).expect("UTF-8");
    assert!(body.starts_with(&format!("grant_type=authorization_code&client_id=client-1&{JWT_BEARER_IN_FORM}&")));
    assert!(body.contains("&code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri="), "{body}");
}

#[test]
fn a_token_config_carries_an_assertion_addressed_to_the_token_endpoint() {
    check_endpoint(TOKEN_URL, |auth, entropy| {
        let config = TokenConfig::new(endpoint(), auth.clone(), TokenRequest::new(Grant::ClientCredentials));
        config.build_request_at(now(), entropy).0
    });
}
