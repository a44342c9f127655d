//! `read_envelope` on CloudCX API answers: the seed's user page read into a page of users, each envelope code,
//! status and malformed body to its typed error, and a `User` whose `Debug` keeps personal data out.

use oauth_core::BodyExcerpt;
use oauth_core::http::StatusCode;
use oauth_providers::cloudcx::{self, ApiError, Page, User};

use crate::SEED_USER_PAGE;
use crate::support::{Failures, assert_hides, verdict};

fn check_seed_user_page(page: &Page<User>) -> Result<(), String> {
    let mut bad = Vec::new();
    let counts = (page.total_pages, page.total_elements, page.size, page.number, page.number_of_elements);
    if counts != (1, 1, 25, 0, 1) {
        bad.push(format!("(totalPages, totalElements, size, number, numberOfElements) = {counts:?}"));
    }
    let [user] = page.content.as_slice() else {
        return Err(format!("content holds {} users", page.content.len()));
    };
    if user.id != "75d86d40-f7d9-4025-8a1c-8a868f918289" {
        bad.push(format!("id {}", user.id));
    }
    if user.login_code.as_deref() != Some("freesiaTest") {
        bad.push(format!("loginCode {:?}", user.login_code));
    }
    if user.roles != ["Admin", "Agents"] {
        bad.push(format!("roles {:?}", user.roles));
    }
    if user.first_name.as_deref() != Some("freesia") {
        bad.push(format!("firstName {:?}", user.first_name));
    }
    if user.last_name.as_deref() != Some("Test") {
        bad.push(format!("lastName {:?}", user.last_name));
    }
    if user.email.as_deref() != Some("frees1aa@gmail.com") {
        bad.push(format!("email {:?}", user.email));
    }
    if user.phone_number.is_some() {
        bad.push(format!("phoneNumber {:?}", user.phone_number));
    }
    if user.unique_code.is_some() {
        bad.push(format!("uniqueCode {:?}", user.unique_code));
    }
    verdict(bad)
}

#[test]
fn seed_user_page_reads_into_a_page_of_users_with_every_field() {
    let page: Page<User> = cloudcx::read_envelope(StatusCode::OK, SEED_USER_PAGE.as_bytes())
        .unwrap_or_else(|e| panic!("seeds/001 user page: {e}"));
    if let Err(e) = check_seed_user_page(&page) {
        panic!("seeds/001 user page: {e}");
    }
}

/// What `read_envelope::<Page<User>>` must give.
enum Api {
    /// The data; the check says what it must hold.
    Data(fn(&Page<User>) -> Result<(), String>),
    Vendor {
        code: &'static str,
        message: Option<&'static str>,
    },
    /// `ApiError::Status` with the body's excerpt.
    Status,
    /// `ApiError::Malformed`, whatever the reader's message.
    Malformed,
}

struct EnvelopeCase {
    name: &'static str,
    source: &'static str,
    status: u16,
    body: &'static str,
    expect: Api,
}

