//! Flags, environment and a config profile merged into one oauth-providers `Profile`.
//!
//! Flags (and their variables) override the profile's settings; secrets come from the flag's
//! file, then the profile's reference, then the generic `OAUTH_*` variable, then a prompt.

use oauth_core::{AuthMethod, Grant, Password, RefreshToken, Scope, Username};
use oauth_providers::{Profile, ProfileError, bright_pattern, cloudcx, mxo, rfc6749};

use crate::cli::{AuthChoice, Connection, GrantChoice, Provider};
use crate::config::{self, ProfileConfig};
use crate::credentials::{self, KeySettings, Proof};
use crate::failure::Failure;
use crate::secrets::{self, Kind, Layer, Sources};
use crate::tls::TlsSettings;

/// What a command needs to get a token: the profile, and what identifies its credentials.
pub(crate) struct Resolved {
    pub(crate) profile: Profile,
    pub(crate) provider: Provider,
    /// The client certificate every request of the command presents, and the CAs it trusts.
    pub(crate) tls: TlsSettings,
}

/// Merges `flags` with the named profile (`positional` beats `--profile`) and builds it; an
/// `--issuer` (or the profile's `issuer`) gives the token URL through discovery.
pub(crate) async fn resolve(flags: &Connection, positional: Option<&str>) -> Result<Resolved, Failure> {
    let name = positional.map(str::to_owned).or_else(|| flags.profile.clone());
    let file = match &name {
        Some(name) => {
            let (config, path) = config::load(flags.config.as_deref())?;
            config.profile(name, path.as_deref())?.clone()
        }
        None => ProfileConfig::default(),
    };
    let mut merged = Merged::new(flags, file);
    let in_profile = |failure: Failure| match &name {
        Some(name) => Failure::usage(format!("profile `{name}`: {failure}")),
        None => failure,
    };
    let tls = TlsSettings::read(
        merged.client_cert_file.as_deref(),
        merged.sources(Kind::ClientKey),
        merged.cacert.as_deref(),
    )
    .map_err(in_profile)?;
    if let Some(issuer) = merged.issuer.clone() {
        merged.token_url = Some(discovered_token_url(&issuer, &merged, flags, &tls).await.map_err(in_profile)?);
    }
    let profile = build(&merged, tls.certificate_der.as_deref()).map_err(in_profile)?;
    Ok(Resolved { profile, provider: merged.provider, tls })
}

/// The token endpoint `issuer` publishes, fetched with the merged settings (`allow_http`, the
/// certificate and CAs) — its mutual-TLS alias when the client presents a certificate.
async fn discovered_token_url(
    issuer: &str,
    m: &Merged,
    flags: &Connection,
    tls: &TlsSettings,
) -> Result<String, Failure> {
    if m.provider != Provider::Rfc6749 {
        return Err(Failure::usage(format!(
            "--issuer applies to --provider rfc6749; {} has its token URL from its own settings",
            m.provider.name()
        )));
    }
    let transport = crate::client::transport(tls, flags.timeout, flags.verbose)?;
    let metadata = crate::client::discover(issuer, m.allow_http, &transport).await?;
    let certificate = tls.identity.is_some()
        || matches!(m.auth, Some((AuthChoice::TlsClientAuth | AuthChoice::SelfSignedTlsClientAuth, _)));
    let token = metadata.endpoint_for("token_endpoint", certificate);
    token.map(ToString::to_string).ok_or_else(|| Failure::refused(format!("{issuer} publishes no token endpoint")))
}

/// Each setting once: the flag's value, else the profile's.
struct Merged {
    provider: Provider,
    token_url: Option<String>,
    issuer: Option<String>,
    server: Option<String>,
    domain: Option<String>,
    host: Option<String>,
    tenant: Option<String>,
    /// `--auth`, else the profile's `auth`, with where it came from.
    auth: Option<(AuthChoice, Layer)>,
    grant: Option<GrantChoice>,
    scope: Vec<String>,
    client_id: Option<String>,
    username: Option<String>,
    allow_http: bool,
    key_id: Option<String>,
    assertion_audience: Option<String>,
    client_cert_file: Option<std::path::PathBuf>,
    cacert: Option<std::path::PathBuf>,
    secret_sources: [(Kind, Sources); 6],
}

