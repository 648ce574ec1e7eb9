//! The manager's team view: each report's position, time in level, last check-in, readiness, plan
//! and next 1:1, the overdue and missing-plan flags, the heat map of the latest agreed ratings,
//! and who may see which team. Over the page and the API.

use axum::http::StatusCode;
use serde_json::Value;
use trellis::auth::Actor;
use trellis::growth::readiness;
use trellis::growth::team::CHECKIN_OVERDUE_DAYS;

use crate::helpers::{ADMIN, EMPLOYEE, Organisation, TestApp};
use crate::home::{PROFILE, agreed_checkin, goal, noor_and_ola};
use crate::plans::{MIA, NOOR, OLA, PAT, sign_in_as};

async fn world() -> (TestApp, Organisation) {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    (app, org)
}

async fn team_json(app: &TestApp, email: &str, query: &str) -> Value {
    let token = app.token_for(email).await;
    app.get(&format!("/api/v1/team{query}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

fn member(team: &Value, id: i64) -> &Value {
    team["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the team: {team}"))
}

#[tokio::test]
async fn mias_team_shows_her_direct_report_flagged_and_her_whole_chain_on_request() {
    let (app, org) = world().await;
    let mia = sign_in_as(&app, MIA).await;
    let page = app
        .get("/team")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<h1>Your team</h1>"));
    assert!(page.contains(&format!("<a href=\"/people/{}\">NOOR</a>", org.noor)));
    assert!(!page.contains(&format!("<a href=\"/people/{}\">OLA</a>", org.ola)));
    assert!(
        page.contains(
            "<a href=\"/tracks/software-engineering/levels/se2\">Software Engineer II</a>"
        )
    );
    assert!(page.contains("<span class=\"flag\">Check-in overdue</span>"));
    assert!(page.contains("<span class=\"flag\">Plan missing</span>"));
    assert!(page.contains("1 with a check-in overdue"));
    assert!(page.contains(&format!(
        "href=\"/people/{}/nominations/new\">Nominate</a>",
        org.noor
    )));
    let team = team_json(&app, MIA, "").await;
    assert_eq!(team["manager"]["id"], org.mia);
    assert_eq!(team["can_nominate"], true);
    assert_eq!(team["members"].as_array().expect("members").len(), 1);
    let noor = member(&team, org.noor);
    assert_eq!(noor["checkin_overdue"], true);
    assert_eq!(noor["plan_missing"], true);
    assert_eq!(noor["since"], "2024-01-15");
    assert!(noor["days_in_level"].as_i64().expect("days") > 600);
    // The whole chain: Noor and Ola, each with their manager.
    let chain = team_json(&app, MIA, "?chain=true").await;
    assert_eq!(chain["whole_chain"], true);
    assert_eq!(member(&chain, org.ola)["manager"]["name"], "NOOR");
    let page = app
        .get("/team?chain=1")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains(&format!("<a href=\"/people/{}\">OLA</a>", org.ola)));
    assert!(page.contains("reports to NOOR"));
}

#[tokio::test]
async fn a_report_with_a_recent_checkin_a_plan_and_a_1_1_is_not_flagged() {
    let (app, org) = world().await;
    let checkin = agreed_checkin(&app, org.ola, org.noor, "se2", 10, &PROFILE).await;
    goal(
        &app,
        org.ola,
        "Lead an incident review",
        "in_progress",
        "2020-01-01",
    )
    .await;
    let (_, meeting) = noor_and_ola(&app, &org).await;
    readiness::recompute_all(&app.state, &Actor::command_line())
        .await
        .expect("readiness");
    let team = team_json(&app, NOOR, "").await;
    let ola = member(&team, org.ola);
    assert_eq!(ola["checkin_overdue"], false);
    assert_eq!(ola["plan_missing"], false);
    assert_eq!(ola["active_goals"], 1);
    assert_eq!(ola["overdue_goals"], 1);
    assert_eq!(ola["last_checkin_id"], checkin);
    assert_eq!(ola["last_checkin_on"], crate::home::days_ago(10));
    assert_eq!(ola["next_one_on_one_id"], meeting);
    assert!(ola["next_one_on_one"].is_string());
    assert_eq!(ola["readiness"]["status"], "not_yet");
    assert!(
        !ola["readiness"]["reason"]
            .as_str()
            .expect("a reason")
            .is_empty()
    );
    let noor = sign_in_as(&app, NOOR).await;
    let page = app
        .get("/team")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("0 with a check-in overdue"));
    assert!(page.contains(&format!("<a href=\"/one-on-ones/meetings/{meeting}\">")));
    assert!(page.contains("1 active goal</a> <span class=\"warn-text\">1 overdue</span>"));
    assert!(page.contains("readiness readiness-not_yet\">Not yet ready</a>"));
    assert!(page.contains("<span class=\"muted\">Nothing</span>"));
}

