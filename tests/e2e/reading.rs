//! Reading the framework: a track's matrix and the comparison of two levels.

use thirtyfour::components::SelectElement;

use crate::harness::journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_track_shows_its_levels_and_competencies_as_a_matrix() {
    journey("track-matrix", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/tracks/software-engineering").await?;
        let matrix = s.find("table.matrix").await?;
        let headings = matrix
            .find(thirtyfour::By::Css("thead"))
            .await?
            .text()
            .await?;
        for title in [
            "Software Engineer I",
            "Software Engineer II",
            "Principal Engineer",
        ] {
            anyhow::ensure!(
                headings.contains(title),
                "the matrix has no column `{title}`: {headings}"
            );
        }
        let rows = matrix
            .find_all(thirtyfour::By::Css("th.competency"))
            .await?;
        let mut names = Vec::new();
        for row in &rows {
            names.push(row.text().await?);
        }
        anyhow::ensure!(
            names
                .iter()
                .any(|n| n.trim_start().starts_with("Ownership")),
            "the matrix has no Ownership row: {names:?}"
        );
        let cell = s.find("#cell-se1-ownership li").await?.text().await?;
        anyhow::ensure!(!cell.trim().is_empty(), "the se1 ownership cell is empty");
        s.screenshot("track-software-engineering").await?;
        s.as_phone().await?;
        s.screenshot("track-software-engineering-phone").await?;
        s.as_desktop().await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comparing_two_levels_shows_what_is_new() {
    journey("compare-levels", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/compare").await?;
        SelectElement::new(&s.find("#from").await?)
            .await?
            .select_by_value("software-engineering/se1")
            .await?;
        SelectElement::new(&s.find("#to").await?)
            .await?
            .select_by_value("software-engineering/se2")
            .await?;
        s.find("form.compare-form button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the comparison table",
            "location.search.includes('se2') && document.querySelector('table.delta')",
        )
        .await?;
        let added = s
            .find("table.delta")
            .await?
            .find_all(thirtyfour::By::Css("ins"))
            .await?;
        anyhow::ensure!(
            !added.is_empty(),
            "the comparison of se1 and se2 shows nothing new"
        );
        Ok(())
    })
    .await;
}
