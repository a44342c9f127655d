//! The device authorization grant (RFC 8628) on a virtual clock — a base `Instant` plus offsets,
//! never the wall clock: the device authorization request and its answer (§3.1, §3.2, the RFC's
//! example verbatim), and `DeviceFlow`'s polling (§3.4, §3.5) driven by scripts of answers, with
//! the exact instants each request is handed out at. The device code must never show in any
//! `Debug`, `Display` or error.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use oauth_core::device::{
    DEFAULT_INTERVAL, DEVICE_CODE_GRANT_TYPE, DeviceAnswerProblem, DeviceAuthorization, DeviceAuthorizationEndpoint,
    DeviceAuthorizationError, DeviceAuthorizationRequest, DeviceFlow, DeviceFlowError, DeviceStep, SLOW_DOWN_STEP,
};
use oauth_core::http::Response;
use oauth_core::{
    ClientAuth, ClientId, ClientSecret, EndpointUrl, ErrorCode, Params, Quirks, RequestFailure, Scope, TokenEndpoint,
    TokenError,
};
use proptest::prelude::*;

/// RFC 8628 §3.2's example answer, verbatim.
const RFC_8628_ANSWER: &str = r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device","verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}"#;

/// The RFC example's device code: it must never be printed.
const DEVICE_CODE: &str = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";

/// RFC 8628 §3.1's example client.
const CLIENT_ID: &str = "1406020730";

/// The virtual clock's origin: one real `Instant`, read once.
fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// `secs` seconds after the origin.
fn at(secs: u64) -> Instant {
    base() + Duration::from_secs(secs)
}

/// Seconds since the origin (whole seconds: every instant in these scripts is one).
fn secs_of(instant: Instant) -> u64 {
    instant.duration_since(base()).as_secs()
}

