//! The config file: named profiles in TOML, secrets only as file or variable references.
//!
//! ```toml
//! [profiles.prod-mxo]
//! provider = "mxo"
//! server = "eu2"
//! client_id = "2e8fec0e-34fb-4851-800e-9989331e55d2"
//! client_secret_file = "/run/secrets/mxo"      # or client_secret_env = "MXO_SECRET"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{AuthChoice, GrantChoice, Provider};
use crate::failure::Failure;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, ProfileConfig>,
}

/// One named profile: the flags' settings, and where its secrets are.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileConfig {
    pub(crate) provider: Option<Provider>,
    pub(crate) token_url: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) server: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) tenant: Option<String>,
    pub(crate) auth: Option<AuthChoice>,
    pub(crate) grant: Option<GrantChoice>,
    pub(crate) scope: Option<Scopes>,
    pub(crate) client_id: Option<String>,
    pub(crate) username: Option<String>,
    #[serde(default)]
    pub(crate) allow_http: bool,
    pub(crate) client_secret_file: Option<PathBuf>,
    pub(crate) client_secret_env: Option<String>,
    pub(crate) password_file: Option<PathBuf>,
    pub(crate) password_env: Option<String>,
    pub(crate) api_key_file: Option<PathBuf>,
    pub(crate) api_key_env: Option<String>,
    pub(crate) refresh_token_file: Option<PathBuf>,
    pub(crate) refresh_token_env: Option<String>,
    pub(crate) private_key_file: Option<PathBuf>,
    pub(crate) private_key_env: Option<String>,
    pub(crate) key_id: Option<String>,
    pub(crate) assertion_audience: Option<String>,
    pub(crate) client_cert_file: Option<PathBuf>,
    pub(crate) client_key_file: Option<PathBuf>,
    pub(crate) client_key_env: Option<String>,
    pub(crate) cacert: Option<PathBuf>,
    // Secrets written in the file itself are refused by name (the value is never read).
    client_secret: Option<serde::de::IgnoredAny>,
    password: Option<serde::de::IgnoredAny>,
    api_key: Option<serde::de::IgnoredAny>,
    refresh_token: Option<serde::de::IgnoredAny>,
    private_key: Option<serde::de::IgnoredAny>,
    client_key: Option<serde::de::IgnoredAny>,
}

/// `scope = "a b"` or `scope = ["a", "b"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Scopes {
    Text(String),
    List(Vec<String>),
}

impl Scopes {
    pub(crate) fn into_list(self) -> Vec<String> {
        match self {
            Self::Text(text) => vec![text],
            Self::List(list) => list,
        }
    }
}

/// The config file to read: the one given, or the platform's (which may not exist).
pub(crate) fn path(given: Option<&Path>) -> Option<PathBuf> {
    given.map(Path::to_path_buf).or_else(|| dirs::config_dir().map(|dir| dir.join("oauth-stack").join("config.toml")))
}

/// Reads the config file. A missing default file is an empty config; a missing file the user
/// named is an error.
pub(crate) fn load(given: Option<&Path>) -> Result<(Config, Option<PathBuf>), Failure> {
    let Some(path) = path(given) else { return Ok((Config::default(), None)) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && given.is_none() => {
            return Ok((Config::default(), Some(path)));
        }
        Err(error) => return Err(Failure::usage(format!("cannot read the config file {}: {error}", path.display()))),
    };
    let config = parse(&text).map_err(|reason| Failure::usage(format!("{}: {reason}", path.display())))?;
    Ok((config, Some(path)))
}

/// Parses a config file's text. The error says where and what, never quoting the file: the
/// line at fault could hold a secret.
pub(crate) fn parse(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|error| {
        let at = error.span().map(|span| line_and_column(text, span.start)).unwrap_or_default();
        format!("{at}{}", error.message().replace(['\n', '\r'], " "))
    })?;
    for (name, profile) in &config.profiles {
        let written = [
            ("client_secret", profile.client_secret.is_some()),
            ("password", profile.password.is_some()),
            ("api_key", profile.api_key.is_some()),
            ("refresh_token", profile.refresh_token.is_some()),
            ("private_key", profile.private_key.is_some()),
            ("client_key", profile.client_key.is_some()),
        ];
        if let Some((key, _)) = written.iter().find(|(_, present)| *present) {
            return Err(format!(
                "profile `{name}` writes its {key} in the file; secrets go in a file or a variable: \
                 `{key}_file = \"/path\"` or `{key}_env = \"VARIABLE\"`"
            ));
        }
    }
    Ok(config)
}

fn line_and_column(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: ")
}

impl Config {
    /// The named profile, or a usage error listing the ones there are.
    pub(crate) fn profile(&self, name: &str, path: Option<&Path>) -> Result<&ProfileConfig, Failure> {
        self.profiles.get(name).ok_or_else(|| {
            let file = path.map_or_else(|| "no config file".to_owned(), |p| p.display().to_string());
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
            Failure::usage(format!("no profile `{name}` in {file} (profiles: {known})"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_reads_with_a_list_or_text_scope() {
        let config = parse(
            "[profiles.a]\nprovider = \"bright-pattern\"\nhost = \"bp.example.com\"\nscope = [\"x\", \"y\"]\n\
             [profiles.b]\nprovider = \"cloudcx\"\nscope = \"x y\"\npassword_env = \"PW\"\n",
        )
        .unwrap();
        assert_eq!(config.profiles["a"].provider, Some(Provider::BrightPattern));
        assert_eq!(config.profiles["a"].scope.clone().unwrap().into_list(), ["x", "y"]);
        assert_eq!(config.profiles["b"].provider, Some(Provider::CloudCx));
        assert_eq!(config.profiles["b"].password_env.as_deref(), Some("PW"));
    }

    #[test]
    fn a_secret_in_the_file_is_refused_by_name_without_repeating_it() {
        for key in ["client_secret", "password", "api_key", "refresh_token", "private_key", "client_key"] {
            let error = parse(&format!("[profiles.p]\n{key} = \"hunter2-value\"\n")).unwrap_err();
            assert!(error.contains(&format!("{key}_file")), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn a_syntax_error_names_the_line_but_never_quotes_it() {
        let error =
            parse("[profiles.p]\nclient_id = \"ok\"\nclient_secret_env = \"unterminated-hunter2\n").unwrap_err();
        assert!(error.starts_with("line 3"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
        let unknown = parse("[profiles.p]\nclient_idd = \"x\"\n").unwrap_err();
        assert!(unknown.contains("client_idd"), "{unknown}");
    }
}