#[tokio::test]
async fn a_checkin_is_overdue_after_ninety_days() {
    let (app, org) = world().await;
    agreed_checkin(
        &app,
        org.ola,
        org.noor,
        "se1",
        CHECKIN_OVERDUE_DAYS - 1,
        &PROFILE,
    )
    .await;
    assert_eq!(
        member(&team_json(&app, NOOR, "").await, org.ola)["checkin_overdue"],
        false
    );
    sqlx::query("UPDATE checkins SET agreed_on = $1, agreed_at = agreed_at - 2 * 86400")
        .bind(crate::home::days_ago(CHECKIN_OVERDUE_DAYS + 1))
        .execute(app.state.db().pool())
        .await
        .expect("an older check-in");
    assert_eq!(
        member(&team_json(&app, NOOR, "").await, org.ola)["checkin_overdue"],
        true
    );
}

#[tokio::test]
async fn the_heat_map_holds_each_persons_latest_agreed_ratings_in_words_and_colours() {
    let (app, org) = world().await;
    // A second report for Noor, with no check-in, so the map has an empty column too.
    sqlx::query(
        "INSERT INTO users (email, name, name_key, role, active, created_at, manager_id) \
         VALUES ('quinn@demo.trellis.test', 'QUINN', 'quinn', 'employee', 1, 0, $1)",
    )
    .bind(org.noor)
    .execute(app.state.db().pool())
    .await
    .expect("another report");
    agreed_checkin(
        &app,
        org.ola,
        org.noor,
        "se1",
        300,
        &[("ownership", "below", "below")],
    )
    .await;
    let latest = agreed_checkin(&app, org.ola, org.noor, "se2", 20, &PROFILE).await;
    let team = team_json(&app, NOOR, "").await;
    let map = &team["heat_map"];
    let people = map["people"].as_array().expect("people");
    assert_eq!(people.len(), 2);
    assert_eq!(people[0]["name"], "OLA");
    assert_eq!(people[0]["checkin_id"], latest);
    assert_eq!(people[0]["target"]["level"], "se2");
    assert!(people[1]["checkin_id"].is_null());
    let rows = map["rows"].as_array().expect("rows");
    let keys: Vec<&str> = rows
        .iter()
        .map(|r| r["key"].as_str().expect("a key"))
        .collect();
    assert_eq!(
        keys,
        [
            "ownership",
            "problem-solving",
            "technical-quality",
            "communication",
            "teamwork",
            "mentoring"
        ]
    );
    // The latest check-in's agreed (manager's) ratings, not the older one's.
    let ratings: Vec<Value> = rows.iter().map(|r| r["ratings"][0].clone()).collect();
    assert_eq!(
        ratings,
        [
            "meets",
            "working_towards",
            "working_towards",
            "working_towards",
            "exceeds",
            "not_applicable"
        ]
    );
    assert!(rows.iter().all(|r| r["ratings"][1].is_null()));

    let noor = sign_in_as(&app, NOOR).await;
    let page = app
        .get("/team")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<table class=\"heat-map\">"));
    assert!(page.contains(
        "<tr><th scope=\"row\">Teamwork</th><td class=\"heat heat-4\">Exceeds</td><td class=\"heat heat-none\">—</td></tr>"
    ));
    assert!(page.contains("<td class=\"heat heat-2\">Working towards</td>"));
    assert!(page.contains("<td class=\"heat heat-na\">Not applicable</td>"));
    assert!(page.contains("<span class=\"heat-target\">no check-in</span>"));
    assert!(!page.contains(" style="));
}

