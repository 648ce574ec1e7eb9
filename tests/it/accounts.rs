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
    assert!(res.body.contains("The email or the password is not right"));
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
    assert!(res.body.contains("The email or the password is not right"));
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
    assert_eq!(res.header("location"), "/home");
}

/// Values of `next` that must never be followed: other sites, however disguised, and text that
/// cannot go in a `Location` header.
const HOSTILE_NEXT: &[&str] = &[
    "//evil.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\n",
    "\t//evil.example",
    "/ /evil.example",
    "/\u{a0}/evil.example",
    "/\u{2028}/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0ALocation:%20https://evil.example",
    "/%252F%252Fevil.example",
    "/%25252F/evil.example",
    "/tracks?x=%0a",
    "/tracks\u{0}",
    "/tracks\u{7f}",
    "https://evil.example/",
    "http:/evil.example",
    "evil.example",
    "javascript:alert(1)",
    "/../..//evil.example",
    "///evil.example",
    "",
    " /tracks",
];

#[tokio::test]
async fn next_is_a_path_of_this_site_or_ignored() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    for hostile in HOSTILE_NEXT {
        let res = app
            .post("/login")
            .form(&[("email", ADMIN.0), ("password", ADMIN.1), ("next", hostile)])
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{hostile:?}: {}",
            res.body
        );
        assert_eq!(res.header("location"), "/home", "{hostile:?}");
        let res = app
            .get(&format!("/login?next={}", trellis::web::urlencode(hostile)))
            .session(&admin)
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{hostile:?}: {}",
            res.body
        );
        assert_eq!(res.header("location"), "/home", "{hostile:?}");
        let res = app
            .get(&format!("/login?next={}", trellis::web::urlencode(hostile)))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::OK, "{hostile:?}: {}", res.body);
        assert!(
            res.body.contains("name=\"next\" value=\"/home\""),
            "{hostile:?}"
        );
    }
    // A refused sign-in shows the form again, with a safe `next`.
    for hostile in &HOSTILE_NEXT[..3] {
        let res = app
            .post("/login")
            .form(&[
                ("email", ADMIN.0),
                ("password", "not the password"),
                ("next", hostile),
            ])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{hostile:?}");
        assert!(
            res.body.contains("name=\"next\" value=\"/home\""),
            "{hostile:?}"
        );
    }
    for (fine, location) in [
        ("/compare", "/compare"),
        ("/people?q=Ann%20Lee&page=2", "/people?q=Ann%20Lee&page=2"),
        ("/people?q=Zoë", "/people?q=Zo%C3%AB"),
        (
            "/tracks/software-engineering#se2",
            "/tracks/software-engineering#se2",
        ),
    ] {
        let res = app
            .post("/login")
            .form(&[("email", ADMIN.0), ("password", ADMIN.1), ("next", fine)])
            .send()
            .await
            .expect(StatusCode::SEE_OTHER);
        assert_eq!(res.header("location"), location, "{fine:?}");
    }
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
    // Signing out is recorded as signing in is, once: the second time there is no session to end.
    app.post("/logout")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let ended: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, object, summary FROM audit_events WHERE action = 'session.end'",
    )
    .fetch_all(app.state.db().pool())
    .await
    .expect("the audit log");
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(ADMIN.0)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the admin");
    assert_eq!(
        ended,
        [(
            ADMIN.0.to_owned(),
            format!("user:{admin_id}"),
            "Signed out".to_owned()
        )]
    );
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
    assert!(
        res.body.contains("Sign out"),
        "a signed-in person keeps the navigation"
    );
}

// Invitation and password reset links, password changes, lockout, deactivation and rate limits.

use std::time::Duration;

use trellis::auth::limits::{Rate, RateLimits};
use trellis::people::accounts::{self, Lockout};

use crate::helpers::{EMPLOYEE, Res, Session};

