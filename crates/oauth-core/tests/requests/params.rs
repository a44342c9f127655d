//! Extra parameters: the reserved names refused where parameters are attached, extension grants with fields of their
//! own, repeated parameters, grant types a form cannot carry, and which grants are safe to replay.

use oauth_core::{
    ClientAuth, ClientSecret, Grant, MisuseError, Params, RESERVED_EXTENSION_PARAMS, RESERVED_PARAMS, SecretParam,
    TokenEndpoint, TokenRequest,
};

use crate::{id, jwt_bearer, params};

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
    let (request, _) = endpoint.build_request(&auth, &TokenRequest::new(grant)).expect("no client assertion to sign");
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
