//! The KPI dashboard: every figure checked against a small organisation whose numbers are known,
//! who sees which group (the organisation, a reporting line, nobody), the refusal of small groups,
//! filters that cannot widen a manager's view, bad filters, the CSV, and the cache following changes.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::Value;
use trellis::auth::Actor;
use trellis::people::directory::{self, PersonInput, PositionInput};

use crate::helpers::{Session, TestApp};

/// A day `n` days before today, as stored.
fn ago(n: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() - time::Duration::days(n);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Unix seconds `n` days ago.
fn seconds_ago(n: i64) -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() - n * 86_400
}

/// The quarter (`2026-Q4`) of the day `n` days ago.
fn quarter_of(n: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() - time::Duration::days(n);
    format!("{}-Q{}", d.year(), (u8::from(d.month()) - 1) / 3 + 1)
}

/// One person of the known organisation: email name, manager, team, status, positions as
/// (track, level, days ago) oldest first; they start on the day of their first position.
struct Person {
    name: &'static str,
    manager: &'static str,
    team: &'static str,
    left_days_ago: Option<i64>,
    positions: &'static [(&'static str, &'static str, i64)],
    start_days_ago: i64,
}

const SE: &str = "software-engineering";
const CS: &str = "customer-success";

/// The organisation of these tests, on top of the demo's two accounts (an admin and an employee,
/// active, with no team and no position):
///
/// - Mia (engineering manager) manages Noor and Eve; Noor manages Ola, Ada, Ben, Cai, Wes and
///   Uma (who left 60 days ago). Noor, Ola, Ada, Ben, Cai, Wes and Uma are in Platform, Eve in
///   Mobile, Mia in Leadership.
/// - Pat (customer success) manages Quinn, Ray, Sol, Tia and Vic (who left 400 days ago), all in
///   Sales.
/// - Wes has no position. Noor was promoted 300 days ago; Cai moved from product management to
///   software engineering 50 days ago.
const PEOPLE: &[Person] = &[
    Person {
        name: "mia",
        manager: "",
        team: "Leadership",
        left_days_ago: None,
        positions: &[("engineering-management", "em", 1000)],
        start_days_ago: 1000,
    },
    Person {
        name: "noor",
        manager: "mia",
        team: "Platform",
        left_days_ago: None,
        positions: &[(SE, "se1", 800), (SE, "se2", 300)],
        start_days_ago: 800,
    },
    Person {
        name: "ola",
        manager: "noor",
        team: "Platform",
        left_days_ago: None,
        positions: &[(SE, "se1", 100)],
        start_days_ago: 100,
    },
    Person {
        name: "ada",
        manager: "noor",
        team: "Platform",
        left_days_ago: None,
        positions: &[(SE, "se1", 200)],
        start_days_ago: 200,
    },
    Person {
        name: "ben",
        manager: "noor",
        team: "Platform",
        left_days_ago: None,
        positions: &[(SE, "se1", 400)],
        start_days_ago: 400,
    },
    Person {
        name: "cai",
        manager: "noor",
        team: "Platform",
        left_days_ago: None,
        positions: &[("product-management", "apm", 500), (SE, "se1", 50)],
        start_days_ago: 500,
    },
    Person {
        name: "wes",
        manager: "noor",
        team: "Platform",
        left_days_ago: None,
        positions: &[],
        start_days_ago: 100,
    },
    Person {
        name: "uma",
        manager: "noor",
        team: "Platform",
        left_days_ago: Some(60),
        positions: &[(SE, "se1", 600)],
        start_days_ago: 600,
    },
    Person {
        name: "eve",
        manager: "mia",
        team: "Mobile",
        left_days_ago: None,
        positions: &[("product-management", "pm", 30)],
        start_days_ago: 30,
    },
    Person {
        name: "pat",
        manager: "",
        team: "Sales",
        left_days_ago: None,
        positions: &[(CS, "csm", 900)],
        start_days_ago: 900,
    },
    Person {
        name: "quinn",
        manager: "pat",
        team: "Sales",
        left_days_ago: None,
        positions: &[(CS, "cs-associate", 10)],
        start_days_ago: 10,
    },
    Person {
        name: "ray",
        manager: "pat",
        team: "Sales",
        left_days_ago: None,
        positions: &[(CS, "cs-associate", 20)],
        start_days_ago: 20,
    },
    Person {
        name: "sol",
        manager: "pat",
        team: "Sales",
        left_days_ago: None,
        positions: &[(CS, "cs-associate", 30)],
        start_days_ago: 30,
    },
    Person {
        name: "tia",
        manager: "pat",
        team: "Sales",
        left_days_ago: None,
        positions: &[(CS, "cs-associate", 40)],
        start_days_ago: 40,
    },
    Person {
        name: "vic",
        manager: "pat",
        team: "Sales",
        left_days_ago: Some(400),
        positions: &[(CS, "cs-associate", 700)],
        start_days_ago: 700,
    },
];

