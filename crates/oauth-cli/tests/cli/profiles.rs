//! Named profiles in a TOML config file, `oauth profiles`, and shell completions.

use oauth_testkit::Mxo;

use crate::support::{Sandbox, blocking};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_profile_gets_a_token_and_flags_override_it() {
    let mxo = Mxo::start().await;
    let sandbox = Sandbox::new().env("MXO_SECRET_VAR", mxo.credentials().client_secret());
    let secret_file = sandbox.file("mxo-secret", &format!("{}\n", mxo.credentials().client_secret()));
    let config = sandbox.file(
        "oauth.toml",
        &format!(
            "[profiles.dev-mxo]\nprovider = \"mxo\"\nserver = \"{}\"\nclient_id = \"{}\"\nclient_secret_file = \"{}\"\n\n\
             [profiles.env-mxo]\nprovider = \"mxo\"\nserver = \"{}\"\nclient_id = \"{}\"\nclient_secret_env = \"MXO_SECRET_VAR\"\n",
            mxo.uri(),
            mxo.credentials().client_id(),
            secret_file.display(),
            mxo.uri(),
            mxo.credentials().client_id(),
        ),
    );
    let config = config.display().to_string();
    let outputs = blocking(move || {
        let listed = sandbox.run(&["profiles", "--config", &config]);
        let by_file = sandbox.run(&["token", "dev-mxo", "--config", &config, "--no-cache"]);
        let by_env = sandbox.run(&["token", "--profile", "env-mxo", "--config", &config, "--no-cache"]);
        let overridden =
            sandbox.run(&["token", "dev-mxo", "--config", &config, "--client-id", "someone-else", "--no-cache"]);
        (listed, by_file, by_env, overridden)
    })
    .await;
    let (listed, by_file, by_env, overridden) = outputs;
    listed.code(0);
    assert!(
        listed.stdout.contains("dev-mxo  mxo") && listed.stdout.contains("client secret from "),
        "{}",
        listed.stdout
    );
    assert!(listed.stdout.contains("env-mxo  mxo") && listed.stdout.contains("$MXO_SECRET_VAR"), "{}", listed.stdout);
    by_file.code(0);
    by_env.code(0);
    overridden.code(3);
    assert_eq!(mxo.controls().token_requests(), 3);
}

#[test]
fn a_secret_written_in_the_config_file_is_refused() {
    let sandbox = Sandbox::new();
    let config =
        sandbox.file("bad.toml", "[profiles.p]\nprovider = \"mxo\"\nclient_secret = \"written-in-the-file\"\n");
    let output = sandbox.run(&["token", "p", "--config", &config.display().to_string()]);
    output.code(2).one_line_error("client_secret_file");
    assert!(!output.stderr.contains("written-in-the-file"));
}

#[test]
fn completions_for_each_shell() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let output = sandbox.run(&["completions", shell]);
        output.code(0);
        assert!(output.stdout.contains("oauth") && output.stdout.contains("token"), "{shell}");
    }
}
