//! Reading a body that must be one JSON object, members in order and repeats kept — for the
//! readers of device authorization and introspection answers and metadata documents, which
//! refuse a repeated member.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::JsonKind;
use crate::media::json_kind_of;

/// Why a body is not a JSON object.
pub(crate) enum ObjectProblem {
    Empty,
    InvalidUtf8,
    NotJson(Box<str>),
    NotAnObject(JsonKind),
}

/// The members of a JSON object body, in order, repeats kept (for the caller to refuse).
pub(crate) fn json_object(body: &[u8]) -> Result<Vec<(String, Value)>, ObjectProblem> {
    read_object::<Members>(body).map(|members| members.0)
}

/// `body` read as one JSON object by `T` (a deserializer of an object that keeps the members as
/// its reader needs them), or why it is not one: not UTF-8, empty, not JSON, or JSON of
/// another type.
pub(crate) fn read_object<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ObjectProblem> {
    let text = std::str::from_utf8(body).map_err(|_| ObjectProblem::InvalidUtf8)?;
    let not_json = |error: serde_json::Error| ObjectProblem::NotJson(error.to_string().into());
    match text.trim_start().as_bytes().first() {
        None => Err(ObjectProblem::Empty),
        Some(b'{') => serde_json::from_str::<T>(text).map_err(not_json),
        Some(&first) => match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Err(ObjectProblem::NotAnObject(json_kind_of(first))),
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
