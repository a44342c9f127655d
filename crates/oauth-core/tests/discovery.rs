//! Authorization server metadata (RFC 8414, OpenID Connect Discovery): the well-known URLs (RFC 8414 §3.1, OIDC §4.1),
//! RFC 8414 §3.2's answer verbatim, the issuer check that defends against mix-ups (§3.3: a trailing slash or another
//! host refused), endpoints held to the crate's URL rule (an insecure one refuses the document, naming the member),
//! the RFC's defaults and required members, and the mapping of supported methods to `AuthMethod`.

use oauth_core::discovery::{DiscoveryError, Issuer, PendingDiscovery, ServerMetadata, WellKnown};
use oauth_core::http::{Response, StatusCode};
use oauth_core::{AuthMethod, BasicEncoding, BodyProblem, ErrorCode, JsonKind, MisuseError, Quirks, Scope};

/// RFC 8414 §3.2's answer, verbatim.
const RFC_METADATA: &str = r#"{
   "issuer":
     "https://server.example.com",
   "authorization_endpoint":
     "https://server.example.com/authorize",
   "token_endpoint":
     "https://server.example.com/token",
   "token_endpoint_auth_methods_supported":
     ["client_secret_basic", "private_key_jwt"],
   "token_endpoint_auth_signing_alg_values_supported":
     ["RS256", "ES256"],
   "userinfo_endpoint":
     "https://server.example.com/userinfo",
   "jwks_uri":
     "https://server.example.com/jwks.json",
   "registration_endpoint":
     "https://server.example.com/register",
   "scopes_supported":
     ["openid", "profile", "email", "address",
      "phone", "offline_access"],
   "response_types_supported":
     ["code", "code token"],
   "service_documentation":
     "http://server.example.com/service_documentation.html",
   "ui_locales_supported":
     ["en-US", "en-GB", "en-CA", "fr-FR", "fr-CA"]
  }"#;

const RFC_ISSUER: &str = "https://server.example.com";

fn issuer(text: &str) -> Issuer {
    Issuer::new(text).expect("a valid issuer")
}

fn read(issuer_text: &str, body: &str) -> Result<ServerMetadata, DiscoveryError> {
    ServerMetadata::from_json(&issuer(issuer_text), body.as_bytes())
}

/// RFC 8414 §3.2's answer with one member replaced (or removed, for `None`).
fn rfc_with(member: &str, value: Option<serde_json::Value>) -> String {
    let mut document: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(RFC_METADATA).expect("the RFC's JSON");
    match value {
        Some(value) => document.insert(member.to_owned(), value),
        None => document.remove(member),
    };
    serde_json::Value::Object(document).to_string()
}

fn pending(issuer_text: &str) -> PendingDiscovery {
    issuer(issuer_text).metadata_request(WellKnown::OAuthAuthorizationServer).1
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Vec<u8>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.as_bytes().to_vec()).expect("valid")
}

#[test]
fn well_known_urls() {
    // (issuer, RFC 8414 §3.1 URL, OpenID Connect Discovery §4.1 URL)
    let cases = [
        (
            "https://example.com/issuer1",
            "https://example.com/.well-known/oauth-authorization-server/issuer1",
            "https://example.com/issuer1/.well-known/openid-configuration",
        ),
        (
            "https://server.example.com",
            "https://server.example.com/.well-known/oauth-authorization-server",
            "https://server.example.com/.well-known/openid-configuration",
        ),
        (
            "https://server.example.com/",
            "https://server.example.com/.well-known/oauth-authorization-server",
            "https://server.example.com/.well-known/openid-configuration",
        ),
        (
            "https://as.example:8443/tenants/a%20b/",
            "https://as.example:8443/.well-known/oauth-authorization-server/tenants/a%20b",
            "https://as.example:8443/tenants/a%20b/.well-known/openid-configuration",
        ),
        (
            "http://127.0.0.1:9000/oidc",
            "http://127.0.0.1:9000/.well-known/oauth-authorization-server/oidc",
            "http://127.0.0.1:9000/oidc/.well-known/openid-configuration",
        ),
    ];
    for (text, oauth, openid) in cases {
        let issuer = issuer(text);
        assert_eq!(issuer.as_str(), text);
        assert_eq!(issuer.metadata_url(WellKnown::OAuthAuthorizationServer).to_string(), oauth);
        assert_eq!(issuer.metadata_url(WellKnown::OpenIdConfiguration).to_string(), openid);
        for well_known in [WellKnown::OAuthAuthorizationServer, WellKnown::OpenIdConfiguration] {
            let (request, _) = issuer.metadata_request(well_known);
            assert_eq!(request.method(), "GET");
            assert_eq!(request.uri(), issuer.metadata_url(well_known).uri());
            assert_eq!(request.headers()["accept"], "application/json");
            assert!(request.body().is_empty() && request.headers().get("authorization").is_none());
        }
    }
}

