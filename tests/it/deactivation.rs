//! Deactivating someone ends their access at once on the server that made the change, by every way
//! a person can be marked as left: the directory page, the API, SCIM (PUT, PATCH, DELETE) and CSV
//! imports (the page and the API). Each test first uses the person's session and personal token, so
//! that the server remembers them (`auth::cache`), then deactivates them and tries both again.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{Session, TestApp};
use trellis::auth::Role;

const LEAVER: &str = "leaver@demo.trellis.test";
const SCIM: &str = "application/scim+json";

struct Leaver {
    id: i64,
    session: Session,
    token: String,
}

/// A person with a session and a personal token, both used once so the server remembers them.
async fn leaver(app: &TestApp) -> Leaver {
    app.create_user(LEAVER, Role::Employee).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(LEAVER)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the leaver's id");
    let session = app.sign_in((LEAVER, "a long test password")).await;
    let token = app.token_for(LEAVER).await;
    app.get("/people")
        .session(&session)
        .send()
        .await
        .expect(StatusCode::OK);
    app.get("/api/v1/me")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    Leaver { id, session, token }
}

/// The session now leads to the sign-in page and the token is refused, with no wait.
async fn assert_signed_out(app: &TestApp, leaver: &Leaver) {
    let page = app.get("/people").session(&leaver.session).send().await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        page.header("location").starts_with("/login"),
        "{:?}",
        page.headers
    );
    app.get("/api/v1/me")
        .bearer(&leaver.token)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn marking_someone_as_left_on_their_page_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let admin = app.admin().await;
    app.post(&format!("/people/{}", l.id))
        .session(&admin)
        .form(&[("name", "Lee Leaver"), ("status", "left")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_signed_out(&app, &l).await;
}

#[tokio::test]
async fn marking_someone_as_left_through_the_api_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let admin = app.token("api").await;
    let person = app
        .put(&format!("/api/v1/people/{}", l.id))
        .bearer(&admin)
        .json(&json!({"name": "Lee Leaver", "status": "left"}))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(person["status"], json!("left"), "{person}");
    assert_signed_out(&app, &l).await;
}

#[tokio::test]
async fn scim_put_with_active_false_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let scim = app.token("scim").await;
    let path = format!("/scim/v2/Users/{}", l.id);
    let mut user = app
        .get(&path)
        .bearer(&scim)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    user["active"] = json!(false);
    app.put(&path)
        .bearer(&scim)
        .text(SCIM, &user.to_string())
        .send()
        .await
        .expect(StatusCode::OK);
    assert_signed_out(&app, &l).await;
}

#[tokio::test]
async fn scim_patch_with_active_false_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let scim = app.token("scim").await;
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}],
    });
    app.patch(&format!("/scim/v2/Users/{}", l.id))
        .bearer(&scim)
        .text(SCIM, &patch.to_string())
        .send()
        .await
        .expect(StatusCode::OK);
    assert_signed_out(&app, &l).await;
}

#[tokio::test]
async fn scim_delete_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let scim = app.token("scim").await;
    app.delete(&format!("/scim/v2/Users/{}", l.id))
        .bearer(&scim)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_signed_out(&app, &l).await;
}

#[tokio::test]
async fn a_csv_import_through_the_api_that_marks_them_left_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let admin = app.token("api").await;
    app.post("/api/v1/people/import")
        .bearer(&admin)
        .text("text/csv", &format!("email,status\n{LEAVER},left\n"))
        .send()
        .await
        .expect(StatusCode::OK);
    assert_signed_out(&app, &l).await;
}

#[tokio::test]
async fn a_csv_import_on_its_page_that_marks_them_left_signs_them_out_at_once() {
    let app = TestApp::demo().await;
    let l = leaver(&app).await;
    let admin = app.admin().await;
    let csv = format!("email,status\n{LEAVER},left\n");
    let applied = app
        .post("/people/import")
        .session(&admin)
        .multipart(&[
            ("filename", None, "hris.csv"),
            ("content", None, &csv),
            ("step", None, "apply"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        applied.body.contains("hris.csv was imported"),
        "{}",
        applied.body
    );
    assert_signed_out(&app, &l).await;
}
