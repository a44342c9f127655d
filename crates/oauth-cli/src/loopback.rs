//! The loopback redirect receiver for `oauth login` (RFC 8252 §7.3): a listener on
//! 127.0.0.1, an ephemeral port unless one is asked for, that answers each browser request with
//! a short page and hands the redirect's target back. Requests are read with a size cap; anything
//! that is not the redirect (a favicon, a probe) gets a 404 and waiting goes on.

use std::time::Duration;

use http::Uri;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::failure::Failure;

/// The most of a request's head read (a redirect's URL is well under this).
const MAX_HEAD: usize = 16 * 1024;

pub(crate) struct Receiver {
    listener: TcpListener,
}

/// The page shown in the browser once the redirect is read.
pub(crate) enum Page {
    Success,
    Failure(String),
}

impl Receiver {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub(crate) async fn bind(port: u16) -> Result<Self, Failure> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| Failure::usage(format!("cannot listen on 127.0.0.1:{port} for the redirect: {e}")))?;
        Ok(Self { listener })
    }

    /// The port listened on.
    pub(crate) fn port(&self) -> Result<u16, Failure> {
        self.listener.local_addr().map(|a| a.port()).map_err(|e| Failure::network(e.to_string()))
    }

    /// Waits up to `limit` for a request whose target `is_redirect` accepts; returns it and the
    /// connection to answer on.
    pub(crate) async fn wait(
        &self,
        limit: Duration,
        is_redirect: impl Fn(&Uri) -> bool,
    ) -> Result<(Uri, TcpStream), Failure> {
        let waiting = async {
            loop {
                let Ok((mut stream, _)) = self.listener.accept().await else { continue };
                let Some(target) = read_target(&mut stream).await else { continue };
                if is_redirect(&target) {
                    return (target, stream);
                }
                let _ = respond(&mut stream, "404 Not Found", "Not the sign-in redirect.").await;
            }
        };
        tokio::time::timeout(limit, waiting)
            .await
            .map_err(|_| Failure::network(format!("no sign-in within {} s (--wait to allow longer)", limit.as_secs())))
    }
}

/// Answers the browser with a page saying how the sign-in ended.
pub(crate) async fn answer(stream: &mut TcpStream, page: Page) {
    let _ = match page {
        Page::Success => {
            respond(stream, "200 OK", "Signed in. You can close this tab and go back to the terminal.").await
        }
        Page::Failure(why) => respond(stream, "400 Bad Request", &format!("Sign-in failed: {why}")).await,
    };
}

async fn read_target(stream: &mut TcpStream) -> Option<Uri> {
    let mut head = Vec::new();
    let mut buffer = [0_u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await.ok()?.ok()?;
        if read == 0 || head.len() + read > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    (method == "GET").then(|| target.parse().ok()).flatten()
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>oauth login</title>\
         <body style=\"font-family:sans-serif;margin:3em\"><p>{}</p></body>",
        escape(text)
    );
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
