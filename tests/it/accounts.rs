//! Signing in and out, sessions, tokens, and cross-site request refusal.

use axum::http::StatusCode;

use crate::helpers::{ADMIN, TestApp};

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = TestApp::empty().await;
    let res = app.get("/healthz").send().await.expect(StatusCode::OK);
    assert_eq!(res.body, "ok");
}

#[tokio::test]
async fn visitors_are_sent_to_sign_in_and_back() {
    let app = TestApp::demo().await;
    let res = app
        .get("/tracks/software-engineering")
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        res.header("location"),
        "/login?next=/tracks/software-engineering"
    );
    let res = app.get("/login").send().await.expect(StatusCode::OK);
    assert!(res.body.contains("Sign in to Trellis"));
}

#[tokio::test]
async fn a_wrong_password_keeps_the_email_and_says_why() {
    let app = TestApp::demo().await;
    let res = app
        .post("/login")
        .form(&[("email", ADMIN.0), ("password", "not the password")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("the email or the password is not right"));
    assert!(res.body.contains(&format!("value=\"{}\"", ADMIN.0)));
    assert!(res.header("set-cookie").is_empty());
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password() {
    let app = TestApp::demo().await;
    let res = app
        .post("/login")
        .form(&[
            ("email", "nobody@demo.trellis.test"),
            ("password", "whatever it is"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("the email or the password is not right"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::demo().await;
    let res = app
        .post("/login")
        .form(&[
            ("email", ADMIN.0),
            ("password", ADMIN.1),
            ("next", "/compare"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/compare");
    let cookie = res.header("set-cookie");
    assert!(cookie.starts_with("trellis_session=trs_"), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn sign_in_never_redirects_to_another_site() {
    let app = TestApp::demo().await;
    let res = app
        .post("/login")
        .form(&[
            ("email", ADMIN.0),
            ("password", ADMIN.1),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/tracks");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.get("/tracks")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/logout")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.get("/tracks")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_forged_session_cookie_is_treated_as_signed_out() {
    let app = TestApp::demo().await;
    let forged = crate::helpers::Session("trellis_session=trs_0000".into());
    app.get("/tracks")
        .session(&forged)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/draft/publish")
        .session(&admin)
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("note", "sneaky")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let versions = app
        .get("/api/v1/versions")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(versions.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::demo().await;
    let res = app.get("/login").send().await.expect(StatusCode::OK);
    assert_eq!(res.header("x-content-type-options"), "nosniff");
    assert_eq!(res.header("x-frame-options"), "DENY");
    assert!(
        res.header("content-security-policy")
            .contains("default-src 'self'")
    );
    assert!(!res.header("x-request-id").is_empty());
}

#[tokio::test]
async fn unknown_pages_are_404_pages() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .get("/no/such/page")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(res.header("content-type").starts_with("text/html"));
}
