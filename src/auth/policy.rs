//! Every authorisation decision, in one place. Services call these before they read or write; a
//! handler never decides on its own.

use super::{Actor, TokenScope, Via};
use crate::error::{AppError, AppResult};

/// A decision of this module that the actor may go ahead. Only this module makes one, so a write
/// that needs one (`db::Work::begin`) cannot start without asking the policy.
#[derive(Debug)]
pub struct Allowed(());

fn require(allowed: bool) -> AppResult<Allowed> {
    if allowed {
        Ok(Allowed(()))
    } else {
        Err(AppError::Forbidden)
    }
}

/// Tokens scoped to SCIM provision people; they do not read or edit the framework.
fn is_api_capable(actor: &Actor) -> bool {
    match &actor.via {
        Via::Session | Via::CommandLine => true,
        Via::Token { scope } => *scope == TokenScope::Api,
        Via::Schedule => false,
    }
}

/// Anyone may try to sign in, or use a link or a session whose secret they hold: the secret is
/// the proof, checked by the change itself, and the brakes on guessing live in
/// `people::accounts::sessions`.
pub fn use_a_secret() -> Allowed {
    Allowed(())
}

/// Someone who proved who they are starts a session.
pub fn start_session(actor: &Actor) -> AppResult<Allowed> {
    require(actor.via == Via::Session && actor.user_id.is_some())
}

/// A survey's audience is taken on the day it opens by Trellis itself, and by no one else outside
/// the survey's own authoring (which asks [`manage_surveys`]).
pub fn take_due_audiences(actor: &Actor) -> AppResult<Allowed> {
    require(actor.via == Via::Schedule)
}

/// Invitation and password reset links give the power to sign in as someone: the People team's.
pub fn manage_accounts(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// A password is changed by its owner, signed in with it in a browser; a token cannot.
pub fn change_own_password(actor: &Actor) -> AppResult<Allowed> {
    require(actor.via == Via::Session && actor.user_id.is_some())
}

/// Published tracks are open to everyone in the organisation: transparency is the point.
pub fn read_published_framework(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor))
}

/// Drafts are work in progress of the People team.
pub fn read_draft(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

pub fn edit_framework(actor: &Actor) -> AppResult<Allowed> {
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
pub fn read_directory(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor))
}

/// A person's private record (position, position history, and later check-ins and plans) belongs
/// to them, their management chain and the People team.
pub fn see_private(actor: &Actor, relation: Relation) -> bool {
    is_api_capable(actor) && (actor.is_admin() || relation != Relation::Other)
}

/// Positions are private, so filtering the directory by them (and by who lacks one) is for the
/// People team, and for a manager looking at their own reporting line.
pub fn filter_people_by_position(actor: &Actor, own_chain: bool) -> bool {
    is_api_capable(actor) && (actor.is_admin() || own_chain)
}

/// The People team reads the organisation as a whole: every check-in round and everyone in it, the
/// organisation's dashboard, every team's survey results. A manager reads only their reporting
/// line, and others none of it.
pub fn see_whole_organisation(actor: &Actor) -> bool {
    is_api_capable(actor) && actor.is_admin()
}

/// The People team decides on nominations: their list opens on the ones waiting for them.
pub fn decides_nominations(actor: &Actor) -> bool {
    is_api_capable(actor) && actor.is_admin()
}

/// The People team uses the Grow features before they are released to everyone, to prepare them;
/// everyone else waits for the release (see `rollout::pilot`).
pub fn use_grow_before_release(actor: &Actor) -> bool {
    actor.is_admin()
}

/// Adding people, changing their details and recording positions is the People team's job.
pub fn manage_people(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// SCIM provisioning: an identity provider with a `scim` token of an admin (or of the
/// organisation) writes people and teams. Sessions and `api` tokens are refused, so a browser
/// cannot be tricked into provisioning.
pub fn provision(actor: &Actor) -> AppResult<Allowed> {
    require(
        matches!(
            actor.via,
            Via::Token {
                scope: TokenScope::Scim
            }
        ) && actor.is_admin(),
    )
}

pub fn read_audit_log(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// An organisation token acts with admin rights, so only admins create, list and revoke tokens;
/// a SCIM token cannot mint itself a wider one.
pub fn manage_api_tokens(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// A personal token acts as the person who creates it and as nobody else, so anyone signed in as
/// a person may create one for themselves: in the browser, or over the API with a session or one of
/// their own tokens. An organisation token has no person to give it.
pub fn create_personal_token(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.user_id.is_some() && actor.via != Via::CommandLine)
}

/// Admins revoke any token; a person also revokes their own personal tokens.
pub fn revoke_api_token(actor: &Actor, owner: Option<i64>) -> AppResult<Allowed> {
    require(
        is_api_capable(actor)
            && (actor.is_admin() || (actor.user_id.is_some() && actor.user_id == owner)),
    )
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
                scope: TokenScope::Scim,
            },
        );
        assert!(edit_framework(&scim).is_err());
        assert!(read_published_framework(&scim).is_err());
    }
}