/// Adds an account without a password, as people added to the directory are.
async fn add_passwordless(app: &TestApp, email: &str, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, role, active, created_at) VALUES ($1, $2, 'employee', 1, 0) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .fetch_one(app.state.db().pool())
    .await
    .expect("insert an account")
}

/// Issues a link from the accounts page and returns its path, read from the page.
async fn issue(app: &TestApp, admin: &Session, email: &str, purpose: &str) -> String {
    let res = app
        .post("/admin/accounts/links")
        .session(admin)
        .form(&[("email", email), ("purpose", purpose)])
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.header("cache-control"), "no-store");
    link_path(&res)
}

fn link_path(res: &Res) -> String {
    let start = res
        .body
        .find("<code id=\"issued-link\">")
        .unwrap_or_else(|| panic!("no link on the page: {}", res.body))
        + "<code id=\"issued-link\">".len();
    let url = &res.body[start..];
    let url = &url[..url.find('<').expect("the end of the link")];
    let path = &url[url.find("/account/link/").expect("a link path")..];
    path.to_owned()
}

fn cookie_of(res: &Res) -> Session {
    Session(
        res.header("set-cookie")
            .split(';')
            .next()
            .filter(|c| c.starts_with("trellis_session=trs_"))
            .unwrap_or_else(|| panic!("no session cookie: {}", res.header("set-cookie")))
            .to_owned(),
    )
}

async fn signs_in(app: &TestApp, email: &str, password: &str) -> Res {
    app.post("/login")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
}

