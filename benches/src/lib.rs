//! Shared pieces of the `core` benchmark: the canned token response, the plain struct a bare
//! `serde_json` parse reads it into, an allocation-counting global allocator, and the
//! allocation report `cargo xtask bench` reads.
//!
//! The benchmark itself is `benches/core.rs`; run it with `cargo xtask bench`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The token endpoint every contestant talks to.
pub const TOKEN_URL: &str = "https://as.example.com/oauth2/token";

/// The client id of RFC 6749's examples (§2.3.1, §4.4.2).
pub const CLIENT_ID: &str = "s6BhdRkqt3";

/// The client secret of RFC 6749 §2.3.1's example. Neither it nor the id has a character that
/// form-urlencoding changes, so oauth-core's percent Basic encoding and oauth2's `+` encoding
/// produce the same header.
pub const CLIENT_SECRET: &str = "7Fjfp0ZBr1KtDRbnfVdmIw";

/// The scope the server says it granted, RFC 6749 §3.3 style (space-delimited tokens).
pub const GRANTED_SCOPE: &str = "orders:read orders:write customers:read";

/// A JWT access token shaped like RFC 9068 §2.2 (865 characters): base64url of
///
/// - header `{"alg":"RS256","typ":"at+jwt","kid":"2024-08-rsa"}`,
/// - payload `{"iss":"https://as.example.com/tenants/7f3c0a2e/","sub":"s6BhdRkqt3",
///   "aud":"https://api.example.com/orders","exp":1735693200,"iat":1735689600,
///   "nbf":1735689600,"jti":"dbe39bf3-a3ba-4238-a513-f51d6e1691c4","client_id":"s6BhdRkqt3",
///   "scope":"orders:read orders:write customers:read",
///   "roles":["orders.reader","orders.writer","customers.reader"]}`,
/// - a 256-byte "signature" (an RSA-2048 signature's length; the bytes are a SHA-256 chain
///   seeded with `oauth-bench fixture signature`, not a real signature — nobody verifies it).
macro_rules! jwt_access_token {
    () => {
        concat!(
            "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6IjIwMjQtMDgtcnNhIn0",
            ".",
            "eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUuY29tL3RlbmFudHMvN2YzYzBhMmUvIiwic3ViIjoiczZCaGRSa3F0MyIsImF1ZCI6",
            "Imh0dHBzOi8vYXBpLmV4YW1wbGUuY29tL29yZGVycyIsImV4cCI6MTczNTY5MzIwMCwiaWF0IjoxNzM1Njg5NjAwLCJuYmYiOjE3",
            "MzU2ODk2MDAsImp0aSI6ImRiZTM5YmYzLWEzYmEtNDIzOC1hNTEzLWY1MWQ2ZTE2OTFjNCIsImNsaWVudF9pZCI6InM2QmhkUmtx",
            "dDMiLCJzY29wZSI6Im9yZGVyczpyZWFkIG9yZGVyczp3cml0ZSBjdXN0b21lcnM6cmVhZCIsInJvbGVzIjpbIm9yZGVycy5yZWFk",
            "ZXIiLCJvcmRlcnMud3JpdGVyIiwiY3VzdG9tZXJzLnJlYWRlciJdfQ",
            ".",
            "BCk3oId2zkkAem-x8vvpa0Gf0cKNPqhjg8q7yPndFPGFT5GhwAVEt2dyQJqtKiKt3I8XIEC4hW6ODODYcl1Psnqbe_7O3dsTkp7W2z",
            "VJ4RJsCWLZ3-c8l4WFm1Ut7mx6PQwDOixz499idOp76g1BvKJUzYdKugnM6ysO43FKHAben_fqg06beS29EswNvgsazQDBck7h7R8",
            "2r3RvQ30I0kdGcRoDRn4PjaZ0DoJZpB7u9xFtlPkgf5IxJulJmMZIC5fsjNGgfgO5JfULq5SKFm0Os3je9V0neNbkwBgAcBLtEQvEn",
            "0cPHBGPzZeSfXI0N-5ChAXCvtQLJho54faH_g",
        )
    };
}

/// The access token inside [`TOKEN_RESPONSE_BODY`]; see the fixture's source comment.
pub const ACCESS_TOKEN: &str = jwt_access_token!();

/// A client-credentials success answer as RFC 6749 §4.4.3 / §5.1 describe it, 974 bytes:
/// the JWT access token, `token_type` `Bearer`, `expires_in` 3600 and the granted `scope`;
/// no other members.
pub const TOKEN_RESPONSE_BODY: &str = concat!(
    r#"{"access_token":""#,
    jwt_access_token!(),
    r#"","token_type":"Bearer","expires_in":3600,"scope":"orders:read orders:write customers:read"}"#,
);

/// The answer as an HTTP stack hands it over: 200, the JSON body, and the headers RFC 6749
/// §5.1 asks for (`Cache-Control: no-store`, `Pragma: no-cache`).
///
/// # Panics
/// Never: every part is a valid constant.
#[must_use]
pub fn canned_response() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(http::StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .header(http::header::CACHE_CONTROL, "no-store")
        .header(http::header::PRAGMA, "no-cache")
        .body(TOKEN_RESPONSE_BODY.as_bytes().to_vec())
        // Invariant: constant status, header names and values that are all valid.
        .expect("the canned response is valid")
}

/// What a hand-written client would read the body into: the floor the libraries are held to.
#[derive(Debug, Deserialize)]
pub struct PlainTokenResponse {
    /// The access token.
    pub access_token: String,
    /// The token type (`Bearer`).
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// The granted scope, when the server says.
    pub scope: Option<String>,
}

