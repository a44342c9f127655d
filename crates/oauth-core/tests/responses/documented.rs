//! Response cases from documents and real servers: the vendors' own examples (seeds 000, 001, 003 and Bright
//! Pattern's documentation), the RFC 6749 and RFC 6750 examples, and answers recorded from oidc-provider and Authlib.

use oauth_core::{ErrorCode, ErrorSource, ExpiresInProblem, ProtocolErrorKind};

use crate::{
    AUTHLIB, BRIGHT_PATTERN_SEED_RESPONSE_REPAIRED, BRIGHT_PATTERN_SEED_RESPONSE_VERBATIM, Body, CLOUDCX_JWT,
    CLOUDCX_SEED_RESPONSE, Case, Expect, JSON, LENIENT_UNKNOWN_TYPE, MXO_JWT, MXO_SEED_RESPONSE_REPAIRED,
    MXO_SEED_RESPONSE_SPACES_KEPT, MXO_SEED_RESPONSE_VERBATIM, OIDC_PROVIDER, Preset, RFC_HEADERS, RFC_REFRESH,
    RFC_TOKEN, STRICT_STRING_EXPIRES_IN, Srv, Tok, expires_in, not_json, proto, srv, tok,
};

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
pub(crate) fn cases() -> Vec<Case> {
    use Body::Text;
    use ErrorSource::OAuthBody;
    use ExpiresInProblem as E;
    use Preset::{Lenient, Strict};
    use ProtocolErrorKind as K;
    vec![
        // --- the vendors' own examples ---
        Case {
            name: "mxo_seed_response_repaired_is_a_299_s_bearer_token_with_its_jti",
            source: "seeds/000 (MXO). Liberty taken: the page's example lacks the comma after access_token and breaks \
                     the JWT with spaces and a line break; the comma is added and the JWT joined",
            status: 200,
            headers: JSON,
            body: Text(MXO_SEED_RESPONSE_REPAIRED),
            quirks: Strict,
            expect: Expect::Token(Tok {
                extras: &[("jti", r#""1a9b1856-40b0-45d8-9758-8d17a81c19a7""#)],
                ..tok(MXO_JWT, Some(299))
            }),
        },
        Case {
            name: "mxo_seed_response_verbatim_is_not_json",
            source: "seeds/000 (MXO), byte for byte: missing comma, a raw line break inside the token string",
            status: 200,
            headers: JSON,
            body: Text(MXO_SEED_RESPONSE_VERBATIM),
            quirks: Lenient,
            expect: not_json(),
        },
        Case {
            name: "mxo_seed_token_with_its_spaces_kept_cannot_travel_in_a_header",
            source: "seeds/000 (MXO). Liberty taken: comma added, the page's line break read as a space, the spaces \
                     inside the JWT kept",
            status: 200,
            headers: JSON,
            body: Text(MXO_SEED_RESPONSE_SPACES_KEPT),
            quirks: Lenient,
            expect: proto(K::AccessTokenCharacters),
        },
        Case {
            name: "cloudcx_seed_response_is_a_3599_s_bearer_token",
            source: "seeds/001 (CloudCX), as published (the `*` masking inside the JWT is kept)",
            status: 200,
            headers: JSON,
            body: Text(CLOUDCX_SEED_RESPONSE),
            quirks: Strict,
            expect: Expect::Token(tok(CLOUDCX_JWT, Some(3599))),
        },
        Case {
            name: "bright_pattern_seed_response_with_string_expires_in_is_read_leniently",
            source: "seeds/003 (Bright Pattern). Liberty taken: the trailing comma after \"3599\" is removed",
            status: 200,
            headers: JSON,
            body: Text(BRIGHT_PATTERN_SEED_RESPONSE_REPAIRED),
            quirks: Lenient,
            expect: Expect::Token(tok("eyJhbGciOiJSUzI1NiI5q9Jgt...6HznsvPWy7UP3MINA", Some(3599))),
        },
        Case {
            name: "bright_pattern_seed_response_is_rejected_by_the_strict_preset_for_its_string_expires_in",
            source: "seeds/003 (Bright Pattern). Liberty taken: the trailing comma after \"3599\" is removed",
            status: 200,
            headers: JSON,
            body: Text(BRIGHT_PATTERN_SEED_RESPONSE_REPAIRED),
            quirks: Strict,
            expect: expires_in(E::StringNotAllowed),
        },
        Case {
            name: "bright_pattern_seed_response_is_accepted_by_strict_with_the_string_switch_on",
            source: "seeds/003 (Bright Pattern). Liberty taken: the trailing comma after \"3599\" is removed",
            status: 200,
            headers: JSON,
            body: Text(BRIGHT_PATTERN_SEED_RESPONSE_REPAIRED),
            quirks: STRICT_STRING_EXPIRES_IN,
            expect: Expect::Token(tok("eyJhbGciOiJSUzI1NiI5q9Jgt...6HznsvPWy7UP3MINA", Some(3599))),
        },
        Case {
            name: "bright_pattern_seed_response_verbatim_with_trailing_comma_is_not_json",
            source: "seeds/003 (Bright Pattern), as published",
            status: 200,
            headers: JSON,
            body: Text(BRIGHT_PATTERN_SEED_RESPONSE_VERBATIM),
            quirks: Lenient,
            expect: not_json(),
        },
        Case {
            name: "bright_pattern_scope_echo_is_kept_as_the_granted_scope",
            source: "Bright Pattern's documentation: `scope` echoed back (the tenant domain), expires_in \"3600\" as a string",
            status: 200,
            headers: JSON,
            body: Text(
                r#"{"access_token":"6E1A0C2F","token_type":"Bearer","expires_in":"3600","scope":"example.brightpattern.com"}"#,
            ),
            quirks: Lenient,
            expect: Expect::Token(Tok { scope: Some("example.brightpattern.com"), ..tok("6E1A0C2F", Some(3600)) }),
        },
        // --- RFC 6749 examples ---
        Case {
            name: "rfc6749_5_1_example_token_type_example_is_refused_as_unusable",
            source: "RFC 6749 §5.1 example response",
            status: 200,
            headers: RFC_HEADERS,
            body: Text(
                "{\n  \"access_token\":\"2YotnFZFEjr1zCsicMWpAA\",\n  \"token_type\":\"example\",\n  \
                 \"expires_in\":3600,\n  \"refresh_token\":\"tGzv3JOkF0XG5Qx2TlKWIA\",\n  \
                 \"example_parameter\":\"example_value\"\n}",
            ),
            quirks: Lenient,
            expect: proto(K::UnsupportedTokenType { token_type: "example".into() }),
        },
        Case {
            name: "rfc6749_5_1_example_is_read_whole_when_unknown_token_types_are_accepted",
            source: "RFC 6749 §5.1 example response",
            status: 200,
            headers: RFC_HEADERS,
            body: Text(
                "{\n  \"access_token\":\"2YotnFZFEjr1zCsicMWpAA\",\n  \"token_type\":\"example\",\n  \
                 \"expires_in\":3600,\n  \"refresh_token\":\"tGzv3JOkF0XG5Qx2TlKWIA\",\n  \
                 \"example_parameter\":\"example_value\"\n}",
            ),
            quirks: LENIENT_UNKNOWN_TYPE,
            expect: Expect::Token(Tok {
                token_type: "example",
                refresh_token: Some(RFC_REFRESH),
                extras: &[("example_parameter", r#""example_value""#)],
                ..tok(RFC_TOKEN, Some(3600))
            }),
        },
        Case {
            name: "rfc6750_4_example_bearer_response_with_refresh_token",
            source: "RFC 6750 §4 example response",
            status: 200,
            headers: RFC_HEADERS,
            body: Text(
                r#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}"#,
            ),
            quirks: Strict,
            expect: Expect::Token(Tok { refresh_token: Some(RFC_REFRESH), ..tok("mF_9.B5f-4.1JqM", Some(3600)) }),
        },
        Case {
            name: "rfc6749_5_2_example_invalid_request",
            source: "RFC 6749 §5.2 example response",
            status: 400,
            headers: RFC_HEADERS,
            body: Text("{\n  \"error\":\"invalid_request\"\n}"),
            quirks: Strict,
            expect: Expect::Server(srv(Some(ErrorCode::InvalidRequest), OAuthBody, false)),
        },
        // --- recorded answers of real servers (the ones `cargo xtask interop` runs) ---
        Case {
            name: "oidc_provider_success_with_charset_and_lower_case_headers",
            source: "recorded answer of oidc-provider 9 (token value made up)",
            status: 200,
            headers: OIDC_PROVIDER,
            body: Text(r#"{"access_token":"oP-8dKx_3Jq","expires_in":3600,"token_type":"Bearer","scope":"api:read"}"#),
            quirks: Strict,
            expect: Expect::Token(Tok { scope: Some("api:read"), ..tok("oP-8dKx_3Jq", Some(3600)) }),
        },
        Case {
            name: "authlib_success_with_refresh_token_and_no_scope",
            source: "recorded answer of Authlib 1.9 password grant (values made up; Python's json spacing)",
            status: 200,
            headers: AUTHLIB,
            body: Text(
                r#"{"access_token": "Al8xQ2", "expires_in": 3600, "refresh_token": "Rf9zT1", "token_type": "Bearer"}"#,
            ),
            quirks: Strict,
            expect: Expect::Token(Tok { refresh_token: Some("Rf9zT1"), ..tok("Al8xQ2", Some(3600)) }),
        },
        Case {
            name: "oidc_provider_bad_secret_is_invalid_client_with_a_basic_challenge",
            source: "recorded answer of oidc-provider: 401 invalid_client, `WWW-Authenticate: Basic realm=…, \
                     error=…` when the request used Basic",
            status: 401,
            headers: &[
                ("content-type", "application/json; charset=utf-8"),
                (
                    "www-authenticate",
                    r#"Basic realm="http://127.0.0.1:3000", error="invalid_client", error_description="client authentication failed""#,
                ),
            ],
            body: Text(r#"{"error":"invalid_client","error_description":"client authentication failed"}"#),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                description: Some("client authentication failed"),
                challenges: &[("Basic", Some("invalid_client"))],
                ..srv(Some(ErrorCode::InvalidClient), OAuthBody, false)
            }),
        },
        Case {
            name: "authlib_bad_secret_is_invalid_client_with_a_basic_error_challenge",
            source: "recorded answer of Authlib: 401 invalid_client, `WWW-Authenticate: Basic error=…` even \
                     for client_secret_post",
            status: 401,
            headers: &[
                ("Content-Type", "application/json"),
                ("WWW-Authenticate", r#"Basic error="invalid_client", error_description="""#),
            ],
            body: Text(r#"{"error": "invalid_client"}"#),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                challenges: &[("Basic", Some("invalid_client"))],
                ..srv(Some(ErrorCode::InvalidClient), OAuthBody, false)
            }),
        },
        Case {
            name: "authlib_unknown_client_in_body_is_invalid_client_on_400",
            source: "recorded answer of Authlib: unknown client id sent in the body gets 400",
            status: 400,
            headers: AUTHLIB,
            body: Text(r#"{"error": "invalid_client"}"#),
            quirks: Lenient,
            expect: Expect::Server(srv(Some(ErrorCode::InvalidClient), OAuthBody, false)),
        },
        Case {
            name: "authlib_wrong_password_is_invalid_request_not_invalid_grant",
            source: "recorded answer of Authlib: wrong resource-owner password → 400 invalid_request",
            status: 400,
            headers: AUTHLIB,
            body: Text(
                r#"{"error": "invalid_request", "error_description": "Invalid \"username\" or \"password\" in request."}"#,
            ),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                description: Some(r#"Invalid "username" or "password" in request."#),
                ..srv(Some(ErrorCode::InvalidRequest), OAuthBody, false)
            }),
        },
        Case {
            name: "authlib_rotated_out_refresh_token_is_invalid_grant",
            source: "recorded answer of Authlib: the old refresh token after rotation → 400 invalid_grant",
            status: 400,
            headers: AUTHLIB,
            body: Text(r#"{"error": "invalid_grant"}"#),
            quirks: Lenient,
            expect: Expect::Server(srv(Some(ErrorCode::InvalidGrant), OAuthBody, false)),
        },
        Case {
            name: "oidc_provider_two_authentication_mechanisms_is_invalid_request",
            source: "recorded answer of oidc-provider: Basic and body credentials at once → 400",
            status: 400,
            headers: OIDC_PROVIDER,
            body: Text(
                r#"{"error":"invalid_request","error_description":"client authentication must only be provided using one mechanism"}"#,
            ),
            quirks: Lenient,
            expect: Expect::Server(Srv {
                description: Some("client authentication must only be provided using one mechanism"),
                ..srv(Some(ErrorCode::InvalidRequest), OAuthBody, false)
            }),
        },
    ]
}
