//! Generic RFC 6749 profile fixtures: the exact requests `rfc6749::client_credentials` and `rfc6749::Builder` produce
//! under each client-authentication method, and how the strict and lenient presets read the same answers.

mod support;

use std::time::{Duration, Instant};

use oauth_core::http::Response;
use oauth_core::{
    AuthMethod, BasicEncoding, ErrorCode, ErrorSource, ExpiresInProblem, Grant, JsonKind, ProtocolErrorKind, Quirks,
    Scope, Token, TokenError,
};
use oauth_providers::rfc6749::{self, Builder};
use oauth_providers::{Profile, ProfileError};
use support::{
    ExpectedRequest, Failures, answer, assert_hides, check_each, read_both_ways, request_mismatches, verdict,
};

/// RFC 6749's example client (§4.4.2, §4.3.2, §6) and the Basic header it documents.
const RFC_ID: &str = "s6BhdRkqt3";
const RFC_SECRET: &str = "gX1fBat3bV";
const RFC_BASIC: &str = "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW";
const RFC_TOKEN_URL: &str = "https://server.example.com/token";
/// The interop suite's secret that tells the Basic encodings apart (`TRICKY_SECRET` in interop/src/main.rs).
const INTEROP_SECRET: &str = "a b+c/d:e%f&g=h";

// ----- the requests -----

struct RequestCase {
    name: &'static str,
    source: &'static str,
    profile: fn() -> Result<Profile, ProfileError>,
    uri: &'static str,
    api_base: &'static str,
    /// The `Authorization` header, when the method sends one (it must then be sensitive).
    authorization: Option<&'static str>,
    body: &'static str,
}

