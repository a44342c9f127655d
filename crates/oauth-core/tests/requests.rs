//! Token-request vectors: the exact bytes of every grant under every client-authentication method, the Basic
//! encodings, extra parameters, endpoint checks, and what `PendingExchange` does with the answer.

use std::time::{Duration, Instant};

use oauth_core::http::{Method, Response};
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, MisuseError, Params,
    RESERVED_EXTENSION_PARAMS, RESERVED_PARAMS, RefreshToken, Scope, SecretParam, TokenEndpoint, TokenError,
    TokenRequest, basic_credentials,
};

const PERCENT: AuthMethod = AuthMethod::Basic(BasicEncoding::Percent);
const FORM_PLUS: AuthMethod = AuthMethod::Basic(BasicEncoding::FormPlus);
const RAW: AuthMethod = AuthMethod::Basic(BasicEncoding::Raw);

/// MXO's documented example credentials (seeds/000).
const MXO_ID: &str = "2e8fec0e-34fb-4851-800e-9989331e55d2";
const MXO_SECRET: &str = "d7f4484f-9817-4778-9161-6eb06d1f6cf7";
/// The header seeds/000 documents for them (joined: the page wraps it).
const MXO_BASIC: &str =
    "Basic MmU4ZmVjMGUtMzRmYi00ODUxLTgwMGUtOTk4OTMzMWU1NWQyOmQ3ZjQ0ODRmLTk4MTctNDc3OC05MTYxLTZlYjA2ZDFmNmNmNw==";
/// RFC 6749's example client (§4.4.2, §4.3.2, §6): `s6BhdRkqt3` / `gX1fBat3bV`.
const RFC_BASIC: &str = "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW";
/// INTEROP.md's secret that tells the Basic encodings apart.
const INTEROP_SECRET: &str = "a b+c/d:e%f&g=h";

fn id(value: &str) -> ClientId {
    ClientId::new(value).expect("non-empty fixture id")
}

fn auth(client_id: &str, secret: Option<&str>, method: AuthMethod) -> ClientAuth {
    ClientAuth::new(id(client_id), secret.map(ClientSecret::new), method).expect("fixture credentials are valid")
}

fn rfc_client(method: AuthMethod) -> ClientAuth {
    auth("s6BhdRkqt3", Some("gX1fBat3bV"), method)
}

