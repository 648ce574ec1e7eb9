//! The people directory: who sees what, adding and changing people, and recording positions.

use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use trellis::auth::Actor;
use trellis::people::directory::{self, PersonInput};

use crate::helpers::TestApp;

async fn organisation(app: &TestApp) -> (i64, i64, i64, i64) {
    let o = app.organisation().await;
    (o.mia, o.noor, o.ola, o.pat)
}

#[tokio::test]
async fn everyone_reads_the_directory_but_positions_stay_private() {
    let app = TestApp::demo().await;
    let (_, _, ola, _) = organisation(&app).await;
    let employee = app.employee().await;
    let list = app
        .get("/people")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("OLA"));
    assert!(
        !list.body.contains("Software Engineer I"),
        "no positions in an employee's list"
    );
    let page = app
        .get(&format!("/people/{ola}"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("NOOR"), "the manager is public");
    assert!(
        !page.body.contains("id=\"timeline\""),
        "the position is private"
    );
    app.get("/people?position=software-engineering/se1")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_management_chain_and_the_person_see_the_position() {
    let app = TestApp::demo().await;
    let (_, noor, ola, pat) = organisation(&app).await;
    let mia = sign_in_as(&app, "mia@demo.trellis.test").await;
    let page = app
        .get(&format!("/people/{ola}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body.contains("id=\"timeline\""),
        "a skip-level manager sees it"
    );
    assert!(page.body.contains("Software Engineer I"));
    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let own = app
        .get(&format!("/people/{ola}"))
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(own.body.contains("id=\"timeline\""), "people see their own");
    let up = app
        .get(&format!("/people/{noor}"))
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!up.body.contains("id=\"timeline\""), "not their manager's");
    let peer = app
        .get(&format!("/people/{pat}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        !peer.body.contains("id=\"timeline\""),
        "not someone outside the chain"
    );
    let team = app
        .get("/people?mine=1")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(team.body.contains("NOOR") && team.body.contains("OLA"));
    assert!(!team.body.contains("PAT"));
    assert!(
        team.body.contains("Software Engineer II"),
        "positions of one's own chain are shown"
    );
}

