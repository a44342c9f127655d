//! Reading a token endpoint's answer (RFC 6749 §5.1 and §5.2) at a caller-given time.
//!
//! The body is capped, then read once by a visitor that borrows strings from it, so a success
//! costs one allocation for the access token and one per optional field present. A 4xx or 5xx
//! goes to the error-body reader (`error_body`) that every endpoint shares; a 2xx is read a
//! second time only when a vendor envelope needs the whole JSON value.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

use http::header::CONTENT_TYPE;
use http::{HeaderMap, Response, StatusCode};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{ExpiresInProblem, JsonKind, ProtocolErrorKind};
use crate::error_body::{self, OAuthFields};
use crate::expires_in::{ExpiresIn, ExpiresRaw, expires_in_secs};
use crate::media::{Format, FormatProblem, body_format, json_kind_of};
use crate::{
    AccessToken, BodyExcerpt, Extras, IdToken, ProtocolError, Quirks, RefreshToken, Scope, Token, TokenError, TokenType,
};

/// Reads a token endpoint's answer with the given quirks alone: no endpoint, no request.
///
/// `sent_at` is when the request was sent, on the caller's clock; the token's expiry is
/// counted from it. Non-2xx answers become [`TokenError::Server`]; a 2xx that is not a usable
/// token becomes [`TokenError::Protocol`] — or [`TokenError::Server`] when it carries an
/// `error` member or a vendor error envelope.
///
/// # Which reader to use
/// - [`PendingExchange::finish`](crate::PendingExchange::finish), after sending a request made
///   by [`TokenEndpoint::build_request`](crate::TokenEndpoint::build_request): the one to use
///   for an exchange. It also keeps a refresh token the answer did not replace and scrubs the
///   request's credentials from an error.
/// - [`TokenEndpoint::parse_response`](crate::TokenEndpoint::parse_response): for code that
///   sees an answer and holds the endpoint but not the exchange (a transport wrapper that logs
///   lifetimes, say). The answer is read as here, with the endpoint's quirks.
/// - This function: for an answer with only a [`Quirks`] at hand — a recorded answer, a
///   fixture, a profile's quirks checked without any URL. Nothing is kept or scrubbed.
/// - [`parse_error_response`](crate::parse_error_response): for the error answers of other
///   endpoints (revocation, introspection), which carry no token.
///
/// # Errors
/// As described above; never panics, whatever the bytes.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
/// use oauth_core::{parse_token_response, Quirks};
/// // A numeric string for expires_in, as some servers send it.
/// let response = http::Response::builder()
///     .header("content-type", "application/json")
///     .body(r#"{"access_token":"6E1A","token_type":"Bearer","expires_in":"3599"}"#)
///     .unwrap();
/// let sent_at = Instant::now();
/// let token = parse_token_response(&Quirks::lenient(), &response, sent_at)?;
/// assert_eq!(token.access_token().secret(), "6E1A");
/// assert_eq!(token.expires_at(), Some(sent_at + Duration::from_secs(3599)));
/// assert!(parse_token_response(&Quirks::strict(), &response, sent_at).is_err());
/// # Ok::<(), oauth_core::TokenError>(())
/// ```
pub fn parse_token_response<B: AsRef<[u8]>>(
    quirks: &Quirks,
    response: &Response<B>,
    sent_at: Instant,
) -> Result<Token, TokenError> {
    parse(quirks, response.status(), response.headers(), response.body().as_ref(), sent_at)
}

