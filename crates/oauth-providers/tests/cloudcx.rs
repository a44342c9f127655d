//! CloudCX conformance fixtures: the exact password-grant, refresh and API-key requests the profiles build, the
//! documented token answer and `code` envelopes read through the profile's quirks, and `read_envelope` on API answers
//! (seeds/001, seeds/002, CloudCX's documentation).

mod support;

use std::time::Instant;

use oauth_core::http::{Request, Response, StatusCode};
use oauth_core::{Access, BodyExcerpt, ErrorCode, ErrorSource, Grant, ProtocolErrorKind, Token, TokenError};
use oauth_providers::cloudcx::{self, ApiError, Page, PasswordProfile, User, UsernameField};
use oauth_providers::{Profile, ProfileError};
use support::{
    ExpectedRequest, Failures, answer, assert_hides, check_each, read_both_ways, request_mismatches, server_mismatches,
    token_mismatches, verdict,
};

/// seeds/001's cURL request, as published: the page masks parts of every value with `*`, kept here as they are.
const SEED_ID: &str = "2603****************814845";
const SEED_SECRET: &str = "6d624c35-978b-*********-59d727f2ea19";
const SEED_USER: &str = "si*****";
const SEED_PASSWORD: &str = "A******";

/// The client id the seed's JWT names in `sub` and `aud` (CloudCX's documentation: both equal the client id), a secret shaped
/// like the seed's with its masked middle filled in, and a password with characters the form must escape.
const CX_ID: &str = "260390634491792831814845";
const CX_SECRET: &str = "6d624c35-978b-4e1f-a2b3-59d727f2ea19";
const CX_PASSWORD: &str = "A1 b&c=d%";
const CX_API_KEY: &str = "cx-4f2a9e71c0b84d1e9a3f5b6c7d8e9f01";

/// The access token of seeds/001's response example, as published: the page masks part of the JWT header with `*`,
/// which is visible ASCII, so the token is kept as it is.
const CLOUDCX_JWT: &str = include_str!("../../../fixtures/seeds/cloudcx-access-token.txt");

/// seeds/001's token response example, with the token above (the JSON is well-formed as published).
const SEED_TOKEN_RESPONSE: &str = include_str!("../../../fixtures/seeds/cloudcx-token-response.json");

/// seeds/001's `/openapi/v2/user/page` response example. The page shows it twice (after the OAuth and the API-key
/// cURL examples); both copies are identical, byte for byte, and this is that text.
const SEED_USER_PAGE: &str = r#"{
"code": "0000",
"message": null,
"data": {
"totalPages": 1,
"totalElements": 1,
"size": 25,
"number": 0,
"numberOfElements": 1,
"content": [
{
"id": "75d86d40-f7d9-4025-8a1c-8a868f918289",
"loginCode": "freesiaTest",
"roles": [
"Admin",
"Agents"
],
"firstName": "freesia",
"lastName": "Test",
"email": "frees1aa@gmail.com",
"phoneNumber": null,
"uniqueCode": null
}
]
}
}"#;

// ----- the requests -----

struct RequestCase {
    name: &'static str,
    source: &'static str,
    profile: fn() -> Result<Profile, ProfileError>,
    /// `Some(refresh token)`: the case is the refresh request built from the profile's configuration.
    refresh: Option<&'static str>,
    uri: &'static str,
    api_base: &'static str,
    body: &'static str,
    /// When the case reproduces a documented request: its form fields in the document's order. The body must hold
    /// exactly these pairs (the library writes `grant_type` first; order carries no meaning in a form).
    documented_fields: &'static [(&'static str, &'static str)],
}

