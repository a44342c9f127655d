//! libFuzzer target `error_response`: runs `oauth_fuzz_entries::error_response`, the entry point the replay test also runs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_fuzz_entries::error_response(data));