#[test]
fn issuer_identifiers_are_checked() {
    let refused = [
        ("http://server.example.com", "plain http off loopback"),
        ("https://server.example.com/?tenant=1", "a query (RFC 8414 §2)"),
        ("https://server.example.com/#top", "a fragment (RFC 8414 §2)"),
        ("https://user:pw@server.example.com", "credentials"),
        ("server.example.com", "not absolute"),
        ("", "empty"),
    ];
    for (text, why) in refused {
        assert!(Issuer::new(text).is_err(), "{why}: {text}");
    }
    assert!(matches!(Issuer::new("http://server.example.com"), Err(MisuseError::InsecureEndpoint { .. })));
    let query = Issuer::new("https://server.example.com/?secret=x").expect_err("a query");
    assert!(!query.to_string().contains("secret=x"), "{query}");
    let opted_out = Issuer::new_allowing_http("http://as.internal/").expect("the named opt-out");
    assert!(opted_out.allows_http());
    assert_eq!(
        opted_out.metadata_url(WellKnown::OAuthAuthorizationServer).to_string(),
        "http://as.internal/.well-known/oauth-authorization-server"
    );
}

#[test]
fn rfc_8414_section_3_2_answer_verbatim() {
    let (_, pending) = issuer(RFC_ISSUER).metadata_request(WellKnown::OAuthAuthorizationServer);
    let metadata = pending.finish(&answer(200, &[("content-type", "application/json")], RFC_METADATA)).expect("valid");
    assert_eq!(metadata.issuer().as_str(), RFC_ISSUER);
    let url = |endpoint: Option<&oauth_core::EndpointUrl>| endpoint.map(ToString::to_string);
    assert_eq!(url(metadata.authorization_endpoint()).as_deref(), Some("https://server.example.com/authorize"));
    assert_eq!(url(metadata.token_endpoint()).as_deref(), Some("https://server.example.com/token"));
    assert_eq!(url(metadata.userinfo_endpoint()).as_deref(), Some("https://server.example.com/userinfo"));
    assert_eq!(url(metadata.jwks_uri()).as_deref(), Some("https://server.example.com/jwks.json"));
    assert_eq!(metadata.revocation_endpoint(), None);
    assert_eq!(metadata.introspection_endpoint(), None);
    assert_eq!(metadata.device_authorization_endpoint(), None);
    assert_eq!(
        metadata.scopes_supported(),
        Some(&Scope::new(["openid", "profile", "email", "address", "phone", "offline_access"]).expect("valid"))
    );
    assert_eq!(metadata.response_types_supported().iter().collect::<Vec<_>>(), ["code", "code token"]);
    let methods = metadata.token_endpoint_auth_methods_supported();
    assert!(methods.is_declared());
    assert_eq!(methods.iter().collect::<Vec<_>>(), ["client_secret_basic", "private_key_jwt"]);
    // private_key_jwt is not a method this crate presents.
    assert_eq!(
        metadata.token_auth_methods().collect::<Vec<_>>(),
        [AuthMethod::Basic(BasicEncoding::Percent), AuthMethod::PrivateKeyJwt]
    );
    assert_eq!(metadata.preferred_auth_method(true), Some(AuthMethod::Basic(BasicEncoding::Percent)));
    assert_eq!(metadata.preferred_auth_method(false), None);
    // What the RFC says when a list is left out.
    assert!(!metadata.grant_types_supported().is_declared());
    assert_eq!(metadata.grant_types_supported().iter().collect::<Vec<_>>(), ["authorization_code", "implicit"]);
    assert_eq!(metadata.response_modes_supported().iter().collect::<Vec<_>>(), ["query", "fragment"]);
    for defaulted in [
        metadata.revocation_endpoint_auth_methods_supported(),
        metadata.introspection_endpoint_auth_methods_supported(),
    ] {
        assert_eq!(defaulted.iter().collect::<Vec<_>>(), ["client_secret_basic"]);
    }
    assert!(metadata.code_challenge_methods_supported().is_empty());
    assert!(!metadata.authorization_response_iss_parameter_supported());
    // The rest is kept: a documentation URL over plain http is not an endpoint and is not refused.
    let other = metadata.other();
    assert_eq!(
        other.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        [
            "registration_endpoint",
            "service_documentation",
            "token_endpoint_auth_signing_alg_values_supported",
            "ui_locales_supported"
        ]
    );
    assert_eq!(
        other.get("service_documentation"),
        Some(&serde_json::json!("http://server.example.com/service_documentation.html"))
    );
    assert_eq!(
        other.get("ui_locales_supported"),
        Some(&serde_json::json!(["en-US", "en-GB", "en-CA", "fr-FR", "fr-CA"]))
    );
    assert_eq!(
        other.get("token_endpoint_auth_signing_alg_values_supported"),
        Some(&serde_json::json!(["RS256", "ES256"]))
    );
}

