//! Doing things for many people at once: the admin ticks three people of the Platform team and
//! invites them in one action, reading how many were invited; then selects everyone the Customer
//! team shows and reads who was skipped and why. Iris then sets up 1:1s with her whole team from
//! the team view, reads the message and finds the series on her 1:1s page.

use anyhow::ensure;

use crate::harness::{Session, journey};
use crate::plan_goal::{directory_with, sign_in, wait_for_text};

const IRIS: (&str, &str) = ("iris.brook@demo.trellis.test", "demo-manager-pass");

/// The id of a person of the demo directory.
async fn id_of(s: &Session, email: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(s.app.state.db().pool())
        .await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_invites_many_people_and_a_manager_sets_up_the_teams_1to1s() {
    journey("bulk", async |s| {
        let tomas = directory_with(s, "tomas.reed@demo.trellis.test").await?;
        let june = id_of(s, "june.hale@demo.trellis.test").await?;
        let oskar = id_of(s, "oskar.lind@demo.trellis.test").await?;

        // Three people of the Platform team, ticked one by one.
        s.sign_in_as_admin().await?;
        s.open("/people?team=Platform").await?;
        for id in [tomas, june, oskar] {
            s.find(&format!("#pick-{id}")).await?.click().await?;
        }
        s.find("#invite-form button[value=selected]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/people/invitations").await?;
        let status = s.find(".flash").await?.text().await?;
        ensure!(
            status.starts_with("Invited 3 people.") && !status.contains("Skipped"),
            "the message says how many were invited: {status}"
        );
        let page = s.page_text().await?;
        ensure!(
            page.contains("Tomas Reed")
                && page.contains("June Hale")
                && page.contains("Oskar Lind"),
            "the page lists the three with their links: {page}"
        );
        s.screenshot("bulk-invited").await?;

        // Everyone the Customer team shows: Lena has left and is skipped, by name.
        s.open("/people?team=Customer").await?;
        s.find(".selection-links a").await?.click().await?;
        s.wait_for(
            "everyone shown ticked",
            "document.querySelectorAll('input[name=person]:checked').length === 3",
        )
        .await?;
        s.check_accessibility().await?;
        s.find("#invite-form button[value=selected]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/people/invitations").await?;
        let status = s.find(".flash").await?.text().await?;
        ensure!(
            status.contains("Invited 2 people.")
                && status.contains("Skipped 1 person: Lena Voss has left the organisation."),
            "the message names who was skipped and why: {status}"
        );
        s.as_phone().await?;
        s.screenshot("bulk-invited-phone").await?;
        s.as_desktop().await?;
        s.find("form.signout button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/login").await?;

        // Iris sets up 1:1s with her four reports, every week from a chosen day.
        sign_in(s, IRIS).await?;
        s.open("/team").await?;
        s.find("a[href$='/one-on-ones/team']")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the team setup page",
            "location.pathname.endsWith('/one-on-ones/team') && document.readyState === 'complete'",
        )
        .await?;
        s.check_accessibility().await?;
        s.find("#team_cadence_days option[value='7']")
            .await?
            .click()
            .await?;
        s.script("document.querySelector('#team_first_on').value = '2030-01-07'; return true;")
            .await?;
        s.screenshot("bulk-team-setup").await?;
        s.find("form.team-series-form button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/team").await?;
        let status = s.find(".flash").await?.text().await?;
        ensure!(
            status.contains("Started 1:1s with 4 people, every week from 2030-01-07"),
            "the message says what started: {status}"
        );
        s.open("/one-on-ones").await?;
        wait_for_text(s, "the new series", "Oskar Lind").await?;
        let list = s.page_text().await?;
        for name in ["Tomas Reed", "Sam Employee", "June Hale", "Oskar Lind"] {
            ensure!(list.contains(name), "{name} is on Iris's 1:1s: {list}");
        }
        ensure!(
            list.matches("2030-01-07").count() == 4,
            "each first meeting is on the day chosen: {list}"
        );
        Ok(())
    })
    .await;
}
