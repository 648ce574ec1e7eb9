//! Development plans: a person writes their goals, actions and progress notes; their management
//! chain reads, comments and proposes goals; admins read; everyone else gets a 404. Over the pages
//! and the API, with the "create a goal from a gap" form of the gap analysis.

pub use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::{Actor, Role, Via};
use trellis::growth::plans::{self, ActionInput, GoalInput};

use crate::helpers::{Organisation, TestApp};

/// A person of the directory acting in a browser, for calling services directly.
pub fn actor(id: i64, email: &str) -> Actor {
    Actor {
        user_id: Some(id),
        label: email.to_owned(),
        name: email.split('@').next().unwrap_or_default().to_uppercase(),
        role: Role::Employee,
        via: Via::Session,
    }
}

pub const OLA: &str = "ola@demo.trellis.test";
pub const NOOR: &str = "noor@demo.trellis.test";
pub const MIA: &str = "mia@demo.trellis.test";
pub const PAT: &str = "pat@demo.trellis.test";

/// The id at the end of a redirect's location (`/goals/12#actions` → 12).
pub fn id_in(location: &str) -> i64 {
    location
        .split('#')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in the location `{location}`"))
}

/// A goal of Ola's, made through the service.
pub async fn ola_goal(app: &TestApp, org: &Organisation, title: &str) -> i64 {
    plans::create_goal(
        &app.state,
        &actor(org.ola, OLA),
        org.ola,
        &GoalInput {
            title: title.into(),
            competencies: vec!["ownership".into()],
            ..GoalInput::default()
        },
        false,
    )
    .await
    .expect("a goal")
}

/// The objects of the plan rows of the access matrix: a goal of Ola's and its actions.
pub async fn access_objects(app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    let ola = actor(org.ola, OLA);
    let goal = ola_goal(app, org, "Lead the next incident review").await;
    let mut objects = vec![("goal", goal)];
    for name in ["goal_deleted_by_page", "goal_deleted_by_api"] {
        objects.push((name, ola_goal(app, org, &format!("Goal for {name}")).await));
    }
    for name in [
        "goal_action",
        "goal_action_removed_by_page",
        "goal_action_removed_by_api",
    ] {
        let id = plans::add_action(
            &app.state,
            &ola,
            goal,
            &ActionInput {
                title: format!("Action for {name}"),
                due_on: String::new(),
            },
        )
        .await
        .expect("an action");
        objects.push((name, id));
    }
    objects
}

async fn world() -> (TestApp, Organisation) {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    (app, org)
}