#[test]
fn another_issuer_is_refused() {
    let cases = [
        (RFC_ISSUER, "https://server.example.com/", "a trailing slash the issuer asked of has not"),
        ("https://server.example.com/", RFC_ISSUER, "no trailing slash where the issuer asked of has one"),
        (RFC_ISSUER, "https://attacker.example.com", "another host"),
        (RFC_ISSUER, "https://SERVER.example.com", "another spelling: no normalising"),
        (RFC_ISSUER, "https://server.example.com:443", "an explicit port"),
        ("https://server.example.com/tenant/1", RFC_ISSUER, "the host's issuer for a tenant's"),
    ];
    for (asked, named, why) in cases {
        let body = rfc_with("issuer", Some(serde_json::json!(named)));
        match read(asked, &body) {
            Err(DiscoveryError::IssuerMismatch { expected, found }) => {
                assert_eq!((&*expected, &*found), (asked, named), "{why}");
            }
            other => panic!("{why}: {other:?}"),
        }
    }
    let error =
        read(RFC_ISSUER, &rfc_with("issuer", Some(serde_json::json!("https://server.example.com/")))).unwrap_err();
    assert_eq!(
        error.to_string(),
        "authorization server metadata refused: the document is for issuer \"https://server.example.com/\", not \
         \"https://server.example.com\" as asked (RFC 8414 §3.3 requires them identical: a mix-up defence)"
    );
    assert!(matches!(read(RFC_ISSUER, &rfc_with("issuer", None)), Err(DiscoveryError::MissingIssuer)));
    assert!(matches!(
        read(RFC_ISSUER, &rfc_with("issuer", Some(serde_json::Value::Null))),
        Err(DiscoveryError::MissingIssuer)
    ));
    assert!(matches!(
        read(RFC_ISSUER, &rfc_with("issuer", Some(serde_json::json!(["https://server.example.com"])))),
        Err(DiscoveryError::FieldType { field: "issuer", found: JsonKind::Array, .. })
    ));
    // A repeated issuer is ambiguous: JSON readers disagree on which one counts.
    let twice = r#"{"issuer":"https://attacker.example.com","issuer":"https://server.example.com","response_types_supported":["code"]}"#;
    assert!(matches!(read(RFC_ISSUER, twice), Err(DiscoveryError::DuplicateField { field: "issuer" })));
    // A long foreign issuer is cut in the error.
    let long = format!("https://{}.example", "a".repeat(1000));
    let Err(DiscoveryError::IssuerMismatch { found, .. }) = read(RFC_ISSUER, &rfc_with("issuer", Some(long.into())))
    else {
        panic!("a mismatch")
    };
    assert!(found.len() < 300, "{found}");
}

