//! A whole token exchange over a plain `std::net::TcpStream`: the sans-IO core needs no HTTP
//! stack of ours. A tiny token server and API run on loopback in this process.
//!
//! Run: `cargo run -p oauth-core --example blocking_exchange`

#![allow(clippy::print_stdout, reason = "an example prints its transcript")]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use oauth_core::http::{self, Request, Response};
use oauth_core::{
    ClientAuth, ClientId, ClientSecret, Grant, Scope, TokenEndpoint, TokenLifecycle, TokenRequest, bearer_header,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || serve(&listener));

    // Made once: the endpoint (checked: http is allowed only because the host is loopback),
    // the credentials (the Basic header is encoded here, once), and the request.
    let endpoint = TokenEndpoint::new(&format!("{base}/oauth/token"))?;
    let auth = ClientAuth::basic(ClientId::new("demo-client")?, ClientSecret::new("demo secret"));
    let request = TokenRequest::new(Grant::ClientCredentials).with_scope(Scope::parse("read")?);
    let mut lifecycle = TokenLifecycle::default();

    for call in 1..=3 {
        let now = Instant::now();
        // The lifecycle says whether the cached token will do; only the first call fetches.
        let token = match lifecycle.poll(now) {
            oauth_core::Poll::Ready(token) | oauth_core::Poll::RefreshAhead(token, None) => token.clone(),
            oauth_core::Poll::Fetch(fetch) | oauth_core::Poll::RefreshAhead(_, Some(fetch)) => {
                let (http_request, pending) = endpoint.build_request(&auth, &request);
                let sent_at = Instant::now();
                let result = pending.finish(&send(&http_request)?, sent_at);
                println!("call {call}: fetched a token -> {:?}", result.as_ref().map(|t| t.lifetime()));
                let completion = lifecycle.complete(fetch, result);
                println!("call {call}: lifecycle {completion:?}");
                lifecycle.token().ok_or("the token endpoint refused")?.clone()
            }
            oauth_core::Poll::Wait => return Err("one thread, so nothing else can be fetching".into()),
        };
        let mut api = Request::get(format!("{base}/api/me")).body(Vec::new())?;
        api.headers_mut().insert(http::header::AUTHORIZATION, bearer_header(token.access_token())?);
        let answer = send(&api)?;
        println!(
            "call {call}: GET /api/me -> {} {} (token {:?})",
            answer.status(),
            String::from_utf8_lossy(answer.body()),
            token.access_token()
        );
    }
    Ok(())
}

/// The smallest HTTP/1.1 client that does the job: one request per connection.
fn send(request: &Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Box<dyn std::error::Error>> {
    let uri = request.uri();
    let mut stream = TcpStream::connect(uri.authority().ok_or("no authority")?.as_str())?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n",
        request.method(),
        uri.path(),
        uri.host().unwrap_or_default()
    );
    for (name, value) in request.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str()?));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", request.body().len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(request.body())?;
    read_message(&mut BufReader::new(stream), |start, builder| {
        let code: u16 = start.split(' ').nth(1).ok_or("no status")?.parse()?;
        Ok(builder.status(code))
    })
}

type Builder = http::response::Builder;

fn read_message(
    reader: &mut impl BufRead,
    start: impl FnOnce(&str, Builder) -> Result<Builder, Box<dyn std::error::Error>>,
) -> Result<Response<Vec<u8>>, Box<dyn std::error::Error>> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut builder = start(line.trim_end(), Response::builder())?;
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let Some((name, value)) = line.trim_end().split_once(':') else { break };
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse()?;
        }
        builder = builder.header(name, value.trim());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(builder.body(body)?)
}

/// The loopback server: a token endpoint that checks the Basic credentials and an API that
/// checks the bearer token.
fn serve(listener: &TcpListener) {
    for stream in listener.incoming().flatten() {
        let mut reader = BufReader::new(&stream);
        let Ok(request) = read_message(&mut reader, |start, builder| Ok(builder.header("x-start", start))) else {
            continue;
        };
        let start = request.headers().get("x-start").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let auth = request.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let (status, body) = if start.starts_with("POST /oauth/token") {
            // base64("demo-client:demo%20secret"): the percent-encoded RFC 6749 §2.3.1 form.
            if auth == "Basic ZGVtby1jbGllbnQ6ZGVtbyUyMHNlY3JldA==" {
                (200, r#"{"access_token":"tok-1a2b3c","token_type":"bearer","expires_in":299,"scope":"read"}"#)
            } else {
                (401, r#"{"error":"invalid_client"}"#)
            }
        } else if auth == "Bearer tok-1a2b3c" {
            (200, r#"{"me":"demo-client"}"#)
        } else {
            (401, r#"{"error":"invalid_token"}"#)
        };
        let reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = (&stream).write_all(reply.as_bytes());
    }
}
