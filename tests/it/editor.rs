//! The framework editor: building a track from nothing, editing a cell in place with htmx and
//! without JavaScript, refused forms shown again with their messages, and who may edit.

use axum::http::StatusCode;

use crate::helpers::{Session, TestApp};

const CELL: &str = "/draft/tracks/software-engineering/cells/se1/ownership";

/// Posts a plain form as an admin would without JavaScript; expects to be sent on to `then`.
async fn submit(app: &TestApp, admin: &Session, path: &str, fields: &[(&str, &str)], then: &str) {
    let res = app
        .post(path)
        .session(admin)
        .form(fields)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), then);
}

/// The draft as the API reads it.
async fn draft(app: &TestApp, admin: &Session) -> serde_json::Value {
    app.get("/api/v1/draft")
        .session(admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

#[tokio::test]
async fn an_admin_builds_a_track_and_fills_a_cell_in_place() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    submit(
        &app,
        &admin,
        "/draft/tracks",
        &[
            ("name", "Data Science"),
            ("key", "data-science"),
            ("family", "Engineering"),
            ("kind", "individual-contributor"),
            ("description", ""),
        ],
        "/draft/tracks/data-science",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/tracks/data-science/levels",
        &[
            ("title", "Data Scientist I"),
            ("key", "ds1"),
            ("grade", "g2"),
            ("summary", ""),
            ("at", ""),
        ],
        "/draft/tracks/data-science#add-level",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/tracks/data-science/rows",
        &[("competency", "ownership")],
        "/draft/tracks/data-science#add-row",
    )
    .await;

    let page = app
        .get("/draft/tracks/data-science")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains(r##"<td id="cell-ds1-ownership" class="cell empty">"##),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        r##"hx-get="/draft/tracks/data-science/cells/ds1/ownership/edit" hx-target="#cell-ds1-ownership" hx-swap="outerHTML" aria-label="Edit Ownership at Data Scientist I""##
    ));

    let cell = "/draft/tracks/data-science/cells/ds1/ownership";
    let form = app
        .get(&format!("{cell}/edit"))
        .session(&admin)
        .header("hx-request", "true")
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        form.body
            .trim_start()
            .starts_with(r##"<td id="cell-ds1-ownership""##),
        "{}",
        form.body
    );
    assert!(form.body.contains(&format!(
        r##"<form class="cell-form" hx-post="{cell}" hx-target="#cell-ds1-ownership" hx-swap="outerHTML" method="post" action="{cell}">"##
    )));
    assert!(!form.body.contains("<html"));

    let saved = app
        .post(cell)
        .session(&admin)
        .header("hx-request", "true")
        .form(&[
            (
                "expectations",
                "You own a model from the question to production.\r\n\r\nYou explain its limits.",
            ),
            ("examples", ""),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        saved
            .body
            .trim_start()
            .starts_with(r##"<td id="cell-ds1-ownership" class="cell">"##),
        "{}",
        saved.body
    );
    assert!(
        saved
            .body
            .contains("<li>You own a model from the question to production.</li>")
    );
    assert!(saved.body.contains("<li>You explain its limits.</li>"));
    assert!(saved.body.contains(r##"class="edit-cell""##));
    assert_eq!(saved.header("vary"), "HX-Request");

    let track = &draft(&app, &admin).await["framework"]["tracks"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["key"] == "data-science").cloned())
        .expect("the new track");
    assert_eq!(track["family"], "Engineering");
    assert_eq!(track["levels"][0]["grade"], "g2");
    assert_eq!(
        track["levels"][0]["expectations"]["ownership"],
        serde_json::json!([
            "You own a model from the question to production.",
            "You explain its limits."
        ])
    );
}

#[tokio::test]
async fn a_refused_level_is_shown_again_with_the_input_and_the_message() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/draft/tracks/software-engineering/levels")
        .session(&admin)
        .form(&[
            ("title", "Staff Engineer"),
            ("key", "Staff Engineer"),
            ("grade", "g5"),
            ("at", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.header("content-type").starts_with("text/html"));
    assert!(res.body.contains("is not a valid key"), "{}", res.body);
    assert!(res.body.contains(
        r##"id="add-level_key" name="key" value="Staff Engineer" aria-invalid="true" aria-describedby="add-level_key_error" autofocus>"##
    ), "{}", res.body);
    assert!(
        res.body
            .contains(r##"<p class="field-error" id="add-level_key_error">"##)
    );
    assert!(res.body.contains(r##"value="Staff Engineer""##));
    assert!(res.body.contains(r##"<option value="g5" selected>"##));
    // The rest of the page is the draft as it was: other forms show their stored values.
    assert!(
        res.body
            .contains(r##"id="level-se1_title" name="title" value="Software Engineer I""##)
    );
}

#[tokio::test]
async fn a_refused_cell_edit_comes_back_as_its_form_with_what_was_typed() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post(CELL)
        .session(&admin)
        .header("hx-request", "true")
        .form(&[
            ("expectations", "You keep this line."),
            ("examples", ""),
            ("not_applicable", "on"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .trim_start()
            .starts_with(r##"<td id="cell-se1-ownership" class="cell editing">"##),
        "{}",
        res.body
    );
    assert!(res.body.contains("You keep this line.</textarea>"));
    assert!(
        res.body
            .contains(r##"aria-describedby="cell-se1-ownership_not_applicable_error""##)
    );
    assert!(res.body.contains("clear them, or untick"));
    assert!(!res.body.contains("<html"));
}

#[tokio::test]
async fn without_javascript_a_cell_is_edited_on_its_own_page() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let page = app
        .get(&format!("{CELL}/edit"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("<html"));
    assert!(page.body.contains(r##"<form class="cell-form" method="post" action="/draft/tracks/software-engineering/cells/se1/ownership">"##), "{}", page.body);
    assert!(
        page.body.contains(
            r##"href="/draft/tracks/software-engineering#cell-se1-ownership">Cancel</a>"##
        )
    );

    submit(
        &app,
        &admin,
        CELL,
        &[
            (
                "expectations",
                "You write a runbook for every service you own.",
            ),
            ("examples", ""),
        ],
        "/draft/tracks/software-engineering#cell-se1-ownership",
    )
    .await;
    let track = app
        .get("/draft/tracks/software-engineering")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        track
            .body
            .contains("<li>You write a runbook for every service you own.</li>")
    );

    let refused = app
        .post(CELL)
        .session(&admin)
        .form(&[("expectations", "Both."), ("not_applicable", "on")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("<html"));
    assert!(refused.body.contains("The change was not saved"));
    assert!(refused.body.contains("Both.</textarea>"));

    // Cancel without htmx goes back to the matrix.
    let back = app
        .get(CELL)
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        back.header("location"),
        "/draft/tracks/software-engineering#cell-se1-ownership"
    );
}

#[tokio::test]
async fn a_removal_that_would_break_the_library_is_refused_next_to_the_item() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/draft/categories/impact/remove")
        .session(&admin)
        .form(&[])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("use this category; move them to another category first"),
        "{}",
        res.body
    );
    assert!(res.body.contains(r##"<a href="#category-impact">"##));
    let draft = draft(&app, &admin).await;
    assert_eq!(draft["framework"]["categories"][0]["key"], "impact");
}

#[tokio::test]
async fn the_library_and_the_levels_are_reordered_and_renamed() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    submit(
        &app,
        &admin,
        "/draft/categories/craft/move",
        &[("direction", "up")],
        "/draft/library#category-craft",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/tracks/software-engineering/levels/se1/move",
        &[("direction", "right")],
        "/draft/tracks/software-engineering#level-se1",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/grades",
        &[("name", "G7"), ("key", "")],
        "/draft/library#add-grade",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/grades/g7/remove",
        &[],
        "/draft/library#grades",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/tracks/customer-success/rename",
        &[("name", "Customer Success Management")],
        "/draft#track-customer-success",
    )
    .await;
    let fw = &draft(&app, &admin).await["framework"];
    assert_eq!(fw["categories"][0]["key"], "craft");
    let se = fw["tracks"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["key"] == "software-engineering"))
        .expect("software engineering");
    assert_eq!(se["levels"][1]["key"], "se1");
    assert!(
        fw["tracks"].as_array().is_some_and(|ts| ts
            .iter()
            .any(|t| t["name"] == "Customer Success Management"
                && t["kind"] == "individual-contributor"))
    );
}

#[tokio::test]
async fn the_home_page_links_each_problem_to_where_it_is_fixed() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    submit(
        &app,
        &admin,
        "/draft/tracks/software-engineering/rows",
        &[("competency", "strategy")],
        "/draft/tracks/software-engineering#add-row",
    )
    .await;
    submit(
        &app,
        &admin,
        "/draft/tracks",
        &[("name", "Data"), ("key", ""), ("kind", "management")],
        "/draft/tracks/data",
    )
    .await;
    let home = app
        .get("/draft")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        home.body.contains("has no expectations for Strategy"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains(r##"href="/draft/tracks/software-engineering#cell-se1-strategy""##)
    );
    assert!(
        home.body
            .contains(r##"href="/versions/diff?from=1&amp;to=draft""##)
    );
    assert!(home.body.contains(r##"action="/draft/discard""##));
    assert!(home.body.contains("data-confirm="));
}

#[tokio::test]
async fn employees_cannot_open_or_change_the_draft() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    for path in [
        "/draft",
        "/draft/library",
        "/draft/tracks/software-engineering",
        &format!("{CELL}/edit"),
    ] {
        app.get(path)
            .session(&employee)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    app.post(CELL)
        .session(&employee)
        .header("hx-request", "true")
        .form(&[("expectations", "Sneaky.")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post("/draft/tracks")
        .session(&employee)
        .form(&[
            ("name", "Sneaky"),
            ("key", "Not A Key"),
            ("kind", "management"),
        ])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cross_site_cell_edit_is_refused() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    app.post(CELL)
        .session(&admin)
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("expectations", "Sneaky.")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let fw = &draft(&app, &admin).await["framework"];
    let se1 = &fw["tracks"][0]["levels"][0];
    assert_ne!(
        se1["expectations"]["ownership"],
        serde_json::json!(["Sneaky."])
    );
}
