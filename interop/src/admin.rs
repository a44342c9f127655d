//! The servers' side doors (`/admin/…`), reached with a plain reqwest client outside the adapters
//! under test: what the token endpoint saw (and the revocation and introspection endpoints), and
//! revoking every token.

use std::fmt;

use serde_json::Value;

/// One token request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// `client_secret_basic`, `client_secret_post`, `none` or `other`; from oidc-provider also
    /// `client_secret_jwt`, `private_key_jwt`, `tls_client_auth`, `self_signed_tls_client_auth`.
    pub(crate) method: String,
    pub(crate) grant_type: String,
    pub(crate) status: u16,
    pub(crate) error: Option<String>,
    /// What oidc-provider alone logs: the client assertion's header, the TLS connection, and
    /// which method authenticated the client (on a 200). Empty for the other servers.
    pub(crate) detail: SeenDetail,
}

/// The client-authentication details oidc-provider's token log adds to a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SeenDetail {
    /// The client assertion's JOSE `alg` and `kid`, when the request carried one.
    pub(crate) assertion: Option<(String, Option<String>)>,
    /// Whether the request came over the HTTPS listener.
    pub(crate) tls: bool,
    /// The client certificate presented on the connection, if any.
    pub(crate) certificate: Option<CertificateSeen>,
    /// The method that authenticated the client, when the answer was 200.
    pub(crate) authenticated_by: Option<String>,
}

/// A client certificate as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateSeen {
    /// Its subject DN, RFC 4514 style (`CN=…,O=…`).
    pub(crate) subject: String,
    /// Whether its chain verified against the server's CA.
    pub(crate) authorized: bool,
    /// Its SHA-256 thumbprint, base64url (RFC 8705 `x5t#S256`).
    pub(crate) thumbprint: String,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} → {}", self.grant_type, self.method, self.status)?;
        if let Some(error) = &self.error {
            write!(f, " {error}")?;
        }
        Ok(())
    }
}

/// oidc-provider's client-authentication details of a token log entry (absent elsewhere).
fn detail(entry: &Value) -> SeenDetail {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let assertion = &entry["assertion"];
    let certificate = &entry["client_certificate"];
    SeenDetail {
        assertion: assertion
            .is_object()
            .then(|| (text(&assertion["alg"]).unwrap_or_default(), text(&assertion["kid"]))),
        tls: entry["tls"].as_bool().unwrap_or_default(),
        certificate: certificate.is_object().then(|| CertificateSeen {
            subject: text(&certificate["subject"]).unwrap_or_default(),
            authorized: certificate["authorized"].as_bool().unwrap_or_default(),
            thumbprint: text(&certificate["x5t#S256"]).unwrap_or_default(),
        }),
        authenticated_by: text(&entry["authenticated_by"]),
    }
}

/// One revocation or introspection request as the server saw it (`GET /admin/endpoint-log`,
/// oidc-provider's and Authlib's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndpointSeen {
    /// `revocation` or `introspection`.
    pub(crate) endpoint: String,
    /// The client authentication the request carried, as the token log names it.
    pub(crate) method: String,
    /// The client assertion's `alg`, `kid` and `aud`, when the request carried one.
    pub(crate) assertion: Option<AssertionSeen>,
    pub(crate) status: u16,
    pub(crate) error: Option<String>,
    /// The method that authenticated the client, when one did.
    pub(crate) authenticated_by: Option<String>,
}

/// What a server logs of a client assertion: its header's `alg` and `kid`, and its `aud`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssertionSeen {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
    /// As sent (several audiences joined with a space).
    pub(crate) aud: Option<String>,
}

impl EndpointSeen {
    fn read(entry: &Value) -> Self {
        let text = |value: &Value| value.as_str().map(str::to_owned);
        let assertion = &entry["assertion"];
        let aud = match &assertion["aud"] {
            Value::Array(all) => Some(all.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ")),
            other => text(other),
        };
        Self {
            endpoint: text(&entry["endpoint"]).unwrap_or_default(),
            method: text(&entry["method"]).unwrap_or_default(),
            assertion: assertion.is_object().then(|| AssertionSeen {
                alg: text(&assertion["alg"]).unwrap_or_default(),
                kid: text(&assertion["kid"]),
                aud,
            }),
            status: entry["status"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or_default(),
            error: text(&entry["error"]),
            authenticated_by: text(&entry["authenticated_by"]),
        }
    }
}

impl fmt::Display for EndpointSeen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.endpoint, self.method)?;
        if let Some(assertion) = &self.assertion {
            write!(f, " ({}", assertion.alg)?;
            if let Some(kid) = &assertion.kid {
                write!(f, ", kid {kid}")?;
            }
            if let Some(aud) = &assertion.aud {
                write!(f, ", aud {aud}")?;
            }
            f.write_str(")")?;
        }
        write!(f, " → {}", self.status)?;
        if let Some(error) = &self.error {
            write!(f, " {error}")?;
        }
        if let Some(by) = &self.authenticated_by {
            write!(f, ", authenticated by {by}")?;
        }
        Ok(())
    }
}

