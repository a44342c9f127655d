//! An emulator's answer before it becomes a wiremock `ResponseTemplate`.

use std::time::Duration;

use http::StatusCode;
use wiremock::ResponseTemplate;

/// A status, headers, a body and an optional delay.
#[derive(Debug)]
pub(crate) struct Reply {
    status: StatusCode,
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    delay: Option<Duration>,
}

impl Reply {
    /// A status with no body.
    pub(crate) fn empty(status: StatusCode) -> Self {
        Self { status, content_type: None, headers: Vec::new(), body: Vec::new(), delay: None }
    }

    /// A JSON body.
    pub(crate) fn json(status: StatusCode, body: &serde_json::Value) -> Self {
        Self::raw(status, "application/json", body.to_string().into_bytes())
    }

    /// A `text/plain` body.
    pub(crate) fn text(status: StatusCode, body: &str) -> Self {
        Self::raw(status, "text/plain", body.as_bytes().to_vec())
    }

    /// A body with its media type.
    pub(crate) fn raw(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { content_type: Some(content_type), body, ..Self::empty(status) }
    }

    /// Adds a header (values are this crate's own or checked by `Fault::check`).
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// `Cache-Control: no-store` and `Pragma: no-cache`, as RFC 6749 §5.1 asks of token answers.
    pub(crate) fn no_store(self) -> Self {
        self.header("cache-control", "no-store").header("pragma", "no-cache")
    }

    /// Sends the answer after `delay`.
    pub(crate) fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Pads the body to `len` bytes: a `"padding"` member inside a JSON object, else spaces.
    pub(crate) fn padded_to(mut self, len: usize) -> Self {
        const MEMBER: &[u8] = b",\"padding\":\"\"}";
        let is_object = self.body.len() > 2 && self.body.starts_with(b"{") && self.body.ends_with(b"}");
        if is_object && len >= self.body.len() - 1 + MEMBER.len() {
            let fill = len - (self.body.len() - 1 + MEMBER.len());
            self.body.pop();
            self.body.extend_from_slice(&MEMBER[..MEMBER.len() - 2]);
            self.body.resize(self.body.len() + fill, b'x');
            self.body.extend_from_slice(b"\"}");
        } else if len > self.body.len() {
            self.body.resize(len, b' ');
        }
        self
    }

    /// The wiremock template.
    /// A JSON object body with members renamed (`(from, to)`); any other body as it is.
    pub(crate) fn renamed_fields(mut self, names: &[(&str, &str)]) -> Self {
        if let Ok(serde_json::Value::Object(mut members)) = serde_json::from_slice(&self.body) {
            for (from, to) in names {
                if let Some(value) = members.remove(*from) {
                    members.insert((*to).to_owned(), value);
                }
            }
            self.body = serde_json::Value::Object(members).to_string().into_bytes();
        }
        self
    }

    pub(crate) fn into_template(self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        template = match self.content_type {
            Some(media) => template.set_body_raw(self.body, media),
            None if self.body.is_empty() => template,
            None => template.set_body_bytes(self.body),
        };
        for (name, value) in self.headers {
            template = template.append_header(name, value);
        }
        match self.delay {
            Some(delay) => template.set_delay(delay),
            None => template,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_reaches_the_exact_length_and_stays_json() {
        for len in [40, 41, 1000] {
            let reply = Reply::json(StatusCode::OK, &serde_json::json!({"access_token": "t"})).padded_to(len);
            assert_eq!(reply.body.len(), len);
            let value: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            assert_eq!(value["access_token"], "t");
        }
        let short = Reply::json(StatusCode::OK, &serde_json::json!({"access_token": "t"})).padded_to(5);
        assert_eq!(short.body, br#"{"access_token":"t"}"#);
        assert_eq!(Reply::empty(StatusCode::UNAUTHORIZED).padded_to(3).body, b"   ");
    }
}
