//! What an error keeps of a response body: excerpts mask token values and keep the rest, and a token field written with
//! an escaped name still stays out of the error.

use std::time::Instant;

use oauth_core::http::Response;
use oauth_core::{ProtocolErrorKind, Quirks, TokenError, parse_token_response};

#[test]
fn body_excerpts_mask_token_values_and_keep_the_rest() {
    use oauth_core::{BODY_EXCERPT_LIMIT, BodyExcerpt};
    let long_head = format!(r#"{{"pad":"{}","access_token":"#, "x".repeat(BODY_EXCERPT_LIMIT - 30));
    let cut_in_token = format!(r#"{long_head}"SECRETSECRETSECRETSECRET"}}"#);
    let table: &[(&str, &str, &str)] = &[
        ("JSON string", r#"{"access_token":"SECRET1","error":"x"}"#, r#"{"access_token":"[redacted]","error":"x"}"#),
        ("spaces around the colon", r#"{"access_token" : "SECRET1"}"#, r#"{"access_token" : "[redacted]"}"#),
        ("escaped quote inside", r#"{"refresh_token":"SE\"CRET","a":1}"#, r#"{"refresh_token":"[redacted]","a":1}"#),
        ("number value", r#"{"access_token":12345,"a":1}"#, r#"{"access_token":[redacted],"a":1}"#),
        ("nested", r#"{"data":{"id_token":"SECRET1"}}"#, r#"{"data":{"id_token":"[redacted]"}}"#),
        ("form", "access_token=SECRET1&token_type=mac", "access_token=[redacted]&token_type=mac"),
        (
            "every sensitive field",
            r#"{"client_secret":"S1","password":"S2","assertion":"S3","device_code":"S4"}"#,
            r#"{"client_secret":"[redacted]","password":"[redacted]","assertion":"[redacted]","device_code":"[redacted]"}"#,
        ),
        (
            "a name that only starts with a secret word is not one",
            r#"{"access_token_hint":"kept","password_policy":"kept","tokens_left":"kept"}"#,
            r#"{"access_token_hint":"kept","password_policy":"kept","tokens_left":"kept"}"#,
        ),
        (
            "non-standard spellings are masked by their shape",
            r#"{"accessToken":"SECRET1","AccessToken":"SECRET2","refreshToken":"SECRET3","id_Token":"SECRET4"}"#,
            r#"{"accessToken":"[redacted]","AccessToken":"[redacted]","refreshToken":"[redacted]","id_Token":"[redacted]"}"#,
        ),
        (
            "secrets, passwords, assertions and codes by shape",
            r#"{"apiSecret":"S1","my_password":"S2","jwt-assertion":"S3","Device-Code":"S4","apiKey":"S5"}"#,
            r#"{"apiSecret":"[redacted]","my_password":"[redacted]","jwt-assertion":"[redacted]","Device-Code":"[redacted]","apiKey":"[redacted]"}"#,
        ),
        (
            "numeric codes are diagnostics and stay",
            r#"{"code":"0000","errorCode":"12","error_code":"4001"}"#,
            r#"{"code":"0000","errorCode":"12","error_code":"4001"}"#,
        ),
        (
            "a form body by shape",
            "accessToken=SECRET1&expires=60&refresh-token=SECRET2",
            "accessToken=[redacted]&expires=60&refresh-token=[redacted]",
        ),
        (
            "the name inside a value masks nothing it should not",
            r#"{"note":"access_token","access_token":"SECRET1"}"#,
            r#"{"note":"access_token","access_token":"[redacted]"}"#,
        ),
        ("no token fields", "<html>502 Bad Gateway</html>", "<html>502 Bad Gateway</html>"),
    ];
    for (why, body, want) in table {
        let excerpt = BodyExcerpt::new(body.as_bytes());
        assert_eq!(excerpt.text(), *want, "{why}");
        assert_eq!(excerpt.total_len(), body.len(), "{why}");
    }
    // A token cut by the size cap is masked to the end of the excerpt.
    let excerpt = BodyExcerpt::new(cut_in_token.as_bytes());
    assert!(!excerpt.text().contains("SECRET"), "{}", excerpt.text());
    assert!(excerpt.text().starts_with(&long_head) && excerpt.text().ends_with("[redacted]"), "{}", excerpt.text());
    assert_eq!(excerpt.total_len(), cut_in_token.len());
    assert!(BodyExcerpt::new(b"").is_empty());
}

#[test]
fn token_fields_written_with_escaped_names_are_still_kept_out_of_errors() {
    // serde_json reads `access\u005ftoken` as `access_token`, so the value is a token even though the excerpt's
    // masking cannot find it by name.
    let body = r#"{"access\u005ftoken":"SECRETVALUE1","token_type":"mac"}"#;
    let answer = Response::builder().header("content-type", "application/json").body(body).expect("valid");
    let error = parse_token_response(&Quirks::lenient(), &answer, Instant::now()).expect_err("mac is refused");
    assert!(
        matches!(&error, TokenError::Protocol(e) if matches!(e.kind, ProtocolErrorKind::UnsupportedTokenType { .. }))
    );
    let printed = format!("{error}\n{error:?}");
    assert!(!printed.contains("SECRETVALUE1"), "{printed}");
}
