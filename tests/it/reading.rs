//! Reading the published framework: tracks, the matrix, levels, the library and comparisons.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_track_list_groups_tracks_by_family_with_both_ladders() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/tracks")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    for text in [
        "Engineering",
        "Software Engineering",
        "Engineering Management",
        "Individual contributor",
        "Management",
        "Version 1",
    ] {
        assert!(res.body.contains(text), "missing {text}");
    }
}

#[tokio::test]
async fn the_seed_example_renders_as_a_matrix() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/tracks/software-engineering")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    let body = &res.body;
    let se1 = body.find("Software Engineer I<").expect("level I");
    let se2 = body.find("Software Engineer II<").expect("level II");
    let principal = body.find("Principal Engineer<").expect("principal");
    assert!(se1 < se2 && se2 < principal, "levels are columns in order");
    assert!(body.contains(">Ownership"));
    assert!(body.contains("You carry each task you pick up through to the end by yourself"));
    assert!(body.contains("id=\"cell-se2-ownership\""));
    assert!(body.contains("id=\"cell-principal-ownership\""));
    // Categories group the rows.
    assert!(body.contains("Impact"));
}

#[tokio::test]
async fn pay_bands_are_shown_to_admins_only() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let employee = app.employee().await;
    let as_admin = app
        .get("/tracks/software-engineering")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let as_employee = app
        .get("/tracks/software-engineering")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(as_admin.body.contains("EUR 50,000"));
    assert!(!as_employee.body.contains("EUR "));
    let api = app
        .get("/api/v1/tracks/software-engineering")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(api["levels"][0]["pay"].is_null());
}

#[tokio::test]
async fn a_level_page_shows_its_expectations_and_neighbours() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/tracks/software-engineering/levels/se2")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("Software Engineer II"));
    assert!(res.body.contains("level 2 of 3"));
    assert!(res.body.contains("/tracks/software-engineering/levels/se1"));
    assert!(
        res.body
            .contains("/tracks/software-engineering/levels/principal")
    );
    app.get("/tracks/software-engineering/levels/nope")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.get("/tracks/nope")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_library_lists_competencies_with_the_tracks_using_them() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/competencies")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("id=\"competency-ownership\""));
    assert!(res.body.contains("href=\"/tracks/software-engineering\""));
}

#[tokio::test]
async fn comparing_two_levels_shows_only_what_changes() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/compare?from=software-engineering/se1&to=software-engineering/se2")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains(
        "Software Engineer I (Software Engineering) → Software Engineer II (Software Engineering)"
    ));
    assert!(res.body.contains("<ins>"), "new expectations are marked");
    assert!(
        res.body.contains("<del>"),
        "dropped expectations are marked"
    );
    let everything = app
        .get("/compare?from=software-engineering/se1&to=software-engineering/se2&show=all")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(everything.body.len() >= res.body.len());
}

#[tokio::test]
async fn comparing_levels_across_tracks_works() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/compare?from=software-engineering/principal&to=engineering-management/em")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("Engineering Manager"));
}

#[tokio::test]
async fn comparing_an_unknown_level_says_so() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    let res = app
        .get("/compare?from=software-engineering/se1&to=software-engineering/se9")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(
        res.body
            .contains("track `software-engineering` has no level `se9`")
    );
}

#[tokio::test]
async fn user_markdown_is_rendered_safely() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post("/api/v1/draft/edits")
        .session(&admin)
        .json(&serde_json::json!({
            "op": "set_cell", "track": "software-engineering", "level": "se1", "competency": "ownership",
            "expectations": ["You **ship** <script>alert('x')</script> [docs](javascript:alert(1))"],
            "examples": [], "not_applicable": false
        }))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/api/v1/draft/publish")
        .session(&admin)
        .json(&serde_json::json!({ "note": "Try markdown" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let res = app
        .get("/tracks/software-engineering")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("You <strong>ship</strong>"));
    assert!(!res.body.contains("<script>alert"));
    assert!(!res.body.contains("javascript:alert"));
}

#[tokio::test]
async fn nothing_published_yet_is_explained() {
    let app = TestApp::empty().await;
    app.create_user("first@example.test", trellis::auth::Role::Admin)
        .await;
    let admin = app
        .sign_in(("first@example.test", "a long test password"))
        .await;
    let res = app
        .get("/tracks")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("No career tracks are published yet"));
    app.get("/api/v1/framework")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_file_format_is_documented_in_the_product() {
    let app = TestApp::demo().await;
    let res = app
        .get("/help/framework-format")
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(res.body.contains("<h1>The framework file</h1>"));
    assert!(res.body.contains("not_applicable"));
}
