//! The JSON API: tokens, problem documents, and the OpenAPI description.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_api_needs_a_token_and_says_so_as_a_problem() {
    let app = TestApp::demo().await;
    let res = app
        .get("/api/v1/tracks")
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
    assert_eq!(res.header("content-type"), "application/problem+json");
    assert_eq!(res.header("www-authenticate"), "Bearer");
    let problem = res.json();
    assert_eq!(problem["status"], 401);
    assert_eq!(problem["type"], "about:blank");
    app.get("/api/v1/tracks")
        .bearer("tra_not-a-real-token")
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_reads_tracks_levels_and_the_library() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let tracks = app
        .get("/api/v1/tracks")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let se = tracks
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["key"] == "software-engineering"))
        .expect("the software engineering track");
    assert_eq!(se["kind"], "individual-contributor");
    assert_eq!(se["levels"][2]["title"], "Principal Engineer");
    let level = app
        .get("/api/v1/tracks/software-engineering/levels/se2")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(
        level["expectations"]["ownership"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    let library = app
        .get("/api/v1/competencies")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(
        library
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["key"] == "ownership"))
    );
    let me = app
        .get("/api/v1/me")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(me["label"], "token:test");
}

#[tokio::test]
async fn the_level_delta_is_available_as_json() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let delta = app
        .get("/api/v1/compare?from=software-engineering/se1&to=software-engineering/se2")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let ownership = delta["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["competency"] == "ownership"))
        .expect("an ownership row");
    assert_eq!(ownership["status"], "changed");
    assert!(
        !ownership["bullets"]["added"]
            .as_array()
            .expect("added")
            .is_empty()
    );
    let bad = app
        .get("/api/v1/compare?from=software-engineering&to=software-engineering/se2")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(bad["errors"][0]["field"], "from");
}

