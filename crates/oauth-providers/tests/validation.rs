//! Construction-time validation of every profile, with the typed error each bad input gets, and the API URL helpers
//! (`Profile::api_url`, `mxo::interaction_url`, `mxo::datastores_url`, `cloudcx::user_page_url`).
//!
//! This file holds the construction harness — what building must give, and the check that also keeps planted passwords
//! out of every error; the cases are in `construction`, and `api_urls` holds the API URL helpers' own table.

mod support;

#[path = "validation/api_urls.rs"]
mod api_urls;
#[path = "validation/construction.rs"]
mod construction;

use oauth_core::MisuseError;
use oauth_providers::{Profile, ProfileError};
use support::check_each;

/// Passwords planted in inputs; no error may print one.
const PLANTED: &[&str] = &["pa55w0rd", "hunter2", "s3cr/t", "p?w0rd", "k3y#pa55"];

/// What building must give.
enum Want {
    /// Built: the token URL (`None` for an API key) and the API base.
    Built {
        token_url: Option<&'static str>,
        api_base: &'static str,
    },
    Invalid(MisuseError),
    /// `MisuseError::InvalidEndpoint` for this URL as shown (the reason is wording).
    InvalidEndpoint {
        url: &'static str,
    },
    /// `ProfileError::InvalidHost` for this input as shown (the reason is wording).
    InvalidHost {
        host: &'static str,
    },
    InvalidServer {
        server: &'static str,
    },
    /// `ProfileError::InsecureHttp` for this input, whose message names the builder's
    /// `allow_http()` — the switch a profile user holds — and not core's opt-out.
    InsecureHttp {
        url: &'static str,
    },
}

struct Case {
    name: &'static str,
    source: &'static str,
    build: fn() -> Result<Profile, ProfileError>,
    want: Want,
}

fn built(token_url: &'static str, api_base: &'static str) -> Want {
    Want::Built { token_url: Some(token_url), api_base }
}

fn check(case: &Case) -> Result<(), String> {
    let outcome = (case.build)();
    if let Err(error) = &outcome {
        let printed = format!("{error} {error:?}");
        if let Some(planted) = PLANTED.iter().find(|p| printed.contains(*p)) {
            return Err(format!("the error prints the password {planted}: {printed}"));
        }
    }
    match (&case.want, outcome) {
        (Want::Built { token_url, api_base }, Ok(profile)) => {
            let got = profile.token_config().map(|c| c.endpoint().uri().to_string());
            if got.as_deref() != *token_url || profile.api_base() != *api_base {
                return Err(format!("built with token URL {got:?} and API base {}", profile.api_base()));
            }
            Ok(())
        }
        (Want::Invalid(want), Err(ProfileError::Invalid(got))) if got == *want => Ok(()),
        (Want::InvalidEndpoint { url }, Err(ProfileError::Invalid(MisuseError::InvalidEndpoint { url: got, .. })))
            if &*got == *url =>
        {
            Ok(())
        }
        (Want::InvalidHost { host }, Err(ProfileError::InvalidHost { host: got, .. })) if &*got == *host => Ok(()),
        (Want::InvalidServer { server }, Err(ProfileError::InvalidServer { server: got })) if &*got == *server => {
            Ok(())
        }
        (Want::InsecureHttp { url }, Err(error @ ProfileError::InsecureHttp { .. }))
            if error.to_string().contains(url) =>
        {
            let text = error.to_string();
            if text.contains("allow_http()") && !text.contains("new_allowing_http") {
                Ok(())
            } else {
                Err(format!("the advice names the wrong switch: {text}"))
            }
        }
        (_, Ok(profile)) => Err(format!("built {profile:?}")),
        (_, Err(error)) => Err(format!("wrong error {error:?}")),
    }
}

#[test]
fn every_bad_input_is_refused_at_construction_with_its_typed_error() {
    check_each(construction::cases(), |case| (case.name, case.source), check);
}
