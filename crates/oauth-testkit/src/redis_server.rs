//! A real Redis for tests: `redis-server` on a free loopback port with a temporary directory,
//! stopped, restarted on the same port, and killed with its directory removed on drop.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::{fmt, fs, thread};

/// How long a server has to answer `PING` after it is started.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How many free ports to try when another process takes the one picked first.
const PORT_ATTEMPTS: usize = 5;

/// A `redis-server` process of its own, for one test: on 127.0.0.1 at a free port, with a
/// temporary working directory, no persistence (`--save '' --appendonly no`).
///
/// [`stop`](Self::stop) or [`kill`](Self::kill) it and [`restart`](Self::restart) it on the same
/// port to test a client through an outage. Dropping it kills the process and removes its
/// directory, whatever the test did.
///
/// `redis-server` (Redis 6 or later) must be installed (`apt-get install redis-server`), or named
/// by the `REDIS_SERVER` environment variable; without it [`start`](Self::start) fails with an
/// error that says so, and a test using it fails rather than being skipped.
///
/// # Examples
/// ```
/// use std::io::{Read, Write};
/// let mut redis = oauth_testkit::RedisServer::start()?;
/// assert!(redis.url().starts_with("redis://127.0.0.1:"));
///
/// let mut connection = std::net::TcpStream::connect(("127.0.0.1", redis.port()))?;
/// connection.write_all(b"PING\r\n")?;
/// let mut answer = [0; 7];
/// connection.read_exact(&mut answer)?;
/// assert_eq!(&answer, b"+PONG\r\n");
///
/// redis.kill();
/// assert!(std::net::TcpStream::connect(("127.0.0.1", redis.port())).is_err());
/// redis.restart()?;
/// assert!(std::net::TcpStream::connect(("127.0.0.1", redis.port())).is_ok());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct RedisServer {
    program: PathBuf,
    args: Vec<String>,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` on a free loopback port and waits until it answers `PING`.
    ///
    /// # Errors
    /// When `redis-server` is not installed (the message says how to install it), cannot be
    /// started, or does not answer within 10 s (the message holds the end of its log).
    pub fn start() -> io::Result<Self> {
        Self::start_with(&[])
    }

    /// As [`start`](Self::start), with more `redis-server` arguments, e.g.
    /// `["--requirepass", "…"]`; they are kept for [`restart`](Self::restart).
    ///
    /// # Errors
    /// As [`start`](Self::start).
    pub fn start_with(args: &[&str]) -> io::Result<Self> {
        let program = std::env::var_os("REDIS_SERVER").map_or_else(|| PathBuf::from("redis-server"), PathBuf::from);
        Self::start_program(program, args)
    }

    fn start_program(program: PathBuf, args: &[&str]) -> io::Result<Self> {
        let dir = temporary_dir()?;
        let mut server =
            Self { program, args: args.iter().map(|&a| a.to_owned()).collect(), port: 0, dir, child: None };
        let mut last = None;
        for _ in 0..PORT_ATTEMPTS {
            server.port = free_port()?;
            match server.launch() {
                Ok(()) => return Ok(server),
                // Another process took the port between our probe and the server's bind.
                Err(error) if error.kind() == io::ErrorKind::AddrInUse => last = Some(error),
                Err(error) => return Err(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("redis-server found no free port")))
    }

    /// `redis://127.0.0.1:{port}`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on (the same after a restart).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its working directory (removed on drop); `redis.log` in it is the server's log.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the process is running (it has not been stopped, killed, or exited).
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Stops the server the polite way (`SHUTDOWN NOSAVE`), killing it if it has not exited
    /// within 5 s, and waits for it: connections to it are closed, new ones refused.
    pub fn stop(&mut self) {
        if self.is_running() {
            let mut commands = Vec::new();
            if let Some(at) = self.args.iter().position(|a| a == "--requirepass") {
                commands.extend(encode(&["AUTH", self.args.get(at + 1).map_or("", String::as_str)]));
            }
            commands.extend(encode(&["SHUTDOWN", "NOSAVE"]));
            let _ = connect(self.port).and_then(|mut stream| stream.write_all(&commands));
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.is_running() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
        }
        self.kill();
    }

    /// Kills the server (`SIGKILL`) and waits for it: as a crash or a lost host looks.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, with the same arguments and directory (and no
    /// data: nothing is persisted), killing it first if it still runs.
    ///
    /// # Errors
    /// As [`start`](Self::start); also when another process has taken the port meanwhile.
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.launch() {
                // The old socket may linger a moment after a kill.
                Err(error) if error.kind() == io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(50));
                }
                result => return result,
            }
        }
    }

    fn launch(&mut self) -> io::Result<()> {
        let log = self.dir.join("redis.log");
        let _ = fs::remove_file(&log);
        let port = self.port.to_string();
        let mut command = Command::new(&self.program);
        command
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(&log)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn().map_err(|error| {
            if error.kind() == io::ErrorKind::NotFound {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "`{}` is not installed: install Redis (`apt-get install redis-server`) or set \
                         REDIS_SERVER to its path; tests that need a real Redis fail without it",
                        self.program.display()
                    ),
                )
            } else {
                io::Error::new(error.kind(), format!("cannot start `{}`: {error}", self.program.display()))
            }
        })?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let log = log_tail(&log);
                let kind = if log.contains("Address already in use") {
                    io::ErrorKind::AddrInUse
                } else {
                    io::ErrorKind::Other
                };
                return Err(io::Error::new(kind, format!("redis-server exited ({status}) on port {port}:\n{log}")));
            }
            // `-NOAUTH` is an answer too: the server runs, with a password.
            if command_reply(self.port, &["PING"]).is_ok_and(|r| r.starts_with(b"+PONG") || r.starts_with(b"-NOAUTH")) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "redis-server did not answer PING on port {port} within {START_TIMEOUT:?}:\n{}",
                        log_tail(&log)
                    ),
                ));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisServer")
            .field("port", &self.port)
            .field("dir", &self.dir)
            .field("running", &self.child.is_some())
            .finish_non_exhaustive()
    }
}

