//! `mtls_endpoint_aliases` (RFC 8705 §5): the endpoints a client that authenticates with a TLS
//! certificate, or holds certificate-bound tokens, must use instead of the usual ones — often a
//! host of their own where the server asks for the certificate.

use super::*;

/// The endpoints RFC 8705 §5 lets a server alias that this crate has a use for, each with its
/// name in an error.
const ALIASED: [(&str, &str); 5] = [
    ("token_endpoint", "mtls_endpoint_aliases.token_endpoint"),
    ("revocation_endpoint", "mtls_endpoint_aliases.revocation_endpoint"),
    ("introspection_endpoint", "mtls_endpoint_aliases.introspection_endpoint"),
    ("device_authorization_endpoint", "mtls_endpoint_aliases.device_authorization_endpoint"),
    ("userinfo_endpoint", "mtls_endpoint_aliases.userinfo_endpoint"),
];

/// The member's name in a metadata document.
pub(super) const MEMBER: &str = "mtls_endpoint_aliases";

/// The aliases a document declares, each URL checked like every endpoint. Members this crate
/// has no use for are ignored.
#[derive(Debug, Clone, Default)]
pub(super) struct MtlsAliases {
    aliases: Vec<(&'static str, EndpointUrl)>,
}

impl MtlsAliases {
    /// Reads the member's value: an object of endpoint names to URLs.
    pub(super) fn read(value: &Value, allows_http: bool) -> Result<Self, DiscoveryError> {
        let Value::Object(members) = value else {
            return Err(DiscoveryError::FieldType { field: MEMBER, expected: "an object of URLs", found: kind(value) });
        };
        let mut aliases = Vec::new();
        for (endpoint, field) in ALIASED {
            match members.get(endpoint) {
                None | Some(Value::Null) => {}
                Some(Value::String(url)) => {
                    let url =
                        check_url(url, allows_http).map_err(|error| super::metadata::endpoint_error(field, error))?;
                    aliases.push((endpoint, url));
                }
                Some(other) => {
                    return Err(DiscoveryError::FieldType { field, expected: "a URL string", found: kind(other) });
                }
            }
        }
        Ok(Self { aliases })
    }

    /// The alias of `endpoint` (its RFC 8414 name, `token_endpoint`, …), if declared.
    pub(super) fn get(&self, endpoint: &str) -> Option<&EndpointUrl> {
        self.aliases.iter().find(|(name, _)| *name == endpoint).map(|(_, url)| url)
    }
}
