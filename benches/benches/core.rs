//! One client-credentials exchange — build the request, read a ~1 KB JWT token answer — timed
//! for oauth-core, for the `oauth2` crate, and for a bare `serde_json` parse of the same body;
//! then each counted for allocations. `cargo xtask bench` runs it and prints the verdict.
//!
//! With `OAUTH_BENCH_PROFILE_RUNS=N` set, the binary instead runs each contestant's measured
//! exchange exactly `N` times and exits before criterion starts: `cargo xtask bench` runs it so
//! under `valgrind --tool=callgrind --toggle-collect=<one measured function>` to count
//! instructions per exchange.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group};
use oauth_bench::{
    ACCESS_TOKEN, AllocCount, AllocReport, CLIENT_ID, CLIENT_SECRET, Contestant, CountingAllocator, GRANTED_SCOPE,
    Phase, PlainTokenResponse, TOKEN_RESPONSE_BODY, TOKEN_URL, alloc_report_path, canned_response,
};
use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, PendingExchange, Token, TokenEndpoint, TokenRequest};
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, SyncHttpClient, TokenResponse as _};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

/// The criterion group; `cargo xtask bench` finds the timings under it.
///
/// Each contestant's exchange is one `#[inline(never)]` function, `measured_<contestant>_exchange`,
/// that also drops everything the exchange produced; criterion times it, the allocation count
/// counts it, and callgrind picks it out by name (`--toggle-collect='core::measured_oauth2_exchange*'`;
/// `cargo xtask bench` holds the patterns). No other function's name starts with `measured_`,
/// and the three have no closures, so each pattern matches one function and is never toggled
/// again from inside it.
const GROUP: &str = "client_credentials";

/// The environment variable that switches the binary to profiling: each measured exchange run
/// exactly this many times, then exit.
const PROFILE_RUNS_VAR: &str = "OAUTH_BENCH_PROFILE_RUNS";

/// oauth-core's exchange timed in parts (informational; `cargo xtask bench` shows them too).
const PHASES_GROUP: &str = "oauth-core_phases";

type OAuth2Client = BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// oauth-core's inputs, made once: the API encodes the endpoint and credentials up front.
struct Core {
    endpoint: TokenEndpoint,
    auth: ClientAuth,
    request: TokenRequest,
}

impl Core {
    fn new() -> Self {
        Self {
            endpoint: TokenEndpoint::new(TOKEN_URL).expect("constant https URL"),
            auth: ClientAuth::basic(ClientId::new(CLIENT_ID).expect("constant id"), ClientSecret::new(CLIENT_SECRET)),
            request: TokenRequest::new(Grant::ClientCredentials),
        }
    }

    fn build(&self) -> (http::Request<Vec<u8>>, PendingExchange) {
        self.endpoint.build_request(&self.auth, &self.request).expect("a Basic client signs no assertion")
    }

    /// The whole exchange, returning what it produced (the request and the token); the
    /// contestant is [`measured_oauth_core_exchange`], which also drops them.
    #[inline(never)]
    fn exchange(&self, response: &http::Response<Vec<u8>>, sent_at: Instant) -> (http::Request<Vec<u8>>, Token) {
        let (request, pending) = self.build();
        let token = pending.finish(response, sent_at).expect("the canned answer is a token");
        (black_box(request), token)
    }
}

fn oauth2_client() -> OAuth2Client {
    BasicClient::new(oauth2::ClientId::new(CLIENT_ID.into()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.into()))
        .set_token_uri(oauth2::TokenUrl::new(TOKEN_URL.into()).expect("constant URL"))
}

/// The HTTP client oauth2 is handed in the benchmark: it drops the request and answers with
/// the canned response. oauth2's `SyncHttpClient` takes the request and returns the answer by
/// value, so the canned answer is cloned on every call; [`count_allocations`] reports that
/// clone separately. A named type rather than a closure, so that [`measured_oauth2_exchange`]
/// is not generic and has one symbol.
struct CannedHttpClient<'a>(&'a http::Response<Vec<u8>>);

impl SyncHttpClient for CannedHttpClient<'_> {
    type Error = Infallible;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, Infallible> {
        drop(black_box(request));
        Ok(self.0.clone())
    }
}

/// oauth2's idiomatic exchange, returning the token; the request and the answer are consumed
/// (and dropped) inside it.
#[inline(never)]
fn oauth2_exchange(client: &OAuth2Client, http_client: &impl SyncHttpClient<Error = Infallible>) -> BasicTokenResponse {
    client.exchange_client_credentials().request(http_client).expect("the canned answer is a token")
}