#[test]
fn an_endpoint_that_fails_the_url_rule_refuses_the_document() {
    let fields = [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "device_authorization_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ];
    for field in fields {
        let insecure = rfc_with(field, Some(serde_json::json!("http://server.example.com/endpoint")));
        match read(RFC_ISSUER, &insecure) {
            Err(DiscoveryError::InsecureEndpoint { field: named, url }) => {
                assert_eq!((named, &*url), (field, "http://server.example.com/endpoint"));
            }
            other => panic!("{field}: {other:?}"),
        }
        let relative = rfc_with(field, Some(serde_json::json!("/endpoint")));
        assert!(
            matches!(read(RFC_ISSUER, &relative), Err(DiscoveryError::InvalidEndpoint { field: named, .. }) if named == field),
            "{field}"
        );
        let number = rfc_with(field, Some(serde_json::json!(443)));
        assert!(
            matches!(read(RFC_ISSUER, &number), Err(DiscoveryError::FieldType { field: named, found: JsonKind::Number, .. }) if named == field),
            "{field}"
        );
    }
    let error =
        read(RFC_ISSUER, &rfc_with("token_endpoint", Some(serde_json::json!("http://server.example.com/token"))))
            .expect_err("insecure");
    assert!(
        error.to_string().contains("`token_endpoint` `http://server.example.com/token` uses plain http"),
        "{error}"
    );
    // Credentials in an endpoint are refused and not repeated.
    let with_credentials =
        rfc_with("token_endpoint", Some(serde_json::json!("https://admin:hunter2@server.example.com/token")));
    let error = read(RFC_ISSUER, &with_credentials).expect_err("credentials in the URL");
    assert!(matches!(error, DiscoveryError::InvalidEndpoint { field: "token_endpoint", .. }), "{error:?}");
    assert!(!format!("{error}{error:?}").contains("hunter2"), "{error:?}");
    // Loopback http passes the rule; any http passes it for an issuer that opted out.
    let loopback = r#"{"issuer":"http://127.0.0.1:9000","token_endpoint":"http://127.0.0.1:9000/token",
        "grant_types_supported":["client_credentials"],"response_types_supported":[]}"#;
    assert!(read("http://127.0.0.1:9000", loopback).is_ok());
    let internal = r#"{"issuer":"http://as.internal","token_endpoint":"http://as.internal/token",
        "grant_types_supported":["client_credentials"],"response_types_supported":[]}"#;
    let opted_out = Issuer::new_allowing_http("http://as.internal").expect("the opt-out");
    let metadata = ServerMetadata::from_json(&opted_out, internal.as_bytes()).expect("http allowed by the opt-out");
    assert!(metadata.token_endpoint().expect("present").is_http());
}

#[test]
fn required_members_and_member_types() {
    let missing = |member| match read(RFC_ISSUER, &rfc_with(member, None)) {
        Err(DiscoveryError::MissingField { field }) => field,
        other => panic!("{member}: {other:?}"),
    };
    assert_eq!(missing("response_types_supported"), "response_types_supported");
    assert_eq!(missing("token_endpoint"), "token_endpoint");
    // The default grant types use the authorization endpoint, so it is required...
    assert_eq!(missing("authorization_endpoint"), "authorization_endpoint");
    // ...but not by a server that lists none that do.
    let machine_only = r#"{"issuer":"https://server.example.com","token_endpoint":"https://server.example.com/token",
        "grant_types_supported":["client_credentials","urn:ietf:params:oauth:grant-type:device_code"],
        "response_types_supported":[],"device_authorization_endpoint":"https://server.example.com/device"}"#;
    let metadata = read(RFC_ISSUER, machine_only).expect("no authorization endpoint needed");
    assert_eq!(metadata.authorization_endpoint(), None);
    assert!(metadata.grant_types_supported().contains("client_credentials"));
    assert!(metadata.device_authorization_endpoint().is_some());
    // A server with only the implicit grant needs no token endpoint.
    let implicit_only = r#"{"issuer":"https://server.example.com","authorization_endpoint":"https://server.example.com/a",
        "grant_types_supported":["implicit"],"response_types_supported":["token"]}"#;
    assert_eq!(read(RFC_ISSUER, implicit_only).expect("valid").token_endpoint(), None);

    let wrong = |member: &str, value: serde_json::Value| match read(RFC_ISSUER, &rfc_with(member, Some(value))) {
        Err(DiscoveryError::FieldType { field, expected, found }) => (field, expected, found),
        other => panic!("{member}: {other:?}"),
    };
    assert_eq!(
        wrong("scopes_supported", serde_json::json!("openid profile")),
        ("scopes_supported", "an array of strings", JsonKind::String)
    );
    assert_eq!(
        wrong("grant_types_supported", serde_json::json!(["client_credentials", 7])),
        ("grant_types_supported", "an array of strings", JsonKind::Array)
    );
    assert_eq!(
        wrong("authorization_response_iss_parameter_supported", serde_json::json!("true")),
        ("authorization_response_iss_parameter_supported", "a boolean", JsonKind::String)
    );
    let duplicated = RFC_METADATA.replacen('{', r#"{"token_endpoint":"https://server.example.com/other","#, 1);
    assert!(matches!(read(RFC_ISSUER, &duplicated), Err(DiscoveryError::DuplicateField { field: "token_endpoint" })));
    // `null` is absent: a defaulted list stays defaulted.
    let nulls = rfc_with("grant_types_supported", Some(serde_json::Value::Null));
    assert!(!read(RFC_ISSUER, &nulls).expect("valid").grant_types_supported().is_declared());
    assert!(matches!(
        read(RFC_ISSUER, "[]"),
        Err(DiscoveryError::Body(BodyProblem::NotAnObject { found: JsonKind::Array }))
    ));
    assert!(matches!(read(RFC_ISSUER, "<html>"), Err(DiscoveryError::Body(BodyProblem::NotJson { .. }))));
    assert!(matches!(read(RFC_ISSUER, ""), Err(DiscoveryError::Body(BodyProblem::EmptyBody))));
}

