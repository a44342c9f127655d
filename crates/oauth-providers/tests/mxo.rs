//! MXO conformance fixtures: the exact token request `mxo::profile` builds, and the vendor's documented answers read
//! through the profile's own quirks (seeds/000, MXO's documentation).

mod support;

use std::time::Instant;

use oauth_core::{ErrorCode, ErrorSource, ProtocolErrorKind, Token, TokenError};
use oauth_providers::mxo;
use support::{
    ExpectedRequest, Failures, answer, assert_hides, read_both_ways, request_mismatches, server_mismatches,
    token_mismatches, verdict,
};

/// The client id and secret of seeds/000's example.
const MXO_ID: &str = "2e8fec0e-34fb-4851-800e-9989331e55d2";
const MXO_SECRET: &str = "d7f4484f-9817-4778-9161-6eb06d1f6cf7";
/// The header seeds/000 documents for them, joined: the page wraps the base64 over two lines (RFC 2045 style), which
/// the page itself says is not required ("You are not limited to 76 characters per line").
const MXO_BASIC: &str =
    "Basic MmU4ZmVjMGUtMzRmYi00ODUxLTgwMGUtOTk4OTMzMWU1NWQyOmQ3ZjQ0ODRmLTk4MTctNDc3OC05MTYxLTZlYjA2ZDFmNmNmNw==";

/// The JWT of seeds/000's example response, joined: the page breaks it with spaces and a line break.
const MXO_JWT: &str = include_str!("fixtures/seeds/mxo-access-token.repaired.txt");
/// seeds/000's example response body, byte for byte (fixtures/seeds/README.md says what the other forms change).
const SEED_RESPONSE_VERBATIM: &str = include_str!("fixtures/seeds/mxo-token-response.verbatim.json");
/// The seed's body with the missing comma added and the JWT joined.
const SEED_RESPONSE_REPAIRED: &str = include_str!("fixtures/seeds/mxo-token-response.repaired.json");
/// The seed's body with the comma added and each break in the JWT read as one space.
const SEED_RESPONSE_SPACES_KEPT: &str = include_str!("fixtures/seeds/mxo-token-response.spaces-kept.json");
const MXO_JTI: &str = "1a9b1856-40b0-45d8-9758-8d17a81c19a7";

// ----- the request -----

struct RequestCase {
    name: &'static str,
    source: &'static str,
    server: &'static str,
    id: &'static str,
    secret: &'static str,
    uri: &'static str,
    authorization: &'static str,
    api_base: &'static str,
}

/// A case with seeds/000's credentials and header.
fn documented(
    name: &'static str,
    source: &'static str,
    server: &'static str,
    uri: &'static str,
    api_base: &'static str,
) -> RequestCase {
    RequestCase { name, source, server, id: MXO_ID, secret: MXO_SECRET, uri, authorization: MXO_BASIC, api_base }
}

