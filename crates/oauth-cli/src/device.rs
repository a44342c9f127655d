//! `oauth device`: the device authorization grant (RFC 8628) for a terminal or a TV — the
//! verification URI and user code printed, the token endpoint polled as oauth-core's
//! `DeviceFlow` says (its interval, `slow_down`, expiry), the token printed.

use std::time::{Instant, SystemTime};

use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest, DeviceFlow};
use oauth_core::{Scope, Token, TokenEndpoint};
use oauth_token_source::Transport;

use crate::cli::DeviceArgs;
use crate::failure::{Chain, Failure};
use crate::trace::note;

pub(crate) async fn run(args: &DeviceArgs) -> Result<Token, Failure> {
    let flags = &args.connection;
    let crate::client::Prepared { auth, transport } = crate::client::prepare(flags, "device")?;
    let (device_url, token_url) = match &flags.issuer {
        Some(issuer) => {
            let metadata = crate::client::discover(issuer, flags.allow_http, &transport).await?;
            let certificate = auth.presents_certificate();
            let device = metadata.endpoint_for("device_authorization_endpoint", certificate).cloned();
            let token = metadata.endpoint_for("token_endpoint", certificate).cloned();
            match (device, token) {
                (Some(device), Some(token)) => (device, token),
                _ => {
                    return Err(Failure::refused(format!(
                        "{issuer} publishes no device authorization or token endpoint"
                    )));
                }
            }
        }
        None => {
            let device =
                args.device_url.as_deref().ok_or_else(|| Failure::usage("device needs --device-url or --issuer"))?;
            let token =
                flags.token_url.as_deref().ok_or_else(|| Failure::usage("device needs --token-url or --issuer"))?;
            (
                crate::client::endpoint(device, "--device-url", flags)?,
                crate::client::endpoint(token, "--token-url", flags)?,
            )
        }
    };
    let scope = Scope::parse(&flags.scope.join(" ")).map_err(|e| Failure::usage(format!("--scope: {e}")))?;

    let shown = crate::trace::shown_uri(device_url.uri());
    let (request, pending) = DeviceAuthorizationEndpoint::new(device_url).build_request_at(
        &auth,
        &DeviceAuthorizationRequest::new().with_scope(scope),
        SystemTime::now(),
        crate::client::assertion_entropy()?,
    );
    let sent_at = Instant::now();
    let response = transport.send(request).await.map_err(|e| Failure::transport(&e, &shown))?;
    let authorization =
        pending.finish(&response, sent_at).map_err(|e| Failure::refused(format!("{shown} refused: {}", Chain(&e))))?;
    let mut message = format!(
        "To sign in, open {} and enter the code {}",
        authorization.verification_uri(),
        authorization.user_code()
    );
    if let Some(complete) = authorization.verification_uri_complete() {
        message.push_str(&format!("\n(or open {complete}, which carries the code)"));
        // A terminal can show a QR code of it for a phone; a pipe or a log gets the text only.
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            if let Some(code) = crate::qr::render(complete) {
                message.push('\n');
                message.push_str(&code);
            }
        }
    }
    note(&message);

    let flow = DeviceFlow::new(TokenEndpoint::at(token_url), auth, &authorization, Instant::now());
    let spinner = crate::spinner::Spinner::start("waiting for the sign-in");
    // Each poll is traced with -v by the transport; the flow's end is what is reported.
    let result = oauth_token_source::complete_device_flow(flow, &transport, &oauth_reqwest::TokioRuntime).await;
    drop(spinner);
    result.map_err(|error| Failure::refused(format!("the sign-in did not complete: {}", Chain(&error))))
}