// ---- Development plans and 1:1s (issue 4) ----

/// Plans and 1:1s are for people and `api` tokens; SCIM tokens only provision.
pub fn use_plans_and_one_on_ones(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor))
}

/// A development plan is its owner's: they write their goals, the goals' actions and progress
/// notes. Their management chain reads and comments; admins read.
pub fn edit_plan(actor: &Actor, relation: Relation) -> AppResult<Allowed> {
    require(is_api_capable(actor) && relation == Relation::Myself)
}

/// A goal is added by its owner, or proposed by someone in their management chain; a note on a
/// goal is a progress note from the owner or a comment from the chain. Admins only read.
pub fn contribute_to_plan(actor: &Actor, relation: Relation) -> AppResult<Allowed> {
    require(
        is_api_capable(actor) && matches!(relation, Relation::Myself | Relation::InManagementChain),
    )
}

/// How the actor stands to a 1:1 series (manager and report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seat {
    /// The manager or the report of the series.
    Participant,
    /// Above the series' manager in the report's management chain.
    AboveManager,
    Outside,
}

/// The shared content of a 1:1 (agenda, shared notes, action items) is read by its two
/// participants, the report's management chain above the manager, and admins.
pub fn read_one_on_one(actor: &Actor, seat: Seat) -> bool {
    is_api_capable(actor) && (seat != Seat::Outside || actor.is_admin())
}

/// Only the two participants start a series and write in its meetings; the chain and admins read.
pub fn write_one_on_one(actor: &Actor, seat: Seat) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.user_id.is_some() && seat == Seat::Participant)
}

/// A talking point is removed from the agenda by whoever added it (a participant, as
/// [`write_one_on_one`] decides first); one whose author is gone from the directory, by either.
pub fn remove_talking_point(actor: &Actor, author: Option<i64>) -> AppResult<Allowed> {
    require(author.is_none() || (actor.user_id.is_some() && author == actor.user_id))
}

/// 1:1s with a whole team at once are set up by its manager, or by an admin for any manager.
pub fn set_up_team_one_on_ones(actor: &Actor, own_team: bool) -> AppResult<Allowed> {
    require(is_api_capable(actor) && ((own_team && actor.user_id.is_some()) || actor.is_admin()))
}

/// A private note of a 1:1 is read by its author and nobody else: not the other participant, not
/// the chain, not admins.
pub fn read_private_note(actor: &Actor, author: i64) -> bool {
    actor.user_id == Some(author)
}

// ---- Rollout: the readiness self-check, the roadmap and the pilot (issue 5) ----

/// The readiness self-check and the roadmap are the People team's planning tools.
pub fn run_rollout(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// Who sees the Grow features (everyone, or the pilot teams) is the People team's decision.
pub fn manage_release(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

// ==== Check-ins (growth) ====
// Who sees a person's check-ins is `see_private`; the service answers 404 to everyone else.

/// Check-ins are for people and `api` tokens; SCIM tokens only provision.
pub fn use_checkins(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor))
}

/// A check-in is started and rated by the two sides it compares: the person (the self-rating)
/// and anyone in their management chain (the manager's rating). Admins outside the chain read
/// check-ins but take no side.
pub fn take_part_in_checkin(actor: &Actor, relation: Relation) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.user_id.is_some() && relation != Relation::Other)
}

/// An unfinished check-in is cancelled by whoever started it, or by the People team.
pub fn cancel_checkin(actor: &Actor, started_by: Option<i64>) -> AppResult<Allowed> {
    require(
        is_api_capable(actor)
            && (actor.is_admin() || (actor.user_id.is_some() && actor.user_id == started_by)),
    )
}

