//! libFuzzer target `host`: runs `oauth_fuzz_entries::host`, the entry point the replay test also runs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_fuzz_entries::host(data));
