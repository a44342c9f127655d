//! A code exchange that could not be built without the time, handed back whole: an
//! authorization code is good for one exchange, so a misuse must not spend it.

use std::fmt;

use super::CodeExchange;
use crate::MisuseError;

/// [`CodeExchange::build_request`] refused the client (a JWT method, whose assertion needs the
/// time and fresh entropy), and gives the exchange back unspent: build it with
/// [`CodeExchange::build_request_at`] instead.
///
/// # Examples
/// ```
/// use std::time::SystemTime;
/// use oauth_core::authorization::{AuthorizationRequest, ENTROPY_LEN};
/// use oauth_core::{ClientAuth, ClientId, ClientSecret, EndpointUrl, TokenEndpoint};
/// let client = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
/// let request = AuthorizationRequest::new(
///     EndpointUrl::new("https://as.example/authorize")?,
///     client.client_id().clone(),
///     EndpointUrl::new("https://app.example/cb")?,
/// );
/// let (_url, pending) = request.start([0; ENTROPY_LEN])?;
/// let state = pending.state().to_owned();
/// let exchange = pending.accept_query(&format!("code=c0de&state={state}"))?;
/// let endpoint = TokenEndpoint::new("https://as.example/token")?;
/// let unbuilt = exchange.build_request(&endpoint, &client).unwrap_err();
/// assert!(unbuilt.to_string().contains("build_request_at"));
/// let (request, _pending) = unbuilt.into_exchange().build_request_at(&endpoint, &client, SystemTime::now(), [1; 16]);
/// assert!(std::str::from_utf8(request.body())?.contains("code=c0de"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct UnbuiltExchange {
    pub(super) misuse: MisuseError,
    pub(super) exchange: Box<CodeExchange>,
}

impl UnbuiltExchange {
    /// Why the request was not built.
    #[must_use]
    pub fn misuse(&self) -> &MisuseError {
        &self.misuse
    }

    /// The exchange, unspent.
    pub fn into_exchange(self) -> CodeExchange {
        *self.exchange
    }
}

impl fmt::Display for UnbuiltExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (the code exchange is handed back unspent)", self.misuse)
    }
}

/// The exchange's own Debug, which shows no secret.
impl fmt::Debug for UnbuiltExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnbuiltExchange").field("misuse", &self.misuse).field("exchange", &self.exchange).finish()
    }
}

impl std::error::Error for UnbuiltExchange {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.misuse)
    }
}