#[tokio::test]
async fn scim_tokens_cannot_use_the_framework_api() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    app.get("/api/v1/tracks")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_employee_token_reads_but_cannot_edit() {
    let app = TestApp::demo().await;
    let token = app.token_for("employee@demo.trellis.test").await;
    app.get("/api/v1/tracks/software-engineering")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let res = app
        .post("/api/v1/draft/edits")
        .bearer(&token)
        .json(&json!({ "op": "add_grade", "key": "g9", "name": "Grade 9" }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(res.json()["status"], 403);
}

#[tokio::test]
async fn client_mistakes_are_4xx_problems_never_500() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let cases = [
        ("POST", "/api/v1/draft/edits", Some("{not json")),
        (
            "POST",
            "/api/v1/draft/edits",
            Some(r#"{"op":"fly_to_the_moon"}"#),
        ),
        (
            "POST",
            "/api/v1/draft/edits",
            Some(r#"{"op":"add_grade","key":"Bad Key","name":"x"}"#),
        ),
        (
            "POST",
            "/api/v1/draft/edits",
            Some(r#"{"op":"remove_competency","key":"ownership"}"#),
        ),
        ("POST", "/api/v1/draft/publish", Some(r#"{"nope":1}"#)),
        ("POST", "/api/v1/draft/publish", Some("[]")),
        ("GET", "/api/v1/tracks/does-not-exist", None),
        (
            "GET",
            "/api/v1/tracks/software-engineering/levels/nope",
            None,
        ),
        ("GET", "/api/v1/framework?revision=banana", None),
        ("GET", "/api/v1/framework?revision=99", None),
        ("GET", "/api/v1/versions/diff?from=1", None),
        (
            "GET",
            "/api/v1/compare?from=x/y&to=software-engineering/se1",
            None,
        ),
        ("GET", "/api/v1/no-such-route", None),
        ("POST", "/api/v1/draft/import", Some("trellis: [")),
    ];
    for (method, path, body) in cases {
        let req = if method == "GET" {
            app.get(path)
        } else {
            app.post(path)
                .text("application/json", body.unwrap_or_default())
        };
        let res = req.bearer(&token).send().await;
        assert!(
            res.status.is_client_error(),
            "{method} {path} gave {}: {}",
            res.status,
            res.body
        );
        assert_eq!(
            res.header("content-type"),
            "application/problem+json",
            "{method} {path}"
        );
        let problem = res.json();
        assert_eq!(problem["status"], res.status.as_u16(), "{method} {path}");
        assert!(!problem["detail"].as_str().unwrap_or_default().is_empty());
    }
}

#[tokio::test]
async fn a_refused_edit_names_the_field() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let problem = app
        .post("/api/v1/draft/edits")
        .bearer(&token)
        .json(&json!({ "op": "add_track", "key": "software-engineering", "name": "Again", "kind": "management" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(problem["errors"][0]["field"], "key");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::empty().await;
    let doc = app
        .get("/api/openapi.json")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/tracks",
        "/api/v1/tracks/{track}",
        "/api/v1/tracks/{track}/levels/{level}",
        "/api/v1/compare",
        "/api/v1/versions",
        "/api/v1/versions/diff",
        "/api/v1/draft",
        "/api/v1/draft/edits",
        "/api/v1/draft/import",
        "/api/v1/draft/publish",
        "/api/v1/framework.yaml",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn the_interactive_docs_are_served_without_the_internet() {
    let app = TestApp::empty().await;
    let res = app.get("/api/docs/").send().await.expect(StatusCode::OK);
    assert!(
        res.body.contains("swagger"),
        "{}",
        &res.body[..res.body.len().min(300)]
    );
    let js = app
        .get("/api/docs/swagger-ui-bundle.js")
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        js.body.len() > 100_000,
        "the bundle is served from the binary"
    );
}

#[tokio::test]
async fn the_framework_file_schema_is_served() {
    let app = TestApp::empty().await;
    let res = app
        .get("/api/schema/framework-v1.json")
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.header("content-type"), "application/schema+json");
    assert!(res.json()["properties"]["tracks"].is_object());
}

#[tokio::test]
async fn audit_cursors_at_the_ends_of_the_number_range_read_a_page() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    for query in [
        "before=-9223372036854775808",
        "after=9223372036854775807",
        "before=-9223372036854775808&after=-9223372036854775808",
    ] {
        let page = app
            .get(&format!("/api/v1/audit?{query}"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert!(page["items"].is_array(), "{query}: {page}");
    }
}

#[tokio::test]
async fn a_json_list_where_an_object_goes_is_refused() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    for (method, path) in [
        ("POST", "/api/v1/surveys"),
        ("POST", "/api/v1/people"),
        ("POST", "/api/v1/draft/publish"),
    ] {
        let req = match method {
            "POST" => app.post(path),
            _ => app.put(path),
        };
        let res = req
            .bearer(&token)
            .text("application/json", " [null, null]")
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            res.body
        );
        assert_eq!(res.header("content-type"), "application/problem+json");
        assert!(res.body.contains("must be a JSON object"), "{}", res.body);
    }
    app.get("/api/v1/surveys")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    // Nothing was created by the refused requests.
    let surveys = app
        .get("/api/v1/surveys")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(surveys, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_at_the_same_time_all_land() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let roadmap = app
        .get("/api/v1/rollout/roadmap")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let existing: Vec<i64> = roadmap["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .flat_map(|s| s["items"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["id"].as_i64())
        .collect();
    assert!(existing.len() >= 8, "{roadmap}");
    // Each removal reads the item before it deletes it, while other requests add items: on SQLite
    // a transaction that read before another wrote could not write any more ("database is
    // locked", a 500).
    let path = "/api/v1/rollout/roadmap/stages/awareness/items";
    let body = |i: usize| serde_json::json!({ "title": format!("Item {i}") });
    let adds = (0..12).map(|i| {
        let body = body(i);
        let req = app.post(path).bearer(&token).json(&body);
        async move { req.send().await }
    });
    let removals = existing.iter().take(8).map(|id| {
        let req = app
            .delete(&format!("/api/v1/rollout/roadmap/items/{id}"))
            .bearer(&token);
        async move { req.send().await }
    });
    let (added, removed) = tokio::join!(
        futures_util::future::join_all(adds),
        futures_util::future::join_all(removals)
    );
    for res in added.iter().chain(&removed) {
        assert!(res.status.is_success(), "{}: {}", res.status, res.body);
    }
}
