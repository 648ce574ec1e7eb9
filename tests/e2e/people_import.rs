//! Importing people from a CSV file: upload, preview, apply, and find the new person in the list.

use anyhow::anyhow;

use crate::harness::journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_previews_and_applies_a_csv_of_people() {
    journey("people-import", async |s| {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("hris.csv");
        std::fs::write(
            &file,
            "email,name,team,track,level,start_date\n\
             grace@demo.trellis.test,Grace Hopper,Compilers,software-engineering,se2,2024-02-01\n",
        )?;
        s.sign_in_as_admin().await?;
        s.open("/people/import").await?;
        s.find("#file")
            .await?
            .send_keys(file.display().to_string())
            .await?;
        s.find("form.stack button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the preview",
            "document.querySelector('section.preview') !== null",
        )
        .await?;
        let preview = s.page_text().await?;
        if !preview.contains("1 added") || !preview.contains("1 position recorded") {
            return Err(anyhow!("the preview does not show the counts: {preview}"));
        }
        if !preview.contains("grace@demo.trellis.test") {
            return Err(anyhow!("the preview does not list the change: {preview}"));
        }
        s.find("section.preview button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the import to be applied",
            "document.querySelector('p.success') !== null",
        )
        .await?;
        s.open("/people").await?;
        let list = s.page_text().await?;
        if !list.contains("Grace Hopper") {
            return Err(anyhow!(
                "the people list does not show Grace Hopper: {list}"
            ));
        }
        Ok(())
    })
    .await;
}
