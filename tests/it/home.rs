//! The home page: position and track with the level highlighted, what changes at the next level,
//! the latest agreed check-in as a picture, readiness, plan, next 1:1 and what needs one's action;
//! people without a position, admins, organisation tokens and the pilot of the Grow features. Over
//! the page and the API. The helpers here make growth data for the other growth tests too.

use axum::http::StatusCode;
use serde_json::Value;
use trellis::auth::Actor;
use trellis::growth::checkins;
use trellis::growth::one_on_ones::{self, ItemInput, StartInput};
use trellis::growth::readiness;

use crate::helpers::{ADMIN, EMPLOYEE, Organisation, TestApp, demo_yaml_with};
use crate::plans::{NOOR, OLA, actor, sign_in_as};

/// The day `days` before today, `YYYY-MM-DD`.
pub fn days_ago(days: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() - time::Duration::days(days);
    day.format(time::macros::format_description!("[year]-[month]-[day]"))
        .expect("a day")
}

/// An agreed check-in of `person` against a level of Software Engineering, agreed `days` ago,
/// with each competency's (self, manager) ratings; the agreed rating is the manager's.
pub async fn agreed_checkin(
    app: &TestApp,
    person: i64,
    manager: i64,
    level: &str,
    days: i64,
    ratings: &[(&str, &str, &str)],
) -> i64 {
    // `manager`: the second rating of each triple, else the first.
    let side = |manager: bool| {
        let map: serde_json::Map<String, Value> = ratings
            .iter()
            .map(|(key, own, theirs)| {
                let rating = if manager { *theirs } else { *own };
                (
                    (*key).to_owned(),
                    serde_json::json!({ "rating": rating, "comment": format!("{key} said {rating}") }),
                )
            })
            .collect();
        Value::Object(map).to_string()
    };
    let at = trellis::db::now() - days * 86_400;
    sqlx::query_scalar(
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, started_by, \
         manager_id, self_ratings, manager_ratings, agreed_ratings, self_shared_at, manager_shared_at, \
         self_confirmed_at, manager_confirmed_at, agreed_at, agreed_on, created_at, updated_at) \
         VALUES ($1, 'software-engineering', $2, 1, 'agreed', $1, $3, $4, $5, $6, $7, $7, $7, $7, $7, $8, $7, $7) \
         RETURNING id",
    )
    .bind(person)
    .bind(level)
    .bind(manager)
    .bind(side(false))
    .bind(side(true))
    .bind(side(true))
    .bind(at)
    .bind(days_ago(days))
    .fetch_one(app.state.db().pool())
    .await
    .expect("an agreed check-in")
}

/// A goal of `person` with a status and a due date, straight into the plan's tables.
pub async fn goal(app: &TestApp, person: i64, title: &str, status: &str, due_on: &str) -> i64 {
    let at = trellis::db::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goals (person_id, title, status, due_on, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $1, $5, $5) RETURNING id",
    )
    .bind(person)
    .bind(title)
    .bind(status)
    .bind(due_on)
    .bind(at)
    .fetch_one(app.state.db().pool())
    .await
    .expect("a goal");
    sqlx::query("INSERT INTO goal_competencies (goal_id, competency_key) VALUES ($1, 'ownership')")
        .bind(id)
        .execute(app.state.db().pool())
        .await
        .expect("a goal's competency");
    id
}

/// Noor's 1:1 series with Ola, started by Noor: returns the series and its upcoming meeting.
pub async fn noor_and_ola(app: &TestApp, org: &Organisation) -> (i64, i64) {
    let started = one_on_ones::start_series(
        &app.state,
        &actor(org.noor, NOOR),
        org.ola,
        &StartInput::default(),
    )
    .await
    .expect("a series");
    let meeting: i64 = sqlx::query_scalar(
        "SELECT id FROM one_on_ones WHERE series_id = $1 AND status = 'upcoming'",
    )
    .bind(started.series)
    .fetch_one(app.state.db().pool())
    .await
    .expect("the upcoming meeting");
    (started.series, meeting)
}

/// Ratings for the six competencies of Software Engineering.
pub const PROFILE: [(&str, &str, &str); 6] = [
    ("ownership", "exceeds", "meets"),
    ("problem-solving", "meets", "working_towards"),
    ("technical-quality", "meets", "working_towards"),
    ("communication", "working_towards", "working_towards"),
    ("teamwork", "meets", "exceeds"),
    ("mentoring", "not_applicable", "not_applicable"),
];

async fn world() -> (TestApp, Organisation) {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    (app, org)
}

