//! API calls through each bearer middleware against the same stack with a fixed
//! `Authorization` header: reqwest (`ClientWithMiddleware` + `BearerMiddleware` against a plain
//! `reqwest::Client`) and hyper (tower `BearerLayer` over the legacy `Client` against the same
//! `Client`), all calling a minimal hyper server on 127.0.0.1 in this process that answers
//! `200 ok` to anything. Goal: each middleware keeps at least 97% of its baseline's throughput.
//!
//! Throughput: `TASKS` tasks share each measured batch of requests, so criterion's time per
//! iteration is wall time per request and requests/s is one over it. The token is cached before
//! measuring (a one-hour token from a canned transport), so what the middleware adds is its
//! cached path, the header, and its retry bookkeeping (a copy of each request). Each task holds
//! its own copy of a tower service, as tower services are used (`call` takes `&mut self`).
//!
//! A reference row per client shows the least a middleware costs there: reqwest-middleware's
//! stack with no middleware in it, and a tower service that only sets a header.
//!
//! Sequential criterion runs are exposed to whatever else the machine does meanwhile, so after
//! criterion each pair is also measured in alternating rounds (middleware then baseline, then
//! baseline then middleware, …) and the median of the per-round ratios is printed beside
//! criterion's.
//!
//! `cargo xtask bench` runs it; it prints its own comparison after criterion's output.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use criterion::{Criterion, SamplingMode, Throughput};
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use oauth_bench::ACCESS_TOKEN;
use oauth_core::{ClientAuth, ClientId, ClientSecret, Grant, TokenConfig, TokenEndpoint, TokenRequest};
use oauth_hyper::{Bearer, BearerLayer};
use oauth_reqwest::BearerMiddleware;
use oauth_token_source::{TokenSource, Transport, TransportError};
use oauth_tokio::TokioRuntime;
use reqwest_middleware::ClientWithMiddleware;
use tower::{Layer, Service, ServiceExt};

const GROUP: &str = "middleware";
/// Concurrent tasks sharing each batch of requests.
const TASKS: u64 = 32;
/// The throughput each middleware stack must keep, as a share of its baseline's.
const GOAL: f64 = 0.97;
/// Alternating rounds per pair after criterion, and requests per stack per round.
const ROUNDS: usize = 16;
const ROUND_REQUESTS: u64 = 3_000;

type HyperClient = Client<HttpConnector, Full<Bytes>>;

/// One way to make the API call, by its criterion id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stack {
    ReqwestBearer,
    ReqwestStatic,
    ReqwestMiddlewareStatic,
    HyperBearer,
    HyperStatic,
    HyperHeaderService,
}

impl Stack {
    const ALL: [Self; 6] = [
        Self::ReqwestBearer,
        Self::ReqwestStatic,
        Self::ReqwestMiddlewareStatic,
        Self::HyperBearer,
        Self::HyperStatic,
        Self::HyperHeaderService,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::ReqwestBearer => "reqwest_bearer_middleware",
            Self::ReqwestStatic => "reqwest_static_header",
            Self::ReqwestMiddlewareStatic => "reqwest_middleware_stack_static_header",
            Self::HyperBearer => "hyper_bearer_layer",
            Self::HyperStatic => "hyper_static_header",
            Self::HyperHeaderService => "hyper_header_service_static_header",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::ReqwestBearer => "reqwest: ClientWithMiddleware + BearerMiddleware",
            Self::ReqwestStatic => "reqwest: Client + static header (baseline)",
            Self::ReqwestMiddlewareStatic => "reqwest: ClientWithMiddleware, no middleware, static header",
            Self::HyperBearer => "hyper: BearerLayer over legacy Client",
            Self::HyperStatic => "hyper: legacy Client + static header (baseline)",
            Self::HyperHeaderService => "hyper: legacy Client in a header-setting tower Service",
        }
    }
}

/// Each middleware stack, its baseline (the goal applies to these two), and a reference: the
/// same client wrapped in the least a middleware can be, to show how much of a gap is the
/// wrapping and how much the bearer middleware's own work.
const PAIRS: [(Stack, Stack, Stack); 2] = [
    (Stack::ReqwestBearer, Stack::ReqwestStatic, Stack::ReqwestMiddlewareStatic),
    (Stack::HyperBearer, Stack::HyperStatic, Stack::HyperHeaderService),
];

/// Answers every token request with a one-hour token (the 865-character JWT of the fixtures).
struct Canned;

#[async_trait::async_trait]
impl Transport for Canned {
    async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
        let body = format!(r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":3600}}"#);
        Ok(http::Response::builder().header("content-type", "application/json").body(body.into_bytes()).expect("valid"))
    }
}

/// Every stack, ready to call the server at `uri`.
struct Stacks {
    uri: Uri,
    url: String,
    /// What the token source's header holds, for the static-header baselines.
    header: HeaderValue,
    reqwest_bearer: ClientWithMiddleware,
    reqwest_plain: reqwest::Client,
    reqwest_empty: ClientWithMiddleware,
    hyper_bearer: Bearer<HyperClient>,
    hyper_plain: HyperClient,
    hyper_header: StaticHeader,
}

