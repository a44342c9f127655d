//! The user-facing flows through the `oauth` command run as a child process: `discover`,
//! `login` (the headless user following the printed URL to the loopback receiver), `device`,
//! `introspect` and `revoke`.

use http::StatusCode;
use serde_json::Value;

use super::sign_in::{sign_in, transport};
use super::{CODE, NATIVE_APP, NONE, TOKEN_ADMIN, USER, mask_code};
use crate::TRICKY_SECRET;
use crate::adapter::Adapter;
use crate::admin::{Admin, describe};
use crate::browser::{Browser, Consent, End, query_param};
use crate::check::{self, Outcome, ensure};
use crate::command::{JsonToken, Run, Sandbox, secret_forms};
use oauth_core::device::DEVICE_CODE_GRANT_TYPE;

/// `oauth discover <issuer>`: the endpoints, as JSON.
pub(super) async fn discover(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let base = server.base();
    let run = sandbox.spawn(&["discover", base], &[])?.finish().await?;
    run.exit(0)?;
    run.quiet()?;
    let json: Value = serde_json::from_str(&run.stdout).map_err(|e| format!("{}: not JSON ({e})", run.command))?;
    let expected = [
        ("issuer", base.to_owned()),
        ("authorization_endpoint", format!("{base}/auth")),
        ("token_endpoint", format!("{base}/token")),
        ("device_authorization_endpoint", format!("{base}/device/auth")),
        ("revocation_endpoint", format!("{base}/token/revocation")),
        ("introspection_endpoint", format!("{base}/token/introspection")),
    ];
    for (member, value) in expected {
        ensure(json[member].as_str() == Some(value.as_str()), || {
            format!("{}: {member} is {}, expected {value}", run.command, json[member])
        })?;
    }
    ensure(json["authorization_response_iss_parameter_supported"] == Value::Bool(true), || {
        format!("{}: iss parameter support not shown: {}", run.command, run.stdout)
    })?;
    ensure(json["code_challenge_methods_supported"] == serde_json::json!(["S256"]), || {
        format!("{}: code_challenge_methods_supported {}", run.command, json["code_challenge_methods_supported"])
    })?;
    Ok(format!("{}: exit 0, JSON with the issuer and the five endpoints, S256, iss supported", run.command))
}

/// `oauth discover <issuer>/`: the document names `<issuer>`, so it is refused.
pub(super) async fn discover_other_issuer(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let issuer = format!("{}/", server.base());
    let run = sandbox.spawn(&["discover", &issuer], &[])?.finish().await?;
    let line = run.refused()?;
    for wanted in [format!("{:?}", server.base()), format!("{issuer:?}"), "RFC 8414 §3.3".to_owned()] {
        ensure(line.contains(&wanted), || format!("{}: the line lacks `{wanted}`: {line:?}", run.command))?;
    }
    Ok(format!("{}: exit 3, {line:?}", run.command))
}

/// The arguments of `oauth login` for the native app.
fn login_args(base: &str) -> [&str; 12] {
    [
        "login",
        "--issuer",
        base,
        "--client-id",
        NATIVE_APP,
        "--no-browser",
        "--format",
        "json",
        "--show-refresh-token",
        "--scope",
        "openid offline_access",
        "--wait=15",
    ]
}

/// The authorization URL `oauth login` prints on stderr.
fn authorization_url(line: &str) -> Option<String> {
    let line = line.trim();
    line.starts_with("http").then(|| line.to_owned())
}

/// `oauth login --issuer … --no-browser`: the headless user opens the URL the command printed,
/// signs in, consents, and follows the redirect to the command's loopback receiver, which
/// answers "Signed in"; the command exchanges the code (PKCE, the `iss` checked) and prints the
/// token. Without `prompt=consent`, oidc-provider drops `offline_access` from the grant; the
/// refresh token comes from the server's configuration.
pub(super) async fn login(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let base = server.base();
    let mark = server.mark().await?;
    let mut running = sandbox.spawn(&login_args(base), &[])?;
    let url = running.line("the authorization URL", authorization_url).await?;
    let redirect_uri = query_param(&url, "redirect_uri").ok_or_else(|| format!("no redirect_uri in {url}"))?;
    ensure(url.starts_with(&format!("{base}/auth?")) && redirect_uri.starts_with("http://127.0.0.1:"), || {
        format!("the printed URL {url} is not the server's authorization endpoint with a loopback redirect")
    })?;
    let mut browser = Browser::new(base, USER)?;
    let redirect = browser.authorize(&url, &redirect_uri, Consent::Approve).await?;
    let code = query_param(&redirect, "code").ok_or_else(|| format!("no code in {redirect}"))?;
    let (status, page) = browser.visit(&redirect).await?;
    let run = running.finish().await?;
    ensure(status == StatusCode::OK && page.contains("Signed in"), || {
        format!("{}: the loopback receiver answered {status} `{page}`", run.command)
    })?;
    run.exit(0)?;
    run.absent(&[("the authorization code", &code)])?;
    let (token, detail) = json_token(&run)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(CODE, NONE, 200)])?;
    let lines = run.stderr.lines().filter(|l| !l.trim().is_empty()).count();
    Ok(format!(
        "{}: the headless user followed the printed URL ({} requests) to {}/callback → {status} `Signed in…`; exit 0, \
         {}, granted scope `{}`; stderr {lines} lines (the prompt and the URL), no token or code in it; server saw \
         {}",
        run.command,
        browser.steps(),
        redirect_uri.trim_end_matches("/callback"),
        detail,
        token.scope,
        describe(&seen)
    ))
}

