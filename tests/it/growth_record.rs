//! The growth record export: everything about a person's growth as JSON and as a printable page,
//! for the person, their chain and admins; check-in sides stay hidden as they are on the check-in;
//! a private 1:1 note appears only in its own author's export, never in anyone else's.

use axum::http::StatusCode;
use serde_json::Value;
use trellis::growth::one_on_ones::{self, ItemInput, PointInput};

use crate::helpers::{ADMIN, EMPLOYEE, Organisation, TestApp};
use crate::home::{PROFILE, agreed_checkin, goal, noor_and_ola};
use crate::nominations::evidence;
use crate::plans::{MIA, NOOR, OLA, PAT, actor, sign_in_as};

const OLA_SECRET: &str = "OLA-PRIVATE: I want to ask about the staff role";
const NOOR_SECRET: &str = "NOOR-PRIVATE: Ola may be ready for the next level";

async fn world() -> (TestApp, Organisation) {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    (app, org)
}

/// Ola's growth: an agreed check-in, a piece of evidence, a goal with an action, and a 1:1 with
/// Noor with an agenda, shared notes, an action item and a private note from each of them.
async fn ola_growth(app: &TestApp, org: &Organisation) -> i64 {
    agreed_checkin(app, org.ola, org.noor, "se2", 30, &PROFILE).await;
    evidence(app, org.ola, "The incident review of March", "ownership").await;
    let goal = goal(
        app,
        org.ola,
        "Lead an incident review",
        "in_progress",
        "2099-06-30",
    )
    .await;
    sqlx::query(
        "INSERT INTO goal_actions (goal_id, title, position, created_at) VALUES ($1, 'Shadow the next review', 1, 0)",
    )
    .bind(goal)
    .execute(app.state.db().pool())
    .await
    .expect("an action");
    let (_, meeting) = noor_and_ola(app, org).await;
    let (ola, noor) = (actor(org.ola, OLA), actor(org.noor, NOOR));
    one_on_ones::add_talking_point(
        &app.state,
        &ola,
        meeting,
        &PointInput {
            body: "What the next level asks of me".into(),
            goal: Some(goal),
            competency: "ownership".into(),
        },
    )
    .await
    .expect("a talking point");
    one_on_ones::save_shared_notes(
        &app.state,
        &noor,
        meeting,
        "We agreed on **two** steps.",
        None,
    )
    .await
    .expect("shared notes");
    one_on_ones::add_action_item(
        &app.state,
        &noor,
        meeting,
        &ItemInput {
            title: "Send Ola the review template".into(),
            owner: Some(org.noor),
            due_on: String::new(),
        },
    )
    .await
    .expect("an action item");
    one_on_ones::save_private_note(&app.state, &ola, meeting, OLA_SECRET)
        .await
        .expect("Ola's private note");
    one_on_ones::save_private_note(&app.state, &noor, meeting, NOOR_SECRET)
        .await
        .expect("Noor's private note");
    meeting
}

async fn record_json(app: &TestApp, token: &str, person: i64) -> (Value, String) {
    let res = app
        .get(&format!("/api/v1/people/{person}/growth-record"))
        .bearer(token)
        .send()
        .await
        .expect(StatusCode::OK);
    (res.json(), res.body)
}

