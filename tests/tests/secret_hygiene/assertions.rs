//! Clients that sign assertions — `client_secret_jwt` with the client-secret canary as its key,
//! `private_key_jwt` — on every endpoint that authenticates the client (the token endpoint, a
//! code exchange, the device flow's polls, revocation, introspection, device authorization),
//! against servers that echo the `client_assertion` back: no error keeps the assertion or the
//! secret that signs it. Also the typed refusal of a builder given no time, and the values
//! holding such a client.

use std::time::{Duration, Instant, SystemTime};

use http::Response;
use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN, loopback_redirect_uri};
use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceStep};
use oauth_core::{
    AssertionKey, ClientAuth, ClientSecret, EndpointUrl, Grant, IntrospectionRequest, RefreshToken, RevocationRequest,
    TokenError,
};

use crate::fixtures::{answer, client_id, endpoint, json, request};
use crate::{CLIENT_SECRET, PARAM, REFRESH, Subject};

/// An Ed25519 key in PKCS#8 PEM (a test key, nothing else).
const ED_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
-----END PRIVATE KEY-----";

fn wall_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn url(text: &str) -> EndpointUrl {
    EndpointUrl::new(text).expect("a valid URL")
}

/// The two clients that sign assertions.
fn clients() -> [(&'static str, ClientAuth); 2] {
    let key = AssertionKey::ed25519_pkcs8_pem(ED_PEM).expect("a valid key").with_kid("key-1");
    [
        ("client_secret_jwt", ClientAuth::client_secret_jwt(client_id(), ClientSecret::new(CLIENT_SECRET))),
        ("private_key_jwt", ClientAuth::private_key_jwt(client_id(), key)),
    ]
}

/// The `client_assertion` a request carried.
fn assertion_in(request: &http::Request<Vec<u8>>) -> String {
    form_urlencoded::parse(request.body())
        .find(|(name, _)| name == "client_assertion")
        .map(|(_, value)| value.into_owned())
        .expect("a JWT client's request carries an assertion")
}

/// A refusal whose description echoes `jwt`, and a 500 page echoing the posted form around it.
fn echoes(jwt: &str) -> [(&'static str, Response<Vec<u8>>, bool); 2] {
    [
        (
            "invalid_client whose description echoes the assertion",
            json(401, &format!(r#"{{"error":"invalid_client","error_description":"assertion {jwt} is not valid"}}"#)),
            true,
        ),
        (
            "HTML 500 page echoing the assertion",
            answer(500, "text/html", format!("<html><pre>could not verify {jwt} for app-7</pre></html>")),
            false,
        ),
    ]
}

/// The error `finish` made of each echo of the assertion `request` carried, as subjects.
fn echo_subjects<E: std::error::Error + 'static>(
    endpoint_name: &str,
    client: &str,
    request: &http::Request<Vec<u8>>,
    mut finish: impl FnMut(&Response<Vec<u8>>) -> E,
) -> Vec<Subject> {
    let jwt = assertion_in(request);
    echoes(&jwt)
        .into_iter()
        .map(|(case, answer, marked)| {
            let subject = Subject::error(format!("{endpoint_name}, {client}: {case}"), &finish(&answer))
                .holding("client assertion", jwt.clone());
            if marked { subject.marked() } else { subject }
        })
        .collect()
}

pub(crate) fn assertion_subjects() -> Vec<Subject> {
    let mut subjects = Vec::new();
    let t0 = Instant::now();
    for (name, auth) in clients() {
        subjects.push(Subject::debug(format!("ClientAuth, {name}"), &auth));
        // Refused without the time: a typed error, naming the call to make.
        let refused = endpoint().build_request(&auth, &request(Grant::ClientCredentials)).map(|_| ());
        let refused = refused.expect_err("a JWT client needs the time");
        subjects.push(Subject::error(format!("MisuseError without the time, {name}"), &refused));
        subjects
            .push(Subject::error(format!("TokenError::Misuse without the time, {name}"), &TokenError::from(refused)));

        // The token endpoint: a refresh (the refresh token and a secret parameter ride along). The
        // same time and entropy make the same assertion, so each echo gets a pending of its own.
        let token_request = request(Grant::refresh_token(REFRESH));
        let build = || endpoint().build_request_at(&auth, &token_request, wall_now(), [1; 16]);
        let (sent, pending) = build();
        subjects.push(
            Subject::debug(format!("PendingExchange, {name}"), &pending)
                .holding("client assertion", assertion_in(&sent)),
        );
        subjects.extend(echo_subjects("token endpoint", name, &sent, |answer| {
            build().1.finish(answer, t0).expect_err("an error answer")
        }));

        // A code exchange.
        let exchange = || {
            let (_url, pending) = AuthorizationRequest::new(
                url("https://as.example/authorize"),
                client_id(),
                loopback_redirect_uri(std::num::NonZeroU16::new(8765).expect("not zero")),
            )
            .start([4; ENTROPY_LEN])
            .expect("a short URL");
            let state = pending.state().to_owned();
            pending.accept_query(&format!("code={PARAM}&state={state}")).expect("a matching state")
        };
        let build = || exchange().build_request_at(&endpoint(), &auth, wall_now(), [2; 16]);
        let (sent, _) = build();
        subjects.extend(echo_subjects("code exchange", name, &sent, |answer| {
            build().1.finish(answer, t0).expect_err("an error answer")
        }));

        // Revocation and introspection, each addressed to its own endpoint.
        let revoke = RevocationRequest::refresh_token(&RefreshToken::new(REFRESH));
        let build = || revoke.build_request_at(&url("https://as.example/revoke"), &auth, wall_now(), [3; 16]);
        let (sent, pending) = build();
        subjects.push(
            Subject::debug(format!("PendingRevocation, {name}"), &pending)
                .holding("client assertion", assertion_in(&sent)),
        );
        subjects.extend(echo_subjects("revocation", name, &build().0, |answer| {
            build().1.finish(answer).expect_err("an error answer")
        }));
        let introspect = IntrospectionRequest::refresh_token(&RefreshToken::new(REFRESH));
        let build = || introspect.build_request_at(&url("https://as.example/introspect"), &auth, wall_now(), [5; 16]);
        let (sent, pending) = build();
        subjects.push(
            Subject::debug(format!("PendingIntrospection, {name}"), &pending)
                .holding("client assertion", assertion_in(&sent)),
        );
        subjects.extend(echo_subjects("introspection", name, &build().0, |answer| {
            build().1.finish(answer).expect_err("an error answer")
        }));

        // Device authorization, then the flow's polls.
        let device = DeviceAuthorizationEndpoint::new(url("https://as.example/device"));
        let build = || device.build_request_at(&auth, &DeviceAuthorizationRequest::new(), wall_now(), [6; 16]);
        let (sent, pending) = build();
        subjects.push(
            Subject::debug(format!("PendingDeviceAuthorization, {name}"), &pending)
                .holding("client assertion", assertion_in(&sent)),
        );
        subjects.extend(echo_subjects("device authorization", name, &build().0, |answer| {
            build().1.finish(answer, t0).expect_err("an error answer")
        }));
        let granted = json(
            200,
            &format!(
                r#"{{"device_code":"{PARAM}","user_code":"WDJB-MJHT","verification_uri":"https://as.example/d","expires_in":600}}"#
            ),
        );
        let authorization = build().1.finish(&granted, t0).expect("a device authorization");
        let due = t0 + Duration::from_secs(5);
        let flow = || DeviceFlow::new(endpoint(), auth.clone(), &authorization, t0);
        let mut polled = flow();
        subjects.push(Subject::debug(format!("DeviceFlow, {name}"), &polled));
        let DeviceStep::Send(sent, _) = polled.poll_at(due, wall_now(), [7; 16]) else { panic!("a poll is due") };
        subjects.extend(echo_subjects("device flow poll", name, &sent, |answer| {
            let mut flow = flow();
            let DeviceStep::Send(_, pending) = flow.poll_at(due, wall_now(), [7; 16]) else { panic!("a poll is due") };
            flow.answered(due, pending.finish(answer, due)).expect("the error, given back")
        }));
        let mut ended = flow();
        let DeviceStep::Send(_, pending) = ended.poll_at(due, wall_now(), [7; 16]) else { panic!("a poll is due") };
        let (_, refusal, _) = echoes(&assertion_in(&sent)).into_iter().next().expect("an echo");
        ended.answered(due, pending.finish(&refusal, due));
        if let DeviceStep::Failed(error) = ended.poll_at(due, wall_now(), [8; 16]) {
            let subject = Subject::error(format!("DeviceFlowError after an echo, {name}"), error);
            subjects.push(subject.holding("client assertion", assertion_in(&sent)));
        }
        let mut without_time = flow();
        if let DeviceStep::Failed(error) = without_time.poll(due) {
            subjects.push(Subject::error(format!("DeviceFlowError polled without the time, {name}"), error));
        }
    }
    subjects
}
