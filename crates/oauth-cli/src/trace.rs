//! `-v`: the exchange on stderr like `curl -v` — method, URL, status, headers — with every
//! credential masked: `Authorization` keeps only its scheme, secret-looking query values are
//! masked, and no body is shown (a token request's body carries the credentials, its answer
//! the token).

use std::fmt::Write as _;
use std::time::Instant;

use async_trait::async_trait;
use http::{HeaderMap, HeaderName, Request, Response, Uri};
use oauth_core::BodyExcerpt;
use oauth_token_source::{Transport, TransportError};

use crate::failure::Chain;

/// Headers whose values are credentials whatever their flag.
const SECRET_HEADERS: [&str; 5] = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"];

/// A transport that prints each exchange when `verbose`.
pub(crate) struct Traced<T> {
    inner: T,
    verbose: bool,
}

impl<T> Traced<T> {
    pub(crate) fn new(inner: T, verbose: bool) -> Self {
        Self { inner, verbose }
    }
}

#[async_trait]
impl<T: Transport> Transport for Traced<T> {
    async fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        if !self.verbose {
            return self.inner.send(request).await;
        }
        note(&request_lines(request.method(), request.uri(), request.headers(), request.body().len(), true));
        let started = Instant::now();
        let answer = self.inner.send(request).await;
        match &answer {
            Ok(response) => note(&response_lines(
                response.status(),
                response.headers(),
                started,
                "body not shown: it carries the token",
            )),
            Err(error) => note(&format!("* no answer after {} ms: {}", started.elapsed().as_millis(), Chain(error))),
        }
        answer
    }
}

/// Prints a note on stderr (`-v` output and the one-line status).
pub(crate) fn note(text: &str) {
    #[allow(clippy::print_stderr, reason = "the verbose exchange goes to stderr, like curl -v")]
    {
        eprintln!("{text}");
    }
}

/// `> METHOD URL` and the request's headers, masked.
pub(crate) fn request_lines(
    method: &http::Method,
    uri: &Uri,
    headers: &HeaderMap,
    body_len: usize,
    credentials_in_body: bool,
) -> String {
    let mut text = format!("> {method} {}", shown_uri(uri));
    write_headers(&mut text, '>', headers);
    if body_len > 0 {
        let why = if credentials_in_body { ", not shown: it carries credentials" } else { "" };
        let _ = write!(text, "\n> ({body_len} bytes of body{why})");
    }
    text
}

/// `< STATUS (N ms)` and the answer's headers, masked.
pub(crate) fn response_lines(
    status: http::StatusCode,
    headers: &HeaderMap,
    started: Instant,
    body_note: &str,
) -> String {
    let mut text = format!("< {status} ({} ms)", started.elapsed().as_millis());
    write_headers(&mut text, '<', headers);
    if !body_note.is_empty() {
        let _ = write!(text, "\n< ({body_note})");
    }
    text
}

fn write_headers(text: &mut String, mark: char, headers: &HeaderMap) {
    for (name, value) in headers {
        let shown = shown_header(name, value);
        let _ = write!(text, "\n{mark} {name}: {shown}");
    }
}

fn shown_header(name: &HeaderName, value: &http::HeaderValue) -> String {
    let secret = value.is_sensitive() || SECRET_HEADERS.contains(&name.as_str());
    match value.to_str() {
        Ok(text) if secret => match text.split_once(' ') {
            Some((scheme, _)) if name == http::header::AUTHORIZATION || name == http::header::PROXY_AUTHORIZATION => {
                format!("{scheme} [redacted]")
            }
            _ => "[redacted]".to_owned(),
        },
        Ok(text) => text.to_owned(),
        Err(_) if secret => "[redacted]".to_owned(),
        Err(_) => format!("({} bytes, not text)", value.len()),
    }
}

/// The URL with secret-looking query values masked and any user information dropped.
pub(crate) fn shown_uri(uri: &Uri) -> String {
    let mut text = String::new();
    if let Some(scheme) = uri.scheme_str() {
        let _ = write!(text, "{scheme}://");
    }
    if let Some(authority) = uri.authority() {
        text.push_str(authority.as_str().rsplit('@').next().unwrap_or_default());
    }
    text.push_str(uri.path());
    if let Some(query) = uri.query() {
        let _ = write!(text, "?{}", BodyExcerpt::new(query.as_bytes()).text());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_the_trace() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Basic c2VjcmV0LWlkOnNlY3JldA==".parse().unwrap());
        headers.insert("x-api-key", "k3y-secret".parse().unwrap());
        headers.insert("accept", "application/json".parse().unwrap());
        let uri: Uri = "https://user:pw-secret@api.example/p?client_secret=q-secret&page=2".parse().unwrap();
        let text = request_lines(&http::Method::POST, &uri, &headers, 40, true);
        for leaked in ["c2VjcmV0", "k3y-secret", "pw-secret", "q-secret"] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        assert!(text.contains("> authorization: Basic [redacted]"), "{text}");
        assert!(text.contains("> accept: application/json"), "{text}");
        assert!(text.contains("page=2"), "{text}");
        assert!(text.contains("40 bytes of body, not shown"), "{text}");
    }
}
