//! Adding a template to a draft that already has a library and tracks: the preview lists, item by
//! item, what the template describes differently, nothing is ticked, and the draft keeps everything
//! it had unless the admin ticks an item, which then is the only thing that changes.

use anyhow::{Context, anyhow, ensure};
use serde_json::Value;
use trellis::architecture::templates;

use crate::harness::{Session, journey};

/// The draft as the API gives it to the signed-in admin, read with the browser's own session.
async fn draft(s: &Session) -> anyhow::Result<Value> {
    let answer = s
        .driver
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            fetch('/api/v1/draft', { credentials: 'same-origin', headers: { accept: 'application/json' } })
                .then(r => r.json())
                .then(done)
                .catch(e => done({ error: String(e) }));"#,
            Vec::new(),
        )
        .await
        .context("reading the draft from the API")?;
    let answer = answer.json().clone();
    ensure!(answer.get("error").is_none(), "the API answered {answer}");
    answer
        .get("framework")
        .cloned()
        .ok_or_else(|| anyhow!("no framework in {answer}"))
}

/// The item with this key in a list of the framework (competencies, categories, grades, tracks).
fn item<'a>(fw: &'a Value, list: &str, key: &str) -> anyhow::Result<&'a Value> {
    fw[list]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["key"] == key))
        .ok_or_else(|| anyhow!("no {key} in the draft's {list}"))
}