pub(crate) fn parse(
    quirks: &Quirks,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    sent_at: Instant,
) -> Result<Token, TokenError> {
    let fail = |kind| protocol_error(kind, status, headers, body);
    let too_large = body.len() > quirks.max_body_bytes;
    if status.is_client_error() || status.is_server_error() {
        return Err(error_body::read(quirks, status, headers, body).into());
    }
    if too_large {
        let kind = ProtocolErrorKind::BodyTooLarge { limit: quirks.max_body_bytes, actual: body.len() };
        return Err(protocol_error(kind, status, headers, &[]));
    }
    if !status.is_success() || (!quirks.any_success_status && status != StatusCode::OK) {
        return Err(fail(ProtocolErrorKind::UnexpectedStatus));
    }
    let format = body_format(quirks, headers, body)
        .map_err(|problem| match problem {
            FormatProblem::EmptyBody => ProtocolErrorKind::EmptyBody,
            FormatProblem::UnexpectedContentType => ProtocolErrorKind::UnexpectedContentType,
        })
        .map_err(fail)?;
    let read = || match format {
        Format::Json => parse_json(body),
        Format::Form => parse_form(body),
    };
    let fields = read().map_err(fail)?;
    // `"error": null` beside a token (a serialiser writing every field) says no error, where the
    // profile reads null as absent.
    match &fields.error {
        None => {}
        Some(Loose::Str(code)) => {
            let fields = OAuthFields {
                error: code,
                description: fields.error_description.as_ref().and_then(Loose::as_str),
                uri: fields.error_uri.as_ref().and_then(Loose::as_str),
            };
            return Err(error_body::from_fields(&fields, status, headers, body).into());
        }
        Some(Loose::Other(JsonKind::Null)) if quirks.null_as_absent => {}
        Some(other) => return Err(fail(ProtocolErrorKind::FieldType { field: "error", found: other.kind() })),
    }
    if fields.access_token.is_none() {
        if let Some(envelope) = error_body::from_envelope(quirks, status, headers, body) {
            return Err(envelope.into());
        }
    }
    fields.into_token(quirks, sent_at).map_err(|kind| {
        let mut error = fail(kind);
        // The excerpt masks token fields found by their plain names; one whose name was written
        // with escapes (`access\u005ftoken`, `access%5Ftoken`) is found by reading the body again.
        if let Ok(fields) = read() {
            for token in [&fields.access_token, &fields.refresh_token, &fields.id_token] {
                if let Some(value) = token.as_ref().and_then(Loose::as_str) {
                    error.scrub(value);
                }
            }
        }
        error
    })
}

fn parse_json(body: &[u8]) -> Result<RawFields<'_>, ProtocolErrorKind> {
    match body.trim_ascii_start().first() {
        // One UTF-8 check of the whole body (std's is word-at-a-time for ASCII) lets serde_json
        // read from `&str` and skip checking each string again: cheaper overall.
        Some(b'{') => {
            let text = std::str::from_utf8(body).map_err(|_| ProtocolErrorKind::InvalidUtf8)?;
            serde_json::from_str::<RawFields<'_>>(text).map_err(|e| json_error(body, &e))
        }
        Some(&first) => match serde_json::from_slice::<IgnoredAny>(body) {
            Ok(_) => Err(ProtocolErrorKind::NotAnObject { found: json_kind_of(first) }),
            Err(e) => Err(json_error(body, &e)),
        },
        None => Err(ProtocolErrorKind::EmptyBody),
    }
}

fn json_error(body: &[u8], error: &serde_json::Error) -> ProtocolErrorKind {
    if std::str::from_utf8(body).is_err() {
        return ProtocolErrorKind::InvalidUtf8;
    }
    // serde_json's messages name a position, never content, for the visitors used here.
    ProtocolErrorKind::NotJson { detail: error.to_string().into() }
}

fn parse_form(body: &[u8]) -> Result<RawFields<'_>, ProtocolErrorKind> {
    if std::str::from_utf8(body).is_err() {
        return Err(ProtocolErrorKind::InvalidUtf8);
    }
    let mut fields = RawFields::default();
    for (name, value) in form_urlencoded::parse(body.trim_ascii()) {
        let value = Loose::Str(value);
        match &*name {
            "expires_in" => {
                let text = match value {
                    Loose::Str(text) => text,
                    _ => continue,
                };
                fields.set_expires_in(ExpiresRaw::Text(text));
            }
            _ => fields.set(name, value),
        }
    }
    Ok(fields)
}

