//! libFuzzer target `challenge`: runs `oauth_fuzz_entries::challenge`, the entry point the replay test also runs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_fuzz_entries::challenge(data));
