//! The rollout: an admin takes the readiness self-check and reads the advice, then ticks a roadmap
//! item and finds it still ticked after reloading.

use anyhow::anyhow;

use crate::harness::journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_takes_the_self_check_and_reads_what_to_do_next() {
    journey("rollout-self-check", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/admin/rollout/self-check").await?;
        let choices = [
            ("competencies", "no"),
            ("levels", "defined"),
            ("tracks", "no"),
            ("benefit_development", "4"),
            ("benefit_culture", "3"),
            ("benefit_recruiting", "3"),
            ("benefit_roadmaps", "4"),
            ("benefit_reviews", "2"),
            ("benefit_retention", "5"),
            ("top_benefit", "retention"),
            ("stage", "awareness"),
        ];
        for (name, value) in choices {
            s.find(&format!("input[type=radio][name='{name}'][value='{value}']"))
                .await?
                .click()
                .await?;
        }
        s.find("textarea[name=why]")
            .await?
            .send_keys("People leave us to be promoted elsewhere.")
            .await?;
        s.find("form.self-check button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for(
            "the result of the self-check",
            "location.pathname.startsWith('/admin/rollout/self-check/') && \
             document.querySelector('.advice-list') !== null",
        )
        .await?;
        let text = s.page_text().await?;
        if !text.contains("Define your competencies first") {
            return Err(anyhow!("the advice does not start with competencies: {text}"));
        }
        let first_link = s
            .script(
                "return document.querySelector('#advice-define_competencies a').getAttribute('href');",
            )
            .await?;
        if first_link != serde_json::json!("/competencies") {
            return Err(anyhow!(
                "the advice does not link to the competency library: {first_link}"
            ));
        }
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticked_roadmap_item_stays_ticked_after_a_reload() {
    journey("rollout-roadmap-tick", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/admin/rollout/roadmap").await?;
        let id = s
            .script("return document.querySelector('#stage-planning li.check-item').id;")
            .await?;
        let id = id
            .as_str()
            .ok_or_else(|| anyhow!("the planning checklist has no item"))?
            .to_owned();
        s.find(&format!("#{id} button.tick")).await?.click().await?;
        s.wait_for(
            "the roadmap after the tick",
            &format!(
                "document.readyState === 'complete' && \
                 document.querySelector('#{id}') !== null && \
                 document.querySelector('#{id}').classList.contains('done')"
            ),
        )
        .await?;
        s.open("/admin/rollout/roadmap").await?;
        let ticked = s
            .script(&format!(
                "return document.querySelector('#{id}').classList.contains('done') && \
                 document.querySelector('#{id} button.tick').getAttribute('aria-pressed') === 'true';"
            ))
            .await?;
        if ticked != serde_json::json!(true) {
            return Err(anyhow!("the item is not ticked after a reload"));
        }
        let progress = s.page_text().await?;
        if !progress.contains("1 of 5 done") {
            return Err(anyhow!("the planning stage does not count the tick: {progress}"));
        }
        Ok(())
    })
    .await;
}
