//! How the product looks at desktop and phone sizes: the navigation collapses behind a Menu on a
//! phone and opens, the matrix reads level by level there and marks where the reader stands.

use crate::harness::{Session, journey};

const SAM: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");

/// Whether the first element matching `css` is shown: laid out, not hidden by the stylesheet, not
/// inside a closed disclosure.
async fn shown(s: &Session, css: &str) -> anyhow::Result<bool> {
    let css = serde_json::to_string(css)?;
    let seen = s
        .script(&format!(
            "var e = document.querySelector({css}); \
             return !!e && e.checkVisibility({{ visibilityProperty: true }});"
        ))
        .await?;
    Ok(seen.as_bool() == Some(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_pages_read_well_on_a_desktop_and_on_a_phone() {
    journey("look", async |s| {
        // Sam's position (Software Engineer I) comes with the demo's directory.
        crate::plan_goal::directory_with(s, SAM.0).await?;
        s.open("/login").await?;
        s.submit_login(SAM.0, SAM.1).await?;
        s.wait_for_path("/home").await?;

        // Desktop: the full navigation; the matrix as a table with the reader's level marked.
        s.open("/tracks/software-engineering").await?;
        anyhow::ensure!(
            shown(s, "nav.nav-wide").await?,
            "no navigation bar on a desktop"
        );
        anyhow::ensure!(!shown(s, ".nav-menu").await?, "the Menu shows on a desktop");
        anyhow::ensure!(
            shown(s, "table.matrix").await?,
            "no matrix table on a desktop"
        );
        let here = s.find("table.matrix th.here").await?.text().await?;
        anyhow::ensure!(
            here.contains("You are here") && here.contains("Software Engineer I"),
            "the reader's level is not marked: {here}"
        );
        let next = s.find("table.matrix th.next").await?.text().await?;
        anyhow::ensure!(
            next.contains("Next"),
            "the next level is not marked: {next}"
        );
        s.screenshot("look-track-desktop").await?;

        // Phone: the navigation collapses behind Menu, which opens without any script of ours.
        s.as_phone().await?;
        anyhow::ensure!(
            !shown(s, "nav.nav-wide").await?,
            "the navigation bar shows on a phone"
        );
        anyhow::ensure!(
            shown(s, ".nav-menu > summary").await?,
            "no Menu button on a phone"
        );
        anyhow::ensure!(
            !shown(s, ".nav-menu nav a[href='/tracks']").await?,
            "the menu is open before it is asked for"
        );
        s.screenshot("look-track-phone").await?;
        // The matrix reads level by level: sections, not the wide table.
        anyhow::ensure!(
            !shown(s, "table.matrix").await?,
            "the wide table shows on a phone"
        );
        anyhow::ensure!(
            shown(s, ".matrix-level.here").await?,
            "no level sections on a phone"
        );
        let first = s.find(".matrix-level.here h2").await?.text().await?;
        anyhow::ensure!(
            first.contains("You are here"),
            "the reader's level: {first}"
        );
        s.find(".nav-menu > summary").await?.click().await?;
        s.wait_for(
            "the menu to open",
            "document.querySelector('.nav-menu').open",
        )
        .await?;
        anyhow::ensure!(
            shown(s, ".nav-menu nav a[href='/tracks']").await?,
            "the open menu hides its links"
        );
        anyhow::ensure!(
            shown(s, ".menu-signout button").await?,
            "the open menu has no sign-out"
        );
        s.screenshot("look-menu-open-phone").await?;

        // Other pages at the phone's size, then at the desktop's.
        for (path, name) in [("/home", "home"), ("/people", "people")] {
            s.open(path).await?;
            s.screenshot(&format!("look-{name}-phone")).await?;
        }
        s.as_desktop().await?;
        s.open("/people").await?;
        s.screenshot("look-people-desktop").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_filters_are_styled_and_hide_sign_ins() {
    journey("look-audit", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/admin/audit").await?;
        let border = s
            .script("return getComputedStyle(document.querySelector('#f-actor')).borderTopColor;")
            .await?;
        anyhow::ensure!(
            border.as_str() == Some("rgb(118, 127, 140)"),
            "the Who field is not styled like the other controls: {border}"
        );
        s.find("input[name=hide_sign_ins]").await?.click().await?;
        s.find("form.filters button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the filtered log",
            "location.search.indexOf('hide_sign_ins=1') >= 0 && document.readyState === 'complete'",
        )
        .await?;
        let listed = s
            .script(
                "return Array.from(document.querySelectorAll('table.audit td'))\
                 .some(function (td) { return td.textContent.trim() === 'Signed in'; });",
            )
            .await?;
        anyhow::ensure!(listed.as_bool() == Some(false), "sign-ins are still listed");
        s.screenshot("look-audit-desktop").await?;
        s.as_phone().await?;
        s.screenshot("look-audit-phone").await?;
        s.as_desktop().await?;
        Ok(())
    })
    .await;
}
