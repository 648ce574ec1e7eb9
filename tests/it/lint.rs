//! The framework linter as people meet it: the shipped frameworks have no lint errors, the command
//! line prints one greppable line per finding and fails on errors, the API lists the draft's
//! findings to admins, and the editor shows them next to the cell they are about.

use std::process::Command;

use axum::http::StatusCode;
use trellis_framework::lint::{Severity, lint};
use trellis_framework::yaml;

use crate::helpers::TestApp;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CELL: &str = "/draft/tracks/software-engineering/cells/se1/ownership";

fn lint_errors(path: &std::path::Path) -> Vec<String> {
    let source = std::fs::read_to_string(path).expect("read");
    let fw = yaml::read(&source).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
    lint(&fw)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {} {}", path.display(), f.rule, f.message))
        .collect()
}

#[test]
fn the_demo_and_every_template_have_no_lint_errors() {
    let mut files = vec![std::path::PathBuf::from(format!(
        "{ROOT}/demo/framework.yaml"
    ))];
    for entry in std::fs::read_dir(format!("{ROOT}/framework-templates")).expect("templates") {
        let path = entry.expect("entry").path();
        let is_template = path.extension().is_some_and(|e| e == "yaml")
            && path.file_name().is_some_and(|n| n != "library.yaml");
        if is_template {
            files.push(path);
        }
    }
    let errors: Vec<String> = files.iter().flat_map(|f| lint_errors(f)).collect();
    assert_eq!(errors, Vec::<String>::new());
}

fn trellis(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trellis"));
    cmd.env("TRELLIS_DATA_DIR", dir.join("data"))
        .env_remove("DATABASE_URL")
        .current_dir(dir);
    cmd
}

const BAD: &str = "\
trellis: 1
name: Bad
competencies:
  - key: craft
    name: Craft
tracks:
  - key: t
    name: T
    kind: individual-contributor
    competencies: [craft]
    levels:
      - key: l1
        title: One
        expectations:
          craft:
            - You write good code.
      - key: l2
        title: Two
        expectations:
          craft:
            - You write good code.
";

#[test]
fn lint_prints_one_line_per_finding_and_fails_on_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, BAD).expect("write");
    let out = trellis(dir.path())
        .args(["framework", "lint"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let f = file.display();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{f}:16:15: warning vague-wording: “good” is vague: it does not say what someone would see \
                 (suggestion: say what good looks like: a result, an artefact or a behaviour someone could point to)"
            ),
            format!(
                "{f}:17:9: error identical-level: level `l2` asks exactly what level `l1` asks, in every competency \
                 (suggestion: say what changes at this level (a wider scope, harder problems, more people), or merge the two levels)"
            ),
            format!(
                "{f}:21:15: warning vague-wording: “good” is vague: it does not say what someone would see \
                 (suggestion: say what good looks like: a result, an artefact or a behaviour someone could point to)"
            ),
            format!("{f}: 1 error(s), 2 warning(s)"),
        ]
    );

    // Switching the rules off in the file leaves nothing to report.
    let quiet = BAD.replace(
        "name: Bad\n",
        "name: Bad\nlint:\n  disable: [identical-level, vague-wording]\n",
    );
    std::fs::write(&file, quiet).expect("write");
    let out = trellis(dir.path())
        .args(["framework", "lint"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{f}: 0 error(s), 0 warning(s)\n")
    );
}

