//! The exact request bytes of every grant (client credentials, password, refresh token, extension) under every
//! client-authentication method, each vector naming its source (a seed, an RFC, the vendor notes or an edge case).

use oauth_core::http::Method;
use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, Grant, Params, Scope, SecretParam, TokenEndpoint, TokenRequest,
};

use crate::{
    FORM_PLUS, INTEROP_SECRET, MXO_BASIC, MXO_ID, MXO_SECRET, PERCENT, RAW, RFC_BASIC, auth, id, jwt_bearer, params,
    rfc_client,
};

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
        let (request, _pending) =
            endpoint.build_request(&(v.auth)(), &(v.request)()).expect("no client assertion to sign");
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
