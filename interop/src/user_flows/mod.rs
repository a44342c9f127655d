//! The user-facing flows against oidc-provider, end to end: discovery, the authorization code
//! with PKCE and the RFC 9207 `iss` check, refresh through a refresh-only token source, the
//! device flow, revocation and introspection — each over both adapters' transports, the library
//! building every request and reading every answer — and the same flows through the `oauth`
//! command (`discover`, `login`, `device`, `introspect`, `revoke`) run as a child process.
//!
//! The person at the browser is [`Browser`]: plain HTTP through oidc-provider's development
//! login and consent pages (`devInteractions`), stopping at the redirect to the client. For the
//! library's scenarios that redirect is handed to [`PendingAuthorization::accept`] as an app's
//! listener would; for `oauth login` the headless user visits it, so it reaches the command's
//! loopback receiver. The server's clients: `native-app` (public, native, loopback redirect on
//! any port) and `token-admin` (confidential, allowed to introspect and revoke any token); see
//! `interop/servers/oidc-provider/server.mjs`.
//!
//! [`Browser`]: crate::browser::Browser
//! [`PendingAuthorization::accept`]: oauth_core::authorization::PendingAuthorization::accept

mod cli;
mod library;
mod sign_in;

use std::path::Path;

use crate::adapter::Adapter;
use crate::admin::Admin;
use crate::browser::Consent;
use crate::check::Outcome;
use crate::command::Sandbox;

/// The public native client, and the confidential client that may introspect and revoke.
const NATIVE_APP: &str = "native-app";
const TOKEN_ADMIN: &str = "token-admin";

/// Who signs in (oidc-provider's development login takes any name and password; the name
/// becomes the subject).
const USER: &str = "ana";

/// How the token log names these requests.
const CODE: &str = "authorization_code";
const NONE: &str = "none";

/// The library's scenarios, in the order they run, each over both adapters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    Discovery,
    DiscoveryOtherIssuer,
    AuthorizationCode,
    RedirectChecks,
    DeviceFlow,
    RevokeIntrospect,
}

impl Scenario {
    pub(crate) const ALL: [Self; 6] = [
        Self::Discovery,
        Self::DiscoveryOtherIssuer,
        Self::AuthorizationCode,
        Self::RedirectChecks,
        Self::DeviceFlow,
        Self::RevokeIntrospect,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Discovery => "discovery_metadata",
            Self::DiscoveryOtherIssuer => "discovery_other_issuer_refused",
            Self::AuthorizationCode => "authorization_code_pkce_then_refresh",
            Self::RedirectChecks => "authorization_redirect_refusals",
            Self::DeviceFlow => "device_flow",
            Self::RevokeIntrospect => "introspect_then_revoke",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        let transport = &sign_in::transport(adapter)?;
        match self {
            Self::Discovery => library::discovery(server, transport).await,
            Self::DiscoveryOtherIssuer => library::discovery_other_issuer(server, transport).await,
            Self::AuthorizationCode => library::authorization_code(server, transport).await,
            Self::RedirectChecks => library::redirect_refusals(server, transport).await,
            Self::DeviceFlow => library::device_flow(server, transport).await,
            Self::RevokeIntrospect => library::introspect_then_revoke(server, transport).await,
        }
    }
}

/// The command's scenarios, in the order they run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CliScenario {
    Discover,
    DiscoverOtherIssuer,
    Login,
    LoginForgedState,
    Device,
    DeviceDenied,
    IntrospectRevoke,
}

impl CliScenario {
    pub(crate) const ALL: [Self; 7] = [
        Self::Discover,
        Self::DiscoverOtherIssuer,
        Self::Login,
        Self::LoginForgedState,
        Self::Device,
        Self::DeviceDenied,
        Self::IntrospectRevoke,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Discover => "cli_discover",
            Self::DiscoverOtherIssuer => "cli_discover_other_issuer_exit_3",
            Self::Login => "cli_login_loopback",
            Self::LoginForgedState => "cli_login_forged_state_exit_3",
            Self::Device => "cli_device",
            Self::DeviceDenied => "cli_device_denied_exit_3",
            Self::IntrospectRevoke => "cli_introspect_revoke",
        }
    }

    pub(crate) async fn run(self, server: &Admin, oauth: &Path) -> Outcome {
        let sandbox = Sandbox::new(oauth)?;
        match self {
            Self::Discover => cli::discover(server, &sandbox).await,
            Self::DiscoverOtherIssuer => cli::discover_other_issuer(server, &sandbox).await,
            Self::Login => cli::login(server, &sandbox).await,
            Self::LoginForgedState => cli::login_forged_state(server, &sandbox).await,
            Self::Device => cli::device(server, &sandbox, Consent::Approve).await,
            Self::DeviceDenied => cli::device(server, &sandbox, Consent::Deny).await,
            Self::IntrospectRevoke => cli::introspect_revoke(server, &sandbox).await,
        }
    }
}

/// A user code as a report shows it: its shape only.
fn mask_code(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() { '*' } else { c }).collect()
}