#[tokio::test]
async fn an_invitation_link_sets_the_first_password_and_signs_in() {
    let app = TestApp::demo().await;
    add_passwordless(&app, "new@demo.trellis.test", "Nova Newcomer").await;
    let admin = app.admin().await;
    let page = app
        .get("/admin/accounts")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("new@demo.trellis.test"));
    assert!(page.body.contains("Copy an invitation link"));

    let path = issue(&app, &admin, "new@demo.trellis.test", "invite").await;
    assert!(path.starts_with("/account/link/trl_"), "{path}");
    let form = app.get(&path).send().await.expect(StatusCode::OK);
    assert!(form.body.contains("Welcome to Trellis"));
    assert!(form.body.contains("Nova Newcomer"));

    let mismatch = app
        .post(&path)
        .form(&[
            ("password", "a brand new password"),
            ("confirm", "another one"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("id=\"confirm-error\""));
    assert!(!mismatch.body.contains("a brand new password"));

    let res = app
        .post(&path)
        .form(&[
            ("password", "a brand new password"),
            ("confirm", "a brand new password"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/home");
    let session = cookie_of(&res);
    app.get("/tracks")
        .session(&session)
        .send()
        .await
        .expect(StatusCode::OK);
    signs_in(&app, "new@demo.trellis.test", "a brand new password")
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_used_replaced_expired_or_unknown_link_is_refused() {
    let app = TestApp::demo().await;
    add_passwordless(&app, "new@demo.trellis.test", "Nova").await;
    let admin = app.admin().await;
    let replaced = issue(&app, &admin, "new@demo.trellis.test", "invite").await;
    let path = issue(&app, &admin, "new@demo.trellis.test", "invite").await;
    let res = app.get(&replaced).send().await.expect(StatusCode::GONE);
    assert!(res.body.contains("newer link replaced it"));

    let password = [
        ("password", "a brand new password"),
        ("confirm", "a brand new password"),
    ];
    app.post(&path)
        .form(&password)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let res = app.get(&path).send().await.expect(StatusCode::GONE);
    assert!(res.body.contains("used already"));
    let res = app
        .post(&path)
        .form(&password)
        .send()
        .await
        .expect(StatusCode::GONE);
    assert!(res.header("set-cookie").is_empty());

    let reset = issue(&app, &admin, EMPLOYEE.0, "reset").await;
    sqlx::query("UPDATE account_links SET expires_at = $1")
        .bind(trellis::db::now() - 1)
        .execute(app.state.db().pool())
        .await
        .expect("age the links");
    let res = app.get(&reset).send().await.expect(StatusCode::GONE);
    assert!(res.body.contains("has expired"));

    let res = app
        .get("/account/link/trl_nothing")
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(res.body.contains("There is no such link"));
}

#[tokio::test]
async fn links_match_whether_the_account_has_a_password() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/admin/accounts/links")
        .session(&admin)
        .form(&[("email", EMPLOYEE.0), ("purpose", "invite")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("issue a password reset link instead"));
    assert!(!res.body.contains("issued-link"));
}

#[tokio::test]
async fn a_reset_link_ends_the_other_sessions() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let old_session = app.employee().await;
    app.get("/tracks")
        .session(&old_session)
        .send()
        .await
        .expect(StatusCode::OK);
    let path = issue(&app, &admin, EMPLOYEE.0, "reset").await;
    let res = app
        .post(&path)
        .form(&[
            ("password", "my new employee password"),
            ("confirm", "my new employee password"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let new_session = cookie_of(&res);
    app.get("/tracks")
        .session(&old_session)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.get("/tracks")
        .session(&new_session)
        .send()
        .await
        .expect(StatusCode::OK);
    signs_in(&app, EMPLOYEE.0, EMPLOYEE.1)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    signs_in(&app, EMPLOYEE.0, "my new employee password")
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_keeps_the_form_on_error() {
    let app = TestApp::demo().await;
    let other = app.employee().await;
    let me = app.employee().await;
    let page = app
        .get("/account/password")
        .session(&me)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains(&format!("value=\"{}\"", EMPLOYEE.0)));

    let res = app
        .post("/account/password")
        .session(&me)
        .form(&[
            ("current", "not my password"),
            ("new", "a better password"),
            ("confirm", "a better password"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"current-error\""));
    assert!(res.body.contains("The current password is not right"));
    assert!(res.body.contains(&format!("value=\"{}\"", EMPLOYEE.0)));
    assert!(!res.body.contains("not my password") && !res.body.contains("a better password"));

    let res = app
        .post("/account/password")
        .session(&me)
        .form(&[
            ("current", EMPLOYEE.1),
            ("new", "short"),
            ("confirm", "short"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"new-error\""));

    let res = app
        .post("/account/password")
        .session(&me)
        .form(&[
            ("current", EMPLOYEE.1),
            ("new", "a better password"),
            ("confirm", "a better password"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/account/password?changed=1");
    let page = app
        .get("/account/password?changed=1")
        .session(&me)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Your password was changed"));
    app.get("/tracks")
        .session(&other)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    signs_in(&app, EMPLOYEE.0, "a better password")
        .await
        .expect(StatusCode::SEE_OTHER);
}

/// Signs in from a client address, as a reverse proxy in front of Trellis reports it.
async fn signs_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> Res {
    app.post("/login")
        .header("x-forwarded-for", address)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
}

#[tokio::test]
async fn failed_sign_ins_slow_down_the_guesser_without_locking_out_the_owner() {
    let app = TestApp::demo_with(|c| {
        c.limits = RateLimits {
            trust_forwarded_for: true,
            ..RateLimits::off()
        };
        c.lockout = Lockout {
            free_attempts: 2,
            max_delay_seconds: 2,
            address_free_attempts: 100,
            window_seconds: 3600,
        }
    })
    .await;
    let attacker = "203.0.113.9";
    let owner = "198.51.100.7";
    // The same answers for an account and for an email without one, so nothing is revealed.
    for email in [EMPLOYEE.0, "nobody@demo.trellis.test"] {
        for _ in 0..2 {
            let res = signs_in_from(&app, attacker, email, "a wrong password")
                .await
                .expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(res.body.contains("The email or the password is not right"));
        }
        for _ in 0..5 {
            let res = signs_in_from(&app, attacker, email, "a wrong password")
                .await
                .expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                res.body
                    .contains("Too many failed sign-ins from your address: wait"),
                "{}",
                res.body
            );
        }
    }
    // Even the right password waits, from the guesser's address.
    let res = signs_in_from(&app, attacker, EMPLOYEE.0, EMPLOYEE.1)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Too many failed sign-ins"));
    assert!(res.header("set-cookie").is_empty());
    // The owner, elsewhere, signs in meanwhile, even after a typo of their own.
    signs_in_from(&app, owner, EMPLOYEE.0, "a typo")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    signs_in_from(&app, owner, EMPLOYEE.0, EMPLOYEE.1)
        .await
        .expect(StatusCode::SEE_OTHER);

    let admin = app.admin().await;
    let page = app
        .get("/admin/accounts")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("sign-in slowed down from one address until")
    );
    let audit = trellis::audit::recent(app.state.db(), &trellis::auth::Actor::command_line(), 50)
        .await
        .expect("the audit log");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "session.slow" && e.summary.contains(attacker))
    );

    // The wait is short and over; the guesser's next failure waits again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    signs_in_from(&app, attacker, EMPLOYEE.0, EMPLOYEE.1)
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_trying_many_emails_is_slowed_down_too() {
    let app = TestApp::demo_with(|c| {
        c.limits = RateLimits {
            trust_forwarded_for: true,
            ..RateLimits::off()
        };
        c.lockout = Lockout {
            free_attempts: 3,
            max_delay_seconds: 60,
            address_free_attempts: 4,
            window_seconds: 3600,
        }
    })
    .await;
    let sprayer = "192.0.2.50";
    for i in 0..4 {
        let res = signs_in_from(
            &app,
            sprayer,
            &format!("person{i}@demo.trellis.test"),
            "Summer2026!",
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("not right"), "{i}: {}", res.body);
    }
    // The fifth failure from this address, each on an email never tried before, slows it down.
    let res = signs_in_from(&app, sprayer, "person9@demo.trellis.test", "Summer2026!")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Too many failed sign-ins from your address"),
        "{}",
        res.body
    );
    let res = signs_in_from(&app, sprayer, EMPLOYEE.0, "Summer2026!")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Too many failed sign-ins from your address"),
        "{}",
        res.body
    );
    // Nobody else is.
    signs_in_from(&app, "192.0.2.51", EMPLOYEE.0, EMPLOYEE.1)
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_deactivated_accounts_session_stops_working() {
    let app = TestApp::demo().await;
    let session = app.employee().await;
    app.get("/tracks")
        .session(&session)
        .send()
        .await
        .expect(StatusCode::OK);
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(EMPLOYEE.0)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the employee");
    // What deactivating does: the account and its sessions in one transaction, then this server's
    // memory of them.
    let mut tx = app.state.db().begin().await.expect("begin");
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("deactivate");
    let ended = accounts::end_sessions(&mut tx, id)
        .await
        .expect("end sessions");
    tx.commit().await.expect("commit");
    assert_eq!(ended, 1);
    app.state.actors().forget_user(id);
    app.get("/tracks")
        .session(&session)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    signs_in(&app, EMPLOYEE.0, EMPLOYEE.1)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn too_many_sign_in_attempts_get_429_with_retry_after() {
    let app = TestApp::demo_with(|c| {
        c.limits = RateLimits {
            sign_in: Some(Rate::new(2, Duration::from_secs(60))),
            ..RateLimits::off()
        }
    })
    .await;
    // Reading the form is not limited.
    for _ in 0..3 {
        app.get("/login").send().await.expect(StatusCode::OK);
    }
    signs_in(&app, ADMIN.0, "a wrong password")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    signs_in(&app, ADMIN.0, ADMIN.1)
        .await
        .expect(StatusCode::SEE_OTHER);
    let res = signs_in(&app, ADMIN.0, ADMIN.1)
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.header("retry-after").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(res.header("content-type").starts_with("text/html"));
    assert!(res.body.contains("too many attempts"));
    assert!(res.header("set-cookie").is_empty());
    let res = app
        .post("/account/link/trl_anything")
        .form(&[("password", "x"), ("confirm", "x")])
        .send()
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    assert!(!res.header("retry-after").is_empty());
}

#[tokio::test]
async fn api_clients_over_their_rate_get_a_429_problem() {
    let app = TestApp::demo_with(|c| {
        c.limits = RateLimits {
            api: Some(Rate::new(2, Duration::from_secs(30))),
            ..RateLimits::off()
        }
    })
    .await;
    let token = app.token("api").await;
    let other = app.token("api").await;
    // The first request draws from the address's bucket; once the token is known to be valid, it
    // has a bucket of its own.
    for _ in 0..3 {
        app.get("/api/v1/tracks")
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK);
    }
    let res = app
        .get("/api/v1/tracks")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.header("content-type"), "application/problem+json");
    assert_eq!(res.json()["status"], 429);
    assert!(!res.header("retry-after").is_empty());
    app.get("/api/v1/tracks")
        .bearer(&other)
        .send()
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn made_up_tokens_draw_from_their_addresss_bucket() {
    let app = TestApp::demo_with(|c| {
        c.limits = RateLimits {
            api: Some(Rate::new(3, Duration::from_secs(60))),
            scim: Some(Rate::new(3, Duration::from_secs(60))),
            trust_forwarded_for: true,
            ..RateLimits::off()
        }
    })
    .await;
    let attacker = "203.0.113.9";
    for (path, i) in [("/api/v1/tracks", 0), ("/scim/v2/Users", 1)] {
        for n in 0..3 {
            app.get(path)
                .header("x-forwarded-for", attacker)
                .bearer(&format!("tra_made_up_{i}_{n}"))
                .send()
                .await
                .expect(StatusCode::UNAUTHORIZED);
        }
        // A new made-up token gets no fresh bucket, and neither does sending none.
        let res = app
            .get(path)
            .header("x-forwarded-for", attacker)
            .bearer(&format!("tra_made_up_{i}_new"))
            .send()
            .await
            .expect(StatusCode::TOO_MANY_REQUESTS);
        assert!(!res.header("retry-after").is_empty());
        app.get(path)
            .header("x-forwarded-for", attacker)
            .send()
            .await
            .expect(StatusCode::TOO_MANY_REQUESTS);
    }
    // A valid token from elsewhere has a bucket of its own once it is known, and leaves its
    // address's bucket to others.
    let token = app.token("api").await;
    let client = "198.51.100.7";
    for _ in 0..4 {
        app.get("/api/v1/tracks")
            .header("x-forwarded-for", client)
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK);
    }
    app.get("/api/v1/tracks")
        .header("x-forwarded-for", client)
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    app.get("/api/v1/tracks")
        .header("x-forwarded-for", client)
        .bearer("tra_made_up_at_the_clients_address")
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forms_are_limited_per_account_with_a_page_that_says_when_to_retry() {
    let app = TestApp::demo_with(|c| {
        c.limits = RateLimits {
            forms: Some(Rate::new(3, Duration::from_secs(60))),
            ..RateLimits::off()
        }
    })
    .await;
    let employee = app.employee().await;
    let admin = app.admin().await;
    let change = |who: &Session| {
        app.post("/account/password")
            .session(who)
            .form(&[("current", "not it"), ("new", "x"), ("confirm", "y")])
            .send()
    };
    for _ in 0..3 {
        change(&employee)
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = change(&employee)
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.header("retry-after").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(res.header("content-type").starts_with("text/html"));
    assert!(res.body.contains("Too many changes"), "{}", res.body);
    // Reading is not limited, and another account has its own bucket.
    app.get("/account/password")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    change(&admin)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // Signing in is not a form of a signed-in account.
    app.employee().await;
}

#[tokio::test]
async fn the_default_limits_let_people_sign_in_again_and_again() {
    let app = TestApp::demo_with(|c| c.limits = RateLimits::default()).await;
    for _ in 0..10 {
        app.admin().await;
    }
}

#[tokio::test]
async fn an_employee_can_neither_see_accounts_nor_issue_links() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    app.get("/admin/accounts")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let res = app
        .post("/admin/accounts/links")
        .session(&employee)
        .form(&[("email", EMPLOYEE.0), ("purpose", "reset")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(!res.body.contains("/account/link/"));
}

/// A mail server that speaks just enough SMTP to take messages, and keeps each one's recipients
/// and text. Its URL is plain SMTP, without TLS.
async fn fake_smtp_server() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port for the mail server");
    let url = format!(
        "smtp://{}?tls=none",
        listener.local_addr().expect("the mail server's address")
    );
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let mut recipients = Vec::new();
                let _ = write.write_all(b"220 fake.test ESMTP\r\n").await;
                let mut line = String::new();
                while lines.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let command = line.trim_end().to_owned();
                    line.clear();
                    let verb = command.get(..4).unwrap_or(&command).to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake.test\r\n",
                        "RCPT" => {
                            recipients.push(command);
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            let _ = write.write_all(b"354 go on\r\n").await;
                            let mut text = String::new();
                            while !text.ends_with("\r\n.\r\n") {
                                if lines.read_line(&mut text).await.unwrap_or(0) == 0 {
                                    return;
                                }
                            }
                            if let Ok(mut all) = store.lock() {
                                all.push((std::mem::take(&mut recipients), text));
                            }
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, received)
}

#[tokio::test]
async fn with_smtp_configured_an_invitation_is_emailed_and_still_shown_once() {
    let (url, received) = fake_smtp_server().await;
    let app = TestApp::demo_with(|c| {
        c.smtp_url = Some(url);
        c.mail_from = Some("Trellis <trellis@demo.trellis.test>".into());
    })
    .await;
    add_passwordless(&app, "new@demo.trellis.test", "Nova Newcomer").await;
    let admin = app.admin().await;
    let res = app
        .post("/admin/accounts/links")
        .session(&admin)
        .form(&[("email", "new@demo.trellis.test"), ("purpose", "invite")])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        res.body.contains("Sent to new@demo.trellis.test."),
        "{}",
        res.body
    );
    let path = link_path(&res);

    let messages = received.lock().expect("the received messages").clone();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let (recipients, text) = &messages[0];
    assert_eq!(recipients, &["RCPT TO:<new@demo.trellis.test>"]);
    // Undo quoted-printable's soft line breaks, which long lines get.
    let text = text.replace("=\r\n", "").replace("=3D", "=");
    assert!(
        text.contains("To: \"Nova Newcomer\" <new@demo.trellis.test>"),
        "{text}"
    );
    assert!(
        text.contains("Subject: Your invitation to Trellis"),
        "{text}"
    );
    assert!(text.contains(&format!("http://127.0.0.1{path}")), "{text}");
    assert!(text.contains("The link works once"), "{text}");

    app.get(&path).send().await.expect(StatusCode::OK);
}

#[tokio::test]
async fn a_link_that_cannot_be_emailed_is_shown_with_the_reason() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port")
        .local_addr()
        .expect("its address");
    let app = TestApp::demo_with(|c| {
        c.smtp_url = Some(format!("smtp://{closed}?tls=none"));
        c.mail_from = Some("trellis@demo.trellis.test".into());
    })
    .await;
    let admin = app.admin().await;
    let res = app
        .post("/admin/accounts/links")
        .session(&admin)
        .form(&[("email", EMPLOYEE.0), ("purpose", "reset")])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        res.body.contains("The email could not be sent:"),
        "{}",
        res.body
    );
    assert!(res.body.contains("Copy the link instead."));
    let path = link_path(&res);
    app.get(&path).send().await.expect(StatusCode::OK);
}
