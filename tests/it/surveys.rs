//! Pulse surveys: making them from the template and from scratch, answering them once, and results
//! that single nobody out. Many tests here are attacks on anonymity that must fail: subtracting
//! groups, isolating people with team × track combinations, complements, reading who answered.

use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use trellis::auth::{Actor, Role, Via};
use trellis::people::directory::{self, PersonInput, PositionInput};
use trellis::rollout::anonymity::Filter;
use trellis::rollout::surveys::{self, AnswerInput, QuestionInput, Start, SurveyInput};

use crate::helpers::{Organisation, Session, TestApp};

/// Someone added to the directory for a test, who can answer through the services.
struct Person {
    id: i64,
    email: String,
    actor: Actor,
}

/// Adds `n` people to a team, on a track, with no manager.
async fn add_people(
    app: &TestApp,
    prefix: &str,
    n: usize,
    team: &str,
    track: Option<(&str, &str)>,
) -> Vec<Person> {
    let operator = Actor::command_line();
    let mut added = Vec::new();
    for i in 0..n {
        let email = format!("{prefix}{i}@demo.trellis.test");
        let name = format!("{prefix} number {i}");
        let id = directory::save_person(
            app.state.db(),
            &operator,
            &PersonInput {
                email: email.clone(),
                name: name.clone(),
                team: team.into(),
                start_date: "2024-01-15".into(),
                ..PersonInput::default()
            },
        )
        .await
        .expect("a person");
        if let Some((track, level)) = track {
            directory::record_position(
                &app.state,
                &operator,
                id,
                &PositionInput {
                    track: track.into(),
                    level: level.into(),
                    effective_on: "2024-01-15".into(),
                    ..PositionInput::default()
                },
            )
            .await
            .expect("a position");
        }
        added.push(Person {
            id,
            actor: Actor {
                user_id: Some(id),
                label: email.clone(),
                name,
                role: Role::Employee,
                via: Via::Session,
            },
            email,
        });
    }
    added
}

async fn team_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM teams WHERE name = $1")
        .bind(name)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the team")
}

fn today() -> String {
    trellis::domain::Day::today().to_string()
}

fn in_days(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .expect("a date")
}

/// A pulse survey open today for everyone, with this threshold and comparison.
async fn open_pulse(app: &TestApp, threshold: i64, compare_by: &str) -> i64 {
    surveys::create(
        &app.state,
        &Actor::command_line(),
        Start::Pulse,
        &SurveyInput {
            opens_on: today(),
            closes_on: in_days(13),
            threshold: threshold.to_string(),
            compare_by: compare_by.into(),
            ..SurveyInput::default()
        },
        &[],
    )
    .await
    .expect("a survey")
}

/// Answers the pulse: every statement rated `rating`, and the open question with `text`.
async fn answer(app: &TestApp, who: &Actor, survey: i64, rating: u8, text: &str) {
    answer_result(app, who, survey, rating, text)
        .await
        .expect("answers recorded");
}

async fn answer_result(
    app: &TestApp,
    who: &Actor,
    survey: i64,
    rating: u8,
    text: &str,
) -> Result<(), trellis::error::AppError> {
    let questions = surveys::to_answer(app.state.db(), who, survey)
        .await?
        .questions;
    let answers = questions
        .iter()
        .map(|q| {
            let value = match q.kind {
                surveys::QuestionKind::Scale => rating.to_string(),
                surveys::QuestionKind::Text => text.to_owned(),
            };
            (q.id, value)
        })
        .collect();
    surveys::answer(app.state.db(), who, survey, &AnswerInput { answers }).await
}

async fn close(app: &TestApp, survey: i64) {
    surveys::close_now(app.state.db(), &Actor::command_line(), survey)
        .await
        .expect("closed");
}

