//! The People team's morning: the admin signs in and reads on their home what waits for the team,
//! at desktop and at phone size; they follow the count of nominations to the nominations waiting
//! for a decision, and the count of people without a manager to the directory filtered to them.

use anyhow::{Context, anyhow, ensure};
use trellis::auth::Actor;
use trellis::auth::password::Cost;
use trellis::people::directory::{self, PersonInput};

use crate::harness::journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_team_reads_what_waits_and_follows_the_counts() {
    journey("people-team-home", async |s| {
        let state = &s.app.state;
        trellis::demo::seed_directory(state, Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the demo directory failed: {e}"))?;
        let id = |email: &'static str| async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(state.db().pool())
                .await
                .with_context(|| format!("{email} is in the directory"))
        };
        let june = id("june.hale@demo.trellis.test").await?;
        let iris = id("iris.brook@demo.trellis.test").await?;
        let nomination: i64 = sqlx::query_scalar(
            "INSERT INTO nominations (person_id, nominated_by, track_key, level_key, \
             from_track_key, from_level_key, kind, case_text, status, created_at, updated_at) \
             SELECT id, $2, track_key, 'principal', track_key, level_key, 'promotion', \
             'June led the billing migration end to end.', 'pending', $3, $3 FROM users WHERE id = $1 \
             RETURNING id",
        )
        .bind(june)
        .bind(iris)
        .bind(trellis::db::now())
        .fetch_one(state.db().pool())
        .await
        .context("a nomination waits")?;
        directory::save_person(
            state.db(),
            &Actor::command_line(),
            &PersonInput {
                email: "quinn.lone@demo.trellis.test".into(),
                name: "Quinn Lone".into(),
                ..PersonInput::default()
            },
        )
        .await
        .map_err(|e| anyhow!("adding Quinn failed: {e}"))?;

        s.sign_in_as_admin().await?;
        let section = s.find("#people-team").await?.text().await?;
        ensure!(
            section.contains("1 nomination waits for a decision")
                && section.contains("has no manager"),
            "the home says what waits: {section}"
        );
        s.screenshot("people-team-home-desktop").await?;
        s.as_phone().await?;
        s.open("/home").await?;
        let overflow = s
            .script("return document.documentElement.scrollWidth > window.innerWidth")
            .await?;
        ensure!(
            overflow.as_bool() == Some(false),
            "the home fits a phone's width"
        );
        s.screenshot("people-team-home-phone").await?;
        s.as_desktop().await?;

        s.find("#people-team a[href='/nominations?status=pending']")
            .await?
            .click()
            .await?;
        s.wait_for_path("/nominations").await?;
        s.find(&format!("a[href='/nominations/{nomination}']"))
            .await
            .context("the nomination waiting is listed")?;

        s.open("/home").await?;
        s.find("#people-team a[href='/people?missing=manager&status=active']")
            .await?
            .click()
            .await?;
        s.wait_for_path("/people").await?;
        let text = s.page_text().await?;
        ensure!(
            text.contains("Quinn Lone") && text.contains("without a manager"),
            "the directory shows the people without a manager: {text}"
        );
        ensure!(
            !text.contains("June Hale"),
            "June has a manager and is not listed"
        );
        Ok(())
    })
    .await;
}
