//! Where secrets come from — never the command line: a file only its owner can read, an
//! environment variable, or a hidden prompt on a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// One kind of secret, with the names a person uses for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    ClientSecret,
    Password,
    ApiKey,
    RefreshToken,
    /// The `private_key_jwt` signing key (PEM).
    PrivateKey,
    /// The key of the TLS client certificate (PEM).
    ClientKey,
}

impl Kind {
    /// The generic environment variable.
    pub(crate) fn env_var(self) -> &'static str {
        match self {
            Self::ClientSecret => "OAUTH_CLIENT_SECRET",
            Self::Password => "OAUTH_PASSWORD",
            Self::ApiKey => "OAUTH_API_KEY",
            Self::RefreshToken => "OAUTH_REFRESH_TOKEN",
            Self::PrivateKey => "OAUTH_PRIVATE_KEY",
            Self::ClientKey => "OAUTH_CLIENT_KEY",
        }
    }

    /// The flag that names a file (none for a refresh token: it comes from the environment).
    pub(crate) fn file_flag(self) -> Option<&'static str> {
        match self {
            Self::ClientSecret => Some("--client-secret-file"),
            Self::Password => Some("--password-file"),
            Self::ApiKey => Some("--api-key-file"),
            Self::RefreshToken => None,
            Self::PrivateKey => Some("--private-key-file"),
            Self::ClientKey => Some("--client-key-file"),
        }
    }

    /// The key of a config profile's file and variable references, without `_file`/`_env`.
    pub(crate) fn config_key(self) -> &'static str {
        match self {
            Self::ClientSecret => "client_secret",
            Self::Password => "password",
            Self::ApiKey => "api_key",
            Self::RefreshToken => "refresh_token",
            Self::PrivateKey => "private_key",
            Self::ClientKey => "client_key",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::ClientSecret => "client secret",
            Self::Password => "password",
            Self::ApiKey => "API key",
            Self::RefreshToken => "refresh token",
            Self::PrivateKey => "private key",
            Self::ClientKey => "client certificate's key",
        }
    }
}

/// Where a setting came from, nearest first: a nearer layer wins over a farther one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Layer {
    /// A flag (or its own variable).
    CommandLine,
    /// The named profile of the config file.
    Profile,
    /// A generic `OAUTH_*` variable.
    Environment,
}

impl Layer {
    /// The layer, as an error names it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::CommandLine => "the command line",
            Self::Profile => "the profile",
            Self::Environment => "the environment",
        }
    }
}

/// The nearest layer that sets `kind`, without reading it; `None` when none does.
pub(crate) fn layer(kind: Kind, sources: &Sources) -> Option<Layer> {
    if sources.flag_file.is_some() {
        Some(Layer::CommandLine)
    } else if sources.profile_file.is_some() || sources.profile_env.is_some() {
        Some(Layer::Profile)
    } else if std::env::var_os(kind.env_var()).is_some_and(|value| !value.is_empty()) {
        Some(Layer::Environment)
    } else {
        None
    }
}

/// Where one secret may be found, in the order tried.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sources {
    /// `--…-file`.
    pub(crate) flag_file: Option<PathBuf>,
    /// The profile's `…_file`.
    pub(crate) profile_file: Option<PathBuf>,
    /// The profile's `…_env`.
    pub(crate) profile_env: Option<String>,
}

/// A secret that was found, or `None` when none of its sources is set (the caller decides
/// whether that is an error, a prompt, or another way in).
///
/// Order: the flag's file, the profile's file, the profile's variable, the generic variable.
pub(crate) fn find(kind: Kind, sources: &Sources) -> Result<Option<String>, Failure> {
    if let Some(path) = &sources.flag_file {
        return read_file(kind, path).map(Some);
    }
    if let Some(path) = &sources.profile_file {
        return read_file(kind, path).map(Some);
    }
    if let Some(name) = &sources.profile_env {
        return match std::env::var(name) {
            Ok(value) if !value.is_empty() => Ok(Some(value)),
            // A "name" that is not shaped like one may be the secret itself, pasted by mistake.
            _ if is_variable_name(name) => Err(Failure::usage(format!(
                "the profile takes the {} from ${name}, which is not set (or empty)",
                kind.what()
            ))),
            _ => Err(Failure::usage(format!(
                "the profile's `{}_env` is not a variable name (letters, digits and `_`)",
                kind.config_key()
            ))),
        };
    }
    Ok(std::env::var(kind.env_var()).ok().filter(|value| !value.is_empty()))
}

/// A secret that must be there: found, or asked for on a terminal, or a usage error that
/// says every way to give it.
pub(crate) fn require(kind: Kind, sources: &Sources) -> Result<String, Failure> {
    if let Some(value) = find(kind, sources)? {
        return Ok(value);
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let prompt = format!("{} (not shown): ", capitalised(kind.what()));
        return match rpassword::prompt_password(prompt) {
            Ok(value) if !value.is_empty() => Ok(value),
            Ok(_) => Err(Failure::usage(format!("no {} given", kind.what()))),
            Err(error) => Err(Failure::usage(format!("could not read the {} from the terminal: {error}", kind.what()))),
        };
    }
    let file = kind.file_flag().map(|flag| format!(", {flag} FILE")).unwrap_or_default();
    Err(Failure::usage(format!(
        "missing {}: set {}{file}, or `{}_file`/`{}_env` in the profile",
        kind.what(),
        kind.env_var(),
        kind.config_key(),
        kind.config_key(),
    )))
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Reads a secret file: owner-only permissions, its trailing line break dropped.
pub(crate) fn read_file(kind: Kind, path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let metadata = std::fs::metadata(path)
        .map_err(|error| Failure::usage(format!("cannot read the {} file {shown}: {error}", kind.what())))?;
    if !metadata.is_file() {
        return Err(Failure::usage(format!("the {} file {shown} is not a file", kind.what())));
    }
    check_owner_only(kind, path, &metadata)?;
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::usage(format!("cannot read the {} file {shown}: {error}", kind.what())))?;
    let value = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
    if value.is_empty() {
        return Err(Failure::usage(format!("the {} file {shown} is empty", kind.what())));
    }
    Ok(value.to_owned())
}

#[cfg(unix)]
fn check_owner_only(kind: Kind, path: &Path, metadata: &std::fs::Metadata) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "the {} file {} can be read by others (mode {mode:03o}); run `chmod 600 {}`",
            kind.what(),
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_: Kind, _: &Path, _: &std::fs::Metadata) -> Result<(), Failure> {
    Ok(())
}
