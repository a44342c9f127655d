//! The transport contract: what every `Transport` adapter must do with a token request, written
//! once as a table of named cases and run over both adapters (`ReqwestTransport`,
//! `HyperTransport`) against wiremock and hand-written servers on 127.0.0.1.
//!
//! A token fetched through it; the answer kept whole; redirects refused and never followed;
//! bodies capped (declared, chunked without end, no limit given), and read whole at the cap;
//! timeouts before the head and mid-body; a refused connection; a connection closed mid-body.
//! What only one adapter promises (reqwest's constructors forcing no redirects) stays in that
//! adapter's own tests.
//!
//! Each adapter's test runs every case concurrently and fails naming each case that failed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use oauth_hyper::HyperTransport;
use oauth_reqwest::ReqwestTransport;
use oauth_token_source::{TokenSource, Transport};

#[path = "transport_contract/cases.rs"]
mod cases;
#[path = "shared/panic_message.rs"]
mod panic_message;
#[path = "transport_contract/raw_server.rs"]
mod raw_server;

/// A transport adapter under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adapter {
    /// `ReqwestTransport::new`.
    Reqwest,
    /// `HyperTransport::new` over `HttpConnector`.
    Hyper,
}

impl Adapter {
    /// The adapter's transport, made by its own constructor, with its default timeout.
    fn transport(self) -> Arc<dyn Transport> {
        match self {
            Self::Reqwest => Arc::new(ReqwestTransport::new().expect("reqwest sets up")),
            Self::Hyper => Arc::new(HyperTransport::new(HttpConnector::new())),
        }
    }

    /// The adapter's transport with `timeout` for one request.
    fn transport_with_timeout(self, timeout: Duration) -> Arc<dyn Transport> {
        match self {
            Self::Reqwest => Arc::new(ReqwestTransport::new().expect("reqwest sets up").with_timeout(timeout)),
            Self::Hyper => Arc::new(HyperTransport::new(HttpConnector::new()).with_timeout(timeout)),
        }
    }

    /// A token source with default settings from the adapter's own `token_source` helper.
    fn token_source(self, profile: oauth_providers::Profile) -> TokenSource {
        match self {
            Self::Reqwest => oauth_reqwest::token_source(profile),
            Self::Hyper => oauth_hyper::token_source(profile, HttpConnector::new()),
        }
        .expect("a client_credentials profile makes a token source")
    }
}

type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One case of the contract: what it shows, and the check, run on one adapter.
struct Case {
    name: &'static str,
    run: fn(Adapter) -> CaseFuture,
}

/// The contract.
const CASES: &[Case] = &[
    Case { name: "a token is fetched through the transport", run: |a| Box::pin(cases::token_fetched(a)) },
    Case { name: "the answer keeps its status, headers and body", run: |a| Box::pin(cases::answer_kept_whole(a)) },
    Case {
        name: "a redirect is an error naming its location and is never followed",
        run: |a| Box::pin(cases::redirect_not_followed(a)),
    },
    Case {
        name: "a redirect without Location is still a redirect",
        run: |a| Box::pin(cases::redirect_without_location(a)),
    },
    Case { name: "a body declared over the cap is too large", run: |a| Box::pin(cases::declared_body_over_cap(a)) },
    Case { name: "a body exactly at the cap is read whole", run: |a| Box::pin(cases::body_at_cap(a)) },
    Case {
        name: "a request without a limit is capped at the default",
        run: |a| Box::pin(cases::no_limit_means_the_default(a)),
    },
    Case {
        name: "an endless chunked body is too large once past the cap",
        run: |a| Box::pin(cases::endless_chunked_body(a)),
    },
    Case {
        name: "a Content-Length over the cap is refused before any body arrives",
        run: |a| Box::pin(cases::content_length_refused_before_body(a)),
    },
    Case {
        name: "a server that does not answer in time is a retryable timeout",
        run: |a| Box::pin(cases::no_answer_in_time(a)),
    },
    Case { name: "a body that stalls is a retryable timeout", run: |a| Box::pin(cases::stalled_body(a)) },
    Case { name: "a refused connection is a retryable connect error", run: |a| Box::pin(cases::refused_connection(a)) },
    Case {
        name: "a connection closed mid-body is a retryable I/O error",
        run: |a| Box::pin(cases::closed_mid_body(a)),
    },
];

/// Runs every case on `adapter` concurrently; fails naming each case that panicked.
async fn keeps_the_contract(adapter: Adapter) {
    let runs: Vec<_> = CASES.iter().map(|case| (case.name, tokio::spawn((case.run)(adapter)))).collect();
    let mut failures = Vec::new();
    for (name, run) in runs {
        if let Err(error) = run.await {
            let message = panic_message::panic_message(error);
            failures.push(format!("{name}: {message}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{adapter:?} broke {} of {} cases:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_transport_keeps_the_contract() {
    keeps_the_contract(Adapter::Reqwest).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_transport_keeps_the_contract() {
    keeps_the_contract(Adapter::Hyper).await;
}
