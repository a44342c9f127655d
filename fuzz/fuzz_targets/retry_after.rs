//! libFuzzer target `retry_after`: runs `oauth_fuzz_entries::retry_after`, the entry point the replay test also runs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_fuzz_entries::retry_after(data));
