//! The People team's home: what waits for the team (nominations to decide, surveys taking
//! answers, roadmap items due, people without a position or a manager, provisioning requests that
//! failed), each a count linking to the page filtered to it; a calm sentence when nothing waits;
//! the section only for admins.

use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::Actor;
use trellis::people::directory::{self, PersonInput};

use crate::helpers::{Organisation, Session, TestApp};
use crate::home::days_ago;
use crate::nominations::stored;
use crate::plans::sign_in_as;

const SCIM: &str = "application/scim+json";

/// The People-team section of a home page.
fn section(page: &str) -> &str {
    let start = page
        .find("id=\"people-team\"")
        .unwrap_or_else(|| panic!("no People-team section in {page}"));
    let end = page[start..]
        .find("id=\"own-career\"")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

async fn home(app: &TestApp, session: &Session) -> String {
    app.get("/home")
        .session(session)
        .send()
        .await
        .expect(StatusCode::OK)
        .body
}

/// A day `days` from today, `YYYY-MM-DD`.
fn in_days(days: i64) -> String {
    days_ago(-days)
}

/// Gives every active person a position and a manager, and ticks every roadmap item, so that
/// nothing waits for the People team.
async fn settle(app: &TestApp) {
    let db = app.state.db().pool();
    sqlx::query(
        "UPDATE users SET track_key = 'software-engineering', level_key = 'se1' \
         WHERE track_key IS NULL OR level_key IS NULL",
    )
    .execute(db)
    .await
    .expect("positions");
    let top: i64 = sqlx::query_scalar("SELECT MIN(id) FROM users WHERE active = 1")
        .fetch_one(db)
        .await
        .expect("someone");
    sqlx::query("UPDATE users SET manager_id = $1 WHERE manager_id IS NULL AND id <> $1")
        .bind(top)
        .execute(db)
        .await
        .expect("managers");
    sqlx::query("UPDATE roadmap_items SET done_at = 1")
        .execute(db)
        .await
        .expect("roadmap");
    sqlx::query("UPDATE nominations SET status = 'declined' WHERE status = 'pending'")
        .execute(db)
        .await
        .expect("nominations");
    sqlx::query("UPDATE surveys SET closes_on = $1, opens_on = $1 WHERE closes_on >= $2")
        .bind(days_ago(60))
        .bind(days_ago(30))
        .execute(db)
        .await
        .expect("surveys");
}

/// Something of every kind waits: a nomination, an open survey, a roadmap item due, a person
/// without a position, one without a manager, and a failed SCIM request.
async fn everything_waits(app: &TestApp) -> (Organisation, i64) {
    let org = app.organisation().await;
    settle(app).await;
    let nomination = stored(app, org.ola, org.noor, "se2", "pending").await;
    trellis::rollout::surveys::create(
        &app.state,
        &Actor::command_line(),
        trellis::rollout::surveys::Start::Pulse,
        &trellis::rollout::surveys::SurveyInput {
            title: "Autumn pulse".into(),
            opens_on: days_ago(0),
            closes_on: in_days(13),
            threshold: "5".into(),
            compare_by: "team".into(),
            ..Default::default()
        },
        &[],
    )
    .await
    .expect("a survey");
    let item: i64 = sqlx::query_scalar("SELECT MIN(id) FROM roadmap_items")
        .fetch_one(app.state.db().pool())
        .await
        .expect("a roadmap item");
    sqlx::query("UPDATE roadmap_items SET done_at = NULL, due_on = $1, title = $2 WHERE id = $3")
        .bind(in_days(3))
        .bind("Brief the managers")
        .bind(item)
        .execute(app.state.db().pool())
        .await
        .expect("an item due");
    // Quinn has no position, and no manager.
    directory::save_person(
        app.state.db(),
        &Actor::command_line(),
        &PersonInput {
            email: "quinn@demo.trellis.test".into(),
            name: "Quinn Lone".into(),
            team: "Platform".into(),
            ..PersonInput::default()
        },
    )
    .await
    .expect("Quinn");
    // The identity provider sends a user without a user name, with a password.
    let token = app.token("scim").await;
    app.post("/scim/v2/Users")
        .bearer(&token)
        .text(
            SCIM,
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "",
                "password": "correct-horse-battery",
            })
            .to_string(),
        )
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);
    (org, nomination)
}