/// The keys of a list, in order.
fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["key"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Asks for the preview of the data template and waits for the new page with its differences.
async fn show_what_changes(s: &Session) -> anyhow::Result<()> {
    s.script("window.__before_preview = true; return null;")
        .await?;
    s.find("button[name=step][value=preview]")
        .await?
        .click()
        .await?;
    s.wait_for(
        "the preview of what adding the template changes",
        "!window.__before_preview && document.readyState === 'complete' \
         && document.querySelector('fieldset.differences')",
    )
    .await?;
    s.check_accessibility().await
}

/// Adds the template with what is ticked, and returns the message the editor then shows.
async fn add_to_the_draft(s: &Session) -> anyhow::Result<String> {
    s.find("button[name=step][value=add]")
        .await?
        .click()
        .await?;
    s.wait_for_path("/draft").await?;
    Ok(s.find(".flash[role=status]").await?.text().await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_template_keeps_the_draft_unless_an_item_is_ticked() {
    journey("template-merge", async |s| {
        s.sign_in_as_admin().await?;
        s.open("/draft/templates").await?;
        s.find("a[href='/draft/templates/data']")
            .await?
            .click()
            .await?;
        s.wait_for_path("/draft/templates/data").await?;
        let before = draft(s).await?;

        show_what_changes(s).await?;
        let listed = s
            .script(
                "return Array.from(document.querySelectorAll('fieldset.differences .difference'))\
                   .map(d => { const box = d.querySelector('input[type=checkbox][name=take]'); return {\
                     subject: d.querySelector('caption') ? d.querySelector('caption').textContent.trim() : '',\
                     rows: d.querySelectorAll('tbody tr').length,\
                     id: box ? box.value : null,\
                     ticked: box ? box.checked : null,\
                     label: box && box.labels.length ? box.labels[0].textContent.trim() : '' }; });",
            )
            .await?;
        let listed = listed.as_array().cloned().unwrap_or_default();
        ensure!(
            listed.len() >= 2,
            "the preview lists each item the template describes differently: {listed:?}"
        );
        for d in &listed {
            ensure!(d["id"].is_string(), "each item has its own checkbox: {d}");
            ensure!(d["ticked"] == false, "nothing is ticked at first: {d}");
            ensure!(
                d["subject"].as_str().is_some_and(|t| !t.is_empty()),
                "each item is named: {d}"
            );
            ensure!(
                d["rows"].as_u64().is_some_and(|n| n >= 1),
                "each item shows what differs: {d}"
            );
            ensure!(
                d["label"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("Use the file's version of")),
                "each checkbox says what ticking it does: {d}"
            );
        }
        ensure!(
            listed.iter().any(|d| d["id"] == "competency:communication"),
            "the library's Communication is described differently: {listed:?}"
        );
        let text = s.page_text().await?;
        ensure!(text.contains("What adding it would change"), "{text}");

        s.as_phone().await?;
        s.check_accessibility().await?;
        s.screenshot("template-merge-phone").await?;
        s.script("document.querySelector('fieldset.differences').scrollIntoView(); return null;")
            .await?;
        s.screenshot("template-merge-phone-differences").await?;
        let fits = s
            .script("return document.documentElement.scrollWidth <= window.innerWidth;")
            .await?;
        ensure!(
            fits.as_bool() == Some(true),
            "the preview fits the phone's width without scrolling sideways"
        );
        s.as_desktop().await?;

        // Nothing ticked: the draft keeps everything it had, and only gains what is new.
        let said = add_to_the_draft(s).await?;
        ensure!(
            said.contains("The track Data Science and Analytics was added to the draft."),
            "{said}"
        );
        ensure!(
            said.contains(&format!(
                "The draft kept its own version of {} items the template describes differently.",
                listed.len()
            )),
            "{said}"
        );
        ensure!(!said.contains("replaced"), "{said}");
        ensure!(
            said.contains("See what changed since the published version"),
            "{said}"
        );
        let after = draft(s).await?;
        for key in ["communication", "mentoring"] {
            ensure!(
                item(&after, "competencies", key)? == item(&before, "competencies", key)?,
                "the library's {key} is as it was"
            );
        }
        let rows = |fw: &Value| -> anyhow::Result<Value> {
            Ok(item(fw, "tracks", "software-engineering")?["competencies"].clone())
        };
        ensure!(
            rows(&after)? == rows(&before)?,
            "Software Engineering's rows keep their order"
        );
        ensure!(
            keys(&after["grades"]) == keys(&before["grades"]),
            "the grades keep their order: {:?}",
            keys(&after["grades"])
        );
        for list in ["categories", "competencies", "grades", "tracks"] {
            for key in keys(&before[list]) {
                ensure!(
                    item(&after, list, &key)? == item(&before, list, &key)?,
                    "{key} in {list} is as it was"
                );
            }
            let kept: Vec<String> = keys(&after[list])
                .into_iter()
                .filter(|k| keys(&before[list]).contains(k))
                .collect();
            ensure!(kept == keys(&before[list]), "{list} keep their order");
        }
        ensure!(
            item(&after, "tracks", "data-science").is_ok(),
            "the template's track was added"
        );

        // One item ticked: only that item takes the template's version.
        s.open("/draft/templates/data").await?;
        show_what_changes(s).await?;
        s.find("input[name=take][value='competency:communication']")
            .await?
            .click()
            .await?;
        let said = add_to_the_draft(s).await?;
        ensure!(
            said.contains("The template's version replaced the draft's for 1 item."),
            "{said}"
        );
        let changed = draft(s).await?;
        let template = templates::template(&trellis::auth::Actor::command_line(), "data").map_err(|e| anyhow!("{}", e.public_message()))?;
        let theirs = template
            .framework
            .competency("communication")
            .ok_or_else(|| anyhow!("the data template has no Communication"))?;
        let mut expected = after.clone();
        let list = expected["competencies"]
            .as_array_mut()
            .ok_or_else(|| anyhow!("no competencies"))?;
        let at = list
            .iter()
            .position(|c| c["key"] == "communication")
            .ok_or_else(|| anyhow!("no communication"))?;
        list[at] = serde_json::to_value(theirs)?;
        ensure!(
            item(&changed, "competencies", "communication")?["description"]
                == theirs.description.clone().map_or(Value::Null, Value::from),
            "Communication now has the template's description"
        );
        ensure!(
            changed == expected,
            "nothing but Communication changed:\n{changed:#}\nexpected:\n{expected:#}"
        );
        Ok(())
    })
    .await;
}