/// The least a tower middleware can be: sets a fixed header and calls the client, with no boxed
/// future and no copy of the request.
#[derive(Clone)]
struct StaticHeader {
    inner: HyperClient,
    header: HeaderValue,
}

impl Service<Request<Full<Bytes>>> for StaticHeader {
    type Response = Response<Incoming>;
    type Error = hyper_util::client::legacy::Error;
    type Future = hyper_util::client::legacy::ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Full<Bytes>>) -> Self::Future {
        request.headers_mut().insert(AUTHORIZATION, self.header.clone());
        self.inner.call(request)
    }
}

/// The tower services, one copy per task, as tower services are used (`call` takes `&mut`).
#[derive(Clone)]
struct OwnServices {
    bearer: Bearer<HyperClient>,
    header: StaticHeader,
}

impl Stacks {
    /// Makes the stacks and caches the token. Call inside the runtime.
    async fn new(uri: Uri) -> Self {
        let config = TokenConfig::new(
            TokenEndpoint::new("http://127.0.0.1:9/token").expect("loopback"),
            ClientAuth::basic(ClientId::new("app").expect("not empty"), ClientSecret::new("s3cr3t")),
            TokenRequest::new(Grant::ClientCredentials),
        );
        let source = TokenSource::new(config, Canned, TokioRuntime).expect("valid configuration");
        let header = source.authorization().await.expect("a token from the canned transport");

        // No proxy from the environment for loopback; `TCP_NODELAY` on both clients.
        let reqwest_plain = reqwest::Client::builder().no_proxy().tcp_nodelay(true).build().expect("a reqwest client");
        let reqwest_bearer = reqwest_middleware::ClientBuilder::new(reqwest_plain.clone())
            .with(BearerMiddleware::new(source.clone()))
            .build();
        let reqwest_empty = reqwest_middleware::ClientBuilder::new(reqwest_plain.clone()).build();
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let hyper_plain: HyperClient = Client::builder(TokioExecutor::new()).build(connector);
        let hyper_bearer = BearerLayer::new(source).layer(hyper_plain.clone());
        let hyper_header = StaticHeader { inner: hyper_plain.clone(), header: header.clone() };
        Self {
            url: uri.to_string(),
            uri,
            header,
            reqwest_bearer,
            reqwest_plain,
            reqwest_empty,
            hyper_bearer,
            hyper_plain,
            hyper_header,
        }
    }

    fn own_services(&self) -> OwnServices {
        OwnServices { bearer: self.hyper_bearer.clone(), header: self.hyper_header.clone() }
    }

    /// One API call through `stack` (the tower ones: this task's copy), its answer read to the end.
    async fn call(&self, stack: Stack, own: &mut OwnServices) {
        const ANSWERED: &str = "the loopback server answers";
        match stack {
            Stack::ReqwestBearer => {
                drain_reqwest(self.reqwest_bearer.get(&self.url).send().await.expect(ANSWERED)).await
            }
            Stack::ReqwestStatic => {
                let request = self.reqwest_plain.get(&self.url).header(AUTHORIZATION, self.header.clone());
                drain_reqwest(request.send().await.expect(ANSWERED)).await;
            }
            Stack::ReqwestMiddlewareStatic => {
                let request = self.reqwest_empty.get(&self.url).header(AUTHORIZATION, self.header.clone());
                drain_reqwest(request.send().await.expect(ANSWERED)).await;
            }
            Stack::HyperBearer => {
                let request = Request::get(&self.uri).body(Full::default()).expect("a valid request");
                let bearer = own.bearer.ready().await.expect("the client is always ready");
                drain_hyper(bearer.call(request).await.expect(ANSWERED)).await;
            }
            Stack::HyperHeaderService => {
                let request = Request::get(&self.uri).body(Full::default()).expect("a valid request");
                let service = own.header.ready().await.expect("the client is always ready");
                drain_hyper(service.call(request).await.expect(ANSWERED)).await;
            }
            Stack::HyperStatic => {
                let mut request = Request::get(&self.uri).body(Full::default()).expect("a valid request");
                request.headers_mut().insert(AUTHORIZATION, self.header.clone());
                drain_hyper(self.hyper_plain.request(request).await.expect(ANSWERED)).await;
            }
        }
    }
}

async fn drain_reqwest(response: reqwest::Response) {
    assert!(response.status().is_success(), "the server answers 200");
    response.bytes().await.expect("the body arrives");
}

async fn drain_hyper(response: Response<Incoming>) {
    assert!(response.status().is_success(), "the server answers 200");
    response.into_body().collect().await.expect("the body arrives");
}

