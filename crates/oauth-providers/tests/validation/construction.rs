//! The construction cases: for every profile, the inputs it must refuse — empty client ids, hosts with a path, query
//! or nothing, plain http, bad MXO servers, unusable CloudCX API keys, credentials in a host, reserved parameters —
//! each with its typed error, and the inputs next to them it must accept.

use oauth_core::MisuseError;
use oauth_providers::bright_pattern::{self, TenantProfile};
use oauth_providers::cloudcx::{self, PasswordProfile};
use oauth_providers::mxo;
use oauth_providers::rfc6749::{self, Builder};

use crate::{Case, Want, built};

#[allow(clippy::too_many_lines, reason = "one table of cases")]
pub(crate) fn cases() -> Vec<Case> {
    use MisuseError::{ColonInRawBasicClientId, EmptyClientId, InvalidBearerCredential};
    vec![
        // --- empty client ids ---
        Case {
            name: "mxo_empty_client_id",
            source: "RFC 6749 §2.2 (a client id is a string the server issued); oauth-core ClientId",
            build: || mxo::profile("eu2", "", "secret"),
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "cloudcx_password_empty_client_id",
            source: "seeds/001 (client_id from Security → OAuth Client)",
            build: || cloudcx::password("cx.cloudfon.net", "", "secret", "si", "pw"),
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "cloudcx_email_variant_empty_client_id",
            source: "seeds/002 Postman steps (client_id from Step 1)",
            build: || {
                PasswordProfile::new("cx.cloudcx.net", "", "secret", "ana@example.com", "pw")
                    .username_field(cloudcx::UsernameField::Email)
                    .build()
            },
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "bright_pattern_empty_login_id",
            source: "seeds/003 Parameters (client_id required: the user's login ID)",
            build: || bright_pattern::profile("example.com", "", "secret"),
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "bright_pattern_service_provider_empty_login_id",
            source: "Bright Pattern's documentation, service-provider variant",
            build: || TenantProfile::new("sp.example.com", "", "secret").service_provider("example.com").build(),
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "rfc6749_empty_client_id",
            source: "RFC 6749 §2.2",
            build: || rfc6749::client_credentials("https://as.example/token", "", "secret"),
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "rfc6749_public_client_empty_client_id",
            source: "RFC 6749 §2.2",
            build: || Builder::new("https://as.example/token").public_client("").build(),
            want: Want::Invalid(EmptyClientId),
        },
        Case {
            name: "rfc6749_builder_without_a_client",
            source: "rfc6749::Builder (client or public_client is required)",
            build: || Builder::new("https://as.example/token").build(),
            want: Want::Invalid(EmptyClientId),
        },
        // --- hosts with a path, query or nothing ---
        Case {
            name: "cloudcx_host_with_a_path",
            source: "CloudCX's documentation (domain[:port] only; the paths are the profile's)",
            build: || cloudcx::password("example.com/configapi", "id", "secret", "si", "pw"),
            want: Want::InvalidHost { host: "example.com/configapi" },
        },
        Case {
            name: "cloudcx_api_key_host_with_a_path",
            source: "seeds/001 (base https://cloudcx.cloudfon.net; /openapi/v2 is an API path)",
            build: || cloudcx::api_key("cloudcx.cloudfon.net/openapi/v2", "key"),
            want: Want::InvalidHost { host: "cloudcx.cloudfon.net/openapi/v2" },
        },
        Case {
            name: "bright_pattern_host_with_a_path",
            source: "seeds/003 (http[s]://<host>/configapi/…: the path is the profile's)",
            build: || bright_pattern::profile("example.com/configapi", "clientid", "secret"),
            want: Want::InvalidHost { host: "example.com/configapi" },
        },
        Case {
            name: "bright_pattern_whole_token_url_instead_of_a_host",
            source: "seeds/003 URL pasted whole",
            build: || bright_pattern::profile("https://example.com/configapi/v2/oauth/token", "clientid", "secret"),
            want: Want::InvalidHost { host: "https://example.com/configapi/v2/oauth/token" },
        },
        Case {
            name: "bright_pattern_host_with_a_query",
            source: "edge case",
            build: || bright_pattern::profile("example.com?tenant=x", "clientid", "secret"),
            want: Want::InvalidHost { host: "example.com?tenant=x" },
        },
        Case {
            name: "mxo_host_with_a_path",
            source: "seeds/000 (the token path /one/oauth2token is the profile's)",
            build: || mxo::profile("eu2.thunderhead.com/one", "id", "secret"),
            want: Want::InvalidHost { host: "eu2.thunderhead.com/one" },
        },
        Case {
            name: "cloudcx_empty_host",
            source: "edge case",
            build: || cloudcx::api_key("", "key"),
            want: Want::InvalidHost { host: "" },
        },
        Case {
            name: "bright_pattern_blank_host",
            source: "edge case",
            build: || bright_pattern::profile("   ", "clientid", "secret"),
            want: Want::InvalidHost { host: "   " },
        },
        Case {
            name: "cloudcx_ftp_scheme",
            source: "edge case",
            build: || cloudcx::api_key("ftp://cx.example.com", "key"),
            want: Want::InvalidHost { host: "ftp://cx.example.com" },
        },
        Case {
            name: "cloudcx_host_with_a_fragment",
            source: "edge case (the URI parser would drop it silently)",
            build: || cloudcx::password("cx.example.com#main", "id", "secret", "si", "pw"),
            want: Want::InvalidHost { host: "cx.example.com#main" },
        },
        Case {
            name: "cloudcx_host_with_a_port_that_is_not_a_number",
            source: "RFC 3986 §3.2.3 (port = *DIGIT)",
            build: || cloudcx::api_key("cx.example.com:9oo1", "key"),
            want: Want::InvalidHost { host: "cx.example.com:9oo1" },
        },
        Case {
            name: "bright_pattern_host_with_a_port_out_of_range",
            source: "RFC 793 / RFC 3986 §3.2.3 (ports are 16-bit)",
            build: || bright_pattern::profile("example.com:70000", "clientid", "secret"),
            want: Want::InvalidHost { host: "example.com:70000" },
        },
        Case {
            name: "rfc6749_api_base_with_a_path",
            source: "rfc6749::Builder::api_base (scheme and host, optional port)",
            build: || {
                Builder::new("https://as.example/token")
                    .client("id", "secret")
                    .api_base("https://api.example/v1")
                    .build()
            },
            want: Want::InvalidHost { host: "https://api.example/v1" },
        },
        // --- plain http ---
        Case {
            name: "cloudcx_http_on_a_public_host_is_refused",
            source: "RFC 6749 §10.9 / RFC 6819 §5.1.1 (TLS for credentials); CloudCX's documentation (https URLs)",
            build: || cloudcx::password("http://cx.example.com", "id", "secret", "si", "pw"),
            want: Want::InsecureHttp { url: "http://cx.example.com" },
        },
        Case {
            name: "cloudcx_api_key_http_on_a_public_host_is_refused",
            source: "RFC 6750 §5.3 (bearer credentials over TLS only)",
            build: || cloudcx::api_key("http://cx.example.com", "key"),
            want: Want::InsecureHttp { url: "http://cx.example.com" },
        },
        Case {
            name: "cloudcx_http_allowed_explicitly",
            source: "PasswordProfile::allow_http (a trusted private network)",
            build: || PasswordProfile::new("http://cx.example.com", "id", "secret", "si", "pw").allow_http().build(),
            want: built("http://cx.example.com/oauth/token", "http://cx.example.com/"),
        },
        Case {
            name: "cloudcx_http_on_127_0_0_1_needs_no_opt_in",
            source: "RFC 8252 §8.3 (loopback); edge case: a local gateway",
            build: || cloudcx::password("http://127.0.0.1:9001", "id", "secret", "si", "pw"),
            want: built("http://127.0.0.1:9001/oauth/token", "http://127.0.0.1:9001/"),
        },
        Case {
            name: "cloudcx_api_key_http_on_ipv6_loopback_needs_no_opt_in",
            source: "RFC 8252 §8.3 (loopback)",
            build: || cloudcx::api_key("http://[::1]:9001", "key"),
            want: Want::Built { token_url: None, api_base: "http://[::1]:9001/" },
        },
        Case {
            name: "bright_pattern_http_on_a_public_host_is_refused",
            source: "seeds/003 (http[s]://) limited by RFC 6749 §10.9",
            build: || bright_pattern::profile("http://bp.example.com", "clientid", "secret"),
            want: Want::InsecureHttp { url: "http://bp.example.com" },
        },
        Case {
            name: "bright_pattern_http_allowed_explicitly",
            source: "seeds/003 (http[s]://); TenantProfile::allow_http",
            build: || TenantProfile::new("http://bp.example.com", "clientid", "secret").allow_http().build(),
            want: built("http://bp.example.com/configapi/v2/oauth/token", "http://bp.example.com/"),
        },
        Case {
            name: "bright_pattern_http_on_localhost_needs_no_opt_in",
            source: "RFC 8252 §8.3 (loopback)",
            build: || bright_pattern::profile("http://localhost:8080", "clientid", "secret"),
            want: built("http://localhost:8080/configapi/v2/oauth/token", "http://localhost:8080/"),
        },
        Case {
            name: "mxo_http_on_a_public_host_is_refused",
            source: "seeds/000 (https://<oneservername>.thunderhead.com)",
            build: || mxo::profile("http://mxo.example.com", "id", "secret"),
            want: Want::InsecureHttp { url: "http://mxo.example.com" },
        },
        Case {
            name: "mxo_http_on_localhost_needs_no_opt_in",
            source: "RFC 8252 §8.3 (loopback); edge case: a mock server",
            build: || mxo::profile("http://localhost:8080", "id", "secret"),
            want: built("http://localhost:8080/one/oauth2token", "http://localhost:8080/"),
        },
        Case {
            name: "rfc6749_http_on_a_public_host_is_refused_naming_allow_http",
            source: "RFC 6749 §3.2 (TLS required at the token endpoint)",
            build: || rfc6749::client_credentials("http://as.example/token", "id", "secret"),
            want: Want::InsecureHttp { url: "http://as.example/token" },
        },
        Case {
            name: "rfc6749_http_on_127_0_0_1_needs_no_opt_in",
            source: "RFC 8252 §8.3 (loopback)",
            build: || rfc6749::client_credentials("http://127.0.0.1:8080/token", "id", "secret"),
            want: built("http://127.0.0.1:8080/token", "http://127.0.0.1:8080/"),
        },
        // --- MXO servers and ids ---
        Case {
            name: "mxo_server_with_a_slash_is_not_a_server_name",
            source: "MXO's documentation (server names such as eu2, na5, ap1)",
            build: || mxo::profile("eu2/x", "id", "secret"),
            want: Want::InvalidServer { server: "eu2/x" },
        },
        Case {
            name: "mxo_empty_server",
            source: "MXO's documentation",
            build: || mxo::profile("", "id", "secret"),
            want: Want::InvalidServer { server: "" },
        },
        Case {
            name: "mxo_server_starting_with_a_hyphen",
            source: "RFC 1123 §2.1 (a label does not start with a hyphen)",
            build: || mxo::profile("-bad", "id", "secret"),
            want: Want::InvalidServer { server: "-bad" },
        },
        Case {
            name: "mxo_server_ending_with_a_hyphen",
            source: "RFC 1123 §2.1",
            build: || mxo::profile("bad-", "id", "secret"),
            want: Want::InvalidServer { server: "bad-" },
        },
        Case {
            name: "mxo_server_with_an_inner_space",
            source: "edge case",
            build: || mxo::profile("eu 2", "id", "secret"),
            want: Want::InvalidServer { server: "eu 2" },
        },
        Case {
            name: "mxo_client_id_with_a_colon_cannot_travel_in_raw_basic",
            source: "seeds/000 (clientID:clientSecret, not form-encoded); RFC 7617 §2",
            build: || mxo::profile("eu2", "client:id", "secret"),
            want: Want::Invalid(ColonInRawBasicClientId),
        },
        Case {
            name: "mxo_secret_with_a_colon_is_fine",
            source: "RFC 7617 §2 (only the user-id may not hold a colon)",
            build: || mxo::profile("eu2", "2e8fec0e-34fb-4851-800e-9989331e55d2", "sec:ret"),
            want: built("https://eu2.thunderhead.com/one/oauth2token", "https://eu2.thunderhead.com/"),
        },
        // --- CloudCX API keys ---
        Case {
            name: "cloudcx_api_key_with_a_newline",
            source: "RFC 9110 §5.5 (no line breaks in a field value); seeds/001 (Authorization: Bearer {API KEY})",
            build: || cloudcx::api_key("cx.cloudfon.net", "k3y\nX-Injected: 1"),
            want: Want::Invalid(InvalidBearerCredential),
        },
        Case {
            name: "cloudcx_empty_api_key",
            source: "seeds/001 (Bearer {API KEY})",
            build: || cloudcx::api_key("cx.cloudfon.net", ""),
            want: Want::Invalid(InvalidBearerCredential),
        },
        Case {
            name: "cloudcx_api_key_with_a_space",
            source: "RFC 6750 §2.1 (b64token has no spaces)",
            build: || cloudcx::api_key("cx.cloudfon.net", "two words"),
            want: Want::Invalid(InvalidBearerCredential),
        },
        // --- credentials in a host ---
        Case {
            name: "cloudcx_credentials_in_a_bare_host",
            source: "RFC 3986 §3.2.1 (userinfo is deprecated for passwords); edge case",
            build: || cloudcx::password("user:pa55w0rd@cx.example.com", "id", "secret", "si", "pw"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "bright_pattern_credentials_in_a_base_url",
            source: "RFC 3986 §3.2.1; edge case",
            build: || bright_pattern::profile("https://admin:hunter2@bp.example.com", "clientid", "secret"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "mxo_credentials_in_a_base_url",
            source: "RFC 3986 §3.2.1; edge case",
            build: || mxo::profile("https://user:pa55w0rd@eu2.thunderhead.com", "id", "secret"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "mxo_credentials_before_a_server_name",
            source: "RFC 3986 §3.2.1; edge case: user:password@eu2",
            build: || mxo::profile("user:pa55w0rd@eu2", "id", "secret"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "cloudcx_credentials_whose_password_holds_a_slash",
            source: "RFC 3986 §3.2.1; edge case: a `/` ends the authority early, so the URL does not parse",
            build: || cloudcx::api_key("https://admin:s3cr/t@cx.example.com", "key"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "bright_pattern_credentials_whose_password_holds_a_question_mark",
            source: "RFC 3986 §3.2.1; edge case: a `?` ends the authority early",
            build: || bright_pattern::profile("admin:p?w0rd@bp.example.com", "clientid", "secret"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "cloudcx_credentials_whose_password_holds_a_hash",
            source: "RFC 3986 §3.2.1; edge case: a `#` ends the authority early",
            build: || cloudcx::password("https://admin:k3y#pa55@cx.example.com", "id", "secret", "si", "pw"),
            want: Want::InvalidHost { host: "[redacted]" },
        },
        Case {
            name: "rfc6749_credentials_in_the_token_url",
            source: "RFC 3986 §3.2.1; oauth-core TokenEndpoint (pass them as client authentication instead)",
            build: || rfc6749::client_credentials("https://app:hunter2@as.example/token", "id", "secret"),
            want: Want::InvalidEndpoint { url: "https://[redacted]@as.example/token" },
        },
        // --- reserved parameters ---
        Case {
            name: "rfc6749_param_client_id_is_reserved",
            source: "RFC 6749 §2.3.1 / §4.4.2 (the library writes client_id)",
            build: || Builder::new("https://as.example/token").client("id", "secret").param("client_id", "x").build(),
            want: Want::Invalid(MisuseError::ReservedParameter { name: "client_id".into() }),
        },
        Case {
            name: "rfc6749_param_scope_is_reserved",
            source: "RFC 6749 §3.3 (use Builder::scope)",
            build: || Builder::new("https://as.example/token").client("id", "secret").param("scope", "read").build(),
            want: Want::Invalid(MisuseError::ReservedParameter { name: "scope".into() }),
        },
        Case {
            name: "rfc6749_param_grant_type_is_reserved",
            source: "RFC 6749 §4.4.2 (use Builder::grant)",
            build: || {
                Builder::new("https://as.example/token").client("id", "secret").param("grant_type", "password").build()
            },
            want: Want::Invalid(MisuseError::ReservedParameter { name: "grant_type".into() }),
        },
        Case {
            name: "rfc6749_param_with_an_empty_name",
            source: "edge case (a form field needs a name)",
            build: || Builder::new("https://as.example/token").client("id", "secret").param("", "x").build(),
            want: Want::Invalid(MisuseError::ReservedParameter { name: "".into() }),
        },
    ]
}