fn email(name: &str) -> String {
    format!("{name}@known.trellis.test")
}

/// Builds the known organisation with its growth records; the ids by name.
async fn known_organisation(app: &TestApp) -> HashMap<&'static str, i64> {
    let operator = Actor::command_line();
    let db = app.state.db();
    let mut ids = HashMap::new();
    for p in PEOPLE {
        let input = PersonInput {
            email: email(p.name),
            name: p.name.to_uppercase(),
            team: p.team.into(),
            manager_email: if p.manager.is_empty() {
                String::new()
            } else {
                email(p.manager)
            },
            start_date: ago(p.start_days_ago),
            ..PersonInput::default()
        };
        let id = directory::save_person(db, &operator, &input)
            .await
            .expect("a person");
        ids.insert(p.name, id);
        for (track, level, days) in p.positions {
            directory::record_position(
                &app.state,
                &operator,
                id,
                &PositionInput {
                    track: (*track).into(),
                    level: (*level).into(),
                    effective_on: ago(*days),
                    ..PositionInput::default()
                },
            )
            .await
            .expect("a position");
        }
    }
    for p in PEOPLE.iter().filter(|p| p.left_days_ago.is_some()) {
        let input = PersonInput {
            email: email(p.name),
            name: p.name.to_uppercase(),
            team: p.team.into(),
            manager_email: email(p.manager),
            start_date: ago(p.start_days_ago),
            status: "left".into(),
            left_on: ago(p.left_days_ago.unwrap_or_default()),
            ..PersonInput::default()
        };
        directory::save_person(db, &operator, &input)
            .await
            .expect("a leaver");
    }
    let run = |sql: String| async move {
        sqlx::query(&sql)
            .execute(app.state.db().pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    let id = |name: &str| ids[name];
    // Check-ins: Ola agreed 10 days ago, Ada started 5 days ago, Quinn in review (started 20
    // days ago): they count. Ben's was agreed 200 days ago, Cai's was cancelled, Ray's was
    // started 100 days ago and is still open, Uma has left: they do not.
    for (who, status, created, agreed) in [
        ("ola", "agreed", 30, Some(10)),
        ("ada", "open", 5, None),
        ("quinn", "review", 20, None),
        ("ben", "agreed", 210, Some(200)),
        ("cai", "cancelled", 5, None),
        ("ray", "open", 100, None),
        ("uma", "agreed", 80, Some(70)),
    ] {
        let (agreed_at, agreed_on) = match agreed {
            Some(n) => (seconds_ago(n).to_string(), format!("'{}'", ago(n))),
            None => ("NULL".into(), "NULL".into()),
        };
        run(format!(
            "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, \
             agreed_at, agreed_on, created_at, updated_at) \
             VALUES ({}, '{SE}', 'se1', 1, '{status}', {agreed_at}, {agreed_on}, {c}, {c})",
            id(who),
            c = seconds_ago(created)
        ))
        .await;
    }
    // Goals: Ola, Ada, Noor and Sol have an active plan; Ben's and Quinn's goals are done; Noor
    // also has a dropped one.
    for (who, status) in [
        ("ola", "in_progress"),
        ("ada", "not_started"),
        ("ben", "done"),
        ("noor", "dropped"),
        ("noor", "in_progress"),
        ("sol", "in_progress"),
        ("quinn", "done"),
    ] {
        run(format!(
            "INSERT INTO goals (person_id, title, status, created_at, updated_at) \
             VALUES ({}, 'Grow', '{status}', 1, 1)",
            id(who)
        ))
        .await;
    }
    // 1:1s: Ola's (held 7 days ago, a point on a competency) and Quinn's (held 3 days ago, a
    // point on a goal) count. Ada's held one has no linked point, Ben's was 40 days ago, Cai's
    // is upcoming.
    for (manager, report, status, days, link) in [
        ("noor", "ola", "held", 7, "competency"),
        ("noor", "ada", "held", 7, "none"),
        ("noor", "ben", "held", 40, "goal"),
        ("noor", "cai", "upcoming", -3, "competency"),
        ("pat", "quinn", "held", 3, "goal"),
    ] {
        let series: i64 = sqlx::query_scalar(
            "INSERT INTO one_on_one_series (manager_id, report_id, cadence_days, created_at) \
             VALUES ($1, $2, 14, 1) RETURNING id",
        )
        .bind(id(manager))
        .bind(id(report))
        .fetch_one(db.pool())
        .await
        .expect("a series");
        let held_at = if status == "held" {
            seconds_ago(days).to_string()
        } else {
            "NULL".into()
        };
        let meeting: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO one_on_ones (series_id, scheduled_on, status, held_at, held_on, \
             created_at, updated_at) VALUES ($1, $2, $3, {held_at}, \
             CASE WHEN $3 = 'held' THEN $2 END, 1, 1) RETURNING id"
        ))
        .bind(series)
        .bind(ago(days))
        .bind(status)
        .fetch_one(db.pool())
        .await
        .expect("a meeting");
        let goal_of_report: Option<i64> =
            sqlx::query_scalar("SELECT MIN(id) FROM goals WHERE person_id = $1")
                .bind(id(report))
                .fetch_one(db.pool())
                .await
                .expect("a goal or none");
        let (goal, competency) = match (link, goal_of_report) {
            ("goal", Some(goal)) => (goal.to_string(), "NULL".to_owned()),
            ("competency", _) => ("NULL".into(), "'ownership'".into()),
            _ => ("NULL".into(), "NULL".into()),
        };
        run(format!(
            "INSERT INTO talking_points (meeting_id, body, goal_id, competency_key, position, \
             created_at) VALUES ({meeting}, 'Next level', {goal}, {competency}, 1, 1)"
        ))
        .await;
    }
    // Readiness as stored: Ola, Ada, Ben, Quinn and Uma (who left) ready; Noor and Cai not yet;
    // nobody else evaluated.
    run("DELETE FROM readiness".into()).await;
    for (who, status) in [
        ("ola", "ready"),
        ("ada", "ready"),
        ("ben", "ready"),
        ("quinn", "ready"),
        ("uma", "ready"),
        ("noor", "not_yet"),
        ("cai", "not_yet"),
    ] {
        run(format!(
            "INSERT INTO readiness (person_id, status, reasons, computed_at) \
             VALUES ({}, '{status}', '[]', 1)",
            id(who)
        ))
        .await;
    }
    ids
}

