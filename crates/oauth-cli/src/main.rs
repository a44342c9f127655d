//! The `oauth` command: a token, or an API call with one, for MXO, CloudCX, Bright Pattern and
//! any RFC 6749 server; and `oauth demo`, every vendor's flow against in-process emulators.

#[cfg(feature = "demo")]
mod demo;

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut out = std::io::stdout();
    match runtime.block_on(demo::run(&mut out)) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        _ => std::process::ExitCode::FAILURE,
    }
}