#[tokio::test]
async fn each_count_links_to_the_page_filtered_to_what_waits() {
    let app = TestApp::demo().await;
    // The roadmap's default checklists exist once it has been read.
    let admin = app.admin().await;
    app.get("/admin/rollout/roadmap")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let (_org, nomination) = everything_waits(&app).await;
    let page = home(&app, &admin).await;
    let pt = section(&page);
    for (href, text) in [
        (
            "/nominations?status=pending",
            "1 nomination waits for a decision",
        ),
        ("/admin/surveys?status=open", "1 survey is taking answers"),
        (
            "/admin/rollout/roadmap?due=soon",
            "1 roadmap item due in the next 14 days",
        ),
        (
            "/people?missing=position&#38;status=active",
            "1 active person has no position",
        ),
        (
            "/people?missing=manager&#38;status=active",
            "1 active person has no manager",
        ),
    ] {
        assert!(
            pt.contains(&format!("<a href=\"{href}\">{text}</a>")),
            "{href} {text} in {pt}"
        );
    }
    let failed_href = format!("/admin/audit?action=provisioning.&#38;from={}", days_ago(7));
    assert!(
        pt.contains(&format!(
            "<a href=\"{failed_href}\">1 provisioning request failed in the last 7 days</a>"
        )),
        "{pt}"
    );
    assert!(!pt.contains("Nothing waits for the People team"));
    // The open survey says whom it asks against its threshold, and no count of answers.
    assert!(pt.contains("Autumn pulse"), "{pt}");
    assert!(
        pt.contains("results show only groups of at least 5 answers"),
        "{pt}"
    );
    assert!(!pt.contains("responded"), "{pt}");

    // Each link opens the page filtered to what waits.
    let get = |path: String| {
        let app = &app;
        let admin = &admin;
        async move {
            app.get(&path.replace("&#38;", "&"))
                .session(admin)
                .send()
                .await
                .expect(StatusCode::OK)
                .body
        }
    };
    let nominations = get("/nominations?status=pending".into()).await;
    assert!(nominations.contains(&format!("/nominations/{nomination}")));
    let surveys = get("/admin/surveys?status=open".into()).await;
    assert!(surveys.contains("Autumn pulse") && surveys.contains("Showing the open surveys only"));
    let roadmap = get("/admin/rollout/roadmap?due=soon".into()).await;
    assert!(roadmap.contains("Brief the managers"), "{roadmap}");
    assert_eq!(
        roadmap.matches("class=\"check-item").count(),
        1,
        "{roadmap}"
    );
    let without_position = get("/people?missing=position&status=active".into()).await;
    assert!(without_position.contains("Quinn Lone"));
    assert!(without_position.contains("1 person without a position"));
    let without_manager = get("/people?missing=manager&status=active".into()).await;
    assert!(without_manager.contains("Quinn Lone"));
    assert!(without_manager.contains("1 person without a manager"));
    let audit = get(failed_href).await;
    assert!(
        audit.contains(
            "A provisioning request failed: the identity provider could not add a person. A User needs a userName."
        ),
        "{audit}"
    );
    assert!(audit.contains("Provisioning"));
    assert!(!audit.contains("correct-horse-battery"));
}

#[tokio::test]
async fn nothing_waiting_reads_as_a_calm_sentence_with_what_to_do_next() {
    let app = TestApp::demo().await;
    app.organisation().await;
    settle(&app).await;
    let admin = app.admin().await;
    let page = home(&app, &admin).await;
    let pt = section(&page);
    assert!(
        pt.contains("Nothing waits for the People team right now"),
        "{pt}"
    );
    assert!(pt.contains("href=\"/admin/surveys/new\""));
    assert!(!pt.contains("people-team-counts"));
    // The admin's own career is still on the page, and linked from the section.
    assert!(pt.contains("href=\"#own-career\""));
    assert!(page.contains("id=\"own-career\""));
    assert!(page.contains("Your position"));
}

#[tokio::test]
async fn a_nomination_waiting_is_in_the_admins_own_actions() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    settle(&app).await;
    let admin = app.admin().await;
    let before = home(&app, &admin).await;
    assert!(before.contains("Nothing waits for you right now."));
    let id = stored(&app, org.ola, org.noor, "se2", "pending").await;
    let page = home(&app, &admin).await;
    assert!(!page.contains("Nothing waits for you right now."), "{page}");
    assert!(page.contains(&format!(
        "<a href=\"/nominations/{id}\">Decide on the nomination of OLA for Software Engineer II</a>"
    )));
}

#[tokio::test]
async fn failed_scim_requests_are_counted_and_audited_without_their_secrets() {
    let app = TestApp::demo().await;
    let token = app.token("scim").await;
    let admin = app.admin().await;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "river@demo.trellis.test",
        "name": { "formatted": "River Stone" },
        "password": "never-in-the-log",
    })
    .to_string();
    app.post("/scim/v2/Users")
        .bearer(&token)
        .text(SCIM, &body)
        .send()
        .await
        .expect(StatusCode::CREATED);
    // The same user again: a conflict. A manager that does not exist: refused.
    app.post("/scim/v2/Users")
        .bearer(&token)
        .text(SCIM, &body)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    app.post("/scim/v2/Users")
        .bearer(&token)
        .text(
            SCIM,
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "userName": "sky@demo.trellis.test",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                    "manager": { "value": "999999" }
                },
            })
            .to_string(),
        )
        .send()
        .await;
    // Reads that fail are not provisioning.
    app.get("/scim/v2/Users/999999")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let events: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT actor, summary, detail FROM audit_events WHERE action = 'provisioning.failed' ORDER BY id",
    )
    .fetch_all(app.state.db().pool())
    .await
    .expect("events");
    assert!(events.len() >= 2, "{events:?}");
    assert!(events[0].1.starts_with(
        "A provisioning request failed: the identity provider could not add a person."
    ));
    for (actor, summary, detail) in &events {
        assert_eq!(actor, "token:test");
        let all = format!("{summary} {}", detail.as_deref().unwrap_or_default());
        assert!(!all.contains("never-in-the-log"), "{all}");
    }
    let page = home(&app, &admin).await;
    let count = format!(
        "{} provisioning requests failed in the last 7 days",
        events.len()
    );
    assert!(section(&page).contains(&count), "{page}");
}

#[tokio::test]
async fn employees_and_managers_never_see_the_people_team_section() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    stored(&app, org.ola, org.noor, "se2", "pending").await;
    let employee = app.employee().await;
    let page = home(&app, &employee).await;
    assert!(!page.contains("id=\"people-team\""));
    let manager = sign_in_as(&app, "mia@demo.trellis.test").await;
    let page = home(&app, &manager).await;
    assert!(page.contains("Your team"), "Mia manages Noor");
    assert!(!page.contains("id=\"people-team\""));
    assert!(!page.contains("What waits for the People team"));
    // The filters behind the counts stay the People team's where they reveal positions.
    app.get("/people?missing=position")
        .session(&manager)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}
