//! Configuration of a running server, from command-line flags and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

/// What a server needs to know to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// The address people use to reach Trellis, used in links and to decide on `Secure` cookies.
    pub base_url: String,
    /// Connections in the database pool.
    pub pool_size: u32,
    /// Argon2 cost; tests lower it.
    pub password_cost: crate::auth::password::Cost,
    /// Request rate limits of sign-in, account links, the API and SCIM (`TRELLIS_RATE_*`).
    pub limits: crate::auth::limits::RateLimits,
    /// How failed sign-ins are slowed down, per email and client address.
    pub lockout: crate::people::accounts::Lockout,
    /// Where invitation and reset links are sent from (`TRELLIS_SMTP_URL`); none: admins pass them on.
    pub smtp_url: Option<String>,
    /// The sender of those emails (`TRELLIS_MAIL_FROM`), e.g. `Trellis <trellis@example.com>`.
    pub mail_from: Option<String>,
}

impl Config {
    /// Whether the session cookie must only travel over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// The SQLite database in a data directory, created when missing.
pub fn sqlite_url_in(dir: &std::path::Path) -> String {
    let file: PathBuf = dir.join("trellis.db");
    format!("sqlite://{}?mode=rwc", file.display())
}
