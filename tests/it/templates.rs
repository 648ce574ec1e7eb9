//! The template catalog: every template is complete and consistent with the shared library, and
//! admins can preview and add templates from the gallery, the API and the command line.

use std::collections::HashMap;

use axum::http::StatusCode;
use trellis::architecture::templates;
use trellis::auth::Actor;
use trellis_framework::{Framework, validate, yaml};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/framework-templates");

fn files() -> Vec<(String, Framework)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(DIR).expect("the templates folder") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("readable");
            let fw = yaml::read(&text).unwrap_or_else(|errors| {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!("{} does not read:\n{}", path.display(), list.join("\n"))
            });
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, fw));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_template_file_is_in_the_catalog() {
    let mut on_disk: Vec<String> = files()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name != "library")
        .collect();
    let mut listed: Vec<String> = templates::templates(&Actor::command_line())
        .expect("the templates")
        .iter()
        .map(|t| t.id.clone())
        .collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn the_catalog_covers_the_main_functions() {
    let ids: Vec<String> = templates::templates(&Actor::command_line())
        .expect("the templates")
        .iter()
        .map(|t| t.id.clone())
        .collect();
    assert!(ids.len() >= 10, "{ids:?}");
    for needed in [
        "software-engineering",
        "engineering-management",
        "product-management",
        "product-design",
        "data",
        "sales",
        "customer-success",
        "marketing",
        "people",
    ] {
        assert!(ids.iter().any(|i| i == needed), "missing {needed}: {ids:?}");
    }
}

#[test]
fn a_key_means_the_same_thing_in_every_template() {
    let mut competencies: HashMap<String, (String, serde_json::Value)> = HashMap::new();
    let mut categories: HashMap<String, (String, serde_json::Value)> = HashMap::new();
    let mut grades: HashMap<String, (String, serde_json::Value)> = HashMap::new();
    for (file, fw) in files() {
        let check = |seen: &mut HashMap<String, (String, serde_json::Value)>,
                     key: String,
                     value: serde_json::Value| {
            match seen.get(&key) {
                Some((first, v)) => assert_eq!(
                    v, &value,
                    "`{key}` differs between {first}.yaml and {file}.yaml"
                ),
                None => {
                    seen.insert(key, (file.clone(), value));
                }
            }
        };
        for c in &fw.competencies {
            check(&mut competencies, c.key.to_string(), serde_json::json!(c));
        }
        for c in &fw.categories {
            check(&mut categories, c.key.to_string(), serde_json::json!(c));
        }
        for g in &fw.grades {
            check(&mut grades, g.key.to_string(), serde_json::json!(g));
        }
    }
}

#[test]
fn every_template_is_complete_and_publishable() {
    for t in templates::templates(&Actor::command_line()).expect("the templates") {
        let fw = &t.framework;
        assert!(validate(fw).is_empty(), "{}: {:?}", t.id, validate(fw));
        assert!(!fw.tracks.is_empty(), "{} has a track", t.id);
        for track in &fw.tracks {
            let levels = track.levels.len();
            let rows = track.competencies.len();
            assert!(
                (4..=7).contains(&levels),
                "{}/{}: {levels} levels",
                t.id,
                track.key
            );
            assert!(
                (6..=10).contains(&rows),
                "{}/{}: {rows} competencies",
                t.id,
                track.key
            );
            let examples: usize = track.levels.iter().map(|l| l.examples.len()).sum();
            assert!(
                examples >= 3,
                "{}/{} has examples for key cells",
                t.id,
                track.key
            );
            for level in &track.levels {
                assert!(
                    level.pay.is_none(),
                    "{}: templates leave pay to the company",
                    t.id
                );
                for c in &track.competencies {
                    let bullets = level.expectations.get(c).map_or(0, Vec::len);
                    assert!(
                        level.is_not_applicable(c) || bullets >= 2,
                        "{}/{}/{}: {c} has {bullets} bullet(s)",
                        t.id,
                        track.key,
                        level.key
                    );
                }
            }
        }
    }
}

mod gallery {
    use super::*;
    use crate::helpers::TestApp;

