//! Reading an introspection answer (RFC 7662 §2.2): `active`, the members the RFC names, the rest
//! kept.

use super::*;
use crate::body_problem::check_json_success;
use crate::json_object::{json_object, kind};

/// Reads an introspection endpoint's answer (RFC 7662 §2.2, §2.3) with the given quirks alone.
/// For an introspection you sent, use [`PendingIntrospection::finish`], which also scrubs the
/// request's credentials from an error; this function is for an answer with only a [`Quirks`]
/// at hand (a recorded answer, a fixture).
///
/// A 4xx or 5xx, or a 2xx carrying an `error` member, is an [`IntrospectionError::Server`]. A
/// success is a JSON object with a boolean `active`. When `active` is `false` nothing else is
/// read: RFC 7662 §2.2 asks servers to say nothing more about an inactive token, so anything they
/// do say is neither kept nor an error. When it is `true`, every member the RFC names is checked
/// and kept in its slot, and every other member in [`Introspection::extras`].
///
/// The switches that apply, from [`Quirks`]: `any_success_status` (any 2xx, not only 200),
/// `json_any_content_type` (JSON whatever the label), `null_as_absent`, `scope_as_array`, and for
/// `exp`, `iat` and `nbf` the ones `expires_in` is read under — `expires_in_as_string` (a numeric
/// string) and `expires_in_fraction` (a fraction, floored); `max_body_bytes` caps the body.
///
/// # Errors
/// [`IntrospectionError::Server`] for an error answer; [`IntrospectionError::Invalid`] for a
/// success that is not a usable introspection answer. Never panics, whatever the bytes.
///
/// # Examples
/// ```
/// use oauth_core::Quirks;
/// use oauth_core::introspection::parse_response;
/// let inactive = http::Response::builder()
///     .header("content-type", "application/json")
///     .body(r#"{"active":false}"#)?;
/// assert!(!parse_response(&Quirks::lenient(), &inactive)?.is_active());
///
/// let numeric_string = http::Response::builder()
///     .header("content-type", "application/json")
///     .body(r#"{"active":true,"exp":"1419356238"}"#)?;
/// assert_eq!(parse_response(&Quirks::lenient(), &numeric_string)?.exp(), Some(1_419_356_238));
/// assert!(parse_response(&Quirks::strict(), &numeric_string).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_response<B: AsRef<[u8]>>(
    quirks: &Quirks,
    response: &Response<B>,
) -> Result<Introspection, IntrospectionError> {
    parse(quirks, response, None)
}

/// [`parse_response`], scrubbing `echoes` from an error when given.
pub(super) fn parse<B: AsRef<[u8]>>(
    quirks: &Quirks,
    response: &Response<B>,
    echoes: Option<&Echoes>,
) -> Result<Introspection, IntrospectionError> {
    let (status, headers, body) = (response.status(), response.headers(), response.body().as_ref());
    let too_large = body.len() > quirks.max_body_bytes;
    let invalid = |problem| {
        // A body over the cap is not read, not even for the excerpt.
        let kept = if too_large { &[][..] } else { body };
        IntrospectionError::Invalid(Box::new(InvalidIntrospection {
            problem,
            status,
            content_type: headers.get(CONTENT_TYPE).cloned(),
            retry_after: crate::error_body::retry_after(headers),
            body: echoes.map_or_else(|| BodyExcerpt::new(kept), |echoes| echoes.excerpt(kept)),
        }))
    };
    if let Some(error) = crate::parse_error_response(quirks, response) {
        let error = match echoes {
            Some(echoes) => echoes.scrub(error),
            None => Box::new(error),
        };
        return Err(IntrospectionError::Server(error));
    }
    let body_problem = |problem| invalid(IntrospectionProblem::Body(problem));
    check_json_success(quirks, status, headers, body).map_err(body_problem)?;
    let members = json_object(body).map_err(|problem| body_problem(problem.into()))?;
    Introspection::from_members(quirks, members).map_err(invalid)
}

/// What the server knows of a token (RFC 7662 §2.2).
///
/// Times are seconds since the Unix epoch, as sent; [`expires_at`](Self::expires_at) and its
/// kin turn them into [`SystemTime`]s, and [`is_active_at`](Self::is_active_at) compares them
/// with a `now` the caller reads. `Debug` names the extra members without their values: an
/// unknown member may hold anything.
///
/// # Examples
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use oauth_core::Quirks;
/// use oauth_core::introspection::parse_response;
/// let answer = http::Response::builder()
///     .header("content-type", "application/json")
///     .body(r#"{"active":true,"aud":["api-1","api-2"],"exp":1419356238,"nbf":1419350238}"#)?;
/// let introspection = parse_response(&Quirks::lenient(), &answer)?;
/// assert!(introspection.is_for_audience("api-2"));
/// assert_eq!(introspection.expires_at(), Some(UNIX_EPOCH + Duration::from_secs(1_419_356_238)));
/// assert!(introspection.is_active_at(UNIX_EPOCH + Duration::from_secs(1_419_350_238)));
/// assert!(!introspection.is_active_at(UNIX_EPOCH + Duration::from_secs(1_419_356_238)));
/// assert!(!introspection.is_active_at(UNIX_EPOCH + Duration::from_secs(1_419_350_237)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct Introspection {
    active: bool,
    scope: Option<Scope>,
    client_id: Option<Box<str>>,
    username: Option<Box<str>>,
    token_type: Option<TokenType>,
    exp: Option<u64>,
    iat: Option<u64>,
    nbf: Option<u64>,
    sub: Option<Box<str>>,
    aud: Vec<Box<str>>,
    iss: Option<Box<str>>,
    jti: Option<Box<str>>,
    extras: Extras,
}