/// Platform is piloting career tracks.
async fn pilot_platform(app: &TestApp) {
    let db = app.state.db();
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name_key = 'platform'")
        .fetch_one(db.pool())
        .await
        .expect("the team");
    sqlx::query("INSERT INTO pilot_teams (team_id, added_at) VALUES ($1, 1)")
        .bind(team)
        .execute(db.pool())
        .await
        .expect("a pilot team");
    sqlx::query("INSERT INTO grow_release (id, audience, updated_at) VALUES (1, 'pilot', 1)")
        .execute(db.pool())
        .await
        .expect("the pilot");
}

/// Gives a directory person a password and signs them in.
async fn sign_in_as(app: &TestApp, name: &str) -> Session {
    crate::helpers::sign_in_as(app, &email(name)).await
}

fn share(v: &Value) -> (i64, i64, Option<f64>) {
    (
        v["count"].as_i64().expect("count"),
        v["total"].as_i64().expect("total"),
        v["percent"].as_f64(),
    )
}

fn by_group<'a>(rows: &'a Value, group: &str) -> &'a Value {
    rows.as_array()
        .expect("a list")
        .iter()
        .find(|r| r["group"] == group || r["track"] == group)
        .unwrap_or_else(|| panic!("no row {group} in {rows}"))
}

