//! [`Credentials`]: what an emulator accepts — a client, and resource owners for password
//! grants.

use std::fmt;

/// The credentials an emulator accepts: a client, and the resource owners of its password
/// grant (for emulators that have one).
///
/// `Debug` shows the ids and hides the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    client_id: String,
    client_secret: String,
    users: Vec<(String, String)>,
}

impl Credentials {
    pub(crate) fn new(client_id: &str, client_secret: &str, users: &[(&str, &str)]) -> Self {
        let users = users.iter().map(|(u, p)| ((*u).to_owned(), (*p).to_owned())).collect();
        Self { client_id: client_id.to_owned(), client_secret: client_secret.to_owned(), users }
    }

    pub(crate) fn set_client(&mut self, id: String, secret: String) {
        (self.client_id, self.client_secret) = (id, secret);
    }

    pub(crate) fn set_users(&mut self, users: Vec<(String, String)>) {
        self.users = users;
    }

    /// Every resource owner: username and password.
    pub(crate) fn users(&self) -> &[(String, String)] {
        &self.users
    }

    /// The client id (for Bright Pattern, the user's login id).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret (for Bright Pattern, the user's API secret).
    #[must_use]
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// The (first) resource owner's username, for emulators with a password grant.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.users.first().map(|(u, _)| u.as_str())
    }

    /// The (first) resource owner's password, for emulators with a password grant.
    #[must_use]
    pub fn password(&self) -> Option<&str> {
        self.users.first().map(|(_, p)| p.as_str())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("username", &self.username())
            .finish_non_exhaustive()
    }
}
