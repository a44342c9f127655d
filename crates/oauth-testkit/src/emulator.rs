//! [`Emulator`] and its [`Builder`]: what the four vendor emulators share — starting, the
//! client and lifetime settings, the controls, `Debug` — written once for every vendor.

use std::fmt;

use crate::{Controls, Credentials};

/// A running vendor emulator: a wiremock server on 127.0.0.1 that answers like vendor `V`.
///
/// Use it by its vendor's name — [`Mxo`](crate::Mxo), [`CloudCx`](crate::CloudCx),
/// [`BrightPattern`](crate::BrightPattern) or [`Rfc6749`](crate::Rfc6749), whose pages say what
/// the server does and add the vendor's own methods (`profile()` first). What is the same for
/// every vendor is here: [`start`](Self::start) or [`builder`](Self::builder), the server's
/// [`uri`](Self::uri), the [`credentials`](Self::credentials) it accepts, and its
/// [`controls`](Self::controls) — counters, faults, expiry.
///
/// The server stops when the emulator is dropped.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use oauth_testkit::{Fault, Mxo};
/// let mxo = Mxo::builder().client("my-client", "my-secret").expires_in(2).start().await;
/// assert!(mxo.uri().starts_with("http://127.0.0.1:"));
/// assert_eq!(mxo.credentials().client_id(), "my-client");
/// mxo.controls().fail_next(Fault::Status(503), 1);
/// assert_eq!(mxo.controls().token_requests(), 0);
/// # }
/// ```
pub struct Emulator<V> {
    pub(crate) controls: Controls,
    pub(crate) credentials: Credentials,
    pub(crate) settings: V,
}

impl<V: Vendor> Emulator<V> {
    /// Starts an emulator with the vendor's defaults: the credentials of the vendor's
    /// documented example, its documented token lifetime.
    pub async fn start() -> Self {
        Builder::default().start().await
    }

    /// Settings before starting.
    pub fn builder() -> Builder<V> {
        Builder::default()
    }

    /// The emulator's base URL, `http://127.0.0.1:{port}`.
    #[must_use]
    pub fn uri(&self) -> String {
        self.controls.server().uri()
    }

    /// The client (and, for a password grant, the resource owners) the server accepts.
    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Counters, faults, expiry and the requests received: the same controls for every vendor.
    #[must_use]
    pub fn controls(&self) -> &Controls {
        &self.controls
    }
}

impl<V: Vendor> fmt::Debug for Emulator<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(V::NAME)
            .field("uri", &self.uri())
            .field("credentials", &self.credentials)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Settings for an [`Emulator`] of vendor `V`, before it starts: the client and the token
/// lifetime here, the vendor's own settings on its builder's page ([`MxoBuilder`](crate::MxoBuilder),
/// [`CloudCxBuilder`](crate::CloudCxBuilder), [`BrightPatternBuilder`](crate::BrightPatternBuilder),
/// [`Rfc6749Builder`](crate::Rfc6749Builder)).
///
/// `Debug` shows the ids and hides the secrets.
#[derive(Clone)]
#[must_use = "call `start` to run the emulator"]
pub struct Builder<V> {
    pub(crate) credentials: Credentials,
    pub(crate) expires_in: u64,
    pub(crate) settings: V,
}

impl<V: Vendor> Default for Builder<V> {
    /// The vendor's defaults.
    fn default() -> Self {
        Self { credentials: V::credentials(), expires_in: V::EXPIRES_IN, settings: V::default() }
    }
}

impl<V: Vendor> Builder<V> {
    /// The client id and secret to accept (for Bright Pattern, the user's login id and API
    /// secret; for MXO, UUIDs by default, as MXO issues them).
    pub fn client(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.set_client(id.into(), secret.into());
        self
    }

    /// The `expires_in` to announce, and how long the API accepts a token. By default the
    /// vendor's documented one: 299 s for MXO, 3599 s for CloudCX and Bright Pattern, 3600 s
    /// for the RFC 6749 server.
    pub fn expires_in(mut self, secs: u64) -> Self {
        self.expires_in = secs;
        self
    }

    /// Starts the emulator.
    ///
    /// # Panics
    /// When oauth-providers makes no profile of the settings (an empty client id; for MXO, an
    /// id with a `:`, which raw Basic cannot carry; for CloudCX, an API key a header cannot
    /// carry): the test fails where it set them up, not at the first `profile()`.
    pub async fn start(mut self) -> Emulator<V> {
        let controls = Controls::start(self.expires_in).await;
        let responder = self.settings.responder(&self.credentials, &controls);
        controls.mount(responder).await;
        let emulator = Emulator { controls, credentials: self.credentials, settings: self.settings };
        V::check(&emulator);
        emulator
    }
}

impl<V: Vendor> fmt::Debug for Builder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("credentials", &self.credentials)
            .field("expires_in", &self.expires_in)
            .field("settings", &self.settings)
            .finish()
    }
}

/// A vendor the testkit emulates: the settings type behind [`Mxo`](crate::Mxo),
/// [`CloudCx`](crate::CloudCx), [`BrightPattern`](crate::BrightPattern) and
/// [`Rfc6749`](crate::Rfc6749), which are [`Emulator`]s of [`MxoSettings`](crate::MxoSettings)
/// and so on.
///
/// Sealed: only this crate's four vendors implement it.
pub trait Vendor: sealed::Emulated {}

impl<V: sealed::Emulated> Vendor for V {}

pub(crate) mod sealed {
    use crate::behaviour::Responder;
    use crate::{Controls, Credentials, Emulator};

    /// What a vendor module gives [`Emulator`]: its defaults, its behaviour on the server, and
    /// the check that its settings make a profile.
    pub trait Emulated: Clone + Default + std::fmt::Debug + Send + Sync + 'static {
        /// The emulator's name in `Debug`.
        const NAME: &'static str;
        /// The `expires_in` announced unless the builder sets another.
        const EXPIRES_IN: u64;
        /// The credentials accepted unless the builder sets others.
        fn credentials() -> Credentials;
        /// The vendor's answers on the server of `controls`, accepting `credentials`; settles
        /// any setting that depends on the server (its address).
        fn responder(&mut self, credentials: &Credentials, controls: &Controls) -> Responder;
        /// Panics when the settings make no profile.
        fn check(emulator: &Emulator<Self>);
    }
}
