//! The `oauth` binary end to end, against the testkit's emulators on 127.0.0.1: every provider,
//! every format, the cache, the errors and their exit codes, with a canary scan of stdout and
//! stderr on every run (`support::Sandbox::run`).

mod call;
mod client_auth;
mod errors;
mod issuer;
mod layers;
mod login;
mod profiles;
mod support;
mod token;
mod user_flows;