fn request_cases() -> Vec<RequestCase> {
    vec![
        documented(
            "eu2_server_name_posts_the_documented_basic_header_to_eu2",
            "seeds/000 (Access Token URL https://<oneservername>.thunderhead.com/one/oauth2token); MXO's documentation",
            "eu2",
            "https://eu2.thunderhead.com/one/oauth2token",
            "https://eu2.thunderhead.com/",
        ),
        documented(
            "na5_server_name_posts_to_na5",
            "MXO's documentation (servers seen: eu2, na5, ap1)",
            "na5",
            "https://na5.thunderhead.com/one/oauth2token",
            "https://na5.thunderhead.com/",
        ),
        documented(
            "ap1_server_name_posts_to_ap1",
            "MXO's documentation (the Medallia SSO doc lists EU2, NA5, or AP1)",
            "ap1",
            "https://ap1.thunderhead.com/one/oauth2token",
            "https://ap1.thunderhead.com/",
        ),
        documented(
            "upper_case_server_name_as_the_sso_doc_writes_it_is_lower_cased",
            "MXO's documentation (\"EU2, NA5, or AP1\")",
            "EU2",
            "https://eu2.thunderhead.com/one/oauth2token",
            "https://eu2.thunderhead.com/",
        ),
        documented(
            "server_name_with_surrounding_spaces_is_trimmed",
            "edge case: a name pasted with spaces",
            " na5 ",
            "https://na5.thunderhead.com/one/oauth2token",
            "https://na5.thunderhead.com/",
        ),
        documented(
            "server_given_as_a_host_is_used_as_is",
            "thunderheadone/one-sdk-ios README (hostName: \"eu2.thunderhead.com\"), MXO's documentation",
            "eu2.thunderhead.com",
            "https://eu2.thunderhead.com/one/oauth2token",
            "https://eu2.thunderhead.com/",
        ),
        documented(
            "server_given_as_the_full_base_url_is_used_as_is",
            "thunderheadone/datastores-api swagger (tokenUrl https://eu2.thunderhead.com/one/oauth2token)",
            "https://eu2.thunderhead.com",
            "https://eu2.thunderhead.com/one/oauth2token",
            "https://eu2.thunderhead.com/",
        ),
        documented(
            "base_url_with_a_trailing_slash_gives_the_same_token_url",
            "edge case: a base URL copied with its slash",
            "https://eu2.thunderhead.com/",
            "https://eu2.thunderhead.com/one/oauth2token",
            "https://eu2.thunderhead.com/",
        ),
        documented(
            "seed_example_server_myoneserver_is_a_server_name_like_any_other",
            "seeds/000 Example Request (Request URL https://myoneserver.thunderhead.com/one/oauth2token)",
            "myoneserver",
            "https://myoneserver.thunderhead.com/one/oauth2token",
            "https://myoneserver.thunderhead.com/",
        ),
        documented(
            "private_base_url_with_a_port_keeps_the_port",
            "MXO's documentation (server is a free parameter); mxo::profile docs (a base URL for a private host)",
            "https://mxo.internal:8443",
            "https://mxo.internal:8443/one/oauth2token",
            "https://mxo.internal:8443/",
        ),
        documented(
            "loopback_http_base_url_is_accepted_for_local_test_servers",
            "edge case: a local mock server; oauth-core allows http on loopback only",
            "http://localhost:8080",
            "http://localhost:8080/one/oauth2token",
            "http://localhost:8080/",
        ),
        RequestCase {
            name: "raw_basic_sends_id_and_secret_unencoded_before_base64",
            source: "seeds/000 (\"Combine your MXO Client ID and Client Secret into a string clientID:clientSecret\"), \
                     RFC 7617 §2; credentials invented to hold characters form-encoding would change",
            server: "eu2",
            id: "api-user@my.tenant",
            secret: "a b+c/d%e",
            uri: "https://eu2.thunderhead.com/one/oauth2token",
            // base64("api-user@my.tenant:a b+c/d%e")
            authorization: "Basic YXBpLXVzZXJAbXkudGVuYW50OmEgYitjL2QlZQ==",
            api_base: "https://eu2.thunderhead.com/",
        },
    ]
}

#[test]
fn every_mxo_server_form_gives_the_documented_request() {
    let mut failures = Failures::default();
    for case in request_cases() {
        failures.name(case.name);
        let profile = match mxo::profile(case.server, case.id, case.secret) {
            Ok(profile) => profile,
            Err(e) => {
                failures.push(format!("{} ({}): refused: {e}", case.name, case.source));
                continue;
            }
        };
        let Some(config) = profile.token_config() else {
            failures.push(format!("{}: no token config", case.name));
            continue;
        };
        let (request, _pending) = config.build_request().expect("no client assertion to sign");
        let want = ExpectedRequest {
            vendor: "mxo",
            api_base: case.api_base,
            uri: case.uri,
            // seeds/000: the Basic header and the form Content-Type; Accept is the library's; Authorization is the
            // one sensitive header.
            authorization: Some(case.authorization),
            // seeds/000 Request Body: exactly this, no client id, no scope.
            body: b"grant_type=client_credentials",
        };
        failures.record(case.name, case.source, verdict(request_mismatches(&profile, &request, &want)));
    }
    failures.assert_none();
}