#[tokio::test]
async fn the_organisations_figures_are_computed_from_its_records() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    pilot_platform(&app).await;
    let token = app.token("api").await;
    let d = app
        .get("/api/v1/dashboard")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(d["scope"]["kind"], "organisation");
    assert_eq!(d["threshold"], 5);
    // Active: the demo's admin and employee, and 13 of the 15 people (Uma and Vic left).
    assert_eq!(d["people"], 15);
    // Everyone but the demo's two accounts and Wes holds a position.
    assert_eq!(share(&d["coverage"]), (12, 15, Some(80.0)));
    let p = &d["participation"];
    assert_eq!(
        share(&p["check_in"]),
        (3, 15, Some(20.0)),
        "Ola, Ada, Quinn"
    );
    assert_eq!(
        share(&p["plan"]),
        (4, 15, Some(26.7)),
        "Ola, Ada, Noor, Sol"
    );
    assert_eq!(
        share(&p["growth_one_on_one"]),
        (2, 15, Some(13.3)),
        "Ola, Quinn"
    );
    // The pilot: Platform's six active people against the nine others.
    let pilot = &d["pilot"];
    assert_eq!(pilot["running"], true);
    assert_eq!(pilot["pilot"]["people"], 6);
    assert_eq!(share(&pilot["pilot"]["coverage"]), (5, 6, Some(83.3)));
    assert_eq!(
        share(&pilot["pilot"]["participation"]["check_in"]),
        (2, 6, Some(33.3))
    );
    assert_eq!(
        share(&pilot["pilot"]["participation"]["plan"]),
        (3, 6, Some(50.0))
    );
    assert_eq!(
        share(&pilot["pilot"]["participation"]["growth_one_on_one"]),
        (1, 6, Some(16.7))
    );
    assert_eq!(pilot["rest"]["people"], 9);
    assert_eq!(
        share(&pilot["rest"]["participation"]["check_in"]),
        (1, 9, Some(11.1))
    );
    assert_eq!(
        share(&pilot["rest"]["participation"]["plan"]),
        (1, 9, Some(11.1))
    );
    // Moves: Noor's promotion and Cai's move, each in its quarter; hires are not counted.
    let moves = d["moves"].as_array().expect("quarters");
    assert_eq!(moves.len(), 8);
    assert_eq!(
        moves[7]["quarter"],
        quarter_of(0),
        "the current quarter last"
    );
    let promotions: i64 = moves
        .iter()
        .map(|q| q["promotions"].as_i64().unwrap_or(0))
        .sum();
    let lateral: i64 = moves
        .iter()
        .map(|q| q["lateral_moves"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!((promotions, lateral), (1, 1));
    let quarter = |label: String| {
        moves
            .iter()
            .find(|q| q["quarter"] == label.as_str())
            .unwrap_or_else(|| panic!("no quarter {label}"))
    };
    assert_eq!(quarter(quarter_of(300))["promotions"], 1);
    assert_eq!(quarter(quarter_of(50))["lateral_moves"], 1);
    // Time in level: software engineering's five (50, 100, 200, 300, 400 days) and customer
    // success's five (10, 20, 30, 40, 900); the one-person tracks are not shown.
    let time = &d["time_in_level"];
    let se = by_group(time, SE);
    assert_eq!(
        (se["people"].as_i64(), se["median_days"].as_f64()),
        (Some(5), Some(200.0))
    );
    assert_eq!(se["track_name"], "Software Engineering");
    let cs = by_group(time, CS);
    assert_eq!(
        (cs["people"].as_i64(), cs["median_days"].as_f64()),
        (Some(5), Some(30.0))
    );
    for small in ["engineering-management", "product-management"] {
        let t = by_group(time, small);
        assert!(t["people"].is_null() && t["median_days"].is_null(), "{t}");
    }
    // Attrition by track. Software engineering: Uma left; a year ago Noor, Ben, Cai and Uma
    // were there (4), today Noor, Ola, Ada, Ben and Cai (5): 1 / 4.5.
    let tracks = &d["attrition_by_track"];
    let se = by_group(tracks, SE);
    assert_eq!(se["leavers"], 1);
    assert_eq!(se["average_headcount"], 4.5);
    assert_eq!(se["rate"], 22.2);
    // Customer success: Pat a year ago, five today, nobody left in the year (Vic left before).
    let cs = by_group(tracks, CS);
    assert_eq!(
        (cs["leavers"].as_i64(), cs["average_headcount"].as_f64()),
        (Some(0), Some(3.0))
    );
    assert_eq!(cs["rate"], 0.0);
    // Mia, Eve and the three without a position are five together: pooled and shown.
    let pool = by_group(tracks, "small");
    assert_eq!(pool["suppressed"], false);
    assert_eq!(
        (pool["leavers"].as_i64(), pool["average_headcount"].as_f64()),
        (Some(0), Some(4.0))
    );
    assert_eq!(tracks.as_array().map(Vec::len), Some(3));
    // By readiness: the five ready (Uma among them) lost one; 2 a year ago (Ben, Uma), 4 today.
    let readiness = &d["attrition_by_readiness"];
    let ready = by_group(readiness, "ready");
    assert_eq!(ready["label"], "Ready for the next level");
    assert_eq!(
        (
            ready["leavers"].as_i64(),
            ready["average_headcount"].as_f64()
        ),
        (Some(1), Some(3.0))
    );
    assert_eq!(ready["rate"], 33.3);
    let none = by_group(readiness, "");
    assert_eq!(
        (none["leavers"].as_i64(), none["average_headcount"].as_f64()),
        (Some(0), Some(6.5))
    );
    // Noor and Cai (not yet) are two: too few, even pooled.
    let pool = by_group(readiness, "small");
    assert_eq!(pool["suppressed"], true);
    assert!(pool["leavers"].is_null() && pool["rate"].is_null());
}

#[tokio::test]
async fn the_page_shows_each_figure_with_its_chart_and_numbers() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    let admin = app.admin().await;
    let page = app
        .get("/dashboard")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let body = &page.body;
    for id in [
        "kpi-participation",
        "kpi-moves",
        "kpi-time-in-level",
        "kpi-attrition-track",
        "kpi-attrition-readiness",
    ] {
        assert!(
            body.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")),
            "{id}"
        );
    }
    assert!(body.contains("15 active people in view"));
    assert!(body.contains(
        "<td class=\"num\">12</td><td class=\"num\">15</td><td class=\"num\">80\u{a0}%</td>"
    ));
    assert!(
        body.contains("started or agreed in the last 90 days"),
        "the definition is on the page"
    );
    assert!(
        body.contains("fewer than 5 people"),
        "the small tracks say why they have no figure"
    );
    assert!(!body.contains("style="), "no inline styles");
    assert!(body.contains("href=\"/dashboard.csv\""));
    // No pilot chosen: no comparison.
    assert!(!body.contains("Pilot teams and the rest"));
}