#[test]
fn newer_members() {
    let body = r#"{"issuer":"https://server.example.com","authorization_endpoint":"https://server.example.com/a",
        "token_endpoint":"https://server.example.com/t","response_types_supported":["code"],
        "revocation_endpoint":"https://server.example.com/revoke",
        "introspection_endpoint":"https://server.example.com/introspect",
        "introspection_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt"],
        "code_challenge_methods_supported":["S256"],
        "authorization_response_iss_parameter_supported":true}"#;
    let metadata = read(RFC_ISSUER, body).expect("valid");
    assert_eq!(metadata.revocation_endpoint().map(|url| url.uri().path()), Some("/revoke"));
    assert_eq!(metadata.introspection_endpoint().map(|url| url.uri().path()), Some("/introspect"));
    assert!(metadata.introspection_endpoint_auth_methods_supported().contains("client_secret_post"));
    assert!(metadata.code_challenge_methods_supported().contains("S256"));
    assert!(metadata.authorization_response_iss_parameter_supported());
}

#[test]
fn preferred_auth_method_for_the_token_endpoint() {
    let cases: &[(serde_json::Value, Option<AuthMethod>, Option<AuthMethod>)] = &[
        (serde_json::Value::Null, Some(AuthMethod::Basic(BasicEncoding::Percent)), None),
        (
            serde_json::json!(["client_secret_post", "client_secret_basic", "none"]),
            Some(AuthMethod::Basic(BasicEncoding::Percent)),
            Some(AuthMethod::None),
        ),
        (serde_json::json!(["client_secret_post"]), Some(AuthMethod::Post), None),
        (serde_json::json!(["none"]), None, Some(AuthMethod::None)),
        (serde_json::json!(["private_key_jwt", "tls_client_auth"]), None, None),
        (serde_json::json!(["private_key_jwt", "client_secret_jwt"]), Some(AuthMethod::ClientSecretJwt), None),
    ];
    for (listed, with_secret, public) in cases {
        let metadata =
            read(RFC_ISSUER, &rfc_with("token_endpoint_auth_methods_supported", Some(listed.clone()))).expect("valid");
        assert_eq!(metadata.preferred_auth_method(true), *with_secret, "{listed}");
        assert_eq!(metadata.preferred_auth_method(false), *public, "{listed}");
    }
    let metadata = read(
        RFC_ISSUER,
        &rfc_with(
            "token_endpoint_auth_methods_supported",
            Some(serde_json::json!([
                "none",
                "private_key_jwt",
                "client_secret_post",
                "urn:example:unknown",
                "client_secret_jwt",
                "tls_client_auth",
                "self_signed_tls_client_auth"
            ])),
        ),
    )
    .expect("valid");
    assert_eq!(
        metadata.token_auth_methods().collect::<Vec<_>>(),
        [
            AuthMethod::None,
            AuthMethod::PrivateKeyJwt,
            AuthMethod::Post,
            AuthMethod::ClientSecretJwt,
            AuthMethod::TlsClientAuth,
            AuthMethod::SelfSignedTlsClientAuth
        ]
    );
}

