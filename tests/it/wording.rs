//! What people read: every page of the demo in plain words (no keys, no backticks, no "(s)", error
//! messages as sentences), and a message saying what happened after each action, shown once.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{EMPLOYEE, Res, Session, TestApp};

/// The text a person reads on a page: the markup without its tags, comments and attributes.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#x27;", "'").replace("&quot;", "\"")
}

/// `html` without the elements that start with `open` and end with `close`.
fn without(html: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(open) {
        out.push_str(&rest[..at]);
        rest = rest[at..].find(close).map_or("", |end| &rest[at + end..]);
    }
    out.push_str(rest);
    out
}

/// The page without what it shows as identifiers on purpose: keys labelled as keys
/// (`<span class="key">`) and code (the audit log's actions and objects, as they are filtered on).
fn without_keys(html: &str) -> String {
    let html = without(html, "<span class=\"key\">", "</span>");
    let html = without(&html, "<code>", "</code>");
    without(&html, "<pre", "</pre>")
}

/// Every way a page can speak like a developer, found in its visible text.
fn developer_words(path: &str, html: &str) -> Vec<String> {
    // A key shown on purpose is labelled as one (the editor shows what files and addresses use).
    let text = visible_text(&without_keys(html));
    let mut found = Vec::new();
    if text.contains("(s)") {
        found.push(format!("{path}: \"(s)\""));
    }
    if text.contains('`') {
        found.push(format!("{path}: a backtick"));
    }
    for key in [
        "not_applicable",
        "working_towards",
        "in_progress",
        "not_started",
        "lateral_move",
        "software-engineering",
    ] {
        if text.contains(key) {
            found.push(format!("{path}: the key {key}"));
        }
    }
    // Durations read in weeks, months and years, never "1691 days".
    let words: Vec<&str> = text.split_whitespace().collect();
    for pair in words.windows(2) {
        if pair[1].starts_with("days") && pair[0].parse::<i64>().is_ok_and(|n| n > 365) {
            found.push(format!(
                "{path}: a duration in days: {} {}",
                pair[0], pair[1]
            ));
        }
    }
    for marker in ["class=\"error-message\">", "class=\"field-error\">"] {
        for (at, _) in html.match_indices(marker) {
            let message = visible_text(&html[at + marker.len()..]);
            if message.trim_start().starts_with(|c: char| c.is_lowercase()) {
                found.push(format!(
                    "{path}: an error starting in lowercase: {}",
                    message.trim().chars().take(60).collect::<String>()
                ));
            }
        }
    }
    found
}

/// The same-site links of a page that lead to other pages (not files, not the API).
fn page_links(html: &str) -> Vec<String> {
    html.match_indices("href=\"/")
        .filter_map(|(at, _)| {
            let rest = &html[at + 6..];
            let end = rest.find('"')?;
            let link = rest[..end].split('#').next()?.replace("&amp;", "&");
            // The file format's help is about keys and files: it shows them on purpose.
            let skip = ["/static/", "/api", "/logout", "/scim", "/help/"];
            let file = [
                ".csv",
                ".yaml",
                ".zip",
                ".md",
                ".ico",
                "/download",
                "/export",
            ];
            (!link.is_empty()
                && !skip.iter().any(|s| link.starts_with(s))
                && !file.iter().any(|f| link.contains(f)))
            .then_some(link)
        })
        .collect()
}

/// Elements opened and not closed, or closed and not opened: a page whose structure is broken lays
/// its questions and buttons over each other, however right its words are.
fn unbalanced_elements(path: &str, html: &str) -> Vec<String> {
    let tags = [
        "div", "section", "form", "fieldset", "table", "ul", "ol", "details", "nav", "main",
        "label", "p",
    ];
    tags.iter()
        .filter_map(|tag| {
            let opened = html.matches(&format!("<{tag}>")).count()
                + html.matches(&format!("<{tag} ")).count();
            let closed = html.matches(&format!("</{tag}>")).count();
            (opened != closed).then(|| format!("{path}: {opened} <{tag}> opened, {closed} closed"))
        })
        .collect()
}

