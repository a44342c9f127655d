//! `oauth revoke` and `oauth introspect`: a token (from `OAUTH_TOKEN` or `--token-file`, never
//! the command line) sent to the revocation (RFC 7009) or introspection (RFC 7662) endpoint,
//! with the client's authentication; the endpoint from a flag or from `--issuer` discovery.

use std::time::SystemTime;

use oauth_core::introspection::{Introspection, IntrospectionRequest};
use oauth_core::revocation::{RevocationRequest, TokenTypeHint};
use oauth_core::{EndpointUrl, SecretParam};
use oauth_token_source::Transport;
use serde_json::json;

use crate::cli::{TokenAdminArgs, TokenHint};
use crate::failure::{Chain, Failure};

/// Which endpoint a command talks to.
#[derive(Clone, Copy)]
pub(crate) enum Action {
    Revoke,
    Introspect,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::Revoke => "revoke",
            Self::Introspect => "introspect",
        }
    }
}

pub(crate) async fn run(action: Action, args: &TokenAdminArgs) -> Result<String, Failure> {
    let flags = &args.connection;
    let crate::client::Prepared { auth, transport } = crate::client::prepare(flags, action.name())?;
    let endpoint = endpoint(action, args, &transport, auth.presents_certificate()).await?;
    let token = SecretParam::new(crate::client::token_input(args.token_file.as_deref())?);
    let hint = args.hint.map(|hint| match hint {
        TokenHint::AccessToken => TokenTypeHint::AccessToken,
        TokenHint::RefreshToken => TokenTypeHint::RefreshToken,
    });
    let shown = crate::trace::shown_uri(endpoint.uri());
    match action {
        Action::Revoke => {
            let mut request = RevocationRequest::new(token);
            if let Some(hint) = hint {
                request = request.with_hint(hint);
            }
            let (http_request, pending) =
                request.build_request_at(&endpoint, &auth, SystemTime::now(), crate::client::assertion_entropy()?);
            let response = transport.send(http_request).await.map_err(|e| Failure::transport(&e, &shown))?;
            pending.finish(&response).map_err(|e| Failure::refused(format!("{shown} refused: {}", Chain(&e))))?;
            crate::trace::note("revoked");
            Ok(String::new())
        }
        Action::Introspect => {
            let mut request = IntrospectionRequest::new(token);
            if let Some(hint) = hint {
                request = request.with_hint(hint);
            }
            let (http_request, pending) =
                request.build_request_at(&endpoint, &auth, SystemTime::now(), crate::client::assertion_entropy()?);
            let response = transport.send(http_request).await.map_err(|e| Failure::transport(&e, &shown))?;
            let answer =
                pending.finish(&response).map_err(|e| Failure::refused(format!("{shown} refused: {}", Chain(&e))))?;
            let mut text =
                serde_json::to_string_pretty(&summary(&answer)).map_err(|e| Failure::network(e.to_string()))?;
            text.push('\n');
            Ok(text)
        }
    }
}

/// The `--endpoint`, or the issuer's (its mutual-TLS alias for a client that presents a
/// certificate), discovered through `transport`.
async fn endpoint(
    action: Action,
    args: &TokenAdminArgs,
    transport: &crate::trace::Traced<oauth_reqwest::ReqwestTransport>,
    presents_certificate: bool,
) -> Result<EndpointUrl, Failure> {
    let flags = &args.connection;
    if let Some(url) = &args.endpoint {
        return crate::client::endpoint(url, "--endpoint", flags);
    }
    let Some(issuer) = &flags.issuer else {
        return Err(Failure::usage(format!("{} needs --endpoint URL or --issuer ISSUER", action.name())));
    };
    let metadata = crate::client::discover(issuer, flags.allow_http, transport).await?;
    let found = match action {
        Action::Revoke => metadata.endpoint_for("revocation_endpoint", presents_certificate),
        Action::Introspect => metadata.endpoint_for("introspection_endpoint", presents_certificate),
    };
    found.cloned().ok_or_else(|| Failure::refused(format!("{issuer} publishes no {} endpoint", action.name())))
}

/// The answer as JSON: what RFC 7662 names, only the members the server sent, times as seconds
/// since the epoch.
fn summary(answer: &Introspection) -> serde_json::Value {
    let mut doc = serde_json::Map::new();
    doc.insert("active".into(), json!(answer.is_active()));
    if !answer.is_active() {
        return serde_json::Value::Object(doc);
    }
    let mut put = |name: &str, value: Option<serde_json::Value>| {
        if let Some(value) = value {
            doc.insert(name.into(), value);
        }
    };
    put("scope", answer.scope().map(|s| json!(s.as_str())));
    put("client_id", answer.client_id().map(|v| json!(v)));
    put("username", answer.username().map(|v| json!(v)));
    put("token_type", answer.token_type().map(|t| json!(t.as_str())));
    put("exp", answer.exp().map(|v| json!(v)));
    put("iat", answer.iat().map(|v| json!(v)));
    put("nbf", answer.nbf().map(|v| json!(v)));
    put("sub", answer.sub().map(|v| json!(v)));
    let audience: Vec<&str> = answer.aud().collect();
    put("aud", (!audience.is_empty()).then(|| json!(audience)));
    put("iss", answer.iss().map(|v| json!(v)));
    serde_json::Value::Object(doc)
}
