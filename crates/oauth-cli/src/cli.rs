//! The command line: every subcommand, flag and environment variable, with `--help` examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  ok
  1  the API answered an HTTP error (>= 400) or a CloudCX error envelope
  2  usage: a bad flag, profile, config file, secret file or URL
  3  the authorization server refused (its `error` and `error_description` are shown)
  4  network or transport: connection refused, timeout, TLS, a redirect refused";

/// Get an OAuth 2.0 access token, or call an API with one — for Thunderhead MXO, CloudCX,
/// Bright Pattern and any RFC 6749 server, with each vendor's quirks built in.
#[derive(Debug, Parser)]
#[command(name = "oauth", version, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print an access token.
    #[command(after_long_help = concat!("\
Examples:
  # MXO, the secret in OAUTH_CLIENT_SECRET
  oauth token --provider mxo --server eu2 --client-id 2e8fec0e-34fb-4851-800e-9989331e55d2
  # a profile from the config file, as a header for curl
  curl -H \"$(oauth token prod-mxo --format header)\" https://eu2.thunderhead.com/...
  # any RFC 6749 server
  oauth token --token-url https://as.example/token --client-id app --scope 'read write' --format json
  # the token URL from the server's published metadata
  oauth token --issuer https://login.example.com --client-id app
  # no secret on the wire: a signed assertion (private_key_jwt), or a TLS client certificate
  oauth token --token-url https://as.example/token --client-id app --private-key-file key.pem --key-id 2026-11
  oauth token --token-url https://mtls.as.example/token --client-id app --auth tls-client-auth --client-cert-file client.pem
  # CloudCX with an API key (no exchange)
  OAUTH_API_KEY=... oauth token --provider cloudcx --domain cx.example.com

", "Exit codes: 0 ok, 2 usage, 3 the authorization server refused, 4 network or transport."))]
    Token(TokenArgs),
    /// Call an API with a token: prints the body (pretty when it is JSON).
    #[command(after_long_help = concat!("\
Examples:
  # MXO's Interaction API on the profile's host, the body from a file
  oauth call -p prod-mxo POST '/one/oauth2/rt/api/2.0/interaction?sk=ONE-ABC' --data @interaction.json
  # a path is taken on the profile's API host
  oauth call -p cx '/openapi/v2/user/page?pageIndex=1&pageSize=25'
  # the body from stdin
  echo '{\"firstName\":\"Ana\"}' | oauth call -p bp PUT /configapi/v2/user/ana --data -

