//! Which client authentication wins when settings come from more than one place: the command
//! line over the profile over the generic variables, a usage error when one layer names two,
//! and never a key silently replacing a configured secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Sandbox, blocking};

const EC_PEM: &str = include_str!("../fixtures/p256.key.pem");
const SECRET: &str = "layers-test-secret";

async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-0123456789abcdef0123456789abcdef", "token_type": "Bearer", "expires_in": 300,
        })))
        .mount(&server)
        .await;
    server
}

/// How each request the server received authenticated the client: `assertion ALG`, `basic`,
/// `post` or `none`.
async fn methods(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .map(|request| {
            let body: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
            let field = |name: &str| body.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
            if let Some(jwt) = field("client_assertion") {
                let header = URL_SAFE_NO_PAD.decode(jwt.split('.').next().unwrap()).unwrap();
                let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
                format!("assertion {}", header["alg"].as_str().unwrap())
            } else if request.headers.get("authorization").is_some() {
                "basic".to_owned()
            } else if field("client_secret").is_some() {
                "post".to_owned()
            } else {
                "none".to_owned()
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_wins_over_the_profile() {
    let server = token_server().await;
    let token_url = format!("{}/token", server.uri());
    let (key_in_profile, auth_in_profile) = blocking(move || {
        let sandbox = Sandbox::new().env("OAUTH_CLIENT_SECRET", SECRET);
        let key = sandbox.file("key.pem", EC_PEM);
        let config = sandbox.file(
            "oauth.toml",
            &format!(
                "[profiles.keyed]\ntoken_url = \"{token_url}\"\nclient_id = \"app\"\nprivate_key_file = \"{}\"\n\n\
                 [profiles.posting]\ntoken_url = \"{token_url}\"\nclient_id = \"app\"\nauth = \"post\"\n",
                key.display()
            ),
        );
        let config = config.to_str().unwrap().to_owned();
        // The profile's key gives way to --auth basic; the profile's `auth` to --private-key-file.
        let key_in_profile = sandbox.run(&["token", "keyed", "--config", &config, "--auth", "basic", "--no-cache"]);
        let auth_in_profile = sandbox.run(&[
            "token",
            "posting",
            "--config",
            &config,
            "--private-key-file",
            key.to_str().unwrap(),
            "--no-cache",
        ]);
        (key_in_profile, auth_in_profile)
    })
    .await;
    key_in_profile.code(0);
    auth_in_profile.code(0);
    assert_eq!(methods(&server).await, ["basic", "assertion ES256"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_in_the_environment_never_silently_replaces_a_secret() {
    let server = token_server().await;
    let token_url = format!("{}/token", server.uri());
    let (both, chose_basic, chose_key, key_alone) = blocking(move || {
        let both = Sandbox::new().env("OAUTH_CLIENT_SECRET", SECRET).env("OAUTH_PRIVATE_KEY", EC_PEM);
        let args = ["token", "--token-url", token_url.as_str(), "--client-id", "app", "--no-cache"];
        let ambiguous = both.run(&args);
        let chose_basic = both.run(&[&args[..], &["--auth", "basic"]].concat());
        let chose_key = both.run(&[&args[..], &["--auth", "private-key-jwt"]].concat());
        let key_alone = Sandbox::new().env("OAUTH_PRIVATE_KEY", EC_PEM).run(&args);
        (ambiguous, chose_basic, chose_key, key_alone)
    })
    .await;
    both.code(2).one_line_error("choose with --auth");
    chose_basic.code(0);
    chose_key.code(0);
    key_alone.code(0);
    assert_eq!(methods(&server).await, ["basic", "assertion ES256", "assertion ES256"]);
}

#[test]
fn one_layer_naming_a_key_and_another_method_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let key = sandbox.file("key.pem", EC_PEM);
    let output = sandbox.run(&[
        "token",
        "--token-url",
        "https://127.0.0.1:9/token",
        "--client-id",
        "app",
        "--private-key-file",
        key.to_str().unwrap(),
        "--auth",
        "post",
    ]);
    output.code(2).one_line_error("`--auth post`");
}