/// A global allocator that counts calls (allocations, zeroed allocations and reallocations)
/// and the bytes they asked for, then hands every call to [`System`].
///
/// Install it in the benchmark binary with `#[global_allocator]` and read it with
/// [`CountingAllocator::count`].
#[derive(Debug)]
pub struct CountingAllocator {
    counting: AtomicBool,
    calls: AtomicU64,
    bytes: AtomicU64,
}

impl CountingAllocator {
    /// A counter at zero.
    #[must_use]
    pub const fn new() -> Self {
        Self { counting: AtomicBool::new(false), calls: AtomicU64::new(0), bytes: AtomicU64::new(0) }
    }

    /// Runs `f` and returns its result with the allocations made while it ran. Counts every
    /// thread: run it while nothing else is allocating.
    ///
    /// Outside `count` the allocator only reads a flag, so timings taken in the same binary
    /// are not slowed in proportion to how much a contestant allocates.
    pub fn count<R>(&self, f: impl FnOnce() -> R) -> (R, AllocCount) {
        let (calls, bytes) = (self.calls.load(Ordering::SeqCst), self.bytes.load(Ordering::SeqCst));
        self.counting.store(true, Ordering::SeqCst);
        let result = f();
        self.counting.store(false, Ordering::SeqCst);
        let count = AllocCount {
            allocations: self.calls.load(Ordering::SeqCst) - calls,
            bytes: self.bytes.load(Ordering::SeqCst) - bytes,
        };
        (result, count)
    }

    fn record(&self, size: usize) {
        if self.counting.load(Ordering::Relaxed) {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(size as u64, Ordering::Relaxed);
        }
    }
}

impl Default for CountingAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only atomics and never allocates.
#[allow(unsafe_code, reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System")]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.record(layout.size());
        // SAFETY: the caller's guarantees for `layout` are passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.record(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator, with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.record(new_size);
        // SAFETY: as for `dealloc`, and the caller's guarantees for `new_size` are passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations made during one measured piece of work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocCount {
    /// Calls to `alloc`, `alloc_zeroed` and `realloc`.
    pub allocations: u64,
    /// Bytes those calls asked for (for `realloc`, the new size).
    pub bytes: u64,
}

/// One phase of a contestant's exchange, counted on its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Phase {
    /// What the phase does.
    pub name: String,
    /// What it allocated.
    pub count: AllocCount,
    /// Its criterion benchmark (`group/id`), when it is also timed on its own.
    pub bench: Option<String>,
}

/// One contestant's allocations for one exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contestant {
    /// The criterion benchmark id inside [`AllocReport::group`].
    pub name: String,
    /// What one exchange allocated.
    pub count: AllocCount,
    /// The same exchange split into phases (empty when it is not split).
    pub phases: Vec<Phase>,
}

/// What the benchmark writes for `cargo xtask bench`: the criterion group its timings are
/// under, how allocations were counted, and each contestant's counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllocReport {
    /// The criterion group; timings are in `<criterion dir>/<group>/<name>/new/estimates.json`.
    pub group: String,
    /// How the counts were taken, in a sentence.
    pub method: String,
    /// The contestants, oauth-core first.
    pub contestants: Vec<Contestant>,
}

/// Where the allocation report goes: `alloc-counts.json` in the directory criterion writes to
/// (`$CRITERION_HOME`, `$CARGO_TARGET_DIR/criterion`, the target directory `cargo metadata`
/// names, or `target/criterion`, in that order, as criterion chooses it). `cargo xtask bench`
/// sets `CRITERION_HOME`.
#[must_use]
pub fn alloc_report_path() -> PathBuf {
    let criterion_dir = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|dir| PathBuf::from(dir).join("criterion")))
        .or_else(|| cargo_target_dir().map(|dir| dir.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"));
    criterion_dir.join("alloc-counts.json")
}

fn cargo_target_dir() -> Option<PathBuf> {
    #[derive(Deserialize)]
    struct Metadata {
        target_directory: PathBuf,
    }
    let cargo = std::env::var_os("CARGO")?;
    let output =
        std::process::Command::new(cargo).args(["metadata", "--format-version", "1", "--no-deps"]).output().ok()?;
    let metadata: Metadata = serde_json::from_slice(&output.stdout).ok()?;
    Some(metadata.target_directory)
}

/// Checks that the fixture has the promised shape (865-byte token, 974-byte body, exactly the
/// four RFC 6749 §5.1 members); the core benchmark calls it before measuring, so numbers are
/// never reported for a fixture that drifted.
///
/// # Panics
/// When the fixture has drifted.
pub fn assert_fixture_shape() {
    assert_eq!(ACCESS_TOKEN.len(), 865);
    assert_eq!(TOKEN_RESPONSE_BODY.len(), 974);
    let parsed: PlainTokenResponse = serde_json::from_str(TOKEN_RESPONSE_BODY).expect("the fixture is JSON");
    assert_eq!(parsed.access_token, ACCESS_TOKEN);
    assert_eq!(parsed.token_type, "Bearer");
    assert_eq!(parsed.expires_in, 3600);
    assert_eq!(parsed.scope.as_deref(), Some(GRANTED_SCOPE));
    let members: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(TOKEN_RESPONSE_BODY).expect("the fixture is a JSON object");
    assert_eq!(members.len(), 4, "no members beyond the four RFC 6749 §5.1 ones");
}
