//! §3.1: the device authorization request — a form POST with the client's id and scope, client
//! authentication applied as for a token request, and extra parameters that may not set what the
//! library writes.

use oauth_core::device::DeviceAuthorizationRequest;
use oauth_core::{ClientAuth, ClientId, ClientSecret, Params, Scope};

use crate::{device_endpoint, public_client};

#[test]
fn rfc_3_1_request_from_a_public_client_is_a_form_post_with_client_id_and_scope() {
    let request = DeviceAuthorizationRequest::new().with_scope(Scope::parse("example_scope").unwrap());
    let (http, _pending) =
        device_endpoint().build_request(&public_client(), &request).expect("no client assertion to sign");
    assert_eq!(http.method(), "POST");
    assert_eq!(http.uri(), "https://example.com/device_authorization");
    assert_eq!(http.headers()["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(http.headers()["accept"], "application/json");
    assert!(http.headers().get("authorization").is_none());
    // RFC 8628 §3.1's example body.
    assert_eq!(http.body(), b"client_id=1406020730&scope=example_scope");
}

#[test]
fn client_authentication_is_applied_as_for_a_token_request() {
    let id = ClientId::new("app").unwrap();
    let scope = DeviceAuthorizationRequest::new().with_scope(Scope::parse("read write").unwrap());

    let basic = ClientAuth::basic(id.clone(), ClientSecret::new("a b"));
    let (http, _) = device_endpoint().build_request(&basic, &scope).expect("no client assertion to sign");
    assert_eq!(http.headers()["authorization"], "Basic YXBwOmElMjBi"); // app:a%20b
    assert!(http.headers()["authorization"].is_sensitive());
    assert_eq!(http.body(), b"scope=read+write");

    let post = ClientAuth::post(id, ClientSecret::new("a b"));
    let (http, _) = device_endpoint().build_request(&post, &scope).expect("no client assertion to sign");
    assert!(http.headers().get("authorization").is_none());
    assert_eq!(http.body(), b"client_id=app&client_secret=a+b&scope=read+write");

    let (http, _) = device_endpoint()
        .build_request(&basic, &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    assert_eq!(http.body(), b"");
}

#[test]
fn extra_parameters_follow_the_scope_and_may_not_set_what_the_library_writes() {
    let mut params = Params::new();
    params.push("audience", "https://api.example").unwrap();
    let request =
        DeviceAuthorizationRequest::new().with_scope(Scope::parse("openid").unwrap()).with_params(params).unwrap();
    let (http, _) = device_endpoint().build_request(&public_client(), &request).expect("no client assertion to sign");
    assert_eq!(http.body(), b"client_id=1406020730&scope=openid&audience=https%3A%2F%2Fapi.example");

    for name in ["client_id", "client_secret", "scope", "grant_type"] {
        let mut params = Params::new();
        params.push(name, "x").unwrap();
        assert!(DeviceAuthorizationRequest::new().with_params(params).is_err(), "{name}");
    }
}