#[tokio::test]
async fn filters_narrow_the_group_and_small_groups_are_refused() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    let token = app.token("api").await;
    let d = app
        .get("/api/v1/dashboard?team=platform")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(d["team"], "Platform");
    assert_eq!(d["people"], 6);
    assert_eq!(share(&d["coverage"]), (5, 6, Some(83.3)));
    let d = app
        .get("/api/v1/dashboard?track=customer-success")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(
        (d["track"].as_str(), d["track_name"].as_str()),
        (Some(CS), Some("Customer Success"))
    );
    assert_eq!(d["people"], 5);
    assert_eq!(share(&d["participation"]["check_in"]), (1, 5, Some(20.0)));
    // Mobile is Eve alone; Platform's software engineers without Wes are five: shown.
    let refused = app
        .get("/api/v1/dashboard?team=Mobile")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.header("content-type"), "application/problem+json");
    assert!(
        refused
            .body
            .contains("Fewer than 5 people match these filters"),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("\"people\""),
        "no figure leaks in the refusal"
    );
    app.get("/api/v1/dashboard?team=Platform&track=software-engineering")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let admin = app.admin().await;
    let page = app
        .get("/dashboard?team=Mobile")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("role=\"alert\">Fewer than 5 people match these filters")
    );
    assert!(
        page.body.contains("<option value=\"Mobile\" selected>"),
        "the form keeps the choice"
    );
    assert!(!page.body.contains("kpi-participation"), "no figures");
    app.get("/dashboard.csv?team=Mobile")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_manager_sees_their_reporting_line_only() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    let mia = sign_in_as(&app, "mia").await;
    let d = app
        .get("/api/v1/dashboard")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(d["scope"]["kind"], "reporting_line");
    assert_eq!(d["scope"]["manager"], "MIA");
    // Noor, Ola, Ada, Ben, Cai, Wes and Eve; not Mia herself, not Uma who left.
    assert_eq!(d["people"], 7);
    assert_eq!(share(&d["coverage"]), (6, 7, Some(85.7)));
    assert_eq!(share(&d["participation"]["check_in"]), (2, 7, Some(28.6)));
    assert_eq!(share(&d["participation"]["plan"]), (3, 7, Some(42.9)));
    assert_eq!(
        share(&d["participation"]["growth_one_on_one"]),
        (1, 7, Some(14.3))
    );
    let se = by_group(&d["time_in_level"], SE);
    assert_eq!(se["median_days"], 200.0);
    assert!(
        d["time_in_level"]
            .as_array()
            .is_some_and(|t| t.iter().all(|t| t["track"] != CS)),
        "nothing of Pat's people"
    );
    // Pat's team, or Pat's track, cannot be chosen: refused, with no figures.
    for filter in [
        "team=Sales",
        "track=customer-success",
        "team=sales&track=customer-success",
    ] {
        let res = app
            .get(&format!("/api/v1/dashboard?{filter}"))
            .session(&mia)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("Nobody in your reporting line"),
            "{filter}: {}",
            res.body
        );
        assert!(!res.body.contains("\"people\""));
    }
    // The form offers her own teams and tracks only.
    let page = app
        .get("/dashboard")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("<option value=\"Platform\""));
    assert!(!page.body.contains("<option value=\"Sales\""));
    assert!(!page.body.contains("<option value=\"customer-success\""));
    assert!(
        page.body
            .contains("7 active people in view (everyone in your reporting line")
    );
    // Pat manages four people: too few to show. The page says why, calmly, and what to read
    // instead (her team and each report's page), with a 200 and no error.
    let pat = sign_in_as(&app, "pat").await;
    let res = app
        .get("/dashboard")
        .session(&pat)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("Too few people for figures yet"));
    assert!(
        res.body
            .contains("The dashboard shows figures only about groups of at least 5 people")
    );
    assert!(
        res.body
            .contains("Fewer than 5 people are in your reporting line")
    );
    assert!(
        res.body
            .contains("<a href=\"/team\">Your team at a glance</a>")
    );
    assert!(!res.body.contains("role=\"alert\""));
    assert!(!res.body.contains("error-message"));
    let pat_reports: Vec<(i64, String)> = sqlx::query_as(
        "SELECT r.id, r.name FROM users r JOIN users m ON m.id = r.manager_id \
         WHERE m.email = $1 AND r.active = 1",
    )
    .bind(email("pat"))
    .fetch_all(app.state.db().pool())
    .await
    .expect("Pat's reports");
    assert!(!pat_reports.is_empty());
    for (id, name) in &pat_reports {
        assert!(
            res.body
                .contains(&format!("<a href=\"/people/{id}\">{name}</a>")),
            "a link to {name}'s page"
        );
    }
    // A manager's personal token reads the same line.
    let token = app.token_for(&email("noor")).await;
    let d = app
        .get("/api/v1/dashboard")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(d["people"], 5, "Ola, Ada, Ben, Cai and Wes");
}

