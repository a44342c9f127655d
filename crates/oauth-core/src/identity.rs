//! What names the tokens a configuration obtains, and what binds them to its credentials —
//! for any cache or store that keeps tokens beyond one token source (a file between runs, a
//! store a fleet shares).
//!
//! Two configurations with the same [`TokenIdentity`] get interchangeable tokens: same token
//! URL, client, grant and subject, scope and extra parameters. A scope or a parameter that
//! differs is another identity, so a cache keyed by it misses. No secret is part of it. The
//! [`CredentialBinding`] is the secrets themselves, for a keyed fingerprint that ties a stored
//! token to the credentials that obtained it: a process with other credentials (mid-rotation,
//! misconfigured) must not be served it.

use std::fmt;

use crate::{Grant, ParamValue, TokenConfig};

/// The non-secret fields that name a configuration's tokens, in a fixed order, each field
/// `name=value`. Hash [`parts`](Self::parts) (length-prefixed) to make a key.
///
/// # Examples
/// ```
/// use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, Scope, TokenConfig, TokenEndpoint, TokenRequest};
/// let config = |scope: &str, secret: &str| TokenConfig::new(
///     TokenEndpoint::new("https://as.example/token").unwrap(),
///     ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new(secret)),
///     TokenRequest::new(Grant::ClientCredentials).with_scope(Scope::parse(scope).unwrap()),
/// );
/// assert_eq!(config("read", "a").identity(), config("read", "b").identity(), "the secret is not part of it");
/// assert_ne!(config("read", "a").identity(), config("write", "a").identity());
/// assert!(config("read", "s3cr3t").identity().parts().iter().all(|p| !p.contains("s3cr3t")));
/// assert_ne!(config("read", "a").binding(), config("read", "b").binding());
/// assert_eq!(format!("{:?}", config("read", "s3cr3t").binding()), "CredentialBinding { secrets: 1, values: [redacted] }");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenIdentity {
    parts: Vec<String>,
}

impl TokenIdentity {
    /// The fields, `name=value`, in a fixed order.
    #[must_use]
    pub fn parts(&self) -> &[String] {
        &self.parts
    }
}

/// The secrets that obtain a configuration's tokens: the client secret, a digest of the
/// `private_key_jwt` key, or the TLS client certificate's thumbprint, and the grant's own
/// (password, refresh token, secret extension parameters). Compare, or feed to a keyed MAC;
/// never print (its `Debug` shows only how many there are).
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialBinding {
    secrets: Vec<(&'static str, String)>,
}

impl CredentialBinding {
    /// Each secret with the name of what it is, in a fixed order.
    pub fn secrets(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.secrets.iter().map(|(name, value)| (*name, value.as_str()))
    }
}

impl Drop for CredentialBinding {
    fn drop(&mut self) {
        for (_, value) in &mut self.secrets {
            zeroize::Zeroize::zeroize(value);
        }
    }
}

impl fmt::Debug for CredentialBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialBinding")
            .field("secrets", &self.secrets.len())
            .field("values", &format_args!("[redacted]"))
            .finish()
    }
}

impl TokenConfig {
    /// What names this configuration's tokens (no secret in it).
    #[must_use]
    pub fn identity(&self) -> TokenIdentity {
        let request = self.request();
        let mut parts = vec![
            format!("token_url={}", self.endpoint().uri()),
            format!("client_id={}", self.auth().client_id().as_str()),
            format!("grant_type={}", request.grant().grant_type()),
        ];
        match request.grant() {
            Grant::Password { username, .. } => parts.push(format!("username={}", username.as_str())),
            Grant::Extension { params, .. } => parts.extend(plain_params("grant.", params.iter())),
            _ => {}
        }
        parts.push(format!("scope={}", request.scope().as_str()));
        parts.extend(plain_params("", request.params().iter()));
        TokenIdentity { parts }
    }

    /// The secrets that obtain this configuration's tokens.
    #[must_use]
    pub fn binding(&self) -> CredentialBinding {
        let mut secrets = Vec::new();
        if let Some(secret) = self.auth().client_secret() {
            secrets.push(("client_secret", secret.secret().to_owned()));
        }
        if let Some(key) = self.auth().assertion_key() {
            secrets.push(("assertion_key", key.fingerprint()));
        }
        if let Some(thumbprint) = self.auth().client_certificate_thumbprint() {
            secrets.push(("client_certificate", thumbprint.to_owned()));
        }
        match self.request().grant() {
            Grant::Password { password, .. } => secrets.push(("password", password.secret().to_owned())),
            Grant::RefreshToken { refresh_token } => secrets.push(("refresh_token", refresh_token.secret().to_owned())),
            Grant::Extension { params, .. } => secrets.extend(secret_params(params.iter())),
            _ => {}
        }
        secrets.extend(secret_params(self.request().params().iter()));
        CredentialBinding { secrets }
    }
}

fn plain_params<'a>(
    prefix: &'a str,
    params: impl Iterator<Item = (&'a str, &'a ParamValue)> + 'a,
) -> impl Iterator<Item = String> + 'a {
    params.map(move |(name, value)| match value {
        ParamValue::Plain(text) => format!("{prefix}{name}={text}"),
        // A secret parameter's name says the request carries one; its value is the binding's.
        _ => format!("{prefix}{name}=[secret]"),
    })
}

fn secret_params<'a>(params: impl Iterator<Item = (&'a str, &'a ParamValue)>) -> Vec<(&'static str, String)> {
    params
        .filter_map(|(_, value)| match value {
            ParamValue::Secret(secret) => Some(("param", secret.secret().to_owned())),
            _ => None,
        })
        .collect()
}