/// Check-in rounds are followed by the People team (every round, everyone in it) and by managers
/// (the rounds that ask someone below them, only those people); everyone else sees only their own
/// part, on their home.
pub fn follow_checkin_rounds(actor: &Actor, manages_people: bool) -> AppResult<Allowed> {
    require(
        is_api_capable(actor) && (actor.is_admin() || (manages_people && actor.user_id.is_some())),
    )
}

/// The People team starts a round for everyone, a track or any reporting line; a manager only for
/// their own reporting line (or the line of someone below them).
pub fn start_checkin_round(actor: &Actor, within_own_line: bool) -> AppResult<Allowed> {
    require(
        is_api_capable(actor) && (actor.is_admin() || (within_own_line && actor.user_id.is_some())),
    )
}

/// A running round is closed by whoever started it, or by the People team.
pub fn close_checkin_round(actor: &Actor, started_by: Option<i64>) -> AppResult<Allowed> {
    require(
        is_api_capable(actor)
            && (actor.is_admin() || (actor.user_id.is_some() && actor.user_id == started_by)),
    )
}

// ---- Home, team view, promotion nominations and the growth record (issue 4) ----

/// A promotion or lateral move is proposed by someone in the person's management chain: never by
/// the person, and not by the People team, who decide on it.
pub fn nominate(actor: &Actor, relation: Relation) -> AppResult<Allowed> {
    require(
        is_api_capable(actor) && actor.user_id.is_some() && relation == Relation::InManagementChain,
    )
}

/// Who sees a nomination: the person's management chain, its author and admins; the person
/// themselves only once it is approved (it is then their promotion). Before that, the case is a
/// conversation between their managers and the People team, an admin nominee included.
pub fn see_nomination(
    actor: &Actor,
    relation: Relation,
    nominated_by: Option<i64>,
    approved: bool,
) -> bool {
    if !is_api_capable(actor) {
        return false;
    }
    if relation == Relation::Myself {
        return approved;
    }
    actor.is_admin()
        || relation == Relation::InManagementChain
        || (nominated_by.is_some() && actor.user_id == nominated_by)
}

/// [`see_nomination`] as a condition on the rows `n` of `nominations`, for lists, with the actor's
/// id bound as `me`: the same rule, so that a list never shows what a nomination's page refuses.
pub fn nominations_seen_sql(actor: &Actor, me: &str) -> String {
    if !is_api_capable(actor) {
        return "1 = 0".to_owned();
    }
    if actor.is_admin() {
        // Everyone's, except the admin's own before they are approved.
        return format!("NOT (n.person_id = {me} AND n.status <> 'approved')");
    }
    format!(
        "(n.person_id IN {below} OR (n.nominated_by = {me} AND n.person_id <> {me}) \
          OR (n.person_id = {me} AND n.status = 'approved'))",
        below = crate::db::chain::below(me)
    )
}

/// The People team approves or declines a nomination, never one about themselves.
pub fn decide_nomination(actor: &Actor, nominee: i64) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin() && actor.user_id != Some(nominee))
}

/// A nomination is withdrawn by the one who made it.
pub fn withdraw_nomination(actor: &Actor, nominated_by: Option<i64>) -> AppResult<Allowed> {
    require(is_api_capable(actor) && nominated_by.is_some() && actor.user_id == nominated_by)
}

/// A person's growth record (check-ins, evidence, plan, 1:1s) is exported by whoever may read it:
/// the person, their management chain and admins; others get a 404, as for anything private.
pub fn export_growth_record(actor: &Actor, relation: Relation) -> bool {
    see_private(actor, relation)
}

/// A manager's team view is read by the manager, anyone above them and admins; others get a 404.
pub fn read_team(actor: &Actor, relation: Relation) -> bool {
    see_private(actor, relation)
}

// ---- KPI dashboard (issue 5) ----

/// The KPI dashboard: admins read the whole organisation's figures, a manager those of their
/// reporting line; people without reports have no group to read.
pub fn read_dashboard(actor: &Actor, manages_people: bool) -> AppResult<Allowed> {
    require(is_api_capable(actor) && (actor.is_admin() || manages_people))
}

// ---- Pulse surveys (issue 5) ----