/// A minimal HTTP/1.1 server: `200 ok` to any request, one task per connection.
async fn serve(listener: tokio::net::TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        // Best effort: a socket that refuses the option still serves.
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let ok = service_fn(|_: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
            });
            // A connection the client closes ends here; nothing to report.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), ok).await;
        });
    }
}

/// `requests` calls through `stack`, shared by `TASKS` tasks; the wall time they took.
fn batch(runtime: &tokio::runtime::Runtime, stacks: &Arc<Stacks>, stack: Stack, requests: u64) -> Duration {
    runtime.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let share = requests / TASKS + u64::from(i < requests % TASKS);
                let stacks = Arc::clone(stacks);
                let mut own = stacks.own_services();
                tokio::spawn(async move {
                    for _ in 0..share {
                        stacks.call(stack, &mut own).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("the task ran");
        }
        start.elapsed()
    })
}

fn benches(c: &mut Criterion, runtime: &tokio::runtime::Runtime, stacks: &Arc<Stacks>) {
    let mut group = c.benchmark_group(GROUP);
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        // Every sample the same size, so task start-up weighs the same in each and the median
        // is comparable between stacks.
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(1));
    for stack in Stack::ALL {
        group.bench_function(stack.id(), |b| b.iter_custom(|iters| batch(runtime, stacks, stack, iters)));
    }
    group.finish();
}

/// The median of per-round throughput ratios `subject / baseline`, in rounds that alternate
/// which of the two goes first.
fn paired_ratio(runtime: &tokio::runtime::Runtime, stacks: &Arc<Stacks>, subject: Stack, baseline: Stack) -> f64 {
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (first, second) = if round % 2 == 0 { (subject, baseline) } else { (baseline, subject) };
            let a = batch(runtime, stacks, first, ROUND_REQUESTS);
            let b = batch(runtime, stacks, second, ROUND_REQUESTS);
            let (subject_time, baseline_time) = if first == subject { (a, b) } else { (b, a) };
            baseline_time.as_secs_f64() / subject_time.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2.0
}

/// Criterion's median time per request, in seconds, when this run measured it.
fn median_secs(dir: &Path, stack: Stack, started: SystemTime) -> Option<f64> {
    let path = dir.join(stack.id()).join("new/estimates.json");
    let fresh = std::fs::metadata(&path).and_then(|m| m.modified()).is_ok_and(|at| at >= started);
    if !fresh {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64().map(|ns| ns / 1e9)
}

fn verdict(ratio: f64) -> &'static str {
    if ratio >= GOAL { "PASS" } else { "MISS" }
}

#[allow(clippy::print_stdout, reason = "the comparison is this benchmark's output")]
fn main() {
    // Our reqwest is built with ring and no provider of its own: install it before any client.
    oauth_reqwest::install_crypto_provider();
    let started = SystemTime::now();
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let stacks = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let address = listener.local_addr().expect("a bound address");
        tokio::spawn(serve(listener));
        let uri: Uri = format!("http://{address}/api/resource").parse().expect("a valid URL");
        Arc::new(Stacks::new(uri).await)
    });

    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &runtime, &stacks);
    criterion.final_summary();
    // Under `cargo test` (no `--bench`) criterion runs each benchmark once; nothing to compare.
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }

    let dir = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
        .join(GROUP);
    let median = |stack| median_secs(&dir, stack, started);
    println!(
        "\nmiddleware: GET on 127.0.0.1 to a minimal hyper server, {TASKS} concurrent tasks, token cached; \
         throughput = 1 / criterion median time per request"
    );
    println!(
        "paired: median over {ROUNDS} alternating rounds of {ROUND_REQUESTS} requests per stack, taken after \
         criterion (less exposed to drift on a shared machine)\n"
    );
    println!("{:<62} {:>10} {:>13} {:>8}   goal: ≥ {GOAL} of baseline", "stack", "req/s", "vs baseline", "paired");
    for (subject, baseline, reference) in PAIRS {
        let (Some(subject_secs), Some(baseline_secs)) = (median(subject), median(baseline)) else {
            println!("{:<62} {:>10}", subject.label(), "not measured in this run");
            continue;
        };
        let ratio = baseline_secs / subject_secs;
        let paired = paired_ratio(&runtime, &stacks, subject, baseline);
        println!(
            "{:<62} {:>10.0} {:>12.3}x {:>7.3}x   criterion {}, paired {}",
            subject.label(),
            1.0 / subject_secs,
            ratio,
            paired,
            verdict(ratio),
            verdict(paired)
        );
        println!("{:<62} {:>10.0} {:>12.3}x", baseline.label(), 1.0 / baseline_secs, 1.0);
        if let Some(secs) = median(reference) {
            let paired = paired_ratio(&runtime, &stacks, reference, baseline);
            println!(
                "{:<62} {:>10.0} {:>12.3}x {:>7.3}x   (reference, no goal)",
                reference.label(),
                1.0 / secs,
                baseline_secs / secs,
                paired
            );
        }
    }
}
