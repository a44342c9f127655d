//! Raw Redis commands for the tests that play a misbehaving Redis or a foreign writer: the
//! RESP protocol over a TcpStream, so the tests need no client library of their own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Sends one command and returns its reply as text (`+OK`, `-ERR …`, `:1`, the bulk string,
/// or `(nil)`).
pub(crate) fn command(port: u16, args: &[&[u8]]) -> String {
    let mut reader = send(port, args);
    let line = read_line(&mut reader);
    match line.as_bytes().first() {
        Some(b'$') if line == "$-1" => "(nil)".into(),
        Some(b'$') => read_bulk(&mut reader, &line),
        _ => line,
    }
}

/// Writes one command in RESP and hands back the connection to read its reply from.
fn send(port: u16, args: &[&[u8]]) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("Redis answers");
    let mut request = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        request.extend_from_slice(arg);
        request.extend_from_slice(b"\r\n");
    }
    stream.write_all(&request).unwrap();
    BufReader::new(stream)
}

fn read_line(reader: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim_end().to_owned()
}

/// The bulk string announced by `header` (`$<len>`).
fn read_bulk(reader: &mut BufReader<TcpStream>, header: &str) -> String {
    let len: usize = header.trim_start_matches('$').parse().unwrap();
    let mut body = vec![0; len + 2];
    reader.read_exact(&mut body).unwrap();
    String::from_utf8_lossy(&body[..len]).into_owned()
}

/// `command` with text arguments.
pub(crate) fn cmd(port: u16, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    command(port, &args)
}

/// A command whose reply is an array of bulk strings (`KEYS`), as its elements.
pub(crate) fn command_array(port: u16, args: &[&[u8]]) -> Vec<String> {
    let mut reader = send(port, args);
    let count: usize = read_line(&mut reader).trim_start_matches('*').parse().unwrap_or(0);
    (0..count)
        .map(|_| {
            let header = read_line(&mut reader);
            read_bulk(&mut reader, &header)
        })
        .collect()
}