// ----- the answers -----

/// What reading an answer must give.
enum Expect {
    Token {
        access_token: &'static str,
        /// Seconds; `expires_at` must be `sent_at` plus this.
        lifetime: u64,
        jti: Option<&'static str>,
    },
    Server {
        code: Option<ErrorCode>,
        source: ErrorSource,
        description: Option<&'static str>,
        retryable: bool,
    },
    Protocol(ProtocolErrorKind),
    /// `ProtocolErrorKind::NotJson`, whatever the JSON reader's message.
    NotJson,
}

struct ResponseCase {
    name: &'static str,
    source: &'static str,
    status: u16,
    content_type: Option<&'static str>,
    body: &'static str,
    expect: Expect,
}

fn response_cases() -> Vec<ResponseCase> {
    vec![
        ResponseCase {
            name: "seed_response_repaired_is_a_299_s_bearer_token_with_its_jti",
            source: "seeds/000 Expected Response Body. Liberty taken: the page lacks the comma after access_token and \
                     breaks the JWT with spaces and a line break; the comma is added and the JWT joined",
            status: 200,
            content_type: Some("application/json"),
            body: SEED_RESPONSE_REPAIRED,
            expect: Expect::Token { access_token: MXO_JWT, lifetime: 299, jti: Some(MXO_JTI) },
        },
        ResponseCase {
            name: "seed_response_repaired_without_a_content_type_is_still_read_as_json",
            source: "seeds/000 (repaired as above); the seed names no Content-Type for the answer",
            status: 200,
            content_type: None,
            body: SEED_RESPONSE_REPAIRED,
            expect: Expect::Token { access_token: MXO_JWT, lifetime: 299, jti: Some(MXO_JTI) },
        },
        ResponseCase {
            name: "seed_response_verbatim_is_not_json",
            source: "seeds/000 byte for byte: no comma after access_token, a raw line break inside the token string",
            status: 200,
            content_type: Some("application/json"),
            body: SEED_RESPONSE_VERBATIM,
            expect: Expect::NotJson,
        },
        ResponseCase {
            name: "seed_token_with_the_page_spaces_kept_is_refused_rather_than_sent_broken",
            source: "seeds/000. Liberty taken: comma added, the line break read as a space, the spaces in the JWT kept",
            status: 200,
            content_type: Some("application/json"),
            body: SEED_RESPONSE_SPACES_KEPT,
            expect: Expect::Protocol(ProtocolErrorKind::AccessTokenCharacters),
        },
        ResponseCase {
            name: "answer_without_expires_in_gets_the_documented_299_s",
            source: "MXO's documentation (expires_in 299; mxo::DEFAULT_LIFETIME); body: the repaired seed minus expires_in",
            status: 200,
            content_type: Some("application/json"),
            body: r#"{"access_token":"eyJ.mxo.t0k","token_type":"bearer","jti":"1a9b1856-40b0-45d8-9758-8d17a81c19a7"}"#,
            expect: Expect::Token { access_token: "eyJ.mxo.t0k", lifetime: 299, jti: Some(MXO_JTI) },
        },
        ResponseCase {
            name: "answer_with_a_non_bearer_token_type_is_refused",
            source: "MXO's documentation (token_type bearer); oauth-core presents bearer tokens only",
            status: 200,
            content_type: Some("application/json"),
            body: r#"{"access_token":"eyJ.mxo.t0k","token_type":"mac","expires_in":299}"#,
            expect: Expect::Protocol(ProtocolErrorKind::UnsupportedTokenType { token_type: "mac".into() }),
        },
        ResponseCase {
            name: "unauthorized_with_no_body_is_status_only_and_not_retryable",
            source: "MXO's documentation, Errors (shape undocumented: fall back to the HTTP status; Datastores swagger 401)",
            status: 401,
            content_type: None,
            body: "",
            expect: Expect::Server { code: None, source: ErrorSource::StatusOnly, description: None, retryable: false },
        },
        ResponseCase {
            name: "unauthorized_with_an_rfc_6749_body_is_read_from_the_body",
            source: "MXO's documentation, Errors (parse RFC 6749 {error, error_description} if present); RFC 6749 §5.2",
            status: 401,
            content_type: Some("application/json"),
            body: r#"{"error":"invalid_client","error_description":"Bad client credentials"}"#,
            expect: Expect::Server {
                code: Some(ErrorCode::InvalidClient),
                source: ErrorSource::OAuthBody,
                description: Some("Bad client credentials"),
                retryable: false,
            },
        },
        ResponseCase {
            name: "service_unavailable_with_no_body_is_status_only_and_retryable",
            source: "MXO's documentation, Errors (fall back to the HTTP status); RFC 9110 §15.6.4",
            status: 503,
            content_type: None,
            body: "",
            expect: Expect::Server { code: None, source: ErrorSource::StatusOnly, description: None, retryable: true },
        },
    ]
}

