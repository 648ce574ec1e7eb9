//! The rollout: the readiness self-check and its advice, the roadmap with its checklists, and the
//! pilot that opens the Grow features to chosen teams first. Admins only, over pages and the API.

use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::Actor;
use trellis::error::AppError;
use trellis::people::directory::{self, PersonInput};
use trellis::rollout::pilot;
use trellis::rollout::roadmap;

use crate::helpers::{Organisation, Session, TestApp};

/// A complete self-check as the form sends it: no competencies yet, clear levels, tracks rated 3
/// except `scales` (1), at the awareness stage.
fn self_check_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("competencies", "no"),
        ("levels", "defined"),
        ("tracks", "yes"),
        ("statement_knows_track", "3"),
        ("statement_can_access", "3"),
        ("statement_drives_plans", "3"),
        ("statement_scales", "1"),
        ("statement_objective", "3"),
        ("statement_useful", "3"),
        ("statement_values", "3"),
        ("impact", "Fewer people leaving after two years."),
        ("benefit_development", "5"),
        ("benefit_culture", "3"),
        ("benefit_recruiting", "2"),
        ("benefit_roadmaps", "4"),
        ("benefit_reviews", "3"),
        ("benefit_retention", "5"),
        ("top_benefit", "retention"),
        ("why", "Our engineers leave for titles elsewhere."),
        ("stage", "awareness"),
    ]
}

/// The same answers as an API body.
fn self_check_json() -> serde_json::Value {
    json!({
        "competencies_defined": false,
        "levels": "defined",
        "tracks_exist": true,
        "statements": { "knows_track": 3, "can_access": 3, "drives_plans": 3, "scales": 1,
                        "objective": 3, "useful": 3, "values": 3 },
        "impact": "",
        "benefits": { "development": 5, "culture": 3, "recruiting": 2, "roadmaps": 4,
                      "reviews": 3, "retention": 5 },
        "top_benefit": "retention",
        "top_benefit_why": "Our engineers leave for titles elsewhere.",
        "stage": "awareness"
    })
}

fn with(
    form: &[(&'static str, &'static str)],
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    form.iter()
        .map(|(k, v)| {
            let v = changes
                .iter()
                .find(|(ck, _)| ck == k)
                .map_or(*v, |(_, cv)| *cv);
            (*k, v)
        })
        .collect()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.db().pool())
        .await
        .expect("count audit events")
}

fn location(res: &crate::helpers::Res) -> String {
    res.header("location").to_owned()
}

#[tokio::test]
async fn an_admin_takes_the_self_check_and_is_told_to_define_competencies_first() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let form = app
        .get("/admin/rollout/self-check")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(form.body.contains("Readiness self-check"));
    assert!(form.body.contains("name=\"statement_scales\""));
    let saved = app
        .post("/admin/rollout/self-check")
        .session(&admin)
        .form(&self_check_form())
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let result_path = location(&saved);
    assert!(result_path.starts_with("/admin/rollout/self-check/"));
    let result = app
        .get(&result_path)
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let body = &result.body;
    let first = body
        .find("Define your competencies first")
        .expect("the first advice");
    assert!(body.contains("href=\"/competencies\""), "the library");
    assert!(body.contains("href=\"/draft/templates\""), "the templates");
    assert!(body.contains("href=\"/draft/library#competencies\""));
    // `scales` rated 1: the development stage addresses it, with a link to it on the roadmap.
    let weak = body
        .find("Work on the Development stage")
        .expect("the weakest statement's stage");
    assert!(first < weak, "foundations come first");
    assert!(body.contains("/admin/rollout/roadmap#stage-development"));
    assert!(body.contains("(1/5)"));
    assert_eq!(audit_count(&app, "rollout.self_check").await, 1);
}

