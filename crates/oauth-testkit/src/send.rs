//! A minimal HTTP/1.1 client for plain `http` on loopback: enough to drive the emulators from
//! oauth-core's requests without an HTTP stack.

use std::io::{Error, ErrorKind, Result};

use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Sends `request` over a new connection and reads the whole answer.
///
/// Test tooling, not an HTTP client: plain `http` only, one request per connection
/// (`Connection: close`), a `Content-Length` body, redirects not followed, no timeout (wrap
/// it in `tokio::time::timeout` if a test needs one).
///
/// # Errors
/// [`ErrorKind::InvalidInput`] for a URL that is not `http://host[:port]/…`; the socket's
/// error when connecting or transferring fails; [`ErrorKind::InvalidData`] for an answer that
/// is not HTTP/1.x or uses chunked transfer coding.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = oauth_testkit::Rfc6749::start().await;
/// let request = http::Request::get(format!("{}/api/resource", server.uri())).body(Vec::new())?;
/// let answer = oauth_testkit::send(request).await?;
/// assert_eq!(answer.status(), 401);
/// assert_eq!(answer.headers()["www-authenticate"], r#"Bearer realm="oauth-testkit""#);
/// # Ok(()) }
/// ```
pub async fn send(request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>> {
    let uri = request.uri();
    let authority = match (uri.scheme_str(), uri.authority()) {
        (Some("http"), Some(authority)) => authority.clone(),
        _ => return Err(Error::new(ErrorKind::InvalidInput, format!("`{uri}` is not a plain http URL"))),
    };
    let address = format!("{}:{}", authority.host(), authority.port_u16().unwrap_or(80));
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {target} HTTP/1.1\r\nhost: {authority}\r\n", request.method()).into_bytes();
    for (name, value) in request.headers() {
        if !matches!(name.as_str(), "host" | "content-length" | "connection" | "transfer-encoding") {
            head.extend_from_slice(format!("{name}: ").as_bytes());
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
    }
    head.extend_from_slice(format!("content-length: {}\r\nconnection: close\r\n\r\n", request.body().len()).as_bytes());

    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(&head).await?;
    stream.write_all(request.body()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> Result<Response<Vec<u8>>> {
    let invalid = |what: &str| Error::new(ErrorKind::InvalidData, format!("not an HTTP/1.x answer: {what}"));
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| invalid("no end of headers"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| invalid("header bytes are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = match status_line.split(' ').collect::<Vec<_>>()[..] {
        [version, code, ..] if version.starts_with("HTTP/1.") => code.parse::<u16>().ok(),
        _ => None,
    };
    let status = status.and_then(|s| StatusCode::from_u16(s).ok()).ok_or_else(|| invalid(status_line))?;
    let mut response = Response::builder().status(status);
    let mut length = None;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| invalid(line))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| invalid(line))?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| invalid(line))?;
        if name == http::header::TRANSFER_ENCODING {
            return Err(invalid("chunked transfer coding is not supported"));
        }
        if name == http::header::CONTENT_LENGTH {
            length = Some(value.to_str().ok().and_then(|v| v.parse::<usize>().ok()).ok_or_else(|| invalid(line))?);
        }
        response = response.header(name, value);
    }
    let mut body = raw[end + 4..].to_vec();
    if let Some(length) = length {
        if body.len() < length {
            return Err(Error::new(ErrorKind::UnexpectedEof, "the connection closed before the whole body arrived"));
        }
        body.truncate(length);
    }
    response.body(body).map_err(|_| invalid("the head does not make a response"))
}