/// The floor: the body read into a plain struct, returned.
#[inline(never)]
fn bare_parse(body: &[u8]) -> PlainTokenResponse {
    serde_json::from_slice(body).expect("the canned body is JSON")
}

// The three contestants as they are timed, counted for allocations and counted for
// instructions: each runs one exchange and drops, inside itself, everything it produced.

/// oauth-core: builds the request, reads the answer into a token, drops the request and the
/// token.
#[inline(never)]
fn measured_oauth_core_exchange(core: &Core, response: &http::Response<Vec<u8>>, sent_at: Instant) {
    drop(black_box(core.exchange(response, sent_at)));
}

/// oauth2: builds and "sends" its request (the client drops it and answers with a clone of the
/// canned response), reads the answer into a token (dropping the answer), drops the token.
#[inline(never)]
fn measured_oauth2_exchange(client: &OAuth2Client, http_client: &CannedHttpClient<'_>) {
    drop(black_box(oauth2_exchange(client, http_client)));
}

/// The bare parse: reads the body into a [`PlainTokenResponse`] and drops it.
#[inline(never)]
fn measured_bare_serde_json_exchange(body: &[u8]) {
    drop(black_box(bare_parse(body)));
}

/// Both libraries send the same request and read the same token, or the comparison is moot.
fn check_equivalence(core: &Core, client: &OAuth2Client, response: &http::Response<Vec<u8>>) {
    let sent_at = Instant::now();
    let (core_request, token) = core.exchange(response, sent_at);
    let seen = std::cell::RefCell::new(None);
    let capture = |request: HttpRequest| {
        *seen.borrow_mut() = Some(request);
        Ok::<_, Infallible>(response.clone())
    };
    let theirs = oauth2_exchange(client, &capture);
    let oauth2_request = seen.into_inner().expect("oauth2 sent a request");

    assert_eq!(core_request.method(), oauth2_request.method());
    assert_eq!(core_request.uri(), oauth2_request.uri());
    assert_eq!(core_request.body(), oauth2_request.body());
    for name in [http::header::AUTHORIZATION, http::header::CONTENT_TYPE, http::header::ACCEPT] {
        assert_eq!(core_request.headers().get(&name), oauth2_request.headers().get(&name), "{name}");
    }
    assert_eq!(core_request.body(), b"grant_type=client_credentials");

    assert_eq!(token.access_token().secret(), ACCESS_TOKEN);
    assert_eq!(theirs.access_token().secret(), ACCESS_TOKEN);
    assert_eq!(token.lifetime(), Some(Duration::from_secs(3600)));
    assert_eq!(theirs.expires_in(), Some(Duration::from_secs(3600)));
    assert_eq!(token.scope().map(oauth_core::Scope::as_str), Some(GRANTED_SCOPE));
    let their_scope = theirs.scopes().map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "));
    assert_eq!(their_scope.as_deref(), Some(GRANTED_SCOPE));
    assert_eq!(bare_parse(TOKEN_RESPONSE_BODY.as_bytes()).access_token, ACCESS_TOKEN);
}

/// Counts one exchange of each contestant, each after one warm-up exchange so that lazy
/// one-time set-up (a shared buffer made on first clone, …) is not counted.
fn count_allocations(core: &Core, client: &OAuth2Client, response: &http::Response<Vec<u8>>) -> AllocReport {
    let sent_at = Instant::now();
    let canned = CannedHttpClient(response);

    drop(core.exchange(response, sent_at));
    let ((), core_total) = ALLOC.count(|| measured_oauth_core_exchange(core, black_box(response), sent_at));
    let ((request, pending), core_build) = ALLOC.count(|| core.build());
    let (token, core_finish) = ALLOC.count(|| pending.finish(response, sent_at));
    let ((), core_drop) = ALLOC.count(|| drop((request, token)));

    drop(oauth2_exchange(client, &canned));
    let ((), oauth2_total) = ALLOC.count(|| measured_oauth2_exchange(client, &canned));
    let ((), response_clone) = ALLOC.count(|| drop(black_box(response.clone())));

    let body = response.body().as_slice();
    drop(bare_parse(body));
    let ((), bare_total) = ALLOC.count(|| measured_bare_serde_json_exchange(black_box(body)));

    let phase = |name: &str, count: AllocCount, bench: Option<&str>| Phase {
        name: name.into(),
        count,
        bench: bench.map(|id| format!("{PHASES_GROUP}/{id}")),
    };
    AllocReport {
        group: GROUP.into(),
        method: "one exchange per contestant, counted after one warm-up exchange so that one-time lazy \
                 initialisation is not counted; alloc + alloc_zeroed + realloc calls"
            .into(),
        contestants: vec![
            Contestant {
                name: "oauth-core".into(),
                count: core_total,
                phases: vec![
                    phase("TokenEndpoint::build_request", core_build, Some("build_request")),
                    phase("PendingExchange::finish", core_finish, Some("finish")),
                    phase("dropping the request and the token", core_drop, Some("drop")),
                ],
            },
            Contestant {
                name: "oauth2".into(),
                count: oauth2_total,
                phases: vec![phase("of which: the harness cloning the canned answer", response_clone, None)],
            },
            Contestant { name: "bare-serde_json".into(), count: bare_total, phases: vec![] },
        ],
    }
}

