//! Inviting many people at once: the admin picks people of the directory, or everyone not invited
//! yet, and each of them gets an invitation link, all in one transaction. People who cannot be
//! invited are skipped, each with the reason, and the rest go ahead. Each link is made by
//! `accounts::issue_link_in`, the same as one invitation, so it has the same lifetime, replaces an
//! older one the same way and writes the same audit event; one more event sums the whole action up.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::people::accounts::{self, IssuedLink, LinkPurpose};

/// The most people one request invites: each invitation may be emailed while the admin waits.
pub const MAX_PER_REQUEST: usize = 100;

/// Who to invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These people of the directory, by id.
    People(Vec<i64>),
    /// Everyone still at the organisation with no password and no invitation waiting.
    NotYetInvited,
}

/// Why someone was not invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// They set a password already: they sign in, and need a password reset link if they lost it.
    AlreadySignsIn,
    /// They left the organisation.
    Left,
    /// The directory holds no email address an invitation could go to.
    NoEmail,
}

impl SkipReason {
    /// What the reason says after a name: "Ann Lee signs in already".
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::AlreadySignsIn => "signs in already",
            SkipReason::Left => "has left the organisation",
            SkipReason::NoEmail => "has no email address",
        }
    }
}

/// Someone not invited, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub id: i64,
    pub name: String,
    pub reason: SkipReason,
}

/// What inviting many people did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// By name.
    pub invited: Vec<IssuedLink>,
    /// By name.
    pub skipped: Vec<Skipped>,
}

fn too_many(n: usize) -> AppError {
    AppError::invalid_field(
        "person",
        format!(
            "{} were chosen, and one action invites at most {MAX_PER_REQUEST}: choose fewer people, for example one team at a time",
            crate::text::plural(n, "person", "people")
        ),
    )
}

/// The people chosen, checked against the limit; `None` for everyone not invited yet.
fn chosen(selection: &Selection) -> AppResult<Option<Vec<i64>>> {
    match selection {
        Selection::NotYetInvited => Ok(None),
        Selection::People(ids) => {
            let ids: BTreeSet<i64> = ids.iter().copied().collect();
            if ids.is_empty() {
                return Err(AppError::invalid_field(
                    "person",
                    "no one was chosen: tick the people to invite, or invite everyone not invited yet",
                ));
            }
            if ids.len() > MAX_PER_REQUEST {
                return Err(too_many(ids.len()));
            }
            Ok(Some(ids.into_iter().collect()))
        }
    }
}