#[tokio::test]
async fn people_without_reports_are_refused() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    let ola = sign_in_as(&app, "ola").await;
    let employee = app.employee().await;
    for session in [&ola, &employee] {
        for path in [
            "/dashboard",
            "/dashboard.csv",
            "/api/v1/dashboard",
            "/api/v1/dashboard.csv",
        ] {
            app.get(path)
                .session(session)
                .send()
                .await
                .expect(StatusCode::FORBIDDEN);
        }
        // Filters do not change the answer, nor reveal whether a team exists.
        app.get("/api/v1/dashboard?team=Platform")
            .session(session)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let scim = app.token("scim").await;
    app.get("/api/v1/dashboard")
        .bearer(&scim)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/dashboard")
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.get("/api/v1/dashboard")
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_filters_are_explained_not_failed() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    let token = app.token("api").await;
    let long = "x".repeat(300);
    for (query, field, words) in [
        ("team=Nowhere", "team", "There is no team named “Nowhere”"),
        ("track=astronaut", "track", "“astronaut” is not a track"),
        ("track=%3Cscript%3E", "track", "is not a track"),
        (&*format!("team={long}"), "team", "at most 200 characters"),
    ] {
        let res = app
            .get(&format!("/api/v1/dashboard?{query}"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let problem = res.json();
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(words)),
            "{query}: {problem}"
        );
    }
    // A query string that does not parse is a 400, not a 500.
    app.get("/api/v1/dashboard?team=a&team=b")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);
    let admin = app.admin().await;
    let page = app
        .get("/dashboard?track=%3Cscript%3Ealert(1)%3C/script%3E")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("id=\"f-track-error\""),
        "the message is next to the field"
    );
    assert!(!page.body.contains("<script>alert"), "escaped");
    app.get("/dashboard?team=a&team=b")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);
}

