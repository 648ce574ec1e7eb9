//! Editing the draft in place and publishing it as a new version.

use anyhow::anyhow;
use thirtyfour::By;
use trellis::AppState;
use trellis::architecture::framework as service;
use trellis::auth::Actor;

use crate::harness::journey;

/// Changes one cell of the draft through the same service the editor uses.
pub async fn edit_cell(state: &AppState, bullet: &str) -> anyhow::Result<()> {
    let edit: trellis_framework::Edit = serde_json::from_value(serde_json::json!({
        "op": "set_cell",
        "track": "software-engineering",
        "level": "se1",
        "competency": "ownership",
        "expectations": [bullet],
    }))?;
    service::apply_edit(state, &Actor::command_line(), &edit)
        .await
        .map_err(|e| anyhow!("the edit was refused: {}", e.public_message()))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cell_is_edited_in_place_without_reloading_the_page() {
    const BULLET: &str = "You write a runbook for every service you own.";
    journey("edit-cell", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/draft/tracks/software-engineering").await?;
        let before = s.driver.current_url().await?;
        s.script("window.__marker = 1; return null;").await?;

        s.find("#cell-se1-ownership button.edit-cell")
            .await?
            .click()
            .await?;
        let form = s.find("#cell-se1-ownership form.cell-form").await?;
        let text = form.find(By::Css("textarea[name=expectations]")).await?;
        text.clear().await?;
        text.send_keys(BULLET).await?;
        let mut save = None;
        for button in form.find_all(By::Css("button")).await? {
            if button.text().await?.trim() == "Save" {
                save = Some(button);
                break;
            }
        }
        save.ok_or_else(|| anyhow!("the cell form has no Save button"))?
            .click()
            .await?;

        let shows_bullet = format!(
            "Array.from(document.querySelectorAll('#cell-se1-ownership li'))\
               .some(li => li.textContent.includes({}))",
            serde_json::Value::from(BULLET)
        );
        s.wait_for("the cell to show the new bullet", &shows_bullet)
            .await?;
        let after = s.driver.current_url().await?;
        anyhow::ensure!(after == before, "the page moved from {before} to {after}");
        let marker = s.script("return window.__marker === 1;").await?;
        anyhow::ensure!(
            marker.as_bool() == Some(true),
            "the page was reloaded: the marker set before saving is gone"
        );

        // The change is in the draft, not only on the screen.
        s.open("/draft/tracks/software-engineering").await?;
        s.wait_for("the saved bullet after a reload", &shows_bullet)
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_the_draft_adds_a_version_with_its_note() {
    const NOTE: &str = "Ownership at level one now asks for runbooks.";
    journey("publish", async |s| {
        edit_cell(
            &s.app.state,
            "You write a runbook for every service you own.",
        )
        .await?;
        s.sign_in_as_admin().await?;
        s.open("/draft/publish").await?;
        s.find("#note").await?.send_keys(NOTE).await?;
        s.find("form[action='/draft/publish'] button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/versions").await?;
        let text = s.page_text().await?;
        anyhow::ensure!(
            text.contains("Version 2"),
            "the history does not show version 2:\n{text}"
        );
        anyhow::ensure!(
            text.contains(NOTE),
            "the history does not show the note:\n{text}"
        );
        Ok(())
    })
    .await;
}
