//! `oauth login`: the authorization code flow with PKCE for a person at this machine — the
//! authorization URL printed (and opened in a browser when there is one), the redirect received
//! on 127.0.0.1 (RFC 8252), the code exchanged for a token. Every protocol check is oauth-core's
//! (`authorization::PendingAuthorization::accept`); this file moves bytes and talks to the user.

use std::num::NonZeroU16;
use std::time::{Duration, Instant, SystemTime};

use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN, loopback_redirect_uri};
use oauth_core::{Scope, Token, TokenEndpoint};
use oauth_token_source::Transport;

use crate::cli::LoginArgs;
use crate::failure::{Chain, Exit, Failure};
use crate::loopback::{Page, Receiver, answer};
use crate::trace::note;

pub(crate) async fn run(args: &LoginArgs) -> Result<Token, Failure> {
    let flags = &args.connection;
    let crate::client::Prepared { auth, transport } = crate::client::prepare(flags, "login")?;
    let client_id = auth.client_id().clone();
    let (authorize, endpoint, issuer) = match &flags.issuer {
        Some(issuer) => {
            let metadata = crate::client::discover(issuer, flags.allow_http, &transport).await?;
            let token = metadata.endpoint_for("token_endpoint", auth.presents_certificate());
            let (Some(authorize), Some(token)) = (metadata.authorization_endpoint(), token) else {
                return Err(Failure::refused(format!("{issuer} publishes no authorization or token endpoint")));
            };
            let iss =
                (metadata.issuer().as_str().to_owned(), metadata.authorization_response_iss_parameter_supported());
            (authorize.clone(), TokenEndpoint::at(token.clone()), Some(iss))
        }
        None => {
            let authorize = args.authorize_url.as_deref().unwrap_or_default();
            let token =
                flags.token_url.as_deref().ok_or_else(|| Failure::usage("login needs --token-url or --issuer"))?;
            (
                crate::client::endpoint(authorize, "--authorize-url", flags)?,
                TokenEndpoint::at(crate::client::endpoint(token, "--token-url", flags)?),
                None,
            )
        }
    };
    let scope = Scope::parse(&flags.scope.join(" ")).map_err(|e| Failure::usage(format!("--scope: {e}")))?;

    let receiver = Receiver::bind(args.port).await?;
    let port = NonZeroU16::new(receiver.port()?).ok_or_else(|| Failure::network("no port to listen on"))?;
    let mut entropy = [0_u8; ENTROPY_LEN];
    getrandom::fill(&mut entropy).map_err(|e| Failure::network(format!("no randomness: {e}")))?;
    let mut request = AuthorizationRequest::new(authorize, client_id, loopback_redirect_uri(port)).with_scope(scope);
    if let Some((issuer, iss_supported)) = issuer {
        request = request.with_issuer(issuer, iss_supported);
    }
    let (authorization_url, pending) = request.start(entropy).map_err(|e| Failure::usage(e.to_string()))?;

    note(&format!("Open this URL in a browser to sign in (waiting up to {} s):\n\n  {authorization_url}\n", args.wait));
    if !args.no_browser {
        open_browser(&authorization_url.to_string());
    }
    let (target, mut browser) =
        receiver.wait(Duration::from_secs(args.wait), |target| pending.is_redirect(target)).await?;
    let exchange = match pending.accept(&target) {
        Ok(exchange) => exchange,
        Err(error) => {
            answer(&mut browser, Page::Failure(error.to_string())).await;
            return Err(Failure::refused(format!("the sign-in was refused: {error}")));
        }
    };

    let (request, exchanging) =
        exchange.build_request_at(&endpoint, &auth, SystemTime::now(), crate::client::assertion_entropy()?);
    let sent_at = Instant::now();
    let shown = crate::trace::shown_uri(endpoint.uri());
    let token = match transport.send(request).await {
        Ok(response) => exchanging.finish(&response, sent_at).map_err(|error| {
            Failure::refused(format!("the authorization server at {shown} refused the code: {}", Chain(&error)))
        }),
        Err(error) => Err(Failure::transport(&error, &shown)),
    };
    match &token {
        Ok(_) => answer(&mut browser, Page::Success).await,
        Err(failure) => answer(&mut browser, Page::Failure(failure.to_string())).await,
    }
    token
}

/// Opens `url` in the desktop's browser, if there is one; says nothing when there is none (the
/// URL is printed either way).
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let has_display = cfg!(any(target_os = "macos", windows))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_display {
        return;
    }
    let _ = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

impl Failure {
    /// The authorization server (or the user, through it) refused: exit 3.
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self::with_exit(Exit::Refused, message)
    }
}
