//! Reading the device authorization answer: its format, its members, each member's rules.

use super::*;
use crate::body_problem::check_status_and_size;
use crate::json_object::read_object;

/// `body` with `secret` scrubbed, as [`TokenError::scrub`] does it for a protocol error.
pub(super) fn scrubbed_excerpt(body: BodyExcerpt, secret: &str) -> BodyExcerpt {
    let mut wrapped = TokenError::Protocol(Box::new(ProtocolError {
        kind: ProtocolErrorKind::EmptyBody,
        status: StatusCode::OK,
        content_type: None,
        retry_after: None,
        body,
    }));
    wrapped.scrub(secret);
    match wrapped {
        TokenError::Protocol(e) => e.body,
        _ => BodyExcerpt::default(),
    }
}

pub(super) fn read<B: AsRef<[u8]>>(
    quirks: &Quirks,
    response: &Response<B>,
    sent_at: Instant,
) -> Result<DeviceAuthorization, DeviceAuthorizationError> {
    if let Some(error) = crate::parse_error_response(quirks, response) {
        return Err(DeviceAuthorizationError::Server(Box::new(error)));
    }
    let (status, body) = (response.status(), response.body().as_ref());
    let fail = |kind, body: &[u8]| {
        DeviceAuthorizationError::Protocol(Box::new(DeviceProtocolError { kind, status, body: BodyExcerpt::new(body) }))
    };
    if let Err(problem) = check_status_and_size(quirks, status, body) {
        // A body over the cap is not read, not even for the excerpt.
        let kept = if matches!(problem, BodyProblem::BodyTooLarge { .. }) { &[][..] } else { body };
        return Err(fail(DeviceAnswerProblem::Body(problem), kept));
    }
    let fields = match body_format(quirks, response.headers(), body) {
        Ok(Format::Json) => parse_json(body),
        Ok(Format::Form) => parse_form(body),
        Err(FormatProblem::EmptyBody) => Err(DeviceAnswerProblem::Body(BodyProblem::EmptyBody)),
        Err(FormatProblem::UnexpectedContentType) => Err(DeviceAnswerProblem::Body(BodyProblem::UnexpectedContentType)),
    }
    .map_err(|kind| fail(kind, body))?;
    // The excerpt masks `device_code`'s value by its name, however the name is escaped.
    fields.authorization(quirks, sent_at).map_err(|kind| fail(kind, body))
}

/// A member's value before validation: raw JSON, or form text.
enum Raw<'a> {
    Json(&'a RawValue),
    Text(Cow<'a, str>),
}

impl Raw<'_> {
    /// The value as a string; `None` for a null the profile reads as absent.
    fn text(&self, field: &'static str, quirks: &Quirks) -> Result<Option<String>, DeviceAnswerProblem> {
        match self {
            Self::Text(text) => Ok(Some(text.clone().into_owned())),
            Self::Json(raw) => match raw.get().as_bytes().first() {
                Some(b'"') => serde_json::from_str(raw.get())
                    .map(Some)
                    .map_err(|_| DeviceAnswerProblem::FieldType { field, found: JsonKind::String }),
                Some(b'n') if quirks.null_as_absent => Ok(None),
                Some(&first) => Err(DeviceAnswerProblem::FieldType { field, found: json_kind_of(first) }),
                None => Err(DeviceAnswerProblem::FieldType { field, found: JsonKind::Null }),
            },
        }
    }

    /// A number of seconds, read as `expires_in` is; `None` for a null read as absent.
    fn seconds(&self, quirks: &Quirks) -> Result<Option<ExpiresIn>, ExpiresInProblem> {
        let raw = match self {
            Self::Json(raw) => ExpiresRaw::Json(raw.get()),
            Self::Text(text) => ExpiresRaw::Text(Cow::Borrowed(text.as_ref())),
        };
        expires_in_secs(&raw, quirks)
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Json(raw) => serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null),
            Self::Text(text) => serde_json::Value::String(text.clone().into_owned()),
        }
    }
}

