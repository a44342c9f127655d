//! `oauth device`, `discover`, `revoke` and `introspect` end to end against a wiremock
//! authorization server that publishes its metadata (the same commands run against
//! oidc-provider in the interop suite).

use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Sandbox, blocking};

/// A server publishing RFC 8414 metadata for itself, with device, revocation and
/// introspection endpoints.
async fn server() -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    let metadata = serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "device_authorization_endpoint": format!("{base}/device"),
        "revocation_endpoint": format!("{base}/revoke"),
        "introspection_endpoint": format!("{base}/introspect"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        "code_challenge_methods_supported": ["S256"],
        "mtls_endpoint_aliases": {"token_endpoint": format!("{base}/mtls/token")},
    });
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(metadata))
        .mount(&server)
        .await;
    server
}

fn run(sandbox: Sandbox, args: Vec<String>) -> (Sandbox, crate::support::Output) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = sandbox.run(&refs);
    (sandbox, output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_prints_the_checked_metadata() {
    let server = server().await;
    let issuer = server.uri();
    let (_, output) = blocking(move || run(Sandbox::new(), vec!["discover".into(), issuer])).await;
    output.code(0);
    let doc: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(doc["token_endpoint"], format!("{}/token", server.uri()));
    assert_eq!(doc["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(doc["mtls_endpoint_aliases"]["token_endpoint"], format!("{}/mtls/token", server.uri()));

    // An issuer the document does not name is refused (the mix-up defence).
    let other = format!("{}/tenant-b", server.uri());
    let (_, refused) = blocking(move || run(Sandbox::new(), vec!["discover".into(), other])).await;
    refused.code(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_prints_the_code_polls_and_prints_the_token() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/device"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "device_code": "device-code-0123456789abcdef", "user_code": "WDJB-MJHT",
            "verification_uri": format!("{}/activate", server.uri()), "expires_in": 60, "interval": 1,
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("device_code=device-code-0123456789abcdef"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "authorization_pending"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "device-access-token-0123456789", "token_type": "Bearer", "expires_in": 3600,
        })))
        .mount(&server)
        .await;
    let issuer = server.uri();
    let args = vec!["device".into(), "--issuer".into(), issuer, "--client-id".into(), "tv-app".into()];
    let (_, output) = blocking(move || run(Sandbox::new(), args)).await;
    output.code(0);
    assert_eq!(output.stdout, "device-access-token-0123456789\n");
    assert!(output.stderr.contains("enter the code WDJB-MJHT"), "{}", output.stderr);
    assert!(!output.stderr.contains("device-code-0123"), "the device code is a secret: {}", output.stderr);
    let polls = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/token").count();
    assert_eq!(polls, 2, "pending, then the token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_and_introspect_take_the_token_from_the_environment() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .and(body_string_contains("token=the-token-to-drop-0123456789"))
        .and(body_string_contains("token_type_hint=refresh_token"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/introspect"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "active": true, "scope": "read write", "client_id": "api", "exp": 1_900_000_000_u64, "sub": "jdoe",
        })))
        .mount(&server)
        .await;
    let issuer = server.uri();
    let sandbox = Sandbox::new()
        .env("OAUTH_TOKEN", "the-token-to-drop-0123456789")
        .env("OAUTH_CLIENT_SECRET", "api-secret-canary");
    let revoke = vec![
        "revoke".into(),
        "--issuer".into(),
        issuer.clone(),
        "--client-id".into(),
        "api".into(),
        "--hint".into(),
        "refresh-token".into(),
    ];
    let introspect = vec!["introspect".into(), "--issuer".into(), issuer, "--client-id".into(), "api".into()];
    let (sandbox, revoked) = blocking(move || run(sandbox, revoke)).await;
    revoked.code(0);
    assert_eq!(revoked.stderr, "revoked\n");
    let (_, answer) = blocking(move || run(sandbox, introspect)).await;
    answer.code(0);
    let doc: serde_json::Value = serde_json::from_str(&answer.stdout).unwrap();
    assert_eq!((doc["active"].clone(), doc["sub"].clone()), (serde_json::json!(true), serde_json::json!("jdoe")));
    assert!(doc.get("aud").is_none() && doc.get("username").is_none(), "only what the server sent: {doc}");
    for output in [&revoked, &answer] {
        assert!(!output.stdout.contains("the-token-to-drop") && !output.stderr.contains("the-token-to-drop"));
    }

    // No token given: a usage error that says where one goes.
    let (_, missing) = blocking(move || {
        run(
            Sandbox::new(),
            vec![
                "revoke".into(),
                "--endpoint".into(),
                "https://as.example/revoke".into(),
                "--client-id".into(),
                "api".into(),
            ],
        )
    })
    .await;
    missing.code(2).one_line_error("set OAUTH_TOKEN");
}