/// The CSV's rows as (metric, series, period) → (value, count, total).
fn csv_rows(text: &str) -> HashMap<(String, String, String), (String, String, String)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("a header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "metric", "series", "period", "value", "count", "total", "team", "track", "as_of"
        ]
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            (
                (r[0].to_owned(), r[1].to_owned(), r[2].to_owned()),
                (r[3].to_owned(), r[4].to_owned(), r[5].to_owned()),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_csv_holds_the_same_figures_as_the_page() {
    let app = TestApp::demo().await;
    known_organisation(&app).await;
    pilot_platform(&app).await;
    let admin = app.admin().await;
    let json = app
        .get("/api/v1/dashboard?team=Platform")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let res = app
        .get("/dashboard.csv?team=Platform")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.header("content-type").starts_with("text/csv"));
    assert!(res.header("content-disposition").contains("kpi-dashboard-"));
    let rows = csv_rows(&res.body);
    let get = |metric: &str, series: &str, period: &str| {
        rows.get(&(metric.into(), series.into(), period.into()))
            .cloned()
            .unwrap_or_else(|| panic!("no row {metric}/{series}/{period}"))
    };
    let number = |v: &Value| v.as_f64().map(|f| f.to_string()).unwrap_or_default();
    let check = |metric: &str, series: &str, v: &Value| {
        assert_eq!(
            get(metric, series, ""),
            (
                number(&v["percent"]),
                v["count"].to_string(),
                v["total"].to_string()
            ),
            "{metric} {series}"
        );
    };
    check("coverage", "all", &json["coverage"]);
    check(
        "participation_check_in",
        "all",
        &json["participation"]["check_in"],
    );
    check("participation_plan", "all", &json["participation"]["plan"]);
    check(
        "participation_growth_one_on_one",
        "all",
        &json["participation"]["growth_one_on_one"],
    );
    assert_eq!(get("people", "all", "").1, "6");
    // Platform alone is all pilot: the other side is empty, so neither side is given.
    assert!(json["pilot"]["pilot"].is_null());
    assert_eq!(
        get("pilot_comparison", "pilot", ""),
        (String::new(), String::new(), String::new())
    );
    for q in json["moves"].as_array().expect("quarters") {
        let quarter = q["quarter"].as_str().unwrap_or_default();
        assert_eq!(
            get("promotions", "all", quarter).1,
            q["promotions"].to_string()
        );
        assert_eq!(
            get("lateral_moves", "all", quarter).1,
            q["lateral_moves"].to_string()
        );
    }
    let se = get("median_days_in_level", SE, "");
    assert_eq!((se.0.as_str(), se.1.as_str()), ("200", "5"));
    let attrition = get("attrition_by_track", SE, "");
    assert_eq!(attrition, ("22.2".into(), "1".into(), "4.5".into()));
    // The page shows the same numbers.
    let page = app
        .get("/dashboard?team=Platform")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains(
        "<td class=\"num\">5</td><td class=\"num\">6</td><td class=\"num\">83.3\u{a0}%</td>"
    ));
    assert!(page.body.contains("<td class=\"num\">22.2\u{a0}%</td>"));
    assert!(page.body.contains("href=\"/dashboard.csv?team=Platform\""));
    // The API's CSV is the page's CSV.
    let api_csv = app
        .get("/api/v1/dashboard.csv?team=Platform")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(api_csv.body, res.body);
}

#[tokio::test]
async fn the_figures_follow_changes_to_the_records() {
    let app = TestApp::demo().await;
    let ids = known_organisation(&app).await;
    let token = app.token("api").await;
    let before = app
        .get("/api/v1/dashboard")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(share(&before["coverage"]), (12, 15, Some(80.0)));
    // Wes gets a position: a recorded (audited) change, which the next view shows.
    directory::record_position(
        &app.state,
        &Actor::command_line(),
        ids["wes"],
        &PositionInput {
            track: SE.into(),
            level: "se1".into(),
            effective_on: ago(1),
            ..PositionInput::default()
        },
    )
    .await
    .expect("a position");
    let after = app
        .get("/api/v1/dashboard")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(share(&after["coverage"]), (13, 15, Some(86.7)));
    let se = by_group(&after["time_in_level"], SE);
    assert_eq!(se["people"], 6);
    assert_eq!(se["median_days"], 150.0, "1, 50, 100, 200, 300, 400");
}

