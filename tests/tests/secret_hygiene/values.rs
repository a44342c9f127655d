//! The values that hold a secret — the secret newtypes, client authentication, requests, tokens, the lifecycle and
//! its tickets — and the proof that redaction hides each canary from printing only.

use std::time::{Duration, Instant};

use http::header::AUTHORIZATION;
use oauth_core::{
    AccessToken, ApiKey, AuthMethod, ClientSecret, Decision, Grant, IdToken, ParamValue, Password, Quirks,
    RefreshToken, SecretParam, Token, TokenError, TokenLifecycle, bearer_header, parse_token_response,
};

use crate::fixtures::{
    METHODS, answer, auth, endpoint, exchange, extension_grant, grants, json, request, secret_params,
};
use crate::{ACCESS, API_KEY, CLIENT_SECRET, EXTRA, ID_TOKEN, PARAM, PASSWORD, REFRESH, SLASHED_SECRET, Subject};

/// The seven secret newtypes: each prints `[redacted]` and nothing of its value.
pub(crate) fn secret_subjects() -> Vec<Subject> {
    let values = vec![
        Subject::display("ClientSecret", &ClientSecret::new(CLIENT_SECRET)),
        Subject::display("ClientSecret (base64)", &ClientSecret::from(SLASHED_SECRET)),
        Subject::display("Password", &Password::new(PASSWORD)),
        Subject::display("ApiKey", &ApiKey::new(API_KEY)),
        Subject::display("AccessToken", &AccessToken::new(ACCESS)),
        Subject::display("RefreshToken", &RefreshToken::new(REFRESH)),
        Subject::display("IdToken", &IdToken::from(ID_TOKEN.to_owned())),
        Subject::display("SecretParam", &SecretParam::new(PARAM)),
        Subject::debug("ParamValue::Secret", &ParamValue::Secret(SecretParam::new(PARAM))),
    ];
    values.into_iter().map(Subject::marked).collect()
}

/// Client authentication in every method and encoding, and bearer credentials.
pub(crate) fn credential_subjects() -> Vec<Subject> {
    let mut subjects = Vec::new();
    for method in METHODS {
        let auth = auth(method);
        subjects.push(Subject::debug(format!("ClientAuth {method:?}"), &auth).marked());
        subjects
            .push(Subject::debug(format!("ClientAuth {method:?} authorization header"), &auth.authorization_header()));
        subjects.push(Subject::debug(format!("ClientAuth {method:?} client secret"), &auth.client_secret()).marked());
        let switched = auth.with_method(AuthMethod::Post).expect("post never fails");
        subjects.push(Subject::debug(format!("ClientAuth {method:?} switched to Post"), &switched).marked());
    }
    let access_header = bearer_header(&AccessToken::new(ACCESS)).expect("a header-safe token");
    let key_header = bearer_header(&ApiKey::new(API_KEY)).expect("a header-safe key");
    subjects.push(Subject::debug("bearer header from an AccessToken", &access_header));
    subjects.push(Subject::debug("bearer header from an ApiKey", &key_header));
    let mut api_call = http::Request::get("https://api.example/v1/agents").body(Vec::<u8>::new()).expect("valid");
    api_call.headers_mut().insert(AUTHORIZATION, access_header);
    subjects.push(Subject::debug("resource request carrying a bearer header", &api_call));
    subjects
}

/// Grants, parameters, token requests, built HTTP requests and pending exchanges.
pub(crate) fn request_subjects() -> Vec<Subject> {
    let mut subjects = vec![
        Subject::debug("Params with a secret", &secret_params()).marked(),
        Subject::debug("Params::get_all of a secret", &secret_params().get_all("client_assertion").collect::<Vec<_>>())
            .marked(),
    ];
    for (name, grant) in grants() {
        subjects.push(Subject::debug(format!("Grant {name}"), &grant));
        let request = request(grant);
        subjects.push(Subject::debug(format!("TokenRequest {name}"), &request).marked());
        subjects
            .push(Subject::debug(format!("TokenRequest {name} with_grant"), &request.with_grant(extension_grant())));
        for method in METHODS {
            let (wire, pending) =
                endpoint().build_request(&auth(method), &request).expect("no client assertion to sign");
            let case = format!("{name} request, {method:?}");
            subjects.push(Subject::debug(format!("http::Request for {case}"), &wire));
            subjects.push(Subject::debug(format!("http::Request headers for {case}"), wire.headers()));
            subjects.push(Subject::debug(format!("PendingExchange for {case}"), &pending));
            subjects.push(Subject::debug(format!("PendingExchange::grant for {case}"), pending.grant()));
        }
    }
    subjects
}

