//! Properties of reading a redirect: any tampered state and any wrong or missing issuer refused, the right state and a
//! code accepted, error redirects typed, and no input that panics.

use oauth_core::ErrorCode;
use oauth_core::authorization::{AuthorizationError, ENTROPY_LEN};
use oauth_core::http::Uri;
use proptest::prelude::*;

use crate::{CODE, ISSUER, code_of, query, request};

fn entropy() -> impl Strategy<Value = [u8; ENTROPY_LEN]> {
    proptest::collection::vec(any::<u8>(), ENTROPY_LEN).prop_map(|bytes| bytes.try_into().expect("ENTROPY_LEN bytes"))
}

/// Parameters a redirect may carry beside the ones read (never a name the reader reads).
fn other_params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("[a-z_]{1,12}", any::<String>()), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(name, _)| !["code", "state", "iss", "error", "error_description", "error_uri"].contains(&&**name))
            .collect()
    })
}

fn with_others<'a>(mut pairs: Vec<(&'a str, &'a str)>, others: &'a [(String, String)]) -> String {
    pairs.extend(others.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    query(&pairs)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_tampered_state_is_refused(entropy in entropy(), tampered in any::<String>(), flip in 0usize..22, others in other_params()) {
        let (_, pending) = request().start(entropy).expect("ok");
        let state = pending.state().to_owned();
        prop_assume!(tampered != state);
        let expected = if tampered.is_empty() { AuthorizationError::MissingState } else { AuthorizationError::StateMismatch };
        let refused = pending.accept_query(&with_others(vec![("code", CODE), ("state", &tampered)], &others));
        prop_assert_eq!(refused.map(code_of), Err(expected));

        // One character changed.
        let (_, pending) = request().start(entropy).expect("ok");
        let mut bytes = state.into_bytes();
        bytes[flip] = if bytes[flip] == b'A' { b'B' } else { b'A' };
        let near = String::from_utf8(bytes).expect("ASCII");
        let refused = pending.accept_query(&with_others(vec![("state", &near), ("code", CODE)], &others));
        prop_assert_eq!(refused.map(code_of), Err(AuthorizationError::StateMismatch));
    }

    #[test]
    fn the_right_state_and_a_code_are_accepted(entropy in entropy(), code in ".{1,64}", others in other_params()) {
        let (_, pending) = request().start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let exchange = pending.accept_query(&with_others(vec![("state", &state), ("code", &code)], &others));
        prop_assert_eq!(exchange.map(code_of), Ok(code));
    }

    #[test]
    fn a_missing_iss_is_refused_when_required(entropy in entropy(), others in other_params(), error in proptest::option::of("[a-z_]{1,20}")) {
        let (_, pending) = request().with_issuer(ISSUER, true).start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let mut pairs = vec![("state", state.as_str()), ("code", CODE)];
        pairs.extend(error.as_deref().map(|error| ("error", error)));
        let refused = pending.accept_query(&with_others(pairs, &others));
        prop_assert_eq!(refused.map(code_of), Err(AuthorizationError::MissingIssuer { expected: ISSUER.into() }));
    }

    #[test]
    fn a_wrong_iss_is_refused(entropy in entropy(), iss in any::<String>(), required in any::<bool>(), others in other_params()) {
        prop_assume!(iss != ISSUER);
        let (_, pending) = request().with_issuer(ISSUER, required).start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let refused = pending.accept_query(&with_others(vec![("iss", &iss), ("state", &state), ("code", CODE)], &others));
        prop_assert_eq!(
            refused.map(code_of),
            Err(AuthorizationError::IssuerMismatch { expected: ISSUER.into(), received: iss.into() })
        );
    }

    #[test]
    fn an_error_redirect_gives_the_typed_server_error(
        entropy in entropy(),
        error in "[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]{1,30}",
        description in proptest::option::of("[\\x20-\\x7E]{0,80}"),
        uri in proptest::option::of("https://[a-z.]{1,20}/[a-z/]{0,20}"),
        code in proptest::option::of("[A-Za-z0-9]{8,20}"),
        others in other_params(),
    ) {
        let (_, pending) = request().with_issuer(ISSUER, false).start(entropy).expect("ok");
        let state = pending.state().to_owned();
        let mut pairs = vec![("error", error.as_str()), ("state", state.as_str())];
        pairs.extend(description.as_deref().map(|d| ("error_description", d)));
        pairs.extend(uri.as_deref().map(|u| ("error_uri", u)));
        pairs.extend(code.as_deref().map(|c| ("code", c)));
        let refused = pending.accept_query(&with_others(pairs, &others)).map(code_of);
        // What the server wrote, unless it happened to hold the code (which is then redacted).
        let kept = |text: &str| !code.as_deref().is_some_and(|c| text.contains(c));
        prop_assume!(kept(&error) && description.as_deref().is_none_or(kept) && uri.as_deref().is_none_or(kept));
        prop_assert_eq!(
            refused,
            Err(AuthorizationError::Server {
                code: ErrorCode::from_code(&error),
                description: description.map(Into::into),
                uri: uri.map(Into::into),
            })
        );
    }

    #[test]
    fn reading_any_redirect_never_panics(entropy in entropy(), text in any::<String>()) {
        let (_, pending) = request().with_issuer(ISSUER, true).start(entropy).expect("ok");
        let _ = pending.accept_query(&text);
        if let Ok(uri) = text.parse::<Uri>() {
            let (_, pending) = request().start(entropy).expect("ok");
            let _ = pending.is_redirect(&uri);
            let _ = pending.accept(&uri);
        }
    }
}
