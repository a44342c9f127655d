//! Static credentials: an API key goes through the same `TokenSource` calls as a token and never
//! reaches the transport.

mod support;

use std::time::Duration;

use oauth_core::{Access, ApiKey};
use oauth_token_source::TokenSource;
use support::{Scripted, Virtual, experience, join_all, settle, token};

#[tokio::test(start_paused = true)]
async fn an_api_key_is_served_by_the_same_calls_without_any_request() {
    let cases: [(&str, Access, &str); 2] = [
        ("oauth_core::ApiKey", Access::from(ApiKey::new("k3y-1")), "k3y-1"),
        (
            "cloudcx::api_key",
            oauth_providers::cloudcx::api_key("cx.cloudfon.net:9001", "cx-api-key").unwrap().into_access(),
            "cx-api-key",
        ),
    ];
    for (name, access, key) in cases {
        let transport = Scripted::new([token("never", 3600, None)]);
        let runtime = Virtual::new();
        let source = TokenSource::new(access, transport.clone(), runtime.clone()).unwrap();
        assert!(source.is_static(), "{name}");

        let (served, experienced) = experience(source.token()).await;
        let served = served.unwrap();
        assert_eq!(served.secret(), key, "{name}");
        assert!(experienced.at_once(), "{name}");
        let header = source.authorization().await.unwrap();
        assert_eq!(header, format!("Bearer {key}").as_str(), "{name}");
        assert!(header.is_sensitive(), "{name}");
        let (with_token, used) = source.authorization_with_token().await.unwrap();
        assert_eq!((with_token, used.secret()), (header, key), "{name}");

        // A 401 cannot be fixed by fetching: a new key would be the same key.
        source.invalidate();
        assert!(!source.invalidate_if_current(&used), "{name}");
        assert_eq!(source.token().await.unwrap().secret(), key, "{name}");

        let many = join_all((0..10_000).map(|_| source.token())).await;
        assert!(many.iter().all(|t| t.as_ref().unwrap().secret() == key), "{name}");
        // It never expires.
        tokio::time::sleep(Duration::from_secs(10 * 365 * 24 * 3600)).await;
        assert_eq!(source.token().await.unwrap().secret(), key, "{name}");

        settle().await;
        assert_eq!(transport.calls(), 0, "{name}: never reaches the transport");
        assert_eq!(runtime.spawned(), 0, "{name}: nothing in the background");
    }
}

#[tokio::test(start_paused = true)]
async fn an_api_key_no_header_can_carry_is_refused_when_the_source_is_built() {
    for bad in ["line\nbreak", "", "tab\there"] {
        let result = TokenSource::new(ApiKey::new(bad), Scripted::new([]), Virtual::new());
        let error = result.unwrap_err();
        assert!(matches!(error.token_error(), Some(oauth_core::TokenError::Misuse(_))), "{bad:?}: {error:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_source_passes_on_its_profiles_401_rule_and_an_api_key_never_retries() {
    let key = TokenSource::new(oauth_core::ApiKey::new("k3y"), Scripted::new([]), Virtual::new()).unwrap();
    assert_eq!(key.retry_on_401(), oauth_token_source::RetryOn401::Never);
    let bare = oauth_providers::bright_pattern::TenantProfile::new("127.0.0.1:9", "id", "s").build().unwrap();
    let source = TokenSource::new(bare, Scripted::new([]), Virtual::new()).unwrap();
    assert_eq!(source.retry_on_401(), oauth_token_source::RetryOn401::Any);
    let source = TokenSource::new(support::config(), Scripted::new([]), Virtual::new()).unwrap();
    assert_eq!(source.retry_on_401(), oauth_token_source::RetryOn401::InvalidToken);
}