fn check(expect: &Expect, status: u16, outcome: Result<Token, TokenError>, sent_at: Instant) -> Result<(), String> {
    match (expect, outcome) {
        (Expect::Token { access_token, lifetime, jti }, Ok(token)) => {
            let mut bad = token_mismatches(&token, access_token, *lifetime, sent_at);
            if token.extras().jti() != *jti {
                bad.push(format!("jti {:?}", token.extras().jti()));
            }
            if token.refresh_token().is_some() {
                bad.push("a refresh token from a client_credentials answer".to_owned());
            }
            verdict(bad)
        }
        (Expect::Server { code, source, description, retryable }, Err(TokenError::Server(error))) => {
            verdict(server_mismatches(&error, status, code.as_ref(), *source, *description, *retryable))
        }
        (Expect::Protocol(kind), Err(TokenError::Protocol(error))) if error.kind == *kind => Ok(()),
        (Expect::NotJson, Err(TokenError::Protocol(error)))
            if matches!(error.kind, ProtocolErrorKind::NotJson { .. }) =>
        {
            Ok(())
        }
        (_, Ok(token)) => Err(format!("unexpected token {token:?}")),
        (_, Err(error)) => Err(format!("unexpected error {error:?}")),
    }
}

#[test]
fn documented_answers_read_through_the_mxo_profile_quirks() {
    let profile = mxo::profile("eu2", MXO_ID, MXO_SECRET).expect("the documented credentials are valid");
    let config = profile.token_config().expect("mxo exchanges tokens");
    let sent_at = Instant::now();
    let mut failures = Failures::default();
    for case in response_cases() {
        failures.name(case.name);
        let content_type = case.content_type.map(|content_type| ("content-type", content_type));
        let answer = answer(case.status, content_type.as_slice(), case.body);
        // The endpoint's own reader and the pending exchange must agree: both use the profile's quirks.
        for (path, outcome) in read_both_ways(config, &answer, sent_at) {
            let label = format!("{} [{path}]", case.name);
            failures.record(&label, case.source, check(&case.expect, case.status, outcome, sent_at));
        }
    }
    failures.assert_none();
}

// ----- secrets -----

#[test]
fn mxo_profile_and_its_request_never_print_the_secret_or_the_basic_credential() {
    let profile = mxo::profile("eu2", MXO_ID, MXO_SECRET).expect("the documented credentials are valid");
    let encoded = MXO_BASIC.trim_start_matches("Basic ");
    let printed = format!("{profile:?} {:?}", profile.access());
    assert_hides("Debug", &printed, &[MXO_SECRET, encoded]);
    let (request, pending) =
        profile.token_config().expect("mxo exchanges tokens").build_request().expect("no client assertion to sign");
    let printed = format!("{request:?} {pending:?}");
    assert_hides("the request's Debug", &printed, &[encoded]);
}
