//! Deeply nested input sent through the routes: each is refused with a clear 4xx (a problem body on
//! the API, a SCIM error on SCIM) instead of exhausting the stack. The tests run on the test
//! thread's 2 MiB stack, the size of a server's worker thread, so an unbounded recursion in a
//! parser would abort this run.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Res, TestApp};

const SCIM: &str = "application/scim+json";

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[track_caller]
fn scim_error(res: &Res, status: StatusCode, scim_type: &str) {
    assert_eq!(
        res.status,
        status,
        "{}",
        &res.body[..res.body.len().min(500)]
    );
    assert!(
        res.header("content-type").starts_with(SCIM),
        "{:?}",
        res.headers
    );
    let body = res.json();
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(body["status"], json!(status.as_u16().to_string()));
    assert_eq!(body["scimType"], json!(scim_type), "{}", res.body);
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        !detail.is_empty() && detail.len() < 1_000,
        "a short detail: {detail}"
    );
}

fn parentheses(depth: usize) -> String {
    format!(
        "{}userName eq \"a@x.test\"{}",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

fn nots(depth: usize) -> String {
    format!(
        "{}userName eq \"a@x.test\"{}",
        "not (".repeat(depth),
        ")".repeat(depth)
    )
}

#[tokio::test]
async fn a_scim_filter_nested_ten_thousand_deep_is_an_invalid_filter() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    // A URL holds less than 64 KiB: 2,000 levels there, 10,000 in a search body.
    for (filter, short) in [
        (parentheses(10_000), parentheses(2_000)),
        (nots(10_000), nots(2_000)),
    ] {
        let res = app
            .get(&format!("/scim/v2/Users?filter={}", encode(&short)))
            .bearer(&token)
            .send()
            .await;
        scim_error(&res, StatusCode::BAD_REQUEST, "invalidFilter");
        assert!(
            res.json()["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("nest more than 32")
        );
        let res = app
            .post("/scim/v2/Users/.search")
            .bearer(&token)
            .text(
                SCIM,
                &json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                    "filter": filter,
                })
                .to_string(),
            )
            .send()
            .await;
        scim_error(&res, StatusCode::BAD_REQUEST, "invalidFilter");
        let res = app
            .get(&format!(
                "/scim/v2/Groups?filter={}",
                encode(&short.replace("userName", "displayName"))
            ))
            .bearer(&token)
            .send()
            .await;
        scim_error(&res, StatusCode::BAD_REQUEST, "invalidFilter");
    }
    // Brackets nest too: `emails[value[value[…]]]`.
    let brackets = format!(
        "{}value eq \"x\"{}",
        "emails[".repeat(2_000),
        "]".repeat(2_000)
    );
    let res = app
        .get(&format!("/scim/v2/Users?filter={}", encode(&brackets)))
        .bearer(&token)
        .send()
        .await;
    scim_error(&res, StatusCode::BAD_REQUEST, "invalidFilter");
}

#[tokio::test]
async fn a_scim_filter_of_ten_thousand_comparisons_is_an_invalid_filter() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let chain = vec!["userName eq \"a@x.test\""; 10_000].join(" or ");
    let res = app
        .post("/scim/v2/Users/.search")
        .bearer(&token)
        .text(SCIM, &json!({ "filter": chain }).to_string())
        .send()
        .await;
    scim_error(&res, StatusCode::BAD_REQUEST, "invalidFilter");
    assert!(
        res.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("more than 200 comparisons")
    );
    // At the limits a filter still works.
    let within = format!(
        "{}userName eq \"employee@demo.trellis.test\"{}",
        "(".repeat(32),
        ")".repeat(32)
    );
    let res = app
        .get(&format!("/scim/v2/Users?filter={}", encode(&within)))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.json()["totalResults"], json!(1));
    let chain = vec!["userName eq \"employee@demo.trellis.test\""; 200].join(" or ");
    let res = app
        .post("/scim/v2/Users/.search")
        .bearer(&token)
        .text(SCIM, &json!({ "filter": chain }).to_string())
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.json()["totalResults"], json!(1));
}

#[tokio::test]
async fn a_scim_patch_path_nested_ten_thousand_deep_is_an_invalid_path() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let list = app
        .get("/scim/v2/Users?filter=userName%20eq%20%22employee%40demo.trellis.test%22")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let id = list.json()["Resources"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    for inner in [parentheses(10_000), nots(10_000)] {
        let inner = inner.replace("userName", "value");
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "path": format!("emails[{inner}].value"), "value": "x@x.test" }],
        });
        let res = app
            .patch(&format!("/scim/v2/Users/{id}"))
            .bearer(&token)
            .text(SCIM, &body.to_string())
            .send()
            .await;
        scim_error(&res, StatusCode::BAD_REQUEST, "invalidPath");
    }
}

