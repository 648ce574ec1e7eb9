//! Password hashing with Argon2id. Hashing is slow on purpose, so it runs on the blocking pool.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{AppError, AppResult};

/// How expensive a hash is. Production follows OWASP's Argon2id recommendation (19 MiB, 2 passes);
/// tests use the cheapest parameters so that hundreds of logins stay fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Production,
    Test,
}

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn hasher(cost: Cost) -> Argon2<'static> {
    let (m, t) = match cost {
        Cost::Production => (19 * 1024, 2),
        Cost::Test => (8, 1),
    };
    // The parameters are constants within Argon2's documented ranges.
    let params = Params::new(m, t, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the rules a new password must meet.
pub fn check_strength(password: &str) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Err(AppError::invalid_field(
            "password",
            format!("a password needs at least {MIN_LENGTH} characters"),
        ));
    }
    if len > MAX_LENGTH {
        return Err(AppError::invalid_field(
            "password",
            format!("a password has at most {MAX_LENGTH} characters"),
        ));
    }
    Ok(())
}

pub async fn hash(password: String, cost: Cost) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("hashing a password failed: {e}")))
    })
    .await
    .map_err(|e| AppError::internal(format!("hashing task failed: {e}")))?
}

/// Verifies a password against a stored hash. With no hash (unknown user), a dummy hash is checked
/// anyway so that the answer takes as long and does not reveal which emails exist.
pub async fn verify(password: String, stored: Option<String>, cost: Cost) -> bool {
    tokio::task::spawn_blocking(move || {
        let dummy;
        let stored = match stored {
            Some(s) => s,
            None => {
                dummy = hasher(cost)
                    .hash_password(b"not a real password", &SaltString::generate(&mut OsRng))
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                let _ = PasswordHash::new(&dummy)
                    .map(|h| hasher(cost).verify_password(password.as_bytes(), &h));
                return false;
            }
        };
        match PasswordHash::new(&stored) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery".into(), Cost::Test)
            .await
            .expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone()), Cost::Test).await);
        assert!(!verify("wrong horse battery".into(), Some(h), Cost::Test).await);
        assert!(!verify("anything".into(), None, Cost::Test).await);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("long enough password").is_ok());
    }
}