#[tokio::test]
async fn a_team_is_seen_by_its_manager_those_above_and_admins_and_by_nobody_else() {
    let (app, org) = world().await;
    // Mia sees Noor's team; an admin sees anyone's.
    let team = team_json(&app, MIA, &format!("?manager={}", org.noor)).await;
    assert_eq!(member(&team, org.ola)["name"], "OLA");
    let admin = app.sign_in(ADMIN).await;
    let page = app
        .get(&format!("/team?manager={}", org.noor))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<h1>NOOR&#39;s team</h1>") || page.contains("<h1>NOOR's team</h1>"));
    assert!(
        !page.contains("Nominate</a>"),
        "admins outside the chain do not nominate"
    );
    let token = app.token("api").await;
    app.get(&format!("/api/v1/team?manager={}", org.noor))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    // A peer, a report and an outsider get 404, as for a team that does not exist.
    for (who, manager) in [
        (PAT, org.noor),
        (OLA, org.noor),
        (OLA, org.mia),
        (EMPLOYEE.0, org.mia),
    ] {
        let token = app.token_for(who).await;
        app.get(&format!("/api/v1/team?manager={manager}"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    let pat = sign_in_as(&app, PAT).await;
    app.get(&format!("/team?manager={}", org.noor))
        .session(&pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.get("/team?manager=987654")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // An organisation token acts for nobody: it has no team of its own.
    app.get("/api/v1/team")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn someone_without_reports_sees_an_empty_team() {
    let (app, _) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let page = app
        .get("/team")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Nobody reports to you"));
    assert!(
        team_json(&app, OLA, "").await["members"]
            .as_array()
            .expect("members")
            .is_empty()
    );
}

#[tokio::test]
async fn a_checkin_waiting_for_the_managers_ratings_is_flagged_and_the_counts_filter_the_team() {
    let (app, org) = world().await;
    // Ola started a check-in: it waits for Noor's ratings. Her home asks for them.
    let open = trellis::growth::checkins::start(
        &app.state,
        &crate::plans::actor(org.ola, OLA),
        org.ola,
        "software-engineering",
        "se2",
    )
    .await
    .expect("a check-in");
    let noor = sign_in_as(&app, NOOR).await;
    let page = app
        .get("/team")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains(&format!(
        "<span class=\"flag\">Check-in to rate</span> <a href=\"/checkins/{open}\">Rate OLA in their check-in, then share it</a>"
    )));
    assert!(page.contains(
        "<a class=\"flag\" href=\"/team?attention=rate_checkin\">1 with a check-in waiting for the manager"
    ));
    let team = team_json(&app, NOOR, "").await;
    let kinds: Vec<&str> = member(&team, org.ola)["attention"]
        .as_array()
        .expect("attention")
        .iter()
        .map(|a| a["kind"].as_str().expect("a kind"))
        .collect();
    assert_eq!(kinds[0], "rate_checkin");
    // The home counts the same reasons and links to the filtered team.
    let home = app
        .get("/home")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(home.contains(&format!(
        "<a href=\"/checkins/{open}\">Rate OLA in their check-in, then share it</a>"
    )));
    assert!(home.contains(
        "<a class=\"flag\" href=\"/team?attention=rate_checkin\">Check-in to rate: 1 person</a>"
    ));
    // The filter keeps only the people with that reason; without one, nobody is listed.
    let filtered = app
        .get("/team?attention=rate_checkin")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(filtered.contains("Showing the 1 person flagged “Check-in to rate”"));
    assert!(filtered.contains(&format!("<a href=\"/people/{}\">OLA</a>", org.ola)));
    let mia = sign_in_as(&app, MIA).await;
    let none = app
        .get("/team?attention=rate_checkin")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(none.contains("Nobody in this team is flagged “Check-in to rate” right now."));
    assert!(!none.contains(&format!("<a href=\"/people/{}\">NOOR</a></th>", org.noor)));
    // Mia is above Noor: in her whole chain, Ola's check-in waits for her manager.
    let chain = app
        .get("/team?chain=1&attention=rate_checkin")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(chain.contains("OLA&#39;s check-in waits for their manager&#39;s ratings"));
    let bad = app
        .get("/team?attention=nonsense")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST)
        .body;
    assert!(bad.contains("There is no such filter of the team."));
}
