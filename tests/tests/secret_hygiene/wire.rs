//! What is the wire, not a log line: the `Authorization` and bearer headers are marked sensitive, and a built
//! request's body carries the secrets its method puts there (and a public client's none).

use http::header::AUTHORIZATION;
use oauth_core::{AccessToken, ApiKey, AuthMethod, BasicEncoding, Grant, bearer_header};

use crate::fixtures::{METHODS, auth, endpoint, request};
use crate::{ACCESS, API_KEY, CLIENT_SECRET, PARAM, PASSWORD, REFRESH};

#[test]
fn basic_authorization_header_is_sensitive_in_every_encoding() {
    for method in METHODS {
        let auth = auth(method);
        let (wire, _pending) =
            endpoint().build_request(&auth, &request(Grant::ClientCredentials)).expect("no client assertion to sign");
        match (method, wire.headers().get(AUTHORIZATION)) {
            (AuthMethod::Basic(_), Some(header)) => {
                assert!(header.is_sensitive(), "{method:?}: Authorization is not marked sensitive");
                assert_eq!(format!("{header:?}"), "Sensitive", "{method:?}");
                let from_auth = auth.authorization_header().expect("Basic has a header");
                assert!(from_auth.is_sensitive(), "{method:?}: ClientAuth's header is not marked sensitive");
            }
            (AuthMethod::Basic(_), None) => panic!("{method:?}: no Authorization header"),
            (_, None) => assert!(auth.authorization_header().is_none(), "{method:?}"),
            (_, Some(header)) => panic!("{method:?}: unexpected Authorization header {header:?}"),
        }
    }
}

#[test]
fn bearer_headers_are_sensitive() {
    for header in [bearer_header(&AccessToken::new(ACCESS)), bearer_header(&ApiKey::new(API_KEY))] {
        let header = header.expect("a header-safe credential");
        assert!(header.is_sensitive());
        assert_eq!(format!("{header:?}"), "Sensitive");
    }
}

/// The body of a built request is what goes on the wire, so it must carry the credentials the
/// method puts there; it is not a log line. Its `Debug` (through `http::Request`) prints bytes
/// as numbers, which the main table checks holds no canary text.
#[test]
fn request_body_is_the_wire_format_and_carries_the_secrets_it_must() {
    let body_of = |method, grant| {
        let (wire, _pending) =
            endpoint().build_request(&auth(method), &request(grant)).expect("no client assertion to sign");
        String::from_utf8(wire.into_body()).expect("a form body is UTF-8")
    };
    let post = body_of(AuthMethod::Post, Grant::password("sheila.thomas", PASSWORD));
    for canary in [CLIENT_SECRET, PASSWORD, PARAM] {
        assert!(post.contains(canary), "client_secret_post body lacks `{canary}`: {post}");
    }
    let refresh = body_of(AuthMethod::Basic(BasicEncoding::Percent), Grant::refresh_token(REFRESH));
    assert!(refresh.contains(REFRESH) && !refresh.contains(CLIENT_SECRET), "{refresh}");
    let public = body_of(AuthMethod::None, Grant::ClientCredentials);
    assert!(!public.contains(CLIENT_SECRET), "a public client sends no secret: {public}");
}
