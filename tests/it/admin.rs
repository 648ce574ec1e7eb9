//! The admin pages and routes: API tokens (created, shown once, used, revoked) and the audit log
//! (browsed, filtered, paged, exported as CSV).

use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::Actor;
use trellis::people::accounts;

use crate::helpers::{ADMIN, EMPLOYEE, Session, TestApp};

/// The token secret a page or document shows, if any.
fn secret_in(text: &str) -> Option<String> {
    let at = text.find("tra_")?;
    text.get(at..at + 4 + 64).map(str::to_owned)
}

/// The id of the token with this name, from the API's list.
async fn token_id(app: &TestApp, admin: &Session, name: &str) -> i64 {
    let list = app
        .get("/api/v1/tokens")
        .session(admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    list.as_array()
        .and_then(|l| l.iter().find(|t| t["name"] == name))
        .and_then(|t| t["id"].as_i64())
        .unwrap_or_else(|| panic!("a token named {name} in {list}"))
}

#[tokio::test]
async fn a_token_made_in_the_browser_is_shown_once_works_and_stops_at_once_when_revoked() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/admin/tokens")
        .session(&admin)
        .form(&[("name", "HR sync"), ("scope", "api")])
        .send()
        .await
        .expect(StatusCode::CREATED);
    assert!(res.body.contains("will not be shown again"));
    assert!(res.body.contains("data-copy=\"#new-token-secret\""));
    assert_eq!(res.header("cache-control"), "no-store");
    let secret = secret_in(&res.body).expect("the secret on the page");

    let list = app
        .get("/admin/tokens")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("HR sync"));
    assert!(
        !list.body.contains(&secret),
        "the secret is shown only once"
    );
    assert!(secret_in(&list.body).is_none());

    let me = app
        .get("/api/v1/me")
        .bearer(&secret)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(me["label"], "token:HR sync");
    let id = token_id(&app, &admin, "HR sync").await;
    let listed = app
        .get("/api/v1/tokens")
        .session(&admin)
        .send()
        .await
        .json();
    assert!(listed[0]["last_used_at"].is_i64(), "{listed}");

    let res = app
        .post(&format!("/admin/tokens/{id}/revoke"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/admin/tokens");
    // The look-up above is remembered; revoking forgets it, so the next request is refused.
    app.get("/api/v1/me")
        .bearer(&secret)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
    let page = app.get("/admin/tokens").session(&admin).send().await;
    assert!(page.body.contains("Revoked"));

    // Revoking again changes nothing and records nothing.
    app.post(&format!("/admin/tokens/{id}/revoke"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let log = app
        .get("/api/v1/audit?action=token.revoke")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["actor"], ADMIN.0);
    assert_eq!(items[0]["object"], format!("token:{id}"));
    assert_eq!(items[0]["detail"]["before"]["revoked_at"], json!(null));
    assert!(items[0]["detail"]["after"]["revoked_at"].is_i64());
}

#[tokio::test]
async fn a_refused_token_form_comes_back_with_the_message_and_what_was_typed() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/admin/tokens")
        .session(&admin)
        .form(&[("name", "  "), ("scope", "api")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("A token needs a name"));
    assert!(res.body.contains("aria-invalid=\"true\""));
    let res = app
        .post("/admin/tokens")
        .session(&admin)
        .form(&[("name", "Kept <b>name</b>"), ("scope", "root")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("The scope must be one of api, scim"));
    assert!(
        res.body.contains("Kept &#60;b&#62;name&#60;/b&#62;"),
        "{}",
        res.body
    );
    assert!(secret_in(&res.body).is_none());
}

#[tokio::test]
async fn tokens_made_and_revoked_over_the_api_are_listed_without_secrets_or_hashes() {
    let app = TestApp::demo().await;
    let admin_token = app.token_for(ADMIN.0).await;
    let created = app
        .post("/api/v1/tokens")
        .bearer(&admin_token)
        .json(&json!({ "name": "Provisioning", "scope": "scim" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let secret = created["secret"].as_str().expect("a secret").to_owned();
    assert!(secret.starts_with("tra_"));
    assert_eq!(created["scope"], "scim");
    let id = created["id"].as_i64().expect("an id");

    let res = app
        .get("/api/v1/tokens")
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::OK);
    for hidden in [
        secret.clone(),
        trellis::auth::token::digest(&secret),
        admin_token.clone(),
        trellis::auth::token::digest(&admin_token),
    ] {
        assert!(!res.body.contains(&hidden), "the list shows {hidden}");
    }
    let list = res.json();
    let mut keys: Vec<&String> = list[0].as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "expires_at",
            "id",
            "last_used_at",
            "name",
            "owner",
            "revoked_at",
            "scope"
        ]
    );
    assert_eq!(list[0]["owner"], "organisation");
    assert_eq!(list[1]["owner"], ADMIN.0);
    let page = app
        .get("/admin/tokens")
        .session(&app.admin().await)
        .send()
        .await;
    assert!(
        !page.body.contains(&secret) && !page.body.contains(&trellis::auth::token::digest(&secret))
    );

    app.delete(&format!("/api/v1/tokens/{id}"))
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.delete(&format!("/api/v1/tokens/{id}"))
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let res = app
        .delete("/api/v1/tokens/999999")
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    assert_eq!(res.json()["status"], 404);
    let list = app
        .get("/api/v1/tokens")
        .bearer(&admin_token)
        .send()
        .await
        .json();
    assert!(list[0]["revoked_at"].is_i64());
    app.get("/api/v1/me")
        .bearer(&secret)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_revoked_over_the_api_stops_working_even_right_after_use() {
    let app = TestApp::demo().await;
    let admin_token = app.token_for(ADMIN.0).await;
    let doomed = app.token("api").await;
    app.get("/api/v1/tracks")
        .bearer(&doomed)
        .send()
        .await
        .expect(StatusCode::OK);
    let id = app
        .get("/api/v1/tokens")
        .bearer(&admin_token)
        .send()
        .await
        .json()
        .as_array()
        .and_then(|l| l.iter().find(|t| t["name"] == "test").cloned())
        .and_then(|t| t["id"].as_i64())
        .expect("the token's id");
    app.delete(&format!("/api/v1/tokens/{id}"))
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get("/api/v1/tracks")
        .bearer(&doomed)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn employees_and_scim_tokens_are_refused_every_admin_page_and_route() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    for path in [
        "/admin/tokens",
        "/admin/audit",
        "/admin/audit.csv?action=token.",
    ] {
        app.get(path)
            .session(&employee)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    app.post("/admin/tokens")
        .session(&employee)
        .form(&[("name", "mine"), ("scope", "api")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post("/admin/tokens/1/revoke")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let tracks = app.get("/tracks").session(&employee).send().await;
    assert!(!tracks.body.contains("href=\"/admin\""));
    let tracks = app.get("/tracks").session(&app.admin().await).send().await;
    assert!(tracks.body.contains("href=\"/admin\""));

    let employee_token = app.token_for(EMPLOYEE.0).await;
    let scim = app.token("scim").await;
    for token in [&employee_token, &scim] {
        for (method, path) in [
            ("GET", "/api/v1/tokens"),
            ("POST", "/api/v1/tokens"),
            // The organisation's SCIM token: not theirs to revoke.
            ("DELETE", "/api/v1/tokens/2"),
            ("GET", "/api/v1/audit"),
        ] {
            let req = match method {
                "GET" => app.get(path),
                "POST" => app
                    .post(path)
                    .json(&json!({ "name": "mine", "scope": "api" })),
                _ => app.delete(path),
            };
            let res = req.bearer(token).send().await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                res.body
            );
            assert_eq!(res.json()["status"], 403);
        }
    }
    // Nothing was revoked on the way.
    let list = accounts::list_api_tokens(app.state.db(), &Actor::command_line())
        .await
        .expect("the tokens");
    assert!(list.iter().all(|t| t.revoked_at.is_none()));
}

#[tokio::test]
async fn the_audit_page_shows_a_framework_edit_with_its_actor_and_filters_by_action_and_actor() {
    let app = TestApp::demo().await;
    let admin_token = app.token_for(ADMIN.0).await;
    app.post("/api/v1/draft/edits")
        .bearer(&admin_token)
        .json(&json!({ "op": "add_grade", "key": "g9", "name": "Grade <9>" }))
        .send()
        .await
        .expect(StatusCode::OK);
    app.employee().await;
    let admin = app.admin().await;

    let all = app
        .get("/admin/audit")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(all.body.contains("framework.edit"));
    assert!(all.body.contains("session.create"));
    assert!(
        all.body.contains("<pre class=\"detail\">"),
        "the detail is shown"
    );
    assert!(!all.body.contains("Grade <9>"), "user text is escaped");
    assert!(all.body.contains("Grade &#60;9&#62;"));

    let framework = app
        .get("/admin/audit?action=framework.&actor=&from=&to=")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(framework.body.contains("framework.edit"));
    assert!(framework.body.contains(ADMIN.0));
    assert!(!framework.body.contains("session.create"));
    assert!(framework.body.contains("value=\"framework.\" selected"));
    assert!(
        framework
            .body
            .contains("href=\"/admin/audit.csv?action=framework.\"")
    );

    let by_employee = app
        .get("/admin/audit?actor=EMPLOYEE%40demo")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(by_employee.body.contains("session.create"));
    assert!(!by_employee.body.contains("framework.edit"));
    assert!(!by_employee.body.contains(&format!("<td>{}</td>", ADMIN.0)));

    let api = app
        .get("/api/v1/audit?action=framework.edit")
        .bearer(&admin_token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(api["items"][0]["actor"], ADMIN.0);
    assert_eq!(api["items"][0]["object"], "framework:draft");
    assert!(api["items"][0]["detail"].is_object(), "{api}");

    let today = time::OffsetDateTime::now_utc().date().to_string();
    let dated = app
        .get(&format!(
            "/api/v1/audit?action=framework.edit&from={today}&to={today}"
        ))
        .bearer(&admin_token)
        .send()
        .await
        .json();
    assert_eq!(dated["items"].as_array().map(Vec::len), Some(1));
    let old = app
        .get("/api/v1/audit?to=2001-01-01")
        .bearer(&admin_token)
        .send()
        .await
        .json();
    assert_eq!(old["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn dates_that_are_not_dates_are_refused_next_to_their_field() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .get("/admin/audit?from=yesterday&to=2025-01-01")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("“yesterday” is not a date"));
    assert!(res.body.contains("id=\"f-from-error\""));
    let res = app
        .get("/api/v1/audit?from=2025-02-01&to=2025-01-01")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["errors"][0]["field"], "to");
    app.get("/admin/audit.csv?to=soon")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_csv_export_has_a_header_and_only_the_matching_rows_escaped() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    for name in ["Sync, \"nightly\"", "=HYPERLINK(\"x\")", "plain"] {
        app.post("/admin/tokens")
            .session(&admin)
            .form(&[("name", name), ("scope", "api")])
            .send()
            .await
            .expect(StatusCode::CREATED);
    }
    let res = app
        .get("/admin/audit.csv?action=token.")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        res.header("content-disposition")
            .starts_with("attachment; filename=\"audit-log-")
    );
    let mut lines = res.body.lines();
    assert_eq!(
        lines.next(),
        Some("id,time,actor,action,object,summary,detail")
    );
    let mut reader = csv::Reader::from_reader(res.body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), 3, "{}", res.body);
    assert!(
        rows.iter()
            .all(|r| &r[3] == "token.create" && &r[2] == ADMIN.0)
    );
    // Newest first; commas and quotes survive a round trip, formulas are defused.
    assert_eq!(&rows[0][5], "Created the organisation api token “plain”");
    assert_eq!(
        &rows[1][5],
        "Created the organisation api token “=HYPERLINK(\"x\")”"
    );
    assert_eq!(
        &rows[2][5],
        "Created the organisation api token “Sync, \"nightly\"”"
    );
    assert!(
        res.body
            .contains("\"Created the organisation api token “Sync, \"\"nightly\"\"”\"")
    );
    assert!(rows[0][1].ends_with('Z'), "times are UTC: {}", &rows[0][1]);
    let detail: serde_json::Value = serde_json::from_str(&rows[2][6]).expect("JSON detail");
    assert_eq!(detail["after"]["name"], "Sync, \"nightly\"");

    let session_rows = app
        .get("/admin/audit.csv?action=session.&actor=admin")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!session_rows.body.contains("token.create"));
    assert_eq!(
        session_rows.body.lines().count(),
        2,
        "{}",
        session_rows.body
    );
}

#[tokio::test]
async fn the_log_pages_newest_first_and_back_again() {
    let app = TestApp::demo().await;
    for n in 0..7 {
        accounts::create_api_token(
            app.state.db(),
            &Actor::command_line(),
            &format!("bulk {n}"),
            "api",
            accounts::TokenOwner::Organisation,
        )
        .await
        .expect("a token");
    }
    let admin_token = app.token_for(ADMIN.0).await;
    let page = |query: String| {
        let app = &app;
        let token = admin_token.clone();
        async move {
            app.get(&format!("/api/v1/audit?action=token.&per_page=3{query}"))
                .bearer(&token)
                .send()
                .await
                .expect(StatusCode::OK)
                .json()
        }
    };
    let ids = |p: &serde_json::Value| -> Vec<i64> {
        p["items"]
            .as_array()
            .map(|l| l.iter().filter_map(|e| e["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    // Eight token events: seven bulk ones and the admin's own token.
    let first = page(String::new()).await;
    assert!(first["newer"].is_null());
    let mut seen = ids(&first);
    let mut cursor = first["older"].as_i64().expect("an older page");
    let mut pages = vec![first];
    loop {
        let next = page(format!("&before={cursor}")).await;
        assert!(next["newer"].is_i64(), "{next}");
        seen.extend(ids(&next));
        let older = next["older"].as_i64();
        pages.push(next);
        match older {
            Some(c) => cursor = c,
            None => break,
        }
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen.len(), 8);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );
    // Back from the last page to the middle one.
    let newer = pages[2]["newer"].as_i64().expect("a newer page");
    let back = page(format!("&after={newer}")).await;
    assert_eq!(ids(&back), ids(&pages[1]));
    assert_eq!(back["older"], pages[1]["older"]);
    assert_eq!(back["newer"], pages[1]["newer"]);
}

#[tokio::test]
async fn the_audit_page_links_to_older_and_newer_events_keeping_the_filters() {
    let app = TestApp::demo().await;
    for n in 0..55 {
        accounts::create_api_token(
            app.state.db(),
            &Actor::command_line(),
            &format!("bulk {n}"),
            "api",
            accounts::TokenOwner::Organisation,
        )
        .await
        .expect("a token");
    }
    let admin = app.admin().await;
    let first = app
        .get("/admin/audit?action=token.")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(first.body.contains("“bulk 54”"));
    assert!(!first.body.contains("“bulk 4”"));
    assert!(!first.body.contains("rel=\"prev\""));
    let older = href_of(&first.body, "rel=\"next\"").expect("an older link");
    assert!(
        older.starts_with("/admin/audit?action=token.&#38;before="),
        "{older}"
    );
    let second = app
        .get(&older.replace("&#38;", "&"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(second.body.contains("“bulk 4”"));
    assert!(!second.body.contains("“bulk 54”"));
    assert!(!second.body.contains("rel=\"next\""));
    let newer = href_of(&second.body, "rel=\"prev\"").expect("a newer link");
    let back = app
        .get(&newer.replace("&#38;", "&"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(back.body.contains("“bulk 54”"));
    assert!(!back.body.contains("rel=\"prev\""));
}

/// The `href` of the link with this attribute.
fn href_of(html: &str, attribute: &str) -> Option<String> {
    let end = html.find(attribute)?;
    let start = html[..end].rfind("href=\"")? + 6;
    let close = html[start..].find('"')? + start;
    Some(html[start..close].to_owned())
}
