//! The JSON this area's API answers with: the API's own copies of the use cases' types, each made
//! from its use-case type, so that the use cases can change without changing the API document.
//! The names, fields and descriptions are those of the document.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit;
use crate::auth::Role;
use crate::domain::{PositionKind, Status};
use crate::people::{accounts, directory, import, invitations};

/// A position: a level of a track, with the names people read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Position {
    pub track: String,
    pub level: String,
    /// The track's name in the published framework, or its key when it is not there any more.
    pub track_name: String,
    pub level_title: String,
}

impl From<directory::Position> for Position {
    fn from(p: directory::Position) -> Position {
        Position {
            track: p.track,
            level: p.level,
            track_name: p.track_name,
            level_title: p.level_title,
        }
    }
}

// One entry of a person's position history (no doc comment: the schema has no description).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub position: Position,
    pub effective_on: String,
    pub kind: PositionKind,
    pub note: Option<String>,
}

impl From<directory::HistoryEntry> for HistoryEntry {
    fn from(h: directory::HistoryEntry) -> HistoryEntry {
        HistoryEntry {
            position: h.position.into(),
            effective_on: h.effective_on,
            kind: h.kind,
            note: h.note,
        }
    }
}

/// What only the person, their management chain and admins see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrivateRecord {
    pub position: Option<Position>,
    /// When the current position started.
    pub since: Option<String>,
    pub days_in_level: Option<i64>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

impl From<directory::PrivateRecord> for PrivateRecord {
    fn from(p: directory::PrivateRecord) -> PrivateRecord {
        PrivateRecord {
            position: p.position.map(Into::into),
            since: p.since,
            days_in_level: p.days_in_level,
            history: p.history.into_iter().map(Into::into).collect(),
        }
    }
}

/// A person's page. Colleagues see what the directory shows of everyone (name, email, team,
/// manager, status, reports); the employee id, dates and role are for the person, their management
/// chain and admins, and absent for everyone else.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRecord {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// Absent when the viewer may not see it.
    pub employee_id: Option<String>,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub manager_email: Option<String>,
    /// Absent when the viewer may not see it.
    pub start_date: Option<String>,
    pub status: Status,
    /// Absent when the viewer may not see it.
    pub left_on: Option<String>,
    /// Absent when the viewer may not see it.
    pub role: Option<Role>,
    /// Direct reports, by name.
    pub reports: Vec<(i64, String)>,
    /// Absent when the viewer may not see it.
    pub private: Option<PrivateRecord>,
}

impl From<directory::PersonRecord> for PersonRecord {
    fn from(p: directory::PersonRecord) -> PersonRecord {
        PersonRecord {
            id: p.id,
            name: p.name,
            email: p.email,
            employee_id: p.employee_id,
            team: p.team,
            manager_id: p.manager_id,
            manager_name: p.manager_name,
            manager_email: p.manager_email,
            start_date: p.start_date,
            status: p.status,
            left_on: p.left_on,
            role: p.role,
            reports: p.reports,
            private: p.private.map(Into::into),
        }
    }
}

/// One line of the directory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub status: Status,
    /// Shown only to those who may see it.
    pub position: Option<Position>,
}

impl From<directory::PersonSummary> for PersonSummary {
    fn from(p: directory::PersonSummary) -> PersonSummary {
        PersonSummary {
            id: p.id,
            name: p.name,
            email: p.email,
            team: p.team,
            manager_id: p.manager_id,
            manager_name: p.manager_name,
            status: p.status,
            position: p.position.map(Into::into),
        }
    }
}

// A page of the directory (no doc comment: the schema has no description). The team names the
// pages' filter offers are not part of the answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeoplePage {
    pub people: Vec<PersonSummary>,
    pub page: i64,
    pub total: i64,
    pub pages: i64,
    /// Positions are shown: the viewer is an admin, or the list holds only their own chain.
    pub positions_shown: bool,
}

