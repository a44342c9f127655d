//! CloudCX conformance fixtures: the exact password-grant, refresh and API-key requests the profiles build, the
//! documented token answer and `code` envelopes read through the profile's quirks, and `read_envelope` on API answers
//! (seeds/001, seeds/002, CloudCX's documentation).
//!
//! This file holds the seeds' values every group of cases shares and the check that no profile prints a secret; the
//! cases are grouped by topic: `requests` (the token requests' exact bytes), `api_key` (the static bearer mode),
//! `answers` (token-endpoint answers and `code` envelopes) and `envelopes` (`read_envelope` on API answers).

mod support;

#[path = "cloudcx/answers.rs"]
mod answers;
#[path = "cloudcx/api_key.rs"]
mod api_key;
#[path = "cloudcx/envelopes.rs"]
mod envelopes;
#[path = "cloudcx/requests.rs"]
mod requests;

use oauth_providers::Profile;
use oauth_providers::cloudcx::{self, PasswordProfile, UsernameField};
use support::assert_hides;

/// seeds/001's cURL request, as published: the page masks parts of every value with `*`, kept here as they are.
const SEED_ID: &str = "2603****************814845";
const SEED_SECRET: &str = "6d624c35-978b-*********-59d727f2ea19";
const SEED_USER: &str = "si*****";
const SEED_PASSWORD: &str = "A******";

/// The client id the seed's JWT names in `sub` and `aud` (CloudCX's documentation: both equal the client id), a secret shaped
/// like the seed's with its masked middle filled in, and a password with characters the form must escape.
const CX_ID: &str = "260390634491792831814845";
const CX_SECRET: &str = "6d624c35-978b-4e1f-a2b3-59d727f2ea19";
const CX_PASSWORD: &str = "A1 b&c=d%";
const CX_API_KEY: &str = "cx-4f2a9e71c0b84d1e9a3f5b6c7d8e9f01";

/// The access token of seeds/001's response example, as published: the page masks part of the JWT header with `*`,
/// which is visible ASCII, so the token is kept as it is.
const CLOUDCX_JWT: &str = include_str!("fixtures/seeds/cloudcx-access-token.txt");

/// seeds/001's token response example, with the token above (the JSON is well-formed as published).
const SEED_TOKEN_RESPONSE: &str = include_str!("fixtures/seeds/cloudcx-token-response.json");

/// seeds/001's `/openapi/v2/user/page` response example. The page shows it twice (after the OAuth and the API-key
/// cURL examples); both copies are identical, byte for byte, and this is that text.
const SEED_USER_PAGE: &str = r#"{
"code": "0000",
"message": null,
"data": {
"totalPages": 1,
"totalElements": 1,
"size": 25,
"number": 0,
"numberOfElements": 1,
"content": [
{
"id": "75d86d40-f7d9-4025-8a1c-8a868f918289",
"loginCode": "freesiaTest",
"roles": [
"Admin",
"Agents"
],
"firstName": "freesia",
"lastName": "Test",
"email": "frees1aa@gmail.com",
"phoneNumber": null,
"uniqueCode": null
}
]
}
}"#;

fn password_profile() -> Profile {
    cloudcx::password("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "si", CX_PASSWORD).expect("valid fixture profile")
}

// ----- secrets -----

#[test]
fn cloudcx_profiles_never_print_the_client_secret_password_or_api_key() {
    let builder = PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "ana@example.com", CX_PASSWORD)
        .username_field(UsernameField::Email);
    let email = builder.clone().build().expect("valid fixture profile");
    let key = cloudcx::api_key("cx.cloudfon.net:9001", CX_API_KEY).expect("valid fixture key");
    let printed = format!("{:?} {:?} {email:?} {key:?} {:?}", password_profile(), builder, key.access());
    assert_hides("Debug", &printed, &[CX_SECRET, CX_PASSWORD, CX_API_KEY]);
}

#[test]
fn the_email_spelling_is_still_the_password_grant() {
    // Built as an extension grant, it was not replay-safe: a refused refresh token then reached
    // the caller instead of a silent new login. Both field names are the password grant.
    let profile = PasswordProfile::new("cx.example.com", "2603", "6d62", "ana@example.com", "pw")
        .username_field(UsernameField::Email)
        .build()
        .unwrap();
    let grant = profile.token_config().unwrap().request().grant();
    assert!(matches!(grant, oauth_core::Grant::Password { username, .. } if username.field() == "email"));
    assert!(grant.is_replay_safe(), "it may be sent again, and a refused refresh token falls back to it");
}
