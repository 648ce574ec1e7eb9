//! How forms and lists are laid out on every page: one date picker for every date, quiet buttons
//! for removing a row, and tables that carry the labels their cards show on a phone.

use axum::http::StatusCode;

use crate::helpers::{ADMIN, Session, TestApp};

const IRIS: (&str, &str) = ("iris.brook@demo.trellis.test", "demo-manager-pass");
const SAM: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");

/// The demo with its directory and a few months of growth: Sam has a goal and a 1:1 series with
/// his manager Iris, who manages June and Oskar too.
async fn demo_with_growth() -> TestApp {
    let app = TestApp::demo().await;
    trellis::demo::seed_directory(&app.state, trellis::auth::password::Cost::Test)
        .await
        .expect("the demo's directory");
    trellis::demo::seed_growth(&app.state)
        .await
        .expect("the demo's growth");
    app
}

async fn id(app: &TestApp, sql: &str, email: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(email)
        .fetch_one(app.state.db().pool())
        .await
        .unwrap_or_else(|e| panic!("{sql} for {email}: {e}"))
}

async fn page(app: &TestApp, session: &Session, path: &str) -> String {
    app.get(path)
        .session(session)
        .send()
        .await
        .expect(StatusCode::OK)
        .body
}

/// Every `<input …>` tag of a page.
fn inputs(html: &str) -> Vec<&str> {
    html.match_indices("<input")
        .map(|(at, _)| {
            let rest = &html[at..];
            &rest[..rest.find('>').map_or(rest.len(), |end| end + 1)]
        })
        .collect()
}

/// The value of an attribute of one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let at = tag.find(&marker)? + marker.len();
    tag[at..].split('"').next()
}

/// The inputs of a page that hold a date: their names say so (`…_on`, `…_date`, or the audit
/// log's `from` and `to`).
fn date_inputs(html: &str) -> Vec<&str> {
    inputs(html)
        .into_iter()
        .filter(|tag| {
            attribute(tag, "name").is_some_and(|n| {
                n.ends_with("_on") || n.ends_with("_date") || n == "from" || n == "to"
            })
        })
        .collect()
}

/// Every `<button …>…</button>` of a page.
fn buttons(html: &str) -> Vec<&str> {
    html.match_indices("<button")
        .map(|(at, _)| {
            let rest = &html[at..];
            &rest[..rest.find("</button>").map_or(rest.len(), |end| end + 9)]
        })
        .collect()
}

#[tokio::test]
async fn every_date_field_is_the_browsers_date_picker_with_its_hint_in_the_label() {
    let app = demo_with_growth().await;
    let admin = app.sign_in(ADMIN).await;
    let iris = app.sign_in(IRIS).await;
    let sam = app.sign_in(SAM).await;
    let sam_id = id(&app, "SELECT id FROM users WHERE email = $1", SAM.0).await;
    let june = id(
        &app,
        "SELECT id FROM users WHERE email = $1",
        "june.hale@demo.trellis.test",
    )
    .await;
    let goal = id(
        &app,
        "SELECT g.id FROM goals g JOIN users u ON u.id = g.person_id WHERE u.email = $1 ORDER BY g.id LIMIT 1",
        SAM.0,
    )
    .await;
    let meeting = id(
        &app,
        "SELECT m.id FROM one_on_ones m JOIN one_on_one_series s ON s.id = m.series_id \
         JOIN users u ON u.id = s.report_id WHERE u.email = $1 AND m.status = 'upcoming' LIMIT 1",
        SAM.0,
    )
    .await;
    let pages = [
        (&admin, "/people/new".to_owned(), 1),
        (&admin, format!("/people/{sam_id}"), 3),
        (&admin, "/admin/rollout/roadmap".to_owned(), 12),
        (&admin, "/admin/tokens".to_owned(), 1),
        (&admin, "/admin/surveys/new".to_owned(), 2),
        (&admin, "/admin/audit".to_owned(), 2),
        (&sam, format!("/people/{sam_id}/plan"), 1),
        (&sam, format!("/goals/{goal}"), 2),
        (&sam, format!("/people/{sam_id}/evidence"), 1),
        (&sam, format!("/one-on-ones/meetings/{meeting}"), 2),
        (&iris, "/one-on-ones".to_owned(), 1),
        (&iris, format!("/people/{june}/nominations/new"), 1),
    ];
    for (session, path, at_least) in pages {
        let html = page(&app, session, &path).await;
        let dates = date_inputs(&html);
        assert!(
            dates.len() >= at_least,
            "{path} has {at_least} date fields or more: {dates:?}"
        );
        for tag in dates {
            assert_eq!(
                attribute(tag, "type"),
                Some("date"),
                "{path}: a date is typed in the calendar, not as text: {tag}"
            );
        }
        assert!(!html.contains("YYYY-MM-DD"), "{path} asks for a format");
    }
}

