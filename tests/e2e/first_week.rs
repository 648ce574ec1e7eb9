//! An employee's first week on a phone: Sam signs in, reads his home, opens his track through the
//! Menu, reads it level by level with his own level marked, and adds evidence of his work, which the
//! next page confirms. No page scrolls sideways at 390 pixels.

use anyhow::ensure;
use thirtyfour::By;

use crate::harness::{Session, journey};
use crate::plan_goal::{SAM, directory_with, sign_in, wait_for_text};

/// Fails when the page is wider than the screen, so that reading it means scrolling sideways.
async fn fits_the_screen(s: &Session) -> anyhow::Result<()> {
    let widths = s
        .script(
            "return [document.documentElement.scrollWidth, window.innerWidth, location.pathname];",
        )
        .await?;
    let (page, screen) = (widths[0].as_i64(), widths[1].as_i64());
    ensure!(
        page.is_some() && page <= screen,
        "{} is {page:?} pixels wide on a {screen:?}-pixel screen",
        widths[2]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employee_finds_their_track_and_adds_evidence_on_a_phone() {
    journey("first-week-phone", async |s| {
        let sam = directory_with(s, SAM.0).await?;
        s.as_phone().await?;
        sign_in(s, SAM).await?;
        s.wait_for_path("/home").await?;
        fits_the_screen(s).await?;
        s.screenshot("first-week-home-phone").await?;

        // The Menu opens the navigation; Tracks leads to Sam's track.
        s.find(".nav-menu > summary").await?.click().await?;
        s.find(".nav-menu nav a[href='/tracks']")
            .await?
            .click()
            .await?;
        s.wait_for_path("/tracks").await?;
        fits_the_screen(s).await?;
        s.find("a[href='/tracks/software-engineering']")
            .await?
            .click()
            .await?;
        s.wait_for_path("/tracks/software-engineering").await?;
        fits_the_screen(s).await?;
        let here = s.find("section.matrix-level.here h2").await?.text().await?;
        ensure!(
            here.contains("You are here") && here.contains("Software Engineer I"),
            "Sam's level is marked: {here}"
        );
        let next = s.find("section.matrix-level.next h2").await?.text().await?;
        ensure!(
            next.contains("Next") && next.contains("Software Engineer II"),
            "the next level is marked: {next}"
        );
        s.screenshot("first-week-track-phone").await?;

        // Evidence of a week's work, tied to a competency.
        s.open(&format!("/people/{sam}/evidence")).await?;
        fits_the_screen(s).await?;
        let form = s
            .find(&format!("#add form[action='/people/{sam}/evidence']"))
            .await?;
        form.find(By::Css("input[name=title]"))
            .await?
            .send_keys("Ran my first incident review")
            .await?;
        form.find(By::Css("textarea[name=note]"))
            .await?
            .send_keys("Wrote up what we learned and shared it with the team.")
            .await?;
        form.find(By::Css("input[name=competencies][value=ownership]"))
            .await?
            .click()
            .await?;
        form.find(By::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for_text(s, "the confirmation", "Your evidence was added.").await?;
        s.check_accessibility().await?;
        fits_the_screen(s).await?;
        let page = s.page_text().await?;
        ensure!(
            page.contains("Ran my first incident review"),
            "the new evidence is listed: {page}"
        );
        s.screenshot("first-week-evidence-phone").await?;
        Ok(())
    })
    .await;
}
