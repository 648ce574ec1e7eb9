//! Every authorisation decision, in one place. Services call these before they read or write; a
//! handler never decides on its own.

use super::{Actor, Via};
use crate::error::{AppError, AppResult};

fn require(allowed: bool) -> AppResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Tokens scoped to SCIM provision people; they do not read or edit the framework.
fn is_api_capable(actor: &Actor) -> bool {
    match &actor.via {
        Via::Session | Via::CommandLine => true,
        Via::Token { scope } => scope == "api",
    }
}

/// Published tracks are open to everyone in the organisation: transparency is the point.
pub fn read_published_framework(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor))
}

/// Drafts are work in progress of the People team.
pub fn read_draft(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor) && actor.is_admin())
}

pub fn edit_framework(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// Pay bands concern the people who hold the level and the People team; until positions exist,
/// only admins see them.
pub fn see_pay(actor: &Actor) -> bool {
    actor.is_admin()
}

pub fn read_audit_log(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor) && actor.is_admin())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn actor(role: Role, via: Via) -> Actor {
        Actor {
            user_id: Some(1),
            label: "a@example.test".into(),
            name: "A".into(),
            role,
            via,
        }
    }

    #[test]
    fn employees_read_the_published_framework_but_not_drafts() {
        let e = actor(Role::Employee, Via::Session);
        assert!(read_published_framework(&e).is_ok());
        assert!(read_draft(&e).is_err());
        assert!(edit_framework(&e).is_err());
        assert!(!see_pay(&e));
    }

    #[test]
    fn admins_edit_and_scim_tokens_do_not() {
        assert!(edit_framework(&actor(Role::Admin, Via::Session)).is_ok());
        let scim = actor(
            Role::Admin,
            Via::Token {
                scope: "scim".into(),
            },
        );
        assert!(edit_framework(&scim).is_err());
        assert!(read_published_framework(&scim).is_err());
    }
}