impl Merged {
    fn new(flags: &Connection, file: ProfileConfig) -> Self {
        let pick = |flag: &Option<String>, file: Option<String>| flag.clone().or(file);
        // The server, layer by layer: an issuer wins over a token URL in the same layer (a URL in
        // OAUTH_TOKEN_URL does not stop an --issuer), and the command line over the profile.
        let (issuer, token_url) = match (&flags.issuer, &flags.token_url) {
            (Some(issuer), _) => (Some(issuer.clone()), None),
            (None, Some(url)) => (None, Some(url.clone())),
            (None, None) if file.issuer.is_some() => (file.issuer.clone(), None),
            (None, None) => (None, file.token_url.clone()),
        };
        let scope = if flags.scope.is_empty() {
            file.scope.map(config::Scopes::into_list).unwrap_or_default()
        } else {
            flags.scope.clone()
        };
        Self {
            provider: flags.provider.or(file.provider).unwrap_or(Provider::Rfc6749),
            token_url,
            issuer,
            server: pick(&flags.server, file.server),
            domain: pick(&flags.domain, file.domain),
            host: pick(&flags.host, file.host),
            tenant: pick(&flags.tenant, file.tenant),
            auth: flags
                .auth
                .map(|choice| (choice, Layer::CommandLine))
                .or(file.auth.map(|choice| (choice, Layer::Profile))),
            grant: flags.grant.or(file.grant),
            scope,
            client_id: pick(&flags.client_id, file.client_id),
            username: pick(&flags.username, file.username),
            allow_http: flags.allow_http || file.allow_http,
            key_id: pick(&flags.key_id, file.key_id),
            assertion_audience: pick(&flags.assertion_audience, file.assertion_audience),
            client_cert_file: flags.client_cert_file.clone().or(file.client_cert_file),
            cacert: flags.cacert.clone().or(file.cacert),
            secret_sources: [
                (
                    Kind::ClientSecret,
                    Sources {
                        flag_file: flags.client_secret_file.clone(),
                        profile_file: file.client_secret_file,
                        profile_env: file.client_secret_env,
                    },
                ),
                (
                    Kind::Password,
                    Sources {
                        flag_file: flags.password_file.clone(),
                        profile_file: file.password_file,
                        profile_env: file.password_env,
                    },
                ),
                (
                    Kind::ApiKey,
                    Sources {
                        flag_file: flags.api_key_file.clone(),
                        profile_file: file.api_key_file,
                        profile_env: file.api_key_env,
                    },
                ),
                (
                    Kind::RefreshToken,
                    Sources {
                        flag_file: None,
                        profile_file: file.refresh_token_file,
                        profile_env: file.refresh_token_env,
                    },
                ),
                (
                    Kind::PrivateKey,
                    Sources {
                        flag_file: flags.private_key_file.clone(),
                        profile_file: file.private_key_file,
                        profile_env: file.private_key_env,
                    },
                ),
                (
                    Kind::ClientKey,
                    Sources {
                        flag_file: flags.client_key_file.clone(),
                        profile_file: file.client_key_file,
                        profile_env: file.client_key_env,
                    },
                ),
            ],
        }
    }

    fn sources(&self, kind: Kind) -> &Sources {
        // Invariant: the array holds every kind.
        &self.secret_sources.iter().find(|(k, _)| *k == kind).expect("every kind has sources").1
    }

    fn required(&self, value: Option<&String>, flag: &str, what: &str) -> Result<String, Failure> {
        value.cloned().ok_or_else(|| Failure::usage(format!("{} needs {flag} ({what})", self.provider.name())))
    }

    /// The vendor's host flag, or the token URL's origin when only that was given.
    fn host_or_token_origin(&self, host: Option<&String>, flag: &str, what: &str) -> Result<String, Failure> {
        if let Some(host) = host {
            return Ok(host.clone());
        }
        match self.token_url.as_deref().and_then(origin_of) {
            Some(origin) => Ok(origin),
            None => self.required(None, flag, what),
        }
    }

    fn scope(&self) -> Result<Scope, Failure> {
        Scope::parse(&self.scope.join(" ")).map_err(|error| Failure::usage(format!("--scope: {error}")))
    }
}

/// `scheme://authority` of a URL, to stand for a vendor host.
fn origin_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