async fn walk(app: &TestApp, who: &str, session: &Session, start: &[&str]) -> Vec<String> {
    let mut queue: Vec<String> = start.iter().map(|s| (*s).to_owned()).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    while let Some(path) = queue.pop() {
        if seen.len() >= 120 || !seen.insert(path.clone()) {
            continue;
        }
        let res = app.get(&path).session(session).send().await;
        if !res.header("content-type").starts_with("text/html") {
            continue;
        }
        found.extend(developer_words(&format!("{who} {path}"), &res.body));
        found.extend(unbalanced_elements(&format!("{who} {path}"), &res.body));
        // One step from the main pages: the pages they link to, not further.
        if start.contains(&path.as_str()) {
            queue.extend(page_links(&res.body));
        }
    }
    found
}

#[tokio::test]
async fn the_demo_speaks_plainly_to_every_role() {
    let app = demo_with_directory().await;
    let admin = app.admin().await;
    let employee = app.employee().await;
    let manager = app
        .sign_in(("iris.brook@demo.trellis.test", "demo-manager-pass"))
        .await;
    let main = [
        "/home",
        "/tracks",
        "/tracks/software-engineering",
        "/competencies",
        "/compare",
        "/versions",
        "/people",
        "/team",
        "/one-on-ones",
        "/surveys",
    ];
    let mut admin_pages = main.to_vec();
    admin_pages.extend([
        "/draft",
        "/admin",
        "/dashboard",
        "/nominations",
        "/admin/rollout/self-check",
    ]);
    let mut found = Vec::new();
    found.extend(walk(&app, "employee", &employee, &main).await);
    found.extend(walk(&app, "manager", &manager, &main).await);
    found.extend(walk(&app, "admin", &admin, &admin_pages).await);
    // Pages that do not exist, or are private, answer with a sentence too.
    for path in [
        "/tracks/no-such-track",
        "/people/999999/checkins",
        "/goals/999999",
    ] {
        let res = app.get(path).session(&employee).send().await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        found.extend(developer_words(path, &res.body));
        let message = visible_text(
            res.body
                .split("class=\"error-message\">")
                .nth(1)
                .expect("an error message"),
        );
        let message = message.trim();
        assert!(
            message.starts_with(char::is_uppercase) && message.contains('.'),
            "{path}: {message}"
        );
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[tokio::test]
async fn a_not_found_message_agrees_in_number() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/api/v1/people/999999/checkins")
        .session(&employee)
        .send()
        .await;
    let detail = res.json()["detail"].as_str().unwrap_or_default().to_owned();
    assert!(!detail.contains("check-ins was"), "{detail}");
    assert!(detail.starts_with(char::is_uppercase), "{detail}");
    assert!(detail.ends_with('.'), "{detail}");
}

/// The demo with its directory: Sam has a position and a manager, Iris Brook.
async fn demo_with_directory() -> TestApp {
    let app = TestApp::demo().await;
    trellis::demo::seed_directory(&app.state, trellis::auth::password::Cost::Test)
        .await
        .expect("the demo's directory");
    app
}

/// The flash cookie a redirect sets, as `name=value`.
fn flash_cookie(res: &Res) -> String {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("trellis_flash="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no message was set: {:?}", res.headers))
        .to_owned()
}

/// Follows a redirect with the message it carries; returns the page.
async fn follow(app: &TestApp, session: &Session, res: &Res) -> Res {
    let cookie = flash_cookie(res);
    app.get(res.header("location"))
        .session(session)
        .header("cookie", &cookie)
        .send()
        .await
        .expect(StatusCode::OK)
}

#[tokio::test]
async fn publishing_says_what_happened_once_and_offers_the_next_step() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&json!({
            "op": "set_cell", "track": "software-engineering", "level": "se1", "competency": "ownership",
            "expectations": ["You finish what you start."], "examples": [], "not_applicable": false
        }))
        .send()
        .await
        .expect(StatusCode::OK);
    let res = app
        .post("/draft/publish")
        .session(&admin)
        .form(&[("note", "Say plainly what finishing means.")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = follow(&app, &admin, &res).await;
    assert!(page.body.contains("role=\"status\""), "{}", page.body);
    assert!(
        page.body.contains("Version 2 was published"),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/versions/2\""));
    assert!(page.body.contains("See what this version changed"));
    // Shown once: the page that showed it clears it.
    let cleared = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("trellis_flash=;") && v.contains("Max-Age=0"));
    assert!(cleared, "{:?}", page.headers);
    let again = app.get("/versions").session(&admin).send().await;
    assert!(!again.body.contains("was published:"));
}