/// Surveys are written, opened, closed and removed by the People team.
pub fn manage_surveys(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// Surveys are answered by people, each once; a token that stands for no person has nothing to
/// answer.
pub fn answer_surveys(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.user_id.is_some())
}

/// Survey results: admins for the whole organisation; a manager for the teams whose every member is
/// below them in their management chain (`has_teams_below`). Either way, only the groups the
/// anonymity rule allows are shown, and nobody sees who answered what.
pub fn read_survey_results(actor: &Actor, has_teams_below: bool) -> AppResult<Allowed> {
    require(is_api_capable(actor) && (actor.is_admin() || has_teams_below))
}

/// Anyone who reads (not a SCIM token) may ask which surveys wait for them; a token that stands
/// for no person simply has none.
pub fn list_open_surveys(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor))
}

// ---- Evidence and readiness (issue 4, Grow) ----

/// Readiness rules and recomputing readiness for the whole organisation are the People team's.
pub fn configure_readiness(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.is_admin())
}

/// Evidence is added to a person's record by the person and by their management chain.
pub fn add_evidence(actor: &Actor, relation: Relation) -> AppResult<Allowed> {
    require(is_api_capable(actor) && relation != Relation::Other)
}

/// An evidence item is changed and removed by its author only.
pub fn change_evidence(actor: &Actor, author: Option<i64>) -> AppResult<Allowed> {
    require(is_api_capable(actor) && author.is_some() && actor.user_id == author)
}

/// A manager in the person's chain confirms evidence; so does a colleague the owner asked.
pub fn confirm_evidence(actor: &Actor, relation: Relation, asked: bool) -> AppResult<Allowed> {
    require(is_api_capable(actor) && (relation == Relation::InManagementChain || asked))
}

/// Only the owner asks a colleague to confirm one of their items, which shows it to that colleague.
pub fn ask_evidence_confirmation(actor: &Actor, relation: Relation) -> AppResult<Allowed> {
    require(is_api_capable(actor) && relation == Relation::Myself)
}

/// A person withdraws a confirmation they gave themselves, on an item they may see.
pub fn withdraw_own_confirmation(actor: &Actor) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.user_id.is_some())
}

/// A colleague declines a request to confirm an item while the request is open to them.
pub fn decline_confirmation(actor: &Actor, asked_open: bool) -> AppResult<Allowed> {
    require(is_api_capable(actor) && actor.user_id.is_some() && asked_open)
}

#[cfg(test)]
mod evidence_readiness_tests {
    use super::*;
    use crate::auth::Role;

    fn person(id: i64, role: Role) -> Actor {
        Actor {
            user_id: Some(id),
            label: "p@example.test".into(),
            name: "P".into(),
            role,
            via: Via::Session,
        }
    }

    #[test]
    fn evidence_is_added_by_the_person_and_their_chain_and_changed_by_its_author() {
        let me = person(1, Role::Employee);
        let admin = person(9, Role::Admin);
        assert!(add_evidence(&me, Relation::Myself).is_ok());
        assert!(add_evidence(&me, Relation::InManagementChain).is_ok());
        assert!(add_evidence(&me, Relation::Other).is_err());
        assert!(
            add_evidence(&admin, Relation::Other).is_err(),
            "admins read, not add"
        );
        assert!(change_evidence(&me, Some(1)).is_ok());
        assert!(change_evidence(&me, Some(2)).is_err());
        assert!(change_evidence(&me, None).is_err(), "an author who is gone");
        assert!(change_evidence(&Actor::command_line(), None).is_err());
    }

    #[test]
    fn the_chain_or_an_asked_colleague_confirms_and_only_the_owner_asks() {
        let me = person(1, Role::Employee);
        assert!(confirm_evidence(&me, Relation::InManagementChain, false).is_ok());
        assert!(confirm_evidence(&me, Relation::Other, true).is_ok());
        assert!(confirm_evidence(&me, Relation::Other, false).is_err());
        assert!(confirm_evidence(&me, Relation::Myself, false).is_err());
        assert!(ask_evidence_confirmation(&me, Relation::Myself).is_ok());
        assert!(ask_evidence_confirmation(&me, Relation::InManagementChain).is_err());
        assert!(configure_readiness(&me).is_err());
        assert!(configure_readiness(&person(9, Role::Admin)).is_ok());
    }
}
