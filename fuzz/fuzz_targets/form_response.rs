//! libFuzzer target `form_response`: runs `oauth_fuzz_entries::form_response`, the entry point the replay test also runs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_fuzz_entries::form_response(data));
