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

/// Invitation and password reset links give the power to sign in as someone: the People team's.
pub fn manage_accounts(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// A password is changed by its owner, signed in with it in a browser; a token cannot.
pub fn change_own_password(actor: &Actor) -> AppResult<()> {
    require(actor.via == Via::Session && actor.user_id.is_some())
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

/// How the actor stands to a person, which decides what of that person's record they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The actor is the person.
    Myself,
    /// The actor is the person's manager, or their manager's manager, and so on up.
    InManagementChain,
    Other,
}

/// Everyone signed in sees the directory: names, emails, teams and managers.
pub fn read_directory(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor))
}

/// A person's private record (position, position history, and later check-ins and plans) belongs
/// to them, their management chain and the People team.
pub fn see_private(actor: &Actor, relation: Relation) -> bool {
    is_api_capable(actor) && (actor.is_admin() || relation != Relation::Other)
}

/// Adding people, changing their details and recording positions is the People team's job.
pub fn manage_people(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// SCIM provisioning: an identity provider with a `scim` token of an admin (or of the
/// organisation) writes people and teams. Sessions and `api` tokens are refused, so a browser
/// cannot be tricked into provisioning.
pub fn provision(actor: &Actor) -> AppResult<()> {
    require(matches!(&actor.via, Via::Token { scope } if scope == "scim") && actor.is_admin())
}

pub fn read_audit_log(actor: &Actor) -> AppResult<()> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// A token can act with admin rights, so only admins create, list and revoke them; a SCIM token
/// cannot mint itself a wider one.
pub fn manage_api_tokens(actor: &Actor) -> AppResult<()> {
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
    fn private_records_are_for_the_person_their_chain_and_admins() {
        let e = actor(Role::Employee, Via::Session);
        assert!(see_private(&e, Relation::Myself));
        assert!(see_private(&e, Relation::InManagementChain));
        assert!(!see_private(&e, Relation::Other));
        assert!(see_private(
            &actor(Role::Admin, Via::Session),
            Relation::Other
        ));
        assert!(manage_people(&e).is_err());
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
