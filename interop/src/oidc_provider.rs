//! Scenarios against oidc-provider: `client_credentials` with every client authentication the
//! generic RFC 6749 profile can send, and the refusals `interop/README.md` records.

use oauth_core::{AuthMethod, BasicEncoding, ErrorCode};
use oauth_providers::rfc6749::Builder;

use crate::TRICKY_SECRET;
use crate::adapter::Adapter;
use crate::admin::Admin;
use crate::check::{ChallengeRule, Outcome, Refusal};
use crate::steps::{BASIC, CC, POST, fetch, refuse};

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scenario {
    BasicPercent,
    Post,
    WrongSecretBasic,
    WrongSecretPost,
    WrongSecretAuto,
    RawBasicRefused,
}

impl Scenario {
    pub(crate) const ALL: [Self; 6] = [
        Self::BasicPercent,
        Self::Post,
        Self::WrongSecretBasic,
        Self::WrongSecretPost,
        Self::WrongSecretAuto,
        Self::RawBasicRefused,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::BasicPercent => "client_credentials_basic_percent",
            Self::Post => "client_credentials_post",
            Self::WrongSecretBasic => "wrong_secret_basic",
            Self::WrongSecretPost => "wrong_secret_post",
            Self::WrongSecretAuto => "wrong_secret_auto_tries_each_method",
            Self::RawBasicRefused => "raw_basic_refused",
        }
    }

    pub(crate) async fn run(self, server: &Admin, adapter: Adapter) -> Outcome {
        let token_url = format!("{}/token", server.base());
        let basic_client = || Builder::new(&token_url).client("basic-client", TRICKY_SECRET);
        let wrong = |id: &str| Builder::new(&token_url).client(id, "not-the-secret");
        match self {
            // The generic profile's default: percent-encoded Basic, accepted at the first try.
            Self::BasicPercent => fetch(server, adapter, basic_client(), &[(CC, BASIC, 200)]).await,
            Self::Post => {
                let builder =
                    Builder::new(&token_url).client("post-client", TRICKY_SECRET).auth_method(AuthMethod::Post);
                fetch(server, adapter, builder, &[(CC, POST, 200)]).await
            }
            // oidc-provider challenges only a request that used Basic.
            Self::WrongSecretBasic => {
                let builder = wrong("basic-client").auth_method(AuthMethod::Basic(BasicEncoding::Percent));
                let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Basic, None, &[]);
                refuse(server, adapter, builder, &expected, &[(CC, BASIC, 401)]).await
            }
            Self::WrongSecretPost => {
                let builder = wrong("post-client").auth_method(AuthMethod::Post);
                let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Absent, None, &[]);
                refuse(server, adapter, builder, &expected, &[(CC, POST, 401)]).await
            }
            // Auto mode tries each method once and reports the first refusal.
            Self::WrongSecretAuto => {
                const TRIED: &[AuthMethod] = &[
                    AuthMethod::Basic(BasicEncoding::Percent),
                    AuthMethod::Basic(BasicEncoding::Raw),
                    AuthMethod::Post,
                ];
                let expected = Refusal::new(401, ErrorCode::InvalidClient, ChallengeRule::Basic, None, TRIED);
                let seen = [(CC, BASIC, 401), (CC, BASIC, 401), (CC, POST, 401)];
                refuse(server, adapter, wrong("basic-client"), &expected, &seen).await
            }
            // Raw Basic leaves `%f&` undecodable: oidc-provider refuses the header itself.
            Self::RawBasicRefused => {
                let builder = basic_client().auth_method(AuthMethod::Basic(BasicEncoding::Raw));
                let description = Some("not properly encoded");
                let expected = Refusal::new(400, ErrorCode::InvalidRequest, ChallengeRule::Absent, description, &[]);
                refuse(server, adapter, builder, &expected, &[(CC, BASIC, 400)]).await
            }
        }
    }
}