async fn home_json(app: &TestApp, email: &str) -> Value {
    let token = app.token_for(email).await;
    app.get("/api/v1/me/home")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

#[tokio::test]
async fn signed_in_people_land_on_their_home() {
    let (app, _) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .get("/")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/home");
    let res = app.get("/").send().await.expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/login");
    // An organisation token acts for nobody: it has tracks, not a home.
    let token = app.token("api").await;
    let res = app
        .get("/")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/tracks");
    app.get("/api/v1/me/home")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_home_shows_the_position_the_ladder_and_what_changes_at_the_next_level() {
    let (app, org) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<strong>Software Engineer I</strong> on the <a href=\"/tracks/software-engineering\">Software Engineering</a> track, since 2024-01-15"));
    assert!(page.contains(
        "<a href=\"/tracks/software-engineering/levels/se1\" aria-current=\"step\">Software Engineer I</a> <span class=\"you\">you are here</span>"
    ));
    assert!(page.contains("What changes at Software Engineer II"));
    assert!(page.contains(
        "href=\"/compare?from=software-engineering/se1&amp;to=software-engineering/se2\""
    ));
    // Mentoring starts to apply at the next level, with its new expectations.
    assert!(page.contains("Mentoring <span class=\"status\">starts to apply</span>"));
    assert!(page.contains("You onboard new engineers on your team"));
    assert!(
        page.contains("aria-current=\"page\">Home</a>"),
        "the navigation marks Home"
    );
    let home = home_json(&app, OLA).await;
    assert_eq!(home["person_id"], org.ola);
    assert_eq!(home["position"]["level"], "se1");
    assert_eq!(home["track"]["ladder"][0]["current"], true);
    assert_eq!(home["track"]["ladder"][1]["current"], false);
    assert_eq!(home["next_level"]["position"]["level"], "se2");
    let changes = home["next_level"]["changes"].as_array().expect("changes");
    assert!(changes.iter().all(|c| c["status"] != "same"));
    assert!(changes.iter().any(|c| c["key"] == "mentoring"));
    assert_eq!(home["grow_enabled"], true);
}

#[tokio::test]
async fn the_home_lists_what_needs_my_action() {
    let (app, org) = world().await;
    // A check-in Ola started and has not rated yet: hers to rate, and Noor's (her manager).
    let open = checkins::start(
        &app.state,
        &actor(org.ola, OLA),
        org.ola,
        "software-engineering",
        "se2",
    )
    .await
    .expect("a check-in");
    // An overdue goal, a goal due later, and a 1:1 action item that is Ola's.
    goal(
        &app,
        org.ola,
        "Write the on-call guide",
        "in_progress",
        "2020-01-31",
    )
    .await;
    goal(
        &app,
        org.ola,
        "Pair with the data team",
        "not_started",
        "2099-01-31",
    )
    .await;
    let (_, meeting) = noor_and_ola(&app, &org).await;
    one_on_ones::add_action_item(
        &app.state,
        &actor(org.noor, NOOR),
        meeting,
        &ItemInput {
            title: "Book the design review".into(),
            owner: Some(org.ola),
            due_on: "2099-02-01".into(),
        },
    )
    .await
    .expect("an action item");

    // A pulse survey open to everyone.
    let survey: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (title, audience, opens_on, closes_on, threshold, results_key, \
         created_at, updated_at) VALUES ('How clear is your track?', '{\"kind\":\"everyone\"}', \
         $1, '2099-12-31', 5, 'home-test', 0, 0) RETURNING id",
    )
    .bind(days_ago(1))
    .fetch_one(app.state.db().pool())
    .await
    .expect("a survey");
    sqlx::query(
        "INSERT INTO survey_questions (survey_id, position, kind, prompt) \
         VALUES ($1, 1, 'scale', 'My track says what my level expects')",
    )
    .bind(survey)
    .execute(app.state.db().pool())
    .await
    .expect("a question");

    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("What needs your action"));
    assert!(page.contains(&format!(
        "<a href=\"/surveys/{survey}\">Answer the survey “How clear is your track?”</a> <span class=\"due\">due 2099-12-31</span>"
    )));
    assert!(page.contains(&format!(
        "<a href=\"/checkins/{open}\">Rate yourself in your check-in, then share it</a>"
    )));
    assert!(page.contains("Your goal “Write the on-call guide” is past its due date"));
    assert!(!page.contains("Your goal “Pair with the data team” is past its due date"));
    assert!(page.contains(&format!(
        "<a href=\"/one-on-ones/meetings/{meeting}\">“Book the design review”, from your 1:1 with NOOR</a> <span class=\"due\">due 2099-02-01</span>"
    )));
    assert!(page.contains("2 active goals, <span class=\"warn-text\">1 overdue</span>"));
    assert!(page.contains("with NOOR</a>"), "the next 1:1");

    let home = home_json(&app, OLA).await;
    let kinds: Vec<&str> = home["growth"]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["kind"].as_str().expect("a kind"))
        .collect();
    assert_eq!(
        kinds,
        ["rate_checkin", "action_item", "overdue_goal", "survey"]
    );
    assert_eq!(home["growth"]["surveys"][0]["id"], survey);
    assert_eq!(home["growth"]["plan"]["overdue"], 1);
    assert_eq!(home["growth"]["next_one_on_one"]["meeting_id"], meeting);

    // Her manager is asked to rate her; Ola's own item is not Noor's to do.
    let noor = home_json(&app, NOOR).await;
    let actions = noor["growth"]["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[1]["kind"], "survey");
    assert_eq!(
        actions[0]["text"],
        "Rate OLA in their check-in, then share it"
    );
    assert_eq!(actions[0]["href"], format!("/checkins/{open}"));
    assert_eq!(noor["has_reports"], true);
    // Mia is two levels up: the direct manager rates.
    let mia = home_json(&app, "mia@demo.trellis.test").await;
    let kinds: Vec<&Value> = mia["growth"]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| &a["kind"])
        .collect();
    assert_eq!(kinds, ["survey"]);
}