impl Introspection {
    /// The answer for an inactive token: `active` false, nothing else.
    #[must_use]
    pub fn inactive() -> Self {
        Self::default()
    }

    /// `active`: whether the token is currently active. An inactive token may be expired,
    /// revoked, unknown to the server, or one this caller may not introspect — the server
    /// does not say which.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Whether the token is active at `now`: `active`, not expired (`exp` after `now`) and not
    /// before its time (`nbf` at or before `now`). `now` is the caller's wall clock.
    #[must_use]
    pub fn is_active_at(&self, now: SystemTime) -> bool {
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
        self.active && self.exp.is_none_or(|exp| now < exp) && self.nbf.is_none_or(|nbf| nbf <= now)
    }

    /// `scope`: the scopes associated with the token.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// `client_id`: the client the token was issued to.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// `username`: a human-readable identifier of the resource owner.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// `token_type`: the type of the token (RFC 6749 §7.1).
    #[must_use]
    pub fn token_type(&self) -> Option<&TokenType> {
        self.token_type.as_ref()
    }

    /// `exp`: when the token expires, in seconds since the Unix epoch.
    #[must_use]
    pub fn exp(&self) -> Option<u64> {
        self.exp
    }

    /// `exp` as a [`SystemTime`]; `None` when absent or beyond what `SystemTime` holds.
    #[must_use]
    pub fn expires_at(&self) -> Option<SystemTime> {
        epoch_time(self.exp)
    }

    /// `iat`: when the token was issued, in seconds since the Unix epoch.
    #[must_use]
    pub fn iat(&self) -> Option<u64> {
        self.iat
    }

    /// `iat` as a [`SystemTime`]; `None` when absent or beyond what `SystemTime` holds.
    #[must_use]
    pub fn issued_at(&self) -> Option<SystemTime> {
        epoch_time(self.iat)
    }

    /// `nbf`: when the token becomes usable, in seconds since the Unix epoch.
    #[must_use]
    pub fn nbf(&self) -> Option<u64> {
        self.nbf
    }

    /// `nbf` as a [`SystemTime`]; `None` when absent or beyond what `SystemTime` holds.
    #[must_use]
    pub fn not_before(&self) -> Option<SystemTime> {
        epoch_time(self.nbf)
    }

    /// `sub`: the subject of the token, usually a machine-readable id of the resource owner.
    #[must_use]
    pub fn sub(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// `aud`: the audiences the token is meant for, whether sent as one string or an array.
    pub fn aud(&self) -> impl Iterator<Item = &str> {
        self.aud.iter().map(|audience| &**audience)
    }

    /// Whether `audience` is one of [`aud`](Self::aud) (compared exactly).
    #[must_use]
    pub fn is_for_audience(&self, audience: &str) -> bool {
        self.aud().any(|aud| aud == audience)
    }

    /// `iss`: the issuer of the token.
    #[must_use]
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }

    /// `jti`: the token's identifier.
    #[must_use]
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// Every other member of the answer (`extension_field`, vendor members), as JSON values.
    #[must_use]
    pub fn extras(&self) -> &Extras {
        &self.extras
    }

    fn from_members(quirks: &Quirks, members: Vec<(String, Value)>) -> Result<Self, IntrospectionProblem> {
        let mut seen: Vec<&'static str> = Vec::new();
        let mut active = None;
        for (_, value) in members.iter().filter(|(name, _)| name == "active") {
            if active.replace(value).is_some() {
                return Err(IntrospectionProblem::DuplicateField { field: "active".into() });
            }
        }
        let active = match active.filter(|value| !(value.is_null() && quirks.null_as_absent)) {
            None => return Err(IntrospectionProblem::MissingActive),
            Some(Value::Bool(active)) => *active,
            Some(other) => {
                return Err(IntrospectionProblem::FieldType {
                    field: "active",
                    expected: "a boolean",
                    found: kind(other),
                });
            }
        };
        let mut introspection = Self { active, ..Self::default() };
        if !active {
            return Ok(introspection);
        }
        let mut extras = serde_json::Map::new();
        for (name, value) in members {
            let Some(field) = FIELDS.iter().copied().find(|field| *field == name) else {
                extras.insert(name, value);
                continue;
            };
            if seen.contains(&field) {
                return Err(IntrospectionProblem::DuplicateField { field: field.into() });
            }
            seen.push(field);
            if field == "active" || (value.is_null() && quirks.null_as_absent) {
                continue;
            }
            introspection.set(quirks, field, value)?;
        }
        introspection.extras = Extras::from_map(extras);
        Ok(introspection)
    }