/// Every key of a JSON document, at any depth.
fn keys(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

async fn audit_events(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(app.state.db().pool())
        .await
        .expect("a count")
}

async fn survey_json(app: &TestApp, token: &str, id: i64) -> serde_json::Value {
    app.get(&format!("/api/v1/surveys/{id}"))
        .bearer(token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

const NOT_ENOUGH: &str = "Not enough answers to show this group";
const REFUSED: &str = "This combination of filters is refused";

// ---- Making surveys ----

#[tokio::test]
async fn admins_create_a_survey_from_the_career_tracks_pulse() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let form = app
        .get("/admin/surveys/new")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        form.body
            .contains("I know what the career track for my role looks like.")
    );
    let created = app
        .post("/admin/surveys")
        .session(&admin)
        .form(&[
            ("template", surveys::PULSE_TEMPLATE),
            ("title", "Career tracks pulse, spring"),
            ("intro", ""),
            ("audience", "everyone"),
            ("opens_on", &in_days(1)),
            ("closes_on", &in_days(14)),
            ("threshold", "5"),
            ("compare_by", "team"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = created.header("location").to_owned();
    let page = app
        .get(&location)
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Career tracks pulse, spring"));
    assert!(page.body.contains("Scheduled"));
    for prompt in [
        "I can find my career track quickly",
        "My manager and I use my career track to plan how I develop.",
        "I understand what the next level of my track asks of me.",
        "feels fair",
        "What one change would make the career tracks more useful to you?",
    ] {
        assert!(page.body.contains(prompt), "the template asks: {prompt}");
    }
    let id = location.rsplit('/').next().expect("an id");
    let token = app.token("api").await;
    let json = app
        .get(&format!("/api/v1/surveys/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["questions"].as_array().map(Vec::len), Some(6));
    assert_eq!(json["threshold"], 5);
    assert_eq!(json["status"], "scheduled");
    assert_eq!(json["questions"][5]["kind"], "text");
}

#[tokio::test]
async fn admins_build_a_survey_from_scratch_and_its_questions_freeze_when_it_opens() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
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
    let id: i64 = created
        .header("location")
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("an id");
    for (kind, prompt) in [
        ("scale", "I talk about my track with my manager."),
        ("text", "What is missing?"),
        ("scale", "My track matches my work."),
    ] {
        app.post(&format!("/admin/surveys/{id}/questions"))
            .session(&admin)
            .form(&[("kind", kind), ("prompt", prompt)])
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
    }
    // An empty question is refused next to its field.
    let refused = app
        .post(&format!("/admin/surveys/{id}/questions"))
        .session(&admin)
        .form(&[("kind", "scale"), ("prompt", "  ")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Write the question"));
    let token = app.token("api").await;
    let json = survey_json(&app, &token, id).await;
    let ids: Vec<i64> = json["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|q| q["id"].as_i64())
        .collect();
    assert_eq!(ids.len(), 3);
    // Edit the second, move the third up, remove the first.
    app.post(&format!("/admin/survey-questions/{}", ids[1]))
        .session(&admin)
        .form(&[
            ("kind", "text"),
            ("prompt", "What is missing from your track?"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/admin/survey-questions/{}/move", ids[2]))
        .session(&admin)
        .form(&[("direction", "up")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/admin/survey-questions/{}/remove", ids[0]))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let json = survey_json(&app, &token, id).await;
    let prompts: Vec<&str> = json["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|q| q["prompt"].as_str())
        .collect();
    assert_eq!(
        prompts,
        [
            "My track matches my work.",
            "What is missing from your track?"
        ]
    );
    // Open it now: from then on, the questions are frozen.
    app.post(&format!("/admin/surveys/{id}/open"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(survey_json(&app, &token, id).await["status"], "open");
    let frozen = app
        .post(&format!("/admin/surveys/{id}/questions"))
        .session(&admin)
        .form(&[("kind", "scale"), ("prompt", "One more?")])
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert!(frozen.body.contains("can no longer change"));
    app.post(&format!("/admin/survey-questions/{}/remove", ids[1]))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    app.put(&format!("/api/v1/surveys/{id}/questions"))
        .bearer(&token)
        .json(&serde_json::json!([{ "kind": "scale", "prompt": "Sneaked in" }]))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    // The threshold cannot be lowered once open; the last day can move.
    let lowered = app
        .put(&format!("/api/v1/surveys/{id}"))
        .bearer(&token)
        .json(&serde_json::json!({
            "title": "Managers' pulse", "closes_on": in_days(9), "threshold": 3
        }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(lowered["errors"][0]["field"], "threshold");
    app.put(&format!("/api/v1/surveys/{id}"))
        .bearer(&token)
        .json(&serde_json::json!({ "title": "Managers' pulse", "closes_on": in_days(12) }))
        .send()
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_threshold_below_three_is_refused_with_the_reason() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let page = app
        .post("/admin/surveys")
        .session(&admin)
        .form(&[
            ("template", surveys::PULSE_TEMPLATE),
            ("title", "Too small"),
            ("audience", "everyone"),
            ("opens_on", &in_days(1)),
            ("closes_on", &in_days(14)),
            ("threshold", "2"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("The anonymity threshold cannot be below 3"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Too small\""),
        "the form keeps what was typed"
    );
    let token = app.token("api").await;
    let problem = app
        .post("/api/v1/surveys")
        .bearer(&token)
        .json(&serde_json::json!({ "threshold": 1 }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(problem["errors"][0]["field"], "threshold");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("cannot be below 3"))
    );
    // Three is allowed.
    app.post("/api/v1/surveys")
        .bearer(&token)
        .json(&serde_json::json!({ "threshold": 3 }))
        .send()
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(surveys::check_threshold(""), Ok(5));
}

#[tokio::test]
async fn only_admins_make_surveys() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    app.get("/admin/surveys")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post("/admin/surveys")
        .session(&employee)
        .form(&[("template", surveys::PULSE_TEMPLATE)])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let token = app.token_for(crate::helpers::EMPLOYEE.0).await;
    app.post("/api/v1/surveys")
        .bearer(&token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

// ---- Answering ----

#[tokio::test]
async fn employees_answer_from_their_surveys_page_once() {
    let app = TestApp::demo().await;
    let survey = open_pulse(&app, 5, "team").await;
    let employee = app.employee().await;
    let list = app
        .get("/surveys")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/surveys/{survey}\"")));
    let form = app
        .get(&format!("/surveys/{survey}"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(form.body.contains("Strongly agree"));
    let questions = surveys::to_answer(app.state.db(), &employee_actor(&app).await, survey)
        .await
        .expect("the survey")
        .questions;
    // A statement left unrated is refused next to it, keeping the other answers.
    let mut fields: Vec<(String, String)> = questions
        .iter()
        .skip(1)
        .map(|q| {
            let v = if q.kind == surveys::QuestionKind::Scale {
                "4"
            } else {
                "More examples, please"
            };
            (format!("q{}", q.id), v.to_owned())
        })
        .collect();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = app
        .post(&format!("/surveys/{survey}"))
        .session(&employee)
        .form(&pairs)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choose an answer from 1"));
    assert!(refused.body.contains("More examples, please"));
    fields.push((format!("q{}", questions[0].id), "5".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(&format!("/surveys/{survey}"))
        .session(&employee)
        .form(&pairs)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let thanks = app
        .get(&format!("/surveys/{survey}"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(thanks.body.contains("You have answered this survey"));
    assert!(
        !thanks.body.contains("More examples, please"),
        "answers are not shown back"
    );
    // A second answer is refused, by the page and by the API.
    app.post(&format!("/surveys/{survey}"))
        .session(&employee)
        .form(&pairs)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let token = app.token_for(crate::helpers::EMPLOYEE.0).await;
    let body: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(k, v)| {
            (
                k.trim_start_matches('q').to_owned(),
                serde_json::Value::from(v.as_str()),
            )
        })
        .collect();
    app.post(&format!("/api/v1/surveys/{survey}/responses"))
        .bearer(&token)
        .json(&serde_json::json!({ "answers": body }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    // It is no longer waiting for them.
    let list = app
        .get("/surveys")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!list.body.contains(&format!("href=\"/surveys/{survey}\"")));
    assert!(
        surveys::open_for(app.state.db(), &employee_actor(&app).await)
            .await
            .expect("open surveys")
            .is_empty()
    );
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1")
            .bind(survey)
            .fetch_one(app.state.db().pool())
            .await
            .expect("a count");
    assert_eq!(count, 1);
}

async fn employee_actor(app: &TestApp) -> Actor {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(crate::helpers::EMPLOYEE.0)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the employee");
    Actor {
        user_id: Some(id),
        label: crate::helpers::EMPLOYEE.0.into(),
        name: "Sam".into(),
        role: Role::Employee,
        via: Via::Session,
    }
}

#[tokio::test]
async fn people_answer_over_the_api_and_a_token_without_a_person_cannot() {
    let app = TestApp::demo().await;
    let survey = open_pulse(&app, 5, "team").await;
    let token = app.token_for(crate::helpers::EMPLOYEE.0).await;
    let open = app
        .get("/api/v1/surveys/open")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let questions = open[0]["questions"].as_array().expect("questions").clone();
    assert_eq!(open[0]["id"], survey);
    let mut answers = serde_json::Map::new();
    for q in &questions {
        let id = q["id"].as_i64().expect("an id").to_string();
        let value = if q["kind"] == "scale" {
            serde_json::json!(3)
        } else {
            serde_json::Value::Null
        };
        answers.insert(id, value);
    }
    let org = app.token("api").await;
    app.post(&format!("/api/v1/surveys/{survey}/responses"))
        .bearer(&org)
        .json(&serde_json::json!({ "answers": answers }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // A rating out of the scale is refused.
    let mut wrong = answers.clone();
    if let Some(first) = questions.first() {
        wrong.insert(first["id"].to_string(), serde_json::json!(9));
    }
    app.post(&format!("/api/v1/surveys/{survey}/responses"))
        .bearer(&token)
        .json(&serde_json::json!({ "answers": wrong }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.post(&format!("/api/v1/surveys/{survey}/responses"))
        .bearer(&token)
        .json(&serde_json::json!({ "answers": answers }))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let open = app
        .get("/api/v1/surveys/open")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(open, serde_json::json!([]));
}

#[tokio::test]
async fn people_outside_the_audience_neither_see_nor_answer_the_survey() {
    let app = TestApp::demo().await;
    let design = add_people(&app, "designer", 3, "Design", None).await;
    let sales = add_people(&app, "seller", 1, "Sales", None).await;
    let id = surveys::create(
        &app.state,
        &Actor::command_line(),
        Start::Pulse,
        &SurveyInput {
            audience: "teams".into(),
            teams: vec![team_id(&app, "Design").await.to_string()],
            opens_on: today(),
            closes_on: in_days(3),
            ..SurveyInput::default()
        },
        &[],
    )
    .await
    .expect("a survey");
    assert_eq!(
        surveys::open_for(app.state.db(), &design[0].actor)
            .await
            .expect("open")
            .len(),
        1
    );
    assert!(
        surveys::open_for(app.state.db(), &sales[0].actor)
            .await
            .expect("open")
            .is_empty()
    );
    let outsider = sign_in_as(&app, &sales[0].email).await;
    app.get(&format!("/surveys/{id}"))
        .session(&outsider)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(matches!(
        answer_result(&app, &sales[0].actor, id, 4, "").await,
        Err(trellis::error::AppError::NotFound(_))
    ));
    // A survey that has not opened yet is not there for anyone.
    let later = surveys::create(
        &app.state,
        &Actor::command_line(),
        Start::Pulse,
        &SurveyInput {
            opens_on: in_days(3),
            closes_on: in_days(10),
            ..SurveyInput::default()
        },
        &[],
    )
    .await
    .expect("a survey");
    let insider = sign_in_as(&app, &design[0].email).await;
    app.get(&format!("/surveys/{later}"))
        .session(&insider)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

// ---- Results and anonymity ----

#[tokio::test]
async fn results_wait_for_the_survey_to_close() {
    let app = TestApp::demo().await;
    let crowd = add_people(&app, "early", 6, "Platform", None).await;
    let survey = open_pulse(&app, 5, "team").await;
    for p in &crowd {
        answer(&app, &p.actor, survey, 4, "Nice").await;
    }
    let admin = app.admin().await;
    let page = app
        .get(&format!("/admin/surveys/{survey}/results"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("Results are shown once the survey has closed")
    );
    assert!(!page.body.contains("Nice"));
    let token = app.token("api").await;
    let json = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["shown"], false);
    assert_eq!(json["questions"], serde_json::json!([]));
    close(&app, survey).await;
    let json = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["shown"], true);
    assert_eq!(json["responses"], 6);
    assert_eq!(json["questions"][0]["mean"], 4.0);
    assert_eq!(
        json["questions"][0]["distribution"],
        serde_json::json!([0, 0, 0, 6, 0])
    );
    // Closed for good: nothing about it changes any more.
    app.put(&format!("/api/v1/surveys/{survey}"))
        .bearer(&token)
        .json(&serde_json::json!({ "title": "Renamed", "closes_on": in_days(20) }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert!(matches!(
        answer_result(&app, &employee_actor(&app).await, survey, 1, "").await,
        Err(trellis::error::AppError::Conflict(_))
    ));
}

#[tokio::test]
async fn results_and_free_text_are_hidden_below_the_threshold() {
    let app = TestApp::demo().await;
    let crowd = add_people(&app, "few", 4, "Platform", None).await;
    let survey = open_pulse(&app, 5, "team").await;
    for (i, p) in crowd.iter().enumerate() {
        answer(&app, &p.actor, survey, 2, &format!("secret remark {i}")).await;
    }
    close(&app, survey).await;
    let admin = app.admin().await;
    let page = app
        .get(&format!("/admin/surveys/{survey}/results"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains(NOT_ENOUGH), "{}", page.body);
    assert!(!page.body.contains("secret remark"));
    assert!(!page.body.contains("Mean <strong>"));
    let token = app.token("api").await;
    let res = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!res.body.contains("secret remark"));
    let json = res.json();
    assert_eq!(json["shown"], false);
    assert!(
        json["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(NOT_ENOUGH))
    );
    assert_eq!(json["responses"], serde_json::Value::Null);
    let trend = app
        .get("/api/v1/surveys/trend")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(trend[0]["mean"], serde_json::Value::Null);
    assert!(
        trend[0]["withheld"]
            .as_str()
            .is_some_and(|m| m.starts_with(NOT_ENOUGH))
    );
}

/// Team Platform: ten on Software Engineering, two on Product Management. Team Data: eight on
/// Software Engineering. Threshold 5, compared by team.
async fn two_teams(app: &TestApp) -> (i64, i64, i64) {
    let se = Some(("software-engineering", "se1"));
    let pm = Some(("product-management", "pm"));
    let platform_se = add_people(app, "platformse", 10, "Platform", se).await;
    let platform_pm = add_people(app, "platformpm", 2, "Platform", pm).await;
    let data_se = add_people(app, "datase", 8, "Data", se).await;
    let survey = open_pulse(app, 5, "team").await;
    for p in &platform_se {
        answer(app, &p.actor, survey, 4, "").await;
    }
    for (i, p) in platform_pm.iter().enumerate() {
        answer(
            app,
            &p.actor,
            survey,
            1,
            &format!("product person {i} speaking"),
        )
        .await;
    }
    for p in &data_se {
        answer(app, &p.actor, survey, 3, "").await;
    }
    close(app, survey).await;
    (
        survey,
        team_id(app, "Platform").await,
        team_id(app, "Data").await,
    )
}

#[tokio::test]
async fn a_team_and_track_combination_that_isolates_two_people_is_refused() {
    let app = TestApp::demo().await;
    let (survey, platform, _) = two_teams(&app).await;
    let token = app.token("api").await;
    let admin = app.admin().await;
    // The two product managers of Platform, directly: too few.
    let direct = app
        .get(&format!(
            "/api/v1/surveys/{survey}/results?team={platform}&track=product-management"
        ))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        direct.json()["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with(NOT_ENOUGH))
    );
    assert!(!direct.body.contains("product person"));
    let page = app
        .get(&format!(
            "/admin/surveys/{survey}/results?team={platform}&track=product-management"
        ))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(NOT_ENOUGH));
    assert!(!page.body.contains("product person"));
    // The product management track as a whole is those same two people.
    app.get(&format!(
        "/api/v1/surveys/{survey}/results?track=product-management"
    ))
    .bearer(&token)
    .send()
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn subtracting_two_allowed_looking_groups_is_refused() {
    let app = TestApp::demo().await;
    let (survey, platform, _) = two_teams(&app).await;
    let token = app.token("api").await;
    // Team Platform (twelve) is shown...
    let team = app
        .get(&format!("/api/v1/surveys/{survey}/results?team={platform}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(team["responses"], 12);
    // ...so Platform on Software Engineering (ten, above the threshold on its own) is refused:
    // Platform minus it would be the two product managers.
    let refused = app
        .get(&format!(
            "/api/v1/surveys/{survey}/results?team={platform}&track=software-engineering"
        ))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let detail = refused.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(detail.starts_with(REFUSED), "{detail}");
    // Software Engineering across teams (eighteen) is refused for the same reason: everyone minus
    // it is the two product managers.
    app.get(&format!(
        "/api/v1/surveys/{survey}/results?track=software-engineering"
    ))
    .bearer(&token)
    .send()
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // The breakdowns of the whole survey never list a group that could be subtracted either.
    let everyone = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(everyone["responses"], 20);
    for b in everyone["breakdowns"].as_array().expect("breakdowns") {
        for row in b["rows"].as_array().expect("rows") {
            let n = row["responses"].as_u64().expect("a count");
            assert!(n >= 5, "a breakdown row of {n}: {row}");
            assert!(20 - n == 0 || 20 - n >= 5, "its complement is {}", 20 - n);
        }
    }
    let tracks = everyone["breakdowns"]
        .as_array()
        .expect("breakdowns")
        .iter()
        .find(|b| b["by"] == "track");
    assert!(tracks.is_none(), "no track can be shown apart: {tracks:?}");
    // And every pair of groups the API shows differs by none or at least five responses.
    let mut shown: Vec<(String, u64)> = Vec::new();
    for team in [String::new(), format!("team={platform}")] {
        for track in ["", "track=software-engineering", "track=product-management"] {
            let query = [team.as_str(), track]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("&");
            let res = app
                .get(&format!("/api/v1/surveys/{survey}/results?{query}"))
                .bearer(&token)
                .send()
                .await;
            if res.status == StatusCode::OK {
                let n = res.json()["responses"].as_u64().expect("a count");
                shown.push((query.clone(), n));
            }
        }
    }
    for (a, na) in &shown {
        for (b, nb) in &shown {
            let d = na.abs_diff(*nb);
            assert!(d == 0 || d >= 5, "{a} and {b} differ by {d}");
        }
    }
}

#[tokio::test]
async fn the_complement_of_a_filter_cannot_single_people_out() {
    let app = TestApp::demo().await;
    let big = add_people(&app, "bigteam", 10, "Platform", None).await;
    let small = add_people(&app, "smallteam", 3, "Data", None).await;
    let survey = open_pulse(&app, 5, "team").await;
    for p in big.iter().chain(&small) {
        answer(&app, &p.actor, survey, 5, "").await;
    }
    close(&app, survey).await;
    let token = app.token("api").await;
    let platform = team_id(&app, "Platform").await;
    // Everyone (13) is shown; Platform alone (10) would give away Data (3) as the difference.
    app.get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let refused = app
        .get(&format!("/api/v1/surveys/{survey}/results?team={platform}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(REFUSED));
    // So is the pilot comparison when the pilot is only Data.
    trellis::rollout::pilot::set_audience(
        app.state.db(),
        &Actor::command_line(),
        "pilot",
        &[team_id(&app, "Data").await],
    )
    .await
    .expect("a pilot");
    let survey = open_pulse(&app, 5, "team").await;
    for p in big.iter().chain(&small) {
        answer(&app, &p.actor, survey, 2, "").await;
    }
    close(&app, survey).await;
    for pilot in ["true", "false"] {
        app.get(&format!("/api/v1/surveys/{survey}/results?pilot={pilot}"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn small_groups_are_combined_in_breakdowns_and_pilot_is_compared_with_the_rest() {
    let app = TestApp::demo().await;
    let a = add_people(&app, "alpha", 6, "Alpha", None).await;
    let b = add_people(&app, "beta", 7, "Beta", None).await;
    let c = add_people(&app, "gamma", 2, "Gamma", None).await;
    let d = add_people(&app, "delta", 3, "Delta", None).await;
    trellis::rollout::pilot::set_audience(
        app.state.db(),
        &Actor::command_line(),
        "pilot",
        &[team_id(&app, "Alpha").await],
    )
    .await
    .expect("a pilot");
    let survey = open_pulse(&app, 5, "team").await;
    for p in a.iter().chain(&b).chain(&c).chain(&d) {
        answer(&app, &p.actor, survey, 3, "").await;
    }
    close(&app, survey).await;
    let admin = app.admin().await;
    let page = app
        .get(&format!("/admin/surveys/{survey}/results"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("By team"));
    assert!(
        page.body.contains("Other teams, combined"),
        "Gamma and Delta together make five"
    );
    assert!(
        !page.body.contains(">Gamma</a>"),
        "Gamma is not listed on its own"
    );
    assert!(page.body.contains("Pilot teams"));
    let token = app.token("api").await;
    let pilot = app
        .get(&format!("/api/v1/surveys/{survey}/results?pilot=true"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(pilot["responses"], 6);
    let rest = app
        .get(&format!("/api/v1/surveys/{survey}/results?pilot=false"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(rest["responses"], 12);
}

#[tokio::test]
async fn free_text_is_shown_above_the_threshold_in_a_shuffled_but_stable_order() {
    let app = TestApp::demo().await;
    let crowd = add_people(&app, "writer", 12, "Platform", None).await;
    let survey = open_pulse(&app, 5, "team").await;
    let written: Vec<String> = (0..crowd.len())
        .map(|i| format!("remark number {i:02}"))
        .collect();
    for (p, text) in crowd.iter().zip(&written) {
        answer(&app, &p.actor, survey, 4, text).await;
    }
    close(&app, survey).await;
    let token = app.token("api").await;
    let texts = |json: &serde_json::Value| -> Vec<String> {
        json["questions"][5]["texts"]
            .as_array()
            .expect("texts")
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect()
    };
    let first = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let again = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let mut sorted = texts(&first);
    assert_eq!(
        texts(&first),
        texts(&again),
        "the same order on every request"
    );
    assert_ne!(texts(&first), written, "not the order people answered in");
    sorted.sort();
    assert_eq!(sorted, written, "every answer is there");
}

#[tokio::test]
async fn the_api_never_carries_who_answered_or_when() {
    let app = TestApp::demo().await;
    let crowd = add_people(
        &app,
        "quiet",
        7,
        "Platform",
        Some(("software-engineering", "se1")),
    )
    .await;
    let survey = open_pulse(&app, 5, "team").await;
    for p in &crowd {
        answer(&app, &p.actor, survey, 5, "All good").await;
    }
    close(&app, survey).await;
    let token = app.token("api").await;
    for path in [
        format!("/api/v1/surveys/{survey}/results"),
        format!("/api/v1/surveys/{survey}"),
        "/api/v1/surveys".to_owned(),
        "/api/v1/surveys/trend".to_owned(),
    ] {
        let res = app
            .get(&path)
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK);
        for p in &crowd {
            assert!(!res.body.contains(&p.email), "{path} names {}", p.email);
            assert!(
                !res.body.contains(&p.actor.name),
                "{path} names {}",
                p.actor.name
            );
        }
        let mut all = Vec::new();
        keys(&res.json(), &mut all);
        for k in &all {
            assert!(
                !matches!(
                    k.as_str(),
                    "user"
                        | "user_id"
                        | "users"
                        | "person"
                        | "people"
                        | "email"
                        | "author"
                        | "answered_by"
                        | "respondent"
                        | "respondents"
                        | "participants"
                        | "created_at"
                        | "answered_at"
                        | "at"
                        | "time"
                        | "timestamp"
                ),
                "{path} has the key `{k}`"
            );
        }
    }
}

#[tokio::test]
async fn an_admin_cannot_find_out_who_answered_what() {
    let app = TestApp::demo().await;
    let crowd = add_people(&app, "private", 6, "Platform", None).await;
    let survey = open_pulse(&app, 5, "team").await;
    let events_before = audit_events(&app).await;
    for p in &crowd {
        answer(&app, &p.actor, survey, 3, "my own words").await;
    }
    // Answering leaves nothing in the audit log: not who, not even that someone did.
    assert_eq!(audit_events(&app).await, events_before);
    let admin = app.admin().await;
    // While it is open, the survey's page says neither who nor how many have answered.
    let page = app
        .get(&format!("/admin/surveys/{survey}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!page.body.contains("6 people have answered"));
    assert!(page.body.contains("Shown once the survey has closed"));
    for p in &crowd {
        assert!(!page.body.contains(&p.email));
    }
    // No route lists participants or responses.
    for path in [
        format!("/admin/surveys/{survey}/responses"),
        format!("/admin/surveys/{survey}/participants"),
        format!("/api/v1/surveys/{survey}/participants"),
    ] {
        let res = app.get(&path).session(&admin).send().await;
        assert!(
            res.status == StatusCode::NOT_FOUND || res.status == StatusCode::METHOD_NOT_ALLOWED,
            "{path}: {}",
            res.status
        );
    }
    let token = app.token("api").await;
    let responses = app
        .get(&format!("/api/v1/surveys/{survey}/responses"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(responses.status, StatusCode::METHOD_NOT_ALLOWED);
    let audit = app
        .get(&format!("/api/v1/audit?object=survey:{survey}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    for p in &crowd {
        assert!(
            !audit.body.contains(&p.email),
            "the audit log names {}",
            p.email
        );
    }
    let by_them: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE actor_id IN ({})",
        crowd
            .iter()
            .map(|p| p.id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    ))
    .fetch_one(app.state.db().pool())
    .await
    .expect("a count");
    assert_eq!(by_them, 0, "no audit event by a respondent");
    // Once it has closed, the page says how many answered, and the results never who.
    close(&app, survey).await;
    let page = app
        .get(&format!("/admin/surveys/{survey}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("6 people have answered"));
    let results = app
        .get(&format!("/admin/surveys/{survey}/results"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    for p in &crowd {
        assert!(!results.body.contains(&p.email));
    }
}

#[tokio::test]
async fn response_rows_hold_no_user_id_and_their_ids_do_not_follow_the_order_of_answers() {
    let app = TestApp::demo().await;
    let crowd = add_people(
        &app,
        "row",
        16,
        "Platform",
        Some(("software-engineering", "se1")),
    )
    .await;
    let survey = open_pulse(&app, 5, "team").await;
    for (i, p) in crowd.iter().enumerate() {
        answer(&app, &p.actor, survey, 3, &format!("answer {i:02}")).await;
    }
    let db = app.state.db();
    let rows = sqlx::query("SELECT * FROM survey_responses WHERE survey_id = $1")
        .bind(survey)
        .fetch_all(db.pool())
        .await
        .expect("rows");
    use sqlx::{Column, Row};
    let mut columns: Vec<String> = rows[0]
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    columns.sort();
    assert_eq!(
        columns,
        [
            "answers",
            "id",
            "pilot",
            "survey_id",
            "team_id",
            "track_key"
        ],
        "a response holds its groups and answers, nothing that names or dates its author"
    );
    for r in &rows {
        let answers: String = r.try_get("answers").expect("answers");
        for p in &crowd {
            assert!(!answers.contains(&p.email));
        }
    }
    let participants = sqlx::query("SELECT * FROM survey_participants WHERE survey_id = $1")
        .bind(survey)
        .fetch_all(db.pool())
        .await
        .expect("rows");
    let mut columns: Vec<String> = participants[0]
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    columns.sort();
    assert_eq!(
        columns,
        ["id", "survey_id", "user_id"],
        "participation has no time and no link"
    );
    // The ids, taken in the order people answered, are not increasing.
    let mut by_answer: Vec<(String, i64)> = Vec::new();
    for r in &rows {
        let answers: String = r.try_get("answers").expect("answers");
        let id: i64 = r.try_get("id").expect("an id");
        by_answer.push((answers, id));
    }
    by_answer.sort();
    let ids: Vec<i64> = by_answer.iter().map(|(_, id)| *id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_ne!(
        ids, sorted,
        "response ids follow the order of answers: {ids:?}"
    );
    let participant_ids: Vec<i64> = crowd
        .iter()
        .map(|p| {
            participants
                .iter()
                .find(|r| r.try_get::<i64, _>("user_id").ok() == Some(p.id))
                .and_then(|r| r.try_get::<i64, _>("id").ok())
                .expect("a participation")
        })
        .collect();
    let mut sorted = participant_ids.clone();
    sorted.sort();
    assert_ne!(
        participant_ids, sorted,
        "participation ids follow the order of answers"
    );
}

// ---- Managers, and the pulse over time ----

#[tokio::test]
async fn managers_read_results_of_teams_wholly_below_them_and_nothing_else() {
    let app = TestApp::demo().await;
    let Organisation { .. } = app.organisation().await;
    // Mia manages a team of six in Design, through Noor.
    let design = add_people(&app, "designer", 6, "Design", None).await;
    for p in &design {
        sqlx::query("UPDATE users SET manager_id = (SELECT id FROM users WHERE email = 'noor@demo.trellis.test') WHERE id = $1")
            .bind(p.id)
            .execute(app.state.db().pool())
            .await
            .expect("a manager");
    }
    let survey = open_pulse(&app, 5, "team").await;
    for p in &design {
        answer(&app, &p.actor, survey, 5, "Design is happy").await;
    }
    close(&app, survey).await;
    let mia = sign_in_as(&app, "mia@demo.trellis.test").await;
    let design_team = team_id(&app, "Design").await;
    let platform = team_id(&app, "Platform").await;
    let page = app
        .get(&format!("/admin/surveys/{survey}/results"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body.contains("Design is happy"),
        "her first team is chosen for her"
    );
    assert!(
        !page.body.contains("Every team"),
        "no whole-survey view for a manager"
    );
    // Platform has Mia herself and Pat, outside her chain: not hers to read.
    app.get(&format!("/admin/surveys/{survey}/results?team={platform}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let list = app
        .get("/surveys")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("Results for your teams"));
    let token = app.token_for("mia@demo.trellis.test").await;
    app.get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let json = app
        .get(&format!(
            "/api/v1/surveys/{survey}/results?team={design_team}"
        ))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["responses"], 6);
    assert_eq!(json["survey"]["responses"], serde_json::Value::Null);
    let trend = app
        .get(&format!("/api/v1/surveys/trend?team={design_team}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(trend[0]["mean"], 5.0);
    // Someone without reports reads no results at all.
    let ola = sign_in_as(&app, "ola@demo.trellis.test").await;
    app.get(&format!(
        "/admin/surveys/{survey}/results?team={design_team}"
    ))
    .session(&ola)
    .send()
    .await
    .expect(StatusCode::FORBIDDEN);
    let employee = app.employee().await;
    app.get(&format!("/admin/surveys/{survey}/results"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_pulse_trend_follows_closed_surveys_under_the_same_rule() {
    let app = TestApp::demo().await;
    let crowd = add_people(
        &app,
        "trend",
        8,
        "Platform",
        Some(("software-engineering", "se1")),
    )
    .await;
    let first = open_pulse(&app, 5, "team").await;
    for p in &crowd {
        answer(&app, &p.actor, first, 2, "").await;
    }
    close(&app, first).await;
    let second = open_pulse(&app, 5, "team").await;
    for p in &crowd {
        answer(&app, &p.actor, second, 4, "").await;
    }
    let trend = surveys::pulse_trend(app.state.db(), &Actor::command_line(), &Filter::default())
        .await
        .expect("a trend");
    assert_eq!(trend.len(), 2);
    let closed = trend
        .iter()
        .find(|p| p.survey_id == first)
        .expect("the first");
    assert_eq!(closed.mean, Some(2.0));
    assert_eq!(closed.responses, Some(8));
    assert_eq!(closed.questions.len(), 5);
    let open = trend
        .iter()
        .find(|p| p.survey_id == second)
        .expect("the second");
    assert_eq!(open.mean, None, "an open survey shows nothing yet");
    assert!(open.withheld.is_some());
    close(&app, second).await;
    let platform = team_id(&app, "Platform").await;
    let trend = surveys::pulse_trend(
        app.state.db(),
        &Actor::command_line(),
        &Filter {
            team: Some(platform),
            ..Filter::default()
        },
    )
    .await
    .expect("a trend");
    let means: Vec<Option<f64>> = trend.iter().map(|p| p.mean).collect();
    assert_eq!(means, [Some(2.0), Some(4.0)]);
    let small = surveys::pulse_trend(
        app.state.db(),
        &Actor::command_line(),
        &Filter {
            track: Some("product-management".into()),
            ..Filter::default()
        },
    )
    .await
    .expect("a trend");
    assert!(
        small
            .iter()
            .all(|p| p.mean.is_none() && p.withheld.is_some())
    );
}

// ---- The access matrix's objects ----

/// The surveys the access matrix acts on: an open one whose only question is optional (so an
/// empty form is a valid answer), a closed one with enough answers for results, a scheduled one
/// to edit with its question, and throwaway ones to open, close and remove.
pub async fn access_objects(app: &TestApp, _org: &Organisation) -> Vec<(&'static str, i64)> {
    let operator = Actor::command_line();
    let make = |opens_on: String, questions: Vec<QuestionInput>| {
        let state = app.state.clone();
        let operator = operator.clone();
        async move {
            surveys::create(
                &state,
                &operator,
                Start::Blank,
                &SurveyInput {
                    title: "Access matrix survey".into(),
                    opens_on,
                    closes_on: in_days(20),
                    ..SurveyInput::default()
                },
                &questions,
            )
            .await
            .expect("a survey")
        }
    };
    let optional = || {
        vec![QuestionInput {
            kind: "text".into(),
            prompt: "Anything to add?".into(),
        }]
    };
    let open = make(today(), optional()).await;
    // The respondents are in the directory before the survey opens: only they are asked.
    let respondents = add_people(app, "accessrespondent", 5, "Respondents", None).await;
    let closed = open_pulse(app, 5, "team").await;
    for p in respondents {
        answer(app, &p.actor, closed, 4, "Fine").await;
    }
    close(app, closed).await;
    let scheduled = make(in_days(5), optional()).await;
    let question: i64 = sqlx::query_scalar("SELECT id FROM survey_questions WHERE survey_id = $1")
        .bind(scheduled)
        .fetch_one(app.state.db().pool())
        .await
        .expect("a question");
    let open_api = make(today(), optional()).await;
    let to_open = make(in_days(5), optional()).await;
    let to_open_api = make(in_days(5), optional()).await;
    let to_close = make(today(), optional()).await;
    let to_close_api = make(today(), optional()).await;
    let to_remove = make(in_days(5), optional()).await;
    let to_remove_api = make(in_days(5), optional()).await;
    let question_to_remove: i64 =
        sqlx::query_scalar("SELECT id FROM survey_questions WHERE survey_id = $1")
            .bind(to_remove)
            .fetch_one(app.state.db().pool())
            .await
            .expect("a question");
    vec![
        ("survey_open", open),
        ("survey_open_api", open_api),
        ("survey_to_open_api", to_open_api),
        ("survey_to_close_api", to_close_api),
        ("survey_to_remove_api", to_remove_api),
        ("survey_closed", closed),
        ("survey_scheduled", scheduled),
        ("survey_question", question),
        ("survey_to_open", to_open),
        ("survey_to_close", to_close),
        ("survey_to_remove", to_remove),
        ("survey_question_to_remove", question_to_remove),
    ]
}

// ---- Against someone who controls the directory ----

/// Everything an admin can read about a survey and its answers, page by page, as text.
async fn admin_views(app: &TestApp, admin: &Session, token: &str, survey: i64) -> Vec<String> {
    let mut views = Vec::new();
    for path in [
        "/admin/surveys".to_owned(),
        format!("/admin/surveys/{survey}"),
        format!("/admin/surveys/{survey}/results"),
        "/surveys".to_owned(),
    ] {
        let res = app.get(&path).session(admin).send().await;
        views.push(format!("{path} {} {}", res.status, res.body));
    }
    for path in [
        "/api/v1/surveys".to_owned(),
        format!("/api/v1/surveys/{survey}"),
        format!("/api/v1/surveys/{survey}/results"),
        "/api/v1/surveys/trend".to_owned(),
    ] {
        let res = app.get(&path).bearer(token).send().await;
        views.push(format!("{path} {} {}", res.status, res.body));
    }
    views
}

#[tokio::test]
async fn nobody_can_watch_answers_come_in_while_a_survey_is_open() {
    let app = TestApp::demo().await;
    let crowd = add_people(&app, "watched", 6, "Platform", None).await;
    let survey = open_pulse(&app, 5, "team").await;
    let admin = app.admin().await;
    let token = app.token("api").await;
    let before = admin_views(&app, &admin, &token, survey).await;
    answer(&app, &crowd[0].actor, survey, 4, "").await;
    let after = admin_views(&app, &admin, &token, survey).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a, "an answer changed what an admin reads");
    }
    let json = survey_json(&app, &token, survey).await;
    assert!(json["responses"].is_null(), "{json}");
    assert_eq!(json["asked"].as_i64().map(|n| n >= 6), Some(true), "{json}");
    // Removing an open survey does not tell the audit log how many had answered either.
    let other = open_pulse(&app, 5, "team").await;
    answer(&app, &crowd[1].actor, other, 2, "").await;
    surveys::remove(app.state.db(), &Actor::command_line(), other)
        .await
        .expect("removed");
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'survey.remove' AND object = $1",
    )
    .bind(format!("survey:{other}"))
    .fetch_one(app.state.db().pool())
    .await
    .expect("the removal");
    let detail: serde_json::Value = serde_json::from_str(&detail).expect("json");
    assert!(detail["responses"].is_null(), "{detail}");
    // Once closed, the count is shown.
    for p in &crowd[1..] {
        answer(&app, &p.actor, survey, 4, "").await;
    }
    close(&app, survey).await;
    let json = survey_json(&app, &token, survey).await;
    assert_eq!(json["responses"], 6, "{json}");
}

/// Changes a person's team, or their status, as the People team (or a directory sync) would.
async fn change_person(app: &TestApp, p: &Person, team: &str, status: &str) {
    let left_on = if status == "left" {
        today()
    } else {
        String::new()
    };
    directory::save_person(
        app.state.db(),
        &Actor::command_line(),
        &PersonInput {
            email: p.email.clone(),
            name: p.actor.name.clone(),
            team: team.into(),
            start_date: "2024-01-15".into(),
            status: status.into(),
            left_on,
            ..PersonInput::default()
        },
    )
    .await
    .expect("the person changed");
}

#[tokio::test]
async fn people_who_join_the_audience_after_it_opens_are_not_asked_and_count_in_no_group() {
    let app = TestApp::demo().await;
    let harbour = add_people(&app, "harbour", 3, "Harbour", None).await;
    let lighthouse = add_people(&app, "light", 4, "Lighthouse", None).await;
    let leaver = add_people(&app, "leaver", 1, "Harbour", None).await;
    change_person(&app, &leaver[0], "Harbour", "left").await;
    let survey = open_pulse(&app, 3, "team").await;
    // After it opened, someone who controls the directory fills Harbour with accounts of their
    // own, moves a Lighthouse person into it and brings back someone who had left.
    let fakes = add_people(&app, "fake", 2, "Harbour", None).await;
    change_person(&app, &lighthouse[0], "Harbour", "active").await;
    change_person(&app, &leaver[0], "Harbour", "active").await;
    for late in fakes.iter().chain(&leaver) {
        let open = surveys::open_for(app.state.db(), &late.actor)
            .await
            .expect("their surveys");
        assert!(
            open.iter().all(|s| s.id != survey),
            "{} is asked",
            late.email
        );
        let err = answer_result(&app, &late.actor, survey, 5, "")
            .await
            .expect_err("not asked");
        assert_eq!(err.status(), StatusCode::NOT_FOUND, "{}", late.email);
        let session = sign_in_as(&app, &late.email).await;
        app.get(&format!("/surveys/{survey}"))
            .session(&session)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    // The person moved in was asked as a member of Lighthouse, and counts there.
    let open = surveys::open_for(app.state.db(), &lighthouse[0].actor)
        .await
        .expect("their surveys");
    assert!(open.iter().any(|s| s.id == survey));
    for p in &harbour {
        answer(&app, &p.actor, survey, 1, "").await;
    }
    for p in &lighthouse {
        answer(&app, &p.actor, survey, 5, "").await;
    }
    close(&app, survey).await;
    let admin = Actor::command_line();
    let harbour_id = team_id(&app, "Harbour").await;
    let lighthouse_id = team_id(&app, "Lighthouse").await;
    let harbour_results = surveys::results(
        &app.state,
        &admin,
        survey,
        &Filter {
            team: Some(harbour_id),
            ..Filter::default()
        },
        1,
    )
    .await
    .expect("results");
    // Harbour's results are its three people asked, not the accounts added or moved in.
    assert!(harbour_results.shown, "{:?}", harbour_results.message);
    assert_eq!(harbour_results.responses, Some(3));
    assert_eq!(harbour_results.mean, Some(1.0));
    let lighthouse_results = surveys::results(
        &app.state,
        &admin,
        survey,
        &Filter {
            team: Some(lighthouse_id),
            ..Filter::default()
        },
        1,
    )
    .await
    .expect("results");
    assert!(lighthouse_results.shown, "{:?}", lighthouse_results.message);
    assert_eq!(lighthouse_results.responses, Some(4));
    assert_eq!(lighthouse_results.mean, Some(5.0));
}

#[tokio::test]
async fn the_results_say_how_many_accounts_were_created_or_given_a_link_while_it_was_open() {
    let app = TestApp::demo().await;
    let crowd = add_people(&app, "asked", 5, "Harbour", None).await;
    let survey = open_pulse(&app, 3, "team").await;
    add_people(&app, "added", 2, "Harbour", None).await;
    trellis::people::accounts::issue_link(
        app.state.db(),
        &Actor::command_line(),
        &crowd[0].email,
        trellis::people::accounts::LinkPurpose::Invite,
    )
    .await
    .expect("an invitation");
    for p in &crowd {
        answer(&app, &p.actor, survey, 4, "").await;
    }
    close(&app, survey).await;
    let admin = app.admin().await;
    let page = app
        .get(&format!("/admin/surveys/{survey}/results"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("2 accounts of the audience were created while the survey was open"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        "1 account of people asked was given an invitation or a password reset link by an admin \
         while the survey was open"
    ));
    let token = app.token("api").await;
    let json = app
        .get(&format!("/api/v1/surveys/{survey}/results"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(json["audience"]["created_while_open"], 2, "{json}");
    assert_eq!(json["audience"]["links_while_open"], 1, "{json}");
}

#[tokio::test]
async fn a_survey_opening_on_its_day_takes_its_audience_before_the_first_change_of_the_day() {
    let app = TestApp::demo().await;
    add_people(&app, "early", 3, "Harbour", None).await;
    let survey = surveys::create(
        &app.state,
        &Actor::command_line(),
        Start::Pulse,
        &SurveyInput {
            opens_on: in_days(1),
            closes_on: in_days(13),
            ..SurveyInput::default()
        },
        &[],
    )
    .await
    .expect("a survey");
    // The night passes: the survey's first day has come, and nobody has opened a page yet.
    sqlx::query("UPDATE surveys SET opens_on = $1 WHERE id = $2")
        .bind(today())
        .bind(survey)
        .execute(app.state.db().pool())
        .await
        .expect("a day later");
    // The first request of the day is a directory sync adding someone.
    let token = app.token("api").await;
    app.post("/api/v1/people")
        .bearer(&token)
        .json(&serde_json::json!({
            "email": "night@demo.trellis.test", "name": "Night Owl", "team": "Harbour",
            "start_date": "2024-01-15"
        }))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let night: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind("night@demo.trellis.test")
        .fetch_one(app.state.db().pool())
        .await
        .expect("the new person");
    let asked: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM survey_audience WHERE survey_id = $1")
            .bind(survey)
            .fetch_all(app.state.db().pool())
            .await
            .expect("the audience");
    assert!(!asked.is_empty(), "the audience was taken");
    assert!(
        !asked.contains(&night),
        "someone added after it opened is asked"
    );
}