#[tokio::test]
async fn evidence_and_goals_say_what_happened() {
    let app = demo_with_directory().await;
    let employee = app.employee().await;
    let me = app
        .session_actor(EMPLOYEE.0)
        .await
        .user_id
        .expect("a person");
    let res = app
        .post(&format!("/people/{me}/evidence"))
        .session(&employee)
        .form(&[
            ("kind", "note"),
            ("title", "Led the incident review"),
            ("url", ""),
            ("note", "Wrote up what we learned."),
            ("happened_on", "2025-03-01"),
            ("competencies", "ownership"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = follow(&app, &employee, &res).await;
    assert!(
        page.body.contains("Your evidence was added."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Ask a colleague to confirm it"));

    let item = res.header("location").trim_start_matches("/evidence/");
    let res = app
        .post(&format!("/evidence/{item}/remove"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = follow(&app, &employee, &res).await;
    assert!(
        page.body.contains("The evidence was deleted."),
        "{}",
        page.body
    );

    let res = app
        .post(&format!("/people/{me}/plan/goals"))
        .session(&employee)
        .form(&[
            ("title", "Run a design review"),
            ("description", ""),
            ("competency", "ownership"),
            ("due_on", ""),
        ])
        .send()
        .await;
    if res.status == StatusCode::SEE_OTHER {
        let page = follow(&app, &employee, &res).await;
        assert!(page.body.contains("The goal was saved."), "{}", page.body);
        assert!(page.body.contains("Add the first action towards it"));
    } else {
        panic!("the goal was refused: {}", res.body);
    }
}

#[tokio::test]
async fn survey_token_and_readiness_actions_say_what_happened() {
    let app = demo_with_directory().await;
    let admin = app.admin().await;
    let in_days = |days: i64| {
        (time::OffsetDateTime::now_utc().date() + time::Duration::days(days))
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .expect("a date")
    };
    let created = app
        .post("/admin/surveys")
        .session(&admin)
        .form(&[
            ("template", "blank"),
            ("title", "Managers' pulse"),
            ("audience", "everyone"),
            ("opens_on", &in_days(2)),
            ("closes_on", &in_days(9)),
            ("threshold", "4"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let survey = created.header("location").to_owned();
    let said = async |path: String, form: &[(&str, &str)], words: &str| {
        let res = app
            .post(&path)
            .session(&admin)
            .form(form)
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
        let page = follow(&app, &admin, &res).await;
        assert!(page.body.contains(words), "{path}: {}", page.body);
    };
    said(
        format!("{survey}/questions"),
        &[("kind", "scale"), ("prompt", "My track matches my work.")],
        "The question was added.",
    )
    .await;
    said(format!("{survey}/open"), &[], "The survey is open").await;
    said(format!("{survey}/close"), &[], "The survey is closed").await;

    let token = app.token("api").await;
    let tokens = app
        .get("/api/v1/tokens")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let id = tokens[0]["id"].as_i64().expect("a token");
    said(
        format!("/admin/tokens/{id}/revoke"),
        &[],
        "The token was revoked",
    )
    .await;

    said(
        "/admin/readiness/software-engineering/reset".to_owned(),
        &[],
        "The track uses the default readiness rule again.",
    )
    .await;
}

#[tokio::test]
async fn the_home_counts_what_changes_at_the_next_level_in_words() {
    let app = demo_with_directory().await;
    let employee = app.employee().await;
    let home = app
        .get("/home")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        home.body.contains("All 6 competencies change."),
        "{}",
        home.body
    );
    assert!(!home.body.contains("0 stay the same"));
}

#[tokio::test]
async fn adding_a_template_says_what_was_added_and_what_the_draft_kept() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/draft/templates/data")
        .session(&admin)
        .form(&[
            ("track", "data-science"),
            ("take", "competency:communication"),
            ("step", "add"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/draft");
    let page = follow(&app, &admin, &res).await;
    let body = &page.body;
    assert!(
        body.contains("The track Data Science and Analytics was added to the draft."),
        "{body}"
    );
    assert!(
        body.contains("The template&#39;s version replaced the draft&#39;s for 1 item."),
        "{body}"
    );
    assert!(
        body.contains(
            "The draft kept its own version of 4 items the template describes differently."
        ),
        "{body}"
    );
    assert!(
        body.contains("href=\"/versions/diff?from=1&#38;to=draft\""),
        "{body}"
    );
    assert!(
        body.contains("See what changed since the published version"),
        "{body}"
    );
}
