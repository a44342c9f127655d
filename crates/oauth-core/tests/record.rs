//! `TokenRecord`: the stored form of a token, its wall-clock expiry, and bytes that are not one.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use oauth_core::{AccessToken, RecordError, Scope, Token, TokenRecord};

fn token(now: Instant) -> Token {
    Token::bearer(AccessToken::new("at"))
        .with_lifetime(now, Duration::from_secs(300))
        .with_scope(Scope::parse("a b").unwrap())
}

#[test]
fn a_record_past_its_expiry_gives_an_expired_token() {
    let (now, wall) = (Instant::now(), SystemTime::now());
    let record = TokenRecord::decode(&TokenRecord::of(&token(now), now, wall).encode()).unwrap();
    let later = now + Duration::from_secs(400);
    let back = record.into_token(later, wall + Duration::from_secs(400));
    assert!(back.is_expired(later));
    assert_eq!(back.scope().map(Scope::as_str), Some("a b"));
}

#[test]
fn a_token_without_expiry_stays_without() {
    let (now, wall) = (Instant::now(), SystemTime::now());
    let bytes = TokenRecord::of(&Token::bearer(AccessToken::new("at")), now, wall).encode();
    assert_eq!(TokenRecord::decode(&bytes).unwrap().into_token(now, wall).expires_at(), None);
}

#[test]
fn bad_bytes_are_typed_errors_that_never_repeat_them() {
    let cases: [(&[u8], RecordError); 6] = [
        (b"", RecordError::Malformed),
        (b"\xff\xfe", RecordError::Malformed),
        (br#"{"v":1}"#, RecordError::Malformed),
        (br#"{"v":2,"access_token":"secret-x","token_type":"Bearer"}"#, RecordError::Version { found: 2 }),
        (br#"{"v":1,"access_token":"","token_type":"Bearer"}"#, RecordError::Invalid { field: "access_token" }),
        (
            br#"{"v":1,"access_token":"secret-x","token_type":"Bearer","scope":"a\"b"}"#,
            RecordError::Invalid { field: "scope" },
        ),
    ];
    for (bytes, expected) in cases {
        let error = TokenRecord::decode(bytes).unwrap_err();
        assert_eq!(error, expected);
        assert!(!error.to_string().contains("secret-x"));
    }
    let extra = br#"{"v":1,"access_token":"x","token_type":"Bearer","password":"p"}"#;
    assert_eq!(TokenRecord::decode(extra).unwrap_err(), RecordError::Malformed);
}

#[test]
fn the_wall_clock_expiry_survives_the_round_trip_to_the_millisecond() {
    let (now, wall) = (Instant::now(), UNIX_EPOCH + Duration::from_millis(1_700_000_000_123));
    let record = TokenRecord::of(&token(now), now, wall);
    assert_eq!(record.expires_at(), Some(wall + Duration::from_secs(300)));
    let again = TokenRecord::decode(&record.encode()).unwrap();
    assert_eq!(again.expires_at(), record.expires_at());
    assert_eq!(again.lifetime(), Some(Duration::from_secs(300)));
}