/// `oauth login`, and a redirect whose `state` is not the request's reaches the receiver: the
/// command answers the browser "Sign-in failed", exchanges nothing, and exits 3.
pub(super) async fn login_forged_state(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let base = server.base();
    let mark = server.mark().await?;
    let mut running = sandbox.spawn(&login_args(base), &[])?;
    let url = running.line("the authorization URL", authorization_url).await?;
    let redirect_uri = query_param(&url, "redirect_uri").ok_or_else(|| format!("no redirect_uri in {url}"))?;
    let state = query_param(&url, "state").ok_or_else(|| format!("no state in {url}"))?;
    let mut browser = Browser::new(base, USER)?;
    let redirect = browser.authorize(&url, &redirect_uri, Consent::Approve).await?;
    let forged = redirect.replace(&format!("state={state}"), "state=forged-by-another-site");
    ensure(forged != redirect, || format!("no state={state} in the redirect"))?;
    let (status, page) = browser.visit(&forged).await?;
    let run = running.finish().await?;
    ensure(status == StatusCode::BAD_REQUEST && page.contains("Sign-in failed"), || {
        format!("{}: the loopback receiver answered {status} `{page}`", run.command)
    })?;
    run.exit(3)?;
    ensure(run.stdout.is_empty(), || format!("{}: stdout {:?}", run.command, run.stdout))?;
    let last = run.stderr.lines().last().unwrap_or_default().to_owned();
    ensure(last.starts_with("oauth: ") && last.contains("state"), || {
        format!("{}: the last stderr line does not name the state: {:?}", run.command, run.stderr)
    })?;
    check::seen(&server.seen_since(mark).await?, &[])?;
    Ok(format!(
        "{}: forged state → the receiver answered {status} `Sign-in failed…`; exit 3, {last:?}; no token request",
        run.command
    ))
}

/// `oauth device --issuer …`: the command prints the address and the user code; the headless
/// user enters it at `/device` and confirms, signs in, consents, and the command's poll (5 s
/// later: oidc-provider names no interval) gets the token — or aborts at the confirmation
/// page, and the poll gets `access_denied`: exit 3. (The scope is needed: oidc-provider answers
/// a request granting no scope at all with `access_denied`, after the user consented.)
pub(super) async fn device(server: &Admin, sandbox: &Sandbox, consent: Consent) -> Outcome {
    let base = server.base();
    let args = [
        "device",
        "--issuer",
        base,
        "--client-id",
        NATIVE_APP,
        "--scope",
        "openid offline_access",
        "--format",
        "json",
        "--show-refresh-token",
    ];
    let mark = server.mark().await?;
    let mut running = sandbox.spawn(&args, &[])?;
    let line = running.line("the user code", |line| line.contains("enter the code ").then(|| line.to_owned())).await?;
    let code = line.rsplit("enter the code ").next().unwrap_or_default().trim().to_owned();
    let address = line.split("open ").nth(1).and_then(|rest| rest.split(" and enter").next()).unwrap_or_default();
    ensure(address == format!("{base}/device") && !code.is_empty(), || {
        format!("{}: the line {line:?} does not name {base}/device and a code", running.command)
    })?;
    let mut browser = Browser::new(base, USER)?;
    let end = browser.enter_user_code(address, &code, consent).await?;
    let run = match consent {
        Consent::Approve => {
            ensure(end.is_device_success(), || format!("the approval ended on {end:?}: {browser}"))?;
            running.finish().await?
        }
        Consent::Deny => {
            let interrupted = matches!(&end, End::Page { text, .. } if text.contains("interrupted"));
            ensure(interrupted, || format!("the abort ended on {end:?}: {browser}"))?;
            let run = running.finish().await?;
            let line = run.stderr.lines().last().unwrap_or_default().to_owned();
            run.exit(3)?;
            ensure(run.stdout.is_empty() && line.starts_with("oauth: ") && line.contains("access_denied"), || {
                format!("{}: stdout {:?}, stderr {:?}", run.command, run.stdout, run.stderr)
            })?;
            let seen = server.seen_since(mark).await?;
            check::seen(&seen, &[(DEVICE_CODE_GRANT_TYPE, NONE, 400)])?;
            return Ok(format!(
                "{}: the headless user aborted at the confirmation page; exit 3, {line:?}; server saw {}",
                run.command,
                describe(&seen)
            ));
        }
    };
    run.exit(0)?;
    let (token, detail) = json_token(&run)?;
    let seen = server.seen_since(mark).await?;
    check::seen(&seen, &[(DEVICE_CODE_GRANT_TYPE, NONE, 200)])?;
    Ok(format!(
        "{}: printed {address} and a code {}; the headless user approved it ({} requests); exit 0, {}, granted scope \
         `{}`; server saw {}",
        run.command,
        mask_code(&code),
        browser.steps(),
        detail,
        token.scope,
        describe(&seen)
    ))
}