#[test]
fn lint_passes_on_warnings_and_reports_a_broken_file_with_its_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = trellis(dir.path())
        .args(["framework", "lint", &format!("{ROOT}/demo/framework.yaml")])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": 0 error(s), "));

    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, BAD.replace("title: Two", "titel: Two")).expect("write");
    let out = trellis(dir.path())
        .args(["framework", "lint"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let f = file.display();
    assert!(
        stdout.contains(&format!("{f}:18:9: error check: unknown field `titel`")),
        "{stdout}"
    );
    // The mistake hides none of the findings around it.
    assert!(
        stdout.contains(&format!("{f}:16:15: warning vague-wording: ")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{f}:21:15: warning vague-wording: ")),
        "{stdout}"
    );
}

/// One empty cell and one empty bullet (mistakes that `check` reports), a level that asks what the
/// one before asks and vague wording (the linter's findings), in one file.
const MANY: &str = "\
trellis: 1
name: Many
competencies:
  - key: craft
    name: Craft
  - key: care
    name: Care
tracks:
  - key: t
    name: T
    kind: individual-contributor
    competencies: [craft, care]
    levels:
      - key: l1
        title: One
        expectations:
          craft: []
          care:
            - You write good code.
      - key: l2
        title: Two
        expectations:
          craft:
            - You review changes.
            - ''
          care:
            - You write good code.
      - key: l3
        title: Three
        expectations:
          craft:
            - You review changes.
            - ''
          care:
            - You write good code.
";

#[test]
fn lint_reports_every_mistake_and_every_finding_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("many.yaml");
    std::fs::write(&file, MANY).expect("write");
    let out = trellis(dir.path())
        .args(["framework", "lint"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let checks = lines
        .iter()
        .filter(|l| l.contains(": error check: "))
        .count();
    assert!(checks >= 3, "{stdout}");
    for rule in ["vague-wording", "identical-level"] {
        assert!(
            lines.iter().any(|l| l.contains(&format!(" {rule}: "))),
            "{rule} is missing from:\n{stdout}"
        );
    }
    // In file order, each line placed in the file.
    let places: Vec<(usize, usize)> = lines
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix(&format!("{}:", file.display()))?;
            let mut parts = rest.splitn(3, ':');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .collect();
    assert_eq!(places.len(), lines.len() - 1, "{stdout}");
    assert!(places.windows(2).all(|w| w[0] <= w[1]), "{stdout}");
    let errors = lines.iter().filter(|l| l.contains(": error ")).count();
    let warnings = lines.iter().filter(|l| l.contains(": warning ")).count();
    assert!(warnings > 0, "{stdout}");
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "{}: {errors} error(s), {warnings} warning(s)",
                file.display()
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn the_api_lints_a_draft_with_problems_and_lists_both() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    make_a_cell_vague(&app, &admin).await;
    // A new level has no expectations yet: a problem that blocks publishing.
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&serde_json::json!({
            "op": "add_level", "track": "software-engineering", "key": "se9", "title": "Principal"
        }))
        .send()
        .await
        .expect(StatusCode::OK);
    let draft = app
        .get("/api/v1/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(
        !draft["problems"].as_array().expect("problems").is_empty(),
        "{draft}"
    );
    let report = app
        .get("/api/v1/draft/lint")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(report["problems"], draft["problems"]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings.iter().any(|f| f["rule"] == "vague-wording"),
        "{report}"
    );
}

/// Writes a vague bullet into the demo's first cell, as an admin would in the editor.
async fn make_a_cell_vague(app: &TestApp, admin: &crate::helpers::Session) {
    app.post(CELL)
        .session(admin)
        .form(&[
            ("expectations", "You do good work on the tasks you pick up."),
            ("examples", ""),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn admins_read_the_drafts_findings_from_the_api() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    make_a_cell_vague(&app, &admin).await;
    let report = app
        .get("/api/v1/draft/lint")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(report["errors"], 0);
    let findings = report["findings"].as_array().expect("findings");
    let vague = findings
        .iter()
        .find(|f| f["rule"] == "vague-wording")
        .expect("a vague-wording finding");
    assert_eq!(
        vague["path"],
        ".tracks[0].levels[0].expectations.ownership[0]"
    );
    assert_eq!(vague["severity"], "warning");
    assert!(vague["suggestion"].is_string());

    let employee = app.employee().await;
    app.get("/api/v1/draft/lint")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_editor_shows_findings_by_track_and_on_the_cell() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    make_a_cell_vague(&app, &admin).await;
    let home = app
        .get("/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let html = home.body;
    assert!(html.contains("Linter warning</span>"), "{html}");
    assert!(html.contains("is vague"), "{html}");
    assert!(
        html.contains("href=\"/draft/tracks/software-engineering#cell-se1-ownership\""),
        "{html}"
    );

    let track = app
        .get("/draft/tracks/software-engineering")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let html = track.body;
    assert!(html.contains("class=\"lint-notes\""), "{html}");
    assert!(
        html.contains("from the linter on Ownership at Software Engineer I"),
        "{html}"
    );

    let publish = app
        .get("/draft/publish")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let html = publish.body;
    assert!(html.contains(">Nothing blocks publishing</h2>"), "{html}");
    assert!(html.contains("is vague"), "{html}");
    assert!(
        html.contains("Publish version"),
        "publishing stays possible: {html}"
    );
}

#[tokio::test]
async fn admins_switch_linter_rules_off_from_the_editor() {
    let app = crate::helpers::TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/draft/lint")
        .session(&admin)
        .form(&[("disable", "filler"), ("disable", "long-sentence")])
        .send()
        .await
        .expect(axum::http::StatusCode::SEE_OTHER);
    let token = app.token("api").await;
    let draft = app
        .get("/api/v1/draft")
        .bearer(&token)
        .send()
        .await
        .expect(axum::http::StatusCode::OK)
        .json();
    assert_eq!(
        draft["framework"]["lint"]["disable"],
        serde_json::json!(["filler", "long-sentence"])
    );
    let page = app
        .get("/draft")
        .session(&admin)
        .send()
        .await
        .expect(axum::http::StatusCode::OK);
    assert!(page.body.contains("value=\"filler\" checked"));
    let refused = app
        .post("/draft/lint")
        .session(&admin)
        .form(&[("disable", "no-such-rule")])
        .send()
        .await
        .expect(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("There is no linter rule “no-such-rule”")
    );
}

/// The part of a page between `from` and `to`.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in {html}"));
    let rest = &html[start..];
    let end = rest.find(to).unwrap_or(rest.len());
    &rest[..end]
}

/// The draft with a new level whose six cells are empty (six problems that block publishing) and a
/// vague bullet (a warning of the linter, which does not, beside the demo's own filler warning).
async fn draft_with_problems_and_a_warning(app: &TestApp, admin: &crate::helpers::Session) {
    make_a_cell_vague(app, admin).await;
    app.post("/api/v1/draft/edits")
        .session(admin)
        .json(&serde_json::json!({
            "op": "add_level", "track": "software-engineering", "key": "se9", "title": "Principal"
        }))
        .send()
        .await
        .expect(StatusCode::OK);
}

/// What the checks say on a page: one heading that says whether publishing is blocked, each empty
/// cell listed once with a link naming its competency, level and track, and the linter's warning
/// marked as not blocking.
fn assert_one_clear_list(panel: &str) {
    assert_eq!(
        panel.matches("block publishing").count() + panel.matches("blocks publishing").count(),
        2,
        "one heading says what blocks, one sentence says what does not: {panel}"
    );
    assert!(
        panel.contains(">6 problems block publishing</h2>"),
        "{panel}"
    );
    assert!(
        panel.contains("The linter also finds 2 things to improve: they do not block publishing."),
        "{panel}"
    );
    for competency in [
        "Ownership",
        "Problem solving",
        "Technical quality",
        "Communication",
        "Teamwork",
        "Mentoring",
    ] {
        let link = format!("Edit {competency} at Principal in Software Engineering</a>");
        assert_eq!(panel.matches(&link).count(), 1, "{link} once in {panel}");
    }
    assert_eq!(
        panel.matches("#cell-se9-ownership\"").count(),
        1,
        "the empty cell is listed once, not again as a linter error: {panel}"
    );
    assert!(
        panel.contains("Edit Ownership at Software Engineer I in Software Engineering</a>"),
        "{panel}"
    );
    assert_eq!(
        panel.matches("Blocks publishing</span>").count(),
        6,
        "{panel}"
    );
    assert_eq!(panel.matches("Linter warning</span>").count(), 2, "{panel}");
    assert!(!panel.contains("Edit the cell in"), "{panel}");
    assert!(!panel.contains("Linter errors"), "{panel}");
    assert!(!panel.contains('`'), "no backticks: {panel}");
    assert!(
        panel.contains("Principal has no expectations for Ownership"),
        "messages name titles, not keys: {panel}"
    );
}

#[tokio::test]
async fn the_draft_lists_what_blocks_publishing_once_with_links_naming_each_place() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    draft_with_problems_and_a_warning(&app, &admin).await;
    let html = app
        .get("/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert_eq!(
        html.matches("class=\"checks\"").count(),
        1,
        "one list: {html}"
    );
    assert!(!html.contains("How the framework reads"), "{html}");
    assert_one_clear_list(between(&html, "class=\"checks\"", "</section>"));

    let publish = app
        .get("/draft/publish")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(!publish.contains("Fix these first"), "{publish}");
    assert!(!publish.contains("Publish version"), "{publish}");
    assert_one_clear_list(between(&publish, "class=\"checks\"", "</section>"));
}

#[tokio::test]
async fn warnings_alone_say_nothing_blocks_publishing() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    make_a_cell_vague(&app, &admin).await;
    for page in ["/draft", "/draft/publish"] {
        let html = app
            .get(page)
            .session(&admin)
            .send()
            .await
            .expect(StatusCode::OK)
            .body;
        let panel = between(&html, "class=\"checks\"", "</section>");
        assert!(panel.contains(">Nothing blocks publishing</h2>"), "{panel}");
        assert!(
            panel.contains("The linter finds 2 things to improve: they do not block publishing."),
            "{panel}"
        );
        assert!(!panel.contains("problems block"), "{panel}");
        assert!(
            panel.contains("Edit Ownership at Software Engineer I in Software Engineering</a>"),
            "{panel}"
        );
    }
}
