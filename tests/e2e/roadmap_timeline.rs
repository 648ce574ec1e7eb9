//! The roadmap's timeline: an admin gives two checklist items due dates, one past and one to
//! come, then opens the timeline at desktop and phone size, finds them placed either side of
//! today with the past one marked overdue, and follows an item's link back to it in the list.

use anyhow::anyhow;

use crate::harness::journey;

/// The day `days` after today (before it when negative), `YYYY-MM-DD`.
fn day(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .expect("a day")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_the_roadmap_as_a_timeline_on_a_desktop_and_a_phone() {
    journey("roadmap-timeline", async |s| {
        s.sign_in_as_admin().await?;
        for (title, due) in [
            ("Send the findings to leadership", day(-12)),
            ("Agree how we will measure success", day(25)),
        ] {
            s.open("/admin/rollout/roadmap").await?;
            s.find("#add-planning summary").await?.click().await?;
            s.find("#add-planning input[name=title]")
                .await?
                .send_keys(title)
                .await?;
            s.fill_date("#add-planning input[name=due_on]", &due)
                .await?;
            s.find("#add-planning button[type=submit]")
                .await?
                .click()
                .await?;
            s.wait_for(
                "the roadmap with the new item",
                &format!(
                    "document.readyState === 'complete' && \
                     document.body.textContent.includes('due {due}')"
                ),
            )
            .await?;
        }
        s.open("/admin/rollout/roadmap").await?;
        s.find(".view-switch a[href='/admin/rollout/roadmap?view=timeline']")
            .await?
            .click()
            .await?;
        s.wait_for_path("/admin/rollout/roadmap").await?;
        s.wait_for(
            "the timeline",
            "document.readyState === 'complete' && document.querySelector('svg.timeline') !== null",
        )
        .await?;
        // Where the browser draws them: the overdue item left of today, the other right of it.
        let placed = s
            .script(
                "const x = el => el.getBoundingClientRect().left + el.getBoundingClientRect().width / 2; \
                 const overdue = document.querySelector('svg.timeline a.entry.overdue .marker'); \
                 const open = [...document.querySelectorAll('svg.timeline a.entry.open')] \
                   .find(a => a.getAttribute('aria-label').startsWith('Agree how we will measure')); \
                 const today = document.querySelector('svg.timeline .today line'); \
                 return [x(overdue), x(today), x(open.querySelector('.marker'))];",
            )
            .await?;
        let xs: Vec<f64> = placed
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default();
        if xs.len() != 3 || !(xs[0] < xs[1] && xs[1] < xs[2]) {
            return Err(anyhow!(
                "the items are not either side of today: {placed}"
            ));
        }
        let text = s.page_text().await?;
        if !text.contains("1 overdue item") || !text.contains("The same items by stage") {
            return Err(anyhow!("the timeline page does not say what is overdue: {text}"));
        }
        s.screenshot("roadmap-timeline-desktop").await?;

        s.as_phone().await?;
        s.open("/admin/rollout/roadmap?view=timeline").await?;
        // The timeline scrolls sideways inside its frame; the page itself does not.
        let fits = s
            .script(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1 && \
                 document.querySelector('.timeline-wrap').scrollWidth > \
                 document.querySelector('.timeline-wrap').clientWidth;",
            )
            .await?;
        if fits != serde_json::json!(true) {
            return Err(anyhow!("on a phone the page scrolls sideways, not the timeline"));
        }
        s.screenshot("roadmap-timeline-phone").await?;
        // An item's link leads to it in the list.
        let href = s
            .script("return document.querySelector('svg.timeline a.entry.overdue').getAttribute('href');")
            .await?;
        let href = href
            .as_str()
            .ok_or_else(|| anyhow!("the overdue item has no link"))?
            .to_owned();
        s.open(&href).await?;
        let id = href.rsplit('#').next().unwrap_or_default();
        let found = s
            .script(&format!(
                "return document.getElementById('{id}').classList.contains('overdue');"
            ))
            .await?;
        if found != serde_json::json!(true) {
            return Err(anyhow!("the link does not lead to the overdue item: {href}"));
        }
        Ok(())
    })
    .await;
}
