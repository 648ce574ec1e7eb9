//! How the product presents itself: the icon, the audit log's filters, token expiry dates and the
//! matrix marking where a person stands.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_icon_is_served_at_the_root_and_linked_from_every_page() {
    let app = TestApp::demo().await;
    let res = app.get("/favicon.ico").send().await.expect(StatusCode::OK);
    assert_eq!(res.header("content-type"), "image/x-icon");
    assert!(res.header("cache-control").contains("max-age="));
    let svg = app
        .get("/static/favicon.svg")
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    assert!(svg.body.starts_with("<svg"));
    let login = app.get("/login").send().await.expect(StatusCode::OK);
    assert!(
        login
            .body
            .contains("<link rel=\"icon\" href=\"/static/favicon.svg\"")
    );
    assert!(
        login
            .body
            .contains("<link rel=\"icon\" href=\"/favicon.ico\"")
    );
}

#[tokio::test]
async fn the_matrix_marks_the_readers_level_and_the_next_one() {
    let app = TestApp::demo().await;
    trellis::demo::seed_directory(&app.state, trellis::auth::password::Cost::Test)
        .await
        .expect("the demo's people");
    // The demo's employee is a Software Engineer I (se1); the next level is se2.
    let employee = app.employee().await;
    let body = app
        .get("/tracks/software-engineering")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    let here = body
        .find("<span class=\"here-tag\">You are here</span>")
        .unwrap_or_else(|| {
            panic!(
                "not marked: {}",
                &body[body.find("<thead>").unwrap_or(0)..][..1500]
            )
        });
    let next = body
        .find("<span class=\"next-tag\">Next</span>")
        .expect("next marked");
    let se1 = body.find("Software Engineer I<").expect("level I");
    let se2 = body.find("Software Engineer II<").expect("level II");
    assert!(
        here < se1 && se1 < next && next < se2,
        "the marks sit on their columns"
    );
    assert!(body.contains("<col class=\"col-here\">"));
    assert!(body.contains("class=\"level-head here\""));
    // The same matrix reads level by level, each level a section.
    assert!(body.contains("class=\"matrix-levels\""));
    assert!(body.contains("<section class=\"matrix-level here\">"));

    // Someone with no position on the track sees no marks, and the cached matrix keeps none.
    let admin = app.admin().await;
    let body = app
        .get("/tracks/software-engineering")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(!body.contains("You are here"));
    assert!(!body.contains("next-tag"));
}

#[tokio::test]
async fn the_audit_log_hides_sign_ins_on_request_on_every_page_and_in_the_download() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    // A few sign-ins and a change among them.
    app.employee().await;
    app.post("/admin/tokens")
        .session(&admin)
        .form(&[
            ("name", "Sync"),
            ("scope", "api"),
            ("owner", "organisation"),
        ])
        .send()
        .await
        .expect(StatusCode::CREATED);
    app.employee().await;

    let all = app
        .get("/admin/audit")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(all.body.contains("<td>Signed in</td>"));
    assert!(all.body.contains("Hide sign-ins"));
    let hidden = app
        .get("/admin/audit?hide_sign_ins=1")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!hidden.body.contains("<td>Signed in</td>"));
    assert!(hidden.body.contains("Created the organisation api token"));
    assert!(
        hidden
            .body
            .contains("name=\"hide_sign_ins\" value=\"1\" checked")
    );
    assert!(
        hidden
            .body
            .contains("href=\"/admin/audit.csv?hide_sign_ins=1\"")
    );
    // The kind of change is named in words.
    assert!(
        hidden
            .body
            .contains("API tokens <span class=\"key\">token.create</span>")
    );
    assert!(hidden.body.contains(">People and accounts</option>"));

    let csv = app
        .get("/admin/audit.csv?hide_sign_ins=1")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!csv.body.contains("session.create"));
    assert!(csv.body.contains("token.create"));

    // Keyset pages skip sign-ins too: walk the log one event at a time.
    let token = app.token("api").await;
    let mut cursor = String::new();
    let mut seen = 0;
    loop {
        let page = app
            .get(&format!(
                "/api/v1/audit?hide_sign_ins=true&per_page=3{cursor}"
            ))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        for item in page["items"].as_array().expect("a list of events") {
            assert_ne!(item["action"], "session.create");
            seen += 1;
        }
        match page["older"].as_i64() {
            Some(id) => cursor = format!("&before={id}"),
            None => break,
        }
        assert!(seen < 10_000);
    }
    assert!(seen >= 2, "the token events are there");

    // Several kinds at once, as the kind filter sends them.
    let people = app
        .get("/admin/audit?action=user.%2Cperson.%2Ctoken.")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(people.body.contains("token.create"));
    assert!(!people.body.contains("session.create"));
}

fn day(offset: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(offset))
        .format(&format)
        .expect("a date")
}

#[tokio::test]
async fn a_token_can_expire_and_is_refused_after_its_last_day() {
    let app = TestApp::demo().await;
    let admin_token = app.token("api").await;
    let tomorrow = day(1);

    // A day that has passed, or no day at all, is refused with a clear message.
    let past = app
        .post("/api/v1/tokens")
        .bearer(&admin_token)
        .json(&serde_json::json!({ "name": "Old", "scope": "api", "expires_on": day(-1) }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("has already passed"), "{}", past.body);
    app.post("/api/v1/tokens")
        .bearer(&admin_token)
        .json(&serde_json::json!({ "name": "Odd", "scope": "api", "expires_on": "soon" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);

    let created = app
        .post("/api/v1/tokens")
        .bearer(&admin_token)
        .json(&serde_json::json!({ "name": "Until tomorrow", "scope": "api", "expires_on": tomorrow }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let expires_at = created["expires_at"].as_i64().expect("an expiry");
    assert!(
        expires_at > trellis::db::now() + 86_400 - 1
            && expires_at <= trellis::db::now() + 2 * 86_400
    );
    let secret = created["secret"].as_str().expect("a secret").to_owned();
    let id = created["id"].as_i64().expect("an id");

    // The list says when each token expires, and that the others never do.
    let list = app
        .get("/api/v1/tokens")
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let mine = list
        .as_array()
        .expect("a list of tokens")
        .iter()
        .find(|t| t["id"] == id)
        .expect("the new token")
        .clone();
    assert_eq!(mine["expires_at"].as_i64(), Some(expires_at));
    assert!(
        list.as_array()
            .expect("a list of tokens")
            .iter()
            .any(|t| t["expires_at"].is_null())
    );

    let admin = app.admin().await;
    let page = app
        .get("/admin/tokens")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("Works until the end of {tomorrow} (UTC)")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Never expires"));
    assert!(page.body.contains("name=\"expires_on\" type=\"date\""));

    // The page refuses a passed day and keeps what was typed.
    let refused = app
        .post("/admin/tokens")
        .session(&admin)
        .form(&[
            ("name", "Late"),
            ("scope", "api"),
            ("owner", "organisation"),
            ("expires_on", &day(-3)),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("has already passed"));
    assert!(
        refused
            .body
            .contains("aria-describedby=\"token-expires-error\"")
    );

    // Once its time has passed, the token is refused (the clock is moved by moving the expiry).
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
        .bind(trellis::db::now() - 1)
        .bind(id)
        .execute(app.state.db().pool())
        .await
        .expect("the expiry moves");
    app.get("/api/v1/tokens")
        .bearer(&secret)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
    let page = app
        .get("/admin/tokens")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Expired"));
}
