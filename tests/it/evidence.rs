//! Evidence: who adds, sees, changes and confirms a person's evidence, asking a colleague to
//! confirm one item, and the checks on what is sent, over the pages and the API.

pub use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::{Actor, Role, Via};
use trellis::growth::evidence;

use crate::helpers::{Organisation, Session, TestApp};

/// A person of the directory as an actor, for setting things up through the services.
pub fn person(id: i64, email: &str) -> Actor {
    Actor {
        user_id: Some(id),
        label: email.into(),
        name: email.into(),
        role: Role::Employee,
        via: Via::Session,
    }
}

/// The organisation with a session for each of its people.
struct World {
    app: TestApp,
    org: Organisation,
    mia: Session,
    noor: Session,
    ola: Session,
    pat: Session,
}

async fn world() -> World {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let mia = sign_in_as(&app, "mia@demo.trellis.test").await;
    let noor = sign_in_as(&app, "noor@demo.trellis.test").await;
    let ola = sign_in_as(&app, "ola@demo.trellis.test").await;
    let pat = sign_in_as(&app, "pat@demo.trellis.test").await;
    World {
        app,
        org,
        mia,
        noor,
        ola,
        pat,
    }
}

fn item(title: &str) -> serde_json::Value {
    json!({
        "kind": "pull_request",
        "title": title,
        "url": "https://git.example.com/pr/42",
        "note": "Split the **billing** job so it retries on its own.",
        "happened_on": "2026-03-02",
        "competencies": ["ownership", "technical-quality"],
    })
}

/// Adds an item to a person's evidence over the API as `who`; returns its id.
async fn add(app: &TestApp, who: &Session, person: i64, body: &serde_json::Value) -> i64 {
    let res = app
        .post(&format!("/api/v1/people/{person}/evidence"))
        .session(who)
        .json(body)
        .send()
        .await
        .expect(StatusCode::CREATED);
    res.json()["item"]["id"].as_i64().expect("an id")
}

async fn audit_actions(app: &TestApp, object: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE object = $1 ORDER BY id")
        .bind(object)
        .fetch_all(app.state.db().pool())
        .await
        .expect("audit events")
}

/// Objects for the access matrix, all Ola's: an item the rows read and confirm, items the demo's
/// employee (the matrix's outsider) was asked to confirm, and throwaway items for the rows that
/// change, remove, decline or withdraw for good.
pub async fn access_objects(app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    let ola = person(org.ola, "ola@demo.trellis.test");
    let input = |title: &str| evidence::EvidenceInput {
        kind: "document".into(),
        title: title.into(),
        competencies: vec!["ownership".into()],
        ..evidence::EvidenceInput::default()
    };
    let employee = evidence::Colleague::Email(crate::helpers::EMPLOYEE.0.into());
    let mut objects = Vec::new();
    for (name, ask) in [
        ("evidence", false),
        ("evidence_asked", true),
        ("evidence_decline", true),
        ("evidence_withdraw", true),
        ("evidence_api_decline", true),
        ("evidence_api_withdraw", true),
        ("evidence_edit", false),
        ("evidence_remove", false),
        ("evidence_api_edit", false),
        ("evidence_api_remove", false),
    ] {
        let id = evidence::add(&app.state, &ola, org.ola, &input(name))
            .await
            .expect("an evidence item");
        if ask {
            evidence::ask(&app.state, &ola, id, &employee)
                .await
                .expect("ask the employee to confirm");
        }
        objects.push((name, id));
    }
    objects
}