/// A flag that belongs to another provider is an error, not silently dropped.
fn refuse_foreign_flags(m: &Merged) -> Result<(), Failure> {
    let owned: [(&str, bool, Provider); 4] = [
        ("--server", m.server.is_some(), Provider::Mxo),
        ("--domain", m.domain.is_some(), Provider::CloudCx),
        ("--host", m.host.is_some(), Provider::BrightPattern),
        ("--tenant", m.tenant.is_some(), Provider::BrightPattern),
    ];
    if let Some((flag, _, owner)) = owned.iter().find(|(_, given, owner)| *given && *owner != m.provider) {
        return Err(Failure::usage(format!(
            "{flag} applies to --provider {}, not {}",
            owner.name(),
            m.provider.name()
        )));
    }
    if !m.scope.is_empty() && matches!(m.provider, Provider::Mxo | Provider::CloudCx) {
        return Err(Failure::usage(format!(
            "--scope: {} asks for no scope; its tokens carry what the client may do",
            m.provider.name()
        )));
    }
    Ok(())
}

fn build(m: &Merged, certificate_der: Option<&[u8]>) -> Result<Profile, Failure> {
    refuse_foreign_flags(m)?;
    let key = m.sources(Kind::PrivateKey);
    let key_given = key.flag_file.is_some() || key.profile_file.is_some() || key.profile_env.is_some();
    let client_auth_flag = [
        (m.auth.is_some(), "--auth"),
        (key_given, "--private-key-file"),
        (m.assertion_audience.is_some(), "--assertion-audience"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag));
    if let Some(flag) = client_auth_flag.filter(|_| m.provider != Provider::Rfc6749) {
        return Err(Failure::usage(format!(
            "{flag} applies to --provider rfc6749; {} authenticates its clients as its documentation says",
            m.provider.name()
        )));
    }
    let allowed: &[GrantChoice] = match m.provider {
        Provider::Rfc6749 => &[GrantChoice::ClientCredentials, GrantChoice::Password, GrantChoice::RefreshToken],
        Provider::Mxo | Provider::BrightPattern => &[GrantChoice::ClientCredentials],
        Provider::CloudCx => &[GrantChoice::Password],
    };
    if let Some(grant) = m.grant.filter(|g| !allowed.contains(g)) {
        let names: Vec<&str> = allowed.iter().map(|g| g.name()).collect();
        return Err(Failure::usage(format!(
            "{} has no --grant {}; it takes {}",
            m.provider.name(),
            grant.name(),
            names.join(", ")
        )));
    }
    let profile = match m.provider {
        Provider::Rfc6749 => build_rfc6749(m, certificate_der)?,
        Provider::Mxo => {
            let server = m.host_or_token_origin(m.server.as_ref(), "--server", "a server name like eu2, or a host")?;
            let id = m.required(m.client_id.as_ref(), "--client-id", "or OAUTH_CLIENT_ID")?;
            let secret = secrets::require(Kind::ClientSecret, m.sources(Kind::ClientSecret))?;
            profile_result(mxo::profile(&server, id, secret.as_str()), m)?
        }
        Provider::CloudCx => {
            let domain = m.host_or_token_origin(
                m.domain.as_ref(),
                "--domain",
                "the Control Panel host, like cx.example.com:9001",
            )?;
            if let Some(key) = secrets::find(Kind::ApiKey, m.sources(Kind::ApiKey))? {
                if m.token_url.is_some() {
                    return Err(Failure::usage("an API key exchanges no token: drop --token-url"));
                }
                return profile_result(cloudcx::api_key(&domain, key.as_str()), m);
            }
            let id = m.required(
                m.client_id.as_ref(),
                "--client-id",
                "or OAUTH_CLIENT_ID; or give an API key in OAUTH_API_KEY",
            )?;
            let user = m.required(m.username.as_ref(), "--username", "or OAUTH_USERNAME")?;
            let secret = secrets::require(Kind::ClientSecret, m.sources(Kind::ClientSecret))?;
            let password = secrets::require(Kind::Password, m.sources(Kind::Password))?;
            let mut builder =
                cloudcx::PasswordProfile::new(domain, id, secret.as_str(), user.clone(), password.as_str());
            if m.allow_http {
                builder = builder.allow_http();
            }
            profile_result(builder.build(), m)?
        }
        Provider::BrightPattern => {
            let host = m.host_or_token_origin(m.host.as_ref(), "--host", "the tenant's host")?;
            let id = m.required(m.client_id.as_ref(), "--client-id", "the user's login id, or OAUTH_CLIENT_ID")?;
            let secret = secrets::require(Kind::ClientSecret, m.sources(Kind::ClientSecret))?;
            let mut builder = bright_pattern::TenantProfile::new(host, id, secret.as_str());
            match (&m.tenant, m.scope.is_empty()) {
                (Some(tenant), _) => builder = builder.scope(tenant.clone()),
                (None, false) => builder = builder.scope(m.scope.join(" ")),
                (None, true) => {}
            }
            if m.allow_http {
                builder = builder.allow_http();
            }
            profile_result(builder.build(), m)?
        }
    };
    let profile = match (&m.token_url, m.provider) {
        (Some(url), provider) if provider != Provider::Rfc6749 => {
            let moved =
                if m.allow_http { profile.with_token_url_allowing_http(url) } else { profile.with_token_url(url) };
            profile_result(moved, m)?
        }
        _ => profile,
    };
    Ok(profile)
}

