//! The user-facing flows' values — an authorization in progress and its code exchange, the
//! grant carrying the code, the PKCE verifier, a device authorization, revocation and
//! introspection requests — with canaries in every secret they hold.

use std::time::Instant;

use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN, loopback_redirect_uri};
use oauth_core::{EndpointUrl, IntrospectionRequest, RevocationRequest, SecretParam, TokenEndpoint};

use crate::fixtures::{auth, client_id};
use crate::{ACCESS, PARAM, REFRESH, Subject};

/// The authorization code a redirect carries (a canary of the `PARAM` family, so the leak check
/// finds it).
fn redirect_with_code(state: &str) -> http::Uri {
    format!("http://127.0.0.1:8765/callback?code={PARAM}&state={state}").parse().expect("a URI")
}

pub(crate) fn user_flow_subjects() -> Vec<Subject> {
    let mut subjects = Vec::new();
    let redirect = loopback_redirect_uri(std::num::NonZeroU16::new(8765).expect("not zero"));
    let endpoint = EndpointUrl::new("https://as.example/authorize").expect("https");
    let (_url, pending) =
        AuthorizationRequest::new(endpoint, client_id(), redirect).start([9; ENTROPY_LEN]).expect("a short URL");
    // The URL carries the challenge and state (not secrets once sent); the verifier stays here.
    let state = pending.state().to_owned();
    subjects.push(Subject::debug("PendingAuthorization", &pending).marked());
    let exchange = pending.accept(&redirect_with_code(&state)).expect("a matching state");
    subjects.push(Subject::debug("CodeExchange", &exchange).marked());
    // A JWT client's exchange built without the time is handed back whole: the code and verifier
    // are in it, and neither may show.
    let jwt_client = oauth_core::ClientAuth::client_secret_jwt(client_id(), oauth_core::ClientSecret::new(PARAM));
    let token_endpoint = TokenEndpoint::new("https://as.example/token").expect("https");
    let unbuilt = exchange.build_request(&token_endpoint, &jwt_client).expect_err("a JWT client needs the time");
    subjects.push(Subject::debug("UnbuiltExchange", &unbuilt).marked());
    subjects.push(Subject::display("UnbuiltExchange", &unbuilt));
    let exchange = unbuilt.into_exchange();
    let grant = exchange.into_token_request();
    subjects.push(Subject::debug("TokenRequest with the authorization code", &grant).marked());
    let (_, pending_exchange) =
        token_endpoint.build_request(&auth(oauth_core::AuthMethod::Post), &grant).expect("no client assertion to sign");
    subjects.push(Subject::debug("PendingExchange of a code exchange", &pending_exchange));

    let revoke = RevocationRequest::new(SecretParam::new(REFRESH));
    subjects.push(Subject::debug("RevocationRequest", &revoke).marked());
    let introspect = IntrospectionRequest::new(SecretParam::new(ACCESS));
    subjects.push(Subject::debug("IntrospectionRequest", &introspect).marked());
    let (_, pending_revocation) = revoke
        .build_request(
            &EndpointUrl::new("https://as.example/revoke").expect("https"),
            &auth(oauth_core::AuthMethod::Post),
        )
        .expect("no client assertion to sign");
    subjects.push(Subject::debug("PendingRevocation", &pending_revocation));

    let device = oauth_core::device::DeviceAuthorizationEndpoint::new(
        EndpointUrl::new("https://as.example/device").expect("https"),
    );
    let (_, pending_device) = device
        .build_request(&auth(oauth_core::AuthMethod::Post), &oauth_core::device::DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    let answer = http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(format!(r#"{{"device_code":"{PARAM}","user_code":"WDJB-MJHT","verification_uri":"https://as.example/d","expires_in":600}}"#))
        .expect("a response");
    let authorization = pending_device.finish(&answer, Instant::now()).expect("a device authorization");
    subjects.push(Subject::debug("DeviceAuthorization", &authorization).marked());
    let flow =
        oauth_core::DeviceFlow::new(token_endpoint, auth(oauth_core::AuthMethod::Post), &authorization, Instant::now());
    subjects.push(Subject::debug("DeviceFlow", &flow));
    subjects
}