#[derive(Default)]
struct Fields<'a> {
    device_code: Option<Raw<'a>>,
    user_code: Option<Raw<'a>>,
    verification_uri: Option<Raw<'a>>,
    verification_url: Option<Raw<'a>>,
    verification_uri_complete: Option<Raw<'a>>,
    expires_in: Option<Raw<'a>>,
    interval: Option<Raw<'a>>,
    extras: serde_json::Map<String, serde_json::Value>,
    duplicate: Option<&'static str>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, name: &str, value: Raw<'a>) {
        let (slot, field) = match name {
            "device_code" => (&mut self.device_code, "device_code"),
            "user_code" => (&mut self.user_code, "user_code"),
            "verification_uri" => (&mut self.verification_uri, "verification_uri"),
            "verification_url" => (&mut self.verification_url, "verification_url"),
            "verification_uri_complete" => (&mut self.verification_uri_complete, "verification_uri_complete"),
            "expires_in" => (&mut self.expires_in, "expires_in"),
            "interval" => (&mut self.interval, "interval"),
            _ => {
                self.extras.insert(name.to_owned(), value.to_json());
                return;
            }
        };
        if slot.replace(value).is_some() && self.duplicate.is_none() {
            self.duplicate = Some(field);
        }
    }

    fn authorization(&self, quirks: &Quirks, sent_at: Instant) -> Result<DeviceAuthorization, DeviceAnswerProblem> {
        if let Some(field) = self.duplicate {
            return Err(DeviceAnswerProblem::DuplicateField { field });
        }
        let device_code = required(self.device_code.as_ref(), "device_code", quirks)?;
        let user_code = shown(required(self.user_code.as_ref(), "user_code", quirks)?, "user_code")?;
        // The RFC's name wins when a server sends both.
        let (field, uri) = match (&self.verification_uri, &self.verification_url) {
            (None, Some(url)) => ("verification_url", Some(url)),
            (uri, _) => ("verification_uri", uri.as_ref()),
        };
        let verification_uri = shown(required(uri, field, quirks)?, field)?;
        let verification_uri_complete = match &self.verification_uri_complete {
            None => None,
            Some(raw) => match raw.text("verification_uri_complete", quirks)? {
                // Empty says no more than absent does.
                Some(text) if text.is_empty() => None,
                Some(text) => Some(shown(text, "verification_uri_complete")?),
                None => None,
            },
        };
        let missing_expiry = DeviceAnswerProblem::MissingField { field: "expires_in" };
        let expires_in = self.expires_in.as_ref().ok_or_else(|| missing_expiry.clone())?;
        let lifetime = match expires_in.seconds(quirks) {
            Ok(Some(ExpiresIn::Secs(secs))) => Duration::from_secs(secs),
            // A positive lifetime under a second: a code already due.
            Ok(Some(ExpiresIn::Due)) => Duration::ZERO,
            Ok(None) => return Err(missing_expiry),
            Err(problem) => return Err(DeviceAnswerProblem::InvalidExpiresIn { problem }),
        };
        let expires_at = sent_at
            .checked_add(lifetime)
            .ok_or(DeviceAnswerProblem::InvalidExpiresIn { problem: ExpiresInProblem::TooLarge })?;
        let interval = match self.interval.as_ref().map(|raw| raw.seconds(quirks)).transpose() {
            Ok(Some(Some(ExpiresIn::Secs(secs)))) if secs > 0 => Duration::from_secs(secs),
            // Absent, null read as absent, zero or under a second: the RFC's default.
            Ok(_) => DEFAULT_INTERVAL,
            Err(problem) => return Err(DeviceAnswerProblem::InvalidInterval { problem }),
        };
        Ok(DeviceAuthorization {
            device_code: SecretParam::new(device_code),
            user_code: user_code.into(),
            verification_uri: verification_uri.into(),
            verification_uri_complete: verification_uri_complete.map(Into::into),
            lifetime,
            expires_at,
            interval,
            extras: Extras::from_map(self.extras.clone()),
        })
    }
}

/// A required string member: present, a string, not empty.
fn required(raw: Option<&Raw<'_>>, field: &'static str, quirks: &Quirks) -> Result<String, DeviceAnswerProblem> {
    match raw.map(|raw| raw.text(field, quirks)).transpose()?.flatten() {
        None => Err(DeviceAnswerProblem::MissingField { field }),
        Some(text) if text.is_empty() => Err(DeviceAnswerProblem::EmptyField { field }),
        Some(text) => Ok(text),
    }
}

/// A member shown to the user: no control characters.
fn shown(text: String, field: &'static str) -> Result<String, DeviceAnswerProblem> {
    if text.chars().any(char::is_control) {
        return Err(DeviceAnswerProblem::FieldCharacters { field });
    }
    Ok(text)
}

fn parse_json(body: &[u8]) -> Result<Fields<'_>, DeviceAnswerProblem> {
    read_object::<Members<'_>>(body)
        .map(|members| members.0)
        .map_err(|problem| DeviceAnswerProblem::Body(problem.into()))
}

fn parse_form(body: &[u8]) -> Result<Fields<'_>, DeviceAnswerProblem> {
    if std::str::from_utf8(body).is_err() {
        return Err(DeviceAnswerProblem::Body(BodyProblem::InvalidUtf8));
    }
    let mut fields = Fields::default();
    for (name, value) in form_urlencoded::parse(body.trim_ascii()) {
        fields.set(&name, Raw::Text(value));
    }
    Ok(fields)
}

/// A JSON object's members, each value kept raw (borrowed from the body) for validation.
struct Members<'a>(Fields<'a>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut fields = Fields::default();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    fields.set(&name, Raw::Json(value));
                }
                Ok(Members(fields))
            }
        }
        d.deserialize_map(V)
    }
}
