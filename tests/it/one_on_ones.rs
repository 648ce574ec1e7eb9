//! 1:1s: a manager and a direct report start a series; both write the agenda, shared notes and
//! action items of the upcoming meeting, and each their own private notes; the chain above the
//! manager and admins read the shared content only; everyone else gets a 404. Open action items
//! carry over from meeting to meeting until done. Over the pages and the API.

use axum::http::StatusCode;
use serde_json::json;
use trellis::domain::Day;
use trellis::growth::one_on_ones::{self, ItemInput, PointInput, StartInput};
use trellis::growth::plans::{self, GoalInput};

use crate::helpers::{Organisation, Session, TestApp};
use crate::plans::{MIA, NOOR, OLA, PAT, actor, id_in, ola_goal, sign_in_as};

/// The objects of the 1:1 rows of the access matrix: Noor and Ola's series, its upcoming meeting,
/// talking points and an action item (by Ola), and Mia and Noor's upcoming meeting.
pub async fn access_objects(app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    let state = &app.state;
    let noor = actor(org.noor, NOOR);
    let ola = actor(org.ola, OLA);
    let mia = actor(org.mia, MIA);
    let series = one_on_ones::start_series(state, &noor, org.ola, &StartInput::default())
        .await
        .expect("a series")
        .series;
    let meeting = one_on_ones::series(state, &noor, series)
        .await
        .expect("the series")
        .current
        .id;
    let mut objects = vec![("one_on_one", series), ("meeting", meeting)];
    for name in [
        "talking_point",
        "talking_point_removed_by_page",
        "talking_point_removed_by_api",
    ] {
        let point = one_on_ones::add_talking_point(
            state,
            &ola,
            meeting,
            &PointInput {
                body: format!("Point for {name}"),
                ..PointInput::default()
            },
        )
        .await
        .expect("a talking point");
        objects.push((name, point));
    }
    let item = one_on_ones::add_action_item(
        state,
        &noor,
        meeting,
        &ItemInput {
            title: "Book the design review".into(),
            owner: Some(org.ola),
            due_on: String::new(),
        },
    )
    .await
    .expect("an action item");
    objects.push(("action_item", item));
    let mia_series = one_on_ones::start_series(state, &mia, org.noor, &StartInput::default())
        .await
        .expect("Mia's series with Noor")
        .series;
    let mia_meeting = one_on_ones::series(state, &mia, mia_series)
        .await
        .expect("the series")
        .current
        .id;
    objects.push(("mia_meeting", mia_meeting));
    objects
}

struct World {
    app: TestApp,
    org: Organisation,
    noor: Session,
    ola: Session,
    series: i64,
    meeting: i64,
}