/// Sends one command and reads the first reply chunk.
fn command_reply(port: u16, args: &[&str]) -> io::Result<Vec<u8>> {
    let mut stream = connect(port)?;
    stream.write_all(&encode(args))?;
    let mut reply = vec![0; 512];
    let read = stream.read(&mut reply)?;
    reply.truncate(read);
    Ok(reply)
}

fn connect(port: u16) -> io::Result<TcpStream> {
    let stream =
        TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)), Duration::from_millis(200))?;
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    stream.set_write_timeout(Some(Duration::from_millis(500)))?;
    Ok(stream)
}

/// A command as a RESP array of bulk strings.
fn encode(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    out
}

/// A port nothing listens on now (the server binds it a moment later).
fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

fn temporary_dir() -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("oauth-testkit-redis-{}-{nanos}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
}

/// The last lines of the server's log, for an error message.
fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_server_is_an_error_that_says_how_to_install_it() {
        let error = RedisServer::start_program(PathBuf::from("redis-server-that-is-not-there"), &[]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(error.to_string().contains("apt-get install redis-server"), "{error}");
    }

    #[test]
    fn drop_kills_the_server_and_removes_its_directory() {
        let mut redis = RedisServer::start().expect("redis-server starts");
        assert!(redis.is_running());
        let (port, dir) = (redis.port(), redis.dir().to_owned());
        assert!(dir.is_dir());
        drop(redis);
        assert!(!dir.exists());
        assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());
    }

    #[test]
    fn stop_and_restart_keep_the_port_and_the_arguments() {
        let mut redis = RedisServer::start_with(&["--requirepass", "pw-canary"]).expect("redis-server starts");
        let port = redis.port();
        assert!(command_reply(port, &["PING"]).unwrap().starts_with(b"-NOAUTH"));
        redis.stop();
        assert!(!redis.is_running());
        assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());
        redis.restart().expect("restarts");
        assert_eq!(redis.port(), port);
        assert!(command_reply(port, &["PING"]).unwrap().starts_with(b"-NOAUTH"), "the password is still required");
        assert!(!format!("{redis:?}").contains("pw-canary"));
    }
}
