//! A spinner on stderr — on a terminal only, and only once a wait passes half a second — whose
//! text follows the token source's retry events, so a retry shows what it waits for.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

/// How long a wait must last before the spinner shows.
const SHOW_AFTER: Duration = Duration::from_millis(500);
const FRAME: Duration = Duration::from_millis(100);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// What the spinner says now; retry events replace it.
static STATUS: Mutex<String> = Mutex::new(String::new());

/// A running spinner; dropping it stops it and clears its line.
pub(crate) struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts a spinner saying `message`, or nothing when stderr is not a terminal.
    pub(crate) fn start(message: &str) -> Self {
        set_status(message.to_owned());
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Self { stop, thread: None };
        }
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(SHOW_AFTER);
            let mut shown = false;
            for frame in FRAMES.iter().cycle() {
                if flag.load(Ordering::Acquire) {
                    break;
                }
                let status = STATUS.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{frame} {status}");
                let _ = err.flush();
                shown = true;
                drop(err);
                std::thread::sleep(FRAME);
            }
            if shown {
                let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            }
        });
        Self { stop, thread: Some(thread) }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn set_status(text: String) {
    *STATUS.lock().unwrap_or_else(PoisonError::into_inner) = text;
}

/// A `tracing` layer that turns the token source's retry events into the spinner's text.
pub(crate) struct RetryStatus;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RetryStatus {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "oauth_token_source" {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.message == oauth_token_source::events::RETRYING {
            let wait = fields.delay.map(|d| format!(" in {d}")).unwrap_or_default();
            set_status(format!("the token endpoint failed; retrying{wait}"));
        } else if fields.message == oauth_token_source::events::AUTH_REFUSED {
            set_status("client authentication refused; trying the next method".to_owned());
        }
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    delay: Option<String>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "delay" => self.delay = Some(format!("{value:?}")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn a_retry_event_becomes_the_spinners_text_with_its_wait() {
        let subscriber = tracing_subscriber::registry().with(RetryStatus);
        set_status("getting a token".to_owned());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "other", delay = ?Duration::from_secs(9), "{}", oauth_token_source::events::RETRYING);
            assert_eq!(*STATUS.lock().unwrap(), "getting a token", "another target's event is ignored");
            tracing::warn!(target: "oauth_token_source", error = "503", delay = ?Duration::from_millis(1500),
                "{}", oauth_token_source::events::RETRYING);
        });
        assert_eq!(*STATUS.lock().unwrap(), "the token endpoint failed; retrying in 1.5s");
    }
}