    fn set(&mut self, quirks: &Quirks, field: &'static str, value: Value) -> Result<(), IntrospectionProblem> {
        let wrong = |expected, value: &Value| IntrospectionProblem::FieldType { field, expected, found: kind(value) };
        match field {
            "scope" => {
                self.scope = Some(match &value {
                    Value::String(scope) => Scope::from_server_text(scope),
                    Value::Array(items) if quirks.scope_as_array => {
                        let tokens = strings(items).ok_or_else(|| wrong("a string", &value))?;
                        Scope::from_server(tokens)
                    }
                    _ => return Err(wrong("a string", &value)),
                });
            }
            "aud" => {
                self.aud = match &value {
                    Value::String(audience) => vec![audience.as_str().into()],
                    Value::Array(items) => strings(items)
                        .ok_or_else(|| wrong("a string or an array of strings", &value))?
                        .map(Into::into)
                        .collect(),
                    _ => return Err(wrong("a string or an array of strings", &value)),
                };
            }
            "exp" | "iat" | "nbf" => {
                let secs = epoch_secs(&value, quirks)
                    .map_err(|problem| IntrospectionProblem::InvalidTime { field, problem })?;
                *match field {
                    "exp" => &mut self.exp,
                    "iat" => &mut self.iat,
                    _ => &mut self.nbf,
                } = Some(secs);
            }
            _ => {
                let Value::String(text) = value else { return Err(wrong("a string", &value)) };
                match field {
                    "token_type" => self.token_type = Some(TokenType::from_name(&text)),
                    "client_id" => self.client_id = Some(text.into()),
                    "username" => self.username = Some(text.into()),
                    "sub" => self.sub = Some(text.into()),
                    "iss" => self.iss = Some(text.into()),
                    _ => self.jti = Some(text.into()),
                }
            }
        }
        Ok(())
    }
}

/// The members RFC 7662 §2.2 names, each read into its own slot.
const FIELDS: [&str; 12] =
    ["active", "scope", "client_id", "username", "token_type", "exp", "iat", "nbf", "sub", "aud", "iss", "jti"];

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("active", &self.active)
            .field("scope", &self.scope)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("token_type", &self.token_type)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("nbf", &self.nbf)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("iss", &self.iss)
            .field("jti", &self.jti)
            .field("extras", &self.extras)
            .finish()
    }
}

fn epoch_time(secs: Option<u64>) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(secs?))
}

/// Every item of `items` as a string, or `None` when one is not.
fn strings(items: &[Value]) -> Option<impl Iterator<Item = &str> + Clone> {
    items.iter().all(Value::is_string).then(|| items.iter().filter_map(Value::as_str))
}

/// A time in seconds since the epoch, read as `expires_in` is: a non-negative JSON number (a
/// fraction floored where the profile allows it), or a numeric string where it allows that.
fn epoch_secs(value: &Value, quirks: &Quirks) -> Result<u64, ExpiresInProblem> {
    let text: Cow<'_, str> = match value {
        Value::Number(number) => {
            if let Some(secs) = number.as_u64() {
                return Ok(secs);
            }
            Cow::Owned(number.to_string())
        }
        Value::String(text) if quirks.expires_in_as_string => Cow::Borrowed(text.trim()),
        Value::String(_) => return Err(ExpiresInProblem::StringNotAllowed),
        Value::Null => return Err(ExpiresInProblem::Null),
        _ => return Err(ExpiresInProblem::NotNumeric),
    };
    let digits = text.strip_prefix('+').unwrap_or(&text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: more than u64 holds is absurdly far, not malformed.
        return Ok(digits.parse::<u64>().unwrap_or(u64::MAX));
    }
    let numeric = digits.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'-')
        && digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    let number: f64 = if numeric {
        digits.parse().map_err(|_| ExpiresInProblem::NotNumeric)?
    } else {
        return Err(ExpiresInProblem::NotNumeric);
    };
    if number < 0.0 {
        return Err(ExpiresInProblem::Negative);
    }
    if !number.is_finite() {
        return Err(ExpiresInProblem::TooLarge);
    }
    if number.fract() != 0.0 && !quirks.expires_in_fraction {
        return Err(ExpiresInProblem::FractionNotAllowed);
    }
    if number >= u64::MAX as f64 {
        return Ok(u64::MAX);
    }
    // Invariant: finite, non-negative and below u64::MAX, so the floored cast cannot wrap.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(number.floor() as u64)
}
