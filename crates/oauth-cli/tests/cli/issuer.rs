//! `--issuer` on every command: `token` (and so `call`) takes its token URL from discovery too,
//! a client that authenticates with a certificate goes to the server's `mtls_endpoint_aliases`,
//! and a JWT client's assertion on the revocation endpoint is addressed to that endpoint.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Sandbox, blocking};

/// A test-only P-256 key (the same one oauth-core's tests use).
const EC_PEM: &str = include_str!("../fixtures/p256.key.pem");
const CLIENT_CERTIFICATE: &str = include_str!("../fixtures/client.pem");
const CLIENT_KEY: &str = include_str!("../fixtures/client.key.pem");

/// A server publishing its metadata, with mutual-TLS aliases for the token and revocation
/// endpoints, answering a token at both token URLs and 200 at both revocation URLs.
async fn server() -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    let metadata = serde_json::json!({
        "issuer": base,
        "token_endpoint": format!("{base}/token"),
        "revocation_endpoint": format!("{base}/revoke"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["client_credentials"],
        "mtls_endpoint_aliases": {
            "token_endpoint": format!("{base}/mtls/token"),
            "revocation_endpoint": format!("{base}/mtls/revoke"),
        },
    });
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(metadata))
        .mount(&server)
        .await;
    let token = serde_json::json!({"access_token": "at-0123456789abcdef0123456789abcdef", "token_type": "Bearer", "expires_in": 300});
    for at in ["/token", "/mtls/token"] {
        Mock::given(method("POST"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(token.clone()))
            .mount(&server)
            .await;
    }
    for at in ["/revoke", "/mtls/revoke"] {
        Mock::given(method("POST")).and(path(at)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    }
    server
}

/// The paths of the `POST`s the server received, in order.
async fn posted(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().filter(|r| r.method == "POST").map(|r| r.url.path().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_takes_its_url_from_the_issuer_and_a_certificate_client_its_mtls_alias() {
    let server = server().await;
    let issuer = server.uri();
    let (secret, certificate) = blocking(move || {
        let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", "issuer-test-secret");
        let base = ["token", "--issuer", &issuer, "--client-id", "app", "--no-cache"];
        let secret = sandbox.run(&base);
        let certificate = sandbox.file("client.pem", CLIENT_CERTIFICATE);
        let key = sandbox.file("client.key.pem", CLIENT_KEY);
        let with_certificate = [
            "--auth",
            "tls-client-auth",
            "--client-cert-file",
            certificate.to_str().unwrap(),
            "--client-key-file",
            key.to_str().unwrap(),
        ];
        let certificate = sandbox.run(&[&base[..], &with_certificate[..]].concat());
        (secret, certificate)
    })
    .await;
    secret.code(0);
    certificate.code(0);
    assert_eq!(posted(&server).await, ["/token", "/mtls/token"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_with_a_private_key_signs_for_the_revocation_endpoint() {
    let server = server().await;
    let issuer = server.uri();
    let output = blocking(move || {
        let sandbox = Sandbox::new().env("OAUTH_TOKEN", "the-token-to-drop-0123456789");
        let key = sandbox.file("client.pem", EC_PEM);
        sandbox.run(&["revoke", "--issuer", &issuer, "--client-id", "app", "--private-key-file", key.to_str().unwrap()])
    })
    .await;
    output.code(0);
    let requests = server.received_requests().await.unwrap_or_default();
    let revoke = requests.iter().find(|r| r.url.path() == "/revoke").expect("a revocation request");
    let body: Vec<(String, String)> = form_urlencoded::parse(&revoke.body).into_owned().collect();
    let jwt = &body.iter().find(|(name, _)| name == "client_assertion").expect("an assertion").1;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["aud"], format!("{}/revoke", server.uri()));
    assert_eq!(claims["iss"], "app");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuer_wins_over_a_token_url_in_the_environment_and_a_profile() {
    let server = server().await;
    let issuer = server.uri();
    let (flag, profile) = blocking(move || {
        let sandbox = Sandbox::new()
            .env("OAUTH_CLIENT_SECRET", "issuer-test-secret")
            .env("OAUTH_TOKEN_URL", "http://127.0.0.1:9/not-this-one");
        let flag = sandbox.run(&["token", "--issuer", &issuer, "--client-id", "app", "--no-cache"]);
        // A profile's issuer, fetched with the profile's settings; the flag layer names no server.
        let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", "issuer-test-secret");
        let config = sandbox.file("oauth.toml", &format!("[profiles.p]\nissuer = \"{issuer}\"\nclient_id = \"app\"\n"));
        let profile = sandbox.run(&["token", "p", "--config", config.to_str().unwrap(), "--no-cache"]);
        (flag, profile)
    })
    .await;
    flag.code(0);
    profile.code(0);
    assert_eq!(posted(&server).await, ["/token", "/token"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_token_is_bound_to_the_client_certificate() {
    let server = server().await;
    let token_url = format!("{}/token", server.uri());
    let (first, same, other) = blocking(move || {
        let sandbox = Sandbox::new();
        let files = |name: &str, certificate: &str, key: &str| {
            (sandbox.file(&format!("{name}.pem"), certificate), sandbox.file(&format!("{name}.key.pem"), key))
        };
        let one = files("one", CLIENT_CERTIFICATE, CLIENT_KEY);
        let two =
            files("two", include_str!("../fixtures/self-signed.pem"), include_str!("../fixtures/self-signed.key.pem"));
        let run = |(certificate, key): &(std::path::PathBuf, std::path::PathBuf)| {
            sandbox.run(&[
                "token",
                "--token-url",
                &token_url,
                "--client-id",
                "app",
                "--auth",
                "tls-client-auth",
                "--client-cert-file",
                certificate.to_str().unwrap(),
                "--client-key-file",
                key.to_str().unwrap(),
            ])
        };
        (run(&one), run(&one), run(&two))
    })
    .await;
    for output in [&first, &same, &other] {
        output.code(0);
    }
    // The second run is served from the cache; the third, with another certificate, is not.
    assert_eq!(posted(&server).await, ["/token", "/token"]);
}