#[test]
fn answers_that_are_not_a_document() {
    let not_found = pending(RFC_ISSUER).finish(&answer(404, &[("content-type", "text/html")], "<h1>Not Found</h1>"));
    let Err(DiscoveryError::Server(error)) = not_found else { panic!("{not_found:?}") };
    assert_eq!(error.status, StatusCode::NOT_FOUND);

    let refused = pending(RFC_ISSUER)
        .finish(&answer(401, &[("content-type", "application/json")], r#"{"error":"invalid_client"}"#))
        .expect_err("an error");
    assert!(matches!(&refused, DiscoveryError::Server(error) if error.code == Some(ErrorCode::InvalidClient)));
    let unavailable = pending(RFC_ISSUER).finish(&answer(503, &[("retry-after", "5")], "")).expect_err("an error");
    assert!(unavailable.is_retryable() && !refused.is_retryable());

    let moved = pending(RFC_ISSUER)
        .finish(&answer(301, &[("location", "https://attacker.example.com/")], ""))
        .expect_err("a redirect is not followed");
    assert!(matches!(
        moved,
        DiscoveryError::Body(BodyProblem::UnexpectedStatus { status: StatusCode::MOVED_PERMANENTLY })
    ));

    let unlabelled = answer(200, &[("content-type", "text/plain")], RFC_METADATA);
    assert!(pending(RFC_ISSUER).finish(&unlabelled).is_ok(), "JSON whatever its label, under the lenient preset");
    assert!(matches!(
        pending(RFC_ISSUER).with_quirks(Quirks::strict()).finish(&unlabelled),
        Err(DiscoveryError::Body(BodyProblem::UnexpectedContentType))
    ));
    let mut small = Quirks::lenient();
    small.max_body_bytes = 64;
    assert!(matches!(
        pending(RFC_ISSUER).with_quirks(small).finish(&answer(200, &[], RFC_METADATA)),
        Err(DiscoveryError::Body(BodyProblem::BodyTooLarge { limit: 64, .. }))
    ));
}

const ED25519_PEM: &str = include_str!("fixtures/keys/ed25519.pkcs8.pem");

#[test]
fn mtls_endpoint_aliases_serve_the_clients_that_present_a_certificate() {
    let aliases = serde_json::json!({
        "token_endpoint": "https://mtls.server.example.com/token",
        "revocation_endpoint": "https://mtls.server.example.com/revoke",
        "registration_endpoint": "https://mtls.server.example.com/register",
    });
    let metadata = read(RFC_ISSUER, &rfc_with("mtls_endpoint_aliases", Some(aliases))).expect("valid");
    let via =
        |endpoint: &str, certificate| metadata.endpoint_for(endpoint, certificate).map(|url| url.uri().to_string());
    assert_eq!(via("token_endpoint", true).as_deref(), Some("https://mtls.server.example.com/token"));
    assert_eq!(via("revocation_endpoint", true).as_deref(), Some("https://mtls.server.example.com/revoke"));
    assert_eq!(via("token_endpoint", false).as_deref(), Some("https://server.example.com/token"));
    // Who presents a certificate: a mutual-TLS method, or a client with certificate-bound tokens.
    let id = || oauth_core::ClientId::new("app").unwrap();
    let tls = oauth_core::ClientAuth::tls(id(), AuthMethod::SelfSignedTlsClientAuth).unwrap();
    let bound = oauth_core::ClientAuth::private_key_jwt(id(), oauth_core::AssertionKey::from_pem(ED25519_PEM).unwrap())
        .with_client_certificate(b"DER");
    let plain = oauth_core::ClientAuth::post(id(), oauth_core::ClientSecret::new("s"));
    assert_eq!(
        (tls.presents_certificate(), bound.presents_certificate(), plain.presents_certificate()),
        (true, true, false)
    );
    assert_eq!(metadata.mtls_endpoint_alias("registration_endpoint"), None, "not one this crate uses");
    assert!(metadata.other().get("mtls_endpoint_aliases").is_none(), "read into its slot");
    assert_eq!(via("userinfo_endpoint", true).as_deref(), Some("https://server.example.com/userinfo"));
    assert_eq!(via("no_such_endpoint", true), None);
}

#[test]
fn a_bad_mtls_alias_is_a_typed_error_naming_it() {
    let not_an_object = read(RFC_ISSUER, &rfc_with("mtls_endpoint_aliases", Some(serde_json::json!(["x"]))));
    assert!(
        matches!(not_an_object, Err(DiscoveryError::FieldType { field: "mtls_endpoint_aliases", .. })),
        "{not_an_object:?}"
    );
    let insecure = read(
        RFC_ISSUER,
        &rfc_with("mtls_endpoint_aliases", Some(serde_json::json!({"token_endpoint": "http://mtls.example.com/t"}))),
    )
    .unwrap_err();
    assert!(insecure.to_string().contains("mtls_endpoint_aliases.token_endpoint"), "{insecure}");
    let number = read(RFC_ISSUER, &rfc_with("mtls_endpoint_aliases", Some(serde_json::json!({"token_endpoint": 7}))));
    assert!(matches!(number, Err(DiscoveryError::FieldType { .. })), "{number:?}");
}