#[tokio::test]
async fn a_refused_self_check_comes_back_with_the_answers_and_the_reasons() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let bad = with(
        &self_check_form(),
        &[
            ("statement_scales", "6"),
            ("stage", "launch"),
            ("levels", ""),
        ],
    );
    let res = app
        .post("/admin/rollout/self-check")
        .session(&admin)
        .form(&bad)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let body = &res.body;
    assert!(body.contains("The self-check was not saved"));
    assert!(body.contains("“6” is not a rating: use a whole number from 1 to 5"));
    assert!(body.contains("“launch” is not a stage"));
    assert!(body.contains("Say whether you have job levels"));
    assert!(
        body.contains("Our engineers leave for titles elsewhere."),
        "what was typed is kept"
    );
    assert!(
        body.contains("name=\"benefit_retention\" value=\"5\" checked"),
        "the chosen ratings are kept"
    );
    assert!(body.contains("href=\"#selfcheck_statement_scales\""));
    assert!(body.contains("id=\"selfcheck_statement_scales\""));
    assert_eq!(audit_count(&app, "rollout.self_check").await, 0);
    // Without tracks, the statements are not asked.
    let no_tracks: Vec<(&str, &str)> = with(&self_check_form(), &[("tracks", "no")])
        .into_iter()
        .filter(|(k, _)| !k.starts_with("statement_"))
        .collect();
    app.post("/admin/rollout/self-check")
        .session(&admin)
        .form(&no_tracks)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_retake_keeps_the_earlier_answers_and_shows_the_change_per_statement() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let first = app
        .post("/admin/rollout/self-check")
        .session(&admin)
        .form(&self_check_form())
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let form = app
        .get("/admin/rollout/self-check")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        form.body
            .contains("name=\"statement_scales\" value=\"1\" checked"),
        "a retake starts from the last answers"
    );
    let better = with(
        &self_check_form(),
        &[
            ("competencies", "yes"),
            ("statement_scales", "4"),
            ("statement_useful", "2"),
            ("stage", "planning"),
        ],
    );
    let second = app
        .post("/admin/rollout/self-check")
        .session(&admin)
        .form(&better)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_ne!(location(&first), location(&second));
    // The first result is still there.
    let earlier = app
        .get(&location(&first))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(earlier.body.contains("A newer self-check exists"));
    let compare = app
        .get("/admin/rollout/self-check/compare")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        compare.body.contains("+3, better"),
        "scales went from 1 to 4"
    );
    assert!(
        compare.body.contains("−1, worse"),
        "useful went from 3 to 2"
    );
    assert!(compare.body.contains("no change"));
    assert!(compare.body.contains("<strong>Awareness</strong>"));
    assert!(compare.body.contains("<strong>Planning</strong>"));
    let latest = app
        .get("/api/v1/rollout/self-checks/latest")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let scales = latest["comparison"]["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["key"] == "scales")
        .expect("scales")
        .clone();
    assert_eq!(scales["earlier"], 1);
    assert_eq!(scales["latest"], 4);
    assert_eq!(scales["change"], 3);
    let list = app
        .get("/api/v1/rollout/self-checks")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(2), "both are kept");
    assert_eq!(list[0]["answers"]["stage"], "planning", "newest first");
    app.get("/admin/rollout/self-check/compare?earlier=987654")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_self_check_api_names_every_mistake_and_saves_a_new_row_each_time() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    app.get("/api/v1/rollout/self-checks/latest")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let mut bad = self_check_json();
    bad["statements"]["scales"] = json!(7);
    bad["benefits"]["culture"] = json!(0);
    bad["stage"] = json!("launch");
    bad["top_benefit"] = json!("profit");
    let res = app
        .post("/api/v1/rollout/self-checks")
        .bearer(&token)
        .json(&bad)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.header("content-type"), "application/problem+json");
    let problem = res.json();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "statements.scales",
            "benefits.culture",
            "top_benefit",
            "stage"
        ]
    );
    let created = app
        .post("/api/v1/rollout/self-checks")
        .bearer(&token)
        .json(&self_check_json())
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(created["advice"][0]["key"], "define_competencies");
    assert_eq!(created["answers"]["statements"]["scales"], 1);
    app.post("/api/v1/rollout/self-checks")
        .bearer(&token)
        .json(&self_check_json())
        .send()
        .await
        .expect(StatusCode::CREATED);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM self_checks")
        .fetch_one(app.state.db().pool())
        .await
        .expect("count");
    assert_eq!(count, 2);
}