fn exchange(c: &mut Criterion) {
    let core = Core::new();
    let client = oauth2_client();
    let response = canned_response();
    check_equivalence(&core, &client, &response);

    let report = count_allocations(&core, &client, &response);
    write_report(&report);

    let mut group = c.benchmark_group(GROUP);
    let sent_at = Instant::now();
    group.bench_function("oauth-core", |b| {
        b.iter(|| measured_oauth_core_exchange(&core, black_box(&response), sent_at))
    });
    let canned = CannedHttpClient(&response);
    group.bench_function("oauth2", |b| b.iter(|| measured_oauth2_exchange(&client, &canned)));
    let body = response.body().as_slice();
    group.bench_function("bare-serde_json", |b| b.iter(|| measured_bare_serde_json_exchange(black_box(body))));
    group.finish();

    // Not a contestant: oauth-core's exchange in three parts, each timed alone (so they add up
    // to the whole only roughly), to see where its time goes.
    let mut phases = c.benchmark_group(PHASES_GROUP);
    phases.bench_function("build_request", |b| b.iter_batched(|| (), |()| core.build(), BatchSize::SmallInput));
    phases.bench_function("finish", |b| {
        b.iter_batched(
            || core.build(),
            |(request, pending)| (request, pending.finish(&response, sent_at)),
            BatchSize::SmallInput,
        )
    });
    phases
        .bench_function("drop", |b| b.iter_batched(|| core.exchange(&response, sent_at), drop, BatchSize::SmallInput));
    phases.finish();
}

fn write_report(report: &AllocReport) {
    let path = alloc_report_path();
    let json = serde_json::to_string_pretty(report).expect("the report serialises");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    }
    std::fs::write(&path, json).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    eprintln!("allocations per exchange ({}):", report.method);
    for contestant in &report.contestants {
        eprintln!("  {:<16} {:>3} ({} bytes)", contestant.name, contestant.count.allocations, contestant.count.bytes);
        for phase in &contestant.phases {
            eprintln!("    {:<70} {:>3} ({} bytes)", phase.name, phase.count.allocations, phase.count.bytes);
        }
    }
    eprintln!("written to {}", path.display());
}

/// Profiling mode: checks the contestants agree, warms each one up through the functions its
/// measured exchange calls (so one-time lazy set-up is not counted), then runs each measured
/// exchange exactly `runs` times, in turn, and says so on stderr for `cargo xtask bench` to
/// check.
fn profile(runs: u64) {
    let core = Core::new();
    let client = oauth2_client();
    let response = canned_response();
    check_equivalence(&core, &client, &response);

    let sent_at = Instant::now();
    let canned = CannedHttpClient(&response);
    let body = response.body().as_slice();
    drop(core.exchange(&response, sent_at));
    drop(oauth2_exchange(&client, &canned));
    drop(bare_parse(body));

    for _ in 0..runs {
        measured_oauth_core_exchange(&core, black_box(&response), sent_at);
    }
    for _ in 0..runs {
        measured_oauth2_exchange(&client, &canned);
    }
    for _ in 0..runs {
        measured_bare_serde_json_exchange(black_box(body));
    }
    eprintln!("oauth-bench profile: ran each measured exchange {runs} times");
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = exchange
}

/// What `criterion_main!(benches)` would write, after the switch to profiling mode.
fn main() {
    oauth_bench::assert_fixture_shape();
    if let Some(runs) = std::env::var_os(PROFILE_RUNS_VAR) {
        let runs = runs.to_str().and_then(|r| r.parse().ok()).unwrap_or_else(|| {
            panic!("{PROFILE_RUNS_VAR} must be a whole number of runs, not {runs:?}");
        });
        profile(runs);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
