//! A manager's week with their team: Iris opens the team view of the demo organisation and reads
//! who is ready, who is flagged and the heat map of the latest ratings; she nominates June, who is
//! ready, with the case written out from June's check-in; the admin approves it; June's position
//! history then shows the promotion, and the team view her new level.

use anyhow::{Context, anyhow, ensure};
use thirtyfour::By;
use trellis::auth::password::Cost;

use crate::harness::journey;
use crate::plan_goal::{sign_in, wait_for_text};

const IRIS: (&str, &str) = ("iris.brook@demo.trellis.test", "demo-manager-pass");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_the_team_and_a_nomination_becomes_a_promotion() {
    journey("team-and-nomination", async |s| {
        trellis::demo::seed_directory(&s.app.state, Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the demo directory failed: {e}"))?;
        trellis::demo::seed_growth(&s.app.state)
            .await
            .map_err(|e| anyhow!("seeding the demo's growth failed: {e}"))?;
        let june: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind("june.hale@demo.trellis.test")
            .fetch_one(s.app.state.db().pool())
            .await
            .context("June is in the directory")?;

        sign_in(s, IRIS).await?;
        s.open("/team").await?;
        let row = |name: &str| format!("//tbody/tr[th/a[normalize-space()='{name}']]");
        let june_row = s
            .driver
            .find(By::XPath(row("June Hale")))
            .await?
            .text()
            .await?;
        ensure!(
            june_row.contains("Ready for the next level"),
            "June is ready: {june_row}"
        );
        let oskar_row = s
            .driver
            .find(By::XPath(row("Oskar Lind")))
            .await?
            .text()
            .await?;
        ensure!(
            oskar_row.contains("Check-in overdue") && oskar_row.contains("Plan missing"),
            "Oskar is flagged: {oskar_row}"
        );
        let cells = s
            .script("return document.querySelectorAll('table.heat-map td.heat').length")
            .await?;
        ensure!(
            cells.as_u64().is_some_and(|n| n >= 4 * 6),
            "the heat map has a cell per competency and person: {cells}"
        );

        // Iris nominates June for Principal Engineer; the case starts from her check-in.
        s.find(&format!("a[href='/people/{june}/nominations/new']"))
            .await?
            .click()
            .await?;
        s.wait_for_path(&format!("/people/{june}/nominations/new"))
            .await?;
        let case = s.find("textarea[name=case_text]").await?;
        let prefilled = case.value().await?.unwrap_or_default();
        ensure!(
            prefilled.contains("Latest agreed check-in") && prefilled.contains("Mentoring: "),
            "the case quotes the check-in: {prefilled}"
        );
        // Sent as it was filled in, the case says nothing yet: the form comes back with the reason
        // and the text as it was.
        s.find(&format!(
            "form[action='/people/{june}/nominations'] button[type=submit]"
        ))
        .await?
        .click()
        .await?;
        wait_for_text(
            s,
            "the refused template",
            "The case is still the template as it was filled in",
        )
        .await?;
        s.check_accessibility().await?;
        let case = s.find("textarea[name=case_text]").await?;
        let kept = case.value().await?.unwrap_or_default();
        ensure!(
            kept.trim() == prefilled.trim(),
            "the case is kept as it was sent"
        );
        case.send_keys("\nJune led the billing migration end to end.")
            .await?;
        s.find(&format!(
            "form[action='/people/{june}/nominations'] button[type=submit]"
        ))
        .await?
        .click()
        .await?;
        s.wait_for(
            "the nomination's page",
            "location.pathname.startsWith('/nominations/') && document.readyState === 'complete'",
        )
        .await?;
        let nomination = s.path().await?;
        wait_for_text(
            s,
            "the pending nomination",
            "Promotion proposed, waiting for a decision",
        )
        .await?;
        s.find("form.signout button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/login").await?;

        // The People team approves it.
        s.sign_in_as_admin().await?;
        s.open(&nomination).await?;
        s.find(&format!(
            "form[action='{nomination}/decision'] button[type=submit]"
        ))
        .await?
        .click()
        .await?;
        wait_for_text(s, "the approved nomination", "Promotion approved").await?;
        s.open(&format!("/people/{june}")).await?;
        let person = s.page_text().await?;
        ensure!(
            person.contains("Principal Engineer") && person.contains("Promoted"),
            "June's history shows the promotion: {person}"
        );
        Ok(())
    })
    .await;
}
