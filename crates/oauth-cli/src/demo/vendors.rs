//! The demo's three vendors: starting each one's emulator on 127.0.0.1, and the API call its
//! flow makes there.

use oauth_providers::{Profile, cloudcx, mxo};
use oauth_testkit::{BrightPattern, CloudCx, Controls, Mxo};

use super::Error;
use super::transports::ApiCall;

/// A vendor whose whole flow the demo runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Vendor {
    Mxo,
    CloudCx,
    BrightPattern,
}

impl Vendor {
    /// Every vendor, in the transcript's order.
    pub(super) const ALL: [Self; 3] = [Self::Mxo, Self::CloudCx, Self::BrightPattern];

    /// The vendor's name as its users write it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Mxo => "MXO",
            Self::CloudCx => "CloudCX",
            Self::BrightPattern => "Bright Pattern",
        }
    }

    /// Starts an emulator of this vendor with its documented defaults. Each flow gets one of its
    /// own, so flows running side by side neither count each other's requests nor expire each
    /// other's tokens.
    pub(super) async fn start(self) -> Result<Site, Error> {
        Ok(match self {
            Self::Mxo => {
                let emulator = Mxo::start().await;
                let profile = emulator.profile();
                let call = ApiCall::post_json(mxo::interaction_url(&profile, "ONE-ABC-1234", None)?, r#"{"uri":"x"}"#);
                Site { profile, call, api_key: None, emulator: Running::Mxo(emulator) }
            }
            Self::CloudCx => {
                let emulator = CloudCx::start().await;
                let profile = emulator.profile();
                let call = ApiCall::get(cloudcx::user_page_url(&profile, 1, 25, None)?);
                let api_key = Some(emulator.api_key_profile());
                Site { profile, call, api_key, emulator: Running::CloudCx(emulator) }
            }
            Self::BrightPattern => {
                let emulator = BrightPattern::start().await;
                let profile = emulator.profile();
                let call = ApiCall::get(emulator.user_url(emulator.credentials().client_id()).parse()?);
                Site { profile, call, api_key: None, emulator: Running::BrightPattern(emulator) }
            }
        })
    }
}

/// A running emulator and what a flow needs from it. The server stops when this is dropped.
pub(super) struct Site {
    /// The vendor's profile for this server: what a user would configure.
    pub(super) profile: Profile,
    /// The one API call the emulator guards with its tokens.
    pub(super) call: ApiCall,
    /// The profile of the vendor's API key, for a vendor that has one (CloudCX).
    pub(super) api_key: Option<Profile>,
    emulator: Running,
}

impl Site {
    /// The emulator's counters, expiry switches and request log.
    pub(super) fn controls(&self) -> &Controls {
        match &self.emulator {
            Running::Mxo(emulator) => emulator.controls(),
            Running::CloudCx(emulator) => emulator.controls(),
            Running::BrightPattern(emulator) => emulator.controls(),
        }
    }
}

/// The emulator itself, kept running for as long as the site is.
enum Running {
    Mxo(Mxo),
    CloudCx(CloudCx),
    BrightPattern(BrightPattern),
}