impl From<directory::PeoplePage> for PeoplePage {
    fn from(p: directory::PeoplePage) -> PeoplePage {
        PeoplePage {
            people: p.people.into_iter().map(Into::into).collect(),
            page: p.page,
            total: p.total,
            pages: p.pages,
            positions_shown: p.positions_shown,
        }
    }
}

/// Why someone was not invited.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// They set a password already: they sign in, and need a password reset link if they lost it.
    AlreadySignsIn,
    /// They left the organisation.
    Left,
    /// The directory holds no email address an invitation could go to.
    NoEmail,
}

impl From<invitations::SkipReason> for SkipReason {
    fn from(r: invitations::SkipReason) -> SkipReason {
        match r {
            invitations::SkipReason::AlreadySignsIn => SkipReason::AlreadySignsIn,
            invitations::SkipReason::Left => SkipReason::Left,
            invitations::SkipReason::NoEmail => SkipReason::NoEmail,
        }
    }
}

/// Someone not invited, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SkippedInvitation)]
pub struct Skipped {
    pub id: i64,
    pub name: String,
    pub reason: SkipReason,
}

impl From<invitations::Skipped> for Skipped {
    fn from(s: invitations::Skipped) -> Skipped {
        Skipped {
            id: s.id,
            name: s.name,
            reason: s.reason.into(),
        }
    }
}

/// One change an import makes (or would make).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportChange {
    /// The row's line; absent for people marked as left because the file does not have them.
    pub line: Option<usize>,
    pub email: String,
    /// What changes, in words: `added`, `team: Platform → Growth; level: se1 → se2`, ...
    pub change: String,
}

impl From<import::ImportChange> for ImportChange {
    fn from(c: import::ImportChange) -> ImportChange {
        ImportChange {
            line: c.line,
            email: c.email,
            change: c.change,
        }
    }
}

/// What an import did, or with `dry_run` would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    pub dry_run: bool,
    /// `trellis` (the export's columns, or some of them) or `lattice` (a bulk assignment of
    /// tracks and levels by employee email).
    pub shape: String,
    /// People rows in the file.
    pub rows: usize,
    pub created: usize,
    /// People whose details or position change.
    pub updated: usize,
    pub unchanged: usize,
    pub positions_recorded: usize,
    pub deactivated: usize,
    /// Columns the import does not know, which it ignored.
    pub ignored_columns: Vec<String>,
    /// The first changes, in the order of the file.
    pub changes: Vec<ImportChange>,
}

impl From<import::ImportSummary> for ImportSummary {
    fn from(s: import::ImportSummary) -> ImportSummary {
        ImportSummary {
            dry_run: s.dry_run,
            shape: s.shape,
            rows: s.rows,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            positions_recorded: s.positions_recorded,
            deactivated: s.deactivated,
            ignored_columns: s.ignored_columns,
            changes: s.changes.into_iter().map(Into::into).collect(),
        }
    }
}

/// An API token as admins see it: never its secret, nor the secret's hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    /// `api` or `scim`.
    pub scope: String,
    /// The email of the account the token acts as, or `organisation`.
    pub owner: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    /// When the token was last used, to the minute.
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// When the token stops working, in seconds since the Unix epoch; absent when it never expires.
    pub expires_at: Option<i64>,
}

impl From<accounts::ApiTokenInfo> for ApiTokenInfo {
    fn from(t: accounts::ApiTokenInfo) -> ApiTokenInfo {
        ApiTokenInfo {
            id: t.id,
            name: t.name,
            scope: t.scope,
            owner: t.owner,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub summary: String,
    /// What exactly changed, often as `before` and `after`; absent when the summary says it all.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

impl From<audit::AuditEvent> for AuditEvent {
    fn from(e: audit::AuditEvent) -> Self {
        AuditEvent {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            object: e.object,
            summary: e.summary,
            detail: e.detail,
        }
    }
}