/// A closed career tracks pulse answered by Platform's six active people (4 to every statement)
/// and by Pat and his four (2 to every statement).
async fn closed_pulse(app: &TestApp, ids: &HashMap<&'static str, i64>) {
    use trellis::auth::{Role, Via};
    use trellis::rollout::surveys::{self, AnswerInput, Start, SurveyInput};
    let operator = Actor::command_line();
    let id = surveys::create(
        &app.state,
        &operator,
        Start::Pulse,
        &SurveyInput::default(),
        &[],
    )
    .await
    .expect("a survey");
    surveys::open_now(app.state.db(), &operator, id)
        .await
        .expect("opened");
    let questions = surveys::survey(&app.state, &operator, id)
        .await
        .expect("the survey")
        .questions;
    for (names, rating) in [
        (&["noor", "ola", "ada", "ben", "cai", "wes"][..], "4"),
        (&["pat", "quinn", "ray", "sol", "tia"][..], "2"),
    ] {
        for name in names {
            let person = Actor {
                user_id: Some(ids[name]),
                label: email(name),
                name: name.to_uppercase(),
                role: Role::Employee,
                via: Via::Session,
            };
            let answers = questions
                .iter()
                .filter(|q| q.kind == surveys::QuestionKind::Scale)
                .map(|q| (q.id, rating.to_owned()))
                .collect();
            surveys::answer(app.state.db(), &person, id, &AnswerInput { answers })
                .await
                .expect("an answer");
        }
    }
    surveys::close_now(app.state.db(), &operator, id)
        .await
        .expect("closed");
}

#[tokio::test]
async fn the_pulse_trend_comes_from_the_surveys_under_their_rules() {
    let app = TestApp::demo().await;
    let ids = known_organisation(&app).await;
    closed_pulse(&app, &ids).await;
    let token = app.token("api").await;
    let d = app
        .get("/api/v1/dashboard")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let pulse = d["pulse"].as_array().expect("a trend");
    assert_eq!(pulse.len(), 1);
    assert_eq!(pulse[0]["responses"], 11);
    assert_eq!(
        pulse[0]["mean"], 3.09,
        "(6 × 4 + 5 × 2) / 11, as the surveys round it"
    );
    assert_eq!(pulse[0]["questions"].as_array().map(Vec::len), Some(5));
    let d = app
        .get("/api/v1/dashboard?team=Platform")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(
        (
            d["pulse"][0]["responses"].as_i64(),
            d["pulse"][0]["mean"].as_f64()
        ),
        (Some(6), Some(4.0))
    );
    // The CSV carries the same means.
    let csv = app
        .get("/api/v1/dashboard.csv?team=Platform")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let rows = csv_rows(&csv.body);
    let closes_on = d["pulse"][0]["closes_on"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        rows[&(
            "pulse_mean".to_owned(),
            "Career tracks pulse".to_owned(),
            closes_on
        )],
        ("4".to_owned(), "6".to_owned(), String::new())
    );
    // Mia may see the pulse of a team whose members all report to her, one team at a time.
    let mia = sign_in_as(&app, "mia").await;
    let d = app
        .get("/api/v1/dashboard")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(d["pulse"].as_array().is_some_and(Vec::is_empty));
    let note = d["pulse_note"].as_str().unwrap_or_default();
    assert!(
        note.contains("one team at a time") && note.contains("Platform"),
        "{note}"
    );
    let d = app
        .get("/api/v1/dashboard?team=Platform")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(d["pulse"][0]["mean"], 4.0);
    let page = app
        .get("/dashboard?team=Platform")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("aria-labelledby=\"kpi-pulse-title kpi-pulse-desc\"")
    );
    assert!(page.body.contains("<td class=\"num\">4.00</td>"));
    // Noor is in Platform herself: not every member reports to her, so no pulse for her.
    let noor = sign_in_as(&app, "noor").await;
    let d = app
        .get("/api/v1/dashboard?team=Platform")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(d["pulse"].as_array().is_some_and(Vec::is_empty));
    assert!(
        d["pulse_note"]
            .as_str()
            .is_some_and(|n| n.contains("teams whose members all report"))
    );
}
