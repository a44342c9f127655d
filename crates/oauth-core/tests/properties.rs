//! Property tests: request building and response parsing never panic, credentials survive every encoding, challenge
//! lists round-trip, no error excerpt repeats an access token, and loopback hosts are the loopback addresses.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use oauth_core::http::{HeaderValue, Response, StatusCode};
use oauth_core::{
    AuthMethod, BasicEncoding, BodyExcerpt, Challenge, ClientAuth, ClientId, ClientSecret, EnvelopeError,
    ErrorEnvelope, Grant, Params, Quirks, RESERVED_PARAMS, Scope, SecretParam, TokenEndpoint, TokenError, TokenRequest,
    is_loopback, parse_error_response, parse_token_response,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Every method `ClientAuth::new` can make (`private_key_jwt` needs a key, which it does not take).
const METHODS: [AuthMethod; 8] = [
    AuthMethod::Basic(BasicEncoding::Percent),
    AuthMethod::Basic(BasicEncoding::FormPlus),
    AuthMethod::Basic(BasicEncoding::Raw),
    AuthMethod::Post,
    AuthMethod::None,
    AuthMethod::ClientSecretJwt,
    AuthMethod::TlsClientAuth,
    AuthMethod::SelfSignedTlsClientAuth,
];

/// RFC 6749 §3.3 scope-token characters.
const SCOPE_TOKEN: &str = "[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,12}";

fn grant() -> impl Strategy<Value = Grant> {
    prop_oneof![
        Just(Grant::ClientCredentials),
        (any::<String>(), any::<String>()).prop_map(|(u, p)| Grant::password(u, p)),
        any::<String>().prop_map(Grant::refresh_token),
        (any::<String>(), proptest::collection::vec((any::<String>(), any::<String>(), any::<bool>()), 0..4)).prop_map(
            |(grant_type, pairs)| {
                let mut params = Params::new();
                for (name, value, secret) in pairs {
                    // Reserved or empty names are refused; that is part of what is exercised.
                    let _ = if secret {
                        params.push_secret(name, SecretParam::new(value))
                    } else {
                        params.push(name, value)
                    };
                }
                Grant::extension(grant_type, params).unwrap_or(Grant::ClientCredentials)
            }
        ),
    ]
}

/// Decodes `%XX` escapes only, as Python's `unquote` does (Authlib): a `+` stays a `+`.
fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Decodes one form-urlencoded value (`+` is a space), as a server's form parser does.
fn form_decode(bytes: &[u8]) -> String {
    let mut pair = b"v=".to_vec();
    pair.extend_from_slice(bytes);
    form_urlencoded::parse(&pair).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// What a server reads from a Basic header under `encoding`: the id and the secret.
fn server_reads_basic(header: &HeaderValue, encoding: BasicEncoding) -> (String, String) {
    let text = header.to_str().expect("base64 is ASCII");
    let encoded = text.strip_prefix("Basic ").expect("the Basic scheme");
    assert!(!encoded.contains(['\r', '\n', ' ']), "line break in {encoded}");
    assert_eq!(encoded.len() % 4, 0, "unpadded base64 {encoded}");
    let plain = base64::engine::general_purpose::STANDARD.decode(encoded).expect("standard base64");
    let colon = plain.iter().position(|&b| b == b':').expect("user-pass has a colon");
    let (id, secret) = (&plain[..colon], &plain[colon + 1..]);
    match encoding {
        BasicEncoding::Percent => {
            // No `+` at all: a server that does not turn `+` into a space (Authlib) reads the same values.
            assert!(!plain.contains(&b'+') && !plain.contains(&b' '), "{}", String::from_utf8_lossy(&plain));
            let id = String::from_utf8(percent_decode(id).expect("valid escapes")).expect("UTF-8");
            let secret = String::from_utf8(percent_decode(secret).expect("valid escapes")).expect("UTF-8");
            (id, secret)
        }
        BasicEncoding::FormPlus => (form_decode(id), form_decode(secret)),
        _ => (String::from_utf8(id.to_vec()).expect("UTF-8"), String::from_utf8(secret.to_vec()).expect("UTF-8")),
    }
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(n, v)| (n.into_owned(), v.into_owned())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn request_building_never_panics(
        id in any::<String>(),
        secret in proptest::option::of(any::<String>()),
        method in proptest::sample::select(METHODS.to_vec()),
        grant in grant(),
        scope_tokens in proptest::collection::vec(prop_oneof![SCOPE_TOKEN.prop_map(String::from), any::<String>()], 0..4),
        extra in proptest::collection::vec((prop_oneof![proptest::sample::select(RESERVED_PARAMS.to_vec()).prop_map(String::from), any::<String>()], any::<String>()), 0..4),
    ) {
        let Ok(client_id) = ClientId::new(id) else { return Ok(()) };
        let Ok(auth) = ClientAuth::new(client_id, secret.map(ClientSecret::new), method) else { return Ok(()) };
        let scope = Scope::new(&scope_tokens).unwrap_or_else(|_| Scope::empty());
        let mut params = Params::new();
        let mut any_reserved = false;
        for (name, value) in extra {
            any_reserved |= RESERVED_PARAMS.contains(&name.as_str());
            prop_assert_eq!(params.push(name.clone(), value).is_err(), name.is_empty());
        }
        let request = TokenRequest::new(grant).with_scope(scope).with_params(params);
        prop_assert_eq!(request.is_err(), any_reserved);
        let Ok(request) = request else { return Ok(()) };
        let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
        // Without the time, only the JWT methods are refused, and with a typed error.
        prop_assert_eq!(endpoint.build_request(&auth, &request).is_err(), method.uses_assertion());
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let (http_request, pending) = endpoint.build_request_at(&auth, &request, now, [7; 16]);
        // The body is a form a server can read, starting with the grant type.
        let pairs = form_pairs(http_request.body());
        prop_assert_eq!(pairs.first().map(|(n, v)| (n.as_str(), v.as_str())), Some(("grant_type", request.grant().grant_type())));
        prop_assert_eq!(http_request.headers().get("authorization").is_some(), matches!(method, AuthMethod::Basic(_)));
        let _ = format!("{pending:?} {request:?} {auth:?}");
    }

    #[test]
    fn basic_credentials_round_trip_through_every_encoding(
        id in any::<String>(),
        secret in any::<String>(),
        encoding in proptest::sample::select(vec![BasicEncoding::Percent, BasicEncoding::FormPlus, BasicEncoding::Raw]),
    ) {
        let Ok(client_id) = ClientId::new(id.clone()) else { return Ok(()) };
        let made = ClientAuth::new(client_id, Some(ClientSecret::new(secret.clone())), AuthMethod::Basic(encoding));
        if encoding == BasicEncoding::Raw && id.contains(':') {
            prop_assert!(made.is_err());
            return Ok(());
        }
        let auth = made.expect("encodable");
        let header = auth.authorization_header().expect("a Basic header");
        prop_assert!(header.is_sensitive());
        prop_assert_eq!(server_reads_basic(header, encoding), (id, secret));
    }

    #[test]
    fn post_credentials_round_trip_through_the_form_body(
        id in any::<String>(),
        secret in any::<String>(),
        username in any::<String>(),
        password in any::<String>(),
    ) {
        let Ok(client_id) = ClientId::new(id.clone()) else { return Ok(()) };
        let auth = ClientAuth::post(client_id, ClientSecret::new(secret.clone()));
        let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
        let request = TokenRequest::new(Grant::password(username.clone(), password.clone()));
        let (http_request, _) = endpoint.build_request(&auth, &request).expect("no client assertion to sign");
        let pairs = form_pairs(http_request.body());
        let expected = vec![
            ("grant_type".to_owned(), "password".to_owned()),
            ("client_id".to_owned(), id),
            ("client_secret".to_owned(), secret),
            ("username".to_owned(), username),
            ("password".to_owned(), password),
        ];
        prop_assert_eq!(pairs, expected);
    }

    #[test]
    fn parsing_never_panics_on_arbitrary_bytes(
        status in 100_u16..=599,
        content_type in proptest::option::of(prop_oneof![
            Just("application/json".to_owned()),
            Just("application/json; charset=utf-8".to_owned()),
            Just("application/x-www-form-urlencoded".to_owned()),
            Just("text/html".to_owned()),
            "[ -~]{0,40}",
        ]),
        retry_after in proptest::option::of("[ -~]{0,40}"),
        www_authenticate in proptest::option::of("[ -~]{0,80}"),
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            "[ -~\\n]{0,256}".prop_map(String::into_bytes),
        ],
        strict in any::<bool>(),
        switches in any::<[bool; 9]>(),
        max_body in prop_oneof![Just(usize::MAX), 0_usize..64],
        default_lifetime in proptest::option::of(0_u64..100_000),
        max_lifetime in any::<u64>(),
    ) {
        let mut quirks = if strict { Quirks::strict() } else { Quirks::lenient() };
        let [a, b, c, d, e, f, g, h, envelope] = switches;
        quirks.expires_in_as_string = a;
        quirks.expires_in_fraction = b;
        quirks.missing_token_type_is_bearer = c;
        quirks.accept_unknown_token_type = d;
        quirks.scope_as_array = e;
        quirks.any_success_status = f;
        quirks.json_any_content_type = g;
        quirks.null_as_absent = h;
        quirks.max_body_bytes = max_body;
        quirks.default_lifetime = default_lifetime.map(Duration::from_secs);
        quirks.max_lifetime = Duration::from_secs(max_lifetime);
        if envelope {
            quirks.error_envelope = Some(ErrorEnvelope::new("any-code", |_, body| {
                body.get("code").map(|c| EnvelopeError::new().vendor_code(c.to_string()).retryable(c.is_number()))
            }));
        }
        let mut builder = Response::builder().status(status);
        for (name, value) in [("content-type", content_type), ("retry-after", retry_after), ("www-authenticate", www_authenticate)] {
            if let Some(value) = value {
                builder = builder.header(name, value);
            }
        }
        let response = builder.body(body).expect("printable header values");
        let sent_at = Instant::now();
        let outcome = parse_token_response(&quirks, &response, sent_at);
        match &outcome {
            Ok(token) => {
                prop_assert!(StatusCode::from_u16(status).expect("valid").is_success());
                let secret = token.access_token().secret();
                prop_assert!(!secret.is_empty() && secret.bytes().all(|b| b.is_ascii_graphic()));
                prop_assert_eq!(token.expires_at(), token.lifetime().and_then(|l| sent_at.checked_add(l)));
            }
            Err(error) => {
                prop_assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
                let _ = (error.to_string(), format!("{error:?}"), error.is_retryable(), error.code(), error.retry_after());
            }
        }
        // The error reader other endpoints use never panics either, and reads a 4xx or 5xx exactly as the token
        // reader does.
        let shared = parse_error_response(&quirks, &response);
        if status >= 400 {
            let Err(TokenError::Server(from_token)) = &outcome else {
                return Err(TestCaseError::fail(format!("a {status} is a server error: {outcome:?}")));
            };
            prop_assert_eq!(format!("{shared:?}"), format!("{:?}", Some(from_token)));
        }
    }

    #[test]
    fn parsing_never_panics_on_token_shaped_json(
        fields in proptest::collection::vec((
            proptest::sample::select(vec!["access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token", "error", "error_description", "error_uri", "jti", "code", "errorCode"]),
            json_value(),
        ), 0..8),
        status in prop_oneof![Just(200_u16), Just(201), Just(400), Just(401), Just(429), Just(503)],
        strict in any::<bool>(),
    ) {
        let body = format!(
            "{{{}}}",
            fields.iter().map(|(k, v)| format!("{}:{v}", serde_json::Value::from(*k))).collect::<Vec<_>>().join(",")
        );
        let quirks = if strict { Quirks::strict() } else { Quirks::lenient() };
        let response = Response::builder().status(status).header("content-type", "application/json").body(body).expect("valid");
        let sent_at = Instant::now();
        match parse_token_response(&quirks, &response, sent_at) {
            Ok(token) => prop_assert_eq!(token.expires_at(), token.lifetime().map(|l| sent_at + l)),
            Err(error) => { let _ = (error.to_string(), format!("{error:?}"), error.is_retryable()); }
        }
    }

    #[test]
    fn challenge_parsing_never_panics(value in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        for challenge in Challenge::parse_all(&value) {
            prop_assert!(!challenge.scheme().is_empty());
            let _ = (challenge.token68(), challenge.params().count(), challenge.error(), format!("{challenge:?}"));
        }
        if let Ok(header) = HeaderValue::from_bytes(&bytes) {
            let mut headers = oauth_core::http::HeaderMap::new();
            headers.append("www-authenticate", header);
            let _ = Challenge::from_headers(&headers);
            let _ = oauth_core::is_invalid_token(StatusCode::UNAUTHORIZED, &headers);
        }
    }

    #[test]
    fn well_formed_challenge_lists_round_trip(
        challenges in proptest::collection::vec(challenge(), 1..4),
        tight in any::<bool>(),
    ) {
        let separator = if tight { "," } else { ", " };
        let written: Vec<String> = challenges.iter().map(|(scheme, data)| match data {
            ChallengeData::Token68(t) => format!("{scheme} {t}"),
            ChallengeData::Params(params) if params.is_empty() => scheme.clone(),
            ChallengeData::Params(params) => {
                let params: Vec<String> = params.iter().map(|(n, v)| {
                    let escaped = v.replace('\\', "\\\\").replace('"', "\\\"");
                    format!("{n}=\"{escaped}\"")
                }).collect();
                format!("{scheme} {}", params.join(separator))
            }
        }).collect();
        let header = written.join(separator);
        let parsed = Challenge::parse_all(&header);
        prop_assert_eq!(parsed.len(), challenges.len(), "{}", header);
        for (got, (scheme, data)) in parsed.iter().zip(&challenges) {
            prop_assert_eq!(got.scheme(), scheme.as_str());
            match data {
                ChallengeData::Token68(t) => prop_assert_eq!(got.token68(), Some(t.as_str())),
                ChallengeData::Params(params) => {
                    let got: Vec<(String, String)> = got.params().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
                    prop_assert_eq!(&got, params, "{}", header);
                }
            }
        }
    }

    #[test]
    fn body_excerpt_never_repeats_an_access_token(
        token in "[A-Za-z0-9._~+/-]{8,64}",
        before in proptest::collection::vec(("[a-z_]{1,12}", json_value()), 0..6),
        after in proptest::collection::vec(("[a-z_]{1,12}", json_value()), 0..6),
        pretty in any::<bool>(),
        status in prop_oneof![Just(200_u16), Just(400), Just(401), Just(500)],
    ) {
        let mut object = serde_json::Map::new();
        // A value serde_json cannot hold (1e309) is left out: the excerpt is tested on what a server could send.
        for (name, value) in &before {
            if let Ok(value) = serde_json::from_str(value) {
                object.insert(name.clone(), value);
            }
        }
        object.insert("access_token".to_owned(), serde_json::Value::from(token.as_str()));
        for (name, value) in &after {
            if let (false, Ok(value)) = (object.contains_key(name), serde_json::from_str(value)) {
                object.insert(name.clone(), value);
            }
        }
        // The token must appear only as the access_token's value, or the check would be meaningless.
        let value = serde_json::Value::Object(object);
        let body = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.expect("serialises");
        prop_assume!(body.matches(token.as_str()).count() == 1);
        let excerpt = BodyExcerpt::new(body.as_bytes());
        prop_assert!(!excerpt.text().contains(token.as_str()), "{}", excerpt.text());
        // The same through the parser's error paths: a refused answer, or a 200 that is not a usable token.
        let mut broken = value.clone();
        broken["token_type"] = serde_json::Value::from("mac");
        if status != 200 {
            broken["error"] = serde_json::Value::from("invalid_request");
        }
        let body = serde_json::to_string(&broken).expect("serialises");
        prop_assume!(body.matches(token.as_str()).count() == 1);
        let response = Response::builder().status(status).header("content-type", "application/json").body(body).expect("valid");
        let error: TokenError = parse_token_response(&Quirks::lenient(), &response, Instant::now()).expect_err("an error");
        let printed = format!("{error}\n{error:?}");
        prop_assert!(!printed.contains(token.as_str()), "{}", printed);
    }
}

proptest! {
    #[test]
    fn an_endpoint_checks_a_parsed_url_as_it_checks_the_text(
        url in prop_oneof![
            "(https?|ftp|HTTP)://(localhost|127\\.[0-9]{1,3}\\.0\\.1|\\[::[0-9a-f]{0,4}\\]|[a-z0-9.@:-]{0,16})(:[0-9a-z]{0,6})?(/[a-z?=]{0,6})?",
            "[ -~]{0,30}",
        ],
    ) {
        // The text constructors see a fragment the parsed URL no longer holds.
        prop_assume!(!url.contains('#'));
        let Ok(uri) = url.parse::<oauth_core::http::Uri>() else { return Ok(()) };
        let verdict = |r: Result<TokenEndpoint, oauth_core::MisuseError>| match r {
            Ok(endpoint) => Ok(endpoint.uri().clone()),
            Err(oauth_core::MisuseError::InvalidEndpoint { reason, .. }) => Err(reason.to_owned()),
            Err(oauth_core::MisuseError::InsecureEndpoint { .. }) => Err("insecure".to_owned()),
            Err(other) => Err(other.to_string()),
        };
        prop_assert_eq!(verdict(TokenEndpoint::from_uri(uri.clone())), verdict(TokenEndpoint::new(&url)), "{}", url);
        prop_assert_eq!(
            verdict(TokenEndpoint::from_uri_allowing_http(uri)),
            verdict(TokenEndpoint::new_allowing_http(&url)),
            "{}",
            url
        );
    }

    #[test]
    fn a_host_is_loopback_exactly_when_its_address_is(
        v4 in prop_oneof![any::<[u8; 4]>(), any::<[u8; 3]>().prop_map(|[a, b, c]| [127, a, b, c])],
        v6 in prop_oneof![
            any::<[u16; 8]>(),
            Just([0, 0, 0, 0, 0, 0, 0, 1]),
            any::<[u8; 3]>().prop_map(|[a, b, c]| Ipv4Addr::new(127, a, b, c).to_ipv6_mapped().segments()),
        ],
    ) {
        let v4 = Ipv4Addr::from(v4);
        prop_assert_eq!(is_loopback(&v4.to_string()), v4.is_loopback(), "{}", v4);
        let v6 = Ipv6Addr::from(v6);
        let want = v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|mapped| mapped.is_loopback());
        let full: Vec<String> = v6.segments().iter().map(|group| format!("{group:04X}")).collect();
        for written in [format!("[{v6}]"), format!("[{}]", full.join(":")), v6.to_string()] {
            prop_assert_eq!(is_loopback(&written), want, "{}", written);
        }
    }
}

#[derive(Debug, Clone)]
enum ChallengeData {
    Token68(String),
    Params(Vec<(String, String)>),
}

fn challenge() -> impl Strategy<Value = (String, ChallengeData)> {
    let scheme = "[A-Za-z][A-Za-z0-9._-]{0,10}";
    let data = prop_oneof![
        "[A-Za-z0-9+/]{1,16}={0,2}".prop_map(ChallengeData::Token68),
        proptest::collection::vec(("[a-z_]{1,10}", "[ -~]{0,20}"), 0..4).prop_map(ChallengeData::Params),
    ];
    (scheme, data)
}

/// A JSON value as text: strings, numbers, booleans, null, and small arrays and objects.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<String>().prop_map(|s| serde_json::Value::from(s).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| serde_json::Value::from(f).to_string()),
        Just("1e309".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        "\"[0-9]{1,6}\"".prop_map(|s| s),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
            proptest::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(|pairs| {
                let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}
