//! A full check-in from both sides: Sam starts one for the next level, rates himself (each rating
//! saves as it changes) and shares; his manager Iris rates without seeing his ratings and shares;
//! both see the comparison with the disagreement marked, and both confirm the agreed ratings.

use anyhow::{Context, anyhow, ensure};
use thirtyfour::By;

use crate::harness::{Session, journey};

const SAM: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");
const IRIS: (&str, &str) = ("iris.brook@demo.trellis.test", "demo-manager-pass");

/// The competencies of the Software Engineering track.
const COMPETENCIES: [&str; 6] = [
    "ownership",
    "problem-solving",
    "technical-quality",
    "communication",
    "teamwork",
    "mentoring",
];

async fn sign_in(s: &Session, (email, password): (&str, &str)) -> anyhow::Result<()> {
    s.open("/login").await?;
    s.submit_login(email, password).await?;
    s.wait_for_path("/home").await
}

async fn sign_out(s: &Session) -> anyhow::Result<()> {
    s.find("form.signout button[type=submit]")
        .await?
        .click()
        .await?;
    s.wait_for_path("/login").await
}

/// Picks a rating for a competency and waits until the page says it was saved.
async fn rate(s: &Session, competency: &str, rating: &str) -> anyhow::Result<()> {
    let select = s.find(&format!("#ratings_rating-{competency}")).await?;
    select
        .find(By::Css(format!("option[value='{rating}']")))
        .await?
        .click()
        .await?;
    s.wait_for(
        &format!("{competency} to be saved"),
        &format!(
            "document.querySelector('#c-{competency} .save-state').textContent.includes('Saved')"
        ),
    )
    .await
}

/// Shares the signed-in side from the ratings form, accepting the question it asks first.
async fn share(s: &Session, checkin: i64, then: &str) -> anyhow::Result<()> {
    s.script("window.confirm = function () { return true; }; return null;")
        .await?;
    s.find(&format!(
        "form[action='/checkins/{checkin}'] button[name='intent'][value='share']"
    ))
    .await?
    .click()
    .await?;
    s.wait_for(
        "the shared check-in",
        &format!(
            "document.readyState === 'complete' && document.body.textContent.includes({})",
            serde_json::Value::from(then)
        ),
    )
    .await
}

async fn confirm(s: &Session, checkin: i64) -> anyhow::Result<()> {
    s.find(&format!(
        "form[action='/checkins/{checkin}/confirm'] button"
    ))
    .await?
    .click()
    .await?;
    s.wait_for(
        "the confirmation",
        "document.readyState === 'complete' && !document.querySelector(\"form[action$='/confirm']\")",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_check_in_from_both_sides() {
    journey("checkin", async |s| {
        trellis::demo::seed_directory(&s.app.state, trellis::auth::password::Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the directory failed: {e}"))?;
        let sam: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(SAM.0)
            .fetch_one(s.app.state.db().pool())
            .await?;

        // Sam starts a check-in for the next level from his own page.
        sign_in(s, SAM).await?;
        s.open(&format!("/people/{sam}")).await?;
        s.find(&format!("a[href='/people/{sam}/checkins']"))
            .await?
            .click()
            .await?;
        s.wait_for_path(&format!("/people/{sam}/checkins")).await?;
        let target = s.find("#start_target").await?;
        ensure!(
            target.value().await?.as_deref() == Some("software-engineering/se2"),
            "the start form does not suggest the next level"
        );
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

        // He rates every competency; each saves as it changes. One comment is his own words.
        let comment = s.find("#ratings_comment-ownership").await?;
        comment.send_keys("I led the billing migration").await?;
        for competency in COMPETENCIES {
            rate(s, competency, "meets").await?;
        }
        s.open(&format!("/checkins/{checkin}")).await?;
        let kept = s.find("#ratings_comment-ownership").await?.value().await?;
        ensure!(
            kept.as_deref() == Some("I led the billing migration"),
            "the comment was not saved: {kept:?}"
        );
        share(s, checkin, "Your ratings are shared").await?;
        sign_out(s).await?;

        // Iris rates without seeing Sam's ratings, and shares.
        sign_in(s, IRIS).await?;
        s.open(&format!("/checkins/{checkin}")).await?;
        s.find("#ratings_rating-ownership").await?;
        let text = s.page_text().await?;
        ensure!(
            !text.contains("I led the billing migration"),
            "the manager sees the self-rating before sharing"
        );
        for competency in COMPETENCIES {
            let rating = if competency == "teamwork" {
                "working_towards"
            } else {
                "meets"
            };
            rate(s, competency, rating).await?;
        }
        share(s, checkin, "Compare and agree").await?;

        // Both sides are visible; the disagreement is marked. Iris confirms.
        s.find("#row-teamwork.differs").await?;
        let text = s.page_text().await?;
        ensure!(
            text.contains("I led the billing migration"),
            "the comparison does not show Sam's comment:\n{text}"
        );
        ensure!(
            text.contains("1 competency is rated differently."),
            "{text}"
        );
        confirm(s, checkin).await?;
        sign_out(s).await?;

        // Sam sees the comparison, agrees, and the check-in is agreed.
        sign_in(s, SAM).await?;
        s.open(&format!("/checkins/{checkin}")).await?;
        s.find("#row-teamwork.differs").await?;
        confirm(s, checkin).await?;
        let text = s.page_text().await?;
        ensure!(
            text.contains("The check-in is locked."),
            "the check-in is not agreed:\n{text}"
        );
        let status = s.find(".checkin-status").await?.text().await?;
        ensure!(status == "Agreed", "the status reads {status}");
        Ok(())
    })
    .await;
}
