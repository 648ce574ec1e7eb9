//! A unit of work: the one way a person's change reaches the database.
//!
//! [`Work::begin`] takes the policy's decision ([`Allowed`], which only `auth::policy` makes), so a
//! write cannot start without asking the policy; [`Work::commit`] refuses to commit a change that
//! recorded no audit event, so a write cannot land unaudited. In between, the change runs its SQL
//! on [`Work::tx`] and records what it did with [`Work::record`], in the same transaction: the
//! change and its events land together or not at all. Dropping a `Work` without committing rolls
//! everything back.

use crate::audit::{Action, NewEvent};
use crate::auth::Actor;
use crate::auth::policy::Allowed;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// A change in progress on behalf of one actor.
pub struct Work<'a> {
    tx: Tx,
    actor: &'a Actor,
    recorded: usize,
}

impl<'a> Work<'a> {
    /// Starts a change the policy allowed (`decision`), made by `actor`.
    pub async fn begin(db: &Db, actor: &'a Actor, decision: Allowed) -> AppResult<Work<'a>> {
        let _ = decision;
        Ok(Work {
            tx: db.begin().await?,
            actor,
            recorded: 0,
        })
    }

    /// The transaction, to run the change's SQL in.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Who is making the change.
    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    /// Records that the actor did `action` to `object` (`kind:id`). `summary` is the sentence the
    /// log shows; `detail` keeps what is needed to see exactly what changed.
    pub async fn record(
        &mut self,
        action: Action,
        object: &str,
        summary: &str,
        detail: Option<serde_json::Value>,
    ) -> AppResult<()> {
        let actor = self.actor;
        self.record_by(actor, action, object, summary, detail).await
    }

    /// Records an event by someone the change itself established: the owner of the link or of
    /// the session whose secret the change used.
    pub async fn record_by(
        &mut self,
        author: &Actor,
        action: Action,
        object: &str,
        summary: &str,
        detail: Option<serde_json::Value>,
    ) -> AppResult<()> {
        crate::audit::insert(
            &mut self.tx,
            author,
            action.as_str(),
            object,
            summary,
            detail,
        )
        .await?;
        self.recorded += 1;
        Ok(())
    }

    /// Records many events with a few multi-row inserts, for changes of thousands of things.
    pub async fn record_many(&mut self, events: &[NewEvent]) -> AppResult<()> {
        crate::audit::insert_many(&mut self.tx, self.actor, events).await?;
        self.recorded += events.len();
        Ok(())
    }

    /// Commits the change with its events. A change that recorded none is rolled back and
    /// reported as the program's error it is.
    pub async fn commit(self) -> AppResult<()> {
        if self.recorded == 0 {
            self.tx.rollback().await?;
            return Err(AppError::internal(
                "a change was about to be saved without an audit event",
            ));
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// Commits a change that by the product's promise leaves no trace of who made it. Only the
    /// reasons [`Unrecorded`] lists qualify, so each exception is named and documented there.
    pub async fn commit_unrecorded(self, why: Unrecorded) -> AppResult<()> {
        let (Unrecorded::SurveyAnswer | Unrecorded::FailedSignIn) = why;
        self.tx.commit().await?;
        Ok(())
    }

    /// Gives the change up: nothing of it lands.
    pub async fn rollback(self) -> AppResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// The changes that commit without an audit event, because recording one would break a promise.
#[derive(Debug, Clone, Copy)]
pub enum Unrecorded {
    /// An answer to a survey: who answered stays unknown to everyone, admins included, and an
    /// event naming the actor at the moment of answering would tell.
    SurveyAnswer,
    /// A failed sign-in counted against an email and an address: the log records the first
    /// slowdown it causes, not every attempt, so that guessing cannot flood the log.
    FailedSignIn,
}