#[tokio::test]
async fn every_link_of_a_full_home_leads_somewhere() {
    let (app, org) = world().await;
    agreed_checkin(&app, org.ola, org.noor, "se1", 20, &PROFILE).await;
    goal(
        &app,
        org.ola,
        "Write the on-call guide",
        "in_progress",
        "2020-01-31",
    )
    .await;
    noor_and_ola(&app, &org).await;
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    let mut links: Vec<String> = page
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("/static/"))
        .map(|h| h.replace("&amp;", "&"))
        .collect();
    links.sort();
    links.dedup();
    assert!(links.len() > 15, "{links:?}");
    for link in links {
        let res = app.get(&link).session(&ola).send().await;
        assert!(
            res.status.is_success() || res.status.is_redirection(),
            "{link} answers {}",
            res.status
        );
    }
}

#[tokio::test]
async fn the_latest_agreed_checkin_is_a_radar_of_self_and_manager_with_the_words_beside_it() {
    let (app, org) = world().await;
    // An older check-in, then the latest: the home pictures the latest.
    agreed_checkin(
        &app,
        org.ola,
        org.noor,
        "se1",
        200,
        &[("ownership", "below", "below")],
    )
    .await;
    let latest = agreed_checkin(&app, org.ola, org.noor, "se2", 10, &PROFILE).await;
    readiness::recompute_all(&app.state, &Actor::command_line())
        .await
        .expect("readiness");
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains(&format!(
        "<a href=\"/checkins/{latest}\">Open the check-in</a>"
    )));
    assert!(page.contains("Against Software Engineer II (Software Engineering), agreed on"));
    assert!(page.contains("class=\"chart chart-radar\""));
    assert!(
        page.contains("role=\"img\" aria-labelledby=\"latest-checkin-title latest-checkin-desc\"")
    );
    assert!(page.contains("<title id=\"latest-checkin-title\">Ratings of your check-in against Software Engineer II</title>"));
    assert!(page.contains("Self: Ownership, Exceeds"));
    assert!(page.contains("Manager: Ownership, Meets"));
    assert!(!page.contains(" style="), "no inline style attribute (CSP)");
    // The same ratings in words, for those who do not see the picture.
    assert!(page.contains(
        "<tr><th scope=\"row\">Technical quality</th><td data-label=\"Self\">Meets</td><td data-label=\"Manager\">Working towards</td><td data-label=\"Agreed\"><strong>Working towards</strong></td></tr>"
    ));
    // Readiness with its reasons.
    assert!(page.contains("class=\"readiness readiness-not_yet\"><strong>Not yet ready</strong>"));
    assert!(page.contains("class=\"unmet\""));

    let home = home_json(&app, OLA).await;
    let c = &home["growth"]["latest_checkin"];
    assert_eq!(c["id"], latest);
    assert_eq!(c["target"]["level"], "se2");
    let rows = c["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["key"], "ownership");
    assert_eq!(rows[0]["self_rating"], "exceeds");
    assert_eq!(rows[0]["manager_rating"], "meets");
    assert_eq!(home["growth"]["readiness"]["status"], "not_yet");
    assert!(
        !home["growth"]["readiness"]["reasons"]
            .as_array()
            .expect("reasons")
            .is_empty()
    );
}

