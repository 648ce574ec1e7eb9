//! Privacy against the People team's own powers: a token acts only for the account that created it
//! (or for no person), the audit log shows an event only to those who may see what it is about, and
//! colleagues read of each other only what the directory shows everyone.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN, EMPLOYEE, TestApp};
use crate::plans::{MIA, OLA, sign_in_as};

async fn user_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.state.db().pool())
        .await
        .expect("an account")
}

#[tokio::test]
async fn an_admin_cannot_make_a_token_that_acts_as_someone_else() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let admin = app.admin().await;
    // Naming another person is refused, and no token is made.
    let res = app
        .post("/api/v1/tokens")
        .session(&admin)
        .json(&json!({ "name": "as Noor", "scope": "api", "user": "noor@demo.trellis.test" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["errors"][0]["field"], "user", "{}", res.body);
    let tokens = app
        .get("/api/v1/tokens")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(tokens.as_array().map(Vec::len), Some(0), "{tokens}");

    // A personal token acts as its creator; an organisation token as nobody.
    let mine = app
        .post("/api/v1/tokens")
        .session(&admin)
        .json(&json!({ "name": "mine", "scope": "api", "personal": true }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json()["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    let me = app
        .get("/api/v1/me")
        .bearer(&mine)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(me.to_string().contains(ADMIN.0), "{me}");
    // A personal SCIM token is refused: an identity provider is not a person.
    app.post("/api/v1/tokens")
        .session(&admin)
        .json(&json!({ "name": "idp", "scope": "scim", "personal": true }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // An employee makes a personal token for themselves, not one for the organisation.
    let employee = app.employee().await;
    app.post("/api/v1/tokens")
        .session(&employee)
        .json(&json!({ "name": "org", "scope": "api" }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let theirs = app
        .post("/api/v1/tokens")
        .session(&employee)
        .json(&json!({ "name": "mine", "scope": "api", "personal": true }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let theirs_secret = theirs["secret"].as_str().expect("a secret");
    let me = app
        .get("/api/v1/me")
        .bearer(theirs_secret)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(me.to_string().contains(EMPLOYEE.0), "{me}");
    // ...and revokes it themselves.
    app.delete(&format!("/api/v1/tokens/{}", theirs["id"]))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);

    // A token that an admin made before to act as Noor stops working.
    let admin_id = user_id(&app, ADMIN.0).await;
    let legacy = trellis::auth::token::generate("tra_");
    sqlx::query(
        "INSERT INTO api_tokens (name, token_hash, scope, user_id, created_at, created_by) \
         VALUES ('as Noor', $1, 'api', $2, 0, $3)",
    )
    .bind(trellis::auth::token::digest(&legacy))
    .bind(org.noor)
    .bind(admin_id)
    .execute(app.state.db().pool())
    .await
    .expect("a token made to act as Noor");
    app.get("/api/v1/me")
        .bearer(&legacy)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[test]
fn the_command_line_makes_organisation_tokens_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trellis"))
        .env("TRELLIS_DATA_DIR", dir.path().join("data"))
        .env_remove("DATABASE_URL")
        .current_dir(dir.path())
        .args([
            "token",
            "create",
            "--name",
            "as someone",
            "--user",
            "noor@demo.trellis.test",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("acts for the organisation"), "{stderr}");
}

/// The audit events of a filter as the actor reads them in the API, the page and the CSV.
async fn audit_everywhere(
    app: &TestApp,
    who: &crate::helpers::Session,
    action: &str,
) -> [String; 3] {
    let api = app
        .get(&format!("/api/v1/audit?action={action}&per_page=500"))
        .session(who)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    let page = app
        .get(&format!("/admin/audit?action={action}"))
        .session(who)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    let csv = app
        .get(&format!("/admin/audit.csv?action={action}"))
        .session(who)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    [api, page, csv]
}

#[tokio::test]
async fn the_audit_log_hides_a_pending_nomination_from_the_admin_it_is_about() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let admin_id = user_id(&app, ADMIN.0).await;
    // Mia nominates the admin, who reports to her.
    sqlx::query("UPDATE users SET manager_id = $1 WHERE id = $2")
        .bind(org.mia)
        .bind(admin_id)
        .execute(app.state.db().pool())
        .await
        .expect("a manager for the admin");
    let nomination = crate::nominations::stored(&app, admin_id, org.mia, "se2", "pending").await;
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor, action, object, summary, detail) \
         VALUES (1, $1, $2, 'nomination.create', $3, 'Nominated SECRET-CASE for Senior Engineer', NULL)",
    )
    .bind(org.mia)
    .bind(MIA)
    .bind(format!("nomination:{nomination}"))
    .execute(app.state.db().pool())
    .await
    .expect("the nomination's event");
    let admin = app.admin().await;
    for body in audit_everywhere(&app, &admin, "nomination.").await {
        assert!(!body.contains("SECRET-CASE"), "{body}");
    }
    // Another admin sees it; so does an organisation token.
    app.create_user("people@demo.trellis.test", trellis::auth::Role::Admin)
        .await;
    let other = app
        .sign_in(("people@demo.trellis.test", "a long test password"))
        .await;
    for body in audit_everywhere(&app, &other, "nomination.").await {
        assert!(body.contains("SECRET-CASE"), "{body}");
    }
    let api = app.token("api").await;
    let seen = app
        .get("/api/v1/audit?action=nomination.")
        .bearer(&api)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(seen.contains("SECRET-CASE"));
    // Once approved, it is the admin's promotion: they see it.
    sqlx::query("UPDATE nominations SET status = 'approved' WHERE id = $1")
        .bind(nomination)
        .execute(app.state.db().pool())
        .await
        .expect("approve");
    for body in audit_everywhere(&app, &admin, "nomination.").await {
        assert!(body.contains("SECRET-CASE"), "{body}");
    }
}

#[tokio::test]
async fn the_audit_log_shows_a_private_note_event_to_its_author_alone() {
    let app = TestApp::demo().await;
    let admin_id = user_id(&app, ADMIN.0).await;
    let employee_id = user_id(&app, EMPLOYEE.0).await;
    for (who, email) in [(employee_id, EMPLOYEE.0), (admin_id, ADMIN.0)] {
        sqlx::query(
            "INSERT INTO audit_events (at, actor_id, actor, action, object, summary, detail) \
             VALUES (1, $1, $2, 'one_on_one.save_private_note', 'one_on_one:1', $3, NULL)",
        )
        .bind(who)
        .bind(email)
        .bind(format!("Saved their private note, by {email}"))
        .execute(app.state.db().pool())
        .await
        .expect("an event");
    }
    let admin = app.admin().await;
    for body in audit_everywhere(&app, &admin, "one_on_one.").await {
        assert!(body.contains(&format!("by {}", ADMIN.0)), "{body}");
        assert!(!body.contains(&format!("by {}", EMPLOYEE.0)), "{body}");
    }
    let api = app.token("api").await;
    let seen = app
        .get("/api/v1/audit?action=one_on_one.")
        .bearer(&api)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(!seen.contains("private note"), "{seen}");
}

#[tokio::test]
async fn colleagues_read_only_what_the_directory_shows_of_a_person() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    sqlx::query("UPDATE users SET employee_id = 'E-4711', left_on = NULL WHERE id = $1")
        .bind(org.ola)
        .execute(app.state.db().pool())
        .await
        .expect("an employee id");
    let path = format!("/api/v1/people/{}", org.ola);
    let employee = app.employee().await;
    let seen = app
        .get(&path)
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(seen["name"], "OLA");
    assert_eq!(seen["email"], OLA);
    assert_eq!(seen["team"], "Platform");
    assert_eq!(seen["manager_name"], "NOOR");
    for hidden in ["employee_id", "start_date", "left_on", "role"] {
        assert!(
            seen[hidden].is_null(),
            "{hidden} shown to a colleague: {seen}"
        );
    }
    let page = app
        .get(&format!("/people/{}", org.ola))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(!page.contains("2024-01-15") && !page.contains("E-4711"));
    // The person, their chain and admins see the rest.
    let ola = sign_in_as(&app, OLA).await;
    let mia = sign_in_as(&app, MIA).await;
    let admin = app.admin().await;
    for who in [&ola, &mia, &admin] {
        let seen = app
            .get(&path)
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(seen["start_date"], "2024-01-15", "{seen}");
        assert_eq!(seen["employee_id"], "E-4711", "{seen}");
        assert_eq!(seen["role"], "employee", "{seen}");
    }
}
