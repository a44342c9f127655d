//! A blocking token client on oauth-core alone, over a plain `TcpStream`: the lifecycle says when
//! to fetch, `Attempts` which client authentication to present and when to retry — the rules the
//! async token source runs. The loopback server in this process is busy once and accepts only
//! `client_secret_post`, so the transcript shows a retry and the fallback.
//!
//! Run: `cargo run -p oauth-core --example blocking_exchange`

#![allow(clippy::print_stdout, reason = "an example prints its transcript")]

use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Instant, SystemTime};

use oauth_core::http::{Request, Response, header::AUTHORIZATION};
use oauth_core::{
    AttemptStep, Attempts, AuthFallback, AuthMethod, ClientAuth, ClientId, ClientSecret, Decision, Grant,
    RequestFailure, RetryPolicy, Token, TokenConfig, TokenEndpoint, TokenError, TokenLifecycle, TokenRequest,
    bearer_header,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || serve(&listener));

    // Checked once: the URL (http only because it is loopback), the credentials, the request.
    let endpoint = TokenEndpoint::new(&format!("{base}/oauth/token"))?;
    let auth = ClientAuth::basic(ClientId::new("demo-client")?, ClientSecret::new("demo secret"));
    let request = TokenRequest::new(Grant::ClientCredentials);
    let config = TokenConfig::new(endpoint, auth, request).with_auth_fallbacks([AuthMethod::Post]);
    let (fallback, mut lifecycle, mut learned) = (AuthFallback::new(&config), TokenLifecycle::default(), 0);

    for call in 1..=3 {
        let token = match lifecycle.poll(Instant::now()) {
            Decision::Ready(token) | Decision::RefreshAhead(token, None) => token.clone(),
            Decision::Fetch(fetch) | Decision::RefreshAhead(_, Some(fetch)) => {
                let result = fetch_token(&config, &fallback, &mut learned);
                if let (_, Some(error)) = lifecycle.complete(fetch, result) {
                    return Err(format!("no token: {error:?}").into());
                }
                lifecycle.token().ok_or("no token stored")?.clone()
            }
            Decision::Wait => return Err("one thread, so nothing else can be fetching".into()),
        };
        let mut api = Request::get(format!("{base}/api/me")).body(Vec::new())?;
        api.headers_mut().insert(AUTHORIZATION, bearer_header(token.access_token())?);
        let answer = send(&api)?;
        println!("call {call}: GET /api/me -> {} {}", answer.status(), String::from_utf8_lossy(answer.body()));
    }
    Ok(())
}

/// One fetch: the loop every driver runs, with the decisions made by oauth-core.
fn fetch_token(config: &TokenConfig, fallback: &AuthFallback, learned: &mut usize) -> Result<Token, Failure> {
    let mut attempts =
        Attempts::new(fallback, *learned, config.request().grant(), RetryPolicy::default(), Instant::now());
    loop {
        let auth = attempts.next_auth();
        // The wall clock and fresh entropy serve a JWT client's assertion; other methods ignore them.
        let (request, pending) =
            config.endpoint().build_request_at(auth, config.request(), SystemTime::now(), jti_entropy());
        let sent_at = Instant::now();
        let failure = match send(&request).map(|response| pending.finish(&response, sent_at)) {
            Ok(Ok(token)) => {
                *learned = attempts.succeeded().unwrap_or(*learned);
                println!("token: {:?} accepted; it lives {:?}", auth.method(), token.lifetime());
                return Ok(token);
            }
            Ok(Err(error)) => Failure(Some(error)),
            Err(_) => Failure(None),
        };
        let entropy = RandomState::new().hash_one(attempts.sent()); // any random u64, for the jitter
        match attempts.failed(failure, Instant::now(), SystemTime::now(), entropy) {
            AttemptStep::NextAuth => println!("token: {:?} refused; trying the next method", auth.method()),
            AttemptStep::RetryAfter(wait) => {
                println!("token: no token yet; retrying in {wait:?}");
                std::thread::sleep(wait);
            }
            AttemptStep::GiveUp { error, .. } => return Err(error),
        }
    }
}

/// 16 random bytes for a client assertion's `jti`: two draws of a randomly keyed hash (a
/// real client would ask the operating system's generator).
fn jti_entropy() -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&RandomState::new().hash_one(0u8).to_le_bytes());
    bytes[8..].copy_from_slice(&RandomState::new().hash_one(1u8).to_le_bytes());
    bytes
}

/// A failed attempt: the server's error, or `None` when there was no answer (worth retrying).
#[derive(Debug)]
struct Failure(Option<TokenError>);

impl RequestFailure for Failure {
    fn token_error(&self) -> Option<&TokenError> {
        self.0.as_ref()
    }

    fn is_retryable(&self) -> bool {
        self.0.as_ref().is_none_or(TokenError::is_retryable)
    }
}

/// The smallest HTTP/1.1 client that does the job: one request per connection.
fn send(request: &Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(request.uri().authority().ok_or("no authority")?.as_str())?;
    let (method, path, length) = (request.method(), request.uri().path(), request.body().len());
    write!(stream, "{method} {path} HTTP/1.1\r\ncontent-length: {length}\r\n")?;
    for (name, value) in request.headers() {
        write!(stream, "{name}: {}\r\n", value.to_str()?)?;
    }
    stream.write_all(b"\r\n")?;
    stream.write_all(request.body())?;
    stream.shutdown(Shutdown::Write)?;
    let text = std::io::read_to_string(&mut stream)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no header end")?;
    let mut lines = head.lines();
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).ok_or("no status")?.parse()?;
    let headers = lines.filter_map(|l| l.split_once(':'));
    let response = headers.fold(Response::builder().status(status), |r, (name, value)| r.header(name, value.trim()));
    Ok(response.body(body.as_bytes().to_vec())?)
}

/// The loopback server: a token endpoint that is busy once and then wants the credentials in
/// the form body, and an API that checks the bearer token.
fn serve(listener: &TcpListener) {
    for (n, mut stream) in listener.incoming().flatten().enumerate() {
        let request = std::io::read_to_string(&mut stream).unwrap_or_default(); // to the client's shutdown
        let (status, reply) = match (request.starts_with("POST /oauth/token"), n) {
            (true, 0) => (503, r#"{"error":"temporarily_unavailable"}"#),
            (true, _) if request.ends_with("client_secret=demo+secret") => {
                (200, r#"{"access_token":"tok-1a2b3c","token_type":"bearer","expires_in":299}"#)
            }
            (true, _) => (401, r#"{"error":"invalid_client"}"#),
            (false, _) if request.contains("Bearer tok-1a2b3c") => (200, r#"{"me":"demo-client"}"#),
            (false, _) => (401, r#"{"error":"invalid_token"}"#),
        };
        let head = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}", reply.len());
        let _ = stream.write_all(format!("{head}\r\n\r\n{reply}").as_bytes());
    }
}
