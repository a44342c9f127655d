//! The TLS crypto provider this crate's clients use, chosen by cargo feature.

/// Makes this crate's TLS crypto provider the process's default, unless one is set already.
///
/// Under the default `ring` feature reqwest is built without a provider of its own, so a
/// `reqwest::Client` needs a process default before it is built. This crate's constructors
/// ([`ReqwestTransport`](crate::ReqwestTransport), [`token_source`](crate::token_source)) call
/// this first; call it yourself at the start of `main` if you build a `reqwest::Client` of
/// your own before any of ours. Under the `aws-lc-rs` feature (reqwest's own default provider)
/// and with a provider already installed, it does nothing. Calling it again is harmless.
///
/// # Examples
/// ```
/// oauth_reqwest::install_crypto_provider();
/// let api = reqwest::Client::new(); // TLS ready, whichever provider feature is on
/// # drop(api);
/// ```
pub fn install_crypto_provider() {
    #[cfg(feature = "ring")]
    {
        // `Err` means a provider was installed first (by the application, or a racing call):
        // that one stays, as intended.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
