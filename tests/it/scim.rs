//! SCIM 2.0 at `/scim/v2`, driven with the request shapes Okta and Microsoft Entra send (the
//! fixtures in `fixtures/scim/`), and every error as a SCIM error body.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Res, TestApp};

const SCIM: &str = "application/scim+json";

/// A fixture with `{{name}}` placeholders filled in.
fn fixture(path: &str, ids: &[(&str, &str)]) -> String {
    let file = format!(
        "{}/tests/it/fixtures/scim/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    for (name, id) in ids {
        text = text.replace(&format!("{{{{{name}}}}}"), id);
    }
    text
}

async fn send(app: &TestApp, method: &str, path: &str, token: &str, body: Option<&str>) -> Res {
    let req = match method {
        "POST" => app.post(path),
        "PUT" => app.put(path),
        "PATCH" => app.patch(path),
        "DELETE" => app.delete(path),
        _ => app.get(path),
    }
    .bearer(token);
    match body {
        Some(b) => req.text(SCIM, b).send().await,
        None => req.send().await,
    }
}

#[track_caller]
fn scim_error(res: &Res, status: StatusCode, scim_type: Option<&str>) {
    assert_eq!(res.status, status, "body: {}", res.body);
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
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    match scim_type {
        Some(t) => assert_eq!(body["scimType"], json!(t), "{}", res.body),
        None => assert!(body.get("scimType").is_none(), "{}", res.body),
    }
}

