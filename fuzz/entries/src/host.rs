//! The host and URL target: `TokenEndpoint`'s constructors, the profiles' host readers and
//! `Profile::api_url`.

use oauth_core::http::Uri;
use oauth_core::http::uri::Scheme;
use oauth_core::{MisuseError, TokenEndpoint, is_loopback};
use oauth_providers::{Profile, ProfileError, bright_pattern, cloudcx, mxo, rfc6749};

use crate::answer::take_line;

/// A password planted in a URL's `user:password@` part; no error may repeat it.
const PLANTED: &str = "pl4nted-Pa55word";

/// Reads `[host or URL]\n[API path]`: the text up to the first `\n` as a token URL and as the
/// host of each vendor profile, the rest as a path for `Profile::api_url` (invalid UTF-8
/// replaced).
///
/// Checks: an endpoint is https, or http on a loopback host, and the opt-out constructor accepts
/// whatever the checked one does; parsing the URL first changes no verdict; every profile's
/// token endpoint and API base pass core's endpoint check again; an API URL keeps the base's
/// scheme and host and the path as given; and with a password planted in a `user:password@`
/// part, every constructor refuses and no error, printed or debugged, repeats the password.
pub fn host(data: &[u8]) {
    let mut rest = data;
    let text = String::from_utf8_lossy(take_line(&mut rest)).into_owned();
    let path = String::from_utf8_lossy(rest).into_owned();

    check_endpoint(&text);
    for profile in profiles(&text).into_iter().flatten() {
        check_profile(&profile, &path);
    }
    if !text.contains(PLANTED) {
        for with_password in [format!("https://agent:{PLANTED}@{text}"), format!("agent:{PLANTED}@{text}")] {
            assert_refused_quietly(&with_password);
        }
    }
}

/// Every profile made from `host`, each as its vendor function reads it.
fn profiles(host: &str) -> [Result<Profile, ProfileError>; 5] {
    [
        rfc6749::client_credentials(host, "app", "s3cr3t"),
        mxo::profile(host, "app", "s3cr3t"),
        cloudcx::password(host, "2603", "6d62", "agent", "pa55"),
        cloudcx::api_key(host, "cx-api-key"),
        bright_pattern::profile(host, "agent", "s3cr3t"),
    ]
}

fn check_endpoint(url: &str) {
    let checked = TokenEndpoint::new(url);
    let allowing_http = TokenEndpoint::new_allowing_http(url);
    if let Ok(endpoint) = &checked {
        assert_secure(endpoint.uri());
        let Ok(opted_out) = &allowing_http else {
            panic!("new_allowing_http refuses what new accepts: {allowing_http:?}");
        };
        assert_eq!(opted_out.uri(), endpoint.uri());
    }
    if let Ok(endpoint) = &allowing_http {
        let uri = endpoint.uri();
        assert!(matches!(uri.scheme_str(), Some("https" | "http")), "{uri}");
        assert!(uri.authority().is_some_and(|a| !a.as_str().contains('@') && !a.host().is_empty()), "{uri}");
    }
    // The text constructors see a fragment that a parsed URL no longer holds.
    if let (false, Ok(uri)) = (url.contains('#'), url.parse::<Uri>()) {
        assert_eq!(verdict(TokenEndpoint::from_uri(uri.clone())), verdict(checked), "{url:?}");
        assert_eq!(verdict(TokenEndpoint::from_uri_allowing_http(uri)), verdict(allowing_http), "{url:?}");
    }
}

/// What a constructor decided, comparable across constructors: the URL, or why not.
fn verdict(result: Result<TokenEndpoint, MisuseError>) -> Result<Uri, String> {
    match result {
        Ok(endpoint) => Ok(endpoint.uri().clone()),
        Err(MisuseError::InvalidEndpoint { reason, .. }) => Err(reason.to_owned()),
        Err(MisuseError::InsecureEndpoint { .. }) => Err("insecure".to_owned()),
        Err(other) => Err(other.to_string()),
    }
}

/// Panics unless `uri` is https, or http on a loopback host.
fn assert_secure(uri: &Uri) {
    let host = uri.host().unwrap_or_default();
    let secure = uri.scheme() == Some(&Scheme::HTTPS) || (uri.scheme() == Some(&Scheme::HTTP) && is_loopback(host));
    assert!(secure, "{uri} is neither https nor http on loopback");
}

fn check_profile(profile: &Profile, path: &str) {
    let base = profile.api_base();
    assert_eq!(base.path(), "/", "an API base with a path: {base}");
    assert_secure(base);
    if let Some(config) = profile.token_config() {
        let uri = config.endpoint().uri();
        assert_secure(uri);
        assert!(TokenEndpoint::from_uri(uri.clone()).is_ok(), "core refuses the profile's endpoint {uri}");
        assert_eq!(uri.authority(), base.authority(), "the token URL and the API base name other hosts");
    }
    if let Ok(url) = profile.api_url(path) {
        assert_eq!(url.scheme(), base.scheme());
        assert_eq!(url.authority(), base.authority());
        assert_eq!(url.path_and_query().map(|p| p.as_str()), Some(path), "the API path changed");
    }
}

/// Panics unless every constructor refuses `url` (it carries a password) without repeating the
/// password.
fn assert_refused_quietly(url: &str) {
    let hidden = |shown: String| assert!(!shown.contains(PLANTED), "an error repeats the planted password: {shown}");
    for result in [TokenEndpoint::new(url), TokenEndpoint::new_allowing_http(url)] {
        let Err(error) = result else { panic!("{url:?} was accepted with a password in it") };
        hidden(error.to_string());
        hidden(format!("{error:?}"));
    }
    for result in profiles(url) {
        let Err(error) = result else { panic!("a profile accepted {url:?}, a password in it") };
        hidden(error.to_string());
        hidden(format!("{error:?}"));
    }
}
