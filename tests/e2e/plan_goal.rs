//! A plan goal created from a gap: Sam opens his gaps to the next level, creates a goal from the
//! first gap with one click, lands on the new goal, finds it on his plan, and works on it (adds an
//! action and ticks it).

use anyhow::{Context, anyhow, ensure};
use thirtyfour::By;
use trellis::auth::password::Cost;

use crate::harness::{Session, journey};

pub const SAM: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");

/// Signs in through the form and waits for the page it lands on.
pub async fn sign_in(s: &Session, (email, password): (&str, &str)) -> anyhow::Result<()> {
    s.open("/login").await?;
    s.submit_login(email, password).await?;
    s.wait_for(
        &format!("{email} to be signed in"),
        "location.pathname !== '/login' && document.readyState === 'complete'",
    )
    .await
}

/// The demo's people, with their managers and positions, and the id of one of them.
pub async fn directory_with(s: &Session, email: &str) -> anyhow::Result<i64> {
    trellis::demo::seed_directory(&s.app.state, Cost::Test)
        .await
        .map_err(|e| anyhow!("seeding the demo directory failed: {e}"))?;
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(s.app.state.db().pool())
        .await
        .with_context(|| format!("{email} is in the directory"))
}

/// Waits until the page has loaded and shows this text.
pub async fn wait_for_text(s: &Session, what: &str, text: &str) -> anyhow::Result<()> {
    s.wait_for(
        what,
        &format!(
            "document.readyState === 'complete' && document.body.textContent.includes({})",
            serde_json::Value::from(text)
        ),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_goal_is_created_from_a_gap_in_one_click() {
    journey("plan-goal-from-gap", async |s| {
        let sam = directory_with(s, SAM.0).await?;
        sign_in(s, SAM).await?;
        s.open(&format!(
            "/people/{sam}/gaps?position=software-engineering/se2"
        ))
        .await?;
        let form = s
            .find(&format!("form[action='/people/{sam}/plan/goals']"))
            .await?;
        let title = form
            .find(By::Css("input[name=title]"))
            .await?
            .value()
            .await?
            .ok_or_else(|| anyhow!("the gap's form has no title"))?;
        form.find(By::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        s.wait_for(
            "the new goal's page",
            "location.pathname.startsWith('/goals/') && document.readyState === 'complete'",
        )
        .await?;
        let goal_path = s.path().await?;
        let heading = s.find("h1").await?.text().await?;
        ensure!(heading == title, "the goal is called {heading:?}, not {title:?}");
        let page = s.page_text().await?;
        ensure!(
            page.contains("Software Engineer II"),
            "the goal names its target level: {page}"
        );
        ensure!(page.contains("Not started"), "a new goal is not started: {page}");

        // The goal is on Sam's plan.
        s.find(&format!("nav.crumbs a[href='/people/{sam}/plan']"))
            .await?
            .click()
            .await?;
        s.wait_for_path(&format!("/people/{sam}/plan")).await?;
        let plan = s.page_text().await?;
        ensure!(plan.contains(&title), "the plan lists the goal: {plan}");
        ensure!(plan.contains("1 active goal"), "the plan counts it: {plan}");

        // Sam breaks it into an action and ticks it.
        s.find(&format!("a[href='{goal_path}']")).await?.click().await?;
        s.wait_for_path(&goal_path).await?;
        let action = s.find("#new-action_title").await?;
        action.send_keys("Pair with June on a design review").await?;
        s.find("#new-action button[type=submit]")
            .await?
            .click()
            .await?;
        wait_for_text(s, "the new action", "Pair with June on a design review").await?;
        s.find("ul.action-list button.done-toggle").await?.click().await?;
        s.wait_for(
            "the action to be ticked",
            "document.readyState === 'complete' && document.querySelector('ul.action-list li.is-done') !== null",
        )
        .await?;
        Ok(())
    })
    .await;
}