/// The refresh request the brief prescribes: the profile's endpoint and client, the primary request's scope and
/// parameters, a refresh-token grant.
fn refresh_request(profile: &Profile, refresh_token: &str) -> Request<Vec<u8>> {
    let config = profile.token_config().expect("a password profile exchanges tokens");
    let (request, _pending) = config
        .endpoint()
        .build_request(config.auth(), &config.request().with_grant(Grant::refresh_token(refresh_token)));
    request
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn request_cases() -> Vec<RequestCase> {
    vec![
        RequestCase {
            name: "seed_curl_password_grant_sends_all_five_fields_in_the_form_body",
            source: "seeds/001 cURL Request example (https://cloudcx.example.com/oauth/token, --data-urlencode × 5). \
                     Liberty taken: the masked values are kept with their `*`, which the form writes as is where \
                     curl --data-urlencode writes %2A; both decode to the same value",
            profile: || cloudcx::password("cloudcx.example.com", SEED_ID, SEED_SECRET, SEED_USER, SEED_PASSWORD),
            refresh: None,
            uri: "https://cloudcx.example.com/oauth/token",
            api_base: "https://cloudcx.example.com/",
            body: "grant_type=password&client_id=2603****************814845\
                   &client_secret=6d624c35-978b-*********-59d727f2ea19&username=si*****&password=A******",
            documented_fields: &[
                ("client_id", SEED_ID),
                ("client_secret", SEED_SECRET),
                ("grant_type", "password"),
                ("username", SEED_USER),
                ("password", SEED_PASSWORD),
            ],
        },
        RequestCase {
            name: "domain_with_port_9001_keeps_the_port_in_the_token_url",
            source: "seeds/001 Postman step (3) (\"if your Control Panel domain is cx.cloudfon.net:9001, the API \
                     request should be https://cx.cloudfon.net:9001/oauth/token\")",
            profile: || cloudcx::password("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "si", CX_PASSWORD),
            refresh: None,
            uri: "https://cx.cloudfon.net:9001/oauth/token",
            api_base: "https://cx.cloudfon.net:9001/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=A1+b%26c%3Dd%25",
            documented_fields: &[],
        },
        RequestCase {
            name: "domain_given_as_a_base_url_gives_the_same_token_url",
            source: "CloudCX's documentation (https://{domain}[:port]/oauth/token); the Kong gateway's ports 443/9001/9006",
            profile: || cloudcx::password("https://cx.cloudfon.net:9006/", CX_ID, CX_SECRET, "si", "pw"),
            refresh: None,
            uri: "https://cx.cloudfon.net:9006/oauth/token",
            api_base: "https://cx.cloudfon.net:9006/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=pw",
            documented_fields: &[],
        },
        RequestCase {
            name: "email_field_variant_sends_email_instead_of_username_on_the_9001_domain",
            source: "seeds/001 Postman step (5) (email, password, grant_type, client_id) with the :9001 domain of \
                     step (3). The profile still sends client_secret, as the cURL example does",
            profile: || {
                PasswordProfile::new("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "ana@example.com", "pw")
                    .username_field(UsernameField::Email)
                    .build()
            },
            refresh: None,
            uri: "https://cx.cloudfon.net:9001/oauth/token",
            api_base: "https://cx.cloudfon.net:9001/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&email=ana%40example.com&password=pw",
            documented_fields: &[],
        },
        RequestCase {
            name: "email_field_variant_on_the_seed_002_domain",
            source: "seeds/002 Postman steps (3) and (5) (https://cx.cloudcx.net/oauth/token; email, password, \
                     grant_type, client_id)",
            profile: || {
                PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "ana@example.com", CX_PASSWORD)
                    .username_field(UsernameField::Email)
                    .build()
            },
            refresh: None,
            uri: "https://cx.cloudcx.net/oauth/token",
            api_base: "https://cx.cloudcx.net/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&email=ana%40example.com&password=A1+b%26c%3Dd%25",
            documented_fields: &[],
        },
        RequestCase {
            name: "username_field_is_the_default",
            source: "CloudCX's documentation (send username, allow a field-name override)",
            profile: || {
                PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "si", "pw")
                    .username_field(UsernameField::Username)
                    .build()
            },
            refresh: None,
            uri: "https://cx.cloudcx.net/oauth/token",
            api_base: "https://cx.cloudcx.net/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=pw",
            documented_fields: &[],
        },
        RequestCase {
            name: "refresh_goes_to_the_same_url_with_the_client_credentials_in_the_body",
            source: "seeds/001 (\"can be renewed using the refresh token\"); CloudCX's documentation, Refresh (inferred: standard shape)",
            profile: || cloudcx::password("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "si", CX_PASSWORD),
            refresh: Some("r1"),
            uri: "https://cx.cloudfon.net:9001/oauth/token",
            api_base: "https://cx.cloudfon.net:9001/",
            body: "grant_type=refresh_token&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&refresh_token=r1",
            documented_fields: &[],
        },
        RequestCase {
            name: "refresh_from_the_email_variant_carries_neither_email_nor_password",
            source: "CloudCX's documentation, Refresh (inferred); the email variant's fields belong to the password grant only",
            profile: || {
                PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "ana@example.com", CX_PASSWORD)
                    .username_field(UsernameField::Email)
                    .build()
            },
            refresh: Some("r1"),
            uri: "https://cx.cloudcx.net/oauth/token",
            api_base: "https://cx.cloudcx.net/",
            body: "grant_type=refresh_token&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&refresh_token=r1",
            documented_fields: &[],
        },
        RequestCase {
            name: "allow_http_serves_a_private_gateway_over_plain_http",
            source: "cloud-cx/cloudfon-cx-install (self-hosted Kong gateway on 9006); PasswordProfile::allow_http",
            profile: || {
                PasswordProfile::new("http://cx.internal:9006", CX_ID, CX_SECRET, "si", "pw").allow_http().build()
            },
            refresh: None,
            uri: "http://cx.internal:9006/oauth/token",
            api_base: "http://cx.internal:9006/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=pw",
            documented_fields: &[],
        },
    ]
}

fn check_request(case: &RequestCase) -> Result<(), String> {
    let profile = (case.profile)().map_err(|e| format!("refused: {e}"))?;
    let request = match case.refresh {
        Some(refresh_token) => refresh_request(&profile, refresh_token),
        None => profile.token_config().ok_or("no token config")?.build_request().0,
    };
    let want = ExpectedRequest {
        vendor: "cloudcx",
        api_base: case.api_base,
        uri: case.uri,
        // seeds/001: the form Content-Type and no Authorization header (the client authenticates in the body).
        authorization: None,
        body: case.body.as_bytes(),
    };
    let mut bad = request_mismatches(&profile, &request, &want);
    if !case.documented_fields.is_empty() {
        let mut sent: Vec<(String, String)> = form_urlencoded::parse(request.body()).into_owned().collect();
        let mut documented: Vec<(String, String)> =
            case.documented_fields.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        sent.sort();
        documented.sort();
        if sent != documented {
            bad.push(format!("form fields {sent:?} are not the documented {documented:?}"));
        }
    }
    verdict(bad)
}

#[test]
fn every_password_and_refresh_request_has_its_exact_bytes() {
    check_each(request_cases(), |case| (case.name, case.source), check_request);
}

// ----- the API key -----

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

// ----- token-endpoint answers -----

enum Expect {
    Token {
        access_token: &'static str,
        lifetime: u64,
        /// Every extra field, as JSON text.
        extras: &'static [(&'static str, &'static str)],
    },
    Server {
        code: Option<ErrorCode>,
        source: ErrorSource,
        vendor_code: Option<&'static str>,
        description: Option<&'static str>,
        retryable: bool,
    },
    Protocol(ProtocolErrorKind),
}

struct ResponseCase {
    name: &'static str,
    source: &'static str,
    status: u16,
    content_type: &'static str,
    body: &'static str,
    expect: Expect,
}

/// A server error read from the CloudCX `code` envelope.
fn envelope(vendor_code: &'static str, description: Option<&'static str>, code: Option<ErrorCode>) -> Expect {
    Expect::Server {
        code,
        source: ErrorSource::VendorEnvelope,
        vendor_code: Some(vendor_code),
        description,
        retryable: false,
    }
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn response_cases() -> Vec<ResponseCase> {
    const JSON: &str = "application/json";
    vec![
        ResponseCase {
            name: "seed_response_is_a_3599_s_bearer_token",
            source: "seeds/001 Response example (well-formed as published; the token's `*` masking kept)",
            status: 200,
            content_type: JSON,
            body: SEED_TOKEN_RESPONSE,
            expect: Expect::Token { access_token: CLOUDCX_JWT, lifetime: 3599, extras: &[] },
        },
        ResponseCase {
            name: "failure_code_on_http_200_is_a_vendor_error_not_a_missing_token",
            source: "CloudCX's documentation, Errors (any code but \"0000\" is an error, even on HTTP 200); message invented",
            status: 200,
            content_type: JSON,
            body: r#"{"code":"0001","message":"Invalid username or password","data":null}"#,
            expect: envelope("0001", Some("Invalid username or password"), None),
        },
        ResponseCase {
            name: "failure_code_on_http_400_is_a_vendor_error",
            source: "CloudCX's documentation, Errors (inferred); message invented",
            status: 400,
            content_type: JSON,
            body: r#"{"code":"0001","message":"Invalid username or password"}"#,
            expect: envelope("0001", Some("Invalid username or password"), None),
        },
        ResponseCase {
            name: "failure_code_on_http_401_is_a_vendor_error_read_as_invalid_client",
            source: "CloudCX's documentation, Errors (inferred); RFC 6749 §5.2 (401 answers a failed client authentication)",
            status: 401,
            content_type: JSON,
            body: r#"{"code":"0001","message":"Bad client credentials"}"#,
            expect: envelope("0001", Some("Bad client credentials"), Some(ErrorCode::InvalidClient)),
        },
        ResponseCase {
            name: "numeric_failure_code_is_kept_as_its_decimal_text",
            source: "CloudCX's documentation, Errors (inferred: the code's JSON type is undocumented)",
            status: 200,
            content_type: JSON,
            body: r#"{"code":1,"message":"Invalid client"}"#,
            expect: envelope("1", Some("Invalid client"), None),
        },
        ResponseCase {
            name: "failure_code_without_a_message_has_no_description",
            source: "CloudCX's documentation, Errors (inferred); the user-page example's message is null on success",
            status: 200,
            content_type: JSON,
            body: r#"{"code":"0002","message":null}"#,
            expect: envelope("0002", None, None),
        },
        ResponseCase {
            name: "success_code_beside_a_token_is_a_success_with_the_envelope_kept_as_extras",
            source: "CloudCX's documentation, Errors (\"0000\" means success); seeds/001 token fields inside the envelope",
            status: 200,
            content_type: JSON,
            body: r#"{"code":"0000","message":null,"access_token":"eyJ.cx.t0k","token_type":"Bearer","expires_in":3599}"#,
            expect: Expect::Token {
                access_token: "eyJ.cx.t0k",
                lifetime: 3599,
                extras: &[("code", r#""0000""#), ("message", "null")],
            },
        },
        ResponseCase {
            name: "success_code_without_a_token_is_a_missing_access_token",
            source: "CloudCX's documentation, Errors (\"0000\" is not an error, so the answer is a token response without one)",
            status: 200,
            content_type: JSON,
            body: r#"{"code":"0000","message":null,"data":null}"#,
            expect: Expect::Protocol(ProtocolErrorKind::MissingAccessToken),
        },
        ResponseCase {
            name: "rfc_6749_error_body_is_read_as_oauth_even_with_the_envelope_configured",
            source: "CloudCX's documentation, Errors (\"Token-endpoint errors are probably RFC 6749 JSON\", Spring style)",
            status: 400,
            content_type: JSON,
            body: r#"{"error":"invalid_grant","error_description":"Bad credentials"}"#,
            expect: Expect::Server {
                code: Some(ErrorCode::InvalidGrant),
                source: ErrorSource::OAuthBody,
                vendor_code: None,
                description: Some("Bad credentials"),
                retryable: false,
            },
        },
        ResponseCase {
            name: "failure_code_on_http_503_is_retryable_by_its_status",
            source: "CloudCX's documentation, Errors (inferred); RFC 9110 §15.6.4; message invented",
            status: 503,
            content_type: JSON,
            body: r#"{"code":"9999","message":"Service busy"}"#,
            expect: Expect::Server {
                code: None,
                source: ErrorSource::VendorEnvelope,
                vendor_code: Some("9999"),
                description: Some("Service busy"),
                retryable: true,
            },
        },
        ResponseCase {
            name: "html_502_from_the_gateway_is_status_only_and_retryable",
            source: "cloud-cx/cloudfon-cx-install (Kong gateway in front); an nginx-style 502 page",
            status: 502,
            content_type: "text/html",
            body: "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
            expect: Expect::Server {
                code: None,
                source: ErrorSource::StatusOnly,
                vendor_code: None,
                description: None,
                retryable: true,
            },
        },
    ]
}

fn check(expect: &Expect, status: u16, outcome: Result<Token, TokenError>, sent_at: Instant) -> Result<(), String> {
    match (expect, outcome) {
        (Expect::Token { access_token, lifetime, extras }, Ok(token)) => {
            let mut bad = token_mismatches(&token, access_token, *lifetime, sent_at);
            if token.extras().len() != extras.len() {
                bad.push(format!("extras {:?}", token.extras()));
            }
            for (name, json) in *extras {
                let want: serde_json::Value = serde_json::from_str(json).expect("fixture extras are JSON");
                if token.extras().get(name) != Some(&want) {
                    bad.push(format!("extra {name} = {:?}", token.extras().get(name)));
                }
            }
            verdict(bad)
        }
        (Expect::Server { code, source, vendor_code, description, retryable }, Err(TokenError::Server(error))) => {
            let mut bad = server_mismatches(&error, status, code.as_ref(), *source, *description, *retryable);
            if error.vendor_code.as_deref() != *vendor_code {
                bad.push(format!("vendor_code {:?}", error.vendor_code));
            }
            verdict(bad)
        }
        (Expect::Protocol(kind), Err(TokenError::Protocol(error))) if error.kind == *kind => Ok(()),
        (_, Ok(token)) => Err(format!("unexpected token {token:?}")),
        (_, Err(error)) => Err(format!("unexpected error {error:?}")),
    }
}

fn password_profile() -> Profile {
    cloudcx::password("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "si", CX_PASSWORD).expect("valid fixture profile")
}

#[test]
fn documented_answers_and_code_envelopes_read_through_the_cloudcx_profile_quirks() {
    let profile = password_profile();
    let config = profile.token_config().expect("a password profile exchanges tokens");
    let sent_at = Instant::now();
    let mut failures = Failures::default();
    for case in response_cases() {
        failures.name(case.name);
        let answer = answer(case.status, &[("content-type", case.content_type)], case.body);
        for (path, outcome) in read_both_ways(config, &answer, sent_at) {
            let label = format!("{} [{path}]", case.name);
            failures.record(&label, case.source, check(&case.expect, case.status, outcome, sent_at));
        }
    }
    failures.assert_none();
}

#[test]
fn envelope_message_echoing_the_password_is_scrubbed_by_the_pending_exchange() {
    // CloudCX does not document its errors, so a message may repeat what was sent; the exchange knows the password.
    let (_request, pending) = password_profile().token_config().expect("tokens").build_request();
    let body = r#"{"code":"0001","message":"password A1 b&c=d% is wrong"}"#;
    let answer = Response::builder().status(401).body(body).expect("valid");
    let error = pending.finish(&answer, Instant::now()).expect_err("an envelope error");
    let printed = format!("{error} {error:?}");
    assert!(!printed.contains(CX_PASSWORD), "the password is printed: {printed}");
    let TokenError::Server(server) = error else { panic!("not a server error: {printed}") };
    assert_eq!(server.description.as_deref(), Some("password [redacted] is wrong"));
}

// ----- API envelopes -----

fn check_seed_user_page(page: &Page<User>) -> Result<(), String> {
    let mut bad = Vec::new();
    let counts = (page.total_pages, page.total_elements, page.size, page.number, page.number_of_elements);
    if counts != (1, 1, 25, 0, 1) {
        bad.push(format!("(totalPages, totalElements, size, number, numberOfElements) = {counts:?}"));
    }
    let [user] = page.content.as_slice() else {
        return Err(format!("content holds {} users", page.content.len()));
    };
    if user.id != "75d86d40-f7d9-4025-8a1c-8a868f918289" {
        bad.push(format!("id {}", user.id));
    }
    if user.login_code.as_deref() != Some("freesiaTest") {
        bad.push(format!("loginCode {:?}", user.login_code));
    }
    if user.roles != ["Admin", "Agents"] {
        bad.push(format!("roles {:?}", user.roles));
    }
    if user.first_name.as_deref() != Some("freesia") {
        bad.push(format!("firstName {:?}", user.first_name));
    }
    if user.last_name.as_deref() != Some("Test") {
        bad.push(format!("lastName {:?}", user.last_name));
    }
    if user.email.as_deref() != Some("frees1aa@gmail.com") {
        bad.push(format!("email {:?}", user.email));
    }
    if user.phone_number.is_some() {
        bad.push(format!("phoneNumber {:?}", user.phone_number));
    }
    if user.unique_code.is_some() {
        bad.push(format!("uniqueCode {:?}", user.unique_code));
    }
    verdict(bad)
}

#[test]
fn seed_user_page_reads_into_a_page_of_users_with_every_field() {
    let page: Page<User> = cloudcx::read_envelope(StatusCode::OK, SEED_USER_PAGE.as_bytes())
        .unwrap_or_else(|e| panic!("seeds/001 user page: {e}"));
    if let Err(e) = check_seed_user_page(&page) {
        panic!("seeds/001 user page: {e}");
    }
}

/// What `read_envelope::<Page<User>>` must give.
enum Api {
    /// The data; the check says what it must hold.
    Data(fn(&Page<User>) -> Result<(), String>),
    Vendor {
        code: &'static str,
        message: Option<&'static str>,
    },
    /// `ApiError::Status` with the body's excerpt.
    Status,
    /// `ApiError::Malformed`, whatever the reader's message.
    Malformed,
}

struct EnvelopeCase {
    name: &'static str,
    source: &'static str,
    status: u16,
    body: &'static str,
    expect: Api,
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn envelope_cases() -> Vec<EnvelopeCase> {
    vec![
        EnvelopeCase {
            name: "seed_user_page_on_200_is_data",
            source: "seeds/001 user-page response example",
            status: 200,
            body: SEED_USER_PAGE,
            expect: Api::Data(check_seed_user_page),
        },
        EnvelopeCase {
            name: "empty_page_without_content_is_data_with_no_users",
            source: "CloudCX's documentation (Spring Data Page shape); content omitted",
            status: 200,
            body: r#"{"code":"0000","message":null,"data":{"totalPages":0,"totalElements":0,"size":25,"number":0,"numberOfElements":0}}"#,
            expect: Api::Data(|page| {
                if page.content.is_empty() && page.total_elements == 0 { Ok(()) } else { Err(format!("{page:?}")) }
            }),
        },
        EnvelopeCase {
            name: "failure_code_on_200_is_a_vendor_error",
            source: "CloudCX's documentation, Errors (any code but \"0000\" is an error, even on HTTP 200); message invented",
            status: 200,
            body: r#"{"code":"0001","message":"token expired","data":null}"#,
            expect: Api::Vendor { code: "0001", message: Some("token expired") },
        },
        EnvelopeCase {
            name: "failure_code_on_401_is_a_vendor_error_with_its_status",
            source: "CloudCX's documentation, Errors (inferred); message invented",
            status: 401,
            body: r#"{"code":"0003","message":"Unauthorized","data":null}"#,
            expect: Api::Vendor { code: "0003", message: Some("Unauthorized") },
        },
        EnvelopeCase {
            name: "failure_code_on_404_is_a_vendor_error_with_its_status",
            source: "CloudCX's documentation, Errors (inferred); message invented",
            status: 404,
            body: r#"{"code":"0404","message":"No such user"}"#,
            expect: Api::Vendor { code: "0404", message: Some("No such user") },
        },
        EnvelopeCase {
            name: "numeric_failure_code_with_a_null_message",
            source: "CloudCX's documentation, Errors (inferred: the code's JSON type is undocumented)",
            status: 200,
            body: r#"{"code":1,"message":null}"#,
            expect: Api::Vendor { code: "1", message: None },
        },
        EnvelopeCase {
            name: "html_502_from_the_gateway_is_a_status_error",
            source: "cloud-cx/cloudfon-cx-install (Kong gateway in front); an nginx-style 502 page",
            status: 502,
            body: "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
            expect: Api::Status,
        },
        EnvelopeCase {
            name: "empty_401_is_a_status_error",
            source: "RFC 6750 §3 (a bare 401 for a bad token)",
            status: 401,
            body: "",
            expect: Api::Status,
        },
        EnvelopeCase {
            name: "success_code_on_a_500_is_still_a_status_error",
            source: "edge case: a proxy error page that happens to be an envelope",
            status: 500,
            body: r#"{"code":"0000","message":null,"data":null}"#,
            expect: Api::Status,
        },
        EnvelopeCase {
            name: "html_on_200_is_malformed",
            source: "edge case: a captive portal or login page answering 200",
            status: 200,
            body: "<html><body>Please sign in</body></html>",
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "json_without_a_code_on_200_is_malformed",
            source: "CloudCX's documentation (every answer is wrapped in {code, message, data})",
            status: 200,
            body: r#"{"totalPages":1,"content":[]}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "code_of_the_wrong_type_is_malformed",
            source: "edge case: code is neither a string nor a number",
            status: 200,
            body: r#"{"code":true,"message":null,"data":null}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "data_of_the_wrong_shape_is_malformed",
            source: "edge case: totalPages as a string",
            status: 200,
            body: r#"{"code":"0000","message":null,"data":{"totalPages":"1","totalElements":1,"size":25,"number":0,"numberOfElements":1}}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "null_data_where_a_page_is_expected_is_malformed",
            source: "edge case: success with no data for a listing call",
            status: 200,
            body: r#"{"code":"0000","message":null,"data":null}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "user_without_an_id_is_malformed",
            source: "seeds/001 user shape with id removed",
            status: 200,
            body: r#"{"code":"0000","data":{"totalPages":1,"totalElements":1,"size":25,"number":0,"numberOfElements":1,"content":[{"loginCode":"x"}]}}"#,
            expect: Api::Malformed,
        },
    ]
}

#[test]
fn api_envelopes_read_into_data_or_typed_errors() {
    let mut failures = Failures::default();
    for case in envelope_cases() {
        failures.name(case.name);
        let status = StatusCode::from_u16(case.status).expect("fixture statuses are valid");
        let outcome = cloudcx::read_envelope::<Page<User>>(status, case.body.as_bytes());
        let result = match (&case.expect, outcome) {
            (Api::Data(check), Ok(page)) => check(&page),
            (Api::Vendor { code, message }, Err(ApiError::Vendor { status: s, code: c, message: m })) => {
                if s == status && c == *code && m.as_deref() == *message {
                    Ok(())
                } else {
                    Err(format!("Vendor {{ status: {s}, code: {c:?}, message: {m:?} }}"))
                }
            }
            (Api::Status, Err(ApiError::Status { status: s, body })) => {
                if s == status && body == BodyExcerpt::new(case.body.as_bytes()) {
                    Ok(())
                } else {
                    Err(format!("Status {{ status: {s}, body: {body:?} }}"))
                }
            }
            (Api::Malformed, Err(ApiError::Malformed { status: s, .. })) if s == status => Ok(()),
            (_, Ok(page)) => Err(format!("unexpected data {page:?}")),
            (_, Err(error)) => Err(format!("unexpected error {error:?}")),
        };
        failures.record(case.name, case.source, result);
    }
    failures.assert_none();
}

#[test]
fn envelope_without_data_reads_into_unit() {
    // An action that answers only a code (CloudCX's envelope, data absent).
    let outcome = cloudcx::read_envelope::<()>(StatusCode::OK, br#"{"code":"0000","message":"ok"}"#);
    assert_eq!(outcome, Ok(()));
}

#[test]
fn user_debug_keeps_personal_data_out() {
    let page: Page<User> =
        cloudcx::read_envelope(StatusCode::OK, SEED_USER_PAGE.as_bytes()).expect("seeds/001 user page");
    let body = r#"{"code":"0000","data":{"totalPages":1,"totalElements":1,"size":25,"number":0,"numberOfElements":1,
        "content":[{"id":"u-1","loginCode":"ana.l","roles":["Agents"],"firstName":"Anabel","lastName":"Lopez-Quintana",
        "email":"anabel.lq@example.com","phoneNumber":"+1 555 0100","uniqueCode":"EMP-99812"}]}}"#;
    let other: Page<User> = cloudcx::read_envelope(StatusCode::OK, body.as_bytes()).expect("a valid page");
    let printed = format!("{page:?} {other:?}");
    let personal = ["frees1aa@gmail.com", "Anabel", "Lopez-Quintana", "anabel.lq@example.com", "555 0100", "EMP-99812"];
    assert_hides("User Debug", &printed, &personal);
    assert!(printed.contains("75d86d40-f7d9-4025-8a1c-8a868f918289") && printed.contains("ana.l"), "{printed}");
}

// ----- secrets -----

#[test]
fn cloudcx_profiles_never_print_the_client_secret_password_or_api_key() {
    let builder = PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "ana@example.com", CX_PASSWORD)
        .username_field(UsernameField::Email);
    let email = builder.clone().build().expect("valid fixture profile");
    let key = cloudcx::api_key("cx.cloudfon.net:9001", CX_API_KEY).expect("valid fixture key");
    let printed = format!("{:?} {:?} {email:?} {key:?} {:?}", password_profile(), builder, key.access());
    assert_hides("Debug", &printed, &[CX_SECRET, CX_PASSWORD, CX_API_KEY]);
}

#[test]
fn the_older_postman_steps_can_be_reproduced_exactly() {
    // seeds/001 and 002, Postman step (5): email, password, grant_type, client_id; no secret.
    let profile = cloudcx::PasswordProfile::new("cx.cloudcx.net", "2603", "unused", "ana@example.com", "pw")
        .username_field(cloudcx::UsernameField::Email)
        .omit_client_secret()
        .build()
        .expect("a valid profile");
    let (request, _) = profile.token_config().expect("a token exchange").build_request();
    assert_eq!(request.body(), b"grant_type=password&client_id=2603&email=ana%40example.com&password=pw");
    assert!(request.headers().get("authorization").is_none());
}
