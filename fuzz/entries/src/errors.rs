//! The error-answer targets: `parse_error_response` under both presets, and both readers under
//! the quirks of the profiles that set a vendor error envelope (CloudCX, Bright Pattern).

use std::sync::LazyLock;

use oauth_core::{ErrorSource, Quirks};
use oauth_providers::{Profile, bright_pattern, cloudcx};

use crate::answer::answer;
use crate::checks::{read_error, read_token};

/// Reads an answer (`[status][head][lines…][body]`, see the crate docs) as an error answer of
/// any endpoint, under both presets.
///
/// Checks: a 4xx or 5xx is always an error; an error keeps the answer's status, challenges and
/// `Retry-After`, has a code when it says it read one from a body or a challenge and none when
/// it says only the status spoke, and shows no access token planted in the body.
pub fn error_response(data: &[u8]) {
    let answer = answer(data);
    let _ = read_error(&Quirks::strict(), &answer);
    let _ = read_error(&Quirks::lenient(), &answer);
}

/// The quirks of every profile that sets a vendor error envelope, by vendor, taken from the
/// profiles themselves so that their real envelope functions run.
pub(crate) fn vendor_quirks() -> &'static [(&'static str, Quirks)] {
    static QUIRKS: LazyLock<Vec<(&'static str, Quirks)>> = LazyLock::new(|| {
        // Invariant: these are the crate's own documented examples, which build.
        let profiles: [Profile; 2] = [
            cloudcx::password("cx.cloudfon.net:9001", "2603", "6d62", "agent", "pa55").expect("a documented profile"),
            bright_pattern::profile("example.brightpattern.com", "sheila.thomas", "qkDwDJ")
                .expect("a documented profile"),
        ];
        profiles
            .iter()
            .filter_map(|profile| Some((profile.vendor(), *profile.token_config()?.endpoint().quirks())))
            .collect()
    });
    &QUIRKS
}

/// Reads an answer (the layout of [`error_response`]) under each vendor profile's quirks, as a
/// token answer and as an error answer.
///
/// Checks, besides what every reading keeps: an error the vendor envelope read carries the
/// vendor's code.
pub fn vendor_envelope(data: &[u8]) {
    let answer = answer(data);
    for (vendor, quirks) in vendor_quirks() {
        let outcome = read_token(quirks, &answer);
        let error = read_error(quirks, &answer);
        let from_token = match &outcome {
            Err(oauth_core::TokenError::Server(error)) => Some(&**error),
            _ => None,
        };
        for error in error.iter().chain(from_token) {
            if error.source == ErrorSource::VendorEnvelope {
                assert!(error.vendor_code.is_some(), "{vendor}'s envelope gave no vendor code: {error:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_vendor_profiles_set_an_envelope() {
        let vendors: Vec<&str> = vendor_quirks().iter().map(|(vendor, _)| *vendor).collect();
        assert_eq!(vendors.len(), 2, "{vendors:?}");
        for (vendor, quirks) in vendor_quirks() {
            assert!(quirks.error_envelope.is_some(), "{vendor} sets no envelope");
        }
    }
}