#[tokio::test]
async fn a_person_downloads_their_whole_growth_record() {
    let (app, org) = world().await;
    let meeting = ola_growth(&app, &org).await;
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .get(&format!("/people/{}/growth-record.json", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.header("content-type"), "application/json");
    assert!(
        res.header("content-disposition")
            .starts_with("attachment; filename=\"growth-record-ola-")
    );
    let record = res.json();
    assert_eq!(record["format"], 1);
    assert_eq!(record["person"]["id"], org.ola);
    assert_eq!(record["person"]["position"]["level"], "se1");
    assert_eq!(record["person"]["history"][0]["kind"], "hire");
    let checkin = &record["checkins"][0];
    assert_eq!(checkin["status"], "agreed");
    assert_eq!(checkin["ratings"][0]["key"], "ownership");
    assert_eq!(checkin["ratings"][0]["self"]["rating"], "exceeds");
    assert_eq!(checkin["ratings"][0]["manager"]["rating"], "meets");
    assert_eq!(checkin["ratings"][0]["agreed"]["rating"], "meets");
    assert_eq!(
        record["evidence"][0]["title"],
        "The incident review of March"
    );
    assert_eq!(record["goals"][0]["title"], "Lead an incident review");
    assert_eq!(
        record["goals"][0]["actions"][0]["title"],
        "Shadow the next review"
    );
    let series = &record["one_on_ones"][0];
    assert_eq!(series["manager"], "NOOR");
    let m = &series["meetings"][0];
    assert_eq!(m["id"], meeting);
    assert_eq!(m["agenda"][0]["body"], "What the next level asks of me");
    assert_eq!(m["shared_notes"], "We agreed on **two** steps.");
    assert_eq!(
        m["action_items"][0]["title"],
        "Send Ola the review template"
    );
    assert_eq!(m["my_private_note"], OLA_SECRET);

    let page = app
        .get(&format!("/people/{}/growth-record", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<h1>Growth record of OLA</h1>"));
    assert!(page.contains("We agreed on <strong>two</strong> steps."));
    assert!(page.contains("Lead an incident review"));
    assert!(page.contains("The incident review of March"));
    assert!(page.contains(OLA_SECRET));
    assert!(!page.contains(NOOR_SECRET));
    assert!(page.contains(&format!(
        "href=\"/people/{}/growth-record.json\" download",
        org.ola
    )));
}

#[tokio::test]
async fn no_export_holds_another_persons_private_note() {
    let (app, org) = world().await;
    ola_growth(&app, &org).await;
    // Ola's own export: her note, not her manager's.
    let (_, body) = record_json(&app, &app.token_for(OLA).await, org.ola).await;
    assert!(body.contains(OLA_SECRET) && !body.contains(NOOR_SECRET));
    // Noor, the manager who wrote one: only hers.
    let (record, body) = record_json(&app, &app.token_for(NOOR).await, org.ola).await;
    assert!(body.contains(NOOR_SECRET) && !body.contains(OLA_SECRET));
    assert_eq!(
        record["one_on_ones"][0]["meetings"][0]["my_private_note"],
        NOOR_SECRET
    );
    // Mia above them, and the People team: neither note, in the JSON and on the page.
    let (record, body) = record_json(&app, &app.token_for(MIA).await, org.ola).await;
    assert!(!body.contains(OLA_SECRET) && !body.contains(NOOR_SECRET));
    assert!(record["one_on_ones"][0]["meetings"][0]["my_private_note"].is_null());
    assert_eq!(
        record["one_on_ones"][0]["meetings"][0]["shared_notes"],
        "We agreed on **two** steps."
    );
    let (_, body) = record_json(&app, &app.token("api").await, org.ola).await;
    assert!(!body.contains(OLA_SECRET) && !body.contains(NOOR_SECRET));
    let admin = app.sign_in(ADMIN).await;
    for path in [
        format!("/people/{}/growth-record", org.ola),
        format!("/people/{}/growth-record.json", org.ola),
    ] {
        let body = app
            .get(&path)
            .session(&admin)
            .send()
            .await
            .expect(StatusCode::OK)
            .body;
        assert!(body.contains("OLA"), "{path}");
        assert!(
            !body.contains(OLA_SECRET),
            "{path} holds Ola's private note"
        );
        assert!(
            !body.contains(NOOR_SECRET),
            "{path} holds Noor's private note"
        );
    }
    let noor = sign_in_as(&app, NOOR).await;
    let page = app
        .get(&format!("/people/{}/growth-record", org.ola))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains(NOOR_SECRET) && !page.contains(OLA_SECRET));
}

#[tokio::test]
async fn a_side_not_yet_shared_stays_out_of_other_peoples_exports() {
    let (app, org) = world().await;
    // Ola shared her side; Noor's is a draft.
    sqlx::query(
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, started_by, \
         manager_id, self_ratings, manager_ratings, self_shared_at, created_at, updated_at) \
         VALUES ($1, 'software-engineering', 'se2', 1, 'open', $1, $2, \
         '{\"ownership\":{\"rating\":\"exceeds\"}}', '{\"ownership\":{\"rating\":\"below\"}}', 1, 1, 1)",
    )
    .bind(org.ola)
    .bind(org.noor)
    .execute(app.state.db().pool())
    .await
    .expect("an open check-in");
    let (ola, _) = record_json(&app, &app.token_for(OLA).await, org.ola).await;
    let c = &ola["checkins"][0];
    assert_eq!(
        (c["self_shown"].clone(), c["manager_shown"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    assert_eq!(c["ratings"][0]["self"]["rating"], "exceeds");
    assert!(c["ratings"][0]["manager"].is_null());
    let (noor, _) = record_json(&app, &app.token_for(NOOR).await, org.ola).await;
    let c = &noor["checkins"][0];
    assert_eq!(c["self_shown"], false);
    assert!(c["ratings"][0]["self"].is_null());
    assert_eq!(c["ratings"][0]["manager"]["rating"], "below");
    let (admin, _) = record_json(&app, &app.token("api").await, org.ola).await;
    let c = &admin["checkins"][0];
    assert!(c["ratings"][0]["self"].is_null() && c["ratings"][0]["manager"].is_null());
}

#[tokio::test]
async fn peers_get_404_and_the_chain_and_admins_export() {
    let (app, org) = world().await;
    for who in [PAT, EMPLOYEE.0] {
        let token = app.token_for(who).await;
        app.get(&format!("/api/v1/people/{}/growth-record", org.ola))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    let pat = sign_in_as(&app, PAT).await;
    for path in ["growth-record", "growth-record.json"] {
        app.get(&format!("/people/{}/{path}", org.ola))
            .session(&pat)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    // A report does not export their manager's record.
    let ola = sign_in_as(&app, OLA).await;
    app.get(&format!("/people/{}/growth-record.json", org.noor))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.get("/people/987654/growth-record")
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let (record, _) = record_json(&app, &app.token_for(MIA).await, org.ola).await;
    assert_eq!(record["person"]["name"], "OLA");
    assert_eq!(record["exported_by"], "MIA");
    let (record, _) = record_json(&app, &app.token("api").await, org.pat).await;
    assert!(record["checkins"].as_array().expect("check-ins").is_empty());
}

#[tokio::test]
async fn an_approved_promotion_is_in_the_record_with_its_case() {
    let (app, org) = world().await;
    crate::nominations::stored(&app, org.ola, org.mia, "se2", "approved").await;
    crate::nominations::stored(&app, org.ola, org.mia, "principal", "pending").await;
    let (record, body) = record_json(&app, &app.token_for(OLA).await, org.ola).await;
    let promotions = record["promotions"].as_array().expect("promotions");
    assert_eq!(promotions.len(), 1, "the pending one is not hers to see");
    assert_eq!(promotions[0]["to"]["level"], "se2");
    assert!(body.contains("Leads the incident reviews of the team."));
}
