//! Secret hygiene (DESIGN.md decision 5): no secret ever shows in an error, a `Debug` print or a log line.
//!
//! Distinctive canary secrets are put into every public oauth-core value that can hold one — the
//! secret newtypes, client authentication in every method and encoding, every grant, request
//! parameters, built requests and pending exchanges, parsed tokens and their extras, the token
//! lifecycle and its tickets — and into server answers that turn into errors: bodies that echo
//! the client secret, the password, the refresh token or a secret parameter back, and malformed
//! `200`s that carry an access token. Every value is rendered with `Display` (where it has one),
//! `Debug` and `{:#?}`, errors also down their `source()` chain, and every rendering is searched
//! for each canary and for every 8-character piece of it. One table, one loop: a failure lists
//! every leak (value, format, which canary, where) at once.
//!
//! What is *not* a log line: the body of a built request is the wire format, and a
//! `client_secret_post` body necessarily carries the secret; `Debug` of an `http::Request<Vec<u8>>`
//! prints the body as numbers, and the `Authorization` header as `Sensitive`.

use std::error::Error;
use std::fmt::{Debug, Display};
use std::time::{Duration, Instant};

use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use oauth_core::{
    AccessToken, ApiKey, AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret, Decision, EnvelopeError,
    ErrorEnvelope, Grant, IdToken, ParamValue, Params, Password, ProtocolErrorKind, Quirks, RefreshToken, Scope,
    SecretParam, Token, TokenEndpoint, TokenError, TokenLifecycle, TokenRequest, bearer_header, parse_token_response,
};

// ----- the canaries -----

const CLIENT_SECRET: &str = "CANARY-client-secret-7f3a";
/// A client secret as servers really issue them (base64): a JSON encoder may write its `/` as `\/`.
const SLASHED_SECRET: &str = "CANARY-b64secret-Rt4/u8+Yz9=";
const PASSWORD: &str = "CANARY-passwd-Hq2v9Lw";
const API_KEY: &str = "CANARY-apikey-M4tR8sYe";
const ACCESS: &str = "CANARY-access-Zb6nK1pQ";
const REFRESH: &str = "CANARY-refresh-Wd3jX7cu";
const ID_TOKEN: &str = "CANARY-idtoken-Ge5rT0ma";
const PARAM: &str = "CANARY-param-Vx1yN6hs";
/// A value in a token response field this crate has no slot for (it may hold anything).
const EXTRA: &str = "CANARY-extra-Pk9wB2df";

const CANARIES: &[(&str, &str)] = &[
    ("client secret", CLIENT_SECRET),
    ("base64 client secret", SLASHED_SECRET),
    ("password", PASSWORD),
    ("API key", API_KEY),
    ("access token", ACCESS),
    ("refresh token", REFRESH),
    ("ID token", ID_TOKEN),
    ("secret parameter", PARAM),
    ("unknown response field", EXTRA),
];

/// What every secret prints instead of its value.
const REDACTED: &str = "[redacted]";

/// The shortest piece of a canary that counts as a leak (a token cut at an excerpt's end, or
/// wrapped over two lines, still leaks its halves).
const PIECE: usize = 8;

// ----- the table -----

/// One value, rendered every way it can be printed.
struct Subject {
    name: String,
    /// Whether every rendering must show the `[redacted]` marker.
    expect_marker: bool,
    renderings: Vec<(String, String)>,
}

impl Subject {
    /// `{:?}` and `{:#?}`.
    fn debug<T: Debug + ?Sized>(name: impl Into<String>, value: &T) -> Self {
        Self {
            name: name.into(),
            expect_marker: false,
            renderings: vec![("{:?}".into(), format!("{value:?}")), ("{:#?}".into(), format!("{value:#?}"))],
        }
    }

    /// `{}`, `{:?}` and `{:#?}`.
    fn display<T: Debug + Display + ?Sized>(name: impl Into<String>, value: &T) -> Self {
        let mut subject = Self::debug(name, value);
        subject.renderings.insert(0, ("{}".into(), format!("{value}")));
        subject
    }

