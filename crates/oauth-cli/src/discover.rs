//! `oauth discover ISSUER`: what an authorization server says about itself (RFC 8414 or
//! OpenID Connect Discovery), its `issuer` checked, printed as JSON.

use oauth_core::discovery::{ServerMetadata, Supported};
use serde_json::{Value, json};

use crate::cli::Connection;
use crate::failure::Failure;

pub(crate) async fn run(issuer: &str, flags: &Connection) -> Result<String, Failure> {
    let tls = crate::client::tls_settings(flags)?;
    let transport = crate::client::transport(&tls, flags.timeout, flags.verbose)?;
    let metadata = crate::client::discover(issuer, flags.allow_http, &transport).await?;
    let mut text = serde_json::to_string_pretty(&summary(&metadata)).map_err(|e| Failure::network(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

fn summary(m: &ServerMetadata) -> Value {
    let url = |u: Option<&oauth_core::EndpointUrl>| u.map(ToString::to_string);
    fn list(supported: &Supported) -> Vec<&str> {
        supported.iter().collect()
    }
    let aliased = [
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "device_authorization_endpoint",
        "userinfo_endpoint",
    ];
    let aliases: serde_json::Map<String, Value> = aliased
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), Value::String(m.mtls_endpoint_alias(name)?.to_string()))))
        .collect();
    json!({
        "issuer": m.issuer().as_str(),
        "authorization_endpoint": url(m.authorization_endpoint()),
        "token_endpoint": url(m.token_endpoint()),
        "device_authorization_endpoint": url(m.device_authorization_endpoint()),
        "revocation_endpoint": url(m.revocation_endpoint()),
        "introspection_endpoint": url(m.introspection_endpoint()),
        "userinfo_endpoint": url(m.userinfo_endpoint()),
        "jwks_uri": url(m.jwks_uri()),
        "grant_types_supported": list(m.grant_types_supported()),
        "token_endpoint_auth_methods_supported": list(m.token_endpoint_auth_methods_supported()),
        "code_challenge_methods_supported": list(m.code_challenge_methods_supported()),
        "scopes_supported": m.scopes_supported().map(|s| s.iter().collect::<Vec<_>>()),
        "authorization_response_iss_parameter_supported": m.authorization_response_iss_parameter_supported(),
        "mtls_endpoint_aliases": (!aliases.is_empty()).then_some(aliases),
    })
}
