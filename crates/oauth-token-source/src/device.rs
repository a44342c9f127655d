//! Driving a device authorization flow (RFC 8628) to its end over a transport and a runtime:
//! oauth-core's [`DeviceFlow`] decides when a request is due and what each answer means; this
//! sends, waits on the runtime's clock, and hands back the token or why there is none.

use std::time::Duration;

use oauth_core::device::DeviceFlowError;
use oauth_core::{DeviceFlow, DeviceStep, Token};

use crate::source::assertion_entropy;
use crate::{ClientError, Runtime, Transport};

/// Polls `flow` through `transport` until the user has approved (the token), refused, or the
/// device code has expired, sleeping on `runtime` between requests as the flow says (the
/// interval, `slow_down`, `Retry-After`). A JWT client signs a fresh assertion for each poll
/// with the runtime's wall clock. A transport failure does not end the flow — it slows the
/// polling, as RFC 8628 §3.5 asks — and is logged at `debug`; drop the future to stop sooner
/// (a timeout, the user cancelling).
///
/// # Errors
/// The flow's end other than a token: [`DeviceFlowError::AccessDenied`],
/// [`DeviceFlowError::ExpiredToken`] or [`DeviceFlowError::CodeExpired`], another refusal from
/// the server ([`DeviceFlowError::Refused`]).
///
/// # Examples
/// ```no_run
/// use oauth_core::device::{DeviceAuthorizationEndpoint, DeviceAuthorizationRequest};
/// use oauth_core::{ClientAuth, ClientId, DeviceFlow, EndpointUrl, TokenEndpoint};
/// use oauth_token_source::{Runtime, Transport, complete_device_flow};
///
/// async fn on_a_tv(transport: &impl Transport, runtime: &impl Runtime) -> Result<oauth_core::Token, Box<dyn std::error::Error>> {
///     let client = ClientAuth::public(ClientId::new("tv-app")?);
///     let device = DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://as.example/device")?);
///     let (request, pending) = device.build_request(&client, &DeviceAuthorizationRequest::new())?;
///     let authorization = pending.finish(&transport.send(request).await?, runtime.now())?;
///     eprintln!("open {} and enter {}", authorization.verification_uri(), authorization.user_code());
///     let token_endpoint = TokenEndpoint::new("https://as.example/token")?;
///     let flow = DeviceFlow::new(token_endpoint, client, &authorization, runtime.now());
///     Ok(complete_device_flow(flow, transport, runtime).await?)
/// }
/// ```
pub async fn complete_device_flow<T, R>(
    mut flow: DeviceFlow,
    transport: &T,
    runtime: &R,
) -> Result<Token, DeviceFlowError>
where
    T: Transport + ?Sized,
    R: Runtime + ?Sized,
{
    loop {
        let now = runtime.now();
        match flow.poll_at(now, runtime.wall_clock(), assertion_entropy()) {
            DeviceStep::Send(request, pending) => {
                let sent_at = runtime.now();
                let result = match transport.send(request).await {
                    Ok(response) => pending.finish(&response, sent_at).map_err(ClientError::from),
                    Err(error) => Err(ClientError::Transport(error)),
                };
                if let Some(error) = flow.answered(runtime.now(), result) {
                    tracing::debug!(error = %error, "device flow: no token yet");
                }
            }
            DeviceStep::Wait(until) => runtime.sleep(until.saturating_duration_since(now)).await,
            DeviceStep::Done(token) => return Ok(token.clone()),
            DeviceStep::Failed(error) => return Err(error.clone()),
            // A request out: not reachable here, where each answer is reported before the next
            // poll; a step the flow may add later waits a moment.
            _ => runtime.sleep(Duration::from_millis(100)).await,
        }
    }
}