    /// `{}`, `{:?}`, `{:#?}`, and the same for every error down the `source()` chain.
    fn error<E: Error + 'static>(name: impl Into<String>, error: &E) -> Self {
        let mut subject = Self::display(name, error);
        let mut depth = 0;
        let mut source = error.source();
        while let Some(cause) = source {
            depth += 1;
            subject.renderings.push((format!("source #{depth} {{}}"), format!("{cause}")));
            subject.renderings.push((format!("source #{depth} {{:?}}"), format!("{cause:?}")));
            subject.renderings.push((format!("source #{depth} {{:#?}}"), format!("{cause:#?}")));
            source = cause.source();
        }
        subject
    }

    /// A text an accessor hands out, as it is.
    fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self { name: name.into(), expect_marker: false, renderings: vec![("as text".into(), text.into())] }
    }

    /// Adds one more rendering (a text an accessor hands out for logs).
    fn with(mut self, label: &str, text: impl Into<String>) -> Self {
        self.renderings.push((label.into(), text.into()));
        self
    }

    /// Every rendering must show `[redacted]`.
    fn marked(mut self) -> Self {
        self.expect_marker = true;
        self
    }
}

/// Every canary (or piece of one) in `text`, described.
fn leaks_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for &(what, canary) in CANARIES {
        if let Some(at) = text.find(canary) {
            found.push(format!("the whole {what} `{canary}`, at: …{}…", around(text, at, canary.len())));
            continue;
        }
        // Pieces every canary shares (`CANARY-a` of both the access token and the API key) would
        // blame the wrong one; each canary has plenty of pieces of its own.
        let own = |piece: &&str| CANARIES.iter().all(|&(_, other)| other == canary || !other.contains(*piece));
        let piece = (0..=canary.len() - PIECE)
            .map(|i| &canary[i..i + PIECE])
            .filter(own)
            .find_map(|p| Some((p, text.find(p)?)));
        if let Some((piece, at)) = piece {
            found.push(format!("`{piece}`, a piece of the {what} `{canary}`, at: …{}…", around(text, at, PIECE)));
        }
    }
    found
}

/// Up to 40 characters either side of `text[at..at + len]`.
fn around(text: &str, at: usize, len: usize) -> &str {
    let mut start = at.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + 40).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}