#[tokio::test]
async fn employees_and_managers_cannot_reach_the_rollout() {
    let app = TestApp::demo().await;
    app.organisation().await;
    let employee = app.employee().await;
    let mia = sign_in_as(&app, "mia@demo.trellis.test").await;
    let item = roadmap::add_item(
        app.state.db(),
        &Actor::command_line(),
        roadmap::Stage::Planning,
        &roadmap::ItemInput {
            title: "Agree the objectives".into(),
            ..roadmap::ItemInput::default()
        },
    )
    .await
    .expect("an item");
    for who in [&employee, &mia] {
        for path in [
            "/admin",
            "/admin/rollout",
            "/admin/rollout/self-check",
            "/admin/rollout/self-check/compare",
            "/admin/rollout/roadmap",
            "/admin/rollout/roadmap.csv",
            "/admin/rollout/roadmap/print",
            "/admin/rollout/pilot",
            "/api/v1/rollout/self-checks",
            "/api/v1/rollout/roadmap",
            "/api/v1/rollout/pilot",
        ] {
            app.get(path)
                .session(who)
                .send()
                .await
                .expect(StatusCode::FORBIDDEN);
        }
        app.post("/admin/rollout/self-check")
            .session(who)
            .form(&self_check_form())
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        app.post(&format!("/admin/rollout/roadmap/items/{item}/tick"))
            .session(who)
            .form(&[("done", "1")])
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        app.put("/api/v1/rollout/pilot")
            .session(who)
            .json(&json!({ "audience": "pilot", "team_ids": [] }))
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        app.post("/admin/rollout/pilot/release")
            .session(who)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let done: Option<i64> = sqlx::query_scalar("SELECT done_at FROM roadmap_items WHERE id = $1")
        .bind(item)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the item");
    assert_eq!(done, None, "a refused tick changes nothing");
    // SCIM tokens provision people and nothing else.
    let scim = app.token("scim").await;
    app.get("/api/v1/rollout/roadmap")
        .bearer(&scim)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

async fn roadmap_json(app: &TestApp, admin: &Session) -> serde_json::Value {
    app.get("/api/v1/rollout/roadmap")
        .session(admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

fn stage<'a>(roadmap: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    roadmap["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == key)
        .expect("the stage")
}

fn titles(stage: &serde_json::Value) -> Vec<String> {
    stage["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_roadmap_starts_with_six_stages_and_their_checklists_made_once() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let page = app
        .get("/admin/rollout/roadmap")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    for key in [
        "awareness",
        "planning",
        "development",
        "training",
        "implementation",
        "measuring",
    ] {
        assert!(page.body.contains(&format!("id=\"stage-{key}\"")), "{key}");
    }
    assert!(
        page.body
            .contains("Current stage: <strong>Awareness</strong>")
    );
    let expected: usize = roadmap::Stage::ALL
        .iter()
        .map(|s| s.default_checklist().len())
        .sum();
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM roadmap_items")
            .fetch_one(app.state.db().pool())
            .await
            .expect("count")
    };
    assert_eq!(count().await, expected as i64);
    // Opening it again, over the pages or the API, adds nothing.
    app.get("/admin/rollout/roadmap")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let json = roadmap_json(&app, &admin).await;
    assert_eq!(count().await, expected as i64);
    assert_eq!(audit_count(&app, "rollout.roadmap_created").await, 1);
    assert_eq!(json["current"], "awareness");
    assert_eq!(
        stage(&json, "training")["purpose"],
        roadmap::Stage::Training.purpose()
    );
    assert_eq!(
        titles(stage(&json, "measuring")),
        roadmap::Stage::Measuring.default_checklist()
    );
}

#[tokio::test]
async fn items_are_added_edited_reordered_ticked_and_removed_without_javascript() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let org: Organisation = app.organisation().await;
    app.get("/admin/rollout/roadmap")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let added = app
        .post("/admin/rollout/roadmap/stages/training/items")
        .session(&admin)
        .form(&[
            ("title", "Record the manager workshop"),
            ("owner_email", "mia@demo.trellis.test"),
            ("due_on", "2031-05-01"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let anchor = location(&added);
    assert!(
        anchor.starts_with("/admin/rollout/roadmap#item-"),
        "{anchor}"
    );
    let id: i64 = anchor
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the item's id");
    let json = roadmap_json(&app, &admin).await;
    let training = titles(stage(&json, "training"));
    assert_eq!(
        training.last().map(String::as_str),
        Some("Record the manager workshop")
    );
    let item = stage(&json, "training")["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .expect("the new item")
        .clone();
    assert_eq!(item["owner"]["id"], org.mia);
    assert_eq!(item["due_on"], "2031-05-01");
    // Move it up twice: it becomes the first but one.
    for _ in 0..2 {
        app.post(&format!("/admin/rollout/roadmap/items/{id}/move"))
            .session(&admin)
            .form(&[("direction", "up")])
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
    }
    let json = roadmap_json(&app, &admin).await;
    let training = titles(stage(&json, "training"));
    assert_eq!(training[0], roadmap::Stage::Training.default_checklist()[0]);
    assert_eq!(training[1], "Record the manager workshop");
    // The first moves no further up.
    let first_id = stage(&json, "training")["items"][0]["id"]
        .as_i64()
        .expect("an id");
    app.post(&format!("/admin/rollout/roadmap/items/{first_id}/move"))
        .session(&admin)
        .form(&[("direction", "up")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        titles(stage(&roadmap_json(&app, &admin).await, "training")),
        training
    );
    // Edit, tick, untick.
    app.post(&format!("/admin/rollout/roadmap/items/{id}"))
        .session(&admin)
        .form(&[
            ("title", "Record the workshop for new managers"),
            ("owner_email", ""),
            ("due_on", ""),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/admin/rollout/roadmap/items/{id}/tick"))
        .session(&admin)
        .form(&[("done", "1")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get("/admin/rollout/roadmap")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("id=\"item-{id}\" class=\"check-item done\""))
    );
    assert!(page.body.contains("Record the workshop for new managers"));
    let json = roadmap_json(&app, &admin).await;
    let item = stage(&json, "training")["items"][1].clone();
    assert_eq!(item["done"], true);
    assert_eq!(item["owner"], serde_json::Value::Null);
    app.post(&format!("/admin/rollout/roadmap/items/{id}/tick"))
        .session(&admin)
        .form(&[("done", "0")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        stage(&roadmap_json(&app, &admin).await, "training")["items"][1]["done"],
        false
    );
    app.post(&format!("/admin/rollout/roadmap/items/{id}/remove"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(
        !titles(stage(&roadmap_json(&app, &admin).await, "training"))
            .contains(&"Record the workshop for new managers".to_owned())
    );
    app.post(&format!("/admin/rollout/roadmap/items/{id}/tick"))
        .session(&admin)
        .form(&[("done", "1")])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    for action in [
        "rollout.item_added",
        "rollout.item_moved",
        "rollout.item_updated",
        "rollout.item_done",
        "rollout.item_reopened",
        "rollout.item_removed",
    ] {
        assert!(audit_count(&app, action).await >= 1, "{action} is audited");
    }
}

#[tokio::test]
async fn the_roadmap_api_edits_items_and_stages() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let item = app
        .post("/api/v1/rollout/roadmap/stages/measuring/items")
        .bearer(&token)
        .json(&json!({ "title": "Publish the pulse results", "due_on": "2031-01-31" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let id = item["id"].as_i64().expect("an id");
    assert_eq!(item["stage"], "measuring");
    let order = app
        .post(&format!("/api/v1/rollout/roadmap/items/{id}/move"))
        .bearer(&token)
        .json(&json!({ "direction": "up" }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let position = order
        .as_array()
        .and_then(|items| items.iter().position(|i| i["id"] == id))
        .expect("in the list");
    assert_eq!(position + 2, order.as_array().map_or(0, Vec::len));
    let ticked = app
        .post(&format!("/api/v1/rollout/roadmap/items/{id}/tick"))
        .bearer(&token)
        .json(&json!({ "done": true }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(ticked["done"], true);
    let renamed = app
        .put(&format!("/api/v1/rollout/roadmap/items/{id}"))
        .bearer(&token)
        .json(&json!({ "title": "Publish the pulse results to everyone" }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(renamed["title"], "Publish the pulse results to everyone");
    assert_eq!(renamed["due_on"], serde_json::Value::Null, "a PUT replaces");
    let planned = app
        .put("/api/v1/rollout/roadmap/stages/planning")
        .bearer(&token)
        .json(&json!({
            "owner_email": "admin@demo.trellis.test", "starts_on": "2030-01-06",
            "ends_on": "2030-02-28", "notes": "Kickoff in the first week.", "status": "in_progress"
        }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(planned["status"], "in_progress");
    assert_eq!(planned["owner"]["email"], "admin@demo.trellis.test");
    assert_eq!(planned["late"], false);
    let json = app
        .get("/api/v1/rollout/roadmap")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(
        json["current"], "planning",
        "the stage in progress is the current one"
    );
    app.delete(&format!("/api/v1/rollout/roadmap/items/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.delete(&format!("/api/v1/rollout/roadmap/items/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.put("/api/v1/rollout/roadmap/stages/launch")
        .bearer(&token)
        .json(&json!({ "status": "done" }))
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    assert_eq!(audit_count(&app, "rollout.stage_updated").await, 1);
}

#[tokio::test]
async fn bad_plans_and_items_are_refused_with_their_reasons() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/admin/rollout/roadmap/stages/planning")
        .session(&admin)
        .form(&[
            ("owner_email", "nobody@demo.trellis.test"),
            ("starts_on", "2030-03-01"),
            ("ends_on", "2030-02-01"),
            ("status", "in_progress"),
            ("notes", "Keep this note"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("The end (2030-02-01) is before the start (2030-03-01)")
    );
    assert!(
        res.body.contains("value=\"2030-02-01\""),
        "the typed date is kept"
    );
    assert!(res.body.contains("Keep this note"));
    assert!(
        res.body.contains("id=\"plan-planning\" open"),
        "the form is open"
    );
    let res = app
        .post("/admin/rollout/roadmap/stages/planning")
        .session(&admin)
        .form(&[
            ("owner_email", "nobody@demo.trellis.test"),
            ("starts_on", "1 March"),
            ("ends_on", ""),
            ("status", "finished"),
            ("notes", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("“1 March” is not a date written YYYY-MM-DD")
    );
    assert!(res.body.contains("Choose a status"));
    let res = app
        .post("/admin/rollout/roadmap/stages/planning")
        .session(&admin)
        .form(&[
            ("owner_email", "nobody@demo.trellis.test"),
            ("status", "done"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("No one in the directory has the email nobody@demo.trellis.test")
    );
    app.post("/admin/rollout/roadmap/stages/launch")
        .session(&admin)
        .form(&[("status", "done")])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let long = "x".repeat(201);
    let res = app
        .post("/admin/rollout/roadmap/stages/awareness/items")
        .session(&admin)
        .form(&[("title", long.as_str()), ("due_on", "2030-02-30")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("An item has at most 200 characters"));
    assert!(
        res.body
            .contains("“2030-02-30” is not a date written YYYY-MM-DD")
    );
    assert!(res.body.contains("id=\"add-awareness\" open"));
    // The API answers the same with a problem document.
    let token = app.token("api").await;
    let problem = app
        .put("/api/v1/rollout/roadmap/stages/planning")
        .bearer(&token)
        .json(&json!({ "starts_on": "2030-03-01", "ends_on": "2030-02-01", "status": "done" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(problem["errors"][0]["field"], "ends_on");
    let problem = app
        .post("/api/v1/rollout/roadmap/stages/planning/items")
        .bearer(&token)
        .json(&json!({ "title": "" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(problem["errors"][0]["field"], "title");
    assert_eq!(audit_count(&app, "rollout.stage_updated").await, 0);
    assert_eq!(audit_count(&app, "rollout.item_added").await, 0);
}

#[tokio::test]
async fn overdue_items_and_late_stages_are_flagged_and_the_admin_home_shows_the_current_stage() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let home = app
        .get("/admin")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        home.body
            .contains("Current stage: <strong>Awareness</strong>")
    );
    assert!(home.body.contains("No overdue items"));
    app.post("/admin/rollout/roadmap/stages/awareness/items")
        .session(&admin)
        .form(&[
            ("title", "Send the findings to leadership"),
            ("due_on", "2020-01-31"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post("/admin/rollout/roadmap/stages/awareness")
        .session(&admin)
        .form(&[
            ("status", "done"),
            ("starts_on", "2020-01-01"),
            ("ends_on", "2020-01-31"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post("/admin/rollout/roadmap/stages/planning")
        .session(&admin)
        .form(&[
            ("status", "in_progress"),
            ("starts_on", "2020-02-01"),
            ("ends_on", "2020-03-31"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get("/admin/rollout/roadmap")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("1 overdue item"));
    assert!(page.body.contains("class=\"check-item overdue\""));
    assert!(page.body.contains("1 stage past the end date"));
    assert!(
        page.body
            .contains("class=\"stage late\" id=\"stage-planning\""),
        "planning ended in the past and is not done"
    );
    assert!(
        !page
            .body
            .contains("class=\"stage late\" id=\"stage-awareness\""),
        "a stage that is done is never late"
    );
    let home = app
        .get("/admin")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        home.body
            .contains("Current stage: <strong>Planning</strong>")
    );
    assert!(home.body.contains("1 overdue item"));
    assert!(home.body.contains("href=\"/admin/rollout/roadmap\""));
    // The overdue item is ticked: nothing is overdue any more.
    let json = roadmap_json(&app, &admin).await;
    assert_eq!(json["overdue_items"], 1);
    let overdue = stage(&json, "awareness")["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["overdue"] == true))
        .and_then(|i| i["id"].as_i64())
        .expect("the overdue item");
    app.post(&format!("/admin/rollout/roadmap/items/{overdue}/tick"))
        .session(&admin)
        .form(&[("done", "1")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(roadmap_json(&app, &admin).await["overdue_items"], 0);
}

#[tokio::test]
async fn the_roadmap_exports_as_csv_and_prints_without_forms() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/admin/rollout/roadmap/stages/planning/items")
        .session(&admin)
        .form(&[
            ("title", "=HYPERLINK(\"x\") is not a formula here"),
            ("owner_email", "admin@demo.trellis.test"),
            ("due_on", "2031-06-30"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let csv = app
        .get("/admin/rollout/roadmap.csv")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .contains("rollout-roadmap-")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some("stage,stage_status,item,owner,owner_email,due,done,overdue")
    );
    let expected: usize = roadmap::Stage::ALL
        .iter()
        .map(|s| s.default_checklist().len())
        .sum::<usize>()
        + 1;
    assert_eq!(lines.count(), expected, "one row per item");
    assert!(csv.body.contains(
        "planning,not_started,\"'=HYPERLINK(\"\"x\"\") is not a formula here\",Alex Admin (People team),admin@demo.trellis.test,2031-06-30,no,no"
    ));
    let api_csv = app
        .get("/api/v1/rollout/roadmap.csv")
        .bearer(&app.token("api").await)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(api_csv.body, csv.body);
    let print = app
        .get("/admin/rollout/roadmap/print")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(print.body.contains("class=\"roadmap-print\""));
    assert!(print.body.contains("is not a formula here"));
    assert!(
        print
            .body
            .contains(roadmap::Stage::Implementation.purpose())
    );
    let main = print.body.split("<main").nth(1).unwrap_or_default();
    let before_footer = main.split("</main>").next().unwrap_or_default();
    assert!(
        !before_footer.contains("<form"),
        "nothing to fill in on paper"
    );
}

async fn add_sales_team(app: &TestApp) -> i64 {
    directory::save_person(
        app.state.db(),
        &Actor::command_line(),
        &PersonInput {
            email: "sol@demo.trellis.test".into(),
            name: "Sol Seller".into(),
            team: "Sales".into(),
            ..PersonInput::default()
        },
    )
    .await
    .expect("a person in Sales");
    sqlx::query_scalar("SELECT id FROM teams WHERE name_key = 'sales'")
        .fetch_one(app.state.db().pool())
        .await
        .expect("the Sales team")
}

async fn team_id(app: &TestApp, key: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM teams WHERE name_key = $1")
        .bind(key)
        .fetch_one(app.state.db().pool())
        .await
        .expect("a team")
}

/// The actor of a person of the directory, as a session would make it.
async fn actor_of(app: &TestApp, email: &str) -> Actor {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.state.db().pool())
        .await
        .expect("a person");
    Actor {
        user_id: Some(id),
        label: email.into(),
        name: email.into(),
        role: trellis::auth::Role::Employee,
        via: trellis::auth::Via::Session,
    }
}

#[tokio::test]
async fn a_pilot_opens_the_grow_features_to_its_teams_first_then_to_everyone() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let sales = add_sales_team(&app).await;
    let platform = team_id(&app, "platform").await;
    let admin = app.admin().await;
    let db = app.state.db();
    let ola = actor_of(&app, "ola@demo.trellis.test").await;
    let sol = actor_of(&app, "sol@demo.trellis.test").await;
    let sam = actor_of(&app, "employee@demo.trellis.test").await;
    // Before any choice, everyone has them.
    for who in [&ola, &sol, &sam] {
        assert!(pilot::grow_enabled(db, who).await.expect("enabled"));
    }
    let page = app
        .get("/admin/rollout/pilot")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Now: everyone sees the Grow features."));
    assert!(page.body.contains(&format!("value=\"{platform}\"")));
    assert!(
        page.body
            .contains("Sales <span class=\"muted\">(1 person)</span>")
    );
    let platform_value = platform.to_string();
    app.post("/admin/rollout/pilot")
        .session(&admin)
        .form(&[
            ("audience", "pilot"),
            ("teams", ""),
            ("teams", platform_value.as_str()),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(
        pilot::grow_enabled(db, &ola).await.expect("ola"),
        "Platform is the pilot"
    );
    assert!(
        !pilot::grow_enabled(db, &sol).await.expect("sol"),
        "Sales waits"
    );
    assert!(
        !pilot::grow_enabled(db, &sam).await.expect("sam"),
        "no team, no pilot"
    );
    assert!(
        pilot::grow_enabled(db, &Actor::command_line())
            .await
            .expect("admin"),
        "admins always have them"
    );
    match pilot::require_grow(db, &sol).await {
        Err(e @ AppError::NotReleased) => {
            assert_eq!(e.status(), StatusCode::FORBIDDEN);
            assert!(e.public_message().contains("not open to your team yet"));
        }
        other => panic!("expected NotReleased, got {other:?}"),
    }
    assert_eq!(pilot::pilot_team_ids(db).await.expect("ids"), [platform]);
    assert!(pilot::is_pilot_user(db, org.ola).await.expect("ola"));
    assert!(
        !pilot::is_pilot_user(db, org.ola + 1000)
            .await
            .expect("nobody")
    );
    let in_pilot: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM users u WHERE {}",
        pilot::in_pilot_sql("u")
    ))
    .fetch_one(db.pool())
    .await
    .expect("the condition runs");
    assert_eq!(in_pilot, 4, "Mia, Noor, Ola and Pat are in Platform");
    let page = app
        .get("/admin/rollout/pilot")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("only the pilot teams (4 of"));
    assert!(page.body.contains(&format!("value=\"{platform}\" checked")));
    assert!(!page.body.contains(&format!("value=\"{sales}\" checked")));
    let overview = app
        .get("/admin/rollout")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        overview
            .body
            .contains("open to the pilot teams only: Platform")
    );
    // Release to everyone: the pilot teams stay for the dashboard.
    app.post("/admin/rollout/pilot/release")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    for who in [&ola, &sol, &sam] {
        assert!(pilot::grow_enabled(db, who).await.expect("enabled"));
    }
    assert_eq!(pilot::audience(db).await.expect("audience"), "everyone");
    assert_eq!(pilot::pilot_team_ids(db).await.expect("ids"), [platform]);
    assert_eq!(audit_count(&app, "rollout.release").await, 2);
}

#[tokio::test]
async fn a_pilot_needs_real_teams_and_refusals_keep_the_choice() {
    let app = TestApp::demo().await;
    app.organisation().await;
    let sales = add_sales_team(&app).await;
    let admin = app.admin().await;
    let sales_value = sales.to_string();
    let res = app
        .post("/admin/rollout/pilot")
        .session(&admin)
        .form(&[("audience", "pilot"), ("teams", "")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Choose at least one pilot team, or release to everyone")
    );
    assert!(res.body.contains("href=\"#pilot_teams\""));
    assert!(
        res.body.contains("value=\"pilot\" checked"),
        "the choice is kept"
    );
    let res = app
        .post("/admin/rollout/pilot")
        .session(&admin)
        .form(&[("audience", "some"), ("teams", sales_value.as_str())])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Choose the audience: everyone or pilot"));
    assert!(res.body.contains(&format!("value=\"{sales}\" checked")));
    let token = app.token("api").await;
    let problem = app
        .put("/api/v1/rollout/pilot")
        .bearer(&token)
        .json(&json!({ "audience": "pilot", "team_ids": [987654] }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(problem["errors"][0]["field"], "teams");
    let pilot = app
        .put("/api/v1/rollout/pilot")
        .bearer(&token)
        .json(&json!({ "audience": "pilot", "team_ids": [sales] }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(pilot["audience"], "pilot");
    assert_eq!(pilot["pilot_people"], 1);
    let got = app
        .get("/api/v1/rollout/pilot")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let marked: Vec<i64> = got["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .filter(|t| t["pilot"] == true)
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(marked, [sales]);
    assert_eq!(audit_count(&app, "rollout.release").await, 1);
}

#[tokio::test]
async fn a_person_outside_the_pilot_is_told_the_grow_pages_are_not_open_to_their_team_yet() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let sales = add_sales_team(&app).await;
    let ola = sign_in_as(&app, "ola@demo.trellis.test").await;
    let sol = sign_in_as(&app, "sol@demo.trellis.test").await;
    let sol_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'sol@demo.trellis.test'")
            .fetch_one(app.state.db().pool())
            .await
            .expect("Sol");
    app.get(&format!("/people/{}/checkins", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    let admin = app.admin().await;
    app.put("/api/v1/rollout/pilot")
        .session(&admin)
        .json(&json!({ "audience": "pilot", "team_ids": [sales] }))
        .send()
        .await
        .expect(StatusCode::OK);
    let refused = app
        .get(&format!("/people/{}/checkins", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("not open to your team yet"),
        "the page says why: {}",
        refused.body
    );
    let problem = app
        .get(&format!("/api/v1/people/{}/checkins", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN)
        .json();
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not open to your team yet"))
    );
    app.get(&format!("/people/{sol_id}/checkins"))
        .session(&sol)
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/admin/rollout/pilot/release")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.get(&format!("/people/{}/checkins", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
}

/// The objects the access matrix's rollout rows act on: a self-check, an item for the edits and
/// one for each removal.
pub async fn access_objects(app: &TestApp, _org: &Organisation) -> Vec<(&'static str, i64)> {
    let db = app.state.db();
    let operator = Actor::command_line();
    let check = trellis::rollout::self_check::take(
        db,
        &operator,
        &trellis::rollout::self_check::SelfCheckInput {
            competencies: "yes".into(),
            levels: "flat".into(),
            tracks: "no".into(),
            benefits: [
                "development",
                "culture",
                "recruiting",
                "roadmaps",
                "reviews",
                "retention",
            ]
            .into_iter()
            .map(|b| (b.to_owned(), "3".to_owned()))
            .collect(),
            top_benefit: "culture".into(),
            why: "It says who we are.".into(),
            stage: "planning".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a self-check");
    let mut objects = vec![("self_check", check.id)];
    for name in [
        "roadmap_item",
        "roadmap_item_removed",
        "roadmap_item_deleted",
    ] {
        let id = roadmap::add_item(
            db,
            &operator,
            roadmap::Stage::Planning,
            &roadmap::ItemInput {
                title: format!("An item for the access matrix ({name})"),
                ..roadmap::ItemInput::default()
            },
        )
        .await
        .expect("an item");
        objects.push((name, id));
    }
    objects
}

#[tokio::test]
async fn the_self_check_names_each_unanswered_question_and_labels_the_ends_of_each_scale() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let form = app
        .get("/admin/rollout/self-check")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    // Every scale says what 1 and 5 mean, tied to its radio group.
    assert!(
        form.body
            .contains("aria-describedby=\"selfcheck_statement_scales_ends\"")
    );
    assert!(form.body.contains(
        "id=\"selfcheck_statement_scales_ends\"><span class=\"scale-end-low\">1: Not true at all</span> <span class=\"scale-end-high\">5: Entirely true</span>"
    ));
    assert_eq!(form.body.matches("class=\"scale-ends\"").count(), 13);
    // Two ratings left out (the form then sends them empty): the summary names both questions,
    // each linking to its field.
    let missing = with(
        &self_check_form(),
        &[("statement_scales", ""), ("benefit_culture", "")],
    );
    let res = app
        .post("/admin/rollout/self-check")
        .session(&admin)
        .form(&missing)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let body = &res.body;
    assert!(body.contains(
        "<a href=\"#selfcheck_statement_scales\">Question 7, \u{2018}The tracks keep working as we add people, teams and roles\u{2019}: Choose a rating from 1 to 5.</a>"
    ), "{body}");
    assert!(body.contains("<a href=\"#selfcheck_benefit_culture\">Question 13, \u{2018}"));
    assert_eq!(body.matches("Choose a rating from 1 to 5.</a>").count(), 2);
    assert!(body.contains("<span class=\"question-number\">7.</span> The tracks keep working"));
    assert!(body.contains(
        "aria-describedby=\"selfcheck_statement_scales_ends selfcheck_statement_scales_error\""
    ));
}

/// The day `days` after today (before it when negative), `YYYY-MM-DD`.
fn days_from_today(days: i64) -> String {
    trellis::domain::Day::today().plus_days(days).to_string()
}

/// Where the timeline draws something: the x of the first `translate(` or `x1="` after `after`.
fn x_after(page: &str, after: &str, attribute: &str) -> f64 {
    let from = page.find(after).expect("the mark on the page");
    let rest = &page[from..];
    let at = rest.find(attribute).expect("the attribute") + attribute.len();
    let end = rest[at..].find([' ', '"']).expect("the end of the number");
    rest[at..at + end].parse().expect("a number")
}

#[tokio::test]
async fn the_roadmap_timeline_places_items_by_due_date_marks_today_and_what_is_overdue() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let add = async |stage: &str, title: &str, due: i64| {
        app.post(&format!("/admin/rollout/roadmap/stages/{stage}/items"))
            .session(&admin)
            .form(&[("title", title), ("due_on", &days_from_today(due))])
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
    };
    add("awareness", "Send the findings to leadership", -20).await;
    add("planning", "Agree the goals & measures", 10).await;
    add("training", "Train the <first> managers", 40).await;
    add("planning", "Book the kick-off", -5).await;
    let json = roadmap_json(&app, &admin).await;
    let id_of = |title: &str| -> i64 {
        json["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .flat_map(|s| s["items"].as_array().expect("items"))
            .find(|i| i["title"] == title)
            .and_then(|i| i["id"].as_i64())
            .expect("the item")
    };
    let (late, soon, later, booked) = (
        id_of("Send the findings to leadership"),
        id_of("Agree the goals & measures"),
        id_of("Train the <first> managers"),
        id_of("Book the kick-off"),
    );
    app.post(&format!("/admin/rollout/roadmap/items/{booked}/tick"))
        .session(&admin)
        .form(&[("done", "1")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);

    // The list stays the default, with a way to the timeline.
    for path in [
        "/admin/rollout/roadmap",
        "/admin/rollout/roadmap?view=unknown",
    ] {
        let list = app
            .get(path)
            .session(&admin)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(
            list.body
                .contains("<a href=\"/admin/rollout/roadmap\" aria-current=\"page\">List</a>")
        );
        assert!(
            list.body
                .contains("<a href=\"/admin/rollout/roadmap?view=timeline\">Timeline</a>")
        );
        assert!(!list.body.contains("class=\"timeline\""));
    }

    let page = app
        .get("/admin/rollout/roadmap?view=timeline")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<h1>Roadmap timeline</h1>"));
    assert!(page.contains(
        "<a href=\"/admin/rollout/roadmap?view=timeline\" aria-current=\"page\">Timeline</a>"
    ));
    assert!(page.contains("role=\"group\" aria-labelledby=\"roadmap-timeline-title\""));
    assert!(!page.contains(" style="), "no inline style attribute (CSP)");
    assert!(!page.contains("<first>"), "titles are escaped");
    // One row per stage of the rollout.
    for name in [
        "1. Awareness",
        "2. Planning",
        "3. Development",
        "4. Training",
        "5. Implementation",
        "6. Measuring",
    ] {
        assert!(
            page.contains(&format!(">{name}</text>")),
            "the row of {name}"
        );
    }
    // Each item links to itself, placed in proportion to its due date; today lies between.
    let link = |id: i64| format!("href=\"/admin/rollout/roadmap#item-{id}\"");
    let x = |id: i64| x_after(&page, &link(id), "translate(");
    let (a, b, c) = (x(late), x(soon), x(later));
    assert!(a < b && b < c, "{a} {b} {c}");
    let ratio = (b - a) / (c - a);
    assert!((ratio - 30.0 / 60.0).abs() < 0.01, "{ratio}");
    let today = x_after(&page, "<g class=\"today\"", "x1=\"");
    assert!(
        ((today - a) / (c - a) - 20.0 / 60.0).abs() < 0.01,
        "{today}"
    );
    assert!(page.contains(">Today</text>"));
    // Overdue and done read so in words and shapes, not colour alone.
    let late_due = days_from_today(-20);
    assert!(page.contains(&format!(
        "<a class=\"entry overdue\" {} aria-label=\"Send the findings to leadership. Due {late_due}. Overdue.\"",
        link(late)
    )));
    assert!(page.contains(&format!("<a class=\"entry done\" {}", link(booked))));
    assert!(page.contains(&format!("<a class=\"entry open\" {}", link(soon))));
    assert!(page.contains("class=\"marker overdue\""));
    assert!(page.contains("1 overdue item"));
    // The same in a table, every item with its stage, due date and state.
    assert!(page.contains(&format!(
        "<tr class=\"overdue\"><td>1. Awareness</td><th scope=\"row\"><a {}>Send the findings to leadership</a></th><td>{late_due}</td><td><strong class=\"rollout-flag overdue\">Overdue</strong></td></tr>",
        link(late)
    )));
    assert!(page.contains("Agree the goals &amp; measures"));
    // The default checklists have no due dates: only the table lists them.
    assert!(page.contains("items have no due date, so only the table lists them."));
}
