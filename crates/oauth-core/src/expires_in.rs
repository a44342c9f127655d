//! Reading `expires_in` as servers write it: a JSON number of any size or form, a numeric
//! string, or form text — floored to whole seconds, a positive value under one second kept
//! apart as "already due", and an over-long one refused or clamped as the profile says.

use std::borrow::Cow;

use crate::Quirks;
use crate::error::ExpiresInProblem;

/// `expires_in` as written: raw JSON text (to read numbers no float type holds), or form text.
pub(crate) enum ExpiresRaw<'a> {
    Json(&'a str),
    Text(Cow<'a, str>),
}

/// A read `expires_in`: whole seconds (0 meaning "not said"), or a positive value under one
/// second, which floors to 0 but means the opposite of "no expiry".
#[derive(Clone, Copy)]
pub(crate) enum ExpiresIn {
    Secs(u64),
    Due,
}

pub(crate) fn expires_in_secs(raw: &ExpiresRaw<'_>, quirks: &Quirks) -> Result<Option<ExpiresIn>, ExpiresInProblem> {
    let text: Cow<'_, str> = match raw {
        ExpiresRaw::Text(text) => Cow::Borrowed(&**text),
        ExpiresRaw::Json(json) => match json.as_bytes().first() {
            Some(b'"') => {
                if !quirks.expires_in_as_string {
                    return Err(ExpiresInProblem::StringNotAllowed);
                }
                let s: Cow<'_, str> = serde_json::from_str(json).map_err(|_| ExpiresInProblem::NotNumeric)?;
                s
            }
            Some(b'n') if quirks.null_as_absent => return Ok(None),
            Some(b'n') => return Err(ExpiresInProblem::Null),
            Some(b'-' | b'0'..=b'9') => Cow::Borrowed(*json),
            _ => return Err(ExpiresInProblem::NotNumeric),
        },
    };
    let max = quirks.max_lifetime.as_secs();
    match number_text_secs(text.trim(), quirks) {
        Ok(Number::Whole(secs)) if secs <= max => Ok(Some(ExpiresIn::Secs(secs))),
        Ok(Number::Whole(_)) | Err(ExpiresInProblem::TooLarge) if quirks.clamp_long_expires_in => {
            Ok(Some(ExpiresIn::Secs(max)))
        }
        Ok(Number::Whole(_)) => Err(ExpiresInProblem::TooLarge),
        Ok(Number::UnderOneSecond) => Ok(Some(ExpiresIn::Due)),
        Err(problem) => Err(problem),
    }
}

/// A non-negative number of seconds, floored — and whether a positive value floored to zero.
enum Number {
    Whole(u64),
    UnderOneSecond,
}

/// Reads a decimal number: an integer of any size, or a fraction/exponent form.
fn number_text_secs(text: &str, quirks: &Quirks) -> Result<Number, ExpiresInProblem> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let numeric = !digits.is_empty()
        && digits.as_bytes()[0].is_ascii_digit()
        && digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !numeric {
        return Err(ExpiresInProblem::NotNumeric);
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        let zero = digits.bytes().all(|b| b == b'0');
        if negative && !zero {
            return Err(ExpiresInProblem::Negative);
        }
        // All digits: too many for u64 means absurdly large, not malformed.
        return Ok(Number::Whole(digits.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let value: f64 = digits.parse().map_err(|_| ExpiresInProblem::NotNumeric)?;
    if negative && value != 0.0 {
        return Err(ExpiresInProblem::Negative);
    }
    if !value.is_finite() {
        return Err(ExpiresInProblem::TooLarge);
    }
    if value.fract() != 0.0 && !quirks.expires_in_fraction {
        return Err(ExpiresInProblem::FractionNotAllowed);
    }
    if value >= u64::MAX as f64 {
        return Ok(Number::Whole(u64::MAX));
    }
    if value > 0.0 && value < 1.0 {
        return Ok(Number::UnderOneSecond);
    }
    // Invariant: finite, non-negative and below u64::MAX, so the cast after floor is exact
    // enough (whole seconds) and cannot wrap.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Number::Whole(value.floor() as u64))
}