async fn create_river(app: &TestApp, token: &str) -> String {
    let res = send(
        app,
        "POST",
        "/scim/v2/Users",
        token,
        Some(&fixture("okta/create-user.json", &[])),
    )
    .await;
    let res = res.expect(StatusCode::CREATED);
    assert!(res.header("content-type").starts_with(SCIM));
    res.json()["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn okta_creates_finds_updates_and_deactivates_a_user() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let res = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&fixture("okta/create-user.json", &[])),
    )
    .await
    .expect(StatusCode::CREATED);
    let user = res.json();
    let id = user["id"].as_str().expect("an id").to_owned();
    assert_eq!(user["userName"], json!("river.song@example.test"));
    assert_eq!(
        user["name"],
        json!({"givenName": "River", "familyName": "Song"})
    );
    assert_eq!(user["displayName"], json!("River Song"));
    assert_eq!(user["externalId"], json!("00u1a2b3c4d5e6f7g8h9"));
    assert_eq!(user["active"], json!(true));
    assert!(user.get("password").is_none());
    assert_eq!(user["meta"]["resourceType"], json!("User"));
    assert!(
        user["meta"]["location"]
            .as_str()
            .is_some_and(|l| l.ends_with(&format!("/scim/v2/Users/{id}")))
    );
    assert!(res.header("etag").starts_with("W/\""));

    // Okta looks users up by userName, in any case.
    let found = send(
        &app,
        "GET",
        "/scim/v2/Users?filter=userName%20eq%20%22River.Song%40Example.test%22&startIndex=1&count=100",
        &token,
        None,
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(found["totalResults"], json!(1));
    assert_eq!(found["Resources"][0]["id"], json!(id));
    assert_eq!(
        found["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );

    let updated = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        &token,
        Some(&fixture("okta/update-attributes.json", &[])),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(updated["name"]["givenName"], json!("Melody"));
    assert_eq!(updated["displayName"], json!("Melody Pond"));
    assert_eq!(
        updated["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        json!("Archaeology")
    );
    let record = trellis::people::directory::person(
        &app.state,
        &trellis::auth::Actor::command_line(),
        id.parse().expect("a number"),
    )
    .await
    .expect("the person");
    assert_eq!(record.name, "Melody Pond");
    assert_eq!(record.team.as_deref(), Some("Archaeology"));

    let off = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        &token,
        Some(&fixture("okta/deactivate.json", &[])),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(off["active"], json!(false));
    let record = trellis::people::directory::person(
        &app.state,
        &trellis::auth::Actor::command_line(),
        id.parse().expect("a number"),
    )
    .await
    .expect("the person");
    assert_eq!(record.status, trellis::domain::Status::Left);
    assert!(record.left_on.is_some());
}

#[tokio::test]
async fn entra_creates_with_the_enterprise_extension_and_patches_in_its_dialect() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let river = create_river(&app, &token).await;
    let rory = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&fixture("entra/create-user.json", &[("river", &river)])),
    )
    .await
    .expect(StatusCode::CREATED)
    .json();
    let id = rory["id"].as_str().expect("an id").to_owned();
    let ext = &rory["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    assert_eq!(rory["userName"], json!("rory.williams@example.test"));
    assert_eq!(ext["employeeNumber"], json!("E-1001"));
    assert_eq!(ext["department"], json!("Nursing"));
    assert_eq!(ext["manager"]["value"], json!(river));

    // Entra finds users by externalId and by the work email.
    for filter in [
        "externalId%20eq%20%223f1e9a52-7c4d-4b8e-9a61-2d5f8c0b7e14%22",
        "emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22rory.williams%40example.test%22",
        "emails.value%20eq%20%22RORY.williams%40example.test%22%20and%20active%20eq%20true",
    ] {
        let found = send(
            &app,
            "GET",
            &format!("/scim/v2/Users?filter={filter}"),
            &token,
            None,
        )
        .await
        .expect(StatusCode::OK)
        .json();
        assert_eq!(found["totalResults"], json!(1), "{filter}");
        assert_eq!(found["Resources"][0]["id"], json!(id));
    }

    let updated = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        &token,
        Some(&fixture("entra/update-attributes.json", &[])),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(updated["userName"], json!("rory.pond@example.test"));
    assert_eq!(
        updated["emails"][0]["value"],
        json!("rory.pond@example.test")
    );
    assert_eq!(updated["name"]["familyName"], json!("Pond"));
    assert_eq!(
        updated["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"],
        json!("E-2002")
    );

    // The manager as Entra sets it: the manager's id as a bare string.
    let other = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(r#"{"userName":"amy@example.test"}"#),
    )
    .await
    .expect(StatusCode::CREATED)
    .json();
    let amy = other["id"].as_str().expect("an id").to_owned();
    let managed = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Users/{amy}"),
        &token,
        Some(&fixture("entra/set-manager.json", &[("river", &river)])),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(
        managed["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"],
        json!(river)
    );

    let off = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        &token,
        Some(&fixture("entra/deactivate.json", &[])),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(off["active"], json!(false));
}

#[tokio::test]
async fn groups_are_teams_and_membership_moves_people() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let river = create_river(&app, &token).await;
    let rory = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&fixture("entra/create-user.json", &[("river", &river)])),
    )
    .await
    .expect(StatusCode::CREATED)
    .json()["id"]
        .as_str()
        .expect("an id")
        .to_owned();

    let platform = send(
        &app,
        "POST",
        "/scim/v2/Groups",
        &token,
        Some(&fixture("okta/create-group.json", &[])),
    )
    .await
    .expect(StatusCode::CREATED)
    .json();
    let platform_id = platform["id"].as_str().expect("an id").to_owned();
    assert_eq!(platform["displayName"], json!("Platform"));
    let companions = send(
        &app,
        "POST",
        "/scim/v2/Groups",
        &token,
        Some(&fixture("entra/create-group.json", &[("rory", &rory)])),
    )
    .await
    .expect(StatusCode::CREATED)
    .json();
    let companions_id = companions["id"].as_str().expect("an id").to_owned();
    assert_eq!(companions["members"][0]["value"], json!(rory));

    // Okta adds River to Platform; Entra then adds River to Companions, which moves her.
    let g = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Groups/{platform_id}"),
        &token,
        Some(&fixture(
            "okta/group-add-members.json",
            &[("river", &river)],
        )),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(
        g["members"],
        json!([{"value": river, "$ref": format!("http://127.0.0.1/scim/v2/Users/{river}"), "type": "User"}])
    );
    let g = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Groups/{companions_id}"),
        &token,
        Some(&fixture(
            "entra/group-add-members.json",
            &[("river", &river)],
        )),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(g["members"].as_array().map(Vec::len), Some(2));
    let platform = send(
        &app,
        "GET",
        &format!("/scim/v2/Groups/{platform_id}"),
        &token,
        None,
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert!(platform.get("members").is_none(), "River moved: {platform}");

    // Entra's membership check, and its look-up by name.
    let found = send(&app, "GET", &format!("/scim/v2/Groups?filter=id%20eq%20%22{companions_id}%22%20and%20members%20eq%20%22{river}%22&excludedAttributes=members"), &token, None)
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(found["totalResults"], json!(1));
    assert!(found["Resources"][0].get("members").is_none());
    let found = send(
        &app,
        "GET",
        "/scim/v2/Groups?filter=displayName%20eq%20%22companions%22",
        &token,
        None,
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(found["totalResults"], json!(1));

    let g = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Groups/{companions_id}"),
        &token,
        Some(&fixture(
            "entra/group-remove-members.json",
            &[("rory", &rory)],
        )),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(g["members"].as_array().map(Vec::len), Some(1));
    let g = send(
        &app,
        "PATCH",
        &format!("/scim/v2/Groups/{companions_id}"),
        &token,
        Some(&fixture(
            "okta/group-remove-member.json",
            &[("river", &river)],
        )),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert!(g.get("members").is_none());
    let user = send(
        &app,
        "GET",
        &format!("/scim/v2/Users/{river}"),
        &token,
        None,
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert!(
        user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
            .get("department")
            .is_none()
    );

    send(
        &app,
        "DELETE",
        &format!("/scim/v2/Groups/{companions_id}"),
        &token,
        None,
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    let res = send(
        &app,
        "GET",
        &format!("/scim/v2/Groups/{companions_id}"),
        &token,
        None,
    )
    .await;
    scim_error(&res, StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn deleting_a_user_marks_them_left_and_hides_them_from_scim() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let river = create_river(&app, &token).await;
    send(
        &app,
        "DELETE",
        &format!("/scim/v2/Users/{river}"),
        &token,
        None,
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    let res = send(
        &app,
        "GET",
        &format!("/scim/v2/Users/{river}"),
        &token,
        None,
    )
    .await;
    scim_error(&res, StatusCode::NOT_FOUND, None);
    let record = trellis::people::directory::person(
        &app.state,
        &trellis::auth::Actor::command_line(),
        river.parse().expect("a number"),
    )
    .await
    .expect("still in Trellis");
    assert_eq!(record.status, trellis::domain::Status::Left);
    // Provisioned again (a rehire): the same person, active again.
    let again = create_river(&app, &token).await;
    assert_eq!(again, river);
}

#[tokio::test]
async fn lists_page_and_project_attributes() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    for n in 0..5 {
        send(
            &app,
            "POST",
            "/scim/v2/Users",
            &token,
            Some(&format!(r#"{{"userName":"p{n}@example.test"}}"#)),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    let page = send(
        &app,
        "GET",
        "/scim/v2/Users?startIndex=3&count=2&attributes=userName",
        &token,
        None,
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert_eq!(page["totalResults"], json!(7), "two demo accounts and five");
    assert_eq!(page["startIndex"], json!(3));
    assert_eq!(page["itemsPerPage"], json!(2));
    let first = &page["Resources"][0];
    assert!(first.get("userName").is_some() && first.get("id").is_some());
    assert!(
        first.get("emails").is_none() && first.get("active").is_none(),
        "{first}"
    );
    let search = send(&app, "POST", "/scim/v2/Users/.search", &token, Some(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"p\"","excludedAttributes":["emails"]}"#))
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(search["totalResults"], json!(5));
    assert!(search["Resources"][0].get("emails").is_none());
}

#[tokio::test]
async fn discovery_describes_what_the_server_supports() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let spc = send(&app, "GET", "/scim/v2/ServiceProviderConfig", &token, None)
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(spc["patch"]["supported"], json!(true));
    assert_eq!(spc["bulk"]["supported"], json!(false));
    assert_eq!(spc["filter"]["maxResults"], json!(200));
    assert_eq!(
        spc["authenticationSchemes"][0]["type"],
        json!("oauthbearertoken")
    );
    let types = send(&app, "GET", "/scim/v2/ResourceTypes", &token, None)
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(types["totalResults"], json!(2));
    let schemas = send(&app, "GET", "/scim/v2/Schemas", &token, None)
        .await
        .expect(StatusCode::OK)
        .json();
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.contains(&"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
    send(
        &app,
        "GET",
        "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
        &token,
        None,
    )
    .await
    .expect(StatusCode::OK);
}

#[tokio::test]
async fn every_error_is_a_scim_error_body() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let api = app.token("api").await;

    let res = app.get("/scim/v2/Users").send().await;
    scim_error(&res, StatusCode::UNAUTHORIZED, None);
    assert!(res.header("www-authenticate").starts_with("Bearer"));
    let res = send(&app, "GET", "/scim/v2/Users", "tra_not-a-real-token", None).await;
    scim_error(&res, StatusCode::UNAUTHORIZED, None);
    let res = send(&app, "GET", "/scim/v2/Users", &api, None).await;
    scim_error(&res, StatusCode::FORBIDDEN, None);
    let session = app.admin().await;
    let res = app.get("/scim/v2/Users").session(&session).send().await;
    scim_error(&res, StatusCode::FORBIDDEN, None);

    let res = send(
        &app,
        "GET",
        "/scim/v2/Users?filter=userName%20equals%20%22x%22",
        &token,
        None,
    )
    .await;
    scim_error(&res, StatusCode::BAD_REQUEST, Some("invalidFilter"));
    let res = send(
        &app,
        "GET",
        "/scim/v2/Users?filter=title%20eq%20%22x%22",
        &token,
        None,
    )
    .await;
    scim_error(&res, StatusCode::BAD_REQUEST, Some("invalidFilter"));

    create_river(&app, &token).await;
    let res = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&fixture("okta/create-user.json", &[]).replace("river.song@", "RIVER.SONG@")),
    )
    .await;
    scim_error(&res, StatusCode::CONFLICT, Some("uniqueness"));

    let res = send(&app, "GET", "/scim/v2/Users/999999", &token, None).await;
    scim_error(&res, StatusCode::NOT_FOUND, None);
    let res = send(
        &app,
        "PATCH",
        "/scim/v2/Groups/not-an-id",
        &token,
        Some(&fixture("okta/deactivate.json", &[])),
    )
    .await;
    scim_error(&res, StatusCode::NOT_FOUND, None);
    let res = send(&app, "GET", "/scim/v2/Nothing", &token, None).await;
    scim_error(&res, StatusCode::NOT_FOUND, None);

    let res = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(r#"{"userName": "#),
    )
    .await;
    scim_error(&res, StatusCode::BAD_REQUEST, Some("invalidSyntax"));
    let res = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(r#"{"userName": "not an email"}"#),
    )
    .await;
    scim_error(&res, StatusCode::BAD_REQUEST, Some("invalidValue"));
    let res = send(
        &app,
        "DELETE",
        "/scim/v2/ServiceProviderConfig",
        &token,
        None,
    )
    .await;
    scim_error(&res, StatusCode::METHOD_NOT_ALLOWED, None);
    let value: Value = res.json();
    assert_eq!(value["status"], json!("405"));
}

async fn status_of(app: &TestApp, id: &str) -> trellis::domain::Status {
    trellis::people::directory::person(
        &app.state,
        &trellis::auth::Actor::command_line(),
        id.parse().expect("a number"),
    )
    .await
    .expect("in Trellis")
    .status
}

async fn patch_user(app: &TestApp, token: &str, id: &str, ops: Value) -> Value {
    send(
        app,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        token,
        Some(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}).to_string()),
    )
    .await
    .expect(StatusCode::OK)
    .json()
}

#[tokio::test]
async fn removing_active_leaves_it_unassigned_and_the_status_as_it_was() {
    use trellis::domain::Status;
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let river = create_river(&app, &token).await;
    let get = |id: String| {
        let (app, token) = (&app, &token);
        async move {
            send(app, "GET", &format!("/scim/v2/Users/{id}"), token, None)
                .await
                .expect(StatusCode::OK)
                .json()
        }
    };

    // Removed while active: SCIM shows no `active`, and the person stays active.
    let user = patch_user(
        &app,
        &token,
        &river,
        json!([{"op": "remove", "path": "active"}]),
    )
    .await;
    assert!(user.get("active").is_none(), "{user}");
    assert!(get(river.clone()).await.get("active").is_none());
    assert_eq!(status_of(&app, &river).await, Status::Active);
    // Unassigned matches neither `active eq true` nor `active eq false`.
    for value in ["true", "false"] {
        let found = send(
            &app,
            "GET",
            &format!(
                "/scim/v2/Users?filter=active%20eq%20{value}%20and%20userName%20sw%20%22river%22"
            ),
            &token,
            None,
        )
        .await
        .expect(StatusCode::OK)
        .json();
        assert_eq!(found["totalResults"], json!(0), "active eq {value}");
    }
    // Other changes keep it unassigned and do not touch the status.
    let user = patch_user(
        &app,
        &token,
        &river,
        json!([{"op": "replace", "path": "displayName", "value": "Dr Song"}]),
    )
    .await;
    assert!(user.get("active").is_none(), "{user}");
    assert_eq!(status_of(&app, &river).await, Status::Active);

    // Stated again, it is the status; removed while left, the person stays left.
    let user = patch_user(
        &app,
        &token,
        &river,
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .await;
    assert_eq!(user["active"], json!(false));
    assert_eq!(status_of(&app, &river).await, Status::Left);
    let user = patch_user(
        &app,
        &token,
        &river,
        json!([{"op": "remove", "path": "active"}]),
    )
    .await;
    assert!(user.get("active").is_none(), "{user}");
    assert_eq!(status_of(&app, &river).await, Status::Left);
    // A PUT without `active` does not reactivate anyone either.
    let user = send(
        &app,
        "PUT",
        &format!("/scim/v2/Users/{river}"),
        &token,
        Some(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"river.song@example.test"}"#),
    )
    .await
    .expect(StatusCode::OK)
    .json();
    assert!(user.get("active").is_none(), "{user}");
    assert_eq!(status_of(&app, &river).await, Status::Left);
    let user = patch_user(
        &app,
        &token,
        &river,
        json!([{"op": "add", "path": "active", "value": true}]),
    )
    .await;
    assert_eq!(user["active"], json!(true));
    assert_eq!(get(river.clone()).await["active"], json!(true));
    assert_eq!(status_of(&app, &river).await, Status::Active);
}

#[tokio::test]
async fn emails_read_back_as_sent_and_the_person_keeps_one_email() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let emails = json!([
        {"value": "amy@home.test", "type": "home", "primary": false},
        {"value": "amy.pond@example.test", "type": "work"},
    ]);
    let user = send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "amy", "emails": emails}).to_string()),
    )
    .await
    .expect(StatusCode::CREATED)
    .json();
    assert_eq!(user["emails"], emails);
    let id = user["id"].as_str().expect("an id").to_owned();
    let record = |app: &TestApp, id: String| {
        let state = app.state.clone();
        async move {
            trellis::people::directory::person(
                &state,
                &trellis::auth::Actor::command_line(),
                id.parse().expect("a number"),
            )
            .await
            .expect("in Trellis")
            .email
        }
    };
    // No email user name and no primary: the person's email is the work one.
    assert_eq!(record(&app, id.clone()).await, "amy.pond@example.test");

    // `primary: false` stays false.
    let emails = json!([{"value": "amy@new.test", "type": "other", "primary": false}]);
    let user = patch_user(
        &app,
        &token,
        &id,
        json!([{"op": "replace", "path": "emails", "value": emails}]),
    )
    .await;
    assert_eq!(user["emails"], emails);
    let got = send(&app, "GET", &format!("/scim/v2/Users/{id}"), &token, None)
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(got["emails"], emails);
    assert_eq!(record(&app, id.clone()).await, "amy@new.test");

    // With an email user name, the user name is the person's email, whatever `emails` says; and
    // removed, `emails` is unassigned.
    let user = patch_user(
        &app,
        &token,
        &id,
        json!([
            {"op": "replace", "path": "userName", "value": "amy.williams@example.test"},
            {"op": "remove", "path": "emails"},
        ]),
    )
    .await;
    assert!(user.get("emails").is_none(), "{user}");
    assert_eq!(record(&app, id.clone()).await, "amy.williams@example.test");
}

/// Percent-encodes a filter for a query string.
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

async fn count(app: &TestApp, token: &str, resource: &str, filter: &str) -> u64 {
    let res = send(
        app,
        "GET",
        &format!("/scim/v2/{resource}?filter={}", encode(filter)),
        token,
        None,
    )
    .await
    .expect(StatusCode::OK);
    res.json()["totalResults"].as_u64().expect("a total")
}

#[tokio::test]
async fn case_exact_attributes_match_exactly_and_the_others_ignore_case() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let user = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "userName": "Lukasz.Nowak@Example.test",
        "externalId": "AbC-123",
        "displayName": "Łukasz Émile Nowak",
        "emails": [{ "value": "lukasz.nowak@example.test", "type": "work", "primary": true }],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "employeeNumber": "E-Abc7" },
    });
    send(
        &app,
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&user.to_string()),
    )
    .await
    .expect(StatusCode::CREATED);
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Ørsted Crew",
        "externalId": "Grp-XyZ",
    });
    send(
        &app,
        "POST",
        "/scim/v2/Groups",
        &token,
        Some(&group.to_string()),
    )
    .await
    .expect(StatusCode::CREATED);
    let employee_number =
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber";
    // caseExact (RFC 7643): externalId, and employeeNumber as Trellis publishes it.
    let person = "userName eq \"lukasz.nowak@example.test\"";
    let team = "displayName eq \"Ørsted Crew\"";
    for (resource, anchor, attr, exact, wrong_case, part, wrong_part, start, end) in [
        (
            "Users",
            person,
            "externalId",
            "AbC-123",
            "abc-123",
            "bC-1",
            "BC-1",
            "AbC",
            "bC-123",
        ),
        (
            "Users",
            person,
            employee_number,
            "E-Abc7",
            "e-abc7",
            "-Ab",
            "-ab",
            "E-A",
            "bc7",
        ),
        (
            "Groups",
            team,
            "externalId",
            "Grp-XyZ",
            "grp-xyz",
            "p-X",
            "P-x",
            "Grp",
            "yZ",
        ),
    ] {
        // Each filter is narrowed to the one resource made here.
        let n = |f: String| {
            let (app, token) = (&app, &token);
            async move {
                let got = count(app, token, resource, &format!("({f}) and {anchor}")).await;
                (got, f)
            }
        };
        for (want, filter) in [
            (1, format!("{attr} eq \"{exact}\"")),
            (0, format!("{attr} eq \"{wrong_case}\"")),
            (0, format!("{attr} ne \"{exact}\" and {attr} pr")),
            (1, format!("{attr} ne \"{wrong_case}\" and {attr} pr")),
            (1, format!("{attr} co \"{part}\"")),
            (0, format!("{attr} co \"{wrong_part}\"")),
            (1, format!("{attr} sw \"{start}\"")),
            (0, format!("{attr} sw \"{}\"", start.to_lowercase())),
            (1, format!("{attr} ew \"{end}\"")),
            (0, format!("{attr} ew \"{}\"", end.to_uppercase())),
            (0, format!("{attr} ew \"x{exact}\"")),
            (1, format!("{attr} co \"\"")),
        ] {
            let (got, filter) = n(filter).await;
            assert_eq!(got, want, "{resource}: {filter}");
        }
    }
    // Not caseExact: userName, emails, displayName, name.formatted and a group's displayName.
    for (resource, filter) in [
        ("Users", "userName eq \"LUKASZ.NOWAK@example.TEST\""),
        ("Users", "userName sw \"lukasz.NOWAK\""),
        ("Users", "emails.value co \"NOWAK@\""),
        ("Users", "displayName eq \"Łukasz Émile Nowak\""),
        ("Users", "displayName eq \"Łukasz Émile NOWAK\""),
        ("Users", "displayName sw \"Łukasz É\""),
        ("Groups", "displayName eq \"Ørsted Crew\""),
        ("Groups", "displayName eq \"ørsted CREW\""),
    ] {
        assert_eq!(count(&app, &token, resource, filter).await, 1, "{filter}");
    }
}

