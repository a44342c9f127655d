//! The assertion is a credential: a server that echoes it (in its `error_description`, its
//! `error_uri`, an HTML page, a challenge) never gets it into an error, on any endpoint.

use std::time::Instant;

use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, Response};
use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow, DeviceStep};
use oauth_core::{
    ClientAuth, EndpointUrl, Grant, IntrospectionRequest, Quirks, RefreshToken, RevocationRequest, TokenRequest,
    parse_error_response,
};

use crate::{endpoint, jwt_in, key_jwt_client, now, secret_jwt_client, split};

fn url(text: &str) -> EndpointUrl {
    EndpointUrl::new(text).expect("a valid URL")
}

/// The answers that echo `jwt`: in a JSON error's description and URI, in a form-encoded
/// error, in an HTML page, and in a `WWW-Authenticate` challenge.
fn echoes(jwt: &str) -> Vec<(&'static str, Response<Vec<u8>>)> {
    let json = |body: String| {
        Response::builder().status(401).header("content-type", "application/json").body(body.into_bytes())
    };
    let mut challenged = json(r#"{"error":"invalid_client"}"#.to_owned()).expect("a response");
    challenged.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_str(&format!(r#"Bearer error="invalid_client", error_description="bad {jwt}""#))
            .expect("a header value"),
    );
    vec![
        (
            "description",
            json(format!(r#"{{"error":"invalid_client","error_description":"assertion {jwt} has expired"}}"#)),
        ),
        ("uri", json(format!(r#"{{"error":"invalid_client","error_uri":"https://as.example/why?a={jwt}"}}"#))),
        (
            "form",
            Response::builder()
                .status(400)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("error=invalid_client&error_description=bad+{jwt}").into_bytes()),
        ),
        (
            "HTML page",
            Response::builder()
                .status(500)
                .header("content-type", "text/html")
                .body(format!("<html><pre>rejected {jwt} for client-1</pre></html>").into_bytes()),
        ),
    ]
    .into_iter()
    .map(|(case, answer)| (case, answer.expect("a response")))
    .chain([("challenge", challenged)])
    .collect()
}

/// `text` (an error's renderings) holds neither the assertion nor its signature.
fn assert_scrubbed(endpoint: &str, case: &str, jwt: &str, text: &str) {
    let signature = jwt.rsplit('.').next().expect("a signature");
    assert!(!text.contains(jwt) && !text.contains(signature), "{endpoint}, {case}: the assertion leaks: {text}");
}

/// Every rendering of `error`.
fn renderings<E: std::fmt::Display + std::fmt::Debug>(error: &E) -> String {
    format!("{error} {error:?} {error:#?}")
}

#[test]
fn the_server_really_echoes_the_assertion_without_scrubbing() {
    let (request, _) =
        endpoint().build_request_at(&secret_jwt_client(), &TokenRequest::new(Grant::ClientCredentials), now(), [1; 16]);
    let jwt = jwt_in(request.body());
    assert_eq!(split(&jwt).0.len(), 36, "a JWT");
    let (_, answer) = &echoes(&jwt)[0];
    let raw = parse_error_response(&Quirks::lenient(), answer).expect("an error answer");
    assert!(raw.description.as_deref().is_some_and(|text| text.contains(&jwt)));
}

#[test]
fn an_echoed_assertion_is_scrubbed_from_every_endpoints_errors() {
    let t0 = Instant::now();
    for auth in [secret_jwt_client(), key_jwt_client()] {
        let jwt_of = |request: &http::Request<Vec<u8>>| jwt_in(request.body());
        let token_request = TokenRequest::new(Grant::ClientCredentials);
        let (sent, _) = endpoint().build_request_at(&auth, &token_request, now(), [1; 16]);
        for (case, answer) in echoes(&jwt_of(&sent)) {
            let (sent, pending) = endpoint().build_request_at(&auth, &token_request, now(), [1; 16]);
            let jwt = jwt_of(&sent);
            let redacted = pending.redact(&format!("Location: https://evil.example/?a={jwt}")).expect("redacted");
            assert_scrubbed("token endpoint redact", case, &jwt, &redacted);
            let error = pending.finish(&answer, t0).expect_err("an error answer");
            assert_scrubbed("token endpoint", case, &jwt, &renderings(&error));
            // Where the text is shown, the echo is replaced by the marker, not dropped.
            if ["description", "uri", "form"].contains(&case) {
                assert!(error.to_string().contains("[redacted]"), "{case}: {error}");
            }
        }

        let revoke = url("https://as.example/revoke");
        let token = RefreshToken::new("rt-8f3a9b17");
        let (sent, _) = RevocationRequest::refresh_token(&token).build_request_at(&revoke, &auth, now(), [2; 16]);
        for (case, answer) in echoes(&jwt_of(&sent)) {
            let (_, pending) =
                RevocationRequest::refresh_token(&token).build_request_at(&revoke, &auth, now(), [2; 16]);
            let error = pending.finish(&answer).expect_err("an error answer");
            assert_scrubbed("revocation", case, &jwt_of(&sent), &renderings(&error));
        }

        let introspect = url("https://as.example/introspect");
        let (sent, _) =
            IntrospectionRequest::refresh_token(&token).build_request_at(&introspect, &auth, now(), [3; 16]);
        for (case, answer) in echoes(&jwt_of(&sent)) {
            let (_, pending) =
                IntrospectionRequest::refresh_token(&token).build_request_at(&introspect, &auth, now(), [3; 16]);
            let error = pending.finish(&answer).expect_err("an error answer");
            assert_scrubbed("introspection", case, &jwt_of(&sent), &renderings(&error));
        }

        let device = DeviceAuthorizationEndpoint::new(url("https://as.example/device"));
        let request = DeviceAuthorizationRequest::new();
        let (sent, _) = device.build_request_at(&auth, &request, now(), [4; 16]);
        for (case, answer) in echoes(&jwt_of(&sent)) {
            let (_, pending) = device.build_request_at(&auth, &request, now(), [4; 16]);
            let error = pending.finish(&answer, t0).expect_err("an error answer");
            assert_scrubbed("device authorization", case, &jwt_of(&sent), &renderings(&error));
        }

        let flow = |auth: &ClientAuth| {
            let (_, pending) = device.build_request_at(auth, &request, now(), [5; 16]);
            let answer = Response::builder()
                .header("content-type", "application/json")
                .body(r#"{"device_code":"d3v1c3-c0d3-GmRhmh","user_code":"WDJB-MJHT","verification_uri":"https://as.example/a","expires_in":600}"#)
                .expect("a response");
            DeviceFlow::new(endpoint(), auth.clone(), &pending.finish(&answer, t0).expect("an authorization"), t0)
        };
        let due = t0 + std::time::Duration::from_secs(5);
        let DeviceStep::Send(sent, _) = flow(&auth).poll_at(due, now(), [6; 16]) else { panic!("due at 5 s") };
        for (case, answer) in echoes(&jwt_of(&sent)) {
            let mut polling = flow(&auth);
            let DeviceStep::Send(_, pending) = polling.poll_at(due, now(), [6; 16]) else { panic!("due at 5 s") };
            let given_back = polling.answered(due, pending.finish(&answer, due)).expect("an error, given back");
            assert_scrubbed("device flow", case, &jwt_of(&sent), &renderings(&given_back));
            if let DeviceStep::Failed(ended) = polling.poll_at(due, now(), [7; 16]) {
                assert_scrubbed("device flow, ended", case, &jwt_of(&sent), &renderings(ended));
            }
        }
    }
}
