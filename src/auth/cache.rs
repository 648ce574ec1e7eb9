//! A short-lived memory of who a session or token belongs to, so that a page view does not ask the
//! database each time. Only successful look-ups are kept, for [`ACTOR_TTL`]; signing out through this
//! server forgets the session at once. A session ended through another server, or an account
//! changed elsewhere, takes effect here within that time.

use std::time::{Duration, Instant};

use super::{Actor, token};
use crate::state::{ByteCache, budget};

pub const ACTOR_TTL: Duration = Duration::from_secs(10);

/// Remembered actors by their secret's digest, within [`budget::ACTORS`] bytes.
pub struct ActorCache {
    entries: ByteCache<(Actor, Instant)>,
}

impl Default for ActorCache {
    fn default() -> ActorCache {
        ActorCache {
            entries: ByteCache::new(budget::ACTORS),
        }
    }
}

impl ActorCache {
    /// The actor remembered for this secret, if it was looked up within [`ACTOR_TTL`].
    pub fn get(&self, secret: &str) -> Option<Actor> {
        let (actor, at) = self.entries.get(&token::digest(secret))?;
        (at.elapsed() < ACTOR_TTL).then_some(actor)
    }

    pub fn put(&self, secret: &str, actor: &Actor) {
        let weight = std::mem::size_of::<(Actor, Instant)>() + actor.label.len() + actor.name.len();
        self.entries.put(
            &token::digest(secret),
            (actor.clone(), Instant::now()),
            weight,
        );
    }

    /// The bytes the cache holds.
    pub fn bytes(&self) -> usize {
        self.entries.bytes()
    }

    /// Forgets every session and token of one account, after its sessions were ended or it was
    /// deactivated. Other servers forget them within [`ACTOR_TTL`].
    pub fn forget_user(&self, user_id: i64) {
        self.entries
            .retain(|_, (actor, _)| actor.user_id != Some(user_id));
    }

    pub fn forget(&self, secret: &str) {
        self.forget_digest(&token::digest(secret));
    }

    /// Forgets the secret stored as this digest, for when only the digest is known (a token revoked
    /// by its id).
    pub fn forget_digest(&self, digest: &str) {
        self.entries.remove(digest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_an_account_forgets_all_its_secrets_only() {
        let cache = ActorCache::default();
        let person = |id| Actor {
            user_id: Some(id),
            ..Actor::command_line()
        };
        cache.put("one", &person(1));
        cache.put("two", &person(1));
        cache.put("other", &person(2));
        cache.forget_user(1);
        assert!(cache.get("one").is_none());
        assert!(cache.get("two").is_none());
        assert!(cache.get("other").is_some());
    }

    #[test]
    fn a_flood_of_sessions_keeps_the_cache_within_its_budget() {
        let cache = ActorCache::default();
        let long = "n".repeat(2000);
        for i in 0..20_000 {
            let actor = Actor {
                user_id: Some(i),
                label: format!("{i}{long}"),
                name: long.clone(),
                ..Actor::command_line()
            };
            cache.put(&format!("secret {i}"), &actor);
            assert!(cache.bytes() <= budget::ACTORS, "{}", cache.bytes());
        }
        assert!(cache.get("secret 19999").is_some());
    }

    #[test]
    fn remembered_actors_are_forgotten_on_request() {
        let cache = ActorCache::default();
        assert!(cache.get("s").is_none());
        cache.put("s", &Actor::command_line());
        assert_eq!(cache.get("s").map(|a| a.label), Some("command line".into()));
        cache.forget("s");
        assert!(cache.get("s").is_none());
        cache.put("t", &Actor::command_line());
        cache.forget_digest(&token::digest("t"));
        assert!(cache.get("t").is_none());
    }
}
