//! Secret tokens (session cookies, API tokens): random, shown once, stored only as a SHA-256 hash.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random secret: 32 bytes, hex-encoded, with a prefix that says what it is (`trs_`, `tra_`).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The form a secret is stored and looked up in.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_stored_as_hashes() {
        let a = generate("trs_");
        let b = generate("trs_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
    }
}