/// Lists what the servers saw, for a scenario's assertions.
pub(crate) fn describe(seen: &[Seen]) -> String {
    let all: Vec<String> = seen.iter().map(ToString::to_string).collect();
    format!("[{}]", all.join(", "))
}

/// A server's admin endpoints.
#[derive(Debug, Clone)]
pub(crate) struct Admin {
    base: String,
    client: reqwest::Client,
}

impl Admin {
    pub(crate) fn new(base: &str) -> Self {
        Self { base: base.trim_end_matches('/').to_owned(), client: reqwest::Client::new() }
    }

    /// The server's base URL, without a trailing `/`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The `entries` of the log at `path`.
    async fn log_entries(&self, path: &str) -> Result<Vec<Value>, String> {
        let url = format!("{}{path}", self.base);
        let body = self.client.get(&url).send().await.and_then(reqwest::Response::error_for_status);
        let body = body.map_err(|e| format!("GET {url}: {e}"))?.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
        let mut json: Value = serde_json::from_slice(&body).map_err(|e| format!("GET {url}: {e}"))?;
        match json["entries"].take() {
            Value::Array(entries) => Ok(entries),
            _ => Err(format!("GET {url}: no `entries` array")),
        }
    }

    /// Every token request the server has seen, oldest first.
    pub(crate) async fn token_log(&self) -> Result<Vec<Seen>, String> {
        let entries = self.log_entries("/admin/token-log").await?;
        Ok(entries
            .iter()
            .map(|entry| Seen {
                method: entry["method"].as_str().unwrap_or_default().to_owned(),
                grant_type: entry["grant_type"].as_str().unwrap_or_default().to_owned(),
                status: entry["status"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or_default(),
                error: entry["error"].as_str().map(str::to_owned),
                detail: detail(entry),
            })
            .collect())
    }

    /// How many token requests the server has seen; pass it to [`Admin::seen_since`] later.
    pub(crate) async fn mark(&self) -> Result<usize, String> {
        Ok(self.token_log().await?.len())
    }

    /// The token requests seen since `mark`.
    pub(crate) async fn seen_since(&self, mark: usize) -> Result<Vec<Seen>, String> {
        let log = self.token_log().await?;
        log.get(mark..).map(<[Seen]>::to_vec).ok_or_else(|| format!("the token log shrank below {mark} entries"))
    }

    /// How many revocation and introspection requests the server has seen (oidc-provider and
    /// Authlib); pass it to [`Admin::endpoint_seen_since`] later.
    pub(crate) async fn endpoint_mark(&self) -> Result<usize, String> {
        Ok(self.log_entries("/admin/endpoint-log").await?.len())
    }

    /// The revocation and introspection requests seen since `mark`.
    pub(crate) async fn endpoint_seen_since(&self, mark: usize) -> Result<Vec<EndpointSeen>, String> {
        let entries = self.log_entries("/admin/endpoint-log").await?;
        let entries = entries.get(mark..).ok_or_else(|| format!("the endpoint log shrank below {mark} entries"))?;
        Ok(entries.iter().map(EndpointSeen::read).collect())
    }

    /// Revokes every access token the server has issued (Authlib and node-oauth).
    pub(crate) async fn revoke_all(&self) -> Result<(), String> {
        self.post("/admin/revoke-all").await
    }

    /// Revokes every refresh token the server has issued (node-oauth only).
    pub(crate) async fn revoke_refresh_tokens(&self) -> Result<(), String> {
        self.post("/admin/revoke-refresh-tokens").await
    }

    async fn post(&self, path: &str) -> Result<(), String> {
        let url = format!("{}{path}", self.base);
        let answer = self.client.post(&url).send().await.and_then(reqwest::Response::error_for_status);
        answer.map(drop).map_err(|e| format!("POST {url}: {e}"))
    }
}
