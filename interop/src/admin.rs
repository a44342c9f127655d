//! The servers' side doors (`/admin/…`), reached with a plain reqwest client outside the adapters
//! under test: what the token endpoint saw, and revoking every token.

use std::fmt;

use serde_json::Value;

/// One token request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// `client_secret_basic`, `client_secret_post`, `none` or `other`.
    pub(crate) method: String,
    pub(crate) grant_type: String,
    pub(crate) status: u16,
    pub(crate) error: Option<String>,
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

    /// Every token request the server has seen, oldest first.
    pub(crate) async fn token_log(&self) -> Result<Vec<Seen>, String> {
        let url = format!("{}/admin/token-log", self.base);
        let body = self.client.get(&url).send().await.and_then(reqwest::Response::error_for_status);
        let body = body.map_err(|e| format!("GET {url}: {e}"))?.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
        let json: Value = serde_json::from_slice(&body).map_err(|e| format!("GET {url}: {e}"))?;
        let entries = json["entries"].as_array().ok_or_else(|| format!("GET {url}: no `entries` array"))?;
        Ok(entries
            .iter()
            .map(|entry| Seen {
                method: entry["method"].as_str().unwrap_or_default().to_owned(),
                grant_type: entry["grant_type"].as_str().unwrap_or_default().to_owned(),
                status: entry["status"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or_default(),
                error: entry["error"].as_str().map(str::to_owned),
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
