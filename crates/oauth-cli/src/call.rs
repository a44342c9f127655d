//! `oauth call [METHOD] URL`: an API call with the profile's token, one retry on a refused
//! token (the provider's 401 rule), the body on stdout, the outcome in the exit code.

use std::io::Read;
use std::time::Instant;

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use oauth_reqwest::reqwest;

use crate::cli::{CallArgs, Provider};
use crate::failure::{Chain, Failure};
use crate::session::{Session, http_client_builder};
use crate::trace::{note, request_lines, response_lines};
use oauth_token_source::TransportErrorKind;

/// The most of an answer's body `call` reads (64 MiB).
const MAX_BODY: usize = 64 << 20;

/// What came back, for the caller to print.
pub(crate) struct Answer {
    pub(crate) body: Vec<u8>,
    /// Whether the body is JSON (then printed re-indented).
    pub(crate) json: bool,
}

pub(crate) async fn run(args: &CallArgs) -> Result<(Answer, Result<(), Failure>), Failure> {
    let session = Session::open(&args.connection, None).await?;
    let verbose = args.connection.verbose;
    let request = Prepared::new(args, &session)?;
    let client = http_client_builder(&session.resolved.tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(args.connection.timeout))
        .build()
        .map_err(|error| Failure::network(format!("cannot set up HTTP: {}", Chain(&error))))?;

    let (header, used) = session.authorization().await?;
    let mut answer = request.send(&client, header, verbose).await?;
    let source = &session.source;
    if source.should_retry(source.retry_on_401(), answer.0, &answer.1, &used) {
        if verbose {
            note("* the API refused the token; getting a new one and sending the call again");
        }
        let (header, _) = session.authorization().await?;
        answer = request.send(&client, header, verbose).await?;
    }
    session.save();
    let (status, headers, body) = answer;
    let json = is_json(&headers, &body);
    if verbose {
        let reason = status.canonical_reason().unwrap_or("");
        note(&format!("HTTP {} {reason}, {} bytes", status.as_u16(), body.len()));
    }
    let outcome = outcome(session.provider(), status, &body, json);
    Ok((Answer { body, json }, outcome))
}

/// Exit 1 for an HTTP error, and for a CloudCX envelope whose code is not `"0000"`.
fn outcome(provider: Provider, status: StatusCode, body: &[u8], json: bool) -> Result<(), Failure> {
    if provider == Provider::CloudCx && json {
        if let Err(error @ oauth_providers::cloudcx::ApiError::Vendor { .. }) =
            oauth_providers::cloudcx::read_envelope::<serde_json::Value>(status, body)
        {
            return Err(Failure::api(error.to_string()));
        }
    }
    if status.is_client_error() || status.is_server_error() {
        let reason = status.canonical_reason().unwrap_or("");
        return Err(Failure::api(format!("the API answered {} {reason}", status.as_u16())));
    }
    Ok(())
}

fn is_json(headers: &HeaderMap, body: &[u8]) -> bool {
    let declared = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().ends_with("json")));
    (declared || body.first().is_some_and(|b| matches!(b, b'{' | b'[')))
        && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// The call, checked once, sent once or twice.
struct Prepared {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl Prepared {
    fn new(args: &CallArgs, session: &Session) -> Result<Self, Failure> {
        let (method, target) = match args.target.as_slice() {
            [target] => (if args.data.is_some() { Method::POST } else { Method::GET }, target),
            [method, target] => {
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                    .map_err(|_| Failure::usage(format!("`{method}` is not an HTTP method")))?;
                (method, target)
            }
            _ => return Err(Failure::usage("give [METHOD] URL")),
        };
        let uri = target_uri(target, session, args.connection.allow_http)?;
        let mut headers = HeaderMap::new();
        for line in &args.headers {
            let (name, value) = line.split_once(':').ok_or_else(|| {
                Failure::usage("-H: a header is written `Name: value` (the value is not repeated here)")
            })?;
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| Failure::usage(format!("-H: `{}` is not a header name", name.trim())))?;
            if name == http::header::AUTHORIZATION {
                return Err(Failure::usage("the token goes in Authorization: drop -H Authorization"));
            }
            let value = HeaderValue::from_str(value.trim())
                .map_err(|_| Failure::usage(format!("-H {name}: the value is not a valid header value")))?;
            headers.append(name, value);
        }
        let body = args.data.as_deref().map(read_data).transpose()?;
        if let Some(body) = &body {
            if !headers.contains_key(http::header::CONTENT_TYPE) {
                let json = serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
                let media = if json { "application/json" } else { "application/x-www-form-urlencoded" };
                headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(media));
            }
        }
        Ok(Self { method, uri, headers, body })
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        authorization: HeaderValue,
        verbose: bool,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), Failure> {
        let mut headers = self.headers.clone();
        headers.insert(http::header::AUTHORIZATION, authorization);
        let body_len = self.body.as_ref().map_or(0, Vec::len);
        if verbose {
            note(&request_lines(&self.method, &self.uri, &headers, body_len, false));
        }
        let mut request = client.request(self.method.clone(), self.uri.to_string()).headers(headers);
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        let started = Instant::now();
        let target = crate::trace::shown_uri(&self.uri);
        let spinner = crate::spinner::Spinner::start(&format!("waiting for {target}"));
        let mut response = request.send().await.map_err(|error| transport_failure(error, &target))?;
        let (status, headers) = (response.status(), response.headers().clone());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| transport_failure(error, &target))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(Failure::network(format!("{target}: the answer is larger than {} MiB", MAX_BODY >> 20)));
            }
            body.extend_from_slice(&chunk);
        }
        drop(spinner);
        if verbose {
            note(&response_lines(status, &headers, started, ""));
        }
        Ok((status, headers, body))
    }
}

fn transport_failure(error: reqwest::Error, target: &str) -> Failure {
    let kind = if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Io
    };
    let error = oauth_token_source::TransportError::with_source(kind, error.without_url());
    Failure::transport(&error, target)
}

/// A full URL (https, or http on loopback or with `--allow-http`), or a path on the profile's
/// API host.
fn target_uri(target: &str, session: &Session, allow_http: bool) -> Result<Uri, Failure> {
    if target.starts_with('/') {
        return session.resolved.profile.api_url(target).map_err(|error| Failure::usage(error.to_string()));
    }
    let uri: Uri = target.parse().map_err(|_| Failure::usage(format!("`{target}` is not a URL")))?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(Failure::usage(format!("`{target}` is not an absolute URL (or a path starting with `/`)")));
    };
    if authority.as_str().contains('@') {
        return Err(Failure::usage("the URL carries credentials; the token is the credential"));
    }
    match scheme {
        "https" => Ok(uri),
        "http" if allow_http || oauth_core::is_loopback(authority.host()) => Ok(uri),
        "http" => Err(Failure::usage(format!(
            "`{}` is plain http to a host that is not loopback, so the token would travel in clear text; add --allow-http to send it anyway",
            crate::trace::shown_uri(&uri)
        ))),
        other => Err(Failure::usage(format!("`{other}` URLs are not supported; use https"))),
    }
}

/// `--data`: `@file`, `-` for stdin, or the text itself.
fn read_data(data: &str) -> Result<Vec<u8>, Failure> {
    if data == "-" {
        let mut body = Vec::new();
        std::io::stdin().read_to_end(&mut body).map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
        return Ok(body);
    }
    match data.strip_prefix('@') {
        Some(path) => std::fs::read(path).map_err(|e| Failure::usage(format!("--data @{path}: {e}"))),
        None => Ok(data.as_bytes().to_vec()),
    }
}