/// The boxes the axis names of a radar take on a page: from each name's anchor, its lines and
/// about 7 units per character (12px text), as the chart lays them out.
fn radar_name_boxes(page: &str) -> Vec<(String, [f64; 4])> {
    let attr = |text: &str, name: &str| -> f64 {
        let at = text.find(&format!(" {name}=\"")).expect("the attribute") + name.len() + 3;
        text[at..at + text[at..].find('"').expect("closed")]
            .parse()
            .expect("a number")
    };
    let names = &page[page.find("class=\"axis-labels\"").expect("axis names")..];
    let names = &names[..names.find("</g>").expect("closed")];
    names
        .split("<text ")
        .skip(1)
        .map(|label| {
            let lines: Vec<&str> = label
                .split("<tspan")
                .skip(1)
                .map(|t| &t[t.find('>').expect("open") + 1..t.find("</tspan>").expect("closed")])
                .collect();
            let width = 7.0 * lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
            let (x, y) = (attr(label, "x"), attr(label, "y"));
            let left = if label.contains("text-anchor=\"start\"") {
                x
            } else if label.contains("text-anchor=\"end\"") {
                x - width
            } else {
                x - width / 2.0
            };
            let top = y - 11.0;
            let bottom = y + 14.0 * (lines.len() as f64 - 1.0) + 3.0;
            (lines.join(" "), [left, top, left + width, bottom])
        })
        .collect()
}

#[tokio::test]
async fn the_radar_keeps_a_not_applicable_competency_as_a_marked_axis_and_its_long_names_apart() {
    let (app, org) = world().await;
    // The demo's largest track, with long competency names.
    let yaml = demo_yaml_with(
        "    name: Problem solving\n",
        "    name: Problem solving and sound technical judgement\n",
    )
    .replacen(
        "    name: Technical quality\n",
        "    name: Technical quality and craftsmanship\n",
        1,
    )
    .replacen(
        "    name: Mentoring\n",
        "    name: Mentoring, coaching and growing others\n",
        1,
    );
    trellis::architecture::framework::import_yaml(
        &app.state,
        &Actor::command_line(),
        &yaml,
        &trellis::architecture::framework::ImportOptions {
            dry_run: false,
            prune: false,
            take: trellis_framework::merge::Take::all(),
            publish_note: Some("Longer competency names".into()),
        },
    )
    .await
    .expect("publish version 2");
    // Mentoring does not apply: both sides said so.
    agreed_checkin(&app, org.ola, org.noor, "se2", 10, &PROFILE).await;
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("class=\"chart chart-radar\""));
    // Every competency keeps its axis; the one that does not apply is dashed and named so.
    assert_eq!(page.matches("<line class=\"axis").count(), 6);
    assert_eq!(
        page.matches("<line class=\"axis not-applicable\"").count(),
        1
    );
    let boxes = radar_name_boxes(&page);
    let names: Vec<&str> = boxes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Ownership",
            "Problem solving and sound technical judgement",
            "Technical quality and craftsmanship",
            "Communication",
            "Teamwork",
            "Mentoring, coaching and growing others Not applicable",
        ]
    );
    assert!(page.contains("<text class=\"axis-label not-applicable\""));
    // No point on it, for either side: not applicable is not a low rating.
    assert!(
        !page.contains("Self: Mentoring"),
        "no point on a not-applicable axis"
    );
    assert!(!page.contains("Manager: Mentoring"));
    assert!(page.contains("Self: Teamwork, Meets"));
    // The description says so too, and the table gives it in words.
    assert!(page.contains("Not applicable, so not rated: Mentoring, coaching and growing others."));
    assert!(page.contains(
        "<tr><th scope=\"row\">Mentoring, coaching and growing others</th><td data-label=\"Self\">Not applicable</td>"
    ));
    // The names never overlap.
    for (i, (a, [l1, t1, r1, b1])) in boxes.iter().enumerate() {
        for (b, [l2, t2, r2, b2]) in &boxes[i + 1..] {
            let apart = r1 <= l2 || r2 <= l1 || b1 <= t2 || b2 <= t1;
            assert!(apart, "{a} and {b} overlap");
        }
    }
}

#[tokio::test]
async fn two_competencies_make_bars_not_a_radar() {
    let (app, org) = world().await;
    // A check-in that rated two competencies only (the track was smaller then).
    sqlx::query("UPDATE checkins SET track_key = 'gone-track' WHERE id = $1")
        .bind(
            agreed_checkin(
                &app,
                org.ola,
                org.noor,
                "se1",
                5,
                &[
                    ("ownership", "meets", "meets"),
                    ("teamwork", "exceeds", "meets"),
                ],
            )
            .await,
        )
        .execute(app.state.db().pool())
        .await
        .expect("move the check-in off the track");
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("class=\"chart chart-bars\""));
    assert!(!page.contains("chart-radar"));
}