/// `oauth introspect` and `oauth revoke` as `token-admin`, the token in `OAUTH_TOKEN` and the
/// secret in `OAUTH_CLIENT_SECRET`: the access token active; the refresh token revoked; the
/// access token then inactive; a wrong secret → exit 3 naming invalid_client.
pub(super) async fn introspect_revoke(server: &Admin, sandbox: &Sandbox) -> Outcome {
    let token = sign_in(server, &transport(Adapter::Reqwest)?).await?.token;
    let access = token.access_token().secret().to_owned();
    let refresh = token.refresh_token().ok_or("no refresh token")?.secret().to_owned();
    let base = server.base();
    let as_admin =
        |secret: &str, token: &str| vec![("OAUTH_CLIENT_SECRET", secret.to_owned()), ("OAUTH_TOKEN", token.to_owned())];
    let introspect_args = ["introspect", "--issuer", base, "--client-id", TOKEN_ADMIN];
    let revoke_args = ["revoke", "--issuer", base, "--client-id", TOKEN_ADMIN, "--hint", "refresh-token"];
    let canaries = |run: &Run, secret: &str| {
        let what = "the client secret (or a form of it)";
        let mut forbidden: Vec<(&str, String)> =
            secret_forms(TOKEN_ADMIN, secret).into_iter().map(|form| (what, form)).collect();
        forbidden.push(("the access token", access.clone()));
        forbidden.push(("the refresh token", refresh.clone()));
        let forbidden: Vec<(&str, &str)> = forbidden.iter().map(|(what, value)| (*what, value.as_str())).collect();
        run.absent(&forbidden)
    };

    let active = sandbox.spawn(&introspect_args, &as_admin(TRICKY_SECRET, &access))?.finish().await?;
    active.exit(0)?;
    active.quiet()?;
    canaries(&active, TRICKY_SECRET)?;
    let json: Value =
        serde_json::from_str(&active.stdout).map_err(|e| format!("{}: not JSON ({e})", active.command))?;
    ensure(json["active"] == Value::Bool(true) && json["client_id"] == NATIVE_APP && json["sub"] == USER, || {
        format!("{}: {}", active.command, active.stdout)
    })?;

    let revoked = sandbox.spawn(&revoke_args, &as_admin(TRICKY_SECRET, &refresh))?.finish().await?;
    revoked.exit(0)?;
    canaries(&revoked, TRICKY_SECRET)?;
    ensure(revoked.stdout.is_empty() && revoked.stderr.trim() == "revoked", || {
        format!("{}: stdout {:?}, stderr {:?}", revoked.command, revoked.stdout, revoked.stderr)
    })?;

    let inactive = sandbox.spawn(&introspect_args, &as_admin(TRICKY_SECRET, &access))?.finish().await?;
    inactive.exit(0)?;
    inactive.quiet()?;
    canaries(&inactive, TRICKY_SECRET)?;
    let json: Value =
        serde_json::from_str(&inactive.stdout).map_err(|e| format!("{}: not JSON ({e})", inactive.command))?;
    ensure(json == serde_json::json!({ "active": false }), || format!("{}: {}", inactive.command, inactive.stdout))?;

    let wrong_secret = "wrong-secret-canary";
    let refused = sandbox.spawn(&revoke_args, &as_admin(wrong_secret, &refresh))?.finish().await?;
    canaries(&refused, wrong_secret)?;
    let line = refused.refused()?;
    ensure(line.contains("invalid_client"), || {
        format!("{}: the line names no invalid_client: {line:?}", refused.command)
    })?;
    Ok(format!(
        "{} → exit 0, active, client_id {NATIVE_APP}, sub {USER}; {} → exit 0, `revoked`; introspect again → \
         exit 0, {{\"active\": false}}; a wrong secret → exit 3, {line:?}; neither token nor the secret printed",
        active.command, revoked.command
    ))
}

/// `--format json --show-refresh-token` as [`Run::json_token`] checks it, with an expires_at
/// shaped like a date-time; and the report's words for it.
fn json_token(run: &Run) -> Result<(JsonToken, String), String> {
    let token = run.json_token(true)?;
    let expires_at = &token.expires_at;
    ensure(expires_at.len() >= 20 && expires_at.as_bytes()[10] == b'T', || {
        run.bad_stdout(&format!("expires_at {expires_at:?}"))
    })?;
    let detail = format!("JSON access_token, token_type Bearer, expires_in {}, refresh_token", token.expires_in);
    Ok((token, detail))
}
