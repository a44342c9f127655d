//! CloudCX's API-key mode: a sensitive static `Bearer` header on the profile's API base, and no token exchange.

use oauth_core::Access;
use oauth_providers::cloudcx;

use crate::CX_API_KEY;

struct ApiKeyCase {
    name: &'static str,
    source: &'static str,
    domain: &'static str,
    api_base: &'static str,
}

#[test]
fn api_key_mode_presents_a_sensitive_static_bearer_header_and_exchanges_nothing() {
    let cases = [
        ApiKeyCase {
            name: "seed_api_key_example_domain",
            source: "seeds/001 API KEY Authentication, cURL (--header 'Authorization: Bearer {API KEY}')",
            domain: "cloudcx.cloudfon.net",
            api_base: "https://cloudcx.cloudfon.net/",
        },
        ApiKeyCase {
            name: "api_key_on_a_domain_with_port",
            source: "seeds/001 (cx.cloudfon.net:9001); CloudCX's documentation, API calls (same base URL)",
            domain: "cx.cloudfon.net:9001",
            api_base: "https://cx.cloudfon.net:9001/",
        },
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let profile = match cloudcx::api_key(case.domain, CX_API_KEY) {
            Ok(profile) => profile,
            Err(e) => {
                failures.push(format!("{} ({}): refused: {e}", case.name, case.source));
                continue;
            }
        };
        let mut bad = Vec::new();
        if !matches!(profile.access(), Access::ApiKey(key) if key.secret() == CX_API_KEY) {
            bad.push(format!("access {:?}", profile.access()));
        }
        if profile.token_config().is_some() {
            bad.push("an API key has a token config".to_owned());
        }
        match profile.access().static_header() {
            Some(Ok(header)) => {
                if header != format!("Bearer {CX_API_KEY}").as_str() {
                    bad.push("static header is not `Bearer <key>`".to_owned());
                }
                if !header.is_sensitive() {
                    bad.push("static header is not sensitive".to_owned());
                }
            }
            other => bad.push(format!("static_header {other:?}")),
        }
        if profile.api_base() != case.api_base {
            bad.push(format!("api_base {}", profile.api_base()));
        }
        if profile.vendor() != "cloudcx" {
            bad.push(format!("vendor {}", profile.vendor()));
        }
        if !matches!(profile.into_access(), Access::ApiKey(_)) {
            bad.push("into_access is not the key".to_owned());
        }
        if !bad.is_empty() {
            failures.push(format!("{} ({}): {}", case.name, case.source, bad.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
