//! A hand-written HTTP/1.1 server on 127.0.0.1 for the answers wiremock cannot give: a body
//! that never ends, stalls, or stops short.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;

/// What the server does once it has read the whole request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Script {
    /// Writes these bytes (a head, perhaps the start of a body), then holds the connection open
    /// without a word until the client hangs up.
    WriteThenHang(&'static str),
    /// Writes these bytes, then closes the connection.
    WriteThenClose(&'static str),
    /// Answers 200 with a chunked body that never ends; stops when the client hangs up.
    EndlessChunks,
}

/// The size of one chunk of [`Script::EndlessChunks`].
const CHUNK: usize = 0x10000;

/// Serves one connection per `script` on a thread of its own. Returns the base URL and the
/// thread, which ends with how many body bytes of chunks it wrote.
pub(crate) fn serve(script: Script) -> (String, JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let base = format!("http://{}", listener.local_addr().expect("a bound socket has an address"));
    let thread = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("the client connects");
        read_request(&mut socket);
        match script {
            Script::WriteThenHang(answer) => {
                socket.write_all(answer.as_bytes()).expect("the client reads");
                // Nothing more is sent: a read returns once the client hangs up.
                let _ = socket.read(&mut [0; 1]);
                0
            }
            Script::WriteThenClose(answer) => {
                socket.write_all(answer.as_bytes()).expect("the client reads");
                0
            }
            Script::EndlessChunks => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                socket.write_all(head.as_bytes()).expect("the client reads");
                let chunk = format!("{CHUNK:x}\r\n{}\r\n", "a".repeat(CHUNK));
                let mut written = 0;
                while socket.write_all(chunk.as_bytes()).is_ok() {
                    written += CHUNK;
                }
                written
            }
        }
    });
    (base, thread)
}

/// Reads the request head and its `Content-Length` body, as a server does before answering
/// (closing with unread bytes would reset the connection instead of closing it).
fn read_request(socket: &mut TcpStream) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return;
            }
        }
        match socket.read(&mut buffer) {
            Ok(0) => panic!("the client hung up before sending its whole request"),
            Ok(read) => request.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => panic!("reading the request: {error}"),
        }
    }
}
