//! Sharing a check-in before every competency is rated: Sam presses "Save and share" on an empty
//! check-in. The page says at once which competencies are not rated, without asking him to
//! confirm first, and stays on the check-in. A browser that skips that check gets the same answer
//! from the server, still at the check-in's own address, with what he typed kept. Once he has
//! rated everything, the question comes and the ratings are shared.

use anyhow::{Context, anyhow, ensure};
use thirtyfour::By;

use crate::harness::{Session, journey};
use crate::plan_goal::{SAM, sign_in, wait_for_text};

/// Replaces the browser's confirmation question with one that counts how often it was asked and
/// says yes.
async fn count_questions(s: &Session) -> anyhow::Result<()> {
    s.script(
        "window.questions = 0; window.confirm = function () { window.questions += 1; return true; }; return null;",
    )
    .await?;
    Ok(())
}

async fn questions(s: &Session) -> anyhow::Result<i64> {
    s.script("return window.questions;")
        .await?
        .as_i64()
        .context("the question counter is gone: the page was left")
}

async fn press_share(s: &Session, checkin: i64) -> anyhow::Result<()> {
    s.find(&format!(
        "form[action='/checkins/{checkin}'] button[name='intent'][value='share']"
    ))
    .await?
    .click()
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_an_unrated_check_in_says_why_and_stays_on_it() {
    journey("checkin-share", async |s| {
        trellis::demo::seed_directory(&s.app.state, trellis::auth::password::Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the directory failed: {e}"))?;
        let sam: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(SAM.0)
            .fetch_one(s.app.state.db().pool())
            .await?;
        sign_in(s, SAM).await?;
        s.open(&format!("/people/{sam}/checkins")).await?;
        s.find(&format!(
            "form[action='/people/{sam}/checkins'] button[type=submit]"
        ))
        .await?
        .click()
        .await?;
        s.wait_for(
            "the new check-in",
            "location.pathname.startsWith('/checkins/') && document.readyState === 'complete'",
        )
        .await?;
        let path = s.path().await?;
        let checkin: i64 = path
            .trim_start_matches("/checkins/")
            .parse()
            .with_context(|| format!("no check-in id in {path}"))?;

        // With the page's script: the check comes first, and no question is asked.
        count_questions(s).await?;
        press_share(s, checkin).await?;
        s.wait_for(
            "the list of competencies not rated",
            "!document.getElementById('share-check').hidden",
        )
        .await?;
        let summary = s.find("#share-check").await?.text().await?;
        ensure!(
            summary.contains("Rate every competency before sharing")
                && summary.contains("Ownership"),
            "the summary reads: {summary}"
        );
        ensure!(
            questions(s).await? == 0,
            "asked to confirm before the check"
        );
        ensure!(s.path().await? == path, "left the check-in");
        s.as_phone().await?;
        s.screenshot("checkin-share-refused-phone").await?;
        s.as_desktop().await?;

        // A browser without that check: the server refuses, at the check-in's own address, and
        // keeps the comment he typed.
        s.find("#ratings_rating-ownership")
            .await?
            .find(By::Css("option[value='meets']"))
            .await?
            .click()
            .await?;
        s.find("#ratings_comment-ownership")
            .await?
            .send_keys("I led the billing migration")
            .await?;
        s.script(
            "document.querySelectorAll('[data-check-sharing]').forEach(function (b) { b.removeAttribute('data-check-sharing'); }); return null;",
        )
        .await?;
        press_share(s, checkin).await?;
        wait_for_text(
            s,
            "the refused share",
            "Rate every competency before sharing. Not rated yet:",
        )
        .await?;
        ensure!(
            s.path().await? == path,
            "a refused share left the check-in for {}",
            s.path().await?
        );
        let kept = s.find("#ratings_comment-ownership").await?.value().await?;
        ensure!(
            kept.as_deref() == Some("I led the billing migration"),
            "the comment was lost: {kept:?}"
        );

        // Everything rated: the question comes, and the ratings are shared.
        for select in s
            .driver
            .find_all(By::Css("select[data-needed-for-sharing]"))
            .await?
        {
            select
                .find(By::Css("option[value='meets']"))
                .await?
                .click()
                .await?;
        }
        count_questions(s).await?;
        press_share(s, checkin).await?;
        wait_for_text(s, "the shared ratings", "Your ratings are shared").await?;
        ensure!(s.path().await? == path, "shared, but not on the check-in");
        Ok(())
    })
    .await;
}
