//! A 1:1 with carried-over action items: Iris starts 1:1s with Sam, adds a talking point and an
//! action item for Sam, and completes the meeting; the next meeting shows the item carried over,
//! and Sam ticks it there.

use anyhow::ensure;

use crate::harness::{Session, journey};
use crate::plan_goal::{SAM, directory_with, sign_in, wait_for_text};

const IRIS: (&str, &str) = ("iris.brook@demo.trellis.test", "demo-manager-pass");

async fn sign_out(s: &Session) -> anyhow::Result<()> {
    s.find("form.signout button[type=submit]")
        .await?
        .click()
        .await?;
    s.wait_for_path("/login").await
}

/// Types into a text field of a form.
async fn type_into(s: &Session, css: &str, text: &str) -> anyhow::Result<()> {
    let field = s.find(css).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_on_one_carries_open_action_items_to_the_next_meeting() {
    journey("one-on-one", async |s| {
        let sam = directory_with(s, SAM.0).await?;
        sign_in(s, IRIS).await?;
        s.open("/one-on-ones").await?;
        // Iris starts 1:1s with Sam, every two weeks from today.
        let start = format!("#start-{sam}");
        s.find(&format!("{start} button[type=submit]"))
            .await?
            .click()
            .await?;
        s.wait_for(
            "the new series",
            "location.pathname.startsWith('/one-on-ones/') && document.readyState === 'complete'",
        )
        .await?;
        let series = s.path().await?;
        ensure!(
            s.page_text().await?.contains("1:1s: Iris Brook and Sam Employee"),
            "the series page names both"
        );

        // A talking point linked to a competency, and an action item for Sam.
        type_into(s, "#new-point_body", "How is the on-call rotation going?").await?;
        s.find("#new-point_competency option[value='ownership']")
            .await?
            .click()
            .await?;
        s.find("#new-point button[type=submit]")
            .await?
            .click()
            .await?;
        wait_for_text(s, "the talking point", "How is the on-call rotation going?").await?;
        ensure!(
            s.page_text().await?.contains("Competency: Ownership"),
            "the point links its competency"
        );
        type_into(s, "#new-item_title", "Write up the incident review").await?;
        s.find(&format!("#new-item_owner option[value='{sam}']"))
            .await?
            .click()
            .await?;
        s.find("#new-item button[type=submit]")
            .await?
            .click()
            .await?;
        wait_for_text(s, "the action item", "Write up the incident review").await?;
        let first = s.find("#meeting-title").await?.text().await?;
        let first_date = first.trim_start_matches("Next 1:1: ").to_owned();

        // Iris completes the meeting; the next one carries the item and the undiscussed point over.
        s.script("window.confirm = function () { return true; }; return null;")
            .await?;
        s.find("form.complete-meeting button[type=submit]")
            .await?
            .click()
            .await?;
        wait_for_text(
            s,
            "the next meeting with the item carried over",
            &format!("carried over from {first_date}"),
        )
        .await?;
        let next = s.path().await?;
        ensure!(next.starts_with("/one-on-ones/meetings/"), "at {next}");
        let text = s.page_text().await?;
        ensure!(
            text.contains("Write up the incident review"),
            "the item is in the next meeting: {text}"
        );
        ensure!(
            text.contains("How is the on-call rotation going?"),
            "the talking point nobody ticked as discussed is carried over too: {text}"
        );
        ensure!(
            text.contains("carried over"),
            "the page says what was carried over: {text}"
        );
        sign_out(s).await?;

        // Sam finds the next meeting and ticks the item there.
        sign_in(s, SAM).await?;
        s.open("/one-on-ones").await?;
        s.find(&format!("a[href='{series}']")).await?.click().await?;
        s.wait_for_path(&series).await?;
        wait_for_text(s, "the carried-over item", &format!("carried over from {first_date}"))
            .await?;
        s.find("#action-items ul.action-list button.done-toggle")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the item to be ticked",
            "document.readyState === 'complete' && document.querySelector('#action-items li.is-done') !== null",
        )
        .await?;
        let text = s.page_text().await?;
        ensure!(text.contains("✓ Done"), "the item shows as done: {text}");
        // The first meeting is in the history, held, with the growth topic.
        s.open(&series).await?;
        let history = s.find("#history").await?.text().await?;
        ensure!(
            history.contains(&first_date) && history.contains("Growth"),
            "the history lists the first meeting as a growth 1:1: {history}"
        );
        Ok(())
    })
    .await;
}
