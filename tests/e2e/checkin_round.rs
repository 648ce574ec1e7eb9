//! A check-in round from start to progress: the People team starts a round for the Software
//! Engineering track, Sam sees on his home that his check-in is due and starts it with one button,
//! and the round's page shows that he has started while others have not.

use anyhow::{Context, anyhow, ensure};
use thirtyfour::By;

use crate::harness::{ADMIN_EMAIL, ADMIN_PASSWORD, Session, journey};

const SAM: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_team_starts_a_round_and_follows_it() {
    journey("checkin_round", async |s| {
        trellis::demo::seed_directory(&s.app.state, trellis::auth::password::Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the directory failed: {e}"))?;
        sign_in(s, (ADMIN_EMAIL, ADMIN_PASSWORD)).await?;
        s.open("/checkin-rounds").await?;
        s.find("#start_name")
            .await?
            .send_keys("Spring check-ins")
            .await?;
        s.find("input[name='scope'][value='track']")
            .await?
            .click()
            .await?;
        s.find("#start_track option[value='software-engineering']")
            .await?
            .click()
            .await?;
        s.find("form[action='/checkin-rounds'] button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the round's page",
            "location.pathname.startsWith('/checkin-rounds/') && document.readyState === 'complete'",
        )
        .await?;
        let round = s.path().await?;
        s.check_accessibility().await?;
        let text = s.page_text().await?;
        ensure!(
            text.contains("The check-in round “Spring check-ins” was started."),
            "the page says what happened: {text}"
        );
        ensure!(text.contains("The Software Engineering track"), "{text}");
        ensure!(text.contains("Sam Employee"), "Sam is asked: {text}");
        sign_out(s).await?;

        // Sam's home says his check-in is due, with a button to start it.
        sign_in(s, SAM).await?;
        let home = s.page_text().await?;
        ensure!(home.contains("Check-in due by"), "{home}");
        ensure!(
            home.contains("Start your check-in for the round “Spring check-ins”"),
            "{home}"
        );
        s.as_phone().await?;
        s.screenshot("checkin-round-home-phone").await?;
        s.as_desktop().await?;
        s.find(".home-rounds form button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the new check-in",
            "location.pathname.startsWith('/checkins/') && document.readyState === 'complete'",
        )
        .await?;
        s.check_accessibility().await?;
        sign_out(s).await?;

        // The round shows Sam has started, and the filter lists who has not.
        sign_in(s, (ADMIN_EMAIL, ADMIN_PASSWORD)).await?;
        s.open(&round).await?;
        let sam_row = s
            .driver
            .find(By::XPath(
                "//table[contains(@class,'round-people')]//tr[th[contains(., 'Sam Employee')]]",
            ))
            .await
            .context("Sam's row")?;
        let state = sam_row.text().await?;
        ensure!(state.contains("Started"), "Sam's state: {state}");
        s.open(&format!("{round}?state=not_started")).await?;
        let text = s.page_text().await?;
        ensure!(!text.contains("Sam Employee"), "Sam has started: {text}");
        s.screenshot("checkin-round-progress").await?;
        Ok(())
    })
    .await;
}
