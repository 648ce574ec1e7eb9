//! Exporters: CSV and markdown downloads and command-line exports, and the static site of the
//! published framework.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::StatusCode;

use crate::helpers::TestApp;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/framework.yaml");

fn trellis(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trellis"));
    cmd.env("TRELLIS_DATA_DIR", dir.join("data"))
        .env_remove("DATABASE_URL")
        .current_dir(dir);
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run trellis");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A data directory with the demo framework imported and published as version 1.
fn published_demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    run(trellis(dir.path()).args(["framework", "import", DEMO, "--publish", "--note", "First"]));
    dir
}

#[test]
fn the_command_line_exports_csv_with_one_row_per_bullet() {
    let dir = published_demo();
    let csv =
        run(trellis(dir.path()).args(["framework", "export", "--published", "--format", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "track,level,competency,expectation,example,category,level_title,track_name,kind,competency_name,not_applicable"
        )
    );
    assert!(csv.contains(
        "software-engineering,se1,ownership,You tell your team about a blocker on the day you hit it.,,Impact,Software Engineer I,Software Engineering,individual-contributor,Ownership,\n"
    ), "{csv}");
    assert!(
        csv.contains(",n/a\n"),
        "a cell that does not apply has its row"
    );
    assert!(!csv.contains("EUR") && !csv.contains("57000"));
}

#[test]
fn the_command_line_exports_markdown_as_a_directory() {
    let dir = published_demo();
    let out = dir.path().join("md");
    run(trellis(dir.path())
        .args(["framework", "export", "--format", "markdown", "-o"])
        .arg(&out));
    let index = std::fs::read_to_string(out.join("README.md")).expect("index");
    assert!(
        index.starts_with("# Northwind Labs career framework\n"),
        "{index}"
    );
    assert!(
        index.contains("(tracks/software-engineering.md)"),
        "{index}"
    );
    let track =
        std::fs::read_to_string(out.join("tracks/software-engineering.md")).expect("track file");
    assert!(track.contains("## Software Engineer II\n"), "{track}");
    assert!(track.contains("- You tell your team about a blocker on the day you hit it.\n"));
    assert!(!track.contains("EUR"));

    let refused = trellis(dir.path())
        .args(["framework", "export", "--format", "markdown"])
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--output DIR"));
}

#[test]
fn publish_site_refuses_when_nothing_is_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = trellis(dir.path())
        .args(["framework", "publish-site", "site"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing is published yet"));
    assert!(!dir.path().join("site/index.html").exists());
}

/// Every `href` and `src` in the HTML files under `root`, as (page, target).
fn links(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let html = std::fs::read_to_string(&path).expect("read page");
                for attr in ["href=\"", "src=\""] {
                    for (i, _) in html.match_indices(attr) {
                        let rest = &html[i + attr.len()..];
                        let value = &rest[..rest.find('"').expect("closing quote")];
                        out.push((path.clone(), value.replace("&amp;", "&")));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn publish_site_writes_pages_whose_links_all_resolve_and_no_pay() {
    let dir = published_demo();
    let site = dir.path().join("site");
    let said = run(trellis(dir.path()).args(["framework", "publish-site", "site"]));
    assert!(said.contains("wrote "), "{said}");
    for file in [
        "index.html",
        "library.html",
        "compare.html",
        "search.html",
        "assets/app.css",
        "assets/site.css",
        "assets/data.js",
        "assets/search-index.js",
        "tracks/software-engineering/index.html",
        "tracks/software-engineering/levels/se2.html",
        "tracks/engineering-management/levels/director.html",
    ] {
        assert!(site.join(file).is_file(), "{file} is missing");
    }
    let links = links(&site);
    assert!(links.len() > 100, "{} links", links.len());
    let mut pages_linked = BTreeSet::new();
    for (page, target) in &links {
        if target.starts_with("https://")
            || target.starts_with("http://")
            || target.starts_with("mailto:")
        {
            continue;
        }
        assert!(
            !target.starts_with('/'),
            "{}: `{target}` is not relative",
            page.display()
        );
        let path = target.split(['#', '?']).next().unwrap_or_default();
        if path.is_empty() {
            continue;
        }
        let resolved = page.parent().expect("a folder").join(path);
        assert!(
            resolved.is_file(),
            "{}: `{target}` does not resolve",
            page.display()
        );
        pages_linked.insert(resolved.canonicalize().expect("canonical"));
    }
    assert!(
        pages_linked.contains(
            &site
                .join("tracks/software-engineering/levels/principal.html")
                .canonicalize()
                .expect("canonical")
        )
    );
    for (path, text) in [
        (
            "tracks/software-engineering/index.html",
            "Software Engineer II",
        ),
        (
            "tracks/software-engineering/levels/se1.html",
            "You tell your team about a blocker",
        ),
        ("assets/data.js", "window.TRELLIS_FRAMEWORK = {"),
        (
            "assets/search-index.js",
            "You tell your team about a blocker",
        ),
        ("compare.html", "<noscript>"),
    ] {
        let content = std::fs::read_to_string(site.join(path)).expect("read");
        assert!(content.contains(text), "{path} lacks {text}");
    }
    for (page, _) in &links {
        let html = std::fs::read_to_string(page).expect("read");
        assert!(
            !html.contains("EUR") && !html.contains("57,000"),
            "{} shows pay",
            page.display()
        );
        assert!(
            !html.contains("<script>"),
            "{} has an inline script",
            page.display()
        );
        assert!(
            !html.contains("style=\""),
            "{} has an inline style",
            page.display()
        );
    }
    let data = std::fs::read_to_string(site.join("assets/data.js")).expect("data");
    assert!(!data.contains("EUR") && !data.contains("57000"));
}

#[test]
fn the_site_escapes_what_people_wrote() {
    let mut fw = trellis::architecture::framework::check_yaml(trellis::demo::FRAMEWORK_YAML)
        .expect("the demo file");
    fw.tracks[0].name = "<script>alert(1)</script> & \"Co\"".into();
    fw.tracks[0].levels[0]
        .expectations
        .values_mut()
        .next()
        .expect("a cell")[0] = "Ships <img src=x onerror=alert(1)> **fast**".into();
    let md = trellis::markdown::Markdown::default();
    let files = trellis::site::render(&fw, "Version 1", &md).expect("render");
    let page = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, c)| c.as_str())
            .unwrap_or_else(|| panic!("{name} is missing"))
    };
    let track = page(&format!("tracks/{}/index.html", fw.tracks[0].key));
    assert!(
        track.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Co&#34;")
            || track.contains("&lt;script&gt;"),
        "{track}"
    );
    assert!(!track.contains("<script>alert"));
    assert!(!track.contains("onerror"));
    assert!(track.contains("<strong>fast</strong>"));
    assert!(!page("index.html").contains("<script>alert"));
    assert!(!page("compare.html").contains("<script>alert"));
}

#[tokio::test]
async fn csv_and_markdown_downloads_of_a_version_leave_out_pay() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/versions/1/export.csv")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.header("content-type").starts_with("text/csv"));
    assert!(
        res.header("content-disposition")
            .contains("framework-v1.csv")
    );
    assert!(res.body.starts_with("track,level,competency,expectation,"));
    assert!(res.body.contains("You tell your team about a blocker"));
    assert!(!res.body.contains("EUR") && !res.body.contains("57000"));

    let res = app
        .get("/versions/1/export-markdown.zip")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.header("content-type"), "application/zip");
    assert!(
        res.header("content-disposition")
            .contains("framework-v1-markdown.zip")
    );
    assert!(res.body.starts_with("PK\u{3}\u{4}"));

    let history = app
        .get("/versions")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(history.body.contains("/versions/1/export.csv"));
    assert!(history.body.contains("/versions/1/export-markdown.zip"));
}

#[tokio::test]
async fn only_admins_download_the_draft() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    for path in ["/draft/export.csv", "/draft/export-markdown.zip"] {
        app.get(path)
            .session(&employee)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let admin = app.admin().await;
    let csv = app
        .get("/draft/export.csv")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        csv.header("content-disposition")
            .contains("framework-draft.csv")
    );
    let zip = app
        .get("/draft/export-markdown.zip")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(zip.body.starts_with("PK\u{3}\u{4}"));
    let home = app
        .get("/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(home.body.contains("/draft/export.csv"));
    assert!(home.body.contains("/draft/export-markdown.zip"));
}
