//! Secret hygiene: no verifier, state, nonce or code — nor any 8-character piece of one — in any rendering of the
//! flow's values or of any error a redirect can cause.

use oauth_core::ClientAuth;
use oauth_core::authorization::{Nonce, PkceVerifier};

use crate::{
    APPENDIX_B_OCTETS, APPENDIX_B_VERIFIER, ISSUER, accept, client_id, code_of, request, start, token_endpoint,
};

/// Every 8-character piece of `secret` (and `secret` itself when shorter).
fn pieces(secret: &str) -> Vec<&str> {
    if secret.len() <= 8 { vec![secret] } else { (0..=secret.len() - 8).map(|i| &secret[i..i + 8]).collect() }
}

fn assert_clean(what: &str, renderings: &[String], secrets: &[&str]) {
    for rendering in renderings {
        for secret in secrets {
            for piece in pieces(secret) {
                assert!(!rendering.contains(piece), "{what} shows `{piece}` of a secret: {rendering}");
            }
        }
    }
}

fn debug_and_display<T: std::fmt::Debug + std::fmt::Display>(value: &T) -> Vec<String> {
    vec![format!("{value}"), format!("{value:?}"), format!("{value:#?}")]
}

fn debug_only<T: std::fmt::Debug>(value: &T) -> Vec<String> {
    vec![format!("{value:?}"), format!("{value:#?}")]
}

#[test]
fn no_secret_in_any_rendering() {
    const NONCE: &str = "CANARY-nonce-Qp4sW8zd";
    const ECHO_CODE: &str = "CANARY-code-Hk2mT6xv";
    let request = || request().with_nonce(Nonce::new(NONCE)).with_issuer(ISSUER, true);
    assert_clean("AuthorizationRequest", &debug_only(&request()), &[NONCE]);

    let (_, pending) = start(request());
    let state = pending.state().to_owned();
    let secrets = [APPENDIX_B_VERIFIER, state.as_str(), NONCE, ECHO_CODE];
    assert_clean("PendingAuthorization", &debug_only(&pending), &secrets);
    assert_clean("PkceVerifier", &debug_and_display(&PkceVerifier::from_entropy(&APPENDIX_B_OCTETS)), &secrets);
    assert_clean("Nonce", &debug_and_display(&Nonce::new(NONCE)), &secrets);

    let exchange = accept(pending, &[("code", ECHO_CODE), ("state", &state), ("iss", ISSUER)]).expect("accepted");
    assert_clean("CodeExchange", &debug_only(&exchange), &secrets);
    assert_eq!(exchange.nonce().map(Nonce::secret), Some(NONCE));
    let token_request = exchange.into_token_request();
    assert_clean("TokenRequest", &debug_only(&token_request), &secrets);
    assert_clean("Grant", &debug_only(token_request.grant()), &secrets);
    let (_, pending_exchange) = token_endpoint()
        .build_request(&ClientAuth::public(client_id()), &token_request)
        .expect("no client assertion to sign");
    assert_clean("PendingExchange", &debug_only(&pending_exchange), &secrets);

    // Every error, from redirects that echo the state and the code wherever they can.
    let echoed = format!("state {state} code {ECHO_CODE}");
    let redirects: Vec<Vec<(&str, &str)>> = vec![
        vec![("state", "tampered"), ("code", ECHO_CODE)],
        vec![("code", ECHO_CODE)],
        vec![("state", &state), ("code", ECHO_CODE)],
        vec![("state", &state), ("code", ECHO_CODE), ("iss", &echoed)],
        vec![("state", &state), ("iss", ISSUER)],
        vec![("state", &state), ("iss", ISSUER), ("code", ECHO_CODE), ("code", ECHO_CODE)],
        vec![
            ("state", &state),
            ("iss", ISSUER),
            ("code", ECHO_CODE),
            ("error", &echoed),
            ("error_description", &echoed),
            ("error_uri", &echoed),
        ],
    ];
    let mut variants = Vec::new();
    for redirect in redirects {
        // Each redirect is read by a pending request with the same state (same entropy).
        let (_, pending) = start(request());
        let error = accept(pending, &redirect).map(code_of).expect_err("refused");
        assert_clean(&format!("{error:?}"), &debug_and_display(&error), &secrets);
        variants.push(std::mem::discriminant(&error));
    }
    variants.dedup();
    assert_eq!(variants.len(), 7, "one redirect per error variant");
}