    fn first_template() -> &'static templates::Template {
        templates::templates(&Actor::command_line())
            .expect("the templates")
            .first()
            .expect("at least one template")
    }

    #[tokio::test]
    async fn admins_browse_and_preview_templates_and_employees_cannot() {
        let app = TestApp::demo().await;
        let admin = app.admin().await;
        let employee = app.employee().await;
        let t = first_template();
        let list = app
            .get("/draft/templates")
            .session(&admin)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(
            list.body
                .contains(&format!("href=\"/draft/templates/{}\"", t.id))
        );
        let preview = app
            .get(&format!("/draft/templates/{}", t.id))
            .session(&admin)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(preview.body.contains("class=\"matrix\""));
        app.get("/draft/templates")
            .session(&employee)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        app.post(&format!("/draft/templates/{}", t.id))
            .session(&employee)
            .form(&[
                ("track", t.framework.tracks[0].key.as_str()),
                ("step", "add"),
            ])
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        app.get("/draft/templates/no-such-template")
            .session(&admin)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn showing_what_changes_changes_nothing_and_adding_keeps_the_draft_name() {
        let app = TestApp::demo().await;
        let admin = app.admin().await;
        let token = app.token("api").await;
        let t = first_template();
        let track = t.framework.tracks[0].key.to_string();
        let before = app
            .get("/api/v1/draft")
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        let preview = app
            .post(&format!("/draft/templates/{}", t.id))
            .session(&admin)
            .form(&[("track", &track), ("step", "preview")])
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(preview.body.contains("What adding it would change"));
        let unchanged = app
            .get("/api/v1/draft")
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(before, unchanged);
        app.post(&format!("/draft/templates/{}", t.id))
            .session(&admin)
            .form(&[("track", &track), ("step", "add")])
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
        let after = app
            .get("/api/v1/draft")
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(after["framework"]["name"], before["framework"]["name"]);
        let tracks = after["framework"]["tracks"].as_array().expect("tracks");
        assert!(tracks.iter().any(|x| x["key"] == track.as_str()));
    }

    #[tokio::test]
    async fn the_api_lists_templates_and_adds_one() {
        let app = TestApp::demo().await;
        let token = app.token("api").await;
        let list = app
            .get("/api/v1/templates")
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        let t = first_template();
        assert!(
            list.as_array()
                .is_some_and(|l| l.iter().any(|x| x["id"] == t.id.as_str()))
        );
        let report = app
            .post(&format!("/api/v1/draft/templates/{}?dry_run=true", t.id))
            .bearer(&token)
            .json(&serde_json::json!({ "tracks": [] }))
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(report["dry_run"], true);
        let bad = app
            .post(&format!("/api/v1/draft/templates/{}", t.id))
            .bearer(&token)
            .json(&serde_json::json!({ "tracks": ["no-such-track"] }))
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .json();
        assert_eq!(bad["errors"][0]["field"], "tracks");
        let employee = app.token_for("employee@demo.trellis.test").await;
        app.get("/api/v1/templates")
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn choosing_no_track_is_explained() {
        let app = TestApp::demo().await;
        let admin = app.admin().await;
        let t = first_template();
        let res = app
            .post(&format!("/draft/templates/{}", t.id))
            .session(&admin)
            .form(&[("step", "add")])
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("choose at least one track"));
    }
}