fn params(pairs: &[(&'static str, &str)]) -> Params {
    let mut params = Params::new();
    for (name, value) in pairs {
        params.push(*name, *value).expect("fixture names are not reserved");
    }
    params
}

fn jwt_bearer() -> Grant {
    let mut params = Params::new();
    params
        .push_secret("assertion", SecretParam::new("eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP"))
        .expect("assertion is not reserved");
    Grant::extension("urn:ietf:params:oauth:grant-type:jwt-bearer", params).expect("a valid grant type")
}

// ----- exact request bytes -----

struct Vector {
    name: &'static str,
    source: &'static str,
    url: &'static str,
    auth: fn() -> ClientAuth,
    request: fn() -> TokenRequest,
    /// The `Authorization` header, when the method sends one.
    authorization: Option<&'static str>,
    body: &'static str,
}

#[allow(clippy::too_many_lines, reason = "one table of vectors")]
fn vectors() -> Vec<Vector> {
    vec![
        // --- client_credentials ---
        Vector {
            name: "mxo_client_credentials_with_raw_basic_sends_the_documented_header",
            source: "seeds/000 (MXO): Basic base64(clientID:clientSecret), body grant_type=client_credentials",
            url: "https://eu2.thunderhead.com/one/oauth2token",
            auth: || auth(MXO_ID, Some(MXO_SECRET), RAW),
            request: || TokenRequest::new(Grant::ClientCredentials),
            authorization: Some(MXO_BASIC),
            body: "grant_type=client_credentials",
        },
        Vector {
            name: "mxo_client_credentials_with_percent_basic_is_the_same_since_uuids_need_no_escaping",
            source: "seeds/000 (MXO); VENDORS.md §1",
            url: "https://eu2.thunderhead.com/one/oauth2token",
            auth: || auth(MXO_ID, Some(MXO_SECRET), PERCENT),
            request: || TokenRequest::new(Grant::ClientCredentials),
            authorization: Some(MXO_BASIC),
            body: "grant_type=client_credentials",
        },
        Vector {
            name: "rfc6749_client_credentials_with_basic",
            source: "RFC 6749 §4.4.2 example request",
            url: "https://server.example.com/token",
            auth: || rfc_client(PERCENT),
            request: || TokenRequest::new(Grant::ClientCredentials),
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials",
        },
        Vector {
            name: "client_credentials_with_form_plus_basic_writes_space_as_plus",
            source: "INTEROP.md (secret `a b+c/d:e%f&g=h`, form-urlencoded)",
            url: "https://as.example/token",
            auth: || auth("interop-client", Some(INTEROP_SECRET), FORM_PLUS),
            request: || TokenRequest::new(Grant::ClientCredentials),
            authorization: Some("Basic aW50ZXJvcC1jbGllbnQ6YStiJTJCYyUyRmQlM0FlJTI1ZiUyNmclM0Ro"),
            body: "grant_type=client_credentials",
        },
        Vector {
            name: "bright_pattern_client_credentials_in_the_body_with_tenant_scope_matches_the_documented_body",
            source: "seeds/003 (Bright Pattern): the documented example request body, byte for byte",
            url: "https://example.com/configapi/v2/oauth/token",
            auth: || auth("clientid", Some("qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ"), AuthMethod::Post),
            request: || {
                TokenRequest::new(Grant::ClientCredentials).with_scope(Scope::parse("example.com").expect("a token"))
            },
            authorization: None,
            body: "grant_type=client_credentials&client_id=clientid&client_secret=qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ&scope=example.com",
        },
        Vector {
            name: "bright_pattern_service_provider_variant_sends_tenant_instead_of_scope",
            source: "VENDORS.md §3 (Host & Services Management API: tenant=example.com and no scope)",
            url: "https://example.com/configapi/v2/oauth/token",
            auth: || auth("sheila.thomas", Some("qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ"), AuthMethod::Post),
            request: || {
                TokenRequest::new(Grant::ClientCredentials)
                    .with_params(params(&[("tenant", "example.com")]))
                    .expect("not reserved")
            },
            authorization: None,
            body: "grant_type=client_credentials&client_id=sheila.thomas&client_secret=qkDwDJlDfig2IpeuUZYKH1Wb8q1V0ju6sILxQQqhJ&tenant=example.com",
        },
        Vector {
            name: "client_credentials_for_a_public_client_sends_only_its_id",
            source: "RFC 6749 §2.3 / RFC 7591 token_endpoint_auth_method none",
            url: "https://as.example/token",
            auth: || ClientAuth::public(id("public-app")),
            request: || TokenRequest::new(Grant::ClientCredentials),
            authorization: None,
            body: "grant_type=client_credentials&client_id=public-app",
        },
        Vector {
            name: "client_credentials_with_scope_and_repeated_resource_keeps_their_order",
            source: "RFC 8707 §2 (resource may repeat); RFC 6749 §3.3",
            url: "https://as.example/token",
            auth: || rfc_client(PERCENT),
            request: || {
                TokenRequest::new(Grant::ClientCredentials)
                    .with_scope(Scope::parse("read write").expect("tokens"))
                    .with_params(params(&[
                        ("resource", "https://b.example/api"),
                        ("audience", "x"),
                        ("resource", "https://a.example/api"),
                    ]))
                    .expect("not reserved")
            },
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials&scope=read+write&resource=https%3A%2F%2Fb.example%2Fapi&audience=x&resource=https%3A%2F%2Fa.example%2Fapi",
        },
        // --- password ---
        Vector {
            name: "rfc6749_password_grant_with_basic",
            source: "RFC 6749 §4.3.2 example request",
            url: "https://server.example.com/token",
            auth: || rfc_client(PERCENT),
            request: || TokenRequest::new(Grant::password("johndoe", "A3ddj3w")),
            authorization: Some(RFC_BASIC),
            body: "grant_type=password&username=johndoe&password=A3ddj3w",
        },
        Vector {
            name: "rfc6749_password_grant_with_raw_basic",
            source: "RFC 6749 §4.3.2 example request; RFC 7617",
            url: "https://server.example.com/token",
            auth: || rfc_client(RAW),
            request: || TokenRequest::new(Grant::password("johndoe", "A3ddj3w")),
            authorization: Some(RFC_BASIC),
            body: "grant_type=password&username=johndoe&password=A3ddj3w",
        },
        Vector {
            name: "password_grant_with_form_plus_basic",
            source: "RFC 6749 §4.3.2; RFC 6749 §2.3.1 read literally",
            url: "https://server.example.com/token",
            auth: || auth("my app", Some("s3 cr3t"), FORM_PLUS),
            request: || TokenRequest::new(Grant::password("johndoe", "A3ddj3w")),
            // base64("my+app:s3+cr3t")
            authorization: Some("Basic bXkrYXBwOnMzK2NyM3Q="),
            body: "grant_type=password&username=johndoe&password=A3ddj3w",
        },
        Vector {
            name: "cloudcx_password_grant_puts_everything_in_the_form_body",
            source: "seeds/001 (CloudCX curl example). Liberty taken: the page masks the values; the id is the JWT's \
                     `sub`, the other values are made up (with characters that need escaping); our field order is \
                     grant_type first, the page's is client_id first (form order carries no meaning)",
            url: "https://cloudcx.example.com/oauth/token",
            auth: || auth("260390634491792831814845", Some("6d624c35-978b-4c2e-8d1a-59d727f2ea19"), AuthMethod::Post),
            request: || TokenRequest::new(Grant::password("sifreesia", "A&b=c d+é")),
            authorization: None,
            body: "grant_type=password&client_id=260390634491792831814845&client_secret=6d624c35-978b-4c2e-8d1a-59d727f2ea19&username=sifreesia&password=A%26b%3Dc+d%2B%C3%A9",
        },
        Vector {
            name: "cloudcx_password_grant_on_the_documented_port",
            source: "seeds/001 (CloudCX: `https://cx.cloudfon.net:9001/oauth/token`)",
            url: "https://cx.cloudfon.net:9001/oauth/token",
            auth: || auth("cx-client", Some("cx-secret"), AuthMethod::Post),
            request: || TokenRequest::new(Grant::password("agent7", "pa55")),
            authorization: None,
            body: "grant_type=password&client_id=cx-client&client_secret=cx-secret&username=agent7&password=pa55",
        },
        Vector {
            name: "password_grant_for_a_public_client",
            source: "RFC 6749 §4.3.2",
            url: "https://as.example/token",
            auth: || ClientAuth::public(id("public-app")),
            request: || TokenRequest::new(Grant::password("agent7", "pa55")),
            authorization: None,
            body: "grant_type=password&client_id=public-app&username=agent7&password=pa55",
        },
        // --- refresh_token ---
        Vector {
            name: "rfc6749_refresh_grant_with_basic",
            source: "RFC 6749 §6 example request",
            url: "https://server.example.com/token",
            auth: || rfc_client(PERCENT),
            request: || TokenRequest::new(Grant::refresh_token("tGzv3JOkF0XG5Qx2TlKWIA")),
            authorization: Some(RFC_BASIC),
            body: "grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA",
        },
        Vector {
            name: "rfc6749_refresh_grant_with_raw_basic",
            source: "RFC 6749 §6 example request; RFC 7617",
            url: "https://server.example.com/token",
            auth: || rfc_client(RAW),
            request: || TokenRequest::new(Grant::refresh_token("tGzv3JOkF0XG5Qx2TlKWIA")),
            authorization: Some(RFC_BASIC),
            body: "grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA",
        },
        Vector {
            name: "refresh_grant_with_post_and_a_narrower_scope",
            source: "RFC 6749 §6 (scope may narrow); CloudCX-style body credentials (VENDORS.md §2)",
            url: "https://cloudcx.example.com/oauth/token",
            auth: || auth("cx-client", Some("cx-secret"), AuthMethod::Post),
            request: || {
                TokenRequest::new(Grant::refresh_token("r/1+2=")).with_scope(Scope::parse("read").expect("a token"))
            },
            authorization: None,
            body: "grant_type=refresh_token&client_id=cx-client&client_secret=cx-secret&refresh_token=r%2F1%2B2%3D&scope=read",
        },
        Vector {
            name: "refresh_grant_for_a_public_client",
            source: "RFC 6749 §6",
            url: "https://as.example/token",
            auth: || ClientAuth::public(id("public-app")),
            request: || TokenRequest::new(Grant::refresh_token("r1")),
            authorization: None,
            body: "grant_type=refresh_token&client_id=public-app&refresh_token=r1",
        },
        Vector {
            name: "refresh_grant_with_form_plus_basic",
            source: "RFC 6749 §2.3.1 read literally",
            url: "https://as.example/token",
            auth: || auth("my app", Some("s3 cr3t"), FORM_PLUS),
            request: || TokenRequest::new(Grant::refresh_token("r1")),
            // base64("my+app:s3+cr3t")
            authorization: Some("Basic bXkrYXBwOnMzK2NyM3Q="),
            body: "grant_type=refresh_token&refresh_token=r1",
        },
        // --- extension grants ---
        Vector {
            name: "jwt_bearer_extension_grant_with_basic",
            source: "RFC 7523 §2.1 example request (assertion shortened)",
            url: "https://as.example/token",
            auth: || rfc_client(PERCENT),
            request: || TokenRequest::new(jwt_bearer()),
            authorization: Some(RFC_BASIC),
            body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP",
        },
        Vector {
            name: "jwt_bearer_extension_grant_with_form_plus_basic",
            source: "RFC 7523 §2.1; INTEROP.md secret",
            url: "https://as.example/token",
            auth: || auth("interop-client", Some(INTEROP_SECRET), FORM_PLUS),
            request: || TokenRequest::new(jwt_bearer()),
            authorization: Some("Basic aW50ZXJvcC1jbGllbnQ6YStiJTJCYyUyRmQlM0FlJTI1ZiUyNmclM0Ro"),
            body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP",
        },
        Vector {
            name: "jwt_bearer_extension_grant_with_post_puts_credentials_before_grant_params",
            source: "RFC 7523 §2.1; RFC 6749 §2.3.1",
            url: "https://as.example/token",
            auth: || auth("app", Some("s3cr3t"), AuthMethod::Post),
            request: || TokenRequest::new(jwt_bearer()),
            authorization: None,
            body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&client_id=app&client_secret=s3cr3t&assertion=eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP",
        },
        Vector {
            name: "token_exchange_extension_grant_with_scope_and_extra_resources",
            source: "RFC 8693 §2.1 (grant params, then scope, then extra params)",
            url: "https://as.example/token",
            auth: || ClientAuth::public(id("public-app")),
            request: || {
                let mut grant_params = Params::new();
                grant_params
                    .push_secret("subject_token", SecretParam::new("accVkjcJyb4BWCxGsndESCJQbdFMogUC5PbRDqceLTC"))
                    .and_then(|p| p.push("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"))
                    .expect("not reserved");
                let grant = Grant::extension("urn:ietf:params:oauth:grant-type:token-exchange", grant_params)
                    .expect("a valid grant type");
                TokenRequest::new(grant)
                    .with_scope(Scope::parse("read").expect("a token"))
                    .with_params(params(&[("resource", "https://a.example/"), ("resource", "https://b.example/")]))
                    .expect("not reserved")
            },
            authorization: None,
            body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&client_id=public-app&subject_token=accVkjcJyb4BWCxGsndESCJQbdFMogUC5PbRDqceLTC&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&scope=read&resource=https%3A%2F%2Fa.example%2F&resource=https%3A%2F%2Fb.example%2F",
        },
        Vector {
            name: "extension_grant_with_raw_basic",
            source: "RFC 6749 §4.5",
            url: "http://127.0.0.1:8080/token",
            auth: || auth("app", Some("s3cr3t"), RAW),
            request: || TokenRequest::new(Grant::extension("urn:example:custom", Params::new()).expect("valid")),
            // base64("app:s3cr3t")
            authorization: Some("Basic YXBwOnMzY3IzdA=="),
            body: "grant_type=urn%3Aexample%3Acustom",
        },
        Vector {
            name: "endpoint_query_string_is_kept_in_the_request_uri",
            source: "edge case (a tenant in the token URL's query)",
            url: "https://as.example/oauth/token?tenant=acme",
            auth: || rfc_client(PERCENT),
            request: || TokenRequest::new(Grant::ClientCredentials),
            authorization: Some(RFC_BASIC),
            body: "grant_type=client_credentials",
        },
    ]
}

#[test]
fn every_request_vector_has_its_exact_bytes() {
    let mut failures = Vec::new();
    for v in vectors() {
        let endpoint = TokenEndpoint::new(v.url).expect("fixture endpoints are valid");
        let (request, _pending) = endpoint.build_request(&(v.auth)(), &(v.request)());
        let mut bad = Vec::new();
        if request.method() != Method::POST {
            bad.push(format!("method {}", request.method()));
        }
        if *request.uri() != v.url {
            bad.push(format!("uri {}", request.uri()));
        }
        let mut headers: Vec<(String, String, bool)> = request
            .headers()
            .iter()
            .map(|(n, value)| {
                (n.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned(), value.is_sensitive())
            })
            .collect();
        headers.sort();
        let mut expected = vec![
            ("accept".to_owned(), "application/json".to_owned(), false),
            ("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned(), false),
        ];
        if let Some(basic) = v.authorization {
            // Authorization is the one header marked sensitive.
            expected.push(("authorization".to_owned(), basic.to_owned(), true));
        }
        expected.sort();
        if headers != expected {
            bad.push(format!("headers {headers:?}"));
        }
        if request.body() != v.body.as_bytes() {
            bad.push(format!("body {}", String::from_utf8_lossy(request.body())));
        }
        if !bad.is_empty() {
            failures.push(format!("{} ({}): {}", v.name, v.source, bad.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_grant_is_covered_under_every_auth_method() {
    // The vector table above must exercise each (grant, method) pair at least once.
    let mut seen = std::collections::BTreeSet::new();
    for v in vectors() {
        let request = (v.request)();
        let grant = match request.grant() {
            Grant::ClientCredentials => "client_credentials",
            Grant::Password { .. } => "password",
            Grant::RefreshToken { .. } => "refresh_token",
            _ => "extension",
        };
        let method = match (v.auth)().method() {
            AuthMethod::Basic(BasicEncoding::Percent) => "basic percent",
            AuthMethod::Basic(BasicEncoding::FormPlus) => "basic form-plus",
            AuthMethod::Basic(BasicEncoding::Raw) => "basic raw",
            AuthMethod::Post => "post",
            _ => "none",
        };
        seen.insert((grant, method));
    }
    for grant in ["client_credentials", "password", "refresh_token", "extension"] {
        for method in ["basic percent", "basic form-plus", "basic raw", "post", "none"] {
            assert!(seen.contains(&(grant, method)), "no vector for {grant} under {method}");
        }
    }
}

// ----- Basic encodings -----

struct BasicVector {
    name: &'static str,
    source: &'static str,
    id: &'static str,
    secret: Option<&'static str>,
    encoding: BasicEncoding,
    /// The user-pass string before base64 and the whole header, or the misuse.
    expect: Result<(&'static [u8], &'static str), MisuseError>,
}

fn basic_vectors() -> Vec<BasicVector> {
    use BasicEncoding::{FormPlus, Percent, Raw};
    let mxo_plain = b"2e8fec0e-34fb-4851-800e-9989331e55d2:d7f4484f-9817-4778-9161-6eb06d1f6cf7";
    vec![
        BasicVector {
            name: "mxo_documented_header_under_raw",
            source: "seeds/000 (MXO)",
            id: MXO_ID,
            secret: Some(MXO_SECRET),
            encoding: Raw,
            expect: Ok((mxo_plain, MXO_BASIC)),
        },
        BasicVector {
            name: "mxo_documented_header_under_percent",
            source: "seeds/000 (MXO); VENDORS.md §1 (UUIDs need no escaping)",
            id: MXO_ID,
            secret: Some(MXO_SECRET),
            encoding: Percent,
            expect: Ok((mxo_plain, MXO_BASIC)),
        },
        BasicVector {
            name: "mxo_documented_header_under_form_plus",
            source: "seeds/000 (MXO)",
            id: MXO_ID,
            secret: Some(MXO_SECRET),
            encoding: FormPlus,
            expect: Ok((mxo_plain, MXO_BASIC)),
        },
        BasicVector {
            name: "rfc6749_example_client",
            source: "RFC 6749 §2.3.1 example",
            id: "s6BhdRkqt3",
            secret: Some("gX1fBat3bV"),
            encoding: Percent,
            expect: Ok((b"s6BhdRkqt3:gX1fBat3bV", RFC_BASIC)),
        },
        BasicVector {
            name: "interop_secret_under_percent_writes_space_as_percent_20",
            source: "INTEROP.md (accepted by oidc-provider and Authlib)",
            id: "interop-client",
            secret: Some(INTEROP_SECRET),
            encoding: Percent,
            expect: Ok((
                b"interop-client:a%20b%2Bc%2Fd%3Ae%25f%26g%3Dh",
                "Basic aW50ZXJvcC1jbGllbnQ6YSUyMGIlMkJjJTJGZCUzQWUlMjVmJTI2ZyUzRGg=",
            )),
        },
        BasicVector {
            name: "interop_secret_under_form_plus_writes_space_as_plus",
            source: "INTEROP.md (Authlib answers 401)",
            id: "interop-client",
            secret: Some(INTEROP_SECRET),
            encoding: FormPlus,
            expect: Ok((
                b"interop-client:a+b%2Bc%2Fd%3Ae%25f%26g%3Dh",
                "Basic aW50ZXJvcC1jbGllbnQ6YStiJTJCYyUyRmQlM0FlJTI1ZiUyNmclM0Ro",
            )),
        },
        BasicVector {
            name: "interop_secret_under_raw_is_sent_as_is",
            source: "INTEROP.md (oidc-provider answers 400)",
            id: "interop-client",
            secret: Some(INTEROP_SECRET),
            encoding: Raw,
            expect: Ok((b"interop-client:a b+c/d:e%f&g=h", "Basic aW50ZXJvcC1jbGllbnQ6YSBiK2MvZDplJWYmZz1o")),
        },
        BasicVector {
            name: "empty_secret_encodes_as_id_and_colon",
            source: "RFC 7617 §2 (user-pass = user-id \":\" password)",
            id: "app",
            secret: Some(""),
            encoding: Percent,
            expect: Ok((b"app:", "Basic YXBwOg==")),
        },
        BasicVector {
            name: "no_secret_encodes_like_an_empty_one",
            source: "edge case",
            id: "app",
            secret: None,
            encoding: Raw,
            expect: Ok((b"app:", "Basic YXBwOg==")),
        },
        BasicVector {
            name: "colon_in_id_is_refused_under_raw",
            source: "RFC 7617 §2 (a user-id containing a colon character is invalid)",
            id: "urn:client",
            secret: Some("secret"),
            encoding: Raw,
            expect: Err(MisuseError::ColonInRawBasicClientId),
        },
        BasicVector {
            name: "colon_in_id_is_escaped_under_percent",
            source: "RFC 6749 §2.3.1",
            id: "urn:client",
            secret: Some("secret"),
            encoding: Percent,
            expect: Ok((b"urn%3Aclient:secret", "Basic dXJuJTNBY2xpZW50OnNlY3JldA==")),
        },
        BasicVector {
            name: "colon_in_secret_is_allowed_under_raw",
            source: "RFC 7617 §2 (the password may contain colons)",
            id: "app",
            secret: Some("pa:ss"),
            encoding: Raw,
            // base64("app:pa:ss")
            expect: Ok((b"app:pa:ss", "Basic YXBwOnBhOnNz")),
        },
        BasicVector {
            name: "non_ascii_is_utf8_then_percent_escaped",
            source: "RFC 6749 §2.3.1 / Appendix B",
            id: "clïent",
            secret: Some("sécret€"),
            encoding: Percent,
            expect: Ok((b"cl%C3%AFent:s%C3%A9cret%E2%82%AC", "Basic Y2wlQzMlQUZlbnQ6cyVDMyVBOWNyZXQlRTIlODIlQUM=")),
        },
        BasicVector {
            name: "non_ascii_is_raw_utf8_under_raw",
            source: "RFC 7617 §2.1 (charset UTF-8)",
            id: "clïent",
            secret: Some("sécret€"),
            encoding: Raw,
            expect: Ok(("clïent:sécret€".as_bytes(), "Basic Y2zDr2VudDpzw6ljcmV04oKs")),
        },
    ]
}

#[test]
fn basic_credentials_encode_to_the_expected_header() {
    let mut failures = Vec::new();
    for v in basic_vectors() {
        let plain = basic_credentials(v.id, v.secret.unwrap_or_default(), v.encoding);
        let made = ClientAuth::new(id(v.id), v.secret.map(ClientSecret::new), AuthMethod::Basic(v.encoding));
        let outcome = match (&v.expect, plain, made) {
            (Ok((want_plain, want_header)), Ok(plain), Ok(auth)) => {
                let header = auth.authorization_header().expect("Basic methods make a header");
                let mut bad = Vec::new();
                if plain != *want_plain {
                    bad.push(format!("user-pass {}", String::from_utf8_lossy(&plain)));
                }
                if header.as_bytes() != want_header.as_bytes() {
                    bad.push(format!("header {header:?}"));
                }
                if !header.is_sensitive() {
                    bad.push("header not marked sensitive".to_owned());
                }
                bad
            }
            (Err(want), Err(plain), Err(made)) if plain == *want && made == *want => Vec::new(),
            (_, plain, made) => vec![format!("got {plain:?} / {:?}", made.map(|a| a.authorization_header().cloned()))],
        };
        if !outcome.is_empty() {
            failures.push(format!("{} ({}): {}", v.name, v.source, outcome.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn long_credentials_are_padded_standard_base64_on_one_line() {
    use base64::Engine as _;
    // Long enough that a MIME encoder would wrap at 76 characters; lengths chosen to need one and two `=`.
    for (id_len, secret_len) in [(100, 101), (100, 102), (100, 103)] {
        let client_id = "i".repeat(id_len);
        let secret = "s".repeat(secret_len);
        let auth = auth(&client_id, Some(&secret), PERCENT);
        let header = auth.authorization_header().expect("a header").to_str().expect("ASCII").to_owned();
        let encoded = header.strip_prefix("Basic ").expect("the Basic scheme, capitalised");
        assert!(!encoded.contains(['\r', '\n', ' ']), "line break in {encoded}");
        assert_eq!(encoded.len() % 4, 0, "unpadded: {encoded}");
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).expect("standard base64");
        assert_eq!(decoded, format!("{client_id}:{secret}").into_bytes());
    }
}

#[test]
fn basic_shorthand_is_percent_and_post_and_public_send_no_header() {
    let basic = ClientAuth::basic(id("app"), ClientSecret::new("a b"));
    assert_eq!(basic.method(), PERCENT);
    assert_eq!(basic.authorization_header().expect("a header"), "Basic YXBwOmElMjBi");
    assert_eq!(AuthMethod::default(), PERCENT);
    assert_eq!(BasicEncoding::default(), BasicEncoding::Percent);
    assert!(ClientAuth::post(id("app"), ClientSecret::new("s")).authorization_header().is_none());
    assert!(ClientAuth::public(id("app")).authorization_header().is_none());
    let switched = basic.with_method(RAW).expect("no colon in the id");
    assert_eq!(switched.authorization_header().expect("a header"), "Basic YXBwOmEgYg==");
    assert_eq!(
        ClientAuth::basic(id("a:b"), ClientSecret::new("s")).with_method(RAW).err(),
        Some(MisuseError::ColonInRawBasicClientId)
    );
    let names: Vec<&str> = [PERCENT, AuthMethod::Post, AuthMethod::None].iter().map(|m| m.name()).collect();
    assert_eq!(names, ["client_secret_basic", "client_secret_post", "none"]);
}

#[test]
fn post_without_a_secret_sends_only_the_client_id() {
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", None, AuthMethod::Post);
    let (request, _) = endpoint.build_request(&auth, &TokenRequest::new(Grant::ClientCredentials));
    assert_eq!(request.body(), b"grant_type=client_credentials&client_id=app");
}

#[test]
fn empty_client_id_is_refused() {
    assert_eq!(ClientId::new("").err(), Some(MisuseError::EmptyClientId));
}

#[test]
fn credentials_never_print() {
    let auth = auth("app", Some("s3cr3t-value"), PERCENT);
    let grant = Grant::password("agent7", "hunter2-value");
    let printed = format!("{auth:?} {grant:?} {:?}", TokenRequest::new(jwt_bearer()));
    for secret in ["s3cr3t-value", "hunter2-value", "J9l-ZhwP", "YXBwOnMzY3IzdC12YWx1ZQ"] {
        assert!(!printed.contains(secret), "{secret} printed in {printed}");
    }
}

// ----- extra parameters -----

#[test]
fn reserved_parameter_names_are_refused_where_the_parameters_are_attached() {
    assert_eq!(
        RESERVED_PARAMS,
        ["grant_type", "client_id", "client_secret", "username", "password", "refresh_token", "scope"]
    );
    assert_eq!(RESERVED_EXTENSION_PARAMS, ["grant_type", "client_id", "client_secret", "scope"]);
    let empty = Some(MisuseError::ReservedParameter { name: "".into() });
    assert_eq!(Params::new().push("", "x").err(), empty, "an empty name is never a parameter");
    assert_eq!(Params::new().push_secret("", SecretParam::new("x")).err(), empty);
    for name in RESERVED_PARAMS {
        let want = Some(MisuseError::ReservedParameter { name: (*name).into() });
        for secret in [false, true] {
            let mut extra = Params::new();
            if secret {
                extra.push_secret(*name, SecretParam::new("x")).expect("any name can be pushed");
            } else {
                extra.push(*name, "x").expect("any name can be pushed");
            }
            let attached = TokenRequest::new(Grant::ClientCredentials).with_params(extra.clone());
            assert_eq!(attached.err(), want, "with_params({name:?}, secret: {secret})");
            let extension = Grant::extension("urn:example:grant", extra);
            let want_ext = RESERVED_EXTENSION_PARAMS.contains(name).then(|| want.clone().expect("set"));
            assert_eq!(extension.err(), want_ext, "extension({name:?}, secret: {secret})");
        }
    }
    // Names are compared exactly, as form names are case-sensitive.
    for name in ["resource", "audience", "tenant", "Scope", "grant_type_hint"] {
        let extra = params(&[(name, "x")]);
        assert!(TokenRequest::new(Grant::ClientCredentials).with_params(extra).is_ok(), "{name} is not reserved");
    }
}

#[test]
fn an_extension_grant_may_name_its_own_username_and_password_fields() {
    // CloudCX's older instructions send `email` and `password` with grant_type=password.
    let mut fields = Params::new();
    fields
        .push("email", "agent@example.com")
        .expect("a name")
        .push_secret("password", SecretParam::new("pw 1"))
        .expect("a name");
    let grant = Grant::extension("password", fields).expect("password is the grant's own field");
    let endpoint = TokenEndpoint::new("https://cx.example.net:9001/oauth/token").expect("https");
    let auth = ClientAuth::post(id("2603"), ClientSecret::new("6d62"));
    let (request, _) = endpoint.build_request(&auth, &TokenRequest::new(grant));
    assert_eq!(
        std::str::from_utf8(request.body()).expect("ascii"),
        "grant_type=password&client_id=2603&client_secret=6d62&email=agent%40example.com&password=pw+1"
    );
}

#[test]
fn repeated_parameters_keep_their_order() {
    let p = params(&[("resource", "https://a.example"), ("x", "1"), ("resource", "https://b.example")]);
    let resources: Vec<&str> = p.get_all("resource").map(|v| v.as_str()).collect();
    assert_eq!(resources, ["https://a.example", "https://b.example"]);
    let names: Vec<&str> = p.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["resource", "x", "resource"]);
}

#[test]
fn extension_grant_types_that_a_form_cannot_carry_are_refused() {
    for grant_type in ["", " ", "a b", "urn:x\ty", "urn:x\n", "\u{7f}"] {
        assert_eq!(
            Grant::extension(grant_type, Params::new()).err(),
            Some(MisuseError::InvalidGrantType { grant_type: grant_type.into() }),
            "{grant_type:?}"
        );
    }
    assert!(Grant::extension("urn:ietf:params:oauth:grant-type:device_code", Params::new()).is_ok());
}

#[test]
fn only_client_credentials_and_password_are_replay_safe() {
    assert!(Grant::ClientCredentials.is_replay_safe());
    assert!(Grant::password("u", "p").is_replay_safe());
    assert!(!Grant::refresh_token("r").is_replay_safe());
    assert!(!jwt_bearer().is_replay_safe());
}

// ----- endpoints -----

#[derive(Debug, PartialEq)]
enum EndpointVerdict {
    Ok,
    Insecure,
    Invalid,
}

#[test]
fn endpoint_urls_are_checked() {
    use EndpointVerdict::{Insecure, Invalid, Ok};
    let table: &[(&str, &str, EndpointVerdict, EndpointVerdict)] = &[
        // (why, url, TokenEndpoint::new, TokenEndpoint::new_allowing_http)
        ("https", "https://eu2.thunderhead.com/one/oauth2token", Ok, Ok),
        ("https with a port", "https://cx.cloudfon.net:9001/oauth/token", Ok, Ok),
        ("http on a public host", "http://example.com/token", Insecure, Ok),
        ("http on a private host", "http://10.0.0.5/configapi/v2/oauth/token", Insecure, Ok),
        ("http on 127.0.0.1", "http://127.0.0.1:8080/token", Ok, Ok),
        ("http on 127.x.y.z", "http://127.255.0.9/token", Ok, Ok),
        ("http on localhost", "http://localhost:3000/token", Ok, Ok),
        ("http on LOCALHOST", "http://LOCALHOST/token", Ok, Ok),
        ("http on a .localhost name", "http://as.localhost/token", Ok, Ok),
        ("http on [::1]", "http://[::1]:9000/token", Ok, Ok),
        ("http on [0:0:0:0:0:0:0:1]", "http://[0:0:0:0:0:0:0:1]/token", Ok, Ok),
        ("http on 128.0.0.1", "http://128.0.0.1/token", Insecure, Ok),
        ("http on a name that starts like loopback", "http://127.0.0.1.example.com/token", Insecure, Ok),
        ("http on localhost as a subdomain", "http://localhost.example.com/token", Insecure, Ok),
        ("http on [::2]", "http://[::2]/token", Insecure, Ok),
        ("a fragment", "https://as.example/token#frag", Invalid, Invalid),
        ("userinfo", "https://user:pw@as.example/token", Invalid, Invalid),
        ("a relative path", "/oauth/token", Invalid, Invalid),
        ("no scheme", "as.example/token", Invalid, Invalid),
        ("ftp", "ftp://as.example/token", Invalid, Invalid),
        ("not a URL", "https://as example/token", Invalid, Invalid),
        ("empty", "", Invalid, Invalid),
        ("a port that is not a number", "https://as.example:9oo1/token", Invalid, Invalid),
        ("a port above 65535", "https://as.example:70000/token", Invalid, Invalid),
        ("port zero", "https://as.example:0/token", Invalid, Invalid),
        ("the highest port", "https://as.example:65535/token", Ok, Ok),
    ];
    let verdict = |r: Result<TokenEndpoint, MisuseError>, url: &str| match r {
        Result::Ok(endpoint) => {
            assert_eq!(endpoint.uri().to_string().trim_end_matches('/'), url.trim_end_matches('/'));
            Ok
        }
        Err(error) => {
            // The error names the URL, but never the credentials a URL may carry.
            assert!(!error.to_string().contains("user:pw"), "{error}");
            match error {
                MisuseError::InsecureEndpoint { url: u } if &*u == url => Insecure,
                MisuseError::InvalidEndpoint { url: u, reason } if !reason.is_empty() => {
                    let shown = if url.contains('@') { "https://[redacted]@as.example/token" } else { url };
                    assert_eq!(&*u, shown);
                    Invalid
                }
                other => panic!("{url}: unexpected {other:?}"),
            }
        }
    };
    for (why, url, strict, allowing) in table {
        assert_eq!(&verdict(TokenEndpoint::new(url), url), strict, "new: {why}");
        assert_eq!(&verdict(TokenEndpoint::new_allowing_http(url), url), allowing, "new_allowing_http: {why}");
    }
}

// ----- PendingExchange -----

fn json_answer(status: u16, body: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .expect("valid")
}

#[test]
fn refresh_keeps_the_old_refresh_token_unless_the_answer_rotates_it() {
    let table: &[(&str, Grant, &str, Option<&str>)] = &[
        (
            "refresh without a new refresh token keeps the old one (RFC 6749 §6; oidc-provider)",
            Grant::refresh_token("r-old"),
            r#"{"access_token":"a2","token_type":"Bearer","expires_in":3600}"#,
            Some("r-old"),
        ),
        (
            "refresh answered with the same refresh token keeps it",
            Grant::refresh_token("r-old"),
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"r-old"}"#,
            Some("r-old"),
        ),
        (
            "refresh with rotation takes the new one (Authlib)",
            Grant::refresh_token("r-old"),
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"r-new"}"#,
            Some("r-new"),
        ),
        (
            "client_credentials without a refresh token has none",
            Grant::ClientCredentials,
            r#"{"access_token":"a2","token_type":"Bearer"}"#,
            None,
        ),
        (
            "password grant with a refresh token keeps it",
            Grant::password("u", "p"),
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"r-first"}"#,
            Some("r-first"),
        ),
    ];
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some("s"), PERCENT);
    let sent_at = Instant::now();
    for (why, grant, body, want) in table {
        let (_, pending) = endpoint.build_request(&auth, &TokenRequest::new(grant.clone()));
        assert_eq!(pending.grant().grant_type(), grant.grant_type());
        let token = pending.finish(&json_answer(200, body), sent_at).expect(why);
        assert_eq!(token.refresh_token().map(RefreshToken::secret), *want, "{why}");
        assert_eq!(token.access_token().secret(), "a2");
    }
}

#[test]
fn finish_reads_with_the_endpoint_quirks() {
    let body = r#"{"access_token":"a1","token_type":"Bearer","expires_in":"3599"}"#;
    let sent_at = Instant::now();
    let lenient = TokenEndpoint::new("https://as.example/token").expect("valid");
    let strict = lenient.clone().with_quirks(oauth_core::Quirks::strict());
    let auth = auth("app", Some("s"), PERCENT);
    let request = TokenRequest::new(Grant::ClientCredentials);
    let token = lenient.build_request(&auth, &request).1.finish(&json_answer(200, body), sent_at).expect("lenient");
    assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(3599)));
    assert!(lenient.parse_response(&json_answer(200, body), sent_at).is_ok());
    assert!(strict.build_request(&auth, &request).1.finish(&json_answer(200, body), sent_at).is_err());
    assert!(strict.parse_response(&json_answer(200, body), sent_at).is_err());
}

struct Echo {
    name: &'static str,
    /// The credential the server echoes.
    secret: &'static str,
    grant: fn() -> Grant,
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

fn echoes() -> Vec<Echo> {
    vec![
        Echo {
            name: "client_secret_in_error_description",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 401,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_client","error_description":"secret cl13nt-s3cr3t does not match"}"#,
        },
        Echo {
            name: "password_in_error_description",
            secret: "hunter2-pw",
            grant: || Grant::password("agent7", "hunter2-pw"),
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_request","error_description":"Invalid password hunter2-pw for agent7"}"#,
        },
        Echo {
            name: "password_with_space_in_a_form_encoded_error",
            secret: "correct horse",
            grant: || Grant::password("agent7", "correct horse"),
            status: 400,
            headers: &[("content-type", "application/x-www-form-urlencoded")],
            body: "error=invalid_grant&error_description=bad+password+correct+horse",
        },
        Echo {
            name: "password_with_quote_in_a_json_error",
            secret: r#"pa"ss\word"#,
            grant: || Grant::password("agent7", r#"pa"ss\word"#),
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_grant","error_description":"bad password pa\"ss\\word"}"#,
        },
        Echo {
            name: "client_secret_in_an_html_5xx_page",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 500,
            headers: &[("content-type", "text/html")],
            body: "<html><body><pre>NullPointerException at check(cl13nt-s3cr3t)</pre></body></html>",
        },
        Echo {
            name: "client_secret_in_a_malformed_200",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 200,
            headers: &[("content-type", "text/plain")],
            body: "debug: client_id=app secret cl13nt-s3cr3t",
        },
        Echo {
            name: "refresh_token_in_invalid_grant",
            secret: "rt-8f3a9b",
            grant: || Grant::refresh_token("rt-8f3a9b"),
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_grant","error_description":"refresh token rt-8f3a9b was revoked"}"#,
        },
        Echo {
            name: "assertion_in_invalid_grant",
            secret: "eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP",
            grant: jwt_bearer,
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_grant","error_description":"bad eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3Mi.J9l-ZhwP"}"#,
        },
        Echo {
            name: "client_secret_in_the_challenge_error_description",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 401,
            headers: &[(
                "www-authenticate",
                r#"Basic error="invalid_client", error_description="secret cl13nt-s3cr3t does not match""#,
            )],
            body: "",
        },
        Echo {
            name: "client_secret_in_error_uri",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 400,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"invalid_client","error_uri":"https://as.example/help?secret=cl13nt-s3cr3t"}"#,
        },
        Echo {
            name: "client_secret_in_a_vendor_style_message",
            secret: "cl13nt-s3cr3t",
            grant: || Grant::ClientCredentials,
            status: 403,
            headers: &[("content-type", "application/json")],
            body: r#"{"message":"client secret cl13nt-s3cr3t is disabled"}"#,
        },
    ]
}

/// The spellings a credential takes in a body: as is, JSON-escaped, form-encoded.
fn spellings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("a string serialises");
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    vec![secret.to_owned(), json[1..json.len() - 1].to_owned(), form]
}

#[test]
fn credentials_echoed_by_the_server_are_scrubbed_from_the_error() {
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some("cl13nt-s3cr3t"), AuthMethod::Post);
    let mut failures = Vec::new();
    for echo in echoes() {
        let (request, pending) = endpoint.build_request(&auth, &TokenRequest::new((echo.grant)()));
        // The request did carry the credential, or the test proves nothing.
        let sent = String::from_utf8_lossy(request.body()).into_owned();
        assert!(spellings(echo.secret).iter().any(|s| sent.contains(s.as_str())), "{}: not sent", echo.name);
        let mut answer = Response::builder().status(echo.status);
        for (name, value) in echo.headers {
            answer = answer.header(*name, *value);
        }
        let answer = answer.body(echo.body.as_bytes().to_vec()).expect("valid");
        let error = match pending.finish(&answer, Instant::now()) {
            Ok(_) => panic!("{}: parsed as a token", echo.name),
            Err(error) => error,
        };
        let printed = format!("{error}\n{error:?}");
        if let Some(spelling) = spellings(echo.secret).into_iter().find(|s| printed.contains(s.as_str())) {
            failures.push(format!("{}: `{spelling}` printed in {printed}", echo.name));
        }
        if !printed.contains("[redacted]") {
            failures.push(format!("{}: nothing was kept and scrubbed: {printed}", echo.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn scrub_leaves_misuse_and_unrelated_text_alone() {
    let mut error = TokenError::from(MisuseError::EmptyClientId);
    error.scrub("anything");
    assert_eq!(error.to_string(), "invalid token request: the client id is empty");
    let answer = json_answer(400, r#"{"error":"invalid_request","error_description":"nothing secret here"}"#);
    let mut error = oauth_core::parse_token_response(&oauth_core::Quirks::lenient(), &answer, Instant::now())
        .expect_err("an error");
    error.scrub("");
    error.scrub("absent-value");
    assert!(error.to_string().contains("nothing secret here"), "{error}");
}

#[test]
fn credential_cut_by_the_excerpt_cap_is_scrubbed_too() {
    let secret = "cl13nt-s3cr3t-that-is-long";
    let endpoint = TokenEndpoint::new("https://as.example/token").expect("valid");
    let auth = auth("app", Some(secret), AuthMethod::Post);
    for cut_at in [1, 5, secret.len() - 1] {
        // The excerpt keeps the first BODY_EXCERPT_LIMIT bytes; the secret starts `cut_at` bytes before that.
        let pad = "x".repeat(oauth_core::BODY_EXCERPT_LIMIT - cut_at);
        let body = format!("{pad}{secret} and more text after it");
        let (_, pending) = endpoint.build_request(&auth, &TokenRequest::new(Grant::ClientCredentials));
        let answer = Response::builder().status(500).header("content-type", "text/html").body(body).expect("valid");
        let error = pending.finish(&answer, Instant::now()).expect_err("a 500");
        let printed = format!("{error}\n{error:?}");
        let kept = &secret[..cut_at];
        assert!(!printed.contains(&format!("{pad}{kept}")), "{cut_at} bytes of the secret kept: {printed}");
    }
}