fn protocol_error(kind: ProtocolErrorKind, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> TokenError {
    ProtocolError {
        kind,
        status,
        content_type: headers.get(CONTENT_TYPE).cloned(),
        retry_after: error_body::retry_after(headers),
        body: BodyExcerpt::new(body),
    }
    .into()
}

/// A field value before validation: a string (borrowed from the body when it can be), an
/// array of strings, or the JSON kind of anything else.
enum Loose<'a> {
    Str(Cow<'a, str>),
    StrArray(Vec<Cow<'a, str>>),
    Other(JsonKind),
}

impl Loose<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    fn kind(&self) -> JsonKind {
        match self {
            Self::Str(_) => JsonKind::String,
            Self::StrArray(_) => JsonKind::Array,
            Self::Other(kind) => *kind,
        }
    }
}

#[derive(Default)]
struct RawFields<'a> {
    access_token: Option<Loose<'a>>,
    token_type: Option<Loose<'a>>,
    expires_in: Option<ExpiresRaw<'a>>,
    refresh_token: Option<Loose<'a>>,
    scope: Option<Loose<'a>>,
    id_token: Option<Loose<'a>>,
    error: Option<Loose<'a>>,
    error_description: Option<Loose<'a>>,
    error_uri: Option<Loose<'a>>,
    extras: serde_json::Map<String, serde_json::Value>,
    duplicate: Option<Box<str>>,
}

impl<'a> RawFields<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Loose<'a>>> {
        Some(match name {
            "access_token" => &mut self.access_token,
            "token_type" => &mut self.token_type,
            "refresh_token" => &mut self.refresh_token,
            "scope" => &mut self.scope,
            "id_token" => &mut self.id_token,
            "error" => &mut self.error,
            "error_description" => &mut self.error_description,
            "error_uri" => &mut self.error_uri,
            _ => return None,
        })
    }

    fn set(&mut self, name: Cow<'a, str>, value: Loose<'a>) {
        match self.slot(&name) {
            Some(slot) => {
                if slot.replace(value).is_some() && self.duplicate.is_none() {
                    self.duplicate = Some(name.into());
                }
            }
            None => {
                let json = match value {
                    Loose::Str(s) => serde_json::Value::String(s.into_owned()),
                    Loose::StrArray(items) => {
                        items.into_iter().map(|s| serde_json::Value::String(s.into_owned())).collect()
                    }
                    Loose::Other(_) => serde_json::Value::Null,
                };
                self.extras.insert(name.into_owned(), json);
            }
        }
    }

    fn set_expires_in(&mut self, raw: ExpiresRaw<'a>) {
        if self.expires_in.replace(raw).is_some() && self.duplicate.is_none() {
            self.duplicate = Some("expires_in".into());
        }
    }

    fn into_token(self, quirks: &Quirks, sent_at: Instant) -> Result<Token, ProtocolErrorKind> {
        if let Some(field) = self.duplicate {
            return Err(ProtocolErrorKind::DuplicateField { field });
        }
        let access_token = match self.access_token {
            None => return Err(ProtocolErrorKind::MissingAccessToken),
            Some(Loose::Str(token)) if token.is_empty() => return Err(ProtocolErrorKind::EmptyAccessToken),
            Some(Loose::Str(token)) => {
                // RFC 6750 §2.1's b64token is narrower; any visible ASCII is accepted so that
                // every token a server issues can still travel in a header.
                // `fold` rather than `all`: with no early exit the loop vectorises, and a
                // JWT is ~1 KB (byte at a time, this check cost more than the JSON parse).
                if !token.bytes().fold(true, |ok, b| ok & b.is_ascii_graphic()) {
                    return Err(ProtocolErrorKind::AccessTokenCharacters);
                }
                AccessToken::from_borrowed(&token)
            }
            Some(other) => return Err(ProtocolErrorKind::AccessTokenNotString { found: other.kind() }),
        };
        let token_type = match optional(self.token_type, "token_type", quirks)? {
            // Empty says no more than absent does.
            Some(name) if name.is_empty() && quirks.missing_token_type_is_bearer => TokenType::Bearer,
            Some(name) => match TokenType::from_name(&name) {
                TokenType::Other(name) if !quirks.accept_unknown_token_type => {
                    return Err(ProtocolErrorKind::UnsupportedTokenType { token_type: name });
                }
                token_type => token_type,
            },
            None if quirks.missing_token_type_is_bearer => TokenType::Bearer,
            None => return Err(ProtocolErrorKind::MissingTokenType),
        };
        let expires_in = match self.expires_in {
            None => None,
            Some(raw) => {
                expires_in_secs(&raw, quirks).map_err(|problem| ProtocolErrorKind::InvalidExpiresIn { problem })?
            }
        };
        let lifetime = match expires_in {
            Some(ExpiresIn::Secs(secs)) if secs > 0 => Some(Duration::from_secs(secs)),
            // A positive lifetime under a second: due at once, not "no expiry".
            Some(ExpiresIn::Due) => Some(Duration::ZERO),
            _ => quirks.default_lifetime,
        };
        let refresh_token = optional(self.refresh_token, "refresh_token", quirks)?
            .filter(|t| !t.is_empty())
            .map(|t| RefreshToken::from_borrowed(&t));
        let id_token = optional(self.id_token, "id_token", quirks)?.map(|t| IdToken::from_borrowed(&t));
        let scope = match self.scope {
            None => None,
            Some(Loose::Str(s)) => Some(Scope::from_server_text(&s)),
            Some(Loose::StrArray(items)) if quirks.scope_as_array => {
                Some(Scope::from_server(items.iter().map(|s| &**s)))
            }
            Some(Loose::Other(JsonKind::Null)) if quirks.null_as_absent => None,
            Some(other) => return Err(ProtocolErrorKind::FieldType { field: "scope", found: other.kind() }),
        };
        let mut token = Token::bearer(access_token);
        token.token_type = token_type;
        if let Some(lifetime) = lifetime {
            token.lifetime = Some(lifetime);
            token.expires_at = Some(
                sent_at
                    .checked_add(lifetime)
                    .ok_or(ProtocolErrorKind::InvalidExpiresIn { problem: ExpiresInProblem::TooLarge })?,
            );
        }
        token.refresh_token = refresh_token;
        token.scope = scope;
        token.id_token = id_token;
        token.extras = Extras::from_map(self.extras);
        Ok(token)
    }
}

