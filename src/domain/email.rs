use std::fmt;

/// An email address, trimmed and lower-cased so that lookups agree on every backend.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let s = raw.trim().to_lowercase();
        let Some((local, domain)) = s.split_once('@') else {
            return Err(format!("“{}” is not an email address", raw.trim()));
        };
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(s))
        } else {
            Err(format!("“{}” is not an email address", raw.trim()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ada@Example.TEST ").map(|e| e.to_string()),
            Ok("ada@example.test".to_string())
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.test",
            "ada@example",
            "a b@example.test",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