A refused token (by the provider's rule) is replaced once and the call sent again.

", "Exit codes: 0 ok, 1 the API answered >= 400 or a CloudCX error envelope, 2 usage,
3 the authorization server refused, 4 network or transport."))]
    Call(CallArgs),
    /// Sign in as a person (authorization code + PKCE, redirect to 127.0.0.1) and print the token.
    #[command(after_long_help = concat!("\
Examples:
  oauth login --authorize-url https://login.example.com/authorize --token-url https://login.example.com/token \\
      --client-id native-app --scope 'openid offline_access' --format json --show-refresh-token
  # a confidential client: its secret in OAUTH_CLIENT_SECRET
  oauth login --authorize-url … --token-url … --client-id web-app --no-browser

Register http://127.0.0.1/callback (any port, RFC 8252) as the client's redirect URI, or pass --port.

", "Exit codes: 0 ok, 2 usage, 3 the sign-in or the code was refused, 4 network or transport."))]
    Login(LoginArgs),
    /// Sign in on another device (RFC 8628): prints a URL and a code, waits, prints the token.
    #[command(after_long_help = concat!("\
Examples:
  oauth device --issuer https://login.example.com --client-id tv-app --scope 'openid offline_access'
  oauth device --device-url https://as.example/device_authorization --token-url https://as.example/token --client-id tv-app

", "Exit codes: 0 ok, 2 usage, 3 denied, expired or refused, 4 network or transport."))]
    Device(DeviceArgs),
    /// Revoke a token (RFC 7009); the token from OAUTH_TOKEN or --token-file.
    #[command(
        after_long_help = "Examples:\n  OAUTH_TOKEN=… oauth revoke --issuer https://login.example.com --client-id app --hint refresh-token\n  oauth token -p prod --format token | oauth revoke --endpoint https://as.example/revoke --client-id app --token-file -\n\nExit codes: 0 revoked, 2 usage, 3 refused, 4 network or transport."
    )]
    Revoke(TokenAdminArgs),
    /// Ask the server about a token (RFC 7662): active, scope, expiry, subject, as JSON.
    #[command(
        after_long_help = "Examples:\n  OAUTH_TOKEN=… oauth introspect --issuer https://login.example.com --client-id api\n\nExit codes: 0 answered (active or not), 2 usage, 3 refused, 4 network or transport."
    )]
    Introspect(TokenAdminArgs),
    /// Print what an authorization server publishes about itself (RFC 8414 / OpenID Connect).
    #[command(
        after_long_help = "Examples:\n  oauth discover https://login.example.com\n  oauth discover https://login.example.com/tenant-a\n\nThe document's `issuer` must be the one asked for (the mix-up defence).\nExit codes: 0 ok, 2 usage, 3 no or a wrong document, 4 network or transport."
    )]
    Discover {
        /// The issuer, as the server names itself.
        #[arg(id = "issuer_url", value_name = "ISSUER")]
        issuer: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Run every vendor's flow against emulators in this process: no account, no network.
    #[cfg(feature = "demo")]
    #[command(after_long_help = "Example:\n  oauth demo")]
    Demo,
    /// List the profiles in the config file (never their secrets).
    #[command(after_long_help = "Example:\n  oauth profiles\n  oauth profiles --config ./oauth.toml")]
    Profiles {
        /// The config file [default: the platform's config dir, `oauth-stack/config.toml`].
        #[arg(long, env = "OAUTH_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print a shell completion script.
    #[command(
        after_long_help = "Examples:\n  oauth completions bash > ~/.local/share/bash-completion/completions/oauth\n  oauth completions zsh > \"${fpath[1]}/_oauth\"\n  oauth completions fish > ~/.config/fish/completions/oauth.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// A profile from the config file; flags override its settings.
    #[arg(value_name = "PROFILE", conflicts_with = "profile")]
    pub(crate) profile_name: Option<String>,
    #[command(flatten)]
    pub(crate) output: TokenOutput,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The authorization endpoint.
    #[arg(long, value_name = "URL", required_unless_present = "issuer", conflicts_with = "issuer")]
    pub(crate) authorize_url: Option<String>,
    /// The port to receive the redirect on [default: any free port].
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// How long to wait for the sign-in, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub(crate) wait: u64,
    /// Print the URL only; do not open a browser.
    #[arg(long)]
    pub(crate) no_browser: bool,
    #[command(flatten)]
    pub(crate) output: TokenOutput,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

#[derive(Debug, Args)]
pub(crate) struct DeviceArgs {
    /// The device authorization endpoint.
    #[arg(long, value_name = "URL", conflicts_with = "issuer")]
    pub(crate) device_url: Option<String>,
    #[command(flatten)]
    pub(crate) output: TokenOutput,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

#[derive(Debug, Args)]
pub(crate) struct TokenAdminArgs {
    /// The revocation or introspection endpoint.
    #[arg(long, value_name = "URL", conflicts_with = "issuer")]
    pub(crate) endpoint: Option<String>,
    /// Read the token from this file (`-`: stdin) instead of OAUTH_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// What kind of token it is.
    #[arg(long, value_enum)]
    pub(crate) hint: Option<TokenHint>,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenHint {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// `[METHOD] URL`: the method (default GET, or POST with `--data`), then the URL — or a path
    /// starting with `/`, taken on the profile's API host.
    #[arg(value_name = "METHOD] [URL", num_args = 1..=2, required = true)]
    pub(crate) target: Vec<String>,
    /// The request body: `@file`, `-` for stdin, or the text itself.
    #[arg(short = 'd', long, value_name = "@FILE|-|TEXT")]
    pub(crate) data: Option<String>,
    /// A request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub(crate) headers: Vec<String>,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

/// How a command prints the token it got: shared by `token`, `login` and `device`.
#[derive(Debug, Args)]
pub(crate) struct TokenOutput {
    /// How to print the token.
    #[arg(long, value_enum, default_value_t = Format::Token)]
    pub(crate) format: Format,
    /// Include the refresh token in `--format json`.
    #[arg(long)]
    pub(crate) show_refresh_token: bool,
}

/// Which server, which client, which secrets: shared by `token` and `call`.
#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// A profile from the config file; flags override its settings.
    #[arg(short = 'p', long, env = "OAUTH_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// The config file [default: the platform's config dir, `oauth-stack/config.toml`].
    #[arg(long, env = "OAUTH_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The provider [default: rfc6749].
    #[arg(long, value_enum, env = "OAUTH_PROVIDER")]
    pub(crate) provider: Option<Provider>,
    /// The token URL, for any provider (a vendor profile keeps its other settings).
    #[arg(long, env = "OAUTH_TOKEN_URL", value_name = "URL")]
    pub(crate) token_url: Option<String>,
    /// Take the endpoints from this issuer's published metadata (RFC 8414 / OpenID Connect;
    /// its mutual-TLS aliases for a client presenting a certificate), and check the `iss` a
    /// sign-in redirect carries (RFC 9207). Wins over --token-url and OAUTH_TOKEN_URL.
    #[arg(long, value_name = "ISSUER")]
    pub(crate) issuer: Option<String>,
    /// MXO: the server name (`eu2`, `na5`, …), a host, or a base URL.
    #[arg(long, value_name = "NAME")]
    pub(crate) server: Option<String>,
    /// CloudCX: the Control Panel host with its port (`cx.example.com:9001`).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub(crate) domain: Option<String>,
    /// Bright Pattern: the host that serves the token endpoint.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub(crate) host: Option<String>,
    /// Bright Pattern: the tenant, sent as `scope` [default: the host].
    #[arg(long, value_name = "TENANT")]
    pub(crate) tenant: Option<String>,
    /// Client authentication (rfc6749 only; the vendors' are fixed by their documentation).
    #[arg(long, value_enum)]
    pub(crate) auth: Option<AuthChoice>,
    /// The grant, where the provider allows a choice.
    #[arg(long, value_enum)]
    pub(crate) grant: Option<GrantChoice>,
    /// Scope to ask for (repeatable, or space-separated).
    #[arg(long, env = "OAUTH_SCOPE", value_name = "SCOPE")]
    pub(crate) scope: Vec<String>,
    /// The client id (the login id for Bright Pattern).
    #[arg(long, env = "OAUTH_CLIENT_ID", value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// The resource owner's username (password grant).
    #[arg(long, env = "OAUTH_USERNAME", value_name = "NAME")]
    pub(crate) username: Option<String>,
    /// Read the client secret from this file (owner-only permissions) [or OAUTH_CLIENT_SECRET].
    #[arg(long, value_name = "FILE")]
    pub(crate) client_secret_file: Option<PathBuf>,
    /// Read the password from this file (owner-only permissions) [or OAUTH_PASSWORD].
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// Read the API key from this file (owner-only permissions) [or OAUTH_API_KEY].
    #[arg(long, value_name = "FILE")]
    pub(crate) api_key_file: Option<PathBuf>,
    /// private_key_jwt: sign client assertions with this PEM key, RSA, P-256 or Ed25519
    /// (owner-only permissions) [or OAUTH_PRIVATE_KEY].
    #[arg(long, value_name = "FILE")]
    pub(crate) private_key_file: Option<PathBuf>,
    /// The `kid` the server knows the private key by.
    #[arg(long, value_name = "KID")]
    pub(crate) key_id: Option<String>,
    /// The client assertions' `aud` [default: the URL each request goes to — the token URL for
    /// tokens; some servers want the issuer everywhere].
    #[arg(long, value_name = "URL")]
    pub(crate) assertion_audience: Option<String>,
    /// Present this client certificate (PEM, the chain after it) in TLS: mutual-TLS client
    /// authentication, certificate-bound tokens.
    #[arg(long, value_name = "FILE")]
    pub(crate) client_cert_file: Option<PathBuf>,
    /// The client certificate's key (PEM, owner-only permissions), when not in the certificate
    /// file [or OAUTH_CLIENT_KEY].
    #[arg(long, value_name = "FILE")]
    pub(crate) client_key_file: Option<PathBuf>,
    /// Trust only the CA certificates in this PEM file (as curl's --cacert), for servers
    /// behind a private CA.
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<PathBuf>,
    /// Allow plain http to a host that is not loopback (credentials travel in clear text).
    #[arg(long)]
    pub(crate) allow_http: bool,
    /// Give up on the token endpoint, retries included, and on each API call after this many
    /// seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,
    /// Neither read nor write the token cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Print the redacted exchange on stderr, like `curl -v`.
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The access token alone.
    Token,
    /// `Authorization: Bearer …`, ready for `curl -H`.
    Header,
    /// access_token, token_type, expires_in, expires_at (RFC 3339), scope.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Provider {
    /// Any RFC 6749 server (`--token-url`).
    Rfc6749,
    /// Thunderhead / Medallia MXO (`--server`).
    Mxo,
    /// CloudCX (`--domain`).
    #[value(name = "cloudcx")]
    #[serde(rename = "cloudcx")]
    CloudCx,
    /// Bright Pattern (`--host`, `--tenant`).
    BrightPattern,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum AuthChoice {
    /// Percent-encoded Basic, then raw Basic, then the body, as the server accepts.
    Auto,
    /// `Authorization: Basic` with the id and secret percent-encoded (RFC 6749 §2.3.1).
    Basic,
    /// `Authorization: Basic` with the id and secret as they are (RFC 7617).
    RawBasic,
    /// `client_id` and `client_secret` in the body.
    Post,
    /// A JWT signed with the client secret (HS256), fresh for each request.
    ClientSecretJwt,
    /// A JWT signed with `--private-key-file`, fresh for each request.
    PrivateKeyJwt,
    /// The `--client-cert-file` certificate, issued by a CA the server trusts (RFC 8705).
    TlsClientAuth,
    /// The `--client-cert-file` certificate, self-signed and registered with the server.
    SelfSignedTlsClientAuth,
}

impl AuthChoice {
    /// The value as written on the command line (`basic`, `private-key-jwt`, …).
    pub(crate) fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self).map(|value| value.get_name().to_owned()).unwrap_or_default()
    }

    /// The one method chosen, or `None` for `auto`.
    pub(crate) fn method(self) -> Option<oauth_core::AuthMethod> {
        use oauth_core::{AuthMethod, BasicEncoding};
        Some(match self {
            Self::Auto => return None,
            Self::Basic => AuthMethod::Basic(BasicEncoding::Percent),
            Self::RawBasic => AuthMethod::Basic(BasicEncoding::Raw),
            Self::Post => AuthMethod::Post,
            Self::ClientSecretJwt => AuthMethod::ClientSecretJwt,
            Self::PrivateKeyJwt => AuthMethod::PrivateKeyJwt,
            Self::TlsClientAuth => AuthMethod::TlsClientAuth,
            Self::SelfSignedTlsClientAuth => AuthMethod::SelfSignedTlsClientAuth,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GrantChoice {
    /// client_credentials.
    ClientCredentials,
    /// password (`--username`, OAUTH_PASSWORD).
    Password,
    /// refresh_token (OAUTH_REFRESH_TOKEN).
    RefreshToken,
}

impl Provider {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Rfc6749 => "rfc6749",
            Self::Mxo => "mxo",
            Self::CloudCx => "cloudcx",
            Self::BrightPattern => "bright-pattern",
        }
    }
}

impl GrantChoice {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client-credentials",
            Self::Password => "password",
            Self::RefreshToken => "refresh-token",
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap's own checks of the whole command (unique names, valid conflicts, …), which it
    /// otherwise runs only when a command is parsed in a debug build.
    #[test]
    fn the_command_line_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
