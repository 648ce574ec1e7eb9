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
    assert!(res.body.contains("Write a change note"));
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
    assert!(
        page.body.contains("problems block publishing</h2>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Publish version"), "{}", page.body);
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
    let events = trellis::audit::recent(app.state.db(), &trellis::auth::Actor::command_line(), 20)
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

/// A change of the first software engineering level's pay band, with distinctive amounts.
fn set_se1_pay() -> serde_json::Value {
    json!({
        "op": "update_level", "track": "software-engineering", "key": "se1",
        "title": "Software Engineer I", "grade": "g2",
        "summary": "Delivers well-defined tasks in one team's codebase, with reviews and help from more experienced engineers.",
        "pay": { "currency": "EUR", "min": 51234, "mid": 58765, "max": 66543 }
    })
}

/// Every amount of the old and new band of se1, in any spelling a page or a file could use.
const SE1_AMOUNTS: [&str; 12] = [
    "50000", "50,000", "57000", "57,000", "64000", "64,000", "51234", "51,234", "58765", "58,765",
    "66543", "66,543",
];

fn assert_no_pay(what: &str, body: &str) {
    for amount in SE1_AMOUNTS {
        assert!(
            !body.contains(amount),
            "{what} shows the pay amount {amount}"
        );
    }
    assert!(!body.contains("EUR"), "{what} shows a pay currency");
}

#[tokio::test]
async fn pay_band_changes_reach_only_those_who_may_see_pay_on_every_path() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let employee = app.employee().await;
    // Version 2 changes a bullet and a pay band; version 3 changes only a pay band.
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_ownership_se1("You finish what you start."))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&set_se1_pay())
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/api/v1/draft/publish")
        .session(&admin)
        .json(&json!({ "note": "Shorter, and a new band" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let mut only_pay = set_se1_pay();
    only_pay["pay"] = json!({ "currency": "EUR", "min": 50000, "mid": 57000, "max": 64000 });
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&only_pay)
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/api/v1/draft/publish")
        .session(&admin)
        .json(&json!({ "note": "Back to the old band" }))
        .send()
        .await
        .expect(StatusCode::OK);

    // The People team sees the band change in the diff, on the page and over the API.
    let admin_diff = app
        .get("/api/v1/versions/diff?from=1&to=2")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(admin_diff.body.contains("51234"), "{}", admin_diff.body);
    let admin_page = app
        .get("/versions/diff?from=2&to=3")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(admin_page.body.contains("51234"));

    // An employee sees the bullet change and nothing of the bands, whichever way they ask.
    let diff = app
        .get("/api/v1/versions/diff?from=1&to=2")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(diff.body.contains("You finish what you start."));
    assert_no_pay("the API diff", &diff.body);
    let page = app
        .get("/versions/diff?from=1&to=2")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("You finish what you start."));
    assert_no_pay("the diff page", &page.body);
    // A version whose only change is a band has nothing to show them.
    let pay_only = app
        .get("/api/v1/versions/diff?from=2&to=3")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_no_pay("the API diff of a band change", &pay_only.body);
    let admin_pay_only = app
        .get("/api/v1/versions/diff?from=2&to=3")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let employee_pay_only = pay_only.json();
    assert_ne!(admin_pay_only, employee_pay_only);
    assert!(
        !employee_pay_only.to_string().contains("se1"),
        "the level whose only change is its band is listed: {employee_pay_only}"
    );
    let page = app
        .get("/versions/diff?from=2&to=3")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_no_pay("the diff page of a band change", &page.body);
    // The draft is not theirs to compare with.
    for path in [
        "/api/v1/versions/diff?from=3&to=draft",
        "/api/v1/versions/diff?from=draft&to=1",
    ] {
        let res = app.get(path).session(&employee).send().await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        assert_no_pay(path, &res.body);
    }
    let res = app
        .get("/versions/diff?from=3&to=draft")
        .session(&employee)
        .send()
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    assert_no_pay("the page diff with the draft", &res.body);

    // Every other way the framework leaves the server.
    let my_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(crate::helpers::EMPLOYEE.0)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the employee");
    for version in ["1", "2", "3"] {
        for path in [
            format!("/api/v1/framework?revision={version}"),
            format!("/api/v1/framework.yaml?revision={version}"),
            format!("/api/v1/tracks?revision={version}"),
            format!("/api/v1/tracks/software-engineering?revision={version}"),
            format!("/api/v1/tracks/software-engineering/levels/se1?revision={version}"),
            format!("/api/v1/competencies?revision={version}"),
            format!("/versions/{version}/export.yaml"),
            format!("/versions/{version}/export.csv"),
        ] {
            let res = app
                .get(&path)
                .session(&employee)
                .send()
                .await
                .expect(StatusCode::OK);
            assert_no_pay(&path, &res.body);
        }
    }
    for path in [
        "/api/v1/framework".to_owned(),
        "/api/v1/framework.yaml".to_owned(),
        "/api/v1/compare?from=software-engineering/se1&to=software-engineering/se2".to_owned(),
        "/tracks".to_owned(),
        "/tracks/software-engineering".to_owned(),
        "/tracks/software-engineering/levels/se1".to_owned(),
        "/compare?from=software-engineering/se1&to=software-engineering/se2&show=all".to_owned(),
        "/competencies".to_owned(),
        "/versions".to_owned(),
        format!("/people/{my_id}/growth-record"),
        format!("/people/{my_id}/growth-record.json"),
        format!("/api/v1/people/{my_id}/growth-record"),
        "/api/v1/me/home".to_owned(),
        "/home".to_owned(),
    ] {
        let res = app
            .get(&path)
            .session(&employee)
            .send()
            .await
            .expect(StatusCode::OK);
        assert_no_pay(&path, &res.body);
    }
}