#[tokio::test]
async fn a_date_that_is_no_day_is_refused_with_the_reason_and_kept_in_the_field() {
    let app = demo_with_growth().await;
    let sam = app.sign_in(SAM).await;
    let sam_id = id(&app, "SELECT id FROM users WHERE email = $1", SAM.0).await;
    let res = app
        .post(&format!("/people/{sam_id}/plan/goals"))
        .session(&sam)
        .form(&[("title", "Lead a design review"), ("due_on", "31/12/2030")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("“31/12/2030” is not a date written YYYY-MM-DD"),
        "{}",
        res.body
    );
    let due = date_inputs(&res.body)
        .into_iter()
        .find(|tag| attribute(tag, "name") == Some("due_on"))
        .expect("the due date field");
    assert_eq!(attribute(due, "type"), Some("date"));
    assert_eq!(attribute(due, "value"), Some("31/12/2030"));
    assert_eq!(attribute(due, "aria-invalid"), Some("true"));
}

#[tokio::test]
async fn removing_a_row_is_a_quiet_button_and_red_is_kept_for_the_pages_own_destructive_act() {
    let app = demo_with_growth().await;
    let admin = app.sign_in(ADMIN).await;
    let sam = app.sign_in(SAM).await;
    let goal = id(
        &app,
        "SELECT g.id FROM goals g JOIN users u ON u.id = g.person_id WHERE u.email = $1 ORDER BY g.id LIMIT 1",
        SAM.0,
    )
    .await;
    let meeting = id(
        &app,
        "SELECT m.id FROM one_on_ones m JOIN one_on_one_series s ON s.id = m.series_id \
         JOIN users u ON u.id = s.report_id WHERE u.email = $1 AND m.status = 'upcoming' LIMIT 1",
        SAM.0,
    )
    .await;
    for (session, path) in [
        (&admin, "/draft/library".to_owned()),
        (&admin, "/admin/rollout/roadmap".to_owned()),
        (&sam, format!("/one-on-ones/meetings/{meeting}")),
    ] {
        let html = page(&app, session, &path).await;
        let removes: Vec<&str> = buttons(&html)
            .into_iter()
            .filter(|b| b.ends_with(">Remove</button>"))
            .collect();
        assert!(!removes.is_empty(), "{path} has rows to remove");
        for b in removes {
            assert_eq!(attribute(b, "class"), Some("quiet"), "{path}: {b}");
            assert!(
                attribute(b, "aria-label").is_some_and(|l| l.starts_with("Remove ")),
                "{path}: the button names what it removes: {b}"
            );
            assert!(attribute(b, "data-confirm").is_some(), "{path}: {b}");
        }
        assert!(!html.contains("class=\"danger"), "{path} has no red button");
    }
    // The goal's own page: deleting the goal is what the page may do, and stays red.
    let html = page(&app, &sam, &format!("/goals/{goal}")).await;
    let red: Vec<&str> = buttons(&html)
        .into_iter()
        .filter(|b| attribute(b, "class") == Some("danger"))
        .collect();
    assert_eq!(red.len(), 1, "{red:?}");
    assert!(red[0].ends_with(">Delete the goal</button>"), "{red:?}");
}

#[tokio::test]
async fn every_cell_of_the_lists_a_phone_shows_as_cards_carries_its_label() {
    let app = demo_with_growth().await;
    let iris = app.sign_in(IRIS).await;
    let sam_id = id(&app, "SELECT id FROM users WHERE email = $1", SAM.0).await;
    for path in [
        "/team".to_owned(),
        "/people".to_owned(),
        format!("/people/{sam_id}/checkins"),
        "/one-on-ones".to_owned(),
    ] {
        let html = page(&app, &iris, &path).await;
        let table = html
            .split("<table class=\"")
            .skip(1)
            .find(|t| {
                t.split('"')
                    .next()
                    .is_some_and(|c| c.contains("cards-on-phone"))
            })
            .unwrap_or_else(|| panic!("{path} has a table that becomes cards"));
        let body = &table[..table.find("</table>").expect("the table's end")];
        let cells = body.matches("<td").count();
        assert!(cells > 0, "{path} has cells");
        assert_eq!(
            body.matches("<td data-label=\"").count(),
            cells,
            "{path}: every cell is labelled"
        );
    }
}
