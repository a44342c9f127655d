//! `WWW-Authenticate` parsing cases (RFC 9110 §11.6.1, RFC 6750 §3) and the invalid-token test, from the RFCs and
//! from the challenges real servers write.

use oauth_core::http::{HeaderMap, HeaderValue, StatusCode, header::WWW_AUTHENTICATE};
use oauth_core::{Challenge, ErrorCode, is_invalid_token};

/// A challenge as expected: scheme, token68, parameters in order.
struct Want {
    scheme: &'static str,
    token68: Option<&'static str>,
    params: &'static [(&'static str, &'static str)],
}

const fn params(scheme: &'static str, params: &'static [(&'static str, &'static str)]) -> Want {
    Want { scheme, token68: None, params }
}

const fn token68(scheme: &'static str, token68: &'static str) -> Want {
    Want { scheme, token68: Some(token68), params: &[] }
}

struct Case {
    name: &'static str,
    source: &'static str,
    /// One entry per `WWW-Authenticate` header.
    headers: &'static [&'static str],
    want: &'static [Want],
}

const CASES: &[Case] = &[
    Case {
        name: "rfc9110_example_two_challenges_with_an_escaped_quote",
        source: "RFC 9110 §11.6.1 example",
        headers: &[r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#],
        want: &[
            params("Newauth", &[("realm", "apps"), ("type", "1"), ("title", r#"Login to "apps""#)]),
            params("Basic", &[("realm", "simple")]),
        ],
    },
    Case {
        name: "rfc6750_invalid_token_example",
        source: "RFC 6750 §3 example",
        headers: &[r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#],
        want: &[params(
            "Bearer",
            &[("realm", "example"), ("error", "invalid_token"), ("error_description", "The access token expired")],
        )],
    },
    Case {
        name: "rfc6750_challenge_without_spaces_after_commas",
        source: "INTEROP.md (some servers write parameters with no space after the comma)",
        headers: &[r#"Bearer realm="example",error="invalid_token",error_description="The access token expired""#],
        want: &[params(
            "Bearer",
            &[("realm", "example"), ("error", "invalid_token"), ("error_description", "The access token expired")],
        )],
    },
    Case {
        name: "several_headers_are_read_in_order",
        source: "RFC 9110 §11.6.1 (the field may repeat)",
        headers: &[r#"Basic realm="a""#, r#"Bearer realm="b", error="invalid_token""#, "Negotiate"],
        want: &[
            params("Basic", &[("realm", "a")]),
            params("Bearer", &[("realm", "b"), ("error", "invalid_token")]),
            params("Negotiate", &[]),
        ],
    },
    Case {
        name: "quoted_string_escapes_any_character",
        source: "RFC 9110 §5.6.4 (quoted-pair)",
        headers: &[r#"Bearer error_description="a \"b\" c\\d \e, f=g""#],
        want: &[params("Bearer", &[("error_description", r#"a "b" c\d e, f=g"#)])],
    },
    Case {
        name: "token68_with_padding",
        source: "RFC 9110 §11.2 (token68)",
        headers: &["Basic YWxh=="],
        want: &[token68("Basic", "YWxh==")],
    },
    Case {
        name: "token68_without_padding",
        source: "RFC 4559 §4 (Negotiate)",
        headers: &["Negotiate abc"],
        want: &[token68("Negotiate", "abc")],
    },
    Case {
        name: "token68_challenges_in_a_list_with_a_parameter_challenge",
        source: "RFC 9110 §11.6.1",
        headers: &[r#"Negotiate abc, Basic YWxh==  , Bearer realm="x""#],
        want: &[token68("Negotiate", "abc"), token68("Basic", "YWxh=="), params("Bearer", &[("realm", "x")])],
    },
    Case {
        name: "bare_scheme_followed_by_another_challenge",
        source: "RFC 9110 §11.6.1 (auth-param list may be empty)",
        headers: &[r#"Negotiate, Basic realm="x""#],
        want: &[params("Negotiate", &[]), params("Basic", &[("realm", "x")])],
    },
    Case {
        name: "scheme_case_is_kept_as_written",
        source: "RFC 9110 §11.1 (schemes are case-insensitive)",
        headers: &[r#"BEARER Error="invalid_token""#],
        want: &[params("BEARER", &[("Error", "invalid_token")])],
    },
    Case {
        name: "empty_list_elements_are_skipped",
        source: "RFC 9110 §5.6.1 (recipients accept empty elements)",
        headers: &[r#", ,Basic realm="a",, ,Bearer error="invalid_token", ,"#],
        want: &[params("Basic", &[("realm", "a")]), params("Bearer", &[("error", "invalid_token")])],
    },
    Case {
        name: "empty_elements_between_parameters_are_skipped",
        source: "RFC 9110 §5.6.1",
        headers: &[r#"Bearer realm="a", , error="invalid_token""#],
        want: &[params("Bearer", &[("realm", "a"), ("error", "invalid_token")])],
    },
    Case {
        name: "duplicate_parameters_are_all_kept",
        source: "edge case (RFC 9110 §11.2 forbids them; servers send them anyway)",
        headers: &[r#"Bearer error="invalid_token", error="insufficient_scope""#],
        want: &[params("Bearer", &[("error", "invalid_token"), ("error", "insufficient_scope")])],
    },
    Case {
        name: "unquoted_token_values",
        source: "RFC 9110 §11.2 (auth-param value is token / quoted-string)",
        headers: &["Bearer realm=example, error=invalid_token"],
        want: &[params("Bearer", &[("realm", "example"), ("error", "invalid_token")])],
    },
    Case {
        name: "whitespace_around_equals_is_allowed",
        source: "RFC 9110 §11.2 (BWS around \"=\")",
        headers: &[r#"Bearer realm = "x" , error ="invalid_token""#],
        want: &[params("Bearer", &[("realm", "x"), ("error", "invalid_token")])],
    },
    Case {
        name: "empty_quoted_value",
        source: "INTEROP.md recorded answer, Authlib: `Basic error=\"invalid_client\", error_description=\"\"`",
        headers: &[r#"Basic error="invalid_client", error_description="""#],
        want: &[params("Basic", &[("error", "invalid_client"), ("error_description", "")])],
    },
    Case {
        name: "oidc_provider_basic_challenge_with_realm_and_error",
        source: "INTEROP.md recorded answer, oidc-provider (`Basic realm=…, error=…`)",
        headers: &[
            r#"Basic realm="http://127.0.0.1:3000", error="invalid_client", error_description="client authentication failed""#,
        ],
        want: &[params(
            "Basic",
            &[
                ("realm", "http://127.0.0.1:3000"),
                ("error", "invalid_client"),
                ("error_description", "client authentication failed"),
            ],
        )],
    },
    Case {
        name: "authlib_lower_case_bearer_missing_authorization_with_unescaped_quotes",
        source: "INTEROP.md recorded answer, Authlib ResourceProtector with no token: lower-case `bearer`, \
                 `missing_authorization`; Authlib writes its description `Missing \"Authorization\" in headers.` \
                 without escaping the quotes, so the value ends at the first inner quote and the rest is dropped",
        headers: &[r#"bearer error="missing_authorization", error_description="Missing "Authorization" in headers.""#],
        want: &[params("bearer", &[("error", "missing_authorization"), ("error_description", "Missing ")])],
    },
    Case {
        name: "unterminated_quote_keeps_what_came_before",
        source: "edge case",
        headers: &[r#"Basic realm="a", Bearer error="invalid_token"#],
        want: &[params("Basic", &[("realm", "a")]), params("Bearer", &[])],
    },
    Case {
        name: "unterminated_escape_at_the_end_keeps_what_came_before",
        source: "edge case",
        headers: &[r#"Bearer realm="a", error="b\"#],
        want: &[params("Bearer", &[("realm", "a")])],
    },
    Case {
        name: "unterminated_quote_in_a_later_parameter_is_not_read_as_a_new_challenge",
        source: "edge case (the parameter name `error` must not become a scheme)",
        headers: &[r#"Basic realm="a", error="invalid_client"#],
        want: &[params("Basic", &[("realm", "a")])],
    },
    Case {
        name: "quoted_value_swallows_what_looks_like_another_challenge",
        source: "edge case (a quote closes only at the next unescaped quote)",
        headers: &[r#"Basic realm="a", error="invalid_client, Bearer realm="b""#],
        want: &[params("Basic", &[("realm", "a"), ("error", "invalid_client, Bearer realm=")])],
    },
    Case {
        name: "missing_parameter_value_ends_the_header",
        source: "edge case",
        headers: &[r#"Bearer a="1", realm=, error="invalid_token""#],
        want: &[params("Bearer", &[("a", "1")])],
    },
    Case {
        name: "unreadable_header_does_not_stop_the_next_header",
        source: "edge case",
        headers: &[r#"Basic realm="a" @@@ Newauth"#, r#"Bearer error="invalid_token""#],
        want: &[params("Basic", &[("realm", "a")]), params("Bearer", &[("error", "invalid_token")])],
    },
    Case {
        name: "rfc6750_insufficient_scope_with_scope_list",
        source: "RFC 6750 §3.1 (insufficient_scope, scope attribute)",
        headers: &[r#"Bearer realm="example", error="insufficient_scope", scope="read write""#],
        want: &[params("Bearer", &[("realm", "example"), ("error", "insufficient_scope"), ("scope", "read write")])],
    },
    Case { name: "empty_header_has_no_challenges", source: "edge case", headers: &[""], want: &[] },
    Case {
        name: "whitespace_and_commas_only_have_no_challenges",
        source: "edge case",
        headers: &[" , \t,"],
        want: &[],
    },
    Case {
        name: "header_starting_with_a_quote_has_no_challenges",
        source: "edge case",
        headers: &[r#""Bearer" realm="x""#],
        want: &[],
    },
];

/// A challenge as plain data: scheme, token68, parameters.
type Plain = (String, Option<String>, Vec<(String, String)>);

fn describe(challenges: &[Challenge]) -> Vec<Plain> {
    challenges
        .iter()
        .map(|c| {
            let params = c.params().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
            (c.scheme().to_owned(), c.token68().map(str::to_owned), params)
        })
        .collect()
}

fn expected(want: &[Want]) -> Vec<Plain> {
    want.iter()
        .map(|w| {
            let params = w.params.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
            (w.scheme.to_owned(), w.token68.map(str::to_owned), params)
        })
        .collect()
}

fn headers(values: &[&'static str]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for value in values {
        map.append(WWW_AUTHENTICATE, HeaderValue::from_static(value));
    }
    map
}

#[test]
fn every_challenge_case_parses_to_its_expected_challenges() {
    let mut failures = Vec::new();
    for case in CASES {
        let want = expected(case.want);
        let from_headers = describe(&Challenge::from_headers(&headers(case.headers)));
        if from_headers != want {
            failures.push(format!("{} ({}): from_headers gave {from_headers:?}", case.name, case.source));
        }
        // parse_all reads one header; its results, header by header, are the same.
        let one_by_one: Vec<_> = case.headers.iter().flat_map(|h| describe(&Challenge::parse_all(h))).collect();
        if one_by_one != want {
            failures.push(format!("{} ({}): parse_all gave {one_by_one:?}", case.name, case.source));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn param_lookup_ignores_case_and_returns_the_first_duplicate() {
    let all = Challenge::parse_all(r#"Bearer Error="invalid_token", error="insufficient_scope", REALM="x""#);
    let bearer = &all[0];
    assert_eq!(bearer.param("error"), Some("invalid_token"));
    assert_eq!(bearer.param("ERROR"), Some("invalid_token"));
    assert_eq!(bearer.param("realm"), Some("x"));
    assert_eq!(bearer.param("scope"), None);
    let errors: Vec<&str> = bearer.params().filter(|(n, _)| n.eq_ignore_ascii_case("error")).map(|(_, v)| v).collect();
    assert_eq!(errors, ["invalid_token", "insufficient_scope"]);
    assert_eq!(bearer.error(), Some(ErrorCode::InvalidToken));
}

#[test]
fn scheme_comparison_ignores_case() {
    for written in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let all = Challenge::parse_all(&format!("{written} realm=\"x\""));
        assert!(all[0].is_scheme("Bearer"), "{written}");
        assert!(all[0].is_scheme("bearer"), "{written}");
        assert!(!all[0].is_scheme("Basic"), "{written}");
        assert_eq!(all[0].scheme(), written);
    }
}

#[test]
fn error_codes_are_recognised() {
    let table: &[(&str, Option<ErrorCode>)] = &[
        (r#"Bearer error="invalid_token""#, Some(ErrorCode::InvalidToken)),
        (r#"Bearer error="insufficient_scope", scope="read""#, Some(ErrorCode::InsufficientScope)),
        (r#"Bearer error="invalid_request""#, Some(ErrorCode::InvalidRequest)),
        (r#"bearer error="missing_authorization""#, Some(ErrorCode::Other("missing_authorization".into()))),
        (r#"Bearer error="INVALID_TOKEN""#, Some(ErrorCode::Other("INVALID_TOKEN".into()))),
        (r#"Bearer realm="x""#, None),
        ("Basic YWxh==", None),
    ];
    for (header, want) in table {
        let all = Challenge::parse_all(header);
        assert_eq!(all.len(), 1, "{header}");
        assert_eq!(&all[0].error(), want, "{header}");
    }
}

#[test]
fn invalid_token_is_a_401_with_a_bearer_invalid_token_challenge() {
    let table: &[(&str, u16, &[&'static str], bool)] = &[
        ("RFC 6750 §3 example", 401, &[r#"Bearer realm="example", error="invalid_token""#], true),
        ("lower-case scheme", 401, &[r#"bearer error="invalid_token""#], true),
        ("no space after comma", 401, &[r#"Bearer realm="x",error="invalid_token""#], true),
        ("unquoted value", 401, &["Bearer error=invalid_token"], true),
        ("in the second header", 401, &[r#"Basic realm="x""#, r#"Bearer error="invalid_token""#], true),
        ("second challenge of one header", 401, &[r#"Basic realm="x", Bearer error="invalid_token""#], true),
        ("403 is not a token problem", 403, &[r#"Bearer error="invalid_token""#], false),
        ("insufficient_scope", 401, &[r#"Bearer error="insufficient_scope""#], false),
        ("Basic with invalid_token", 401, &[r#"Basic error="invalid_token""#], false),
        ("no challenge", 401, &[], false),
        ("bare Bearer (no token sent)", 401, &[r#"Bearer realm="x""#], false),
        (
            "Authlib missing_authorization",
            401,
            &[r#"bearer error="missing_authorization", error_description="Missing "Authorization" in headers.""#],
            false,
        ),
    ];
    for (why, status, values, want) in table {
        let status = StatusCode::from_u16(*status).expect("valid status");
        assert_eq!(is_invalid_token(status, &headers(values)), *want, "{why}");
    }
}

#[test]
fn non_text_header_bytes_are_read_as_far_as_they_are_text() {
    let mut map = HeaderMap::new();
    let value =
        HeaderValue::from_bytes(b"Bearer error=\"invalid_token\", error_description=\"caf\xe9\"").expect("obs-text");
    map.append(WWW_AUTHENTICATE, value);
    let all = Challenge::from_headers(&map);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].error(), Some(ErrorCode::InvalidToken));
    assert_eq!(all[0].param("error_description"), Some("caf\u{fffd}"));
}