#[test]
fn no_rendering_of_any_value_shows_a_secret() {
    let subjects: Vec<Subject> = [
        secret_subjects(),
        credential_subjects(),
        request_subjects(),
        token_subjects(),
        lifecycle_subjects(),
        echo_error_subjects(),
        protocol_error_subjects(),
        misuse_error_subjects(),
    ]
    .into_iter()
    .flatten()
    .collect();

    let mut failures = Vec::new();
    let mut renderings = 0;
    for subject in &subjects {
        for (format, text) in &subject.renderings {
            renderings += 1;
            for leak in leaks_in(text) {
                failures.push(format!("{} with {format} leaks {leak}", subject.name));
            }
            if subject.expect_marker && !text.contains(REDACTED) {
                failures.push(format!("{} with {format} lacks the `{REDACTED}` marker: {text}", subject.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems in {renderings} renderings of {} values:\n{}",
        failures.len(),
        subjects.len(),
        failures.join("\n")
    );
    // The table is the test: a refactor that empties it must fail here, not pass silently.
    assert!(subjects.len() >= 150 && renderings >= 450, "{} values, {renderings} renderings", subjects.len());
}

// ----- building blocks -----

fn client_id() -> ClientId {
    ClientId::new("app-7").expect("a non-empty client id")
}

/// Every way a client can authenticate.
const METHODS: [AuthMethod; 5] = [
    AuthMethod::Basic(BasicEncoding::Percent),
    AuthMethod::Basic(BasicEncoding::FormPlus),
    AuthMethod::Basic(BasicEncoding::Raw),
    AuthMethod::Post,
    AuthMethod::None,
];

fn auth(method: AuthMethod) -> ClientAuth {
    ClientAuth::new(client_id(), Some(ClientSecret::new(CLIENT_SECRET)), method).expect("no colon in the id")
}

fn secret_params() -> Params {
    let mut params = Params::new();
    params.push_secret("client_assertion", SecretParam::new(PARAM)).expect("not reserved");
    params.push("resource", "https://api.example").expect("not reserved");
    params
}

fn extension_grant() -> Grant {
    let mut params = Params::new();
    params.push_secret("assertion", SecretParam::new(PARAM)).expect("not reserved");
    Grant::extension("urn:ietf:params:oauth:grant-type:jwt-bearer", params).expect("a valid grant type")
}

/// Every grant, each holding its secret.
fn grants() -> Vec<(&'static str, Grant)> {
    vec![
        ("client_credentials", Grant::ClientCredentials),
        ("password", Grant::password("sheila.thomas", PASSWORD)),
        ("refresh_token", Grant::refresh_token(REFRESH)),
        ("jwt-bearer extension", extension_grant()),
    ]
}

fn request(grant: Grant) -> TokenRequest {
    TokenRequest::new(grant)
        .with_scope(Scope::parse("read write").expect("valid scope"))
        .with_params(secret_params())
        .expect("no reserved names")
}

fn endpoint() -> TokenEndpoint {
    TokenEndpoint::new("https://as.example/oauth/token").expect("a valid endpoint")
}

fn answer(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type)
        .body(body.into())
        .expect("a valid test response")
}

fn json(status: u16, body: &str) -> Response<Vec<u8>> {
    answer(status, "application/json", body)
}

/// Sends `request` as `auth` (on paper) and finishes the exchange with `response`.
fn exchange(auth: &ClientAuth, request: &TokenRequest, response: &Response<Vec<u8>>) -> Result<Token, TokenError> {
    exchange_at(&endpoint(), auth, request, response)
}

fn exchange_at(
    endpoint: &TokenEndpoint,
    auth: &ClientAuth,
    request: &TokenRequest,
    response: &Response<Vec<u8>>,
) -> Result<Token, TokenError> {
    let (_wire, pending) = endpoint.build_request(auth, request);
    pending.finish(response, Instant::now())
}

fn expect_err<T: Debug>(case: &str, result: Result<T, TokenError>) -> TokenError {
    match result {
        Err(error) => error,
        Ok(value) => panic!("{case}: expected an error, got {value:?}"),
    }
}

// ----- the values -----

/// The seven secret newtypes: each prints `[redacted]` and nothing of its value.
fn secret_subjects() -> Vec<Subject> {
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
fn credential_subjects() -> Vec<Subject> {
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
fn request_subjects() -> Vec<Subject> {
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
            let (wire, pending) = endpoint().build_request(&auth(method), &request);
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
fn token_subjects() -> Vec<Subject> {
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
fn lifecycle_subjects() -> Vec<Subject> {
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

/// One server answer that echoes a credential the request carried.
struct Echo {
    case: &'static str,
    auth: ClientAuth,
    request: TokenRequest,
    answer: Response<Vec<u8>>,
    /// Whether `{}` and `{:?}` must show the `[redacted]` marker where the echo was.
    marked: bool,
}

fn html_page_with(text: &str, padding: usize) -> String {
    format!("<html><body><h1>500 Internal Server Error</h1><pre>{}{text}</pre></body></html>", "-".repeat(padding))
}

/// Server errors whose bodies echo what the request carried: finishing through `PendingExchange`
/// must scrub every credential the request sent.
fn echo_error_subjects() -> Vec<Subject> {
    let post = auth(AuthMethod::Post);
    let basic = auth(AuthMethod::Basic(BasicEncoding::Percent));
    let slashed = ClientAuth::post(client_id(), ClientSecret::new(SLASHED_SECRET));
    let cc = request(Grant::ClientCredentials);
    let echoed_form = format!(
        "grant_type=password&client_id=app-7&client_secret={CLIENT_SECRET}&username=sheila.thomas&password={PASSWORD}&client_assertion={PARAM}"
    );
    let echoes = vec![
        Echo {
            case: "invalid_client whose description echoes the client secret",
            auth: post.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","error_description":"client secret {CLIENT_SECRET} does not match"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_client echoing the client secret in its own fields",
            auth: basic.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","received":{{"client_id":"app-7","client_secret":"{CLIENT_SECRET}"}},"hint":"{CLIENT_SECRET}"}}"#
                ),
            ),
            marked: false,
        },
        Echo {
            case: "invalid_grant whose description echoes the password",
            auth: post.clone(),
            request: request(Grant::password("sheila.thomas", PASSWORD)),
            answer: json(
                400,
                &format!(
                    r#"{{"error":"invalid_grant","error_description":"password '{PASSWORD}' is wrong","password":"{PASSWORD}"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_grant whose description echoes the refresh token",
            auth: post.clone(),
            request: request(Grant::refresh_token(REFRESH)),
            answer: json(
                400,
                &format!(
                    r#"{{"error":"invalid_grant","error_description":"refresh token {REFRESH} expired","token":"{REFRESH}"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_grant whose description echoes the extension grant's assertion",
            auth: post.clone(),
            request: TokenRequest::new(extension_grant()),
            answer: json(
                400,
                &format!(r#"{{"error":"invalid_grant","error_description":"assertion {PARAM} is not signed"}}"#),
            ),
            marked: true,
        },
        Echo {
            case: "invalid_request whose description echoes a secret extra parameter",
            auth: basic.clone(),
            request: cc.clone(),
            answer: json(
                400,
                &format!(r#"{{"error":"invalid_request","error_description":"unexpected value {PARAM}"}}"#),
            ),
            marked: true,
        },
        Echo {
            case: "form-encoded error echoing the password",
            auth: post.clone(),
            request: request(Grant::password("sheila.thomas", PASSWORD)),
            answer: answer(
                400,
                "application/x-www-form-urlencoded",
                format!("error=invalid_grant&error_description=bad+password+{PASSWORD}&echo={PASSWORD}"),
            ),
            marked: true,
        },
        Echo {
            case: "HTML 500 page echoing the whole posted form",
            auth: post.clone(),
            request: request(Grant::password("sheila.thomas", PASSWORD)),
            answer: answer(500, "text/html", html_page_with(&format!("could not handle {echoed_form}"), 0)),
            marked: false,
        },
        Echo {
            case: "HTML 500 page echoing the client secret across the excerpt's cut",
            auth: post.clone(),
            request: cc.clone(),
            answer: answer(
                500,
                "text/html",
                html_page_with(&format!("secret {CLIENT_SECRET} rejected"), oauth_core::BODY_EXCERPT_LIMIT - 80),
            ),
            marked: false,
        },
        Echo {
            case: "200 carrying `error` that echoes the client secret",
            auth: post.clone(),
            request: cc.clone(),
            answer: json(200, &format!(r#"{{"error":"invalid_client","error_description":"{CLIENT_SECRET}?"}}"#)),
            marked: true,
        },
        Echo {
            case: "error_uri echoing the client secret",
            auth: post.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","error_uri":"https://as.example/why?client_secret={CLIENT_SECRET}"}}"#
                ),
            ),
            marked: true,
        },
        Echo {
            case: "JSON with `\\/` escapes echoing a base64 client secret",
            auth: slashed.clone(),
            request: cc.clone(),
            answer: json(
                401,
                &format!(
                    r#"{{"error":"invalid_client","error_description":"secret {} unknown"}}"#,
                    SLASHED_SECRET.replace('/', "\\/")
                ),
            ),
            marked: true,
        },
    ];

    let mut subjects = Vec::new();
    for echo in echoes {
        // The server really did echo: without the exchange's scrubbing the canary would be kept.
        let raw = parse_token_response(&Quirks::lenient(), &echo.answer, Instant::now());
        assert!(matches!(raw, Err(TokenError::Server(_))), "{}: not a server error: {raw:?}", echo.case);
        let error = expect_err(echo.case, exchange(&echo.auth, &echo.request, &echo.answer));
        subjects.extend(server_error_subject(echo.case, &error, echo.marked));
    }

    // A vendor envelope (CloudCX-style `{"code","message"}`) whose message echoes the password.
    fn envelope(_: StatusCode, body: &serde_json::Value) -> Option<EnvelopeError> {
        let code = body.get("code")?.as_str()?;
        let message = body.get("message").and_then(|m| m.as_str()).unwrap_or_default();
        (code != "0000").then(|| EnvelopeError::new().vendor_code(code).description(message))
    }
    let mut quirks = Quirks::lenient();
    quirks.error_envelope = Some(ErrorEnvelope::new("code-envelope", envelope));
    let vendor = endpoint().with_quirks(quirks);
    let answer =
        json(200, &format!(r#"{{"code":"1001","message":"user sheila.thomas password {PASSWORD} is wrong"}}"#));
    let request = request(Grant::password("sheila.thomas", PASSWORD));
    let error = expect_err("vendor envelope", exchange_at(&vendor, &post, &request, &answer));
    subjects.extend(server_error_subject("vendor envelope whose message echoes the password", &error, true));

    // A challenge that echoes the client secret (a 401 from the token endpoint).
    let mut answer = json(401, r#"{"error":"invalid_client"}"#);
    answer.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_str(&format!(r#"Basic realm="as", error_description="secret {CLIENT_SECRET} rejected""#))
            .expect("a valid header"),
    );
    let error = expect_err("challenge echo", exchange(&basic, &cc, &answer));
    subjects.extend(server_error_subject("WWW-Authenticate challenge echoing the client secret", &error, false));
    subjects
}

fn server_error_subject(case: &str, error: &TokenError, marked: bool) -> Vec<Subject> {
    let TokenError::Server(server) = error else { panic!("{case}: expected a server error, got {error:?}") };
    let texts = format!("description {:?}, uri {:?}", server.description, server.uri);
    let mut subjects = vec![
        Subject::error(format!("TokenError: {case}"), error),
        Subject::text(format!("ServerError::body.text(): {case}"), server.body.text()),
    ];
    if marked {
        // The echo is replaced by the marker, not dropped: the reader still sees where it was.
        subjects.push(Subject::text(format!("ServerError description and uri: {case}"), texts).marked());
    }
    subjects
}

/// The MXO documentation's example answer (seed 000), comma after `access_token` missing as in
/// the document, with a canary for its token; `wrapped` also wraps the token over two lines as
/// the document does.
fn mxo_seed(wrapped: bool) -> String {
    let token = if wrapped { format!("{}  \n    {}", &ACCESS[..11], &ACCESS[11..]) } else { ACCESS.to_owned() };
    format!(
        "{{\n    \"access_token\": \"{token}\"\n    \"token_type\": \"bearer\",\n    \"expires_in\": 299,\n    \"jti\": \"1a9b1856-40b0-45d8-9758-8d17a81c19a7\"\n}}"
    )
}

/// Malformed answers that carry an access token: the protocol error keeps none of it.
fn protocol_error_subjects() -> Vec<Subject> {
    let strict = Quirks::strict();
    let lenient = Quirks::lenient();
    let mut tiny = Quirks::lenient();
    tiny.max_body_bytes = 64;
    let token_then = |rest: &str| format!(r#"{{"access_token":"{ACCESS}",{rest}}}"#);
    let mut invalid_utf8 = token_then(r#""token_type":"bearer","note":"x""#).into_bytes();
    let at = invalid_utf8.len() - 3;
    invalid_utf8[at] = 0xff;

    let cases: Vec<(&str, Quirks, Response<Vec<u8>>)> = vec![
        ("unsupported token_type `mac`", lenient, json(200, &token_then(r#""token_type":"mac","expires_in":60"#))),
        ("MXO seed with its missing comma", lenient, json(200, &mxo_seed(false))),
        ("MXO seed with its missing comma and wrapped token", lenient, json(200, &mxo_seed(true))),
        (
            "duplicate access_token",
            lenient,
            json(200, &format!(r#"{{"access_token":"{ACCESS}","token_type":"bearer","access_token":"{REFRESH}"}}"#)),
        ),
        (
            "duplicate refresh_token",
            lenient,
            json(200, &token_then(&format!(r#""refresh_token":"{REFRESH}","refresh_token":"{ID_TOKEN}""#))),
        ),
        ("negative expires_in", lenient, json(200, &token_then(r#""token_type":"bearer","expires_in":-5"#))),
        ("non-numeric expires_in", lenient, json(200, &token_then(r#""token_type":"bearer","expires_in":"soon""#))),
        ("absurd expires_in", lenient, json(200, &token_then(r#""token_type":"bearer","expires_in":1e400"#))),
        ("string expires_in, strict", strict, json(200, &token_then(r#""token_type":"Bearer","expires_in":"3599""#))),
        ("fractional expires_in, strict", strict, json(200, &token_then(r#""token_type":"Bearer","expires_in":1.5"#))),
        ("missing token_type, strict", strict, json(200, &token_then(r#""expires_in":60"#))),
        ("scope as a number", lenient, json(200, &token_then(r#""token_type":"bearer","scope":7"#))),
        (
            "refresh_token as a number beside an ID token",
            lenient,
            json(200, &token_then(&format!(r#""refresh_token":7,"id_token":"{ID_TOKEN}""#))),
        ),
        (
            "access_token with a space in it",
            lenient,
            json(200, &format!(r#"{{"access_token":"{ACCESS} {ACCESS}","token_type":"bearer"}}"#)),
        ),
        (
            "access_token as a pretty-printed object",
            lenient,
            json(
                200,
                &format!(
                    "{{\n  \"access_token\" : {{\n    \"value\" : \"{ACCESS}\"\n  }},\n  \"token_type\" : \"bearer\"\n}}"
                ),
            ),
        ),
        ("text/plain label, strict", strict, answer(200, "text/plain", token_then(r#""token_type":"Bearer""#))),
        ("201 status, strict", strict, json(201, &token_then(r#""token_type":"Bearer""#))),
        ("302 status", lenient, json(302, &token_then(r#""token_type":"Bearer""#))),
        ("body over the cap", tiny, json(200, &token_then(r#""token_type":"bearer","padding":"................""#))),
        ("invalid UTF-8", lenient, answer(200, "application/json", invalid_utf8)),
        (
            "HTML proxy page quoting a form answer",
            lenient,
            answer(200, "text/html", format!("<p>access_token={ACCESS}</p>")),
        ),
        (
            "form answer with token_type mac",
            lenient,
            answer(
                200,
                "application/x-www-form-urlencoded",
                format!("access_token={ACCESS}&token_type=mac&refresh_token={REFRESH}"),
            ),
        ),
        (
            "escaped field name `access\\u005ftoken`, token_type mac",
            lenient,
            json(200, &format!(r#"{{"access\u005ftoken":"{ACCESS}","token_type":"mac"}}"#)),
        ),
        (
            "percent-encoded form field name `access%5Ftoken`, token_type mac",
            lenient,
            answer(200, "application/x-www-form-urlencoded", format!("access%5Ftoken={ACCESS}&token_type=mac")),
        ),
        (
            "200 carrying `error` beside an access token",
            lenient,
            json(200, &token_then(&format!(r#""error":"server_error","refresh_token":"{REFRESH}""#))),
        ),
        (
            "400 whose body carries token fields",
            lenient,
            json(400, &format!(r#"{{"error":"invalid_grant","refresh_token":"{REFRESH}","id_token":"{ID_TOKEN}"}}"#)),
        ),
    ];

    let mut subjects = Vec::new();
    for (case, quirks, answer) in cases {
        let error = expect_err(case, parse_token_response(&quirks, &answer, Instant::now()));
        let mut subject = Subject::error(format!("TokenError: {case}"), &error);
        match &error {
            TokenError::Protocol(protocol) => {
                subject = subject
                    .with("ProtocolError::body.text()", protocol.body.text())
                    .with("ProtocolErrorKind {}", protocol.kind.to_string());
            }
            TokenError::Server(server) => subject = subject.with("ServerError::body.text()", server.body.text()),
            other => panic!("{case}: unexpected {other:?}"),
        }
        subjects.push(subject);
        // The same answer through an exchange that sent secrets: no worse.
        let endpoint = endpoint().with_quirks(quirks);
        let refresh = request(Grant::refresh_token(REFRESH));
        let through = expect_err(case, exchange_at(&endpoint, &auth(AuthMethod::Post), &refresh, &answer));
        subjects.push(Subject::error(format!("TokenError through PendingExchange: {case}"), &through));
    }
    subjects
}

/// The caller's own mistakes, made while holding secrets.
fn misuse_error_subjects() -> Vec<Subject> {
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

// ----- what is the wire, not a log line -----

#[test]
fn basic_authorization_header_is_sensitive_in_every_encoding() {
    for method in METHODS {
        let auth = auth(method);
        let (wire, _pending) = endpoint().build_request(&auth, &request(Grant::ClientCredentials));
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
        let (wire, _pending) = endpoint().build_request(&auth(method), &request(grant));
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

/// The leak check itself finds what it must: a canary whole, a piece of one, and nothing in the
/// marker alone.
#[test]
fn leak_check_finds_whole_and_partial_canaries() {
    assert_eq!(leaks_in(&format!("x{ACCESS}x")).len(), 1);
    assert_eq!(leaks_in(&format!("cut: {}…", &REFRESH[..PIECE + 2])).len(), 1);
    assert_eq!(leaks_in(&format!("wrapped: {}\n{}", &ID_TOKEN[..10], &ID_TOKEN[10..])).len(), 1);
    assert!(leaks_in(&format!("{REDACTED} access_token refresh_token client_secret password")).is_empty());
    let kind = ProtocolErrorKind::MissingAccessToken;
    assert!(leaks_in(&format!("{kind} {kind:?}")).is_empty());
}

/// Redaction hides values from printing only: each canary still comes back through `.secret()`,
/// also after a trip through the lifecycle (so the table above checks values that hold them).
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