fn build_rfc6749(m: &Merged, certificate_der: Option<&[u8]>) -> Result<Profile, Failure> {
    let url = m.required(m.token_url.as_ref(), "--token-url", "or OAUTH_TOKEN_URL; or choose a --provider")?;
    let id = m.required(m.client_id.as_ref(), "--client-id", "or OAUTH_CLIENT_ID")?;
    let mut builder = rfc6749::Builder::new(url).scope(m.scope()?);
    let settings = KeySettings {
        auth: m.auth,
        private_key: m.sources(Kind::PrivateKey),
        key_id: m.key_id.as_deref(),
        client_cert_file: m.client_cert_file.as_deref(),
        secret_configured: secrets::layer(Kind::ClientSecret, m.sources(Kind::ClientSecret)).is_some(),
    };
    builder = match credentials::choose(&settings)? {
        Proof::PrivateKey(key) => builder.private_key_jwt(id, key),
        Proof::Certificate(method) => builder.tls_client(id, method),
        Proof::Secret(method) => {
            builder = match secrets::find(Kind::ClientSecret, m.sources(Kind::ClientSecret))? {
                Some(secret) => builder.client(id, secret.as_str()),
                // A public client: its id in the body, no secret (password and refresh grants allow it).
                None if m.grant.is_some_and(|g| g != GrantChoice::ClientCredentials)
                    && method != Some(AuthMethod::ClientSecretJwt) =>
                {
                    builder.public_client(id)
                }
                None => {
                    let secret = secrets::require(Kind::ClientSecret, m.sources(Kind::ClientSecret))?;
                    builder.client(id, secret.as_str())
                }
            };
            match method {
                Some(method) => builder.auth_method(method),
                None => builder,
            }
        }
    };
    if let Some(audience) = &m.assertion_audience {
        builder = builder.assertion_audience(audience);
    }
    if let Some(der) = certificate_der {
        builder = builder.client_certificate(der.to_vec());
    }
    builder = match m.grant.unwrap_or(GrantChoice::ClientCredentials) {
        GrantChoice::ClientCredentials => builder,
        GrantChoice::Password => {
            let user = m.required(m.username.as_ref(), "--username", "or OAUTH_USERNAME, for the password grant")?;
            let password = secrets::require(Kind::Password, m.sources(Kind::Password))?;
            builder.grant(Grant::Password { username: Username::new(user), password: Password::new(password.as_str()) })
        }
        GrantChoice::RefreshToken => {
            let token = secrets::require(Kind::RefreshToken, m.sources(Kind::RefreshToken))?;
            builder.grant(Grant::RefreshToken { refresh_token: RefreshToken::new(token.as_str()) })
        }
    };
    if m.allow_http {
        builder = builder.allow_http();
    }
    profile_result(builder.build(), m)
}

/// A profile error as a usage failure; plain http names this command's flag.
fn profile_result(result: Result<Profile, ProfileError>, m: &Merged) -> Result<Profile, Failure> {
    result.map_err(|error| match error {
        ProfileError::InsecureHttp { url } if !m.allow_http => Failure::usage(format!(
            "`{url}` is plain http to a host that is not loopback, so credentials would travel in clear text; add --allow-http to send them anyway"
        )),
        other => Failure::usage(other.to_string()),
    })
}
