//! `oauth profiles`: the config file's profiles, one line each, with where their secrets come
//! from (a file or a variable's name) but never a secret.

use std::fmt::Write as _;
use std::path::Path;

use crate::config;
use crate::failure::Failure;

pub(crate) fn list(given: Option<&Path>) -> Result<String, Failure> {
    let (config, path) = config::load(given)?;
    let mut text = String::new();
    let Some(path) = path else { return Ok("no config directory on this platform; use --config FILE\n".into()) };
    if config.profiles.is_empty() {
        let _ = writeln!(text, "no profiles in {} (see `oauth --help` and the README for the format)", path.display());
        return Ok(text);
    }
    let _ = writeln!(text, "profiles in {}:", path.display());
    for (name, p) in &config.profiles {
        let provider = p.provider.map_or("rfc6749", crate::cli::Provider::name);
        let target =
            [&p.token_url, &p.server, &p.domain, &p.host].into_iter().flatten().next().map_or("", String::as_str);
        // A URL is shown as `-v` shows it: no user information, secret-looking query values masked.
        let target =
            target.parse::<http::Uri>().map_or_else(|_| target.to_owned(), |uri| crate::trace::shown_uri(&uri));
        let mut line = format!("  {name}  {provider}  {target}");
        if let Some(id) = &p.client_id {
            let _ = write!(line, "  client {id}");
        }
        if let Some(user) = &p.username {
            let _ = write!(line, "  user {user}");
        }
        let refs = [
            ("client secret", &p.client_secret_file, &p.client_secret_env),
            ("password", &p.password_file, &p.password_env),
            ("API key", &p.api_key_file, &p.api_key_env),
            ("refresh token", &p.refresh_token_file, &p.refresh_token_env),
        ];
        for (what, file, env) in refs {
            if let Some(file) = file {
                let _ = write!(line, "  {what} from {}", file.display());
            } else if let Some(env) = env {
                let _ = write!(line, "  {what} from ${env}");
            }
        }
        let _ = writeln!(text, "{}", line.trim_end());
    }
    Ok(text)
}
