//! The caller's own mistakes made while holding secrets — credentials pasted into an endpoint URL, reserved or
//! unsendable values — and refusals that do not repeat them.

use oauth_core::{
    AccessToken, ApiKey, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Grant, Params, SecretParam,
    TokenEndpoint, TokenError, TokenRequest, bearer_header,
};

use crate::{ACCESS, API_KEY, CLIENT_SECRET, PARAM, Subject};

/// The caller's own mistakes, made while holding secrets.
pub(crate) fn misuse_error_subjects() -> Vec<Subject> {
    let mut subjects = Vec::new();
    // Credentials pasted into the endpoint URL: refused, and the refusal must not repeat them.
    let urls = [
        ("https with userinfo", format!("https://app-7:{CLIENT_SECRET}@as.example/oauth/token")),
        ("plain http with userinfo", format!("http://app-7:{CLIENT_SECRET}@as.example/oauth/token")),
        ("userinfo and a fragment", format!("https://app-7:{CLIENT_SECRET}@as.example/oauth/token#top")),
        ("userinfo and a space in the host", format!("https://app-7:{CLIENT_SECRET}@as example/oauth/token")),
        ("userinfo without a scheme", format!("app-7:{CLIENT_SECRET}@as.example/oauth/token")),
        ("userinfo and a query", format!("https://app-7:{CLIENT_SECRET}@as.example/oauth/token?tenant=a@b")),
    ];
    for (case, url) in &urls {
        let error = TokenEndpoint::new(url).expect_err("credentials in the URL are refused");
        subjects.push(Subject::error(format!("MisuseError for an endpoint URL with {case}"), &error));
        subjects.push(Subject::error(
            format!("TokenError::Misuse for an endpoint URL with {case}"),
            &TokenError::from(error),
        ));
        let error = TokenEndpoint::new_allowing_http(url).expect_err("credentials in the URL are refused");
        subjects.push(Subject::error(format!("MisuseError (http allowed) for an endpoint URL with {case}"), &error));
    }

    let mut params = Params::new();
    params.push_secret("client_secret", SecretParam::new(CLIENT_SECRET)).expect("any name can be pushed");
    let reserved = TokenRequest::new(Grant::ClientCredentials).with_params(params).map(|_| ()).expect_err("reserved");
    subjects.push(Subject::error("MisuseError for a reserved secret parameter", &reserved));
    let unsendable = bearer_header(&AccessToken::new(format!("{ACCESS}\n{ACCESS}"))).expect_err("a newline");
    subjects.push(Subject::error("MisuseError for an unsendable access token", &unsendable));
    let unsendable = bearer_header(&ApiKey::new(format!("{API_KEY} {API_KEY}"))).expect_err("a space");
    subjects.push(Subject::error("MisuseError for an unsendable API key", &unsendable));
    let colon = ClientId::new("app:7").expect("not empty");
    let raw = ClientAuth::new(colon, Some(ClientSecret::new(CLIENT_SECRET)), AuthMethod::Basic(BasicEncoding::Raw))
        .map(|_| ())
        .expect_err("raw Basic cannot carry a colon");
    subjects.push(Subject::error("MisuseError for raw Basic with a colon in the id", &raw));
    let mut params = Params::new();
    params.push_secret("assertion", SecretParam::new(PARAM)).expect("not reserved");
    let grant = Grant::extension("jwt bearer", params).map(|_| ()).expect_err("a space in the grant type");
    subjects.push(Subject::error("MisuseError for an invalid extension grant holding a secret", &grant));
    subjects
}
