//! A vendor profile pointed at another token URL keeps every other vendor setting.

use oauth_providers::{ProfileError, bright_pattern, cloudcx, mxo, rfc6749};

const PROXY: &str = "https://proxy.internal:8443/token";

#[test]
fn every_vendor_keeps_its_request_shape_at_another_token_url() {
    let cases = [
        (mxo::profile("eu2", "id", "s3cr3t").unwrap(), "grant_type=client_credentials"),
        (
            cloudcx::password("cx.example.com:9001", "2603", "6d62", "si", "pw").unwrap(),
            "grant_type=password&client_id=2603&client_secret=6d62&username=si&password=pw",
        ),
        (
            bright_pattern::TenantProfile::new("bp.example.com", "login", "s3cr3t")
                .scope("tenant.example.com")
                .build()
                .unwrap(),
            "grant_type=client_credentials&client_id=login&client_secret=s3cr3t&scope=tenant.example.com",
        ),
        (
            rfc6749::client_credentials("https://as.example/token", "app", "s3cr3t").unwrap(),
            "grant_type=client_credentials",
        ),
    ];
    for (profile, body) in cases {
        let before = profile.token_config().unwrap().build_request().expect("no client assertion to sign").0;
        let api_base = profile.api_base().clone();
        let moved = profile.with_token_url(PROXY).unwrap();
        let config = moved.token_config().unwrap();
        let (request, _) = config.build_request().expect("no client assertion to sign");
        assert_eq!(request.uri(), PROXY);
        assert_eq!(request.body(), body.as_bytes(), "{}", moved.vendor());
        assert_eq!(request.headers().get("authorization"), before.headers().get("authorization"), "{}", moved.vendor());
        assert_eq!(moved.api_base(), &api_base, "the API base stays the vendor's");
    }
}

#[test]
fn the_vendor_quirks_come_along() {
    let moved = bright_pattern::profile("bp.example.com", "login", "s3cr3t").unwrap().with_token_url(PROXY).unwrap();
    let quirks = moved.token_config().unwrap().endpoint().quirks();
    assert_eq!(quirks.error_envelope.map(|e| e.name()), Some("bright-pattern-errorCode"));
}

#[test]
fn plain_http_off_loopback_needs_the_named_opt_out_and_an_api_key_has_no_token_url() {
    let profile = mxo::profile("eu2", "id", "s3cr3t").unwrap();
    let refused = profile.clone().with_token_url("http://proxy.internal/token").unwrap_err();
    assert!(matches!(refused, ProfileError::InsecureHttp { .. }), "{refused:?}");
    assert!(profile.clone().with_token_url_allowing_http("http://proxy.internal/token").is_ok());
    assert!(profile.clone().with_token_url("http://127.0.0.1:9/token").is_ok(), "loopback is fine");
    assert!(matches!(profile.with_token_url("not a url").unwrap_err(), ProfileError::Invalid(_)));
    let key = cloudcx::api_key("cx.example.com", "k3y").unwrap();
    assert_eq!(key.with_token_url(PROXY).unwrap_err(), ProfileError::NoTokenExchange);
}
