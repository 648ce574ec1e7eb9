//! Framework files: import with preview, all-or-nothing errors, prune, export round trip.

use axum::http::StatusCode;

use crate::helpers::{TestApp, demo_yaml_with};

async fn draft_json(app: &TestApp, token: &str) -> serde_json::Value {
    app.get("/api/v1/draft")
        .bearer(token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

#[tokio::test]
async fn export_then_import_changes_nothing_and_export_is_a_fixed_point() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let first = app
        .get("/api/v1/framework.yaml?revision=draft")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(first.header("content-type").starts_with("application/yaml"));
    assert!(first.body.starts_with("trellis: 1\n"));
    let report = app
        .post("/api/v1/draft/import")
        .bearer(&token)
        .text("application/yaml", &first.body)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(report["diff"]["sections"].as_array().map(Vec::len), Some(0));
    let second = app
        .get("/api/v1/framework.yaml?revision=draft")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(first.body, second.body);
}

#[tokio::test]
async fn a_file_with_mistakes_reports_all_of_them_and_changes_nothing() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let before = draft_json(&app, &token).await;
    let bad = demo_yaml_with("        expectations:\n", "        expectation:\n").replacen(
        "category: impact",
        "category: impakt",
        1,
    );
    let res = app
        .post("/api/v1/draft/import")
        .bearer(&token)
        .text("application/yaml", &bad)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let problem = res.json();
    let errors = problem["file_errors"].as_array().expect("file errors");
    assert!(errors.len() >= 2, "{problem}");
    let messages: Vec<String> = errors
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("did you mean `expectations`")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("impakt")),
        "{messages:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e["line"].as_u64().unwrap_or(0) > 0 && e["column"].as_u64().unwrap_or(0) > 0)
    );
    assert_eq!(before, draft_json(&app, &token).await);
}

#[tokio::test]
async fn a_dry_run_shows_the_change_and_changes_nothing() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let before = draft_json(&app, &token).await;
    let edited = demo_yaml_with(
        "title: Principal Engineer",
        "title: Principal Software Engineer",
    );
    let report = app
        .post("/api/v1/draft/import?dry_run=true")
        .bearer(&token)
        .text("application/yaml", &edited)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(report["dry_run"], true);
    // The draft keeps its own title unless told otherwise: the preview lists the difference, not a
    // change.
    let level = report["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .find(|d| d.to_string().contains("Principal Software Engineer"))
        .expect("the retitled level is listed");
    assert_eq!(level["taken"], false);
    assert!(
        !report["diff"]
            .to_string()
            .contains("Principal Software Engineer")
    );
    let id = level["id"].as_str().expect("an id").to_owned();
    let taken = app
        .post(&format!("/api/v1/draft/import?dry_run=true&take={id}"))
        .bearer(&token)
        .text("application/yaml", &edited)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(
        taken["diff"]
            .to_string()
            .contains("Principal Software Engineer")
    );
    assert_eq!(before, draft_json(&app, &token).await);
}

#[tokio::test]
async fn importing_without_prune_keeps_what_the_file_lacks() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let only_library =
        "trellis: 1\nname: Slim\ncompetencies:\n  - key: ownership\n    name: Ownership\n";
    let report = app
        .post("/api/v1/draft/import")
        .bearer(&token)
        .text("application/yaml", only_library)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(!report["kept"].as_array().expect("kept").is_empty());
    let draft = draft_json(&app, &token).await;
    assert_eq!(
        draft["framework"]["name"], "Northwind Labs career framework",
        "the draft keeps its name unless the admin takes the file's"
    );
    assert!(
        draft["framework"]["tracks"]
            .as_array()
            .is_some_and(|t| t.len() == 4)
    );
}

#[tokio::test]
async fn importing_with_prune_removes_what_the_file_lacks() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let yaml = trellis::demo::FRAMEWORK_YAML;
    let cut = yaml
        .find("  - key: customer-success")
        .expect("the last track");
    let fewer = &yaml[..cut];
    app.post("/api/v1/draft/import?prune=true&publish_note=Drop%20customer%20success")
        .bearer(&token)
        .text("application/yaml", fewer)
        .send()
        .await
        .expect(StatusCode::OK);
    let tracks = app
        .get("/api/v1/tracks")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(tracks.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn the_browser_import_previews_then_applies() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let edited = demo_yaml_with(
        "title: Principal Engineer",
        "title: Principal Software Engineer",
    );
    let preview = app
        .post("/draft/import")
        .session(&admin)
        .multipart(&[
            ("file", Some("framework.yaml"), &edited),
            ("step", None, "preview"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(preview.body.contains("What the import would change"));
    assert!(preview.body.contains("Principal Software Engineer"));
    let token = app.token("api").await;
    let draft = draft_json(&app, &token).await;
    assert!(!draft.to_string().contains("Principal Software Engineer"));
    let applied = app
        .post("/draft/import")
        .session(&admin)
        .multipart(&[
            ("content", None, &edited),
            ("filename", None, "framework.yaml"),
            ("step", None, "apply"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(applied.body.contains("was imported into the draft"));
    assert!(
        !draft_json(&app, &token)
            .await
            .to_string()
            .contains("Principal Software Engineer"),
        "nothing the draft has changes unless it is ticked"
    );
    let id = "level:software-engineering:principal";
    assert!(
        preview.body.contains(&format!("value=\"{id}\"")),
        "{}",
        preview.body
    );
    app.post("/draft/import")
        .session(&admin)
        .multipart(&[
            ("content", None, &edited),
            ("filename", None, "framework.yaml"),
            ("take", None, id),
            ("step", None, "apply"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        draft_json(&app, &token)
            .await
            .to_string()
            .contains("Principal Software Engineer")
    );
}

#[tokio::test]
async fn the_browser_import_lists_every_mistake_with_its_position() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let bad = demo_yaml_with("kind: management", "kind: manager");
    let res = app
        .post("/draft/import")
        .session(&admin)
        .multipart(&[("file", Some("acme.yaml"), &bad), ("step", None, "preview")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("nothing was changed"));
    assert!(res.body.contains("acme.yaml:"));
    assert!(res.body.contains("manager"));
}

#[tokio::test]
async fn employees_cannot_import_or_export_the_draft() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    app.get("/draft/import")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/draft/export.yaml")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let published = app
        .get("/versions/1/export.yaml")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!published.body.contains("pay:"), "pay bands stay private");
}