fn rfc_client() -> Builder {
    Builder::new(RFC_TOKEN_URL).client(RFC_ID, RFC_SECRET)
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn request_cases() -> Vec<RequestCase> {
    vec![
        RequestCase {
            name: "client_credentials_shorthand_uses_percent_basic_and_the_token_url_origin_as_api_base",
            source: "RFC 6749 §4.4.2 example request (Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW)",
            profile: || rfc6749::client_credentials(RFC_TOKEN_URL, RFC_ID, RFC_SECRET),
            uri: RFC_TOKEN_URL,
            api_base: "https://server.example.com/",
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials",
        },
        RequestCase {
            name: "percent_basic_writes_space_as_percent_20_and_plus_as_percent_2b",
            source: "RFC 6749 §2.3.1 (form-encode, then Basic); the interop suite (Authlib refuses `+` for a space)",
            profile: || rfc6749::client_credentials("https://as.example/token", "app", "a b+c"),
            uri: "https://as.example/token",
            api_base: "https://as.example/",
            // base64("app:a%20b%2Bc")
            authorization: Some("Basic YXBwOmElMjBiJTJCYw=="),
            body: "grant_type=client_credentials",
        },
        RequestCase {
            name: "form_plus_basic_writes_space_as_plus",
            source: "RFC 6749 §2.3.1 read literally; the interop suite's secret `a b+c/d:e%f&g=h`",
            profile: || {
                Builder::new("https://as.example/token")
                    .client("interop-client", INTEROP_SECRET)
                    .auth_method(AuthMethod::Basic(BasicEncoding::FormPlus))
                    .build()
            },
            uri: "https://as.example/token",
            api_base: "https://as.example/",
            authorization: Some("Basic aW50ZXJvcC1jbGllbnQ6YStiJTJCYyUyRmQlM0FlJTI1ZiUyNmclM0Ro"),
            body: "grant_type=client_credentials",
        },
        RequestCase {
            name: "raw_basic_sends_the_secret_unencoded",
            source: "RFC 7617 §2; the interop suite's secret `a b+c/d:e%f&g=h`",
            profile: || {
                Builder::new("https://as.example/token")
                    .client("interop-client", INTEROP_SECRET)
                    .auth_method(AuthMethod::Basic(BasicEncoding::Raw))
                    .build()
            },
            uri: "https://as.example/token",
            api_base: "https://as.example/",
            // base64("interop-client:a b+c/d:e%f&g=h")
            authorization: Some("Basic aW50ZXJvcC1jbGllbnQ6YSBiK2MvZDplJWYmZz1o"),
            body: "grant_type=client_credentials",
        },
        RequestCase {
            name: "post_puts_id_and_secret_in_the_body_and_sends_no_authorization",
            source: "RFC 6749 §2.3.1 (client_secret_post)",
            profile: || rfc_client().auth_method(AuthMethod::Post).build(),
            uri: RFC_TOKEN_URL,
            api_base: "https://server.example.com/",
            authorization: None,
            body: "grant_type=client_credentials&client_id=s6BhdRkqt3&client_secret=gX1fBat3bV",
        },
        RequestCase {
            name: "public_client_sends_only_its_id_in_the_body",
            source: "RFC 6749 §2.1 / RFC 7591 token_endpoint_auth_method none",
            profile: || Builder::new(RFC_TOKEN_URL).public_client("public-app").build(),
            uri: RFC_TOKEN_URL,
            api_base: "https://server.example.com/",
            authorization: None,
            body: "grant_type=client_credentials&client_id=public-app",
        },
        RequestCase {
            name: "password_grant_with_basic_matches_the_rfc_example",
            source: "RFC 6749 §4.3.2 example request (grant_type=password&username=johndoe&password=A3ddj3w)",
            profile: || rfc_client().grant(Grant::password("johndoe", "A3ddj3w")).build(),
            uri: RFC_TOKEN_URL,
            api_base: "https://server.example.com/",
            authorization: Some(RFC_BASIC),
            body: "grant_type=password&username=johndoe&password=A3ddj3w",
        },
        RequestCase {
            name: "refresh_grant_with_basic_matches_the_rfc_example",
            source: "RFC 6749 §6 example request (grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA)",
            profile: || rfc_client().grant(Grant::refresh_token("tGzv3JOkF0XG5Qx2TlKWIA")).build(),
            uri: RFC_TOKEN_URL,
            api_base: "https://server.example.com/",
            authorization: Some(RFC_BASIC),
            body: "grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA",
        },
        RequestCase {
            name: "scope_and_extra_parameters_follow_the_grant_fields_and_api_base_can_differ",
            source: "rfc6749::Builder docs example; RFC 6749 §3.3 (scope), Auth0-style audience",
            profile: || {
                Builder::new("https://login.example/oauth2/token")
                    .client("app", "s3cr3t")
                    .auth_method(AuthMethod::Post)
                    .grant(Grant::password("ana", "pw"))
                    .scope(Scope::parse("read write").expect("valid scope"))
                    .param("audience", "https://api.example")
                    .api_base("https://api.example")
                    .build()
            },
            uri: "https://login.example/oauth2/token",
            api_base: "https://api.example/",
            authorization: None,
            body: "grant_type=password&client_id=app&client_secret=s3cr3t&username=ana&password=pw\
                   &scope=read+write&audience=https%3A%2F%2Fapi.example",
        },
        RequestCase {
            name: "repeated_resource_parameters_keep_their_order",
            source: "RFC 8707 §2 (resource may repeat)",
            profile: || {
                rfc_client().param("resource", "https://a.example").param("resource", "https://b.example").build()
            },
            uri: RFC_TOKEN_URL,
            api_base: "https://server.example.com/",
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example",
        },
        RequestCase {
            name: "loopback_http_token_url_needs_no_opt_in",
            source: "RFC 8252 §8.3 (loopback); oauth-core TokenEndpoint::new",
            profile: || rfc6749::client_credentials("http://127.0.0.1:8080/token", RFC_ID, RFC_SECRET),
            uri: "http://127.0.0.1:8080/token",
            api_base: "http://127.0.0.1:8080/",
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials",
        },
        RequestCase {
            name: "allow_http_accepts_a_private_http_token_url",
            source: "rfc6749::Builder::allow_http (a trusted private network)",
            profile: || Builder::new("http://as.internal/token").client(RFC_ID, RFC_SECRET).allow_http().build(),
            uri: "http://as.internal/token",
            api_base: "http://as.internal/",
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials",
        },
    ]
}

fn check_request(case: &RequestCase) -> Result<(), String> {
    let profile = (case.profile)().map_err(|e| format!("refused: {e}"))?;
    let (request, _pending) =
        profile.token_config().ok_or("no token config")?.build_request().map_err(|error| error.to_string())?;
    let want = ExpectedRequest {
        vendor: "rfc6749",
        api_base: case.api_base,
        uri: case.uri,
        authorization: case.authorization,
        body: case.body.as_bytes(),
    };
    verdict(request_mismatches(&profile, &request, &want))
}

#[test]
fn every_generic_profile_gives_its_exact_request() {
    check_each(request_cases(), |case| (case.name, case.source), check_request);
}

// ----- the presets -----

enum Expect {
    Token {
        access_token: &'static str,
        lifetime: Option<u64>,
        refresh_token: Option<&'static str>,
        scope: Option<&'static str>,
    },
    Server {
        code: Option<ErrorCode>,
        source: ErrorSource,
    },
    Protocol(ProtocolErrorKind),
}

/// One answer, read once under each preset.
struct PresetCase {
    name: &'static str,
    source: &'static str,
    status: u16,
    content_type: &'static str,
    body: &'static str,
    strict: Expect,
    lenient: Expect,
}

const JSON: &str = "application/json";
const RFC_6750_BODY: &str = r#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}"#;

fn token(access_token: &'static str, lifetime: Option<u64>) -> Expect {
    Expect::Token { access_token, lifetime, refresh_token: None, scope: None }
}

fn expires_in(problem: ExpiresInProblem) -> Expect {
    Expect::Protocol(ProtocolErrorKind::InvalidExpiresIn { problem })
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn preset_cases() -> Vec<PresetCase> {
    vec![
        PresetCase {
            name: "rfc_6750_example_is_a_token_under_both_presets",
            source: "RFC 6750 §4 example response",
            status: 200,
            content_type: "application/json;charset=UTF-8",
            body: RFC_6750_BODY,
            strict: Expect::Token {
                access_token: "mF_9.B5f-4.1JqM",
                lifetime: Some(3600),
                refresh_token: Some("tGzv3JOkF0XG5Qx2TlKWIA"),
                scope: None,
            },
            lenient: Expect::Token {
                access_token: "mF_9.B5f-4.1JqM",
                lifetime: Some(3600),
                refresh_token: Some("tGzv3JOkF0XG5Qx2TlKWIA"),
                scope: None,
            },
        },
        PresetCase {
            name: "rfc_5_1_example_token_type_is_refused_under_both_presets",
            source: "RFC 6749 §5.1 example response (token_type \"example\")",
            status: 200,
            content_type: "application/json;charset=UTF-8",
            body: r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","example_parameter":"example_value"}"#,
            strict: Expect::Protocol(ProtocolErrorKind::UnsupportedTokenType { token_type: "example".into() }),
            lenient: Expect::Protocol(ProtocolErrorKind::UnsupportedTokenType { token_type: "example".into() }),
        },
        PresetCase {
            name: "string_expires_in_is_refused_by_strict_and_read_by_lenient",
            source: "seeds/003 (Bright Pattern sends \"3599\"); RFC 6749 §5.1 (a number)",
            status: 200,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":"3599"}"#,
            strict: expires_in(ExpiresInProblem::StringNotAllowed),
            lenient: token("6E1A", Some(3599)),
        },
        PresetCase {
            name: "fractional_expires_in_is_refused_by_strict_and_floored_by_lenient",
            source: "edge case: a serialiser writing a float",
            status: 200,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":3600.5}"#,
            strict: expires_in(ExpiresInProblem::FractionNotAllowed),
            lenient: token("6E1A", Some(3600)),
        },
        PresetCase {
            name: "missing_token_type_is_refused_by_strict_and_bearer_for_lenient",
            source: "RFC 6749 §5.1 (token_type REQUIRED); edge case seen in the field",
            status: 200,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","expires_in":3600}"#,
            strict: Expect::Protocol(ProtocolErrorKind::MissingTokenType),
            lenient: token("6E1A", Some(3600)),
        },
        PresetCase {
            name: "json_labelled_text_plain_is_refused_by_strict_and_read_by_lenient",
            source: "RFC 6749 §5.1 (application/json); edge case: a mislabelled answer",
            status: 200,
            content_type: "text/plain",
            body: r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":3600}"#,
            strict: Expect::Protocol(ProtocolErrorKind::UnexpectedContentType),
            lenient: token("6E1A", Some(3600)),
        },
        PresetCase {
            name: "status_201_is_refused_by_strict_and_a_success_for_lenient",
            source: "RFC 6749 §5.1 (200 OK); edge case: 201 Created",
            status: 201,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":3600}"#,
            strict: Expect::Protocol(ProtocolErrorKind::UnexpectedStatus),
            lenient: token("6E1A", Some(3600)),
        },
        PresetCase {
            name: "form_encoded_success_is_refused_by_strict_and_read_by_lenient",
            source: "edge case: GitHub-style form-encoded token answer",
            status: 200,
            content_type: "application/x-www-form-urlencoded",
            body: "access_token=2YotnFZFEjr1zCsicMWpAA&token_type=bearer&expires_in=3600",
            strict: Expect::Protocol(ProtocolErrorKind::UnexpectedContentType),
            lenient: token("2YotnFZFEjr1zCsicMWpAA", Some(3600)),
        },
        PresetCase {
            name: "scope_array_is_refused_by_strict_and_joined_by_lenient",
            source: "RFC 6749 §3.3 (space-delimited string); edge case: a JSON array",
            status: 200,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":3600,"scope":["read","write"]}"#,
            strict: Expect::Protocol(ProtocolErrorKind::FieldType { field: "scope", found: JsonKind::Array }),
            lenient: Expect::Token {
                access_token: "6E1A",
                lifetime: Some(3600),
                refresh_token: None,
                scope: Some("read write"),
            },
        },
        PresetCase {
            name: "null_refresh_token_is_refused_by_strict_and_absent_for_lenient",
            source: "edge case: a serialiser writing every field",
            status: 200,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":3600,"refresh_token":null}"#,
            strict: Expect::Protocol(ProtocolErrorKind::FieldType { field: "refresh_token", found: JsonKind::Null }),
            lenient: token("6E1A", Some(3600)),
        },
        PresetCase {
            name: "missing_expires_in_means_no_expiry_under_both_presets",
            source: "RFC 6749 §5.1 (expires_in RECOMMENDED); the generic profile sets no default lifetime",
            status: 200,
            content_type: JSON,
            body: r#"{"access_token":"6E1A","token_type":"Bearer"}"#,
            strict: token("6E1A", None),
            lenient: token("6E1A", None),
        },
        PresetCase {
            name: "rfc_5_2_error_is_read_from_the_body_under_both_presets",
            source: "RFC 6749 §5.2 example error response",
            status: 400,
            content_type: "application/json;charset=UTF-8",
            body: r#"{"error":"invalid_request"}"#,
            strict: Expect::Server { code: Some(ErrorCode::InvalidRequest), source: ErrorSource::OAuthBody },
            lenient: Expect::Server { code: Some(ErrorCode::InvalidRequest), source: ErrorSource::OAuthBody },
        },
        PresetCase {
            name: "vendor_code_envelope_means_nothing_to_the_generic_profile",
            source: "CloudCX's documentation (CloudCX's envelope is a CloudCX quirk, not RFC 6749)",
            status: 400,
            content_type: JSON,
            body: r#"{"code":"0001","message":"Invalid client"}"#,
            strict: Expect::Server { code: None, source: ErrorSource::StatusOnly },
            lenient: Expect::Server { code: None, source: ErrorSource::StatusOnly },
        },
    ]
}

fn check(expect: &Expect, status: u16, outcome: Result<Token, TokenError>, sent_at: Instant) -> Result<(), String> {
    match (expect, outcome) {
        (Expect::Token { access_token, lifetime, refresh_token, scope }, Ok(token)) => {
            let mut bad = Vec::new();
            if token.access_token().secret() != *access_token {
                bad.push("access_token".to_owned());
            }
            let lifetime = lifetime.map(Duration::from_secs);
            if token.lifetime() != lifetime || token.expires_at() != lifetime.map(|l| sent_at + l) {
                bad.push(format!("lifetime {:?}, expires_at is not sent_at + lifetime", token.lifetime()));
            }
            if token.refresh_token().map(|t| t.secret()) != *refresh_token {
                bad.push("refresh_token".to_owned());
            }
            if token.scope().map(|s| s.as_str()) != *scope {
                bad.push(format!("scope {:?}", token.scope()));
            }
            verdict(bad)
        }
        (Expect::Server { code, source }, Err(TokenError::Server(error)))
            if error.status.as_u16() == status && error.code == *code && error.source == *source =>
        {
            Ok(())
        }
        (Expect::Protocol(kind), Err(TokenError::Protocol(error))) if error.kind == *kind => Ok(()),
        (_, Ok(token)) => Err(format!("unexpected token {token:?}")),
        (_, Err(error)) => Err(format!("unexpected error {error:?}")),
    }
}

#[test]
fn strict_and_lenient_presets_read_each_answer_as_expected() {
    let lenient = rfc_client().build().expect("valid fixture profile");
    let strict = rfc_client().quirks(Quirks::strict()).build().expect("valid fixture profile");
    let sent_at = Instant::now();
    let mut failures = Failures::default();
    let presets = [("strict", &strict, Quirks::strict()), ("lenient", &lenient, Quirks::lenient())];
    for (preset, profile, quirks) in &presets {
        if profile.token_config().expect("tokens").endpoint().quirks() != quirks {
            failures.push(format!("the {preset} profile does not read with Quirks::{preset}()"));
        }
    }
    for case in preset_cases() {
        failures.name(case.name);
        let answer = answer(case.status, &[("content-type", case.content_type)], case.body);
        for ((preset, profile, _), expect) in presets.iter().zip([&case.strict, &case.lenient]) {
            let config = profile.token_config().expect("tokens");
            for (path, outcome) in read_both_ways(config, &answer, sent_at) {
                let label = format!("{} [{preset}, {path}]", case.name);
                failures.record(&label, case.source, check(expect, case.status, outcome, sent_at));
            }
        }
    }
    failures.assert_none();
}

#[test]
fn builder_quirk_and_default_lifetime_change_only_what_they_name() {
    let profile = rfc_client()
        .quirks(Quirks::strict())
        .quirk(|q| q.expires_in_as_string = true)
        .default_lifetime(Duration::from_secs(600))
        .build()
        .expect("valid fixture profile");
    let endpoint = profile.token_config().expect("tokens").endpoint();
    let sent_at = Instant::now();
    let read = |content_type: &str, body: &'static str| {
        let answer = Response::builder().header("content-type", content_type).body(body).expect("valid fixture");
        endpoint.parse_response(&answer, sent_at)
    };
    let string = read(JSON, r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":"3599"}"#);
    assert_eq!(string.map(|t| t.lifetime()).ok(), Some(Some(Duration::from_secs(3599))), "the switched-on quirk");
    let missing = read(JSON, r#"{"access_token":"6E1A","token_type":"Bearer"}"#).expect("a token");
    assert_eq!(missing.expires_at(), Some(sent_at + Duration::from_secs(600)), "the default lifetime");
    let mislabelled = read("text/plain", r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":3600}"#);
    assert!(
        matches!(&mislabelled, Err(TokenError::Protocol(e)) if e.kind == ProtocolErrorKind::UnexpectedContentType),
        "the rest stays strict: {mislabelled:?}"
    );
}

// ----- secrets -----

#[test]
fn generic_profiles_and_builders_never_print_the_secret_or_password() {
    let builder = rfc_client().grant(Grant::password("johndoe", "A3ddj3w-pa55"));
    let profile = builder.clone().build().expect("valid fixture profile");
    let printed = format!("{builder:?} {profile:?} {:?}", profile.access());
    assert_hides("Debug", &printed, &[RFC_SECRET, "A3ddj3w-pa55", "czZCaGRSa3F0MzpnWDFmQmF0M2JW"]);
}

#[test]
fn the_generic_profile_may_fall_back_to_other_auth_methods_only_when_none_was_chosen() {
    use oauth_core::{AuthMethod, BasicEncoding};
    let url = "https://as.example/token";
    let default = rfc6749::client_credentials(url, "app", "s3cr3t").expect("valid");
    let config = default.token_config().expect("exchange");
    assert_eq!(config.auth().method(), AuthMethod::Basic(BasicEncoding::Percent));
    assert_eq!(config.auth_fallbacks(), [AuthMethod::Basic(BasicEncoding::Raw), AuthMethod::Post]);

    let chosen = rfc6749::Builder::new(url).client("app", "s").auth_method(AuthMethod::Post).build().expect("valid");
    assert!(chosen.token_config().expect("exchange").auth_fallbacks().is_empty(), "an explicit choice is kept");

    let public = rfc6749::Builder::new(url).public_client("app").build().expect("valid");
    assert!(public.token_config().expect("exchange").auth_fallbacks().is_empty(), "nothing to fall back to");

    for vendor in [
        oauth_providers::mxo::profile("eu2", "id", "s").expect("valid"),
        oauth_providers::cloudcx::password("cx.example.com", "id", "s", "u", "p").expect("valid"),
        oauth_providers::bright_pattern::profile("t.example.com", "id", "s").expect("valid"),
    ] {
        let config = vendor.token_config().expect("exchange");
        assert!(config.auth_fallbacks().is_empty(), "{}: the vendor's documented method is fixed", vendor.vendor());
    }
}

#[test]
fn each_profile_says_which_401s_mean_a_dead_token() {
    use oauth_core::RetryOn401;
    let cases: [(&str, oauth_providers::Profile, RetryOn401); 5] = [
        // MXO's documentation: the Datastores swagger lists 401 for "Invalid OAuth 2.0 token", no challenge.
        ("mxo", oauth_providers::mxo::profile("eu2", "id", "s").expect("valid"), RetryOn401::Any),
        // Bright Pattern's documentation: 401 for an expired or malformed token; the Config API sends status codes only.
        (
            "bright pattern",
            oauth_providers::bright_pattern::profile("t.example.com", "id", "s").expect("valid"),
            RetryOn401::Any,
        ),
        // CloudCX does not document its 401s (inferred); one retry on any 401 is the safe default.
        (
            "cloudcx",
            oauth_providers::cloudcx::password("cx.example.com", "id", "s", "u", "p").expect("valid"),
            RetryOn401::Any,
        ),
        // RFC 6750 §3.1: the invalid_token challenge.
        (
            "rfc6749",
            rfc6749::client_credentials("https://as.example/token", "id", "s").expect("valid"),
            RetryOn401::InvalidToken,
        ),
        (
            "rfc6749 told otherwise",
            rfc6749::Builder::new("https://as.example/token")
                .client("id", "s")
                .retry_on_401(RetryOn401::Any)
                .build()
                .expect("valid"),
            RetryOn401::Any,
        ),
    ];
    for (name, profile, want) in cases {
        assert_eq!(profile.token_config().expect("an exchange").retry_on_401(), want, "{name}");
    }
}