/// JSON nested 100,000 deep.
fn deep_json() -> String {
    format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))
}

#[tokio::test]
async fn json_bodies_nested_too_deep_are_refused() {
    let app = TestApp::demo().await;
    let scim = app.token("scim").await;
    let res = app
        .post("/scim/v2/Users")
        .bearer(&scim)
        .text(SCIM, &format!("{{\"schemas\": {}}}", deep_json()))
        .send()
        .await;
    scim_error(&res, StatusCode::BAD_REQUEST, "invalidSyntax");
    let api = app.token("api").await;
    let res = app
        .post("/api/v1/draft/edits")
        .bearer(&api)
        .text("application/json", &deep_json())
        .send()
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    assert!(
        res.header("content-type")
            .starts_with("application/problem+json"),
        "{:?}",
        res.headers
    );
}

#[tokio::test]
async fn a_yaml_file_of_a_hundred_thousand_nested_sequences_is_refused_with_its_position() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let deep = format!("{}x\n", "- ".repeat(100_000));
    for (content_type, body, from) in [
        ("application/yaml", deep.clone(), ""),
        ("application/yaml", deep.clone(), "&from=ft"),
        (
            "text/markdown",
            format!("---\n{deep}---\n\n# Track\n"),
            "&from=monzo",
        ),
        (
            "application/json",
            json!({ "files": [{ "name": "deep.yaml", "content": deep }] }).to_string(),
            "",
        ),
    ] {
        let res = app
            .post(&format!("/api/v1/draft/import?dry_run=true{from}"))
            .bearer(&token)
            .text(content_type, &body)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.header("content-type"), "application/problem+json");
        let problem = res.json();
        let errors = problem["file_errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            errors.iter().any(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("nest more than 64 levels"))
                && e["line"].as_u64().is_some_and(|l| l >= 1)
                && e["column"].as_u64().is_some_and(|c| c >= 1)),
            "{from}: {problem:#}"
        );
    }
    // Deep JSON in a snowflake export is refused too (by the same reader, or its flow limit).
    let res = app
        .post("/api/v1/draft/import?dry_run=true&from=snowflake")
        .bearer(&token)
        .text(
            "application/json",
            &format!("{{\"tracks\": {}}}", deep_json()),
        )
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let errors = res.json()["file_errors"].clone();
    assert!(
        errors.as_array().is_some_and(|e| !e.is_empty()),
        "{errors:#}"
    );
}

#[tokio::test]
async fn deep_markdown_imports_are_refused_without_crashing() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    for (from, body) in [
        ("ladders", format!("# Track\n\n{}x\n", "- ".repeat(100_000))),
        ("ladders", format!("# Track\n\n{}x\n", "> ".repeat(100_000))),
        (
            "monzo",
            format!("---\ntitle: Track\n---\n\n{}x\n", "* ".repeat(100_000)),
        ),
    ] {
        let res = app
            .post(&format!("/api/v1/draft/import?dry_run=true&from={from}"))
            .bearer(&token)
            .text("text/markdown", &body)
            .send()
            .await;
        assert!(res.status.is_client_error(), "{from}: {}", res.status);
        let problem: Value = res.json();
        assert!(
            problem["file_errors"]
                .as_array()
                .is_some_and(|e| !e.is_empty()),
            "{from}: {problem:#}"
        );
    }
}

#[tokio::test]
async fn a_people_file_with_a_manager_chain_ten_thousand_deep_is_checked() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let mut csv = String::from("email,name,manager_email\n");
    for i in 0..10_000 {
        let manager = if i == 0 {
            String::new()
        } else {
            format!("p{}@chain.test", i - 1)
        };
        csv.push_str(&format!("p{i}@chain.test,Person {i},{manager}\n"));
    }
    let res = app
        .post("/api/v1/people/import?dry_run=true")
        .bearer(&token)
        .text("text/csv", &csv)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(res.json()["created"], json!(10_000));
    // A loop closed at the far end of the chain is found and reported.
    let looped = csv.replacen(
        "p0@chain.test,Person 0,",
        "p0@chain.test,Person 0,p9999@chain.test",
        1,
    );
    let res = app
        .post("/api/v1/people/import?dry_run=true")
        .bearer(&token)
        .text("text/csv", &looped)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("loop"),
        "{}",
        &res.body[..res.body.len().min(500)]
    );
}
