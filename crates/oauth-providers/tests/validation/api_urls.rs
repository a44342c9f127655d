//! The API URL helpers (`Profile::api_url`, `mxo::interaction_url`, `mxo::datastores_url`, `cloudcx::user_page_url`):
//! how each joins and escapes its parts, and which paths it refuses.

use oauth_providers::{Profile, ProfileError, cloudcx, mxo};

use crate::support::Failures;

struct UrlCase {
    name: &'static str,
    source: &'static str,
    url: fn() -> Result<String, ProfileError>,
    /// The URL, or the path `InvalidApiPath` names.
    want: Result<&'static str, &'static str>,
}

fn mxo_eu2() -> Profile {
    mxo::profile("eu2", "id", "secret").expect("valid fixture profile")
}

fn cloudcx_seed() -> Profile {
    cloudcx::api_key("cloudcx.cloudfon.net", "cx-key").expect("valid fixture profile")
}

fn text(url: Result<oauth_core::http::Uri, ProfileError>) -> Result<String, ProfileError> {
    url.map(|u| u.to_string())
}

#[allow(clippy::too_many_lines, reason = "one table of cases")]
fn url_cases() -> Vec<UrlCase> {
    vec![
        // --- Profile::api_url ---
        UrlCase {
            name: "api_url_joins_an_absolute_path_and_query_to_the_base",
            source: "MXO's documentation, Interaction API path",
            url: || text(mxo_eu2().api_url("/one/oauth2/rt/api/2.0/interaction?sk=ONE-123")),
            want: Ok("https://eu2.thunderhead.com/one/oauth2/rt/api/2.0/interaction?sk=ONE-123"),
        },
        UrlCase {
            name: "api_url_keeps_the_port_of_the_base",
            source: "seeds/001 (cx.cloudfon.net:9001)",
            url: || {
                let profile = cloudcx::api_key("cx.cloudfon.net:9001", "cx-key").expect("valid fixture profile");
                text(profile.api_url("/openapi/v2/user/page?pageIndex=1"))
            },
            want: Ok("https://cx.cloudfon.net:9001/openapi/v2/user/page?pageIndex=1"),
        },
        UrlCase {
            name: "api_url_without_a_leading_slash_is_refused",
            source: "Profile::api_url (path must start with /)",
            url: || text(mxo_eu2().api_url("one/oauth2/rt/api/2.0/interaction")),
            want: Err("one/oauth2/rt/api/2.0/interaction"),
        },
        UrlCase {
            name: "api_url_empty_path_is_refused",
            source: "Profile::api_url",
            url: || text(mxo_eu2().api_url("")),
            want: Err(""),
        },
        UrlCase {
            name: "api_url_absolute_url_is_refused",
            source: "Profile::api_url (a path, not a URL: the host is the profile's)",
            url: || text(mxo_eu2().api_url("https://evil.example/x")),
            want: Err("https://evil.example/x"),
        },
        UrlCase {
            name: "api_url_protocol_relative_path_is_refused",
            source: "RFC 3986 §4.2 (//host is a network-path reference)",
            url: || text(mxo_eu2().api_url("//evil.example/x")),
            want: Err("//evil.example/x"),
        },
        UrlCase {
            name: "api_url_with_a_raw_space_is_refused",
            source: "RFC 3986 §3.3 (a space is not a path character)",
            url: || text(cloudcx_seed().api_url("/openapi/v2/user page")),
            want: Err("/openapi/v2/user page"),
        },
        // --- mxo::interaction_url ---
        UrlCase {
            name: "interaction_url_with_a_site_key_only",
            source: "MXO's documentation (POST|PUT /one/oauth2/rt/api/2.0/interaction?sk={siteKey}[&tid=])",
            url: || text(mxo::interaction_url(&mxo_eu2(), "ONE-ABC-1234", None)),
            want: Ok("https://eu2.thunderhead.com/one/oauth2/rt/api/2.0/interaction?sk=ONE-ABC-1234"),
        },
        UrlCase {
            name: "interaction_url_with_a_tid",
            source: "MXO's documentation ([&tid=])",
            url: || text(mxo::interaction_url(&mxo_eu2(), "ONE-ABC-1234", Some("d9f7e1a2-0b3c"))),
            want: Ok("https://eu2.thunderhead.com/one/oauth2/rt/api/2.0/interaction?sk=ONE-ABC-1234&tid=d9f7e1a2-0b3c"),
        },
        UrlCase {
            name: "interaction_url_escapes_query_delimiters_in_its_values",
            source: "WHATWG URL application/x-www-form-urlencoded serializer; edge case: & = # space in values",
            url: || text(mxo::interaction_url(&mxo_eu2(), "ONE&sk=2", Some("a b#c"))),
            want: Ok("https://eu2.thunderhead.com/one/oauth2/rt/api/2.0/interaction?sk=ONE%26sk%3D2&tid=a+b%23c"),
        },
        // --- mxo::datastores_url ---
        UrlCase {
            name: "datastores_url_with_the_documented_workspace_id",
            source: "MXO's documentation, Datastores (https://eu2.thunderhead.com/datastores/1.0.0/{workspaceId}/…, MTIyMg)",
            url: || text(mxo::datastores_url(&mxo_eu2(), "MTIyMg", "datastores")),
            want: Ok("https://eu2.thunderhead.com/datastores/1.0.0/MTIyMg/datastores"),
        },
        UrlCase {
            name: "datastores_url_path_with_a_leading_slash_gets_one_slash",
            source: "MXO's documentation, Datastores; edge case",
            url: || text(mxo::datastores_url(&mxo_eu2(), "MTIyMg", "/datastores/customers")),
            want: Ok("https://eu2.thunderhead.com/datastores/1.0.0/MTIyMg/datastores/customers"),
        },
        UrlCase {
            name: "datastores_url_workspace_id_with_a_slash_is_refused",
            source: "MXO's documentation (the workspace id is one path segment)",
            url: || text(mxo::datastores_url(&mxo_eu2(), "MTIy/Mg", "datastores")),
            want: Err("MTIy/Mg"),
        },
        UrlCase {
            name: "datastores_url_workspace_id_with_a_query_is_refused",
            source: "MXO's documentation (the workspace id is one path segment)",
            url: || text(mxo::datastores_url(&mxo_eu2(), "MTIyMg?x=1", "datastores")),
            want: Err("MTIyMg?x=1"),
        },
        UrlCase {
            name: "datastores_url_dot_dot_workspace_id_is_refused",
            source: "RFC 3986 §5.2.4 (a `..` segment would climb out of the workspace)",
            url: || text(mxo::datastores_url(&mxo_eu2(), "..", "datastores")),
            want: Err(".."),
        },
        UrlCase {
            name: "api_url_with_a_fragment_is_refused_rather_than_cut_short",
            source: "RFC 3986 §3.5 (a fragment is never sent)",
            url: || text(mxo_eu2().api_url("/datastores/1.0.0/MTIyMg/items#2")),
            want: Err("/datastores/1.0.0/MTIyMg/items#2"),
        },
        UrlCase {
            name: "datastores_url_empty_workspace_id_is_refused",
            source: "MXO's documentation",
            url: || text(mxo::datastores_url(&mxo_eu2(), "", "datastores")),
            want: Err(""),
        },
        UrlCase {
            name: "datastores_url_path_with_a_raw_space_is_refused",
            source: "RFC 3986 §3.3",
            url: || text(mxo::datastores_url(&mxo_eu2(), "MTIyMg", "my items")),
            want: Err("/datastores/1.0.0/MTIyMg/my items"),
        },
        // --- cloudcx::user_page_url ---
        UrlCase {
            name: "user_page_url_reproduces_the_seed_curl_url",
            source: "seeds/001 cURL (https://cloudcx.cloudfon.net/openapi/v2/user/page?pageIndex=1&pageSize=25&keywords=si)",
            url: || text(cloudcx::user_page_url(&cloudcx_seed(), 1, 25, Some("si"))),
            want: Ok("https://cloudcx.cloudfon.net/openapi/v2/user/page?pageIndex=1&pageSize=25&keywords=si"),
        },
        UrlCase {
            name: "user_page_url_without_keywords_leaves_them_out",
            source: "seeds/001 (keywords is a filter)",
            url: || text(cloudcx::user_page_url(&cloudcx_seed(), 2, 50, None)),
            want: Ok("https://cloudcx.cloudfon.net/openapi/v2/user/page?pageIndex=2&pageSize=50"),
        },
        UrlCase {
            name: "user_page_url_escapes_keywords",
            source: "WHATWG URL application/x-www-form-urlencoded serializer; edge case: space, &, = and non-ASCII",
            url: || text(cloudcx::user_page_url(&cloudcx_seed(), 1, 25, Some("José &pageSize=1"))),
            want: Ok(
                "https://cloudcx.cloudfon.net/openapi/v2/user/page?pageIndex=1&pageSize=25&keywords=Jos%C3%A9+%26pageSize%3D1",
            ),
        },
        UrlCase {
            name: "user_page_url_on_a_password_profile_with_a_port",
            source: "seeds/001 (cx.cloudfon.net:9001); CloudCX's documentation (same base for API calls)",
            url: || {
                let profile = cloudcx::password("cx.cloudfon.net:9001", "id", "secret", "si", "pw")
                    .expect("valid fixture profile");
                text(cloudcx::user_page_url(&profile, 1, 25, Some("si")))
            },
            want: Ok("https://cx.cloudfon.net:9001/openapi/v2/user/page?pageIndex=1&pageSize=25&keywords=si"),
        },
    ]
}

#[test]
fn api_url_helpers_join_escape_and_refuse_as_documented() {
    let mut failures = Failures::default();
    for case in url_cases() {
        failures.name(case.name);
        match ((case.url)(), case.want) {
            (Ok(url), Ok(want)) if url == want => {}
            (Err(ProfileError::InvalidApiPath { path }), Err(want)) if &*path == want => {}
            (outcome, _) => failures.push(format!("{} ({}): {outcome:?}", case.name, case.source)),
        }
    }
    failures.assert_none();
}
