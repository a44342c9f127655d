//! Client authentication without a secret on the wire: `--private-key-file` signs a fresh
//! assertion for every request (`private_key_jwt`), `--auth client-secret-jwt` signs with the
//! secret, and the mTLS methods ask for a certificate. Keys are read like secrets, never
//! printed, and what is wrong with them is one line that quotes none of it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Sandbox, blocking, set_mode};

/// A test-only P-256 key (the same one oauth-core's tests use).
const EC_PEM: &str = include_str!("../fixtures/p256.key.pem");
/// A line of the key's body, which no output may carry.
const KEY_LINE: &str = "jRE/D5r75oYORfZtRWjxlclf40ehRANCAATBOi/M8Ng8ehSZJ4mKj5l1s25ZpcAB";

/// A token endpoint that answers every request with a token.
async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-0123456789abcdef0123456789abcdef",
            "token_type": "Bearer",
            "expires_in": 300,
        })))
        .mount(&server)
        .await;
    server
}

/// The decoded form bodies the server received, in order.
async fn bodies(server: &MockServer) -> Vec<Vec<(String, String)>> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().map(|r| form_urlencoded::parse(&r.body).into_owned().collect()).collect()
}

fn field<'a>(body: &'a [(String, String)], name: &str) -> Option<&'a str> {
    body.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The assertion's header and claims.
fn decoded(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    let mut parts = jwt.split('.').map(|part| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()));
    (parts.next().unwrap().unwrap(), parts.next().unwrap().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_key_file_signs_a_fresh_assertion_for_each_request() {
    let server = token_server().await;
    let token_url = format!("{}/token", server.uri());
    let (sandbox, first, second) = blocking(move || {
        let sandbox = Sandbox::new();
        let key = sandbox.file("client.pem", EC_PEM);
        let key = key.to_str().unwrap();
        let args = ["token", "--token-url", &token_url, "--client-id", "app", "--private-key-file", key];
        let first = sandbox.run(&[&args[..], &["--key-id", "k1", "--no-cache"]].concat());
        let second = sandbox.run(&[&args[..], &["--key-id", "k1", "--no-cache"]].concat());
        (sandbox, first, second)
    })
    .await;
    first.code(0);
    second.code(0);
    for output in [&first, &second] {
        assert!(!output.stdout.contains(KEY_LINE) && !output.stderr.contains(KEY_LINE));
    }
    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let token_url = format!("{}/token", server.uri());
    let mut ids = Vec::new();
    for body in &bodies {
        assert_eq!(field(body, "client_id"), Some("app"));
        assert_eq!(
            field(body, "client_assertion_type"),
            Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        );
        let (header, claims) = decoded(field(body, "client_assertion").unwrap());
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], "k1");
        assert_eq!((claims["iss"].as_str(), claims["sub"].as_str()), (Some("app"), Some("app")));
        assert_eq!(claims["aud"], token_url.as_str());
        assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 60);
        ids.push(claims["jti"].as_str().unwrap().to_owned());
    }
    assert_ne!(ids[0], ids[1], "an assertion is never sent twice");
    drop(sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_jwt_signs_with_the_secret_and_never_sends_it() {
    let server = token_server().await;
    let token_url = format!("{}/token", server.uri());
    let output = blocking(move || {
        let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", "hs256-secret-value");
        let audience = "https://issuer.example";
        sandbox.run(&[
            "token",
            "--token-url",
            &token_url,
            "--client-id",
            "app",
            "--auth",
            "client-secret-jwt",
            "--assertion-audience",
            audience,
            "--no-cache",
        ])
    })
    .await;
    output.code(0);
    let bodies = bodies(&server).await;
    let body = &bodies[0];
    assert!(body.iter().all(|(_, value)| !value.contains("hs256-secret-value")));
    let (header, claims) = decoded(field(body, "client_assertion").unwrap());
    assert_eq!(header["alg"], "HS256");
    assert_eq!(claims["aud"], "https://issuer.example");
}

#[test]
fn what_is_wrong_with_a_key_or_certificate_is_one_line() {
    let sandbox = Sandbox::new();
    let url = "https://127.0.0.1:9/token";
    let base = ["token", "--token-url", url, "--client-id", "app", "--no-cache"];
    let with = |extra: &[&str]| sandbox.run(&[&base[..], extra].concat());

    with(&["--auth", "private-key-jwt"]).code(2).one_line_error("--private-key-file");
    with(&["--auth", "tls-client-auth"]).code(2).one_line_error("--client-cert-file");
    with(&["--auth", "self-signed-tls-client-auth"]).code(2).one_line_error("--client-cert-file");

    let readable = sandbox.file("readable.pem", EC_PEM);
    set_mode(&readable, 0o644);
    let output = with(&["--private-key-file", readable.to_str().unwrap()]);
    output.code(2).one_line_error("chmod 600");

    let broken = sandbox.file("broken.pem", &EC_PEM.replace("MIGH", "XXXX"));
    let output = with(&["--private-key-file", broken.to_str().unwrap()]);
    output.code(2).one_line_error("the private key");
    assert!(!output.stderr.contains(KEY_LINE), "{}", output.stderr);

    let key = sandbox.file("client.pem", EC_PEM);
    let output = with(&["--private-key-file", key.to_str().unwrap(), "--auth", "post"]);
    output.code(2).one_line_error("give one of them");

    let not_a_certificate = sandbox.file("cert.pem", "hello");
    let output = with(&["--auth", "tls-client-auth", "--client-cert-file", not_a_certificate.to_str().unwrap()]);
    output.code(2).one_line_error("no PEM certificate");

    let certificate_without_key =
        sandbox.file("cert-only.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    let output = with(&["--auth", "tls-client-auth", "--client-cert-file", certificate_without_key.to_str().unwrap()]);
    output.code(2).one_line_error("needs its key");

    let unusable = sandbox
        .file("cert-and-key.pem", &format!("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n{EC_PEM}"));
    let output = with(&["--auth", "tls-client-auth", "--client-cert-file", unusable.to_str().unwrap()]);
    output.code(2).one_line_error("not a usable client certificate");
    assert!(!output.stderr.contains(KEY_LINE), "{}", output.stderr);

    let output = with(&["--cacert", not_a_certificate.to_str().unwrap()]);
    output.code(2).one_line_error("holds no PEM certificate");

    let vendor = sandbox.run(&[
        "token",
        "--provider",
        "mxo",
        "--server",
        "eu2",
        "--client-id",
        "x",
        "--private-key-file",
        key.to_str().unwrap(),
    ]);
    vendor.code(2).one_line_error("--private-key-file applies to --provider rfc6749");
}