/// Invites the people chosen, in one transaction: an invitation link for each who can be invited,
/// the others skipped with the reason. Admins only. An id nobody has is refused (422), as is a
/// choice of more than [`MAX_PER_REQUEST`] people or of nobody.
pub async fn invite(db: &Db, actor: &Actor, selection: &Selection) -> AppResult<Outcome> {
    let permit = policy::manage_accounts(actor)?;
    let ids = chosen(selection)?;
    let at = now();
    let mut work = Work::begin(db, actor, permit).await?;
    let rows = match &ids {
        Some(ids) => the_people(work.tx(), ids).await?,
        None => not_yet_invited(work.tx(), at).await?,
    };
    check_found(ids.as_deref(), &rows)?;
    let mut invited = Vec::new();
    let mut skipped = Vec::new();
    for r in rows {
        let id = r.id;
        match r.invitable() {
            Ok(email) => {
                let purpose = LinkPurpose::Invite;
                let secret = accounts::issue_link_in(&mut work, id, &email, purpose, at).await?;
                invited.push(IssuedLink {
                    secret,
                    purpose,
                    user_id: id,
                    email: email.to_string(),
                    name: r.name,
                    expires_at: at + purpose.lifetime(),
                });
            }
            Err(reason) => skipped.push(Skipped {
                id,
                name: r.name,
                reason,
            }),
        }
    }
    work.record(
        Action::AccountInviteMany,
        "users",
        &format!(
            "Invited {} at once; skipped {}",
            crate::text::plural(invited.len(), "person", "people"),
            skipped.len()
        ),
        Some(serde_json::json!({
            "everyone_not_invited": ids.is_none(),
            "invited": invited.iter().map(|l| l.user_id).collect::<Vec<_>>(),
            "skipped": skipped.iter().map(|s| serde_json::json!({
                "id": s.id, "reason": s.reason,
            })).collect::<Vec<_>>(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(Outcome { invited, skipped })
}

/// A person who may be invited, with what decides whether they can be.
#[derive(sqlx::FromRow)]
struct InviteeRow {
    id: i64,
    name: String,
    email: String,
    active: i64,
    password_hash: Option<String>,
}

impl InviteeRow {
    /// The email an invitation goes to, or why this person cannot be invited.
    fn invitable(&self) -> Result<Email, SkipReason> {
        if self.active != 1 {
            Err(SkipReason::Left)
        } else if self.password_hash.is_some() {
            Err(SkipReason::AlreadySignsIn)
        } else {
            Email::parse(&self.email).map_err(|_| SkipReason::NoEmail)
        }
    }
}

/// The people with these ids, by name.
async fn the_people(tx: &mut Tx, ids: &[i64]) -> AppResult<Vec<InviteeRow>> {
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, name, email, active, password_hash FROM users WHERE id IN ({}) \
         ORDER BY name_key, id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, InviteeRow>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(&mut **tx).await?)
}

/// Everyone still at the organisation with no password and no invitation waiting, by name: one
/// more than an action invites, to tell when there are too many.
async fn not_yet_invited(tx: &mut Tx, at: i64) -> AppResult<Vec<InviteeRow>> {
    Ok(sqlx::query_as::<_, InviteeRow>(
        "SELECT u.id, u.name, u.email, u.active, u.password_hash FROM users u \
         WHERE u.active = 1 AND u.password_hash IS NULL AND NOT EXISTS ( \
           SELECT 1 FROM account_links l WHERE l.user_id = u.id AND l.purpose = 'invite' \
           AND l.used_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > $1) \
         ORDER BY u.name_key, u.id LIMIT $2",
    )
    .bind(at)
    .bind(i64::try_from(MAX_PER_REQUEST + 1).unwrap_or(i64::MAX))
    .fetch_all(&mut **tx)
    .await?)
}

/// Refuses a choice of ids nobody has, too many people not invited yet, or nobody left to invite.
fn check_found(ids: Option<&[i64]>, rows: &[InviteeRow]) -> AppResult<()> {
    if let Some(ids) = ids {
        let found: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !found.contains(id))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(AppError::invalid_field(
                "person",
                format!(
                    "there is nobody in the directory with the {} {}: show the list again and choose again",
                    crate::text::noun(missing.len(), "id", "ids"),
                    missing.join(", ")
                ),
            ));
        }
    } else if rows.len() > MAX_PER_REQUEST {
        return Err(AppError::invalid_field(
            "person",
            format!(
                "more than {MAX_PER_REQUEST} people are not invited yet, and one action invites at most {MAX_PER_REQUEST}: tick the people to invite, for example one team at a time"
            ),
        ));
    }
    if ids.is_none() && rows.is_empty() {
        return Err(AppError::invalid_field(
            "person",
            "everyone has been invited already: nobody is left without a password or an invitation waiting",
        ));
    }
    Ok(())
}

/// What happened, in one paragraph for a person: how many were invited and who was skipped and
/// why, the skipped grouped by reason. `delivery` says how the links travel ("Their links were
/// emailed.").
pub fn summary(outcome: &Outcome, delivery: &str) -> String {
    let mut parts = Vec::new();
    let invited = outcome.invited.len();
    if invited == 0 {
        parts.push("Nobody was invited.".to_owned());
    } else {
        parts.push(format!(
            "Invited {}. {delivery}",
            crate::text::plural(invited, "person", "people")
        ));
    }
    if !outcome.skipped.is_empty() {
        let mut groups = Vec::new();
        for reason in [
            SkipReason::AlreadySignsIn,
            SkipReason::NoEmail,
            SkipReason::Left,
        ] {
            let names: Vec<String> = outcome
                .skipped
                .iter()
                .filter(|s| s.reason == reason)
                .map(|s| s.name.clone())
                .collect();
            if names.is_empty() {
                continue;
            }
            let verb = match (reason, names.len()) {
                (SkipReason::AlreadySignsIn, 1) => "signs in already",
                (SkipReason::AlreadySignsIn, _) => "sign in already",
                (SkipReason::NoEmail, 1) => "has no email address",
                (SkipReason::NoEmail, _) => "have no email address",
                (SkipReason::Left, 1) => "has left the organisation",
                (SkipReason::Left, _) => "have left the organisation",
            };
            groups.push(format!("{} {verb}", crate::text::names(&names, 5)));
        }
        parts.push(format!(
            "Skipped {}: {}.",
            crate::text::plural(outcome.skipped.len(), "person", "people"),
            groups.join("; ")
        ));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skipped(name: &str, reason: SkipReason) -> Skipped {
        Skipped {
            id: 1,
            name: name.into(),
            reason,
        }
    }

    #[test]
    fn the_summary_counts_the_invited_and_names_the_skipped_by_reason() {
        let outcome = Outcome {
            invited: vec![IssuedLink {
                secret: "s".into(),
                purpose: LinkPurpose::Invite,
                user_id: 1,
                email: "a@example.com".into(),
                name: "Ann".into(),
                expires_at: 0,
            }],
            skipped: vec![
                skipped("Bo", SkipReason::AlreadySignsIn),
                skipped("Cy", SkipReason::AlreadySignsIn),
                skipped("Di", SkipReason::Left),
            ],
        };
        assert_eq!(
            summary(&outcome, "Their links were emailed."),
            "Invited 1 person. Their links were emailed. Skipped 3 people: Bo and Cy sign in \
             already; Di has left the organisation."
        );
    }

    #[test]
    fn choosing_nobody_or_too_many_is_refused() {
        assert!(chosen(&Selection::People(Vec::new())).is_err());
        let many: Vec<i64> = (0..=i64::try_from(MAX_PER_REQUEST).expect("small")).collect();
        assert!(chosen(&Selection::People(many)).is_err());
        assert_eq!(
            chosen(&Selection::People(vec![3, 1, 3])).expect("two people"),
            Some(vec![1, 3])
        );
    }
}
