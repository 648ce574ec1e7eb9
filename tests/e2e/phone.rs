//! On a phone: Iris, a manager, and Sam, her report, open the pages they use every week in a
//! 390 by 844 viewport. No page scrolls sideways; the team view and the other lists of people and
//! records show a card per row, each line labelled; desktop keeps the tables.

use anyhow::{Context, anyhow, ensure};
use trellis::auth::password::Cost;

use crate::harness::{Session, journey};
use crate::plan_goal::sign_in;

const IRIS: (&str, &str) = ("iris.brook@demo.trellis.test", "demo-manager-pass");
const SAM: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");

/// Fails when the page is wider than the viewport, naming the widest element that sticks out.
async fn fits_the_screen(s: &Session, path: &str) -> anyhow::Result<()> {
    s.open(path).await?;
    let fit = s
        .script(
            "const w = window.innerWidth;
             const out = [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 1)
               .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
             return [document.documentElement.scrollWidth, w, out.slice(0, 5).join(', ')];",
        )
        .await?;
    let scroll = fit[0].as_u64().context("the page's width")?;
    let width = fit[1].as_u64().context("the viewport's width")?;
    ensure!(
        scroll <= width,
        "{path} scrolls sideways on a phone: {scroll} > {width} ({})",
        fit[2]
    );
    Ok(())
}

/// How the first row of the first table of `css` is laid out, and its first labelled cell's label.
async fn first_row(s: &Session, css: &str) -> anyhow::Result<(String, String)> {
    let row = s
        .script(&format!(
            "const t = document.querySelector({css});
             const tr = t.querySelector('tbody tr');
             const td = tr.querySelector('td[data-label]');
             return [getComputedStyle(tr).display, getComputedStyle(td, '::before').content];",
            css = serde_json::Value::from(css)
        ))
        .await?;
    Ok((
        row[0].as_str().unwrap_or_default().to_owned(),
        row[1].as_str().unwrap_or_default().to_owned(),
    ))
}

/// The form controls matching `css` that do not look like the design system's: its border colour,
/// corner radius, height and text size.
async fn unstyled_controls(s: &Session, css: &str) -> anyhow::Result<Vec<String>> {
    let odd = s
        .script(&format!(
            "return [...document.querySelectorAll({css})].filter(c => {{
               const st = getComputedStyle(c);
               return st.borderTopColor !== 'rgb(118, 127, 140)' || st.borderTopLeftRadius !== '6px'
                 || parseFloat(st.minHeight) < 40 || st.fontSize !== '16px';
             }}).map(c => c.outerHTML.slice(0, 120));",
            css = serde_json::Value::from(css)
        ))
        .await?;
    Ok(odd
        .as_array()
        .map(|a| a.iter().map(ToString::to_string).collect())
        .unwrap_or_default())
}

