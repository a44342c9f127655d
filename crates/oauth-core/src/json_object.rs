//! Reading a body that must be one JSON object, members in order and repeats kept — for the
//! readers of introspection answers and metadata documents, which refuse a repeated member.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::JsonKind;

/// Why a body is not a JSON object.
pub(crate) enum ObjectProblem {
    Empty,
    InvalidUtf8,
    NotJson(Box<str>),
    NotAnObject(JsonKind),
}

/// The members of a JSON object body, in order, repeats kept (for the caller to refuse).
pub(crate) fn json_object(body: &[u8]) -> Result<Vec<(String, Value)>, ObjectProblem> {
    let text = std::str::from_utf8(body).map_err(|_| ObjectProblem::InvalidUtf8)?;
    let not_json = |error: serde_json::Error| ObjectProblem::NotJson(error.to_string().into());
    match text.trim_start().as_bytes().first() {
        None => Err(ObjectProblem::Empty),
        Some(b'{') => serde_json::from_str::<Members>(text).map(|members| members.0).map_err(not_json),
        Some(&first) => match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Err(ObjectProblem::NotAnObject(match first {
                b'[' => JsonKind::Array,
                b'"' => JsonKind::String,
                b't' | b'f' => JsonKind::Bool,
                b'n' => JsonKind::Null,
                _ => JsonKind::Number,
            })),
            Err(error) => Err(not_json(error)),
        },
    }
}

/// The JSON type of `value`.
pub(crate) fn kind(value: &Value) -> JsonKind {
    match value {
        Value::Null => JsonKind::Null,
        Value::Bool(_) => JsonKind::Bool,
        Value::Number(_) => JsonKind::Number,
        Value::String(_) => JsonKind::String,
        Value::Array(_) => JsonKind::Array,
        Value::Object(_) => JsonKind::Object,
    }
}

/// A JSON object's members in order, a repeated name kept each time.
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}
