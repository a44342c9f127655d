//! RFC 7636 Appendix B through the whole flow, and the verifier and state: unreserved text of the documented
//! lengths, made from separate bytes of the entropy.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::ClientAuth;
use oauth_core::authorization::{ENTROPY_LEN, PkceVerifier, STATE_ENTROPY_LEN, VERIFIER_ENTROPY_LEN};
use oauth_core::http::Uri;

use crate::{
    APPENDIX_B_CHALLENGE, APPENDIX_B_OCTETS, APPENDIX_B_VERIFIER, CODE, appendix_b_entropy, client_id, pairs, query,
    request, start, token_endpoint,
};

#[test]
fn appendix_b_verifier_and_challenge() {
    let verifier = PkceVerifier::from_entropy(&APPENDIX_B_OCTETS);
    assert_eq!(verifier.secret(), APPENDIX_B_VERIFIER);
    assert_eq!(verifier.challenge(), APPENDIX_B_CHALLENGE);
}

#[test]
fn appendix_b_through_the_whole_flow() {
    let (url, pending) = start(request());
    let sent = pairs(&url);
    assert!(sent.contains(&("code_challenge".into(), APPENDIX_B_CHALLENGE.into())), "{sent:?}");
    assert!(sent.contains(&("code_challenge_method".into(), "S256".into())), "{sent:?}");
    assert!(!url.to_string().contains(APPENDIX_B_VERIFIER), "the verifier never leaves with the URL");

    let state = pending.state().to_owned();
    let exchange = pending.accept_query(&query(&[("code", CODE), ("state", &state)])).expect("a good redirect");
    let (token_request, _) = exchange
        .build_request(&token_endpoint(), &ClientAuth::public(client_id()))
        .expect("no client assertion to sign");
    let body = std::str::from_utf8(token_request.body()).expect("UTF-8");
    assert!(body.ends_with(&format!("&code_verifier={APPENDIX_B_VERIFIER}")), "{body}");
}

#[test]
fn the_verifier_and_state_are_unreserved_text_of_the_documented_lengths() {
    for byte in [0x00, 0x3e, 0x3f, 0xfb, 0xff] {
        let (url, pending) = request().start([byte; ENTROPY_LEN]).expect("ok");
        let unreserved = |text: &str| text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        assert_eq!(pending.state().len(), 22);
        assert!(unreserved(pending.state()));
        assert_eq!(pending.state(), URL_SAFE_NO_PAD.encode([byte; STATE_ENTROPY_LEN]));
        let verifier = PkceVerifier::from_entropy(&[byte; VERIFIER_ENTROPY_LEN]);
        assert!((43..=128).contains(&verifier.secret().len()) && unreserved(verifier.secret()));
        assert!(pairs(&url).contains(&("code_challenge".into(), verifier.challenge())));
    }
}

#[test]
fn verifier_and_state_come_from_separate_bytes() {
    let (a, pending_a) = request().start(appendix_b_entropy(1)).expect("ok");
    let (b, pending_b) = request().start(appendix_b_entropy(2)).expect("ok");
    let challenge = |url: &Uri| pairs(url).into_iter().find(|(name, _)| name == "code_challenge");
    assert_eq!(challenge(&a), challenge(&b), "same verifier bytes, same challenge");
    assert_ne!(pending_a.state(), pending_b.state(), "other state bytes, another state");
}