async fn id_of(s: &Session, email: &str) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(s.app.state.db().pool())
        .await
        .with_context(|| format!("{email} is in the directory"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_and_a_report_use_trellis_on_a_phone_without_scrolling_sideways() {
    journey("phone", async |s| {
        trellis::demo::seed_directory(&s.app.state, Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the demo directory failed: {e}"))?;
        trellis::demo::seed_growth(&s.app.state)
            .await
            .map_err(|e| anyhow!("seeding the demo's growth failed: {e}"))?;
        let sam = id_of(s, SAM.0).await?;
        let goal: i64 =
            sqlx::query_scalar("SELECT id FROM goals WHERE person_id = $1 ORDER BY id LIMIT 1")
                .bind(sam)
                .fetch_one(s.app.state.db().pool())
                .await
                .context("Sam has a goal")?;

        sign_in(s, IRIS).await?;
        // Desktop keeps the table.
        s.open("/team").await?;
        let (display, _) = first_row(s, "table.team-table").await?;
        ensure!(
            display == "table-row",
            "a desktop shows the team as a table: {display}"
        );

        s.as_phone().await?;
        for path in [
            "/home".to_owned(),
            "/team".to_owned(),
            "/team?chain=1".to_owned(),
            "/people".to_owned(),
            format!("/people/{sam}"),
            format!("/people/{sam}/checkins"),
            format!("/people/{sam}/plan"),
            format!("/goals/{goal}"),
            "/one-on-ones".to_owned(),
            "/dashboard".to_owned(),
            "/nominations".to_owned(),
        ] {
            fits_the_screen(s, &path).await?;
        }

        // The team view: a card per report, each cell a line with its label, the flags shown.
        s.open("/team").await?;
        let (display, label) = first_row(s, "table.team-table").await?;
        ensure!(
            display == "block",
            "a phone shows each report as a card: {display}"
        );
        ensure!(label == "\"Position\"", "each line is labelled: {label}");
        let flags = s
            .script(
                "return [...document.querySelectorAll('table.team-table .attention-list .flag')]
                   .filter(f => f.getBoundingClientRect().width > 0).length",
            )
            .await?;
        ensure!(
            flags.as_u64().is_some_and(|n| n > 0),
            "the flags of the reports who need attention are visible: {flags}"
        );
        let heading = s
            .script(
                "const th = document.querySelector('table.team-table tbody th[scope=row]');
                 return [th.getBoundingClientRect().width, th.querySelectorAll('a').length]",
            )
            .await?;
        ensure!(
            heading[0].as_f64().is_some_and(|w| w > 250.0)
                && heading[1].as_u64().is_some_and(|n| n >= 2),
            "the name and the links head the card across its width: {heading}"
        );
        s.screenshot("phone-team").await?;
        s.open("/home").await?;
        s.screenshot("phone-home").await?;

        // The other lists turn into cards too.
        for (path, table) in [
            ("/people".to_owned(), "table.people"),
            (format!("/people/{sam}/checkins"), "table.checkin-list"),
            ("/one-on-ones".to_owned(), "table.one-on-ones"),
        ] {
            s.open(&path).await?;
            let (display, label) = first_row(s, table).await?;
            ensure!(
                display == "block" && label.len() > 2,
                "{path} shows a card per row with labelled lines: {display} {label}"
            );
        }

        // Sam, the report, on his own pages.
        s.driver.delete_all_cookies().await?;
        sign_in(s, SAM).await?;
        for path in [
            "/home".to_owned(),
            format!("/people/{sam}/plan"),
            format!("/goals/{goal}"),
            format!("/people/{sam}/checkins"),
            "/one-on-ones".to_owned(),
            "/people".to_owned(),
        ] {
            fits_the_screen(s, &path).await?;
        }
        // The search box of the directory and its filters look like every other field.
        s.open("/people").await?;
        let odd = unstyled_controls(
            s,
            "form.filters input:not([type=checkbox]), form.filters select",
        )
        .await?;
        ensure!(
            odd.is_empty(),
            "the directory's filters are unstyled: {odd:?}"
        );
        s.screenshot("phone-people").await?;
        // Every date field is the same picker, styled like the other fields.
        s.open(&format!("/goals/{goal}")).await?;
        let odd = unstyled_controls(s, "input[type=date], input[type=text], select").await?;
        ensure!(odd.is_empty(), "the goal's fields differ: {odd:?}");
        let dates = s
            .script(
                "return [...document.querySelectorAll('input[name$=_on], input[name$=_date]')]
                   .map(i => i.type + ' ' + (i.closest('.date-field') ? 'field' : 'loose'))",
            )
            .await?;
        let dates = dates.as_array().context("the date fields")?;
        ensure!(
            !dates.is_empty() && dates.iter().all(|d| d == "date field"),
            "every date on the goal page is a date picker: {dates:?}"
        );

        // The People team's filters: the audit log and the dashboard, on a phone too.
        s.driver.delete_all_cookies().await?;
        s.sign_in_as_admin().await?;
        for path in ["/admin/audit", "/dashboard"] {
            fits_the_screen(s, path).await?;
            let odd = unstyled_controls(
                s,
                "form.filters input:not([type=checkbox]), form.filters select",
            )
            .await?;
            ensure!(
                odd.is_empty(),
                "the filters of {path} are unstyled: {odd:?}"
            );
        }
        Ok(())
    })
    .await;
}
