//! Importing the formats other companies publish, from the command line, the API and the browser.

use std::process::Command;

use axum::http::StatusCode;

use crate::helpers::TestApp;

fn fixture_path(name: &str) -> String {
    format!(
        "{}/crates/framework/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("a fixture")
}

fn trellis(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trellis"));
    cmd.env("TRELLIS_DATA_DIR", dir.join("data"))
        .env_remove("DATABASE_URL")
        .current_dir(dir);
    cmd
}

#[test]
fn the_command_line_imports_a_monzo_directory_and_lists_what_it_did_not_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let monzo = tempfile::tempdir().expect("tempdir");
    for name in ["backend.md", "web.md"] {
        std::fs::copy(
            fixture_path(&format!("monzo/{name}")),
            monzo.path().join(name),
        )
        .expect("copy");
    }
    let out = trellis(dir.path())
        .args(["framework", "import", "--from", "monzo"])
        .arg(monzo.path())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Backend Engineering Framework"), "{stdout}");
    assert!(stdout.contains("not imported ("), "{stdout}");
    assert!(stdout.contains("chart label `yAxisLabel`"), "{stdout}");
    assert!(stdout.contains("imported into the draft"), "{stdout}");
}

#[test]
fn the_command_line_imports_a_fifteen_five_csv_and_reports_bad_rows_by_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = trellis(dir.path())
        .args(["framework", "import", "--from", "15five", "--dry-run"])
        .arg(fixture_path("fifteen-five.csv"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(stdout.contains("Customer Success"), "{stdout}");
    assert!(
        stdout.contains("the column `Weight` was not imported"),
        "{stdout}"
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Path,Job title,Competency,Skill,Key behavior\nSupport,Associate,Care,,Listens\n",
    )
    .expect("write");
    let out = trellis(dir.path())
        .args(["framework", "import", "--from", "15five"])
        .arg(&bad)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:2:24: the Skill is empty", bad.display())),
        "{stderr}"
    );
}

#[test]
fn a_file_in_another_format_says_which_format_to_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = trellis(dir.path())
        .args(["framework", "import"])
        .arg(fixture_path("fifteen-five.csv"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(":1:1: this looks like a 15Five CSV"),
        "{stderr}"
    );
    assert!(stderr.contains("use --from 15five"), "{stderr}");
}

#[tokio::test]
async fn the_api_imports_a_row_per_cell_csv() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let report = app
        .post("/api/v1/draft/import?from=csv&filename=cells.csv")
        .bearer(&token)
        .text("text/csv", &fixture("cells.csv"))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(
        report["unmapped"]
            .to_string()
            .contains("marked not applicable")
    );
    let draft = app
        .get("/api/v1/draft")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let text = draft.to_string();
    assert!(text.contains("Backend Engineering"));
    assert!(text.contains("Ships small changes, often"));
    // The draft keeps its own name: a CSV names no framework.
    assert!(!text.contains("Imported framework"));
}

#[tokio::test]
async fn the_api_takes_several_files_as_json_and_reports_their_mistakes_by_file() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let body = serde_json::json!({ "files": [
        { "name": "backend.md", "content": fixture("monzo/backend.md") },
        { "name": "broken.md", "content": fixture("monzo/broken.md") },
    ]});
    let problem = app
        .post("/api/v1/draft/import?from=monzo")
        .bearer(&token)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    let first = &problem["file_errors"][0];
    assert_eq!(first["file"], "broken.md");
    assert_eq!(first["line"], 6);
}

#[tokio::test]
async fn the_browser_previews_a_monzo_upload_with_what_it_did_not_map_and_applies_it() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let backend = fixture("monzo/backend.md");
    let web = fixture("monzo/web.md");
    let preview = app
        .post("/draft/import")
        .session(&admin)
        .multipart(&[
            ("file", Some("backend.md"), &backend),
            ("file", Some("web.md"), &web),
            ("format", None, ""),
            ("step", None, "preview"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(preview.body.contains("What the import would change"));
    assert!(preview.body.contains("Web Engineering Framework"));
    assert!(preview.body.contains("Not imported ("));
    assert!(preview.body.contains("the field `colour` was not imported"));
    assert!(preview.body.contains(r#"name="format" value="monzo""#));

    let applied = app
        .post("/draft/import")
        .session(&admin)
        .multipart(&[
            ("filename", None, "backend.md"),
            ("content", None, &backend),
            ("filename", None, "web.md"),
            ("content", None, &web),
            ("format", None, "monzo"),
            ("step", None, "apply"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(applied.body.contains("was imported into the draft"));
    let token = app.token("api").await;
    let draft = app
        .get("/api/v1/draft")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(draft.to_string().contains("Web Engineering Framework"));
}

#[tokio::test]
async fn the_browser_says_which_format_a_wrong_file_looks_like() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/draft/import")
        .session(&admin)
        .multipart(&[
            ("file", Some("people.csv"), &fixture("fifteen-five.csv")),
            ("format", None, "csv"),
            ("step", None, "preview"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("this looks like a 15Five CSV"),
        "{}",
        res.body
    );
    assert!(res.body.contains("people.csv:1:1"));
}
