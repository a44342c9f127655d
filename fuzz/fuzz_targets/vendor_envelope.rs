//! libFuzzer target `vendor_envelope`: runs `oauth_fuzz_entries::vendor_envelope`, the entry point the replay test also runs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_fuzz_entries::vendor_envelope(data));