#[allow(clippy::too_many_lines, reason = "one table of fixtures")]
fn envelope_cases() -> Vec<EnvelopeCase> {
    vec![
        EnvelopeCase {
            name: "seed_user_page_on_200_is_data",
            source: "seeds/001 user-page response example",
            status: 200,
            body: SEED_USER_PAGE,
            expect: Api::Data(check_seed_user_page),
        },
        EnvelopeCase {
            name: "empty_page_without_content_is_data_with_no_users",
            source: "CloudCX's documentation (Spring Data Page shape); content omitted",
            status: 200,
            body: r#"{"code":"0000","message":null,"data":{"totalPages":0,"totalElements":0,"size":25,"number":0,"numberOfElements":0}}"#,
            expect: Api::Data(|page| {
                if page.content.is_empty() && page.total_elements == 0 { Ok(()) } else { Err(format!("{page:?}")) }
            }),
        },
        EnvelopeCase {
            name: "failure_code_on_200_is_a_vendor_error",
            source: "CloudCX's documentation, Errors (any code but \"0000\" is an error, even on HTTP 200); message invented",
            status: 200,
            body: r#"{"code":"0001","message":"token expired","data":null}"#,
            expect: Api::Vendor { code: "0001", message: Some("token expired") },
        },
        EnvelopeCase {
            name: "failure_code_on_401_is_a_vendor_error_with_its_status",
            source: "CloudCX's documentation, Errors (inferred); message invented",
            status: 401,
            body: r#"{"code":"0003","message":"Unauthorized","data":null}"#,
            expect: Api::Vendor { code: "0003", message: Some("Unauthorized") },
        },
        EnvelopeCase {
            name: "failure_code_on_404_is_a_vendor_error_with_its_status",
            source: "CloudCX's documentation, Errors (inferred); message invented",
            status: 404,
            body: r#"{"code":"0404","message":"No such user"}"#,
            expect: Api::Vendor { code: "0404", message: Some("No such user") },
        },
        EnvelopeCase {
            name: "numeric_failure_code_with_a_null_message",
            source: "CloudCX's documentation, Errors (inferred: the code's JSON type is undocumented)",
            status: 200,
            body: r#"{"code":1,"message":null}"#,
            expect: Api::Vendor { code: "1", message: None },
        },
        EnvelopeCase {
            name: "html_502_from_the_gateway_is_a_status_error",
            source: "cloud-cx/cloudfon-cx-install (Kong gateway in front); an nginx-style 502 page",
            status: 502,
            body: "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
            expect: Api::Status,
        },
        EnvelopeCase {
            name: "empty_401_is_a_status_error",
            source: "RFC 6750 §3 (a bare 401 for a bad token)",
            status: 401,
            body: "",
            expect: Api::Status,
        },
        EnvelopeCase {
            name: "success_code_on_a_500_is_still_a_status_error",
            source: "edge case: a proxy error page that happens to be an envelope",
            status: 500,
            body: r#"{"code":"0000","message":null,"data":null}"#,
            expect: Api::Status,
        },
        EnvelopeCase {
            name: "html_on_200_is_malformed",
            source: "edge case: a captive portal or login page answering 200",
            status: 200,
            body: "<html><body>Please sign in</body></html>",
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "json_without_a_code_on_200_is_malformed",
            source: "CloudCX's documentation (every answer is wrapped in {code, message, data})",
            status: 200,
            body: r#"{"totalPages":1,"content":[]}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "code_of_the_wrong_type_is_malformed",
            source: "edge case: code is neither a string nor a number",
            status: 200,
            body: r#"{"code":true,"message":null,"data":null}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "data_of_the_wrong_shape_is_malformed",
            source: "edge case: totalPages as a string",
            status: 200,
            body: r#"{"code":"0000","message":null,"data":{"totalPages":"1","totalElements":1,"size":25,"number":0,"numberOfElements":1}}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "null_data_where_a_page_is_expected_is_malformed",
            source: "edge case: success with no data for a listing call",
            status: 200,
            body: r#"{"code":"0000","message":null,"data":null}"#,
            expect: Api::Malformed,
        },
        EnvelopeCase {
            name: "user_without_an_id_is_malformed",
            source: "seeds/001 user shape with id removed",
            status: 200,
            body: r#"{"code":"0000","data":{"totalPages":1,"totalElements":1,"size":25,"number":0,"numberOfElements":1,"content":[{"loginCode":"x"}]}}"#,
            expect: Api::Malformed,
        },
    ]
}

#[test]
fn api_envelopes_read_into_data_or_typed_errors() {
    let mut failures = Failures::default();
    for case in envelope_cases() {
        failures.name(case.name);
        let status = StatusCode::from_u16(case.status).expect("fixture statuses are valid");
        let outcome = cloudcx::read_envelope::<Page<User>>(status, case.body.as_bytes());
        let result = match (&case.expect, outcome) {
            (Api::Data(check), Ok(page)) => check(&page),
            (Api::Vendor { code, message }, Err(ApiError::Vendor { status: s, code: c, message: m })) => {
                if s == status && c == *code && m.as_deref() == *message {
                    Ok(())
                } else {
                    Err(format!("Vendor {{ status: {s}, code: {c:?}, message: {m:?} }}"))
                }
            }
            (Api::Status, Err(ApiError::Status { status: s, body })) => {
                if s == status && body == BodyExcerpt::new(case.body.as_bytes()) {
                    Ok(())
                } else {
                    Err(format!("Status {{ status: {s}, body: {body:?} }}"))
                }
            }
            (Api::Malformed, Err(ApiError::Malformed { status: s, .. })) if s == status => Ok(()),
            (_, Ok(page)) => Err(format!("unexpected data {page:?}")),
            (_, Err(error)) => Err(format!("unexpected error {error:?}")),
        };
        failures.record(case.name, case.source, result);
    }
    failures.assert_none();
}

#[test]
fn envelope_without_data_reads_into_unit() {
    // An action that answers only a code (CloudCX's envelope, data absent).
    let outcome = cloudcx::read_envelope::<()>(StatusCode::OK, br#"{"code":"0000","message":"ok"}"#);
    assert_eq!(outcome, Ok(()));
}

#[test]
fn user_debug_keeps_personal_data_out() {
    let page: Page<User> =
        cloudcx::read_envelope(StatusCode::OK, SEED_USER_PAGE.as_bytes()).expect("seeds/001 user page");
    let body = r#"{"code":"0000","data":{"totalPages":1,"totalElements":1,"size":25,"number":0,"numberOfElements":1,
        "content":[{"id":"u-1","loginCode":"ana.l","roles":["Agents"],"firstName":"Anabel","lastName":"Lopez-Quintana",
        "email":"anabel.lq@example.com","phoneNumber":"+1 555 0100","uniqueCode":"EMP-99812"}]}}"#;
    let other: Page<User> = cloudcx::read_envelope(StatusCode::OK, body.as_bytes()).expect("a valid page");
    let printed = format!("{page:?} {other:?}");
    let personal = ["frees1aa@gmail.com", "Anabel", "Lopez-Quintana", "anabel.lq@example.com", "555 0100", "EMP-99812"];
    assert_hides("User Debug", &printed, &personal);
    assert!(printed.contains("75d86d40-f7d9-4025-8a1c-8a868f918289") && printed.contains("ana.l"), "{printed}");
}