#[test]
fn templates_are_listed_and_added_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_trellis"))
            .env("TRELLIS_DATA_DIR", dir.path().join("data"))
            .env_remove("DATABASE_URL")
            .args(args)
            .output()
            .expect("run")
    };
    let t = templates::templates(&Actor::command_line())
        .expect("the templates")
        .first()
        .expect("a template");
    let list = run(&["framework", "templates"]);
    assert!(list.status.success());
    assert!(String::from_utf8_lossy(&list.stdout).contains(&t.id));
    let added = run(&["framework", "add-template", &t.id]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let published = run(&["framework", "publish", "--note", "Start from a template"]);
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    assert!(String::from_utf8_lossy(&published.stdout).contains("published version 1"));
    let unknown = run(&["framework", "add-template", "no-such-template"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no-such-template"));
}

mod merging {
    use axum::http::StatusCode;
    use trellis_framework::Framework;
    use trellis_framework::diff::{ChangeKind, diff};

    use crate::helpers::TestApp;

    async fn draft(app: &TestApp, token: &str) -> Framework {
        let body = app
            .get("/api/v1/draft")
            .bearer(token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        serde_json::from_value(body["framework"].clone()).expect("a framework")
    }

    /// The changes from `before` to `after` that are not additions.
    fn not_additions(before: &Framework, after: &Framework) -> Vec<String> {
        diff(before, after)
            .sections
            .iter()
            .flat_map(|s| &s.changes)
            .filter(|c| c.kind != ChangeKind::Added)
            .map(|c| format!("{:?} {} {:?}", c.kind, c.subject, c.field))
            .collect()
    }

    #[tokio::test]
    async fn adding_a_template_in_the_gallery_only_adds_to_the_demo_draft() {
        let app = TestApp::demo().await;
        let admin = app.admin().await;
        let token = app.token("api").await;
        let before = draft(&app, &token).await;
        let data = trellis::architecture::templates::template(
            &trellis::auth::Actor::command_line(),
            "data",
        )
        .expect("the data template");
        let tracks: Vec<(&str, &str)> = data
            .framework
            .tracks
            .iter()
            .map(|t| ("track", t.key.as_str()))
            .collect();
        let mut preview_form = tracks.clone();
        preview_form.push(("step", "preview"));
        let preview = app
            .post("/draft/templates/data")
            .session(&admin)
            .form(&preview_form)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(
            preview.body.contains("Use the file&#x27;s version of")
                || preview.body.contains("Use the file's version of"),
            "the preview lists what the template describes differently"
        );
        let mut add_form = tracks;
        add_form.push(("step", "add"));
        app.post("/draft/templates/data")
            .session(&admin)
            .form(&add_form)
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
        let after = draft(&app, &token).await;
        assert_ne!(before, after, "the template added something");
        assert_eq!(not_additions(&before, &after), Vec::<String>::new());
        assert!(
            trellis_framework::merge::differences(
                &before,
                &after,
                &trellis_framework::merge::Take::nothing()
            )
            .is_empty(),
            "every item of the draft is as it was, in the same order"
        );
    }

    #[tokio::test]
    async fn only_the_items_chosen_take_the_templates_version() {
        let app = TestApp::demo().await;
        let token = app.token("api").await;
        let before = draft(&app, &token).await;
        let preview = app
            .post("/api/v1/draft/templates/data?dry_run=true")
            .bearer(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        let differences = preview["differences"].as_array().expect("differences");
        assert!(differences.len() >= 2, "{preview:#}");
        assert!(differences.iter().all(|d| d["taken"] == false));
        let chosen = differences[0]["id"].as_str().expect("an id").to_owned();
        let report = app
            .post("/api/v1/draft/templates/data")
            .bearer(&token)
            .json(&serde_json::json!({ "take": [chosen] }))
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        let taken: Vec<&str> = report["differences"]
            .as_array()
            .expect("differences")
            .iter()
            .filter(|d| d["taken"] == true)
            .filter_map(|d| d["id"].as_str())
            .collect();
        assert_eq!(taken, [chosen.as_str()]);
        let after = draft(&app, &token).await;
        let left: Vec<String> = trellis_framework::merge::differences(
            &before,
            &after,
            &trellis_framework::merge::Take::nothing(),
        )
        .into_iter()
        .map(|d| d.id)
        .collect();
        assert_eq!(
            left,
            std::slice::from_ref(&chosen),
            "only the chosen item changed"
        );
        let again = app
            .post("/api/v1/draft/templates/data?dry_run=true")
            .bearer(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        let ids: Vec<&str> = again["differences"]
            .as_array()
            .expect("differences")
            .iter()
            .filter_map(|d| d["id"].as_str())
            .collect();
        assert!(!ids.contains(&chosen.as_str()));
        assert_eq!(ids.len(), differences.len() - 1);
        let bad = app
            .post("/api/v1/draft/templates/data")
            .bearer(&token)
            .json(&serde_json::json!({ "take": ["competency:no-such-thing"] }))
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .json();
        assert_eq!(bad["errors"][0]["field"], "take");
    }
}

#[test]
fn the_catalogue_itself_asks_the_policy_whoever_calls_it() {
    use trellis::auth::{Role, Via};
    let employee = Actor {
        user_id: Some(7),
        label: "someone@demo.trellis.test".into(),
        name: "Someone".into(),
        role: Role::Employee,
        via: Via::Session,
    };
    let refused = templates::templates(&employee).expect_err("only those who edit the framework");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = templates::template(&employee, "data").expect_err("nor one of them");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The YAML of a template is for anyone who reads the framework.
    assert!(
        templates::source(&employee, "data")
            .expect("the source")
            .contains("tracks")
    );
}