fn json(status: u16, body: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn device_endpoint() -> DeviceAuthorizationEndpoint {
    DeviceAuthorizationEndpoint::new(EndpointUrl::new("https://example.com/device_authorization").unwrap())
}

fn token_endpoint() -> TokenEndpoint {
    TokenEndpoint::new("https://example.com/token").unwrap()
}

fn public_client() -> ClientAuth {
    ClientAuth::public(ClientId::new(CLIENT_ID).unwrap())
}

/// The answer `body` read as the answer to a request sent at `sent_at`.
fn read_answer(answer: &Response<Vec<u8>>, sent_at: Instant) -> Result<DeviceAuthorization, DeviceAuthorizationError> {
    let (_, pending) = device_endpoint()
        .build_request(&public_client(), &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    pending.finish(answer, sent_at)
}

/// The RFC's example authorization, its request sent at 0.
fn rfc_authorization() -> DeviceAuthorization {
    read_answer(&json(200, RFC_8628_ANSWER), at(0)).unwrap()
}

/// A flow for the RFC's example, started at 0.
fn rfc_flow() -> DeviceFlow {
    DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(0))
}

fn problem(error: &DeviceAuthorizationError) -> &DeviceAnswerProblem {
    match error {
        DeviceAuthorizationError::Protocol(e) => &e.kind,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// §3.1: the device authorization request

#[test]
fn rfc_3_1_request_from_a_public_client_is_a_form_post_with_client_id_and_scope() {
    let request = DeviceAuthorizationRequest::new().with_scope(Scope::parse("example_scope").unwrap());
    let (http, _pending) =
        device_endpoint().build_request(&public_client(), &request).expect("no client assertion to sign");
    assert_eq!(http.method(), "POST");
    assert_eq!(http.uri(), "https://example.com/device_authorization");
    assert_eq!(http.headers()["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(http.headers()["accept"], "application/json");
    assert!(http.headers().get("authorization").is_none());
    // RFC 8628 §3.1's example body.
    assert_eq!(http.body(), b"client_id=1406020730&scope=example_scope");
}

#[test]
fn client_authentication_is_applied_as_for_a_token_request() {
    let id = ClientId::new("app").unwrap();
    let scope = DeviceAuthorizationRequest::new().with_scope(Scope::parse("read write").unwrap());

    let basic = ClientAuth::basic(id.clone(), ClientSecret::new("a b"));
    let (http, _) = device_endpoint().build_request(&basic, &scope).expect("no client assertion to sign");
    assert_eq!(http.headers()["authorization"], "Basic YXBwOmElMjBi"); // app:a%20b
    assert!(http.headers()["authorization"].is_sensitive());
    assert_eq!(http.body(), b"scope=read+write");

    let post = ClientAuth::post(id, ClientSecret::new("a b"));
    let (http, _) = device_endpoint().build_request(&post, &scope).expect("no client assertion to sign");
    assert!(http.headers().get("authorization").is_none());
    assert_eq!(http.body(), b"client_id=app&client_secret=a+b&scope=read+write");

    let (http, _) = device_endpoint()
        .build_request(&basic, &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    assert_eq!(http.body(), b"");
}

#[test]
fn extra_parameters_follow_the_scope_and_may_not_set_what_the_library_writes() {
    let mut params = Params::new();
    params.push("audience", "https://api.example").unwrap();
    let request =
        DeviceAuthorizationRequest::new().with_scope(Scope::parse("openid").unwrap()).with_params(params).unwrap();
    let (http, _) = device_endpoint().build_request(&public_client(), &request).expect("no client assertion to sign");
    assert_eq!(http.body(), b"client_id=1406020730&scope=openid&audience=https%3A%2F%2Fapi.example");

    for name in ["client_id", "client_secret", "scope", "grant_type"] {
        let mut params = Params::new();
        params.push(name, "x").unwrap();
        assert!(DeviceAuthorizationRequest::new().with_params(params).is_err(), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// §3.2: its answer

#[test]
fn rfc_3_2_example_answer_is_read_whole() {
    let authorization = read_answer(&json(200, RFC_8628_ANSWER), at(0)).unwrap();
    assert_eq!(authorization.device_code().secret(), DEVICE_CODE);
    assert_eq!(authorization.user_code(), "WDJB-MJHT");
    assert_eq!(authorization.verification_uri(), "https://example.com/device");
    assert_eq!(authorization.verification_uri_complete(), Some("https://example.com/device?user_code=WDJB-MJHT"));
    assert_eq!(authorization.lifetime(), Duration::from_secs(1800));
    assert_eq!(authorization.expires_at(), at(1800)); // counted from when the request was sent
    assert!(!authorization.is_expired(at(1799)));
    assert!(authorization.is_expired(at(1800)));
    assert_eq!(authorization.interval(), Duration::from_secs(5));
    assert!(authorization.extras().is_empty());
}

#[test]
fn verification_url_is_read_as_verification_uri() {
    // The answer of a server that writes `verification_url` (Google's documented example for
    // TV and limited-input devices).
    let body = r#"{"device_code":"4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#;
    let authorization = read_answer(&json(200, body), at(0)).unwrap();
    assert_eq!(authorization.verification_uri(), "https://www.google.com/device");
    assert_eq!(authorization.verification_uri_complete(), None);
    assert_eq!(authorization.user_code(), "GQVQ-JKEC");

    // Both names: the RFC's wins.
    let both = r#"{"device_code":"d","user_code":"u","verification_uri":"https://a.example","verification_url":"https://b.example","expires_in":60}"#;
    assert_eq!(read_answer(&json(200, both), at(0)).unwrap().verification_uri(), "https://a.example");
}

#[test]
fn interval_defaults_to_five_seconds_and_is_read_as_leniently_as_expires_in() {
    let with = |interval: &str| {
        let body = format!(
            r#"{{"device_code":"d","user_code":"u","verification_uri":"https://a.example","expires_in":600{interval}}}"#
        );
        read_answer(&json(200, &body), at(0)).map(|a| a.interval())
    };
    assert_eq!(with("").unwrap(), DEFAULT_INTERVAL);
    assert_eq!(DEFAULT_INTERVAL, Duration::from_secs(5));
    assert_eq!(with(r#","interval":null"#).unwrap(), DEFAULT_INTERVAL);
    assert_eq!(with(r#","interval":0"#).unwrap(), DEFAULT_INTERVAL);
    assert_eq!(with(r#","interval":0.5"#).unwrap(), DEFAULT_INTERVAL);
    assert_eq!(with(r#","interval":"10""#).unwrap(), Duration::from_secs(10));
    assert_eq!(with(r#","interval":7.9"#).unwrap(), Duration::from_secs(7));
    assert_eq!(with(r#","interval":1e1"#).unwrap(), Duration::from_secs(10));
    let bad = with(r#","interval":-1"#).unwrap_err();
    assert!(matches!(problem(&bad), DeviceAnswerProblem::InvalidInterval { .. }), "{bad:?}");
    assert!(bad.to_string().contains("`interval` is negative"), "{bad}");
}

#[test]
fn expires_in_is_read_by_the_token_answer_rules() {
    let with = |expires_in: &str, quirks: Quirks| {
        let body = format!(
            r#"{{"device_code":"d","user_code":"u","verification_uri":"https://a.example","expires_in":{expires_in}}}"#
        );
        let endpoint = device_endpoint().with_quirks(quirks);
        let (_, pending) = endpoint
            .build_request(&public_client(), &DeviceAuthorizationRequest::new())
            .expect("no client assertion to sign");
        pending.finish(&json(200, &body), at(0)).map(|a| a.lifetime())
    };
    assert_eq!(with(r#""1800""#, Quirks::lenient()).unwrap(), Duration::from_secs(1800));
    assert_eq!(with("1800.7", Quirks::lenient()).unwrap(), Duration::from_secs(1800));
    assert_eq!(with("0.2", Quirks::lenient()).unwrap(), Duration::ZERO); // already due
    assert_eq!(with("1e400", Quirks::lenient()).unwrap(), Quirks::lenient().max_lifetime); // clamped
    for (value, expected) in [
        (
            r#""1800""#,
            DeviceAnswerProblem::InvalidExpiresIn { problem: oauth_core::ExpiresInProblem::StringNotAllowed },
        ),
        ("null", DeviceAnswerProblem::InvalidExpiresIn { problem: oauth_core::ExpiresInProblem::Null }),
        ("1e400", DeviceAnswerProblem::InvalidExpiresIn { problem: oauth_core::ExpiresInProblem::TooLarge }),
    ] {
        let error = with(value, Quirks::strict()).unwrap_err();
        assert_eq!(problem(&error), &expected, "{value}");
    }
    // `null` read as absent is still a missing `expires_in`: the RFC requires it.
    let error = with("null", Quirks::lenient()).unwrap_err();
    assert_eq!(problem(&error), &DeviceAnswerProblem::MissingField { field: "expires_in" });
}

#[test]
fn a_form_encoded_answer_is_read_where_the_quirks_allow_it() {
    let body = "device_code=3584d83530557fdd1f46af8289938c8ef79f9dc5&expires_in=900&interval=5\
                &user_code=WDJB-MJHT&verification_uri=https%3A%2F%2Fexample.com%2Flogin%2Fdevice";
    let answer = Response::builder()
        .status(200)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.as_bytes().to_vec())
        .unwrap();
    let authorization = read_answer(&answer, at(0)).unwrap();
    assert_eq!(authorization.verification_uri(), "https://example.com/login/device");
    assert_eq!(authorization.lifetime(), Duration::from_secs(900));

    let (_, pending) = device_endpoint()
        .with_quirks(Quirks::strict())
        .build_request(&public_client(), &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    let error = pending.finish(&answer, at(0)).unwrap_err();
    assert_eq!(problem(&error), &DeviceAnswerProblem::UnexpectedContentType);
}

#[test]
fn unknown_members_are_kept_as_extras() {
    let body = r#"{"device_code":"d","user_code":"u","verification_uri":"https://a.example","expires_in":900,"message":"To sign in, use a web browser"}"#;
    let authorization = read_answer(&json(200, body), at(0)).unwrap();
    assert_eq!(authorization.extras().get("message").and_then(|v| v.as_str()), Some("To sign in, use a web browser"));
}

#[test]
fn unusable_answers_are_typed_protocol_errors() {
    use DeviceAnswerProblem as P;
    let cases: &[(&str, &str, DeviceAnswerProblem)] = &[
        (
            "no device_code",
            r#"{"user_code":"u","verification_uri":"https://a","expires_in":9}"#,
            P::MissingField { field: "device_code" },
        ),
        (
            "no user_code",
            r#"{"device_code":"d","verification_uri":"https://a","expires_in":9}"#,
            P::MissingField { field: "user_code" },
        ),
        (
            "no verification_uri",
            r#"{"device_code":"d","user_code":"u","expires_in":9}"#,
            P::MissingField { field: "verification_uri" },
        ),
        (
            "no expires_in",
            r#"{"device_code":"d","user_code":"u","verification_uri":"https://a"}"#,
            P::MissingField { field: "expires_in" },
        ),
        (
            "empty device_code",
            r#"{"device_code":"","user_code":"u","verification_uri":"https://a","expires_in":9}"#,
            P::EmptyField { field: "device_code" },
        ),
        (
            "numeric device_code",
            r#"{"device_code":42,"user_code":"u","verification_uri":"https://a","expires_in":9}"#,
            P::FieldType { field: "device_code", found: oauth_core::JsonKind::Number },
        ),
        (
            "a user code that rewrites the terminal",
            r#"{"device_code":"d","user_code":"\u001b[2J","verification_uri":"https://a","expires_in":9}"#,
            P::FieldCharacters { field: "user_code" },
        ),
        (
            "duplicate user_code",
            r#"{"device_code":"d","user_code":"u","user_code":"v","verification_uri":"https://a","expires_in":9}"#,
            P::DuplicateField { field: "user_code" },
        ),
        ("an array", "[1]", P::NotAnObject { found: oauth_core::JsonKind::Array }),
        ("empty", "  ", P::EmptyBody),
    ];
    for (name, body, expected) in cases {
        let error = read_answer(&json(200, body), at(0)).unwrap_err();
        assert_eq!(problem(&error), expected, "{name}");
        assert_eq!(error.status(), 200, "{name}");
        assert!(!error.is_retryable(), "{name}");
    }
    let html = read_answer(&json(200, "<html>"), at(0)).unwrap_err();
    assert!(matches!(problem(&html), P::NotJson { .. }), "{html:?}");
    let redirect = read_answer(&json(302, RFC_8628_ANSWER), at(0)).unwrap_err();
    assert_eq!(problem(&redirect), &P::UnexpectedStatus);
}

#[test]
fn error_answers_go_through_the_shared_error_body_reader() {
    let error =
        read_answer(&json(400, r#"{"error":"invalid_scope","error_description":"no such scope"}"#), at(0)).unwrap_err();
    let DeviceAuthorizationError::Server(server) = &error else { panic!("{error:?}") };
    assert_eq!(server.code, Some(ErrorCode::InvalidScope));
    assert_eq!(server.description.as_deref(), Some("no such scope"));
    assert_eq!(error.code(), Some(&ErrorCode::InvalidScope));
    assert!(!error.is_retryable());

    let busy = read_answer(&json(503, "Service Unavailable"), at(0)).unwrap_err();
    assert!(busy.is_retryable());
    // A 200 carrying `error` is an error too.
    let hidden = read_answer(&json(200, r#"{"error":"invalid_client"}"#), at(0)).unwrap_err();
    assert_eq!(hidden.code(), Some(&ErrorCode::InvalidClient));
}

#[test]
fn an_echoed_client_secret_is_scrubbed_from_the_error() {
    let auth = ClientAuth::post(ClientId::new("app").unwrap(), ClientSecret::new("very-secret-value"));
    let (_, pending) = device_endpoint()
        .build_request(&auth, &DeviceAuthorizationRequest::new())
        .expect("no client assertion to sign");
    let answer = json(401, r#"{"error":"invalid_client","error_description":"bad client_secret very-secret-value"}"#);
    let error = pending.finish(&answer, at(0)).unwrap_err();
    for rendering in [format!("{error}"), format!("{error:?}")] {
        assert!(!rendering.contains("very-secret-value"), "{rendering}");
    }
}

// ---------------------------------------------------------------------------------------------
// §3.4, §3.5: polling

#[test]
fn the_token_request_carries_the_device_code_grant_and_client_authentication() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(request, pending) = flow.poll(at(5)) else { panic!("expected a request at 5 s") };
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://example.com/token");
    assert_eq!(
        request.body(),
        b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=1406020730\
          &device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
    );
    assert_eq!(pending.grant().grant_type(), DEVICE_CODE_GRANT_TYPE);
    assert!(!pending.grant().is_replay_safe());

    let basic = ClientAuth::basic(ClientId::new("app").unwrap(), ClientSecret::new("s3cr3t"));
    let mut flow = DeviceFlow::new(token_endpoint(), basic, &rfc_authorization(), at(0));
    let DeviceStep::Send(request, _) = flow.poll(at(5)) else { panic!("expected a request at 5 s") };
    assert!(request.headers()["authorization"].is_sensitive());
    assert_eq!(
        request.body(),
        b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code\
          &device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
    );
}

/// What the token endpoint answers one request with, in a script.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// `{"error":"…"}` with 400 (RFC 8628 §3.5's answers).
    Error(&'static str),
    /// Any status and body.
    Raw(u16, &'static str),
    /// No answer: the transport failed.
    Lost,
    Token,
}

const TOKEN: &str = r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#;

/// A transport failure: no answer, so no token error.
#[derive(Debug)]
struct Lost;

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection reset")
    }
}

/// A request's result as a driver has it: the endpoint's answer read, or a transport error.
#[derive(Debug)]
enum Failure {
    Answer(TokenError),
    Transport(Lost),
}

impl RequestFailure for Failure {
    fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::Answer(e) => Some(e),
            Self::Transport(_) => None,
        }
    }
    fn is_retryable(&self) -> bool {
        match self {
            Self::Answer(e) => e.is_retryable(),
            Self::Transport(_) => true,
        }
    }
}

/// How a scripted run ended.
#[derive(Debug, PartialEq)]
enum End {
    Token(String),
    Denied,
    ServerExpired,
    CodeExpired(u64),
    Refused(Option<ErrorCode>),
}

/// Runs `flow` on the virtual clock from `start`: waits exactly as long as each `Wait` says,
/// answers each request at once with the next scripted answer (the last one repeating), and
/// checks that no second request is handed out while one is out. Returns the instants (in
/// seconds) of every request, and how it ended.
fn drive(mut flow: DeviceFlow, start: u64, script: &[Answer]) -> (Vec<u64>, End) {
    let mut now = at(start);
    let mut sent = Vec::new();
    loop {
        match flow.poll(now) {
            DeviceStep::Wait(until) => {
                assert!(until > now, "a wait must end in the future");
                now = until;
            }
            DeviceStep::Send(_, pending) => {
                sent.push(secs_of(now));
                assert!(matches!(flow.poll(now), DeviceStep::InFlight), "a second request while one is out");
                assert!(flow.is_in_flight());
                let answer = script[(sent.len() - 1).min(script.len() - 1)];
                let result = match answer {
                    Answer::Error(code) => pending.finish(&json(400, &format!(r#"{{"error":"{code}"}}"#)), now),
                    Answer::Raw(status, body) => pending.finish(&json(status, body), now),
                    Answer::Token => pending.finish(&json(200, TOKEN), now),
                    Answer::Lost => {
                        let _ = flow.answered(now, Err::<oauth_core::Token, _>(Failure::Transport(Lost)));
                        continue;
                    }
                };
                let _ = flow.answered(now, result.map_err(Failure::Answer));
            }
            DeviceStep::InFlight => panic!("nothing should be out here"),
            DeviceStep::Done(token) => return (sent, End::Token(token.access_token().secret().to_owned())),
            DeviceStep::Failed(error) => {
                let end = match error {
                    DeviceFlowError::AccessDenied(_) => End::Denied,
                    DeviceFlowError::ExpiredToken(_) => End::ServerExpired,
                    DeviceFlowError::CodeExpired { expires_at } => End::CodeExpired(secs_of(*expires_at)),
                    DeviceFlowError::Refused(e) => End::Refused(e.code().cloned()),
                    other => panic!("unexpected {other:?}"),
                };
                return (sent, end);
            }
        }
    }
}

#[test]
fn pending_pending_slow_down_pending_token_at_the_exact_times() {
    use Answer::{Error, Token};
    let script = [
        Error("authorization_pending"),
        Error("authorization_pending"),
        Error("slow_down"),
        Error("authorization_pending"),
        Token,
    ];
    let (sent, end) = drive(rfc_flow(), 0, &script);
    // 5 s apart until slow_down makes it 10 s.
    assert_eq!(sent, [5, 10, 15, 25, 35]);
    assert_eq!(end, End::Token("2YotnFZFEjr1zCsicMWpAA".into()));
}

#[test]
fn each_rfc_8628_3_5_error_answer_does_what_the_rfc_says() {
    use Answer::{Error, Token};
    let cases: &[(&str, &[Answer], &[u64], End)] = &[
        (
            "authorization_pending keeps the interval",
            &[Error("authorization_pending"), Token],
            &[5, 10],
            End::Token("2YotnFZFEjr1zCsicMWpAA".into()),
        ),
        ("slow_down adds 5 s", &[Error("slow_down"), Token], &[5, 15], End::Token("2YotnFZFEjr1zCsicMWpAA".into())),
        (
            "slow_down twice adds 10 s",
            &[Error("slow_down"), Error("slow_down"), Token],
            &[5, 15, 30],
            End::Token("2YotnFZFEjr1zCsicMWpAA".into()),
        ),
        ("access_denied ends it", &[Error("authorization_pending"), Error("access_denied")], &[5, 10], End::Denied),
        ("expired_token ends it", &[Error("expired_token")], &[5], End::ServerExpired),
        ("any other refusal ends it", &[Error("invalid_grant")], &[5], End::Refused(Some(ErrorCode::InvalidGrant))),
        (
            "a 2xx that is not a token ends it",
            &[Answer::Raw(200, r#"{"token_type":"Bearer"}"#)],
            &[5],
            End::Refused(None),
        ),
    ];
    for (name, script, times, end) in cases {
        let (sent, got) = drive(rfc_flow(), 0, script);
        assert_eq!(&sent, times, "{name}");
        assert_eq!(&got, end, "{name}");
    }
}

#[test]
fn slow_down_grows_the_interval_for_every_later_request() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    let error = flow.answered(at(5), pending.finish(&json(400, r#"{"error":"slow_down"}"#), at(5)));
    assert_eq!(error.and_then(|e| e.code().cloned()), Some(ErrorCode::SlowDown)); // given back to log
    assert_eq!(flow.interval(), DEFAULT_INTERVAL + SLOW_DOWN_STEP);
    assert!(matches!(flow.poll(at(14)), DeviceStep::Wait(until) if until == at(15)));
    let DeviceStep::Send(_, pending) = flow.poll(at(15)) else { panic!() };
    flow.answered(at(15), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(15)));
    assert_eq!(flow.interval(), Duration::from_secs(10), "pending keeps the grown interval");
    assert!(matches!(flow.poll(at(15)), DeviceStep::Wait(until) if until == at(25)));
}

#[test]
fn the_device_codes_expiry_ends_the_flow_even_if_the_server_keeps_saying_pending() {
    let (sent, end) = drive(rfc_flow(), 0, &[Answer::Error("authorization_pending")]);
    // Every 5 s from 5 s to 1795 s; none at the expiry itself.
    assert_eq!(sent, (1..=359).map(|n| n * 5).collect::<Vec<_>>());
    assert_eq!(end, End::CodeExpired(1800));

    // With slow_down, a wait that would pass the expiry ends at it.
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(1795)) else { panic!() };
    flow.answered(at(1797), pending.finish(&json(400, r#"{"error":"slow_down"}"#), at(1795)));
    assert!(matches!(flow.poll(at(1797)), DeviceStep::Wait(until) if until == at(1800)));
    let DeviceStep::Failed(error) = flow.poll(at(1800)) else { panic!() };
    assert!(matches!(error, DeviceFlowError::CodeExpired { expires_at } if *expires_at == at(1800)));
    assert!(error.token_error().is_none());
    assert!(matches!(flow.poll(at(5000)), DeviceStep::Failed(DeviceFlowError::CodeExpired { .. })), "it stays ended");
}

#[test]
fn a_request_out_at_the_expiry_is_waited_for_and_its_token_still_counts() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(1795)) else { panic!() };
    // Long past the expiry, the request is still out: no second one, no verdict yet.
    assert!(matches!(flow.poll(at(1800)), DeviceStep::InFlight));
    assert!(matches!(flow.poll(at(9999)), DeviceStep::InFlight));
    flow.answered::<TokenError>(at(1801), pending.finish(&json(200, TOKEN), at(1795)));
    assert!(matches!(flow.poll(at(1801)), DeviceStep::Done(_)));

    // The same request answered `authorization_pending` instead: expired at the next poll.
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(1795)) else { panic!() };
    flow.answered(at(1801), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(1795)));
    assert!(matches!(flow.poll(at(1801)), DeviceStep::Failed(DeviceFlowError::CodeExpired { .. })));
}

#[test]
fn no_request_before_the_interval_has_passed() {
    let mut flow = rfc_flow();
    assert!(matches!(flow.poll(at(0)), DeviceStep::Wait(until) if until == at(5)));
    assert!(matches!(flow.poll(at(4)), DeviceStep::Wait(until) if until == at(5)));
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    // The next is due one interval after the answer, however long the answer took.
    flow.answered(at(8), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(5)));
    assert!(matches!(flow.poll(at(12)), DeviceStep::Wait(until) if until == at(13)));
    assert!(matches!(flow.poll(at(13)), DeviceStep::Send(..)));
}

#[test]
fn a_second_request_is_never_handed_out_while_one_is_unanswered() {
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, first) = flow.poll(at(5)) else { panic!() };
    for t in [5, 6, 10, 100, 1799] {
        assert!(matches!(flow.poll(at(t)), DeviceStep::InFlight), "at {t}");
    }
    // Given back unanswered: the next one is a full interval later.
    drop(first);
    flow.abandon(at(100));
    assert!(!flow.is_in_flight());
    assert!(matches!(flow.poll(at(100)), DeviceStep::Wait(until) if until == at(105)));
    assert!(matches!(flow.poll(at(105)), DeviceStep::Send(..)));
}

#[test]
fn an_answer_with_no_request_out_is_ignored_and_given_back() {
    let mut flow = rfc_flow();
    let stray = json(400, r#"{"error":"access_denied"}"#);
    let error = oauth_core::parse_token_response(&Quirks::lenient(), &stray, at(1)).unwrap_err();
    assert!(flow.answered(at(1), Err::<oauth_core::Token, _>(error)).is_some());
    assert!(matches!(flow.poll(at(1)), DeviceStep::Wait(until) if until == at(5)));
    flow.abandon(at(2)); // nothing out: nothing happens
    assert!(matches!(flow.poll(at(2)), DeviceStep::Wait(until) if until == at(5)));
}

#[test]
fn a_lost_request_or_a_try_later_answer_backs_off_like_slow_down() {
    use Answer::{Error, Lost, Raw, Token};
    let cases: &[(&str, &[Answer], &[u64])] = &[
        ("no answer", &[Lost, Token], &[5, 15]),
        ("no answer twice", &[Lost, Lost, Token], &[5, 15, 30]),
        ("a 503", &[Raw(503, "busy"), Token], &[5, 15]),
        ("temporarily_unavailable", &[Raw(400, r#"{"error":"temporarily_unavailable"}"#), Token], &[5, 15]),
        ("then pending keeps the grown interval", &[Lost, Error("authorization_pending"), Token], &[5, 15, 25]),
    ];
    for (name, script, times) in cases {
        let (sent, end) = drive(rfc_flow(), 0, script);
        assert_eq!(&sent, times, "{name}");
        assert_eq!(end, End::Token("2YotnFZFEjr1zCsicMWpAA".into()), "{name}");
    }
}

#[test]
fn a_retry_after_delay_postpones_the_next_request_once() {
    let busy = |retry_after: &str| {
        Response::builder().status(429).header("retry-after", retry_after).body(Vec::new()).unwrap()
    };
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    flow.answered(at(5), pending.finish(&busy("30"), at(5)));
    assert_eq!(flow.interval(), Duration::from_secs(10));
    assert!(matches!(flow.poll(at(5)), DeviceStep::Wait(until) if until == at(35)));
    let DeviceStep::Send(_, pending) = flow.poll(at(35)) else { panic!() };
    flow.answered(at(35), pending.finish(&json(400, r#"{"error":"authorization_pending"}"#), at(35)));
    assert!(matches!(flow.poll(at(35)), DeviceStep::Wait(until) if until == at(45)));

    // A delay beyond the clock's range waits until the device code expires, without panicking.
    let mut flow = rfc_flow();
    let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
    flow.answered(at(5), pending.finish(&busy("18446744073709551615"), at(5)));
    assert!(matches!(flow.poll(at(5)), DeviceStep::Wait(until) if until == at(1800)));
}

#[test]
fn a_flow_started_late_waits_an_interval_from_its_start() {
    let (sent, _) =
        drive(DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(100)), 100, &[Answer::Token]);
    assert_eq!(sent, [105]);
    // Started after the code expired: failed at once, nothing sent.
    let (sent, end) = drive(
        DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(1800)),
        1800,
        &[Answer::Token],
    );
    assert!(sent.is_empty());
    assert_eq!(end, End::CodeExpired(1800));
}

#[test]
fn flow_errors_display_what_happened_and_keep_the_answer_as_source() {
    use std::error::Error as _;
    let end_with = |code: &str| {
        let mut flow = rfc_flow();
        let DeviceStep::Send(_, pending) = flow.poll(at(5)) else { panic!() };
        flow.answered(at(5), pending.finish(&json(400, &format!(r#"{{"error":"{code}"}}"#)), at(5)));
        let DeviceStep::Failed(error) = flow.poll(at(5)) else { panic!() };
        error.clone()
    };
    let denied = end_with("access_denied");
    assert_eq!(denied.to_string(), "the user refused the device authorization");
    assert_eq!(denied.token_error().and_then(TokenError::code), Some(&ErrorCode::AccessDenied));
    assert!(denied.source().is_some());
    let expired = end_with("expired_token");
    assert!(matches!(expired, DeviceFlowError::ExpiredToken(_)));
    assert!(expired.source().unwrap().to_string().contains("expired_token"));
    let refused = end_with("invalid_client");
    assert!(refused.to_string().contains("invalid_client"), "{refused}");
    assert!(refused.source().is_none(), "displayed, so not also the source");
}

// ---------------------------------------------------------------------------------------------
// The device code is never printed

/// Every rendering of `value` that could reach a log.
fn renderings(value: &(impl fmt::Debug + ?Sized)) -> [String; 2] {
    [format!("{value:?}"), format!("{value:#?}")]
}

fn assert_no_device_code(what: &str, texts: impl IntoIterator<Item = String>) {
    for text in texts {
        assert!(!text.contains(DEVICE_CODE), "{what} shows the device code: {text}");
        // Nor its first half, in case something cut it.
        assert!(!text.contains(&DEVICE_CODE[..20]), "{what} shows part of the device code: {text}");
    }
}

#[test]
fn the_device_code_is_never_in_any_debug_display_or_error() {
    let authorization = rfc_authorization();
    assert_no_device_code("DeviceAuthorization", renderings(&authorization));
    assert_no_device_code(
        "SecretParam",
        [format!("{}", authorization.device_code()), format!("{:?}", authorization.device_code())],
    );

    let mut flow = rfc_flow();
    assert_no_device_code("DeviceFlow", renderings(&flow));
    let step = flow.poll(at(5));
    assert_no_device_code("DeviceStep::Send", renderings(&step));
    let DeviceStep::Send(request, pending) = step else { panic!() };
    assert!(String::from_utf8_lossy(request.body()).contains(DEVICE_CODE), "the request itself carries it");
    assert_no_device_code("PendingExchange", renderings(&pending));
    assert_no_device_code("DeviceFlow in flight", renderings(&flow));

    // A server that echoes the device code in its error: scrubbed from the error, from the
    // flow's own reading of it, and from both renderings.
    let echo = json(
        400,
        r#"{"error":"invalid_grant","error_description":"unknown device_code GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"}"#,
    );
    let result = pending.finish(&echo, at(5));
    let error = result.as_ref().unwrap_err();
    assert_no_device_code("TokenError", [error.to_string(), format!("{error:?}")]);
    let given_back = flow.answered(at(5), result).unwrap();
    assert_no_device_code("the error given back", [given_back.to_string()]);
    let DeviceStep::Failed(ended) = flow.poll(at(5)) else { panic!() };
    assert_no_device_code("DeviceFlowError", [ended.to_string(), format!("{ended:?}"), format!("{ended:#?}")]);
    assert_no_device_code("DeviceStep::Failed", renderings(&flow.poll(at(5))));
    assert_no_device_code("DeviceFlow ended", renderings(&flow));

    // Every way the flow can end.
    for script in [
        &[Answer::Error("access_denied")][..],
        &[Answer::Error("expired_token")],
        &[Answer::Error("authorization_pending")],
        &[Answer::Token],
    ] {
        let mut flow = rfc_flow();
        let mut now = 0;
        loop {
            let step = flow.poll(at(now));
            assert_no_device_code("a step", renderings(&step));
            match step {
                DeviceStep::Wait(until) => now = secs_of(until),
                DeviceStep::Send(_, pending) => {
                    let body = match script[0] {
                        Answer::Error(code) => json(400, &format!(r#"{{"error":"{code}"}}"#)),
                        _ => json(200, TOKEN),
                    };
                    let result = pending.finish(&body, at(now));
                    let _ = flow.answered(at(now), result);
                }
                DeviceStep::Done(_) | DeviceStep::Failed(_) => break,
                DeviceStep::InFlight => unreachable!(),
            }
        }
        assert_no_device_code("an ended flow", renderings(&flow));
    }
}

#[test]
fn the_device_code_is_never_in_a_device_authorization_error() {
    // Unusable answers that carry the device code, under its plain name and escaped ones.
    for body in [
        r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","verification_uri":"https://a","expires_in":9}"#,
        r#"{"device\u005fcode":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","verification_uri":"https://a","expires_in":9}"#,
        r#"{"device\u005fcod\u0065":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","verification_uri":"https://a","expires_in":9}"#,
        r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"u","verification_uri":"https://a","expires_in":"soon"}"#,
    ] {
        let error = read_answer(&json(200, body), at(0)).unwrap_err();
        assert!(matches!(error, DeviceAuthorizationError::Protocol(_)), "{error:?}");
        assert_no_device_code(
            "DeviceAuthorizationError",
            [error.to_string(), format!("{error:?}"), format!("{error:#?}")],
        );
    }
    // Echoed in an error answer: masked by name in the excerpt.
    let echo = json(400, r#"{"error":"invalid_request","device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"}"#);
    let error = read_answer(&echo, at(0)).unwrap_err();
    assert_no_device_code("DeviceAuthorizationError::Server", [error.to_string(), format!("{error:?}")]);
}

#[test]
fn a_send_step_prints_no_body() {
    let auth = ClientAuth::post(ClientId::new("app").unwrap(), ClientSecret::new("client-secret-value"));
    let mut flow = DeviceFlow::new(token_endpoint(), auth, &rfc_authorization(), at(0));
    let step = flow.poll(at(5));
    for text in renderings(&step) {
        assert!(text.contains("https://example.com/token"), "{text}");
        assert!(!text.contains("client-secret-value") && !text.contains("body"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

#[derive(Clone, Copy, Debug)]
enum Event {
    /// Poll this many milliseconds after the previous event.
    PollAfter(u64),
    /// Answer the request out (if any) this many milliseconds later.
    Answer(u64, Answer),
}

fn event() -> impl Strategy<Value = Event> {
    let answer = prop_oneof![
        Just(Answer::Error("authorization_pending")),
        Just(Answer::Error("slow_down")),
        Just(Answer::Lost),
        Just(Answer::Raw(503, "")),
        Just(Answer::Raw(429, "")),
    ];
    prop_oneof![
        (0u64..20_000).prop_map(Event::PollAfter),
        ((0u64..20_000), answer).prop_map(|(ms, a)| Event::Answer(ms, a)),
    ]
}

proptest! {
    /// Whatever the timing of polls and answers: never two requests out, never one handed out
    /// at or after the expiry, and never one sooner than the interval in force after the
    /// previous answer.
    #[test]
    fn polling_keeps_its_promises(events in proptest::collection::vec(event(), 1..200)) {
        let mut flow = DeviceFlow::new(token_endpoint(), public_client(), &rfc_authorization(), at(0));
        let mut now = at(0);
        let mut out = None;
        let mut last_answer: Option<(Instant, Duration)> = Some((at(0), flow.interval()));
        for event in events {
            match event {
                Event::PollAfter(ms) => {
                    now += Duration::from_millis(ms);
                    match flow.poll(now) {
                        DeviceStep::Send(_, pending) => {
                            prop_assert!(out.is_none(), "a second request while one is out");
                            prop_assert!(now < at(1800), "a request at or after the expiry");
                            if let Some((answered, interval)) = last_answer {
                                prop_assert!(now >= answered + interval, "a request before the interval passed");
                            }
                            out = Some(pending);
                        }
                        DeviceStep::InFlight => prop_assert!(out.is_some()),
                        DeviceStep::Wait(until) => {
                            prop_assert!(until > now && until <= at(1800));
                            prop_assert!(out.is_none());
                        }
                        DeviceStep::Failed(DeviceFlowError::CodeExpired { .. }) => prop_assert!(now >= at(1800)),
                        other => prop_assert!(false, "unexpected {:?}", other),
                    }
                }
                Event::Answer(ms, answer) => {
                    now += Duration::from_millis(ms);
                    let Some(pending) = out.take() else { continue };
                    let result = match answer {
                        Answer::Error(code) => pending.finish(&json(400, &format!(r#"{{"error":"{code}"}}"#)), now).map_err(Failure::Answer),
                        Answer::Raw(status, body) => pending.finish(&json(status, body), now).map_err(Failure::Answer),
                        Answer::Lost | Answer::Token => Err(Failure::Transport(Lost)),
                    };
                    let _ = flow.answered(now, result);
                    last_answer = Some((now, flow.interval()));
                }
            }
        }
    }
}
