//! The draft, publishing, the version history and diffs.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

fn set_ownership_se1(text: &str) -> serde_json::Value {
    json!({
        "op": "set_cell", "track": "software-engineering", "level": "se1", "competency": "ownership",
        "expectations": [text], "examples": [], "not_applicable": false
    })
}

#[tokio::test]
async fn employees_see_only_the_published_version() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let employee = app.employee().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_ownership_se1("You finish what you start, every time."))
        .send()
        .await
        .expect(StatusCode::OK);
    let page = app
        .get("/tracks/software-engineering")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!page.body.contains("You finish what you start, every time."));
    app.get("/api/v1/draft")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/api/v1/framework?revision=draft")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);

    app.post("/draft/publish")
        .session(&admin)
        .form(&[("note", "Say plainly what finishing means.")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get("/tracks/software-engineering")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("You finish what you start, every time."));
    let history = app
        .get("/versions")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(history.body.contains("Version 2"));
    assert!(history.body.contains("Say plainly what finishing means."));
}

#[tokio::test]
async fn the_diff_between_versions_lists_changed_bullets() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_ownership_se1("You finish what you start."))
        .send()
        .await
        .expect(StatusCode::OK);
    let draft_diff = app
        .get("/versions/diff?from=1&to=draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(draft_diff.body.contains("You finish what you start."));
    app.post("/api/v1/draft/publish")
        .session(&admin)
        .json(&json!({ "note": "Shorter" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let diff = app
        .get("/api/v1/versions/diff?from=1&to=2")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let text = diff.to_string();
    assert!(text.contains("You finish what you start."), "{text}");
    let page = app
        .get("/versions/diff?from=1&to=2")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("<ins>"));
}

#[tokio::test]
async fn publishing_needs_a_note_and_a_change() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/draft/publish")
        .session(&admin)
        .form(&[("note", "")])
        .send()
        .await;
    // Nothing changed since version 1.
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(
        res.body
            .contains("no changes since the last published version")
    );

    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_ownership_se1("You finish what you start."))
        .send()
        .await
        .expect(StatusCode::OK);
    let res = app
        .post("/draft/publish")
        .session(&admin)
        .form(&[("note", "   ")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("write a change note"));
}

#[tokio::test]
async fn a_draft_with_problems_cannot_be_published() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&json!({ "op": "add_level", "track": "software-engineering", "key": "se3", "title": "Senior Software Engineer" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let res = app
        .post("/api/v1/draft/publish")
        .session(&admin)
        .json(&json!({ "note": "Add a senior level" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.header("content-type"), "application/problem+json");
    let problem = res.json();
    let errors = problem["errors"].as_array().expect("errors");
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap_or_default().contains("se3"))
    );
    let page = app
        .get("/draft/publish")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Fix these first"));
}

#[tokio::test]
async fn discarding_the_draft_returns_to_the_published_version() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_ownership_se1("Something to throw away."))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/draft/discard")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let draft = app
        .get("/api/v1/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(draft["pending"], false);
}

#[tokio::test]
async fn every_change_is_in_the_audit_log() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_ownership_se1("Audited."))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/api/v1/draft/publish")
        .session(&admin)
        .json(&json!({ "note": "Audited change" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let events =
        trellis::services::audit::recent(app.state.db(), &trellis::auth::Actor::command_line(), 20)
            .await
            .expect("audit log");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"framework.edit"), "{actions:?}");
    assert!(actions.contains(&"framework.publish"), "{actions:?}");
    assert!(actions.contains(&"framework.import"), "{actions:?}");
    let edit = events
        .iter()
        .find(|e| e.action == "framework.edit")
        .expect("edit");
    assert_eq!(edit.actor, "admin@demo.trellis.test");
}

#[tokio::test]
async fn concurrent_edits_are_all_kept() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let mut handles = Vec::new();
    for i in 0..6 {
        let req = app.post("/api/v1/draft/edits").session(&admin).json(
            &json!({ "op": "add_grade", "key": format!("x{i}"), "name": format!("Extra {i}") }),
        );
        handles.push(req.send());
    }
    for res in futures_util::future::join_all(handles).await {
        res.expect(StatusCode::OK);
    }
    let draft = app
        .get("/api/v1/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let grades = draft["framework"]["grades"].as_array().expect("grades");
    for i in 0..6 {
        assert!(
            grades.iter().any(|g| g["key"] == format!("x{i}")),
            "grade x{i} kept"
        );
    }
}