#[tokio::test]
async fn a_scim_client_over_the_default_rate_gets_a_scim_429_with_retry_after() {
    use trellis::auth::limits::RateLimits;
    let app = TestApp::demo_with(|c| c.limits = RateLimits::default()).await;
    let token = app.token("scim").await;
    let burst = RateLimits::default()
        .scim
        .expect("a default SCIM rate")
        .burst;
    let mut refused = None;
    // The bucket refills while requests run, so go on until one is refused.
    for _ in 0..burst * 20 {
        let res = send(&app, "GET", "/scim/v2/ServiceProviderConfig", &token, None).await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(res);
            break;
        }
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    let res = refused.expect("the default rate refuses a client going this fast");
    scim_error(&res, StatusCode::TOO_MANY_REQUESTS, None);
    let wait: u64 = res.header("retry-after").parse().expect("seconds");
    assert!(wait >= 1, "{wait}");
    // Without a token, too, the answer is a SCIM error.
    let mut refused = None;
    for _ in 0..burst * 20 {
        let res = app.get("/scim/v2/ServiceProviderConfig").send().await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(res);
            break;
        }
    }
    let res = refused.expect("refused");
    scim_error(&res, StatusCode::TOO_MANY_REQUESTS, None);
    assert!(!res.header("retry-after").is_empty());
}