#[tokio::test]
async fn the_person_and_their_chain_see_evidence_and_a_peer_gets_404() {
    let w = world().await;
    let id = add(&w.app, &w.ola, w.org.ola, &item("Billing retries")).await;
    let list = format!("/people/{}/evidence", w.org.ola);
    let page = format!("/evidence/{id}");
    for who in [&w.ola, &w.noor, &w.mia] {
        let res = w
            .app
            .get(&list)
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(res.body.contains("Billing retries"));
        assert!(
            res.body.contains("<strong>billing</strong>"),
            "the note is markdown"
        );
        let res = w
            .app
            .get(&page)
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(res.body.contains("https://git.example.com/pr/42"));
    }
    let admin = w.app.admin().await;
    w.app
        .get(&list)
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    w.app
        .get(&page)
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let employee = w.app.employee().await;
    for who in [&w.pat, &employee] {
        w.app
            .get(&list)
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        w.app
            .get(&page)
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        w.app
            .get(&format!("/api/v1/people/{}/evidence", w.org.ola))
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        w.app
            .get(&format!("/api/v1/evidence/{id}"))
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    // Noor sees Ola's, but not her own manager Mia's.
    let mias = add(
        &w.app,
        &w.mia,
        w.org.mia,
        &json!({
            "kind": "note", "title": "Set the platform plan", "competencies": ["ownership"]
        }),
    )
    .await;
    w.app
        .get(&format!("/evidence/{mias}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // Over the API, with a token of the organisation.
    let token = w.app.token("api").await;
    let listed = w
        .app
        .get(&format!("/api/v1/people/{}/evidence", w.org.ola))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(listed["items"][0]["title"], "Billing retries");
    assert_eq!(
        listed["items"][0]["competencies"],
        json!(["ownership", "technical-quality"])
    );
    assert_eq!(
        audit_actions(&w.app, &format!("evidence:{id}")).await,
        ["evidence.add"]
    );
}

#[tokio::test]
async fn the_chain_adds_evidence_but_peers_and_admins_do_not() {
    let w = world().await;
    let by_noor = add(&w.app, &w.noor, w.org.ola, &item("Led the incident review")).await;
    let detail = w
        .app
        .get(&format!("/api/v1/evidence/{by_noor}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(detail["item"]["author_id"], json!(w.org.noor));
    assert_eq!(detail["may"]["edit"], json!(false), "Ola did not write it");
    w.app
        .post(&format!("/api/v1/people/{}/evidence", w.org.ola))
        .session(&w.pat)
        .json(&item("Not mine to add"))
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let admin = w.app.admin().await;
    w.app
        .post(&format!("/api/v1/people/{}/evidence", w.org.ola))
        .session(&admin)
        .json(&item("Not the People team's to add"))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    w.app
        .post(&format!("/people/{}/evidence", w.org.ola))
        .session(&admin)
        .form(&[
            ("kind", "note"),
            ("title", "x"),
            ("competencies", "ownership"),
        ])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_add_form_works_without_javascript_and_shows_mistakes_next_to_the_fields() {
    let w = world().await;
    let path = format!("/people/{}/evidence", w.org.ola);
    let page = w
        .app
        .get(&path)
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Add evidence"));
    assert!(
        page.body
            .contains(r#"name="competencies" value="ownership""#)
    );
    assert!(
        !page.body.contains(r#"value="strategy""#),
        "only the track's competencies"
    );
    let res = w
        .app
        .post(&path)
        .session(&w.ola)
        .form(&[
            ("kind", "document"),
            ("title", "Design note for the importer"),
            ("url", "https://docs.example.com/importer"),
            ("happened_on", "2026-01-20"),
            ("note", "Reviewed by two teams."),
            ("competencies", "communication"),
            ("competencies", "ownership"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = res.header("location").to_owned();
    assert!(location.starts_with("/evidence/"), "{location}");
    let shown = w
        .app
        .get(&location)
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(shown.body.contains("Design note for the importer"));
    assert!(shown.body.contains("Communication") && shown.body.contains("Ownership"));
    // Every mistake at once, the input kept.
    let refused = w
        .app
        .post(&path)
        .session(&w.ola)
        .form(&[
            ("kind", "note"),
            ("title", "Kept title"),
            ("url", "javascript:alert(1)"),
            ("happened_on", "31/12/2026"),
            ("competencies", "no-such-thing"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(r#"value="Kept title""#),
        "the title is kept"
    );
    assert!(
        refused
            .body
            .contains("A link starts with https:// or http://")
    );
    assert!(refused.body.contains("is not a date written YYYY-MM-DD"));
    assert!(
        refused
            .body
            .contains("“no-such-thing” is not a competency of the framework")
    );
    assert!(refused.body.contains(r#"aria-invalid="true""#));
    assert!(
        !refused.body.contains("javascript:alert(1)</a>"),
        "never a link"
    );
}

#[tokio::test]
async fn the_api_refuses_bad_evidence_with_a_problem_for_each_field() {
    let w = world().await;
    let path = format!("/api/v1/people/{}/evidence", w.org.ola);
    let cases = [
        (
            json!({"kind": "note", "title": "x", "competencies": ["nope"]}),
            "competencies",
            "is not a competency of the framework",
        ),
        (
            json!({"kind": "note", "title": "x", "competencies": ["strategy"]}),
            "competencies",
            "Strategy is not a competency of this person's track",
        ),
        (
            json!({"kind": "note", "title": "x", "competencies": []}),
            "competencies",
            "at least one competency",
        ),
        (
            json!({"kind": "note", "title": "x", "url": "javascript:alert(1)", "competencies": ["ownership"]}),
            "url",
            "https://",
        ),
        (
            json!({"kind": "note", "title": "x", "url": "ftp://files.example.com/a", "competencies": ["ownership"]}),
            "url",
            "https://",
        ),
        (
            json!({"kind": "note", "title": "x", "url": "https://", "competencies": ["ownership"]}),
            "url",
            "no address",
        ),
        (
            json!({"kind": "poem", "title": "x", "competencies": ["ownership"]}),
            "kind",
            "Choose the kind",
        ),
        (
            json!({"kind": "note", "title": "", "competencies": ["ownership"]}),
            "title",
            "title",
        ),
        (
            json!({"kind": "note", "title": "t".repeat(201), "competencies": ["ownership"]}),
            "title",
            "at most 200",
        ),
        (
            json!({"kind": "note", "title": "x", "note": "n".repeat(20_001), "competencies": ["ownership"]}),
            "note",
            "at most 20000",
        ),
        (
            json!({"kind": "note", "title": "x", "happened_on": "2026-02-30", "competencies": ["ownership"]}),
            "happened_on",
            "YYYY-MM-DD",
        ),
    ];
    for (body, field, message) in cases {
        let res = w
            .app
            .post(&path)
            .session(&w.ola)
            .json(&body)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.header("content-type"), "application/problem+json");
        let problem = res.json();
        let errors = problem["errors"].as_array().expect("field errors");
        assert!(
            errors.iter().any(|e| e["field"] == field
                && e["message"].as_str().is_some_and(|m| m.contains(message))),
            "{field}: {message} in {problem}"
        );
    }
    // An unknown field is refused too, never a 500.
    w.app
        .post(&path)
        .session(&w.ola)
        .json(
            &json!({"kind": "note", "title": "x", "competencies": ["ownership"], "colour": "red"}),
        )
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evidence")
        .fetch_one(w.app.state.db().pool())
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing refused was stored");
}

#[tokio::test]
async fn only_the_author_changes_or_removes_an_item() {
    let w = world().await;
    let own = add(&w.app, &w.ola, w.org.ola, &item("My own")).await;
    let by_noor = add(&w.app, &w.noor, w.org.ola, &item("Noor's note")).await;
    let admin = w.app.admin().await;
    let changed = json!({"kind": "feedback", "title": "Renamed", "competencies": ["teamwork"]});
    for (who, id) in [
        (&w.noor, own),
        (&admin, own),
        (&w.ola, by_noor),
        (&w.mia, own),
    ] {
        w.app
            .put(&format!("/api/v1/evidence/{id}"))
            .session(who)
            .json(&changed)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        w.app
            .delete(&format!("/api/v1/evidence/{id}"))
            .session(who)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    w.app
        .put(&format!("/api/v1/evidence/{own}"))
        .session(&w.pat)
        .json(&changed)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let res = w
        .app
        .put(&format!("/api/v1/evidence/{own}"))
        .session(&w.ola)
        .json(&changed)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(res["item"]["title"], "Renamed");
    assert_eq!(res["item"]["kind"], "feedback");
    assert_eq!(res["item"]["url"], json!(null));
    assert_eq!(res["item"]["competencies"], json!(["teamwork"]));
    // The page form, with a mistake, then right.
    w.app
        .post(&format!("/evidence/{by_noor}"))
        .session(&w.noor)
        .form(&[
            ("kind", "note"),
            ("title", ""),
            ("competencies", "ownership"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    w.app
        .post(&format!("/evidence/{by_noor}"))
        .session(&w.noor)
        .form(&[
            ("kind", "note"),
            ("title", "Noor's note, clearer"),
            ("competencies", "ownership"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    w.app
        .post(&format!("/evidence/{by_noor}/remove"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    w.app
        .delete(&format!("/api/v1/evidence/{own}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    for id in [own, by_noor] {
        w.app
            .get(&format!("/evidence/{id}"))
            .session(&w.ola)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    assert_eq!(
        audit_actions(&w.app, &format!("evidence:{own}")).await,
        ["evidence.add", "evidence.edit", "evidence.remove"]
    );
}

#[tokio::test]
async fn managers_in_the_chain_confirm_and_a_change_removes_the_confirmations() {
    let w = world().await;
    let id = add(&w.app, &w.ola, w.org.ola, &item("Billing retries")).await;
    w.app
        .post(&format!("/evidence/{id}/confirm"))
        .session(&w.noor)
        .form(&[("comment", "I reviewed it; it *held* in the March incident.")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let detail = w
        .app
        .post(&format!("/api/v1/evidence/{id}/confirmation"))
        .session(&w.mia)
        .json(&json!({}))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let confirmations = detail["item"]["confirmations"].as_array().expect("a list");
    let mut who: Vec<i64> = confirmations
        .iter()
        .filter_map(|c| c["user_id"].as_i64())
        .collect();
    who.sort_unstable();
    let mut chain = vec![w.org.noor, w.org.mia];
    chain.sort_unstable();
    assert_eq!(who, chain);
    let page = w
        .app
        .get(&format!("/evidence/{id}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Confirmed by NOOR") && page.body.contains("<em>held</em>"));
    // Not oneself, not an admin outside the chain, not a peer.
    let admin = w.app.admin().await;
    w.app
        .post(&format!("/api/v1/evidence/{id}/confirmation"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    w.app
        .post(&format!("/api/v1/evidence/{id}/confirmation"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    w.app
        .post(&format!("/api/v1/evidence/{id}/confirmation"))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // A comment too long is refused with a reason.
    w.app
        .post(&format!("/evidence/{id}/confirm"))
        .session(&w.noor)
        .form(&[("comment", &"c".repeat(20_001))])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // Mia withdraws hers; withdrawing again is a conflict.
    w.app
        .delete(&format!("/api/v1/evidence/{id}/confirmation"))
        .session(&w.mia)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    w.app
        .delete(&format!("/api/v1/evidence/{id}/confirmation"))
        .session(&w.mia)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    // Ola changes the item: Noor confirmed what it said before.
    let changed = w
        .app
        .put(&format!("/api/v1/evidence/{id}"))
        .session(&w.ola)
        .json(&item("Billing retries, with numbers"))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(changed["item"]["confirmations"], json!([]));
    assert_eq!(
        audit_actions(&w.app, &format!("evidence:{id}")).await,
        [
            "evidence.add",
            "evidence.confirm",
            "evidence.confirm",
            "evidence.unconfirm",
            "evidence.edit"
        ]
    );
}

#[tokio::test]
async fn a_colleague_asked_to_confirm_sees_that_one_item_and_nothing_else() {
    let w = world().await;
    let asked = add(&w.app, &w.ola, w.org.ola, &item("Pairing on the importer")).await;
    let other = add(
        &w.app,
        &w.ola,
        w.org.ola,
        &item("Something Pat was not asked about"),
    )
    .await;
    w.app
        .get(&format!("/evidence/{asked}"))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // Only the owner asks; a manager in the chain cannot.
    w.app
        .post(&format!("/api/v1/evidence/{asked}/requests"))
        .session(&w.noor)
        .json(&json!({"email": "pat@demo.trellis.test"}))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Mistakes: oneself, nobody, neither or both of id and email.
    for (body, message) in [
        (
            json!({"email": "ola@demo.trellis.test"}),
            "cannot confirm your own",
        ),
        (
            json!({"email": "nobody@demo.trellis.test"}),
            "Nobody in the directory",
        ),
        (json!({}), "by user_id or by email"),
        (
            json!({"user_id": w.org.pat, "email": "pat@demo.trellis.test"}),
            "by user_id or by email",
        ),
    ] {
        let problem = w
            .app
            .post(&format!("/api/v1/evidence/{asked}/requests"))
            .session(&w.ola)
            .json(&body)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .json();
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(message)),
            "{problem}"
        );
    }
    // Ola asks Pat from the item's page.
    w.app
        .post(&format!("/evidence/{asked}/ask"))
        .session(&w.ola)
        .form(&[("colleague", "PAT@demo.trellis.test")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let again = w
        .app
        .post(&format!("/evidence/{asked}/ask"))
        .session(&w.ola)
        .form(&[("colleague", "pat@demo.trellis.test")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already asked"));
    // Pat sees this item, among the items to confirm, and nothing else of Ola's.
    let page = w
        .app
        .get(&format!("/evidence/{asked}"))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("asked you to confirm"));
    assert!(page.body.contains("Confirm this evidence") && page.body.contains("Decline"));
    assert!(
        !page.body.contains("Save the changes"),
        "not Pat's to change"
    );
    let list = w
        .app
        .get("/evidence/asked")
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        list.body.contains("Pairing on the importer")
            && list.body.contains("waiting for your answer")
    );
    w.app
        .get(&format!("/evidence/{other}"))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .get(&format!("/people/{}/evidence", w.org.ola))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let employee = w.app.employee().await;
    w.app
        .get(&format!("/evidence/{asked}"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // Pat sees only their own request, not whom else Ola asked.
    w.app
        .post(&format!("/api/v1/evidence/{asked}/requests"))
        .session(&w.ola)
        .json(&json!({"email": "employee@demo.trellis.test"}))
        .send()
        .await
        .expect(StatusCode::OK);
    let seen = w
        .app
        .get(&format!("/api/v1/evidence/{asked}"))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(seen["requests"].as_array().map(Vec::len), Some(1));
    assert_eq!(seen["asked_only"], json!(true));
    // Pat confirms; the item stays visible to them.
    w.app
        .post(&format!("/evidence/{asked}/confirm"))
        .session(&w.pat)
        .form(&[("comment", "We paired on it for a week.")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let owner_view = w
        .app
        .get(&format!("/api/v1/evidence/{asked}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let requests = owner_view["requests"].as_array().expect("requests");
    assert!(
        requests
            .iter()
            .any(|r| r["user_id"] == json!(w.org.pat) && r["status"] == "confirmed")
    );
    assert_eq!(
        owner_view["item"]["confirmations"][0]["user_id"],
        json!(w.org.pat)
    );
    // The employee declines and then no longer sees it; declining twice is refused.
    w.app
        .post(&format!("/evidence/{asked}/decline"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    w.app
        .get(&format!("/evidence/{asked}"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .post(&format!("/api/v1/evidence/{asked}/decline"))
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // A manager in the chain has no request to decline.
    w.app
        .post(&format!("/api/v1/evidence/{asked}/decline"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Ola withdraws Pat's request: the confirmation stays, the item is hidden from Pat again.
    w.app
        .post(&format!("/api/v1/evidence/{asked}/requests/withdraw"))
        .session(&w.ola)
        .json(&json!({"user_id": w.org.pat}))
        .send()
        .await
        .expect(StatusCode::OK);
    w.app
        .get(&format!("/evidence/{asked}"))
        .session(&w.pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .post(&format!("/evidence/{asked}/withdraw"))
        .session(&w.ola)
        .form(&[("user_id", &w.org.pat.to_string())])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        audit_actions(&w.app, &format!("evidence:{asked}")).await,
        [
            "evidence.add",
            "evidence.ask",
            "evidence.ask",
            "evidence.confirm",
            "evidence.decline",
            "evidence.withdraw_request"
        ]
    );
}

#[tokio::test]
async fn evidence_is_listed_by_competency_for_check_ins() {
    let w = world().await;
    let a = add(&w.app, &w.ola, w.org.ola, &item("Billing retries")).await;
    let b = add(
        &w.app,
        &w.ola,
        w.org.ola,
        &json!({
            "kind": "feedback", "title": "Kind words from support", "happened_on": "2026-04-01",
            "competencies": ["communication", "ownership"]
        }),
    )
    .await;
    let by = evidence::for_competencies(
        w.app.state.db(),
        w.org.ola,
        &[
            "ownership".into(),
            "communication".into(),
            "mentoring".into(),
        ],
    )
    .await
    .expect("evidence by competency");
    let ids = |k: &str| {
        by.get(k)
            .map(|v| v.iter().map(|i| i.id).collect::<Vec<_>>())
    };
    assert_eq!(ids("ownership"), Some(vec![b, a]), "newest first");
    assert_eq!(ids("communication"), Some(vec![b]));
    assert_eq!(ids("mentoring"), None);
    assert_eq!(ids("technical-quality"), None, "not asked for");
    // The page filters, and says which competencies have evidence.
    let page = w
        .app
        .get(&format!(
            "/people/{}/evidence?competency=communication",
            w.org.ola
        ))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body.contains("Kind words from support") && !page.body.contains("Billing retries")
    );
    assert!(page.body.contains("Ownership (2)"));
    let api = w
        .app
        .get(&format!(
            "/api/v1/people/{}/evidence?competency=technical-quality",
            w.org.ola
        ))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(api["items"].as_array().map(Vec::len), Some(1));
    w.app
        .get(&format!(
            "/api/v1/people/{}/evidence?competency=juggling",
            w.org.ola
        ))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn evidence_is_closed_to_teams_outside_the_pilot() {
    let w = world().await;
    let id = add(&w.app, &w.ola, w.org.ola, &item("Billing retries")).await;
    let db = w.app.state.db();
    sqlx::query("INSERT INTO grow_release (id, audience, updated_at) VALUES (1, 'pilot', 0)")
        .execute(db.pool())
        .await
        .expect("pilot only");
    // Nobody's team is in the pilot: the Grow features answer 403 with a reason.
    let res = w
        .app
        .get(&format!("/api/v1/people/{}/evidence", w.org.ola))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(res.body.contains("pilot"));
    w.app
        .get(&format!("/evidence/{id}"))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let admin = w.app.admin().await;
    w.app
        .get(&format!("/evidence/{id}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    // Their team joins the pilot.
    sqlx::query(
        "INSERT INTO pilot_teams (team_id, added_at) SELECT team_id, 0 FROM users WHERE id = $1",
    )
    .bind(w.org.ola)
    .execute(db.pool())
    .await
    .expect("the team joins");
    w.app
        .get(&format!("/evidence/{id}"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
}