#[tokio::test]
async fn recording_a_higher_level_is_a_promotion_in_the_timeline() {
    let app = TestApp::demo().await;
    let (_, _, ola, _) = organisation(&app).await;
    let admin = app.admin().await;
    app.post(&format!("/people/{ola}/positions"))
        .session(&admin)
        .form(&[
            ("position", "software-engineering/se2"),
            ("effective_on", "2025-06-01"),
            ("kind", ""),
            ("note", ""),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/people/{ola}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Promoted"), "{}", page.body);
    assert!(page.body.contains("since 2025-06-01"));
    let bad = app
        .post(&format!("/people/{ola}/positions"))
        .session(&admin)
        .form(&[
            ("position", "software-engineering/se9"),
            ("effective_on", "soon"),
            ("kind", ""),
            ("note", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("has no level “se9”"), "{}", bad.body);
    assert!(bad.body.contains("is not a date written YYYY-MM-DD"));
}

#[tokio::test]
async fn the_details_form_shows_the_current_manager_so_saving_keeps_them() {
    let app = TestApp::demo().await;
    let (_, _, ola, _) = organisation(&app).await;
    let admin = app.admin().await;
    let page = app
        .get(&format!("/people/{ola}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("value=\"noor@demo.trellis.test\""));
}

#[tokio::test]
async fn a_manager_loop_is_refused_with_the_input_kept() {
    let app = TestApp::demo().await;
    let (mia, _, _, _) = organisation(&app).await;
    let admin = app.admin().await;
    let res = app
        .post(&format!("/people/{mia}"))
        .session(&admin)
        .form(&[
            ("name", "Mia Renamed"),
            ("employee_id", ""),
            ("team", "Platform"),
            ("manager_email", "ola@demo.trellis.test"),
            ("start_date", "2024-01-15"),
            ("status", "active"),
            ("left_on", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("this would make a loop"), "{}", res.body);
    assert!(res.body.contains("value=\"Mia Renamed\""));
}

#[tokio::test]
async fn adding_a_person_twice_is_refused_and_employees_cannot_add() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let employee = app.employee().await;
    let form = [
        ("email", "new.person@demo.trellis.test"),
        ("name", "New Person"),
        ("employee_id", "E-100"),
        ("team", "Design"),
        ("manager_email", ""),
        ("start_date", "2026-02-01"),
        ("status", "active"),
    ];
    app.post("/people")
        .session(&admin)
        .form(&form)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let again = app
        .post("/people")
        .session(&admin)
        .form(&form)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("is in the directory already"));
    app.post("/people")
        .session(&employee)
        .form(&form)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/people/new")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/people/999999")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn marking_someone_as_left_ends_their_sessions() {
    let app = TestApp::demo().await;
    let (_, _, ola, _) = organisation(&app).await;
    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    app.get("/tracks")
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    let admin = app.admin().await;
    app.post(&format!("/people/{ola}"))
        .session(&admin)
        .form(&[
            ("name", "OLA"),
            ("employee_id", ""),
            ("team", "Platform"),
            ("manager_email", "noor@demo.trellis.test"),
            ("start_date", "2024-01-15"),
            ("status", "left"),
            ("left_on", "2026-03-31"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    // The session is gone from the database; this server's short-lived cache may still know it,
    // so ask the service directly.
    let still = trellis::people::accounts::actor_for_session(
        app.state.db(),
        ola_session.0.trim_start_matches("trellis_session="),
    )
    .await
    .expect("lookup");
    assert!(still.is_none());
    let left = app
        .get("/people?status=left")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(left.body.contains("OLA"));
}

#[tokio::test]
async fn the_directory_is_searchable_and_paginated() {
    let app = TestApp::demo().await;
    let operator = Actor::command_line();
    for i in 0..60 {
        directory::save_person(
            app.state.db(),
            &operator,
            &PersonInput {
                email: format!("person{i:02}@demo.trellis.test"),
                name: format!("Person {i:02}"),
                team: if i % 2 == 0 { "Even" } else { "Odd" }.into(),
                ..PersonInput::default()
            },
        )
        .await
        .expect("a person");
    }
    let admin = app.admin().await;
    let first = app
        .get("/people?q=person")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        first.body.contains("60 people, page 1 of 2"),
        "{}",
        first.body
    );
    assert!(first.body.contains("rel=\"next\""));
    let second = app
        .get("/people?q=person&page=2")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(second.body.contains("Person 59"));
    let odd = app
        .get("/people?team=odd")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(odd.body.contains("30 people"));
}

#[tokio::test]
async fn admins_change_roles_but_never_remove_the_last_admin() {
    let app = TestApp::demo().await;
    let (_, noor, _, _) = organisation(&app).await;
    let admin = app.admin().await;
    app.post(&format!("/people/{noor}/role"))
        .session(&admin)
        .form(&[("role", "admin")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let noor_session = sign_in_as(&app, "noor@demo.trellis.test").await;
    app.get("/draft")
        .session(&noor_session)
        .send()
        .await
        .expect(StatusCode::OK);
    app.post(&format!("/people/{noor}/role"))
        .session(&admin)
        .form(&[("role", "employee")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let demo_admin: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@demo.trellis.test'")
            .fetch_one(app.state.db().pool())
            .await
            .expect("the demo admin");
    let last = app
        .post(&format!("/people/{demo_admin}/role"))
        .session(&admin)
        .form(&[("role", "employee")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(last.body.contains("This is the last admin"));
    let employee = app.employee().await;
    app.post(&format!("/people/{noor}/role"))
        .session(&employee)
        .form(&[("role", "admin")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_demo_directory_imports_with_managers_and_positions() {
    let app = TestApp::demo().await;
    trellis::demo::seed_directory(&app.state, trellis::auth::password::Cost::Test)
        .await
        .expect("the demo's people file imports");
    let admin = app.admin().await;
    let list = app
        .get("/people")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("12 people"), "{}", list.body);
    let sam = app
        .get("/api/v1/people?q=employee%40demo")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(sam["people"][0]["manager_name"], "Iris Brook");
    assert_eq!(sam["people"][0]["position"]["level"], "se1");
}

mod api {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn the_api_follows_the_same_visibility_rules() {
        let app = TestApp::demo().await;
        let (_, _, ola, pat) = organisation(&app).await;
        let employee = app.token_for("employee@demo.trellis.test").await;
        let list = app
            .get("/api/v1/people?q=ola")
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(list["total"], 1);
        assert!(list["people"][0]["position"].is_null());
        assert_eq!(list["positions_shown"], false);
        let record = app
            .get(&format!("/api/v1/people/{ola}"))
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert!(record["private"].is_null());
        app.get(&format!("/api/v1/people/{pat}/positions"))
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        app.get("/api/v1/people/424242")
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        app.post("/api/v1/people")
            .bearer(&employee)
            .json(&json!({ "email": "x@demo.trellis.test" }))
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn admins_add_people_change_them_and_record_positions_over_the_api() {
        let app = TestApp::demo().await;
        let (mia, _, _, _) = organisation(&app).await;
        let token = app.token("api").await;
        let created = app
            .post("/api/v1/people")
            .bearer(&token)
            .json(&json!({ "email": "Quinn@Demo.Trellis.Test", "name": "Quinn", "manager_email": "mia@demo.trellis.test", "team": "Platform" }))
            .send()
            .await
            .expect(StatusCode::CREATED)
            .json();
        assert_eq!(created["email"], "quinn@demo.trellis.test");
        assert_eq!(created["manager_id"], mia);
        let id = created["id"].as_i64().expect("an id");
        let history = app
            .post(&format!("/api/v1/people/{id}/positions"))
            .bearer(&token)
            .json(&json!({ "track": "Software Engineering", "level": "Software Engineer II", "effective_on": "2026-01-05" }))
            .send()
            .await
            .expect(StatusCode::CREATED)
            .json();
        assert_eq!(history[0]["kind"], "hire");
        assert_eq!(history[0]["position"]["level"], "se2");
        let looped = app
            .put(&format!("/api/v1/people/{mia}"))
            .bearer(&token)
            .json(&json!({ "name": "Mia", "manager_email": "quinn@demo.trellis.test" }))
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .json();
        assert_eq!(looped["errors"][0]["field"], "manager_email");
        let bad = app
            .post("/api/v1/people")
            .bearer(&token)
            .json(&json!({ "email": "nope", "start_date": "tomorrow", "colour": "blue" }))
            .send()
            .await;
        assert!(bad.status.is_client_error(), "{}", bad.body);
        assert_eq!(bad.header("content-type"), "application/problem+json");
    }
}

/// Many requests creating the same person at once: one is created, the others are told it exists
/// (422 when they find it first, 409 when the database's unique index refuses them), none is a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn people_created_at_the_same_moment_clash_cleanly() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let mut conflicts = 0;
    for round in 0..8 {
        let email = format!("twin{round}@demo.trellis.test");
        let body = serde_json::json!({ "email": email, "name": "Twin", "employee_id": format!("T-{round}") });
        let requests =
            (0..10).map(|_| app.post("/api/v1/people").bearer(&token).json(&body).send());
        let answers = futures_util::future::join_all(requests).await;
        let mut created = 0;
        for res in &answers {
            match res.status {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    conflicts += 1;
                    assert_eq!(res.header("content-type"), "application/problem+json");
                    assert!(
                        res.json()["detail"]
                            .as_str()
                            .is_some_and(|d| d.contains("in use already")),
                        "{}",
                        res.body
                    );
                }
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert!(
                        res.body.contains("is in the directory already"),
                        "{}",
                        res.body
                    )
                }
                other => panic!("{email}: {other}: {}", res.body),
            }
        }
        assert_eq!(created, 1, "{email}");
    }
    eprintln!("{conflicts} request(s) lost the race at the database");
}

/// Constraints the database enforces answer 409 with what clashed, on either database, whichever
/// service ran into them.
#[tokio::test]
async fn constraint_violations_are_conflicts_not_server_errors() {
    use trellis::error::AppError;
    let app = TestApp::demo().await;
    let db = app.state.db();
    let duplicate = sqlx::query(
        "INSERT INTO users (email, name, name_key, role, active, created_at) VALUES ($1, 'X', 'x', 'employee', 1, 0)",
    )
    .bind(crate::helpers::ADMIN.0)
    .execute(db.pool())
    .await
    .expect_err("a unique violation");
    let error = AppError::from(duplicate);
    assert_eq!(error.status(), StatusCode::CONFLICT, "{error}");
    assert!(
        error
            .public_message()
            .contains("This email is in use already"),
        "{error}"
    );
    let dangling = sqlx::query(
        "INSERT INTO positions (user_id, track_key, level_key, effective_on, kind, recorded_at) \
         VALUES (999999, 'software-engineering', 'se1', '2024-01-01', 'hire', 0)",
    )
    .execute(db.pool())
    .await
    .expect_err("a foreign key violation");
    let error = AppError::from(dangling);
    assert_eq!(error.status(), StatusCode::CONFLICT, "{error}");
    assert!(
        error.public_message().contains("was removed or changed"),
        "{error}"
    );
    let broken = sqlx::query("SELECT * FROM no_such_table")
        .execute(db.pool())
        .await
        .expect_err("a mistake of ours");
    assert_eq!(
        AppError::from(broken).status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
