//! The exact token requests the CloudCX password profiles build: the seed's cURL request, the domain forms and
//! plain http, the username or email field, the refresh request from the profile's configuration, the Postman steps.

use oauth_core::Grant;
use oauth_core::http::Request;
use oauth_providers::cloudcx::{self, PasswordProfile, UsernameField};
use oauth_providers::{Profile, ProfileError};

use crate::support::{ExpectedRequest, check_each, request_mismatches, verdict};
use crate::{CX_ID, CX_PASSWORD, CX_SECRET, SEED_ID, SEED_PASSWORD, SEED_SECRET, SEED_USER};

struct RequestCase {
    name: &'static str,
    source: &'static str,
    profile: fn() -> Result<Profile, ProfileError>,
    /// `Some(refresh token)`: the case is the refresh request built from the profile's configuration.
    refresh: Option<&'static str>,
    uri: &'static str,
    api_base: &'static str,
    body: &'static str,
    /// When the case reproduces a documented request: its form fields in the document's order. The body must hold
    /// exactly these pairs (the library writes `grant_type` first; order carries no meaning in a form).
    documented_fields: &'static [(&'static str, &'static str)],
}

/// The refresh request the brief prescribes: the profile's endpoint and client, the primary request's scope and
/// parameters, a refresh-token grant.
fn refresh_request(profile: &Profile, refresh_token: &str) -> Request<Vec<u8>> {
    let config = profile.token_config().expect("a password profile exchanges tokens");
    let (request, _pending) = config
        .endpoint()
        .build_request(config.auth(), &config.request().with_grant(Grant::refresh_token(refresh_token)))
        .expect("no client assertion to sign");
    request
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn request_cases() -> Vec<RequestCase> {
    vec![
        RequestCase {
            name: "seed_curl_password_grant_sends_all_five_fields_in_the_form_body",
            source: "seeds/001 cURL Request example (https://cloudcx.example.com/oauth/token, --data-urlencode × 5). \
                     Liberty taken: the masked values are kept with their `*`, which the form writes as is where \
                     curl --data-urlencode writes %2A; both decode to the same value",
            profile: || cloudcx::password("cloudcx.example.com", SEED_ID, SEED_SECRET, SEED_USER, SEED_PASSWORD),
            refresh: None,
            uri: "https://cloudcx.example.com/oauth/token",
            api_base: "https://cloudcx.example.com/",
            body: "grant_type=password&client_id=2603****************814845\
                   &client_secret=6d624c35-978b-*********-59d727f2ea19&username=si*****&password=A******",
            documented_fields: &[
                ("client_id", SEED_ID),
                ("client_secret", SEED_SECRET),
                ("grant_type", "password"),
                ("username", SEED_USER),
                ("password", SEED_PASSWORD),
            ],
        },
        RequestCase {
            name: "domain_with_port_9001_keeps_the_port_in_the_token_url",
            source: "seeds/001 Postman step (3) (\"if your Control Panel domain is cx.cloudfon.net:9001, the API \
                     request should be https://cx.cloudfon.net:9001/oauth/token\")",
            profile: || cloudcx::password("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "si", CX_PASSWORD),
            refresh: None,
            uri: "https://cx.cloudfon.net:9001/oauth/token",
            api_base: "https://cx.cloudfon.net:9001/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=A1+b%26c%3Dd%25",
            documented_fields: &[],
        },
        RequestCase {
            name: "domain_given_as_a_base_url_gives_the_same_token_url",
            source: "CloudCX's documentation (https://{domain}[:port]/oauth/token); the Kong gateway's ports 443/9001/9006",
            profile: || cloudcx::password("https://cx.cloudfon.net:9006/", CX_ID, CX_SECRET, "si", "pw"),
            refresh: None,
            uri: "https://cx.cloudfon.net:9006/oauth/token",
            api_base: "https://cx.cloudfon.net:9006/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=pw",
            documented_fields: &[],
        },
        RequestCase {
            name: "email_field_variant_sends_email_instead_of_username_on_the_9001_domain",
            source: "seeds/001 Postman step (5) (email, password, grant_type, client_id) with the :9001 domain of \
                     step (3). The profile still sends client_secret, as the cURL example does",
            profile: || {
                PasswordProfile::new("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "ana@example.com", "pw")
                    .username_field(UsernameField::Email)
                    .build()
            },
            refresh: None,
            uri: "https://cx.cloudfon.net:9001/oauth/token",
            api_base: "https://cx.cloudfon.net:9001/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&email=ana%40example.com&password=pw",
            documented_fields: &[],
        },
        RequestCase {
            name: "email_field_variant_on_the_seed_002_domain",
            source: "seeds/002 Postman steps (3) and (5) (https://cx.cloudcx.net/oauth/token; email, password, \
                     grant_type, client_id)",
            profile: || {
                PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "ana@example.com", CX_PASSWORD)
                    .username_field(UsernameField::Email)
                    .build()
            },
            refresh: None,
            uri: "https://cx.cloudcx.net/oauth/token",
            api_base: "https://cx.cloudcx.net/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&email=ana%40example.com&password=A1+b%26c%3Dd%25",
            documented_fields: &[],
        },
        RequestCase {
            name: "username_field_is_the_default",
            source: "CloudCX's documentation (send username, allow a field-name override)",
            profile: || {
                PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "si", "pw")
                    .username_field(UsernameField::Username)
                    .build()
            },
            refresh: None,
            uri: "https://cx.cloudcx.net/oauth/token",
            api_base: "https://cx.cloudcx.net/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=pw",
            documented_fields: &[],
        },
        RequestCase {
            name: "refresh_goes_to_the_same_url_with_the_client_credentials_in_the_body",
            source: "seeds/001 (\"can be renewed using the refresh token\"); CloudCX's documentation, Refresh (inferred: standard shape)",
            profile: || cloudcx::password("cx.cloudfon.net:9001", CX_ID, CX_SECRET, "si", CX_PASSWORD),
            refresh: Some("r1"),
            uri: "https://cx.cloudfon.net:9001/oauth/token",
            api_base: "https://cx.cloudfon.net:9001/",
            body: "grant_type=refresh_token&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&refresh_token=r1",
            documented_fields: &[],
        },
        RequestCase {
            name: "refresh_from_the_email_variant_carries_neither_email_nor_password",
            source: "CloudCX's documentation, Refresh (inferred); the email variant's fields belong to the password grant only",
            profile: || {
                PasswordProfile::new("cx.cloudcx.net", CX_ID, CX_SECRET, "ana@example.com", CX_PASSWORD)
                    .username_field(UsernameField::Email)
                    .build()
            },
            refresh: Some("r1"),
            uri: "https://cx.cloudcx.net/oauth/token",
            api_base: "https://cx.cloudcx.net/",
            body: "grant_type=refresh_token&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&refresh_token=r1",
            documented_fields: &[],
        },
        RequestCase {
            name: "allow_http_serves_a_private_gateway_over_plain_http",
            source: "cloud-cx/cloudfon-cx-install (self-hosted Kong gateway on 9006); PasswordProfile::allow_http",
            profile: || {
                PasswordProfile::new("http://cx.internal:9006", CX_ID, CX_SECRET, "si", "pw").allow_http().build()
            },
            refresh: None,
            uri: "http://cx.internal:9006/oauth/token",
            api_base: "http://cx.internal:9006/",
            body: "grant_type=password&client_id=260390634491792831814845\
                   &client_secret=6d624c35-978b-4e1f-a2b3-59d727f2ea19&username=si&password=pw",
            documented_fields: &[],
        },
    ]
}

fn check_request(case: &RequestCase) -> Result<(), String> {
    let profile = (case.profile)().map_err(|e| format!("refused: {e}"))?;
    let request = match case.refresh {
        Some(refresh_token) => refresh_request(&profile, refresh_token),
        None => profile.token_config().ok_or("no token config")?.build_request().map_err(|error| error.to_string())?.0,
    };
    let want = ExpectedRequest {
        vendor: "cloudcx",
        api_base: case.api_base,
        uri: case.uri,
        // seeds/001: the form Content-Type and no Authorization header (the client authenticates in the body).
        authorization: None,
        body: case.body.as_bytes(),
    };
    let mut bad = request_mismatches(&profile, &request, &want);
    if !case.documented_fields.is_empty() {
        let mut sent: Vec<(String, String)> = form_urlencoded::parse(request.body()).into_owned().collect();
        let mut documented: Vec<(String, String)> =
            case.documented_fields.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        sent.sort();
        documented.sort();
        if sent != documented {
            bad.push(format!("form fields {sent:?} are not the documented {documented:?}"));
        }
    }
    verdict(bad)
}

#[test]
fn every_password_and_refresh_request_has_its_exact_bytes() {
    check_each(request_cases(), |case| (case.name, case.source), check_request);
}

#[test]
fn the_older_postman_steps_can_be_reproduced_exactly() {
    // seeds/001 and 002, Postman step (5): email, password, grant_type, client_id; no secret.
    let profile = cloudcx::PasswordProfile::new("cx.cloudcx.net", "2603", "unused", "ana@example.com", "pw")
        .username_field(cloudcx::UsernameField::Email)
        .omit_client_secret()
        .build()
        .expect("a valid profile");
    let (request, _) =
        profile.token_config().expect("a token exchange").build_request().expect("no client assertion to sign");
    assert_eq!(request.body(), b"grant_type=password&client_id=2603&email=ana%40example.com&password=pw");
    assert!(request.headers().get("authorization").is_none());
}
