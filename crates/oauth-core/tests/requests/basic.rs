//! The Basic encodings: the user-pass string and header each encoding makes from awkward credentials, padding on
//! long ones, the shorthands, and credentials that never print.

use oauth_core::{
    AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, MisuseError, TokenEndpoint, TokenRequest,
    basic_credentials,
};

use crate::{INTEROP_SECRET, MXO_BASIC, MXO_ID, MXO_SECRET, PERCENT, RAW, RFC_BASIC, auth, id, jwt_bearer};

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
    let (request, _) = endpoint
        .build_request(&auth, &TokenRequest::new(Grant::ClientCredentials))
        .expect("no client assertion to sign");
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