#[tokio::test]
async fn people_without_a_position_are_told_what_to_do() {
    let (app, _) = world().await;
    let sam = app.sign_in(EMPLOYEE).await;
    let page = app
        .get("/home")
        .session(&sam)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("You have no position yet"));
    assert!(page.contains("ask your manager or the People team to record your position"));
    assert!(page.contains("<a href=\"/tracks\">browse the career tracks</a>"));
    assert!(!page.contains("What changes at"));
    let home = home_json(&app, EMPLOYEE.0).await;
    assert!(home["position"].is_null() && home["track"].is_null());
    assert!(home["growth"]["latest_checkin"].is_null());
}

#[tokio::test]
async fn admins_and_managers_have_their_own_home() {
    let (app, _) = world().await;
    let admin = app.sign_in(ADMIN).await;
    let page = app
        .get("/home")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Hello, Alex Admin (People team)"));
    assert!(page.contains("aria-current=\"page\">Home</a>"));
    assert!(
        page.contains(">Nominations</a>"),
        "admins find the nominations queue"
    );
    let noor = sign_in_as(&app, NOOR).await;
    let page = app
        .get("/home")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<a href=\"/team\">See your team at a glance</a>"));
    assert!(
        !page.contains(">Nominations</a></li>"),
        "not in the navigation of managers"
    );
}

#[tokio::test]
async fn outside_the_pilot_the_home_shows_the_track_only() {
    let (app, org) = world().await;
    agreed_checkin(&app, org.ola, org.noor, "se1", 10, &PROFILE).await;
    sqlx::query("INSERT INTO grow_release (id, audience, updated_at) VALUES (1, 'pilot', 0)")
        .execute(app.state.db().pool())
        .await
        .expect("pilot only");
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/home")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("coming to your team"));
    assert!(page.contains("What changes at Software Engineer II"));
    assert!(!page.contains("What needs your action"));
    assert!(!page.contains("Your latest check-in"));
    let home = home_json(&app, OLA).await;
    assert_eq!(home["grow_enabled"], false);
    assert!(home["growth"].is_null());
    assert_eq!(home["position"]["level"], "se1");
    // The team view is a Grow feature: refused with the reason.
    let noor = sign_in_as(&app, NOOR).await;
    let res = app
        .get("/team")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(res.body.contains("not open to your team yet"));
    // Admins always see the Grow features.
    let admin = app.sign_in(ADMIN).await;
    let page = app
        .get("/home")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("What needs your action"));
}

/// `trellis demo` adds growth to its organisation, so that the employee's home and the manager's
/// team view show what Trellis does from the first sign-in.
#[tokio::test]
async fn the_demo_comes_with_growth_to_show() {
    let app = TestApp::demo().await;
    trellis::demo::seed_directory(&app.state, trellis::auth::password::Cost::Test)
        .await
        .expect("the demo's people");
    trellis::demo::seed_growth(&app.state)
        .await
        .expect("the demo's growth");
    let sam = sign_in_as(&app, "employee@demo.trellis.test").await;
    let home = app
        .get("/api/v1/me/home")
        .session(&sam)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let growth = &home["growth"];
    assert_eq!(growth["latest_checkin"]["target"]["level"], "se1");
    assert_eq!(growth["readiness"]["status"], "not_yet");
    assert_eq!(
        growth["goals"].as_array().map(Vec::len),
        Some(1),
        "{growth}"
    );
    assert!(growth["next_one_on_one"]["scheduled_on"].is_string());
    let page = app
        .get("/home")
        .session(&sam)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Give short, clear updates"));
    let iris = sign_in_as(&app, "iris.brook@demo.trellis.test").await;
    let team = app
        .get("/api/v1/team")
        .session(&iris)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let status = |name: &str| {
        team["members"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["name"] == name))
            .map(|m| {
                (
                    m["readiness"]["status"].clone(),
                    m["checkin_overdue"].clone(),
                )
            })
            .unwrap_or_else(|| panic!("{name} in the team: {team}"))
    };
    assert_eq!(
        status("June Hale"),
        (serde_json::json!("ready"), serde_json::json!(false))
    );
    assert_eq!(
        status("Oskar Lind"),
        (serde_json::json!("no_check_in"), serde_json::json!(true))
    );
    assert_eq!(status("Sam Employee").0, serde_json::json!("not_yet"));
    assert_eq!(team["heat_map"]["people"].as_array().map(Vec::len), Some(4));
}