#[tokio::test]
async fn a_person_adds_a_goal_to_their_plan_and_lands_on_it() {
    let (app, org) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .post(&format!("/people/{}/plan/goals", org.ola))
        .session(&ola)
        .form(&[
            ("title", "Run the on-call rotation for a quarter"),
            ("description", "Own it **end to end**."),
            ("competency", ""),
            ("competency", "ownership"),
            ("competency", "technical-quality"),
            ("position", "software-engineering/se2"),
            ("due_on", "2099-12-31"),
            ("status", "in_progress"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let goal = id_in(res.header("location"));
    assert_eq!(res.header("location"), format!("/goals/{goal}"));
    let page = app
        .get(&format!("/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Run the on-call rotation for a quarter"));
    assert!(
        page.contains("<strong>end to end</strong>"),
        "markdown is rendered"
    );
    assert!(page.contains("Ownership") && page.contains("Technical quality"));
    assert!(page.contains("Software Engineer II"), "the target position");
    assert!(page.contains("In progress"));
    let plan = app
        .get(&format!("/people/{}/plan", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(plan.contains("My development plan"));
    assert!(plan.contains(&format!("href=\"/goals/{goal}\"")));
    assert!(plan.contains("1 active goal"));
    assert!(plan.contains("Add a goal"));
}

#[tokio::test]
async fn a_goal_from_a_gap_is_created_at_once_from_the_hidden_fields() {
    let (app, org) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    // The gap analysis's "Create a goal" button: hidden fields only.
    let res = app
        .post(&format!("/people/{}/plan/goals", org.ola))
        .session(&ola)
        .form(&[
            ("title", "Close the gap to Software Engineer II"),
            ("competency", "technical-quality"),
            ("competency", "mentoring"),
            ("track", "software-engineering"),
            ("level", "se2"),
            ("from_gap", "1"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let goal = id_in(res.header("location"));
    let json = app
        .get(&format!("/api/v1/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["title"], "Close the gap to Software Engineer II");
    assert_eq!(json["status"], "not_started");
    assert_eq!(json["target"]["level"], "se2");
    assert_eq!(json["target"]["level_title"], "Software Engineer II");
    let keys: Vec<&str> = json["competencies"]
        .as_array()
        .expect("competencies")
        .iter()
        .filter_map(|c| c["key"].as_str())
        .collect();
    assert_eq!(keys, ["mentoring", "technical-quality"]);
    assert!(
        json["description"]
            .as_str()
            .is_some_and(|d| d.contains("gap analysis to Software Engineer II")),
        "a description says where the goal came from: {json}"
    );
    // Without a title, one is made from the gap.
    let res = app
        .post(&format!("/people/{}/plan/goals", org.ola))
        .session(&ola)
        .form(&[
            ("competency", "mentoring"),
            ("track", "software-engineering"),
            ("level", "se2"),
            ("from_gap", "1"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(res.header("location"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Grow Mentoring towards Software Engineer II (Software Engineering)"));
    // A manager in the chain proposes a goal from the same gap.
    let mia = sign_in_as(&app, MIA).await;
    let res = app
        .post(&format!("/people/{}/plan/goals", org.ola))
        .session(&mia)
        .form(&[
            ("title", "Mentor a new joiner"),
            ("competency", "mentoring"),
            ("track", "software-engineering"),
            ("level", "se2"),
            ("from_gap", "1"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(res.header("location"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Proposed by MIA"));
}

#[tokio::test]
async fn bad_goals_are_refused_with_the_reason_beside_the_field() {
    let (app, org) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let path = format!("/people/{}/plan/goals", org.ola);
    let long = "x".repeat(201);
    let res = app
        .post(&path)
        .session(&ola)
        .form(&[
            ("title", long.as_str()),
            ("competency", ""),
            ("competency", "ownership"),
            ("due_on", "31/12/2099"),
            ("position", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("A title has at most 200 characters"));
    assert!(res.body.contains("is not a date written YYYY-MM-DD"));
    assert!(res.body.contains("31/12/2099"), "the typed date is kept");
    assert!(
        res.body.contains("id=\"new-goal_title_error\""),
        "the message sits beside the field"
    );
    let res = app
        .post(&path)
        .session(&ola)
        .form(&[
            ("title", "A goal"),
            ("competency", ""),
            ("competency", "juggling"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("“juggling” is not a competency of the library")
    );
    let res = app
        .post(&path)
        .session(&ola)
        .form(&[("title", "A goal"), ("competency", "")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Choose at least one competency"));
    // A gap form with a position that does not exist.
    let res = app
        .post(&path)
        .session(&ola)
        .form(&[
            ("title", "A goal"),
            ("competency", "ownership"),
            ("track", "software-engineering"),
            ("level", "wizard"),
            ("from_gap", "1"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("“wizard” is not a level of Software Engineering")
    );
    // The API answers with a problem document naming each field.
    let token = app.token_for(OLA).await;
    let res = app
        .post(&format!("/api/v1/people/{}/goals", org.ola))
        .bearer(&token)
        .json(&json!({ "title": long, "competencies": ["juggling"], "due_on": "soon" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.header("content-type"), "application/problem+json");
    let fields: Vec<String> = res.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(fields, ["title", "competencies", "due_on"]);
    // Nothing was written.
    let plan = plans::plan_summary(app.state.db(), org.ola)
        .await
        .expect("summary");
    assert_eq!(plan.active, 0);
}

#[tokio::test]
async fn a_peer_gets_404_for_a_plan_and_its_goals_as_for_nothing() {
    let (app, org) = world().await;
    let goal = ola_goal(&app, &org, "A private goal").await;
    let pat = sign_in_as(&app, PAT).await;
    for path in [
        format!("/people/{}/plan", org.ola),
        format!("/goals/{goal}"),
        format!("/goals/{}", goal + 1000),
    ] {
        let res = app
            .get(&path)
            .session(&pat)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        assert!(!res.body.contains("A private goal"));
    }
    app.post(&format!("/people/{}/plan/goals", org.ola))
        .session(&pat)
        .form(&[("title", "Sneaky"), ("competency", "ownership")])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.post(&format!("/goals/{goal}/notes"))
        .session(&pat)
        .form(&[("body", "Hello")])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // Ola does not see her manager's plan either.
    let ola = sign_in_as(&app, OLA).await;
    app.get(&format!("/people/{}/plan", org.noor))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // Over the API, with Pat's own token: the goal of someone else is not there.
    let token = app.token_for(PAT).await;
    for path in [
        format!("/api/v1/people/{}/goals", org.ola),
        format!("/api/v1/goals/{goal}"),
    ] {
        let res = app
            .get(&path)
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        assert_eq!(res.header("content-type"), "application/problem+json");
    }
    app.patch(&format!("/api/v1/goals/{goal}"))
        .bearer(&token)
        .json(&json!({ "status": "dropped" }))
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_chain_reads_comments_and_proposes_but_does_not_edit() {
    let (app, org) = world().await;
    let goal = ola_goal(&app, &org, "Own the billing service").await;
    // Mia is Ola's skip-level manager.
    let mia = sign_in_as(&app, MIA).await;
    let plan = app
        .get(&format!("/people/{}/plan", org.ola))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(plan.contains("Development plan of OLA"));
    assert!(plan.contains("Own the billing service"));
    assert!(plan.contains("Propose a goal to OLA"));
    app.post(&format!("/goals/{goal}/notes"))
        .session(&mia)
        .form(&[("body", "Great progress on *alerts*.")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let ola = sign_in_as(&app, OLA).await;
    app.post(&format!("/goals/{goal}/notes"))
        .session(&ola)
        .form(&[("body", "Moved the first alert to the new pager.")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("MIA</strong> commented"));
    assert!(page.contains("<em>alerts</em>"));
    assert!(page.contains("OLA</strong> wrote a progress note"));
    let json = app
        .get(&format!("/api/v1/goals/{goal}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["notes"][0]["kind"], "comment");
    assert_eq!(json["notes"][1]["kind"], "progress");
    assert_eq!(json["can_edit"], false);
    assert_eq!(json["can_note"], true);
    // The chain may not change the goal or its checklist.
    app.post(&format!("/goals/{goal}"))
        .session(&mia)
        .form(&[
            ("title", "Renamed"),
            ("competency", "ownership"),
            ("status", "done"),
        ])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post(&format!("/goals/{goal}/actions"))
        .session(&mia)
        .form(&[("title", "Do it")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // The direct manager proposes a goal; it shows as proposed on Ola's plan.
    let noor = sign_in_as(&app, NOOR).await;
    let res = app
        .post(&format!("/people/{}/plan/goals", org.ola))
        .session(&noor)
        .form(&[
            ("title", "Give a talk at the guild"),
            ("competency", "communication"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let proposed = id_in(res.header("location"));
    let plan = app
        .get(&format!("/people/{}/plan", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(plan.contains("Proposed by NOOR"));
    // Ola takes it on.
    app.post(&format!("/goals/{proposed}"))
        .session(&ola)
        .form(&[
            ("title", "Give a talk at the guild"),
            ("description", ""),
            ("competency", "communication"),
            ("position", ""),
            ("due_on", ""),
            ("status", "in_progress"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let json = app
        .get(&format!("/api/v1/goals/{proposed}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["status"], "in_progress");
    assert_eq!(json["proposed_by"], "NOOR");
}

#[tokio::test]
async fn admins_read_plans_and_write_nothing_in_them() {
    let (app, org) = world().await;
    let goal = ola_goal(&app, &org, "Learn the payment flows").await;
    let admin = app.admin().await;
    let plan = app
        .get(&format!("/people/{}/plan", org.ola))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(plan.contains("Learn the payment flows"));
    assert!(!plan.contains("Add a goal") && !plan.contains("Propose a goal"));
    app.post(&format!("/goals/{goal}/notes"))
        .session(&admin)
        .form(&[("body", "Hello")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post(&format!("/people/{}/plan/goals", org.ola))
        .session(&admin)
        .form(&[("title", "Admin goal"), ("competency", "ownership")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let token = app.token("api").await;
    let json = app
        .get(&format!("/api/v1/people/{}/goals", org.ola))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["goals"][0]["title"], "Learn the payment flows");
    assert_eq!(json["can_add"], false);
}

#[tokio::test]
async fn actions_are_ticked_and_overdue_goals_are_flagged() {
    let (app, org) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .post(&format!("/people/{}/plan/goals", org.ola))
        .session(&ola)
        .form(&[
            ("title", "Finish the migration guide"),
            ("competency", "communication"),
            ("due_on", "2020-01-31"),
            ("status", "in_progress"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let goal = id_in(res.header("location"));
    let res = app
        .post(&format!("/goals/{goal}/actions"))
        .session(&ola)
        .form(&[("title", "Write the first draft"), ("due_on", "2020-01-10")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), format!("/goals/{goal}#actions"));
    let json = app
        .get(&format!("/api/v1/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let action = json["actions"][0]["id"].as_i64().expect("an action");
    assert_eq!(json["actions"][0]["overdue"], true);
    assert_eq!(json["overdue"], true);
    let plan = app
        .get(&format!("/people/{}/plan", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(plan.contains("1 overdue"));
    assert!(plan.contains("class=\"flag\">Overdue"));
    app.post(&format!("/goal-actions/{action}/done"))
        .session(&ola)
        .form(&[("done", "1")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("✓ Done"));
    assert!(page.contains("Done: Write the first draft. Open it again"));
    let summary = plans::plan_summary(app.state.db(), org.ola)
        .await
        .expect("summary");
    assert_eq!((summary.active, summary.overdue, summary.done), (1, 1, 0));
    assert!(summary.last_update.is_some());
    let active = plans::active_goals(app.state.db(), org.ola)
        .await
        .expect("goals");
    assert_eq!(active.len(), 1);
    assert_eq!((active[0].actions_done, active[0].actions_total), (1, 1));
    assert_eq!(active[0].competencies, ["communication"]);
    // Done goals are not overdue and not active.
    app.post(&format!("/goals/{goal}"))
        .session(&ola)
        .form(&[
            ("title", "Finish the migration guide"),
            ("competency", "communication"),
            ("due_on", "2020-01-31"),
            ("status", "done"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let summary = plans::plan_summary(app.state.db(), org.ola)
        .await
        .expect("summary");
    assert_eq!((summary.active, summary.overdue, summary.done), (0, 0, 1));
    assert!(
        plans::active_goals(app.state.db(), org.ola)
            .await
            .expect("goals")
            .is_empty()
    );
    // Removing an action.
    app.post(&format!("/goal-actions/{action}/remove"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let json = app
        .get(&format!("/api/v1/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["actions"], json!([]));
    assert!(json["completed_at"].is_i64());
}

#[tokio::test]
async fn a_refused_change_to_a_goal_keeps_what_was_typed() {
    let (app, org) = world().await;
    let goal = ola_goal(&app, &org, "Write the runbook").await;
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .post(&format!("/goals/{goal}"))
        .session(&ola)
        .form(&[
            ("title", ""),
            ("competency", ""),
            ("competency", "mentoring"),
            ("position", "software-engineering/nope"),
            ("due_on", "tomorrow"),
            ("status", "finished"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Give the goal a title"));
    assert!(
        res.body
            .contains("“nope” is not a level of Software Engineering")
    );
    assert!(res.body.contains("is not a date written YYYY-MM-DD"));
    assert!(res.body.contains("“finished” is not a status"));
    assert!(res.body.contains("value=\"tomorrow\""));
    assert!(res.body.contains("<details class=\"item-edit\" open>"));
    let res = app
        .post(&format!("/goals/{goal}/actions"))
        .session(&ola)
        .form(&[("title", ""), ("due_on", "")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Give the action a title"));
    let res = app
        .post(&format!("/goals/{goal}/notes"))
        .session(&ola)
        .form(&[("body", "  ")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Write something first"));
    let json = app
        .get(&format!("/api/v1/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["title"], "Write the runbook", "nothing changed");
}

#[tokio::test]
async fn the_api_runs_a_goal_from_creation_to_done() {
    let (app, org) = world().await;
    let token = app.token_for(OLA).await;
    let res = app
        .post(&format!("/api/v1/people/{}/goals", org.ola))
        .bearer(&token)
        .json(&json!({
            "title": "Pair with a senior on the scheduler",
            "competencies": ["technical-quality"],
            "track": "software-engineering", "level": "se2",
            "due_on": "2099-06-30"
        }))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let goal = res.json()["id"].as_i64().expect("an id");
    let res = app
        .post(&format!("/api/v1/goals/{goal}/actions"))
        .bearer(&token)
        .json(&json!({ "title": "Book the pairing sessions", "due_on": "2099-01-15" }))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let action = res.json()["id"].as_i64().expect("an action id");
    let json = app
        .patch(&format!("/api/v1/goal-actions/{action}"))
        .bearer(&token)
        .json(&json!({ "done": true }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["done"], true);
    let json = app
        .post(&format!("/api/v1/goals/{goal}/notes"))
        .bearer(&token)
        .json(&json!({ "body": "First session done." }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(json["kind"], "progress");
    let json = app
        .patch(&format!("/api/v1/goals/{goal}"))
        .bearer(&token)
        .json(&json!({ "status": "done", "due_on": "" }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["status"], "done");
    assert_eq!(json["due_on"], serde_json::Value::Null);
    assert_eq!(
        json["title"], "Pair with a senior on the scheduler",
        "unchanged"
    );
    assert_eq!(json["target"]["track"], "software-engineering");
    app.delete(&format!("/api/v1/goal-actions/{action}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.delete(&format!("/api/v1/goal-actions/{action}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let plan = app
        .get(&format!("/api/v1/people/{}/goals", org.ola))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(plan["summary"]["done"], 1);
    assert_eq!(plan["can_edit"], true);
    // Every write was audited.
    let admin = app.token("api").await;
    let audit = app
        .get("/api/v1/audit?action=plan.")
        .bearer(&admin)
        .send()
        .await
        .body;
    for action in [
        "plan.create_goal",
        "plan.add_action",
        "plan.tick_action",
        "plan.add_note",
        "plan.update_goal",
        "plan.remove_action",
    ] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }
}

#[tokio::test]
async fn scim_tokens_and_people_outside_the_pilot_do_not_reach_plans() {
    let (app, org) = world().await;
    let scim = app.token("scim").await;
    app.get(&format!("/api/v1/people/{}/goals", org.ola))
        .bearer(&scim)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // A pilot that Ola's team is not in.
    sqlx::query("INSERT INTO grow_release (id, audience, updated_at) VALUES (1, 'pilot', 0)")
        .execute(app.state.db().pool())
        .await
        .expect("a pilot");
    let ola = sign_in_as(&app, OLA).await;
    let res = app
        .get(&format!("/people/{}/plan", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(res.body.contains("not open to your team yet"));
}

/// A goal added by mistake is deleted by its owner with its actions and notes; a 1:1 talking point
/// that linked it keeps its words; the manager cannot delete it; the audit log keeps the title.
#[tokio::test]
async fn the_owner_deletes_a_goal_with_its_actions_and_notes() {
    let (app, org) = world().await;
    let ola = sign_in_as(&app, OLA).await;
    let noor = sign_in_as(&app, NOOR).await;
    let goal = ola_goal(&app, &org, "Write the wrong goal").await;
    plans::add_action(
        &app.state,
        &actor(org.ola, OLA),
        goal,
        &ActionInput {
            title: "A step".into(),
            due_on: String::new(),
        },
    )
    .await
    .expect("an action");
    plans::add_note(&app.state, &actor(org.noor, NOOR), goal, "Looks good.")
        .await
        .expect("a comment");
    let noor_actor = actor(org.noor, NOOR);
    let series = trellis::growth::one_on_ones::start_series(
        &app.state,
        &noor_actor,
        org.ola,
        &Default::default(),
    )
    .await
    .expect("a series")
    .series;
    let meeting = trellis::growth::one_on_ones::series(&app.state, &noor_actor, series)
        .await
        .expect("the series")
        .current
        .id;
    let point = trellis::growth::one_on_ones::add_talking_point(
        &app.state,
        &actor(org.ola, OLA),
        meeting,
        &trellis::growth::one_on_ones::PointInput {
            body: "About the wrong goal".into(),
            goal: Some(goal),
            competency: String::new(),
        },
    )
    .await
    .expect("a linked point");
    let page = app
        .get(&format!("/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("action=\"/goals/{goal}/delete\""))
    );
    let manager_view = app
        .get(&format!("/goals/{goal}"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!manager_view.body.contains("/delete\""));
    app.delete(&format!("/api/v1/goals/{goal}"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let res = app
        .post(&format!("/goals/{goal}/delete"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), format!("/people/{}/plan", org.ola));
    app.get(&format!("/api/v1/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let db = app.state.db().pool();
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM goal_actions WHERE goal_id = $1) \
         + (SELECT COUNT(*) FROM goal_notes WHERE goal_id = $1)",
    )
    .bind(goal)
    .fetch_one(db)
    .await
    .expect("a count");
    assert_eq!(left, 0);
    let linked: (String, Option<i64>) =
        sqlx::query_as("SELECT body, goal_id FROM talking_points WHERE id = $1")
            .bind(point)
            .fetch_one(db)
            .await
            .expect("the talking point");
    assert_eq!(linked, ("About the wrong goal".to_owned(), None));
    let audited: String = sqlx::query_scalar(
        "SELECT summary FROM audit_events WHERE action = 'plan.delete_goal' AND object = $1",
    )
    .bind(format!("goal:{goal}"))
    .fetch_one(db)
    .await
    .expect("an audit event");
    assert!(audited.contains("Write the wrong goal"));
    app.delete(&format!("/api/v1/goals/{goal}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}