/// An optional string field: absent, `null` where the profile allows it, or a string.
fn optional<'a>(
    value: Option<Loose<'a>>,
    field: &'static str,
    quirks: &Quirks,
) -> Result<Option<Cow<'a, str>>, ProtocolErrorKind> {
    match value {
        None => Ok(None),
        Some(Loose::Str(s)) => Ok(Some(s)),
        Some(Loose::Other(JsonKind::Null)) if quirks.null_as_absent => Ok(None),
        Some(other) => Err(ProtocolErrorKind::FieldType { field, found: other.kind() }),
    }
}

// ----- the visitor -----

/// A map key, borrowed from the body unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Loose<'de>, E> {
        Ok(Loose::Other(JsonKind::Bool))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Loose<'de>, E> {
        Ok(Loose::Other(JsonKind::Number))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Loose<'de>, E> {
        Ok(Loose::Other(JsonKind::Number))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Loose<'de>, E> {
        Ok(Loose::Other(JsonKind::Number))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Other(JsonKind::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Other(JsonKind::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
        let mut items = Vec::new();
        let mut all_strings = true;
        while let Some(item) = seq.next_element::<Loose<'de>>()? {
            match item {
                Loose::Str(s) if all_strings => items.push(s),
                _ => all_strings = false,
            }
        }
        Ok(if all_strings { Loose::StrArray(items) } else { Loose::Other(JsonKind::Array) })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Other(JsonKind::Object))
    }
}

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = RawFields<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields<'de>, A::Error> {
        let mut fields = RawFields::default();
        while let Some(Key(name)) = map.next_key::<Key<'de>>()? {
            if name == "expires_in" {
                let raw: &'de RawValue = map.next_value()?;
                fields.set_expires_in(ExpiresRaw::Json(raw.get()));
            } else if fields.slot(&name).is_some() {
                let value: Loose<'de> = map.next_value()?;
                fields.set(name, value);
            } else {
                let value: serde_json::Value = map.next_value()?;
                fields.extras.insert(name.into_owned(), value);
            }
        }
        Ok(fields)
    }
}