/// Noor starts 1:1s with Ola, every 14 days from 2025-03-03.
async fn world() -> World {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let noor = sign_in_as(&app, NOOR).await;
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .post(&format!("/people/{}/one-on-ones", org.ola))
        .session(&noor)
        .form(&[("cadence_days", "14"), ("first_on", "2025-03-03")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let series = id_in(res.header("location"));
    assert_eq!(res.header("location"), format!("/one-on-ones/{series}"));
    let meeting = app
        .get(&format!("/api/v1/one-on-ones/{series}"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()["current"]["id"]
        .as_i64()
        .expect("the upcoming meeting");
    World {
        app,
        org,
        noor,
        ola,
        series,
        meeting,
    }
}

impl World {
    async fn page(&self, who: &Session, path: &str) -> String {
        self.app
            .get(path)
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK)
            .body
    }

    async fn post(&self, who: &Session, path: &str, form: &[(&str, &str)]) -> String {
        self.app
            .post(path)
            .session(who)
            .form(form)
            .send()
            .await
            .expect(StatusCode::SEE_OTHER)
            .header("location")
            .to_owned()
    }

    async fn complete(&self, who: &Session, meeting: i64) -> i64 {
        let location = self
            .post(
                who,
                &format!("/one-on-ones/meetings/{meeting}/complete"),
                &[],
            )
            .await;
        meeting_in(&location)
    }
}

/// The meeting a location after completing one leads to (`/one-on-ones/meetings/ID?completed=..`).
fn meeting_in(location: &str) -> i64 {
    id_in(location.split('?').next().unwrap_or(location))
}

#[tokio::test]
async fn a_manager_starts_a_series_and_both_find_it_in_their_list() {
    let w = world().await;
    let mine = w.page(&w.noor, "/one-on-ones").await;
    assert!(mine.contains("With my reports"));
    assert!(mine.contains(&format!("href=\"/one-on-ones/{}\">OLA", w.series)));
    assert!(mine.contains("2025-03-03"));
    let hers = w.page(&w.ola, "/one-on-ones").await;
    assert!(hers.contains("With my manager"));
    assert!(hers.contains(&format!("href=\"/one-on-ones/{}\">NOOR", w.series)));
    // Starting again, from either side, finds the same series.
    let again = w
        .post(
            &w.ola,
            &format!("/people/{}/one-on-ones", w.org.noor),
            &[("cadence_days", "7")],
        )
        .await;
    assert_eq!(again, format!("/one-on-ones/{}", w.series));
    let page = w.page(&w.ola, &again).await;
    assert!(page.contains("1:1s: NOOR and OLA"));
    assert!(page.contains("Every 14 days"));
    assert!(page.contains("Next 1:1: 2025-03-03"));
    // Mia has Noor to start a series with, and her own manager (none) is not offered.
    let mia = sign_in_as(&w.app, MIA).await;
    let start = w.page(&mia, "/one-on-ones").await;
    assert!(start.contains("Start 1:1s with NOOR"));
    assert!(!start.contains("Start 1:1s with OLA"));
    let json = w
        .app
        .post(&format!("/api/v1/people/{}/one-on-ones", w.org.noor))
        .session(&mia)
        .json(&json!({ "cadence_days": 28, "first_on": "2025-04-01" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(json["cadence_days"], 28);
    assert_eq!(json["current"]["scheduled_on"], "2025-04-01");
    assert_eq!(json["side"], "manager");
    w.app
        .post(&format!("/api/v1/people/{}/one-on-ones", w.org.noor))
        .session(&mia)
        .json(&json!({}))
        .send()
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn only_a_manager_and_a_direct_report_start_a_series() {
    let w = world().await;
    let mia = sign_in_as(&w.app, MIA).await;
    let pat = sign_in_as(&w.app, PAT).await;
    let admin = w.app.admin().await;
    // Mia is Ola's skip-level manager, Pat works elsewhere, the admin is neither.
    for who in [&mia, &pat, &admin] {
        w.app
            .post(&format!("/people/{}/one-on-ones", w.org.ola))
            .session(who)
            .form(&[("cadence_days", "14")])
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    w.app
        .post(&format!("/people/{}/one-on-ones", w.org.ola))
        .session(&w.ola)
        .form(&[])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    w.app
        .post("/people/987654/one-on-ones")
        .session(&w.ola)
        .form(&[])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let token = w.app.token("api").await;
    w.app
        .post(&format!("/api/v1/people/{}/one-on-ones", w.org.noor))
        .bearer(&token)
        .json(&json!({}))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Bad input is judged for those who may start one.
    let res = w
        .app
        .post(&format!("/people/{}/one-on-ones", w.org.noor))
        .session(&mia)
        .form(&[("cadence_days", "0"), ("first_on", "next monday")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("The cadence is a number of days from 1 to 365")
    );
    assert!(res.body.contains("is not a date written YYYY-MM-DD"));
    assert!(res.body.contains("value=\"next monday\""));
}

#[tokio::test]
async fn participants_build_the_agenda_and_a_linked_point_makes_it_a_growth_one_on_one() {
    let w = world().await;
    let goal = ola_goal(&w.app, &w.org, "Lead the incident review").await;
    let m = w.meeting;
    let location = w
        .post(
            &w.ola,
            &format!("/one-on-ones/meetings/{m}/talking-points"),
            &[
                ("body", "How did the launch go?"),
                ("goal", ""),
                ("competency", ""),
            ],
        )
        .await;
    assert_eq!(location, format!("/one-on-ones/meetings/{m}#agenda"));
    let page = w.page(&w.noor, &location).await;
    assert!(page.contains("How did the launch go?"));
    assert!(
        !page.contains("class=\"tag-growth\""),
        "not a growth 1:1 yet"
    );
    assert!(
        page.contains("Lead the incident review"),
        "Ola's goals are offered to link"
    );
    w.post(
        &w.noor,
        &format!("/one-on-ones/meetings/{m}/talking-points"),
        &[
            ("body", "Your incident review goal"),
            ("goal", &goal.to_string()),
            ("competency", "ownership"),
        ],
    )
    .await;
    let json = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{m}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let agenda = &json["meeting"]["agenda"];
    assert_eq!(json["meeting"]["growth"], true);
    assert_eq!(agenda[1]["goal"]["title"], "Lead the incident review");
    assert_eq!(agenda[1]["competency"]["name"], "Ownership");
    assert_eq!(agenda[0]["can_remove"], true, "Ola wrote the first point");
    assert_eq!(agenda[1]["can_remove"], false, "Noor wrote the second");
    let second = agenda[1]["id"].as_i64().expect("a point");
    let first = agenda[0]["id"].as_i64().expect("a point");
    // Reorder, mark discussed.
    w.post(
        &w.ola,
        &format!("/one-on-ones/talking-points/{second}/move"),
        &[("direction", "up")],
    )
    .await;
    w.post(
        &w.ola,
        &format!("/one-on-ones/talking-points/{first}/discussed"),
        &[("discussed", "1")],
    )
    .await;
    let json = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{m}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let agenda = &json["meeting"]["agenda"];
    assert_eq!(agenda[0]["id"], second);
    assert_eq!(agenda[1]["discussed"], true);
    // Only the author removes a point.
    w.app
        .post(&format!("/one-on-ones/talking-points/{second}/remove"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    w.post(
        &w.noor,
        &format!("/one-on-ones/talking-points/{second}/remove"),
        &[],
    )
    .await;
    // Shared notes, written by both.
    w.post(
        &w.noor,
        &format!("/one-on-ones/meetings/{m}/shared-notes"),
        &[
            ("shared_notes", "We agreed on **three** things."),
            ("revision", "0"),
        ],
    )
    .await;
    let page = w.page(&w.ola, &format!("/one-on-ones/meetings/{m}")).await;
    assert!(page.contains("We agreed on <strong>three</strong> things."));
    assert!(page.contains("Last saved by NOOR"));
    // Growth 1:1s are counted once held.
    let before = one_on_ones::growth_one_on_ones_since(w.app.state.db(), "2025-01-01")
        .await
        .expect("counts");
    assert_eq!(before.held, 0);
    w.post(
        &w.noor,
        &format!("/one-on-ones/meetings/{m}/talking-points"),
        &[
            ("body", "Mentoring the new joiner"),
            ("competency", "mentoring"),
        ],
    )
    .await;
    w.complete(&w.noor, m).await;
    let after = one_on_ones::growth_one_on_ones_since(w.app.state.db(), "2025-01-01")
        .await
        .expect("counts");
    assert_eq!((after.held, after.growth, after.people), (1, 1, 1));
    let later = one_on_ones::growth_one_on_ones_since(w.app.state.db(), "2025-03-04")
        .await
        .expect("counts");
    assert_eq!(later.held, 0, "the day bounds the count");
    assert!(
        one_on_ones::growth_one_on_ones_since(w.app.state.db(), "March")
            .await
            .is_err(),
        "a bad day is refused"
    );
}

#[tokio::test]
async fn private_notes_are_read_by_their_author_and_nobody_else() {
    let w = world().await;
    let m = w.meeting;
    w.post(
        &w.noor,
        &format!("/one-on-ones/meetings/{m}/private-note"),
        &[("private_note", "NOOR-ONLY: ask about the team move")],
    )
    .await;
    let noor_token = w.app.token_for(NOOR).await;
    let ola_token = w.app.token_for(OLA).await;
    w.app
        .put(&format!("/api/v1/one-on-ones/meetings/{m}/private-note"))
        .bearer(&ola_token)
        .json(&json!({ "body": "OLA-ONLY: I am thinking of leaving" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let mia = sign_in_as(&w.app, MIA).await;
    let admin = w.app.admin().await;
    let api = w.app.token("api").await;
    let pages = [
        format!("/one-on-ones/{}", w.series),
        format!("/one-on-ones/meetings/{m}"),
    ];
    let apis = [
        format!("/api/v1/one-on-ones/{}", w.series),
        format!("/api/v1/one-on-ones/meetings/{m}"),
    ];
    // Each participant reads their own note, never the other's.
    for path in &pages {
        let noor = w.page(&w.noor, path).await;
        assert!(noor.contains("NOOR-ONLY") && !noor.contains("OLA-ONLY"));
        let ola = w.page(&w.ola, path).await;
        assert!(ola.contains("OLA-ONLY") && !ola.contains("NOOR-ONLY"));
    }
    for path in &apis {
        let noor = w
            .app
            .get(path)
            .bearer(&noor_token)
            .send()
            .await
            .expect(StatusCode::OK)
            .body;
        assert!(noor.contains("NOOR-ONLY") && !noor.contains("OLA-ONLY"));
        let ola = w
            .app
            .get(path)
            .bearer(&ola_token)
            .send()
            .await
            .expect(StatusCode::OK)
            .body;
        assert!(ola.contains("OLA-ONLY") && !ola.contains("NOOR-ONLY"));
    }
    // The chain above the manager and admins read the meeting, without any private note.
    for who in [&mia, &admin] {
        for path in pages.iter().chain(&apis) {
            let body = w.page(who, path).await;
            assert!(
                !body.contains("NOOR-ONLY") && !body.contains("OLA-ONLY"),
                "{path} shows a private note"
            );
        }
        let page = w.page(who, &pages[0]).await;
        assert!(!page.contains("My private notes"));
    }
    for path in &apis {
        let body = w
            .app
            .get(path)
            .bearer(&api)
            .send()
            .await
            .expect(StatusCode::OK)
            .body;
        assert!(!body.contains("NOOR-ONLY") && !body.contains("OLA-ONLY"));
    }
    // Nor the audit log, nor the lists.
    let audit = w
        .app
        .get("/api/v1/audit?per_page=500")
        .bearer(&api)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    // The event of a private note is its author's alone: an organisation token does not see it.
    assert!(!audit.contains("one_on_one.save_private_note"));
    assert!(!audit.contains("NOOR-ONLY") && !audit.contains("OLA-ONLY"));
    let audit_page = w.page(&admin, "/admin/audit").await;
    assert!(!audit_page.contains("NOOR-ONLY") && !audit_page.contains("OLA-ONLY"));
    for who in [&w.noor, &w.ola] {
        let list = w.page(who, "/one-on-ones").await;
        assert!(!list.contains("-ONLY"));
    }
    // Clearing one's note removes it.
    w.post(
        &w.noor,
        &format!("/one-on-ones/meetings/{m}/private-note"),
        &[("private_note", "")],
    )
    .await;
    let json = w
        .app
        .get(&apis[1])
        .bearer(&noor_token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["meeting"]["private_note"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_chain_above_the_manager_and_admins_read_the_shared_content_but_write_nothing() {
    let w = world().await;
    let m = w.meeting;
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{m}/talking-points"),
        &[("body", "Conference budget")],
    )
    .await;
    w.post(
        &w.noor,
        &format!("/one-on-ones/meetings/{m}/action-items"),
        &[
            ("title", "Send the budget form"),
            ("owner", &w.org.noor.to_string()),
        ],
    )
    .await;
    let mia = sign_in_as(&w.app, MIA).await;
    let admin = w.app.admin().await;
    for who in [&mia, &admin] {
        let page = w.page(who, &format!("/one-on-ones/{}", w.series)).await;
        assert!(page.contains("Conference budget"));
        assert!(page.contains("Send the budget form"));
        assert!(page.contains("only NOOR and OLA write here"));
        assert!(!page.contains("Add to the agenda"), "no forms for readers");
        for (path, form) in [
            (
                format!("/one-on-ones/meetings/{m}/talking-points"),
                vec![("body", "Mine too")],
            ),
            (
                format!("/one-on-ones/meetings/{m}/shared-notes"),
                vec![("shared_notes", "Overwritten")],
            ),
            (
                format!("/one-on-ones/meetings/{m}/private-note"),
                vec![("private_note", "Watching")],
            ),
            (
                format!("/one-on-ones/meetings/{m}/action-items"),
                vec![("title", "Extra"), ("owner", "1")],
            ),
            (format!("/one-on-ones/meetings/{m}/complete"), vec![]),
        ] {
            w.app
                .post(&path)
                .session(who)
                .form(&form)
                .send()
                .await
                .expect(StatusCode::FORBIDDEN);
        }
    }
    let token = w.app.token("api").await;
    let json = w
        .app
        .get(&format!("/api/v1/one-on-ones/{}", w.series))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["can_write"], false);
    assert_eq!(json["side"], serde_json::Value::Null);
    w.app
        .put(&format!("/api/v1/one-on-ones/meetings/{m}/shared-notes"))
        .bearer(&token)
        .json(&json!({ "notes": "Overwritten" }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_peer_gets_404_for_a_series_and_everything_in_it() {
    let w = world().await;
    let m = w.meeting;
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{m}/talking-points"),
        &[("body", "Secret agenda")],
    )
    .await;
    let pat = sign_in_as(&w.app, PAT).await;
    let sam = w.app.employee().await;
    for who in [&pat, &sam] {
        for path in [
            format!("/one-on-ones/{}", w.series),
            format!("/one-on-ones/meetings/{m}"),
            format!("/api/v1/one-on-ones/{}", w.series),
            format!("/api/v1/one-on-ones/meetings/{m}"),
        ] {
            let res = w
                .app
                .get(&path)
                .session(who)
                .send()
                .await
                .expect(StatusCode::NOT_FOUND);
            assert!(!res.body.contains("Secret agenda"));
        }
        w.app
            .post(&format!("/one-on-ones/meetings/{m}/talking-points"))
            .session(who)
            .form(&[("body", "Hello")])
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        let list = w.page(who, "/one-on-ones").await;
        assert!(!list.contains("OLA"));
    }
    // The report's own report does not see her manager's 1:1s with their manager.
    let mia = sign_in_as(&w.app, MIA).await;
    let json = w
        .app
        .post(&format!("/api/v1/people/{}/one-on-ones", w.org.noor))
        .session(&mia)
        .json(&json!({}))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let above = json["id"].as_i64().expect("a series");
    w.app
        .get(&format!("/one-on-ones/{above}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn open_action_items_carry_over_until_they_are_done() {
    let w = world().await;
    let first = w.meeting;
    for (title, owner) in [
        ("Write the design doc", w.org.ola),
        ("Ask for a budget", w.org.noor),
    ] {
        w.post(
            &w.noor,
            &format!("/one-on-ones/meetings/{first}/action-items"),
            &[
                ("title", title),
                ("owner", &owner.to_string()),
                ("due_on", "2025-03-10"),
            ],
        )
        .await;
    }
    let second = w.complete(&w.noor, first).await;
    assert_ne!(second, first);
    let page = w
        .page(&w.ola, &format!("/one-on-ones/meetings/{second}"))
        .await;
    assert_eq!(
        page.matches("carried over from 2025-03-03").count(),
        2,
        "both items carry over"
    );
    // Ola ticks the budget item in the second meeting, then it is completed.
    let json = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{second}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let items = json["meeting"]["action_items"]
        .as_array()
        .expect("items")
        .clone();
    let budget = items
        .iter()
        .find(|i| i["title"] == "Ask for a budget")
        .and_then(|i| i["id"].as_i64())
        .expect("the budget item");
    let back = w
        .post(
            &w.ola,
            &format!("/one-on-ones/action-items/{budget}/done"),
            &[("done", "1")],
        )
        .await;
    assert_eq!(
        back,
        format!("/one-on-ones/meetings/{second}#item-{budget}")
    );
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{second}/action-items"),
        &[
            ("title", "Share the slides"),
            ("owner", &w.org.ola.to_string()),
        ],
    )
    .await;
    let third = w.complete(&w.ola, second).await;
    let json = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{third}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let items: Vec<(String, Option<String>, bool)> = json["meeting"]["action_items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap_or_default().to_owned(),
                i["carried_over_from"].as_str().map(str::to_owned),
                i["done"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    let second_date = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{second}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()["meeting"]["scheduled_on"]
        .as_str()
        .expect("a date")
        .to_owned();
    assert_eq!(
        items,
        [
            (
                "Write the design doc".to_owned(),
                Some("2025-03-03".to_owned()),
                false
            ),
            (
                "Share the slides".to_owned(),
                Some(second_date.clone()),
                false
            ),
        ],
        "the done item stays behind; the open ones carry over with the date they were added"
    );
    // The held second meeting keeps its record: the budget item done there.
    let page = w
        .page(&w.noor, &format!("/one-on-ones/meetings/{second}"))
        .await;
    assert!(page.contains("Ask for a budget"));
    assert!(page.contains("Held on"));
    assert!(
        !page.contains("Add an action item"),
        "held meetings are read only"
    );
    // The series lists the two meetings held.
    let series = w.page(&w.noor, &format!("/one-on-ones/{}", w.series)).await;
    assert!(series.contains(&format!(
        "href=\"/one-on-ones/meetings/{first}\">2025-03-03"
    )));
    // Completed today, before or on its planned day: held today.
    let held_second = std::cmp::min(second_date.to_string(), Day::today().to_string());
    assert!(series.contains(&format!(
        "href=\"/one-on-ones/meetings/{second}\">{held_second}"
    )));
    // The next meetings keep the two-week rhythm of the first and are not in the past.
    let start = Day::parse("2025-03-03").expect("a day");
    let second_day = Day::parse(&second_date).expect("a day");
    let third_day =
        Day::parse(json["meeting"]["scheduled_on"].as_str().expect("a date")).expect("a day");
    assert_eq!(start.days_until(second_day) % 14, 0);
    assert!(second_day >= Day::today());
    assert_eq!(second_day.days_until(third_day), 14);
}

#[tokio::test]
async fn held_meetings_and_bad_input_are_refused_with_reasons() {
    let w = world().await;
    let m = w.meeting;
    let pat_goal = {
        let pat = actor(w.org.pat, PAT);
        plans::create_goal(
            &w.app.state,
            &pat,
            w.org.pat,
            &GoalInput {
                title: "Pat's goal".into(),
                competencies: vec!["ownership".into()],
                ..GoalInput::default()
            },
            false,
        )
        .await
        .expect("Pat's goal")
    };
    let long = "y".repeat(1001);
    let res = w
        .app
        .post(&format!("/one-on-ones/meetings/{m}/talking-points"))
        .session(&w.noor)
        .form(&[
            ("body", long.as_str()),
            ("goal", &pat_goal.to_string()),
            ("competency", "juggling"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("A talking point has at most 1000 characters")
    );
    assert!(
        res.body.contains("Choose one of OLA&#39;s goals")
            || res.body.contains("Choose one of OLA&#x27;s goals")
    );
    assert!(
        res.body
            .contains("“juggling” is not a competency of the library")
    );
    let res = w
        .app
        .post(&format!("/one-on-ones/meetings/{m}/action-items"))
        .session(&w.noor)
        .form(&[
            ("title", ""),
            ("owner", &w.org.pat.to_string()),
            ("due_on", "2025-02-30"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Say what is to be done"));
    assert!(
        res.body
            .contains("The owner is one of the two: NOOR or OLA")
    );
    assert!(
        res.body
            .contains("“2025-02-30” is not a date written YYYY-MM-DD")
    );
    let res = w
        .app
        .post(&format!("/one-on-ones/meetings/{m}/date"))
        .session(&w.ola)
        .form(&[("scheduled_on", "soon")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("“soon” is not a date written YYYY-MM-DD"));
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{m}/date"),
        &[("scheduled_on", "2025-03-05")],
    )
    .await;
    // Two people edit the shared notes from the same copy: the second save is refused.
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{m}/shared-notes"),
        &[("shared_notes", "Ola's version"), ("revision", "0")],
    )
    .await;
    let res = w
        .app
        .post(&format!("/one-on-ones/meetings/{m}/shared-notes"))
        .session(&w.noor)
        .form(&[("shared_notes", "Noor's version"), ("revision", "0")])
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert!(
        res.body
            .contains("OLA saved the shared notes after you opened them")
    );
    assert!(res.body.contains("Noor&#39;s version") || res.body.contains("Noor&#x27;s version"));
    assert!(
        res.body.contains("Ola's version")
            || res.body.contains("Ola&#39;s version")
            || res.body.contains("Ola&#x27;s version")
    );
    // The API names the fields too.
    let token = w.app.token_for(NOOR).await;
    let res = w
        .app
        .post(&format!("/api/v1/one-on-ones/meetings/{m}/action-items"))
        .bearer(&token)
        .json(&json!({ "title": "x".repeat(201), "owner_id": w.org.mia }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = res.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(fields, ["title", "owner"]);
    // Once held, a meeting takes no more writes.
    w.complete(&w.noor, m).await;
    let res = w
        .app
        .post(&format!("/one-on-ones/meetings/{m}/talking-points"))
        .session(&w.ola)
        .form(&[("body", "Too late")])
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert!(
        res.body
            .contains("was held already: add this to the next one")
    );
    w.app
        .post(&format!("/api/v1/one-on-ones/meetings/{m}/complete"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
}

#[tokio::test]
async fn other_areas_find_the_next_one_on_one_of_a_person_and_of_a_team() {
    let w = world().await;
    let db = w.app.state.db();
    let ola_next = one_on_ones::next_meeting(db, w.org.ola)
        .await
        .expect("a query")
        .expect("Ola's next 1:1");
    assert_eq!(ola_next.with_name, "NOOR");
    assert_eq!(ola_next.scheduled_on, "2025-03-03");
    assert_eq!(ola_next.series_id, w.series);
    assert_eq!(ola_next.side, one_on_ones::Side::Report);
    assert!(ola_next.overdue);
    let noor_next = one_on_ones::next_meeting(db, w.org.noor)
        .await
        .expect("a query")
        .expect("Noor's next 1:1");
    assert_eq!(noor_next.with_id, w.org.ola);
    assert_eq!(noor_next.side, one_on_ones::Side::Manager);
    assert_eq!(
        one_on_ones::next_meeting(db, w.org.pat)
            .await
            .expect("a query"),
        None
    );
    let team = one_on_ones::next_meetings_for_reports(db, w.org.noor, &[w.org.ola, w.org.pat])
        .await
        .expect("a query");
    assert_eq!(team.len(), 1);
    assert_eq!(team[&w.org.ola].meeting_id, w.meeting);
    assert!(
        one_on_ones::next_meetings_for_reports(db, w.org.noor, &[])
            .await
            .expect("a query")
            .is_empty()
    );
}

#[tokio::test]
async fn the_api_runs_a_meeting_from_agenda_to_completion() {
    let w = world().await;
    let m = w.meeting;
    let ola = w.app.token_for(OLA).await;
    let noor = w.app.token_for(NOOR).await;
    let mine = w
        .app
        .get("/api/v1/one-on-ones")
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(mine["series"][0]["id"], w.series);
    assert_eq!(mine["series"][0]["side"], "report");
    let point = w
        .app
        .post(&format!("/api/v1/one-on-ones/meetings/{m}/talking-points"))
        .bearer(&ola)
        .json(&json!({ "body": "Feedback on my review", "competency": "communication" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(point["competency"]["key"], "communication");
    let id = point["id"].as_i64().expect("an id");
    w.app
        .post(&format!("/api/v1/one-on-ones/meetings/{m}/talking-points"))
        .bearer(&noor)
        .json(&json!({ "body": "Team offsite" }))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let point = w
        .app
        .patch(&format!("/api/v1/one-on-ones/talking-points/{id}"))
        .bearer(&noor)
        .json(&json!({ "discussed": true, "move": "down" }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(point["discussed"], true);
    let agenda = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{m}"))
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()["meeting"]["agenda"]
        .clone();
    assert_eq!(agenda[1]["id"], id, "moved down");
    w.app
        .patch(&format!("/api/v1/one-on-ones/talking-points/{id}"))
        .bearer(&noor)
        .json(&json!({ "move": "sideways" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let notes = w
        .app
        .put(&format!("/api/v1/one-on-ones/meetings/{m}/shared-notes"))
        .bearer(&noor)
        .json(&json!({ "notes": "Good review.", "revision": 0 }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(notes["meeting"]["notes_revision"], 1);
    w.app
        .put(&format!("/api/v1/one-on-ones/meetings/{m}/shared-notes"))
        .bearer(&ola)
        .json(&json!({ "notes": "Stale.", "revision": 0 }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let item = w
        .app
        .post(&format!("/api/v1/one-on-ones/meetings/{m}/action-items"))
        .bearer(&noor)
        .json(&json!({ "title": "Read the feedback guide", "owner_id": w.org.ola, "due_on": "2025-03-20" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(item["owner"]["name"], "OLA");
    let item_id = item["id"].as_i64().expect("an id");
    let next = w
        .app
        .post(&format!("/api/v1/one-on-ones/meetings/{m}/complete"))
        .bearer(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(next["meeting"]["status"], "upcoming");
    assert_eq!(
        next["meeting"]["action_items"][0]["carried_over_from"],
        "2025-03-03"
    );
    let item = w
        .app
        .patch(&format!("/api/v1/one-on-ones/action-items/{item_id}"))
        .bearer(&ola)
        .json(&json!({ "done": true }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(item["done"], true);
    w.app
        .delete(&format!("/api/v1/one-on-ones/talking-points/{id}"))
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let series = w
        .app
        .get(&format!("/api/v1/one-on-ones/{}", w.series))
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(series["history"][0]["id"], m);
    assert_eq!(series["history"][0]["growth"], true);
    // Every write was audited.
    let admin = w.app.token("api").await;
    let audit = w
        .app
        .get("/api/v1/audit?action=one_on_one.&per_page=500")
        .bearer(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    for action in [
        "one_on_one.start",
        "one_on_one.add_talking_point",
        "one_on_one.mark_discussed",
        "one_on_one.move_talking_point",
        "one_on_one.save_shared_notes",
        "one_on_one.add_action_item",
        "one_on_one.complete",
        "one_on_one.tick_action_item",
    ] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }
}

/// When the report moves to another manager, the series with the former one is closed: both still
/// read its history, nobody adds to it, and it leaves the lists of what comes next. It opens again
/// when they are manager and report again.
#[tokio::test]
async fn a_series_closes_when_the_report_changes_manager_and_its_history_stays() {
    let w = world().await;
    let db = w.app.state.db();
    let m = w.meeting;
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{m}/talking-points"),
        &[("body", "My promotion case")],
    )
    .await;
    let move_ola = |manager: i64| async move {
        sqlx::query("UPDATE users SET manager_id = $1 WHERE id = $2")
            .bind(manager)
            .bind(w.org.ola)
            .execute(db.pool())
            .await
            .expect("a new manager");
    };
    move_ola(w.org.mia).await;
    for who in [&w.noor, &w.ola] {
        let series = w
            .app
            .get(&format!("/api/v1/one-on-ones/{}", w.series))
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(series["closed"], json!(true));
        assert_eq!(series["can_write"], json!(false));
        assert_eq!(series["current"]["agenda"][0]["body"], "My promotion case");
        let page = w.page(who, &format!("/one-on-ones/meetings/{m}")).await;
        assert!(
            page.contains("is no longer OLA&#x27;s manager")
                || page.contains("is no longer OLA's manager"),
            "{page}"
        );
        assert!(!page.contains(&format!(
            "action=\"/one-on-ones/meetings/{m}/talking-points\""
        )));
        let refused = w
            .app
            .post(&format!("/one-on-ones/meetings/{m}/talking-points"))
            .session(who)
            .form(&[("body", "One more thing")])
            .send()
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert!(
            refused.body.contains("series is closed"),
            "{}",
            refused.body
        );
        let list = w.page(who, "/one-on-ones").await;
        assert!(list.contains("Closed: NOOR is no longer OLA"), "{list}");
    }
    assert_eq!(
        one_on_ones::next_meeting(db, w.org.ola)
            .await
            .expect("a query"),
        None
    );
    assert!(
        one_on_ones::next_meetings_for_reports(db, w.org.noor, &[w.org.ola])
            .await
            .expect("a query")
            .is_empty()
    );
    // Back with Noor: the series opens again where it was.
    move_ola(w.org.noor).await;
    w.post(
        &w.ola,
        &format!("/one-on-ones/meetings/{m}/talking-points"),
        &[("body", "One more thing")],
    )
    .await;
    assert_eq!(
        one_on_ones::next_meeting(db, w.org.ola)
            .await
            .expect("a query")
            .map(|n| n.series_id),
        Some(w.series)
    );
}

#[tokio::test]
async fn completing_early_records_today_and_carries_the_points_not_discussed() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let noor = sign_in_as(&app, NOOR).await;
    let ola = sign_in_as(&app, OLA).await;
    let today = Day::today();
    let planned = today.plus_days(10).to_string();
    let today = today.to_string();
    let res = app
        .post(&format!("/people/{}/one-on-ones", org.ola))
        .session(&noor)
        .form(&[("cadence_days", "14"), ("first_on", planned.as_str())])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let series = id_in(res.header("location"));
    let w = World {
        meeting: app
            .get(&format!("/api/v1/one-on-ones/{series}"))
            .session(&noor)
            .send()
            .await
            .expect(StatusCode::OK)
            .json()["current"]["id"]
            .as_i64()
            .expect("the upcoming meeting"),
        app,
        org,
        noor,
        ola,
        series,
    };
    let m = w.meeting;
    let points = [
        (&w.ola, "Ask about the conference budget", ""),
        (&w.noor, "Mentoring the new joiner", "mentoring"),
        (&w.ola, "Feedback on the last release", ""),
    ];
    for (who, body, competency) in points {
        w.post(
            who,
            &format!("/one-on-ones/meetings/{m}/talking-points"),
            &[("body", body), ("competency", competency)],
        )
        .await;
    }
    let agenda = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{m}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()["meeting"]["agenda"]
        .clone();
    let release = agenda
        .as_array()
        .expect("the agenda")
        .iter()
        .find(|p| p["body"] == "Feedback on the last release")
        .and_then(|p| p["id"].as_i64())
        .expect("the release point");
    w.post(
        &w.noor,
        &format!("/one-on-ones/talking-points/{release}/discussed"),
        &[("discussed", "1")],
    )
    .await;
    // Before completing, the page says what will carry over.
    let page = w.page(&w.noor, &format!("/one-on-ones/meetings/{m}")).await;
    assert!(
        page.contains("2 talking points not discussed carry over to the next one."),
        "the confirmation says what carries over"
    );
    let location = w
        .post(&w.noor, &format!("/one-on-ones/meetings/{m}/complete"), &[])
        .await;
    let next = meeting_in(&location);
    assert_eq!(
        location,
        format!("/one-on-ones/meetings/{next}?completed={m}")
    );
    let page = w.page(&w.ola, &location).await;
    assert!(
        page.contains(&format!(
            "The 1:1 held on {today} is completed and kept, read only, in the history. \
             2 talking points not discussed carried over to this meeting"
        )),
        "the success message says what happened: {page}"
    );
    assert!(!page.contains("Nothing on the agenda yet"));
    assert_eq!(
        page.matches(&format!("Carried over from {today}")).count(),
        2
    );
    // The points keep their author and links, and the discussed one stays behind.
    let json = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{next}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let carried: Vec<(String, String, bool, bool)> = json["meeting"]["agenda"]
        .as_array()
        .expect("the agenda")
        .iter()
        .map(|p| {
            (
                p["body"].as_str().unwrap_or_default().to_owned(),
                p["author"]["name"].as_str().unwrap_or_default().to_owned(),
                p["competency"].is_object(),
                p["discussed"].as_bool().unwrap_or(true),
            )
        })
        .collect();
    assert_eq!(
        carried,
        vec![
            (
                "Ask about the conference budget".to_owned(),
                "OLA".to_owned(),
                false,
                false
            ),
            (
                "Mentoring the new joiner".to_owned(),
                "NOOR".to_owned(),
                true,
                false
            ),
        ]
    );
    // The meeting held today, not on its planned day.
    let held = w
        .app
        .get(&format!("/api/v1/one-on-ones/meetings/{m}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(held["meeting"]["held_on"], today.as_str());
    assert_eq!(held["meeting"]["scheduled_on"], planned.as_str());
    assert_eq!(
        held["meeting"]["agenda"].as_array().map(Vec::len),
        Some(3),
        "the held meeting keeps its agenda as it was"
    );
    let series_page = w.page(&w.noor, &format!("/one-on-ones/{series}")).await;
    assert!(series_page.contains(&format!("(planned for {planned})")));
    // The dashboard's count of the last 30 days sees it.
    let since = Day::today().plus_days(-30).to_string();
    let counts = one_on_ones::growth_one_on_ones_since(w.app.state.db(), &since)
        .await
        .expect("counts");
    assert_eq!((counts.held, counts.growth, counts.people), (1, 1, 1));
    // A point carried again keeps the day it was first added to.
    let location = w
        .post(
            &w.ola,
            &format!("/one-on-ones/meetings/{next}/complete"),
            &[],
        )
        .await;
    let page = w.page(&w.ola, &location).await;
    assert_eq!(
        page.matches(&format!("Carried over from {today}")).count(),
        2
    );
    // The API answers what completing did.
    let third = meeting_in(&location);
    let answer = w
        .app
        .post(&format!("/api/v1/one-on-ones/meetings/{third}/complete"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(answer["completed"]["carried_talking_points"], 2);
    assert_eq!(answer["completed"]["meeting_id"], third);
    assert_eq!(
        answer["meeting"]["id"],
        answer["completed"]["next_meeting_id"]
    );
}