/// Tokens as parsed (every token field and unknown fields holding a canary), built, and kept.
pub(crate) fn token_subjects() -> Vec<Subject> {
    let sent_at = Instant::now();
    let full = json(
        200,
        &format!(
            r#"{{"access_token":"{ACCESS}","token_type":"bearer","expires_in":299,"refresh_token":"{REFRESH}",
               "id_token":"{ID_TOKEN}","scope":"read write","jti":"1a9b1856","vendor_secret":"{EXTRA}",
               "nested":{{"inner":"{EXTRA}"}},"list":["{EXTRA}"]}}"#
        ),
    );
    let parsed = parse_token_response(&Quirks::lenient(), &full, sent_at).expect("a valid token response");
    assert_eq!(parsed.access_token().secret(), ACCESS, "the canary must reach the token");
    assert_eq!(parsed.extras().get("vendor_secret").and_then(|v| v.as_str()), Some(EXTRA));

    let form = answer(
        200,
        "application/x-www-form-urlencoded",
        format!("access_token={ACCESS}&token_type=bearer&expires_in=3600&refresh_token={REFRESH}&sid={EXTRA}"),
    );
    let from_form = parse_token_response(&Quirks::lenient(), &form, sent_at).expect("a valid form token response");

    // A refresh answered without a new refresh token keeps the one sent (RFC 6749 §6).
    let kept = exchange(
        &auth(AuthMethod::Post),
        &request(Grant::refresh_token(REFRESH)),
        &json(200, &format!(r#"{{"access_token":"{ACCESS}","token_type":"Bearer"}}"#)),
    )
    .expect("a valid refresh answer");
    assert_eq!(kept.refresh_token().map(RefreshToken::secret), Some(REFRESH));

    let built = Token::bearer(AccessToken::new(ACCESS))
        .with_lifetime(sent_at, Duration::from_secs(299))
        .with_refresh_token(RefreshToken::new(REFRESH));

    vec![
        Subject::debug("Token parsed from JSON", &parsed).marked(),
        Subject::debug("Token::extras parsed from JSON", parsed.extras()),
        Subject::display("Token::access_token", parsed.access_token()).marked(),
        Subject::display("Token::refresh_token", parsed.refresh_token().expect("sent")).marked(),
        Subject::display("Token::id_token", parsed.id_token().expect("sent")).marked(),
        Subject::display("Token::token_type", parsed.token_type()),
        Subject::debug("Token::extras iterated keys", &parsed.extras().iter().map(|(k, _)| k).collect::<Vec<_>>()),
        Subject::debug("Token parsed from a form", &from_form).marked(),
        Subject::debug("Token::extras parsed from a form", from_form.extras()),
        Subject::debug("Token kept through a refresh", &kept).marked(),
        Subject::debug("Token built with Token::bearer", &built).marked(),
    ]
}

/// The lifecycle holding a token and a refresh token, and every ticket and poll it hands out.
pub(crate) fn lifecycle_subjects() -> Vec<Subject> {
    let t0 = Instant::now();
    let token = Token::bearer(AccessToken::new(ACCESS))
        .with_lifetime(t0, Duration::from_secs(299))
        .with_refresh_token(RefreshToken::new(REFRESH));
    let mut subjects = Vec::new();
    let mut life = TokenLifecycle::new(Duration::from_secs(60));

    let Decision::Fetch(first) = life.poll(t0) else { panic!("an empty lifecycle fetches") };
    subjects.push(Subject::debug("Fetch with the primary grant", &first));
    let stored = life.complete::<TokenError>(first, Ok(token));
    subjects.push(Subject::debug("Completion after storing", &stored));
    subjects.push(Subject::debug("TokenLifecycle holding a token and a refresh token", &life).marked());
    subjects.push(Subject::debug("TokenLifecycle::token", &life.token()).marked());
    subjects.push(Subject::debug("TokenLifecycle::refresh_token", &life.refresh_token()).marked());

    let ready = life.poll(t0 + Duration::from_secs(10));
    subjects.push(Subject::debug("Decision::Ready", &ready).marked());

    let ahead = life.poll(t0 + Duration::from_secs(250));
    subjects.push(Subject::debug("Decision::RefreshAhead with a refresh fetch", &ahead).marked());
    let Decision::RefreshAhead(_, Some(refresh)) = ahead else { panic!("inside the refresh window") };
    subjects.push(Subject::debug("Fetch with the refresh grant", &refresh).marked());
    subjects.push(Subject::debug("FetchGrant::Refresh", refresh.grant()).marked());
    subjects
        .push(Subject::debug("FetchGrant::to_grant", &refresh.grant().to_grant(&Grant::ClientCredentials)).marked());

    // Expired, and the refresh handed out at 250 s is still inside its 120 s lease.
    let waiting = life.poll(t0 + Duration::from_secs(350));
    subjects.push(Subject::debug("Decision::Wait", &waiting));
    subjects.push(Subject::debug("TokenLifecycle with a refresh in flight", &life).marked());
    life.abandon(refresh);

    let expired = life.poll(t0 + Duration::from_secs(400));
    subjects.push(Subject::debug("Decision::Fetch with the refresh grant", &expired).marked());
    let Decision::Fetch(again) = expired else { panic!("an expired token is fetched again") };
    let rejected = json(400, &format!(r#"{{"error":"invalid_grant","error_description":"{REFRESH} was revoked"}}"#));
    let refused =
        exchange(&auth(AuthMethod::Post), &request(again.grant().to_grant(&Grant::ClientCredentials)), &rejected);
    subjects.push(Subject::debug("the refresh refusal handed to complete", &refused));
    subjects.push(Subject::debug("Completion after a refused refresh", &life.complete(again, refused)));
    subjects.push(Subject::debug("TokenLifecycle after its refresh token was refused", &life));
    subjects
}

/// Redaction hides values from printing only: each canary still comes back through `.secret()`,
/// also after a trip through the lifecycle (so the table checks values that hold them).
#[test]
fn printed_redacted_values_still_give_their_secret_back() {
    let read: [(&str, String); 8] = [
        (CLIENT_SECRET, ClientSecret::new(CLIENT_SECRET).secret().into()),
        (SLASHED_SECRET, ClientSecret::from(SLASHED_SECRET).secret().into()),
        (PASSWORD, Password::new(PASSWORD).secret().into()),
        (API_KEY, ApiKey::new(API_KEY).secret().into()),
        (ACCESS, AccessToken::new(ACCESS).secret().into()),
        (REFRESH, RefreshToken::new(REFRESH).secret().into()),
        (ID_TOKEN, IdToken::new(ID_TOKEN).secret().into()),
        (PARAM, secret_params().get_all("client_assertion").map(ParamValue::as_str).collect()),
    ];
    for (canary, value) in read {
        assert_eq!(value, canary);
    }

    let mut life = TokenLifecycle::default();
    let t0 = Instant::now();
    let Decision::Fetch(fetch) = life.poll(t0) else { panic!("an empty lifecycle fetches") };
    let token = Token::bearer(AccessToken::new(ACCESS)).with_refresh_token(RefreshToken::new(REFRESH));
    let _stored = life.complete::<TokenError>(fetch, Ok(token));
    life.invalidate();
    let Decision::Fetch(fetch) = life.poll(t0) else { panic!("an invalidated token is fetched again") };
    match fetch.grant().to_grant(&Grant::ClientCredentials) {
        Grant::RefreshToken { refresh_token } => assert_eq!(refresh_token.secret(), REFRESH),
        other => panic!("expected the refresh grant, got {other:?}"),
    }
    life.abandon(fetch);
}
