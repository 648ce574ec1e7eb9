//! Promotion nominations: a manager nominates a report with a case that shows the latest agreed
//! check-in and the evidence; the People team approves (the position history gains the promotion
//! in the same transaction) or declines with a note; the nominator withdraws. The nominee does not
//! see a pending nomination; peers see nothing. Over the pages and the API.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, EMPLOYEE, Organisation, TestApp};
use crate::home::{PROFILE, agreed_checkin};
use crate::plans::{MIA, NOOR, OLA, PAT, id_in, sign_in_as};

async fn world() -> (TestApp, Organisation) {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    (app, org)
}

/// A piece of evidence of `person` supporting a competency.
pub async fn evidence(app: &TestApp, person: i64, title: &str, competency: &str) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evidence (person_id, kind, title, url, happened_on, created_by, created_at, updated_at) \
         VALUES ($1, 'document', $2, 'https://docs.example.test/design', '2026-01-20', $1, 0, 0) RETURNING id",
    )
    .bind(person)
    .bind(title)
    .fetch_one(app.state.db().pool())
    .await
    .expect("evidence");
    sqlx::query("INSERT INTO evidence_competencies (evidence_id, competency_key) VALUES ($1, $2)")
        .bind(id)
        .bind(competency)
        .execute(app.state.db().pool())
        .await
        .expect("evidence for a competency");
    id
}

/// A nomination inserted as it is stored, for the access matrix's objects.
pub async fn stored(app: &TestApp, person: i64, by: i64, level: &str, status: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO nominations (person_id, nominated_by, track_key, level_key, from_track_key, \
         from_level_key, kind, case_text, status, created_at, updated_at) \
         VALUES ($1, $2, 'software-engineering', $3, 'software-engineering', 'se1', 'promotion', \
         'Leads the incident reviews of the team.', $4, 0, 0) RETURNING id",
    )
    .bind(person)
    .bind(by)
    .bind(level)
    .bind(status)
    .fetch_one(app.state.db().pool())
    .await
    .expect("a nomination")
}

/// The nominations the access matrix (tests/it/access.rs) acts on, all made by Mia: Ola's pending
/// one (hidden from her) and approved one (hers to read), and Noor's pending one. The rows decide
/// on and withdraw the pending ones, then nominate Ola and Noor again.
pub async fn access_objects(app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    vec![
        (
            "nomination",
            stored(app, org.ola, org.mia, "se2", "pending").await,
        ),
        (
            "nomination-approved",
            stored(app, org.ola, org.mia, "se2", "approved").await,
        ),
        (
            "nomination-noor",
            stored(app, org.noor, org.mia, "principal", "pending").await,
        ),
    ]
}

/// Mia nominates Noor for Principal Engineer through the form; returns the nomination's id.
async fn mia_nominates_noor(app: &TestApp, org: &Organisation) -> i64 {
    let mia = sign_in_as(app, MIA).await;
    let res = app
        .post(&format!("/people/{}/nominations", org.noor))
        .session(&mia)
        .form(&[
            ("position", "software-engineering/principal"),
            ("effective_on", "2026-04-01"),
            (
                "case_text",
                "Noor **led** the move to one database per service.",
            ),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    id_in(res.header("location"))
}

async fn positions(app: &TestApp, person: i64) -> Vec<Value> {
    let token = app.token("api").await;
    app.get(&format!("/api/v1/people/{person}/positions"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
        .as_array()
        .expect("positions")
        .clone()
}

#[tokio::test]
async fn a_manager_nominates_a_report_with_the_checkin_and_the_evidence_in_the_case() {
    let (app, org) = world().await;
    let checkin = agreed_checkin(&app, org.noor, org.mia, "principal", 15, &PROFILE).await;
    evidence(
        &app,
        org.noor,
        "The shared database retirement plan",
        "ownership",
    )
    .await;
    let mia = sign_in_as(&app, MIA).await;
    let form = app
        .get(&format!("/people/{}/nominations/new", org.noor))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(form.contains("<h1>Nominate NOOR</h1>"));
    assert!(form.contains("NOOR is Software Engineer II (Software Engineering) now."));
    // The next level is suggested; lower levels of the track are not offered.
    assert!(form.contains(
        "<option value=\"software-engineering/principal\" selected>Principal Engineer</option>"
    ));
    assert!(!form.contains("value=\"software-engineering/se1\""));
    assert!(
        form.contains("value=\"engineering-management/em\""),
        "a move to another track"
    );
    // The case starts from the check-in and the evidence, written out.
    assert!(form.contains("## Latest agreed check-in"));
    assert!(form.contains("- Ownership: Meets"));
    assert!(
        form.contains("[The shared database retirement plan](https://docs.example.test/design)")
    );
    assert!(form.contains(&format!(
        "<a href=\"/checkins/{checkin}\">Open the check-in</a>"
    )));

    let id = mia_nominates_noor(&app, &org).await;
    let page = app
        .get(&format!("/nominations/{id}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("<h1>Nomination of NOOR</h1>"));
    assert!(
        page.contains("Noor <strong>led</strong> the move"),
        "the case, as markdown"
    );
    assert!(page.contains("Promotion proposed, waiting for a decision"));
    assert!(page.contains("Software Engineer II (Software Engineering)"));
    assert!(page.contains("Proposed date</dt><dd>2026-04-01"));
    assert!(page.contains("<tr><th scope=\"row\">Ownership</th><td>Meets</td></tr>"));
    assert!(page.contains("The shared database retirement plan"));
    assert!(
        page.contains("Withdraw the nomination"),
        "the nominator may withdraw"
    );
    assert!(
        !page.contains("Record the decision"),
        "managers do not decide"
    );

    let token = app.token_for(MIA).await;
    let n = app
        .get(&format!("/api/v1/nominations/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(n["status"], "pending");
    assert_eq!(n["kind"], "promotion");
    assert_eq!(n["from"]["level"], "se2");
    assert_eq!(n["to"]["level"], "principal");
    assert_eq!(n["nominated_by"]["id"], org.mia);
    assert_eq!(n["checkin"]["id"], checkin);
    assert_eq!(n["checkin"]["rated"], 5);
    assert_eq!(n["evidence"][0]["key"], "ownership");
    assert_eq!(n["can_withdraw"], true);
    assert_eq!(n["can_decide"], false);
    let list = app
        .get("/api/v1/nominations")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(list["nominations"][0]["id"], id);
}

#[tokio::test]
async fn approving_records_the_promotion_in_the_position_history() {
    let (app, org) = world().await;
    let id = mia_nominates_noor(&app, &org).await;
    let admin = app.sign_in(ADMIN).await;
    let queue = app
        .get("/nominations")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(queue.contains(&format!("<a href=\"/nominations/{id}\">NOOR</a>")));
    let page = app
        .get(&format!("/nominations/{id}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Record the decision"));
    let res = app
        .post(&format!("/nominations/{id}/decision"))
        .session(&admin)
        .form(&[
            ("decision", "approve"),
            ("effective_on", "2026-05-01"),
            ("note", ""),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), format!("/nominations/{id}"));
    let history = positions(&app, org.noor).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["kind"], "promotion");
    assert_eq!(history[0]["effective_on"], "2026-05-01");
    assert_eq!(history[0]["position"]["level"], "principal");
    assert_eq!(history[0]["note"], format!("Nomination {id}"));
    let level: String = sqlx::query_scalar("SELECT level_key FROM users WHERE id = $1")
        .bind(org.noor)
        .fetch_one(app.state.db().pool())
        .await
        .expect("Noor's level");
    assert_eq!(level, "principal");
    // Both the decision and the position are in the audit log.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE object = $1 OR object = $2 ORDER BY id DESC LIMIT 2",
    )
    .bind(format!("nomination:{id}"))
    .bind(format!("user:{}", org.noor))
    .fetch_all(app.state.db().pool())
    .await
    .expect("the audit log");
    assert_eq!(actions, ["nomination.approve", "position.record"]);
    // Decided once only.
    let token = app.token("api").await;
    app.post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&token)
        .json(&json!({ "decision": "decline", "note": "Changed our mind" }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let page = app
        .get(&format!("/nominations/{id}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Effective from</dt><dd>2026-05-01"));
    assert!(!page.contains("Record the decision"));
}

#[tokio::test]
async fn a_failed_approval_leaves_the_nomination_pending_and_the_history_as_it_was() {
    let (app, org) = world().await;
    let id = mia_nominates_noor(&app, &org).await;
    // The level disappeared from the framework meanwhile: recording the position fails, and the
    // decision written before it in the same transaction is rolled back with it.
    sqlx::query("UPDATE nominations SET level_key = 'retired-level' WHERE id = $1")
        .bind(id)
        .execute(app.state.db().pool())
        .await
        .expect("an unknown level");
    let token = app.token("api").await;
    let res = app
        .post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&token)
        .json(&json!({ "decision": "approve" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("retired-level"), "{}", res.body);
    let status: String = sqlx::query_scalar("SELECT status FROM nominations WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the nomination");
    assert_eq!(status, "pending");
    assert_eq!(positions(&app, org.noor).await.len(), 1);
}

#[tokio::test]
async fn declining_needs_a_note_and_records_no_position() {
    let (app, org) = world().await;
    let id = mia_nominates_noor(&app, &org).await;
    let admin = app.sign_in(ADMIN).await;
    let res = app
        .post(&format!("/nominations/{id}/decision"))
        .session(&admin)
        .form(&[("decision", "decline"), ("effective_on", ""), ("note", " ")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Say why the nomination is declined"));
    assert!(res.body.contains("aria-invalid=\"true\""));
    let token = app.token("api").await;
    let n = app
        .post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&token)
        .json(&json!({ "decision": "decline", "note": "Not *yet*: lead one more cross-team project." }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(n["status"], "declined");
    assert_eq!(positions(&app, org.noor).await.len(), 1);
    let mia = sign_in_as(&app, MIA).await;
    let page = app
        .get(&format!("/nominations/{id}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("Why it was declined"));
    assert!(page.contains("Not <em>yet</em>"));
    // A bad decision word is the caller's mistake.
    let other = app
        .post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&token)
        .json(&json!({ "decision": "maybe" }))
        .send()
        .await;
    assert_eq!(
        other.status,
        StatusCode::CONFLICT,
        "decided already comes first"
    );
}

#[tokio::test]
async fn the_nominee_does_not_see_a_pending_nomination_but_sees_it_once_approved() {
    let (app, org) = world().await;
    let id = mia_nominates_noor(&app, &org).await;
    let noor = sign_in_as(&app, NOOR).await;
    app.get(&format!("/nominations/{id}"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let token = app.token_for(NOOR).await;
    app.get(&format!("/api/v1/nominations/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let list = app
        .get("/api/v1/nominations")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(list["nominations"].as_array().expect("a list").is_empty());
    let page = app
        .get("/nominations")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(!page.contains(&format!("/nominations/{id}\"")));
    // Approved, it is her promotion: she reads it, without a way to decide or withdraw.
    let admin_token = app.token("api").await;
    app.post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&admin_token)
        .json(&json!({ "decision": "approve" }))
        .send()
        .await
        .expect(StatusCode::OK);
    let n = app
        .get(&format!("/api/v1/nominations/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(n["status"], "approved");
    assert_eq!(n["can_withdraw"], false);
    let list = app
        .get("/api/v1/nominations")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(list["nominations"][0]["id"], id);
}

#[tokio::test]
async fn peers_and_reports_get_404_and_only_the_chain_nominates() {
    let (app, org) = world().await;
    let id = mia_nominates_noor(&app, &org).await;
    for who in [PAT, OLA, EMPLOYEE.0] {
        let token = app.token_for(who).await;
        app.get(&format!("/api/v1/nominations/{id}"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        app.post(&format!("/api/v1/nominations/{id}/withdraw"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    let pat = sign_in_as(&app, PAT).await;
    app.get(&format!("/nominations/{id}"))
        .session(&pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.get(&format!("/people/{}/nominations/new", org.noor))
        .session(&pat)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // A report does not nominate their manager (404: not theirs to see), nobody nominates
    // themselves, and the People team decides rather than nominates.
    let body = json!({ "track": "software-engineering", "level": "se2", "case_text": "Ready." });
    let ola = app.token_for(OLA).await;
    app.post(&format!("/api/v1/people/{}/nominations", org.noor))
        .bearer(&ola)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.post(&format!("/api/v1/people/{}/nominations", org.ola))
        .bearer(&ola)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let admin = app.token("api").await;
    app.post(&format!("/api/v1/people/{}/nominations", org.ola))
        .bearer(&admin)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Anyone in the chain does: Mia, two levels up.
    let mia = app.token_for(MIA).await;
    let n = app
        .post(&format!("/api/v1/people/{}/nominations", org.ola))
        .bearer(&mia)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(n["to"]["level"], "se2");
    // Managers do not decide.
    app.post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&mia)
        .json(&json!({ "decision": "approve" }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_nomination_is_for_a_higher_level_or_another_track_with_a_case_and_one_at_a_time() {
    let (app, org) = world().await;
    let mia = app.token_for(MIA).await;
    let res = app
        .post(&format!("/api/v1/people/{}/nominations", org.noor))
        .bearer(&mia)
        .json(&json!({ "track": "software-engineering", "level": "se1", "case_text": "", "effective_on": "soon" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    let fields: Vec<&str> = res["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("a field"))
        .collect();
    assert_eq!(fields, ["case_text", "effective_on", "level"]);
    let mia_page = sign_in_as(&app, MIA).await;
    let res = app
        .post(&format!("/people/{}/nominations", org.noor))
        .session(&mia_page)
        .form(&[
            ("position", "software-engineering/se2"),
            ("effective_on", ""),
            ("case_text", "My words stay here."),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Choose a level above Software Engineer II")
    );
    assert!(
        res.body.contains("My words stay here."),
        "the form keeps what was typed"
    );
    // A move to another track is a lateral move.
    let n = app
        .post(&format!("/api/v1/people/{}/nominations", org.noor))
        .bearer(&mia)
        .json(&json!({ "track": "engineering-management", "level": "em", "case_text": "Runs the team already." }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(n["kind"], "lateral_move");
    // One waits at a time; withdrawn, a new one may be made.
    app.post(&format!("/api/v1/people/{}/nominations", org.noor))
        .bearer(&mia)
        .json(&json!({ "track": "software-engineering", "level": "principal", "case_text": "Again." }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let id = n["id"].as_i64().expect("an id");
    let admin = app.token("api").await;
    app.post(&format!("/api/v1/nominations/{id}/withdraw"))
        .bearer(&admin)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let withdrawn = app
        .post(&format!("/api/v1/nominations/{id}/withdraw"))
        .bearer(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(withdrawn["status"], "withdrawn");
    app.post(&format!("/api/v1/nominations/{id}/decision"))
        .bearer(&admin)
        .json(&json!({ "decision": "approve" }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    app.post(&format!("/api/v1/people/{}/nominations", org.noor))
        .bearer(&mia)
        .json(&json!({ "track": "software-engineering", "level": "principal", "case_text": "Again." }))
        .send()
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn the_nominations_list_filters_by_status() {
    let (app, org) = world().await;
    mia_nominates_noor(&app, &org).await;
    let admin = app.sign_in(ADMIN).await;
    let page = app
        .get("/nominations?status=approved")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(page.contains("No nominations with this status."));
    app.get("/nominations?status=someday")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let token = app.token("api").await;
    let list = app
        .get("/api/v1/nominations?status=pending")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(list["nominations"].as_array().expect("a list").len(), 1);
    assert_eq!(list["deciding"], true);
}

/// The text of the case field of a nomination form, as the browser would send it back.
fn case_field(form: &str) -> String {
    let start = form.find("class=\"case-input\"").expect("the case field");
    let open = start + form[start..].find('>').expect("the field's tag") + 1;
    let close = open + form[open..].find("</textarea>").expect("the field's end");
    form[open..close]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn sending_the_untouched_template_is_refused_with_the_reason_and_the_text_kept() {
    let (app, org) = world().await;
    agreed_checkin(&app, org.noor, org.mia, "principal", 15, &PROFILE).await;
    evidence(
        &app,
        org.noor,
        "The shared database retirement plan",
        "ownership",
    )
    .await;
    let mia = sign_in_as(&app, MIA).await;
    let form = app
        .get(&format!("/people/{}/nominations/new", org.noor))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    let template = case_field(&form);
    assert!(template.starts_with("## Why now"), "{template}");
    let send = |case: String| {
        let app = &app;
        let mia = &mia;
        async move {
            app.post(&format!("/people/{}/nominations", org.noor))
                .session(mia)
                .form(&[
                    ("position", "software-engineering/principal"),
                    ("effective_on", ""),
                    ("case_text", case.as_str()),
                ])
                .send()
                .await
        }
    };
    // The template as it was filled in, and the same with its whitespace changed.
    for case in [
        template.clone(),
        template.replace("\n\n", "\n  \n\n").replace("- ", "-   "),
    ] {
        let refused = send(case.clone())
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains(
                "The case is still the template as it was filled in: under “Why now”, write what NOOR does that the new position asks for."
            ),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains("aria-invalid=\"true\" aria-describedby=\"nominate-case_text-error\"")
                || refused.body.contains("class=\"field-error\"")
        );
        assert_eq!(case_field(&refused.body), case, "the text is kept");
    }
    // Only the headings and prompts, with nothing written under them.
    let bare = "## Why now\n\nWhat NOOR does today that Principal Engineer asks for:\n\n- \n\n## Evidence\n\n- \n";
    let refused = send(bare.to_owned())
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(
        "The case has only the template&#39;s headings and prompts: write under them what NOOR does that the new position asks for."
    ) || refused.body.contains(
        "The case has only the template&#x27;s headings and prompts: write under them what NOOR does that the new position asks for."
    ) || refused.body.contains(
        "The case has only the template's headings and prompts: write under them what NOOR does that the new position asks for."
    ), "{}", refused.body);
    assert_eq!(case_field(&refused.body), bare);
    // The API keeps the same rule, with a problem body.
    let token = app.token_for(MIA).await;
    let problem = app
        .post(&format!("/api/v1/people/{}/nominations", org.noor))
        .bearer(&token)
        .json(&json!({ "track": "software-engineering", "level": "principal", "case_text": template }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(problem["errors"][0]["field"], "case_text");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .starts_with("The case is still the template"),
        "{problem}"
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM nominations")
            .fetch_one(app.state.db().pool())
            .await
            .expect("a count"),
        0,
        "nothing was sent"
    );
    // Words written under the heading make a case.
    let written = template.replacen("- \n", "- Led the retirement of the shared database.\n", 1);
    send(written).await.expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_pending_and_a_declined_nomination_say_what_happened_on_every_page() {
    let (app, org) = world().await;
    let pending = stored(&app, org.noor, org.mia, "principal", "pending").await;
    let declined = stored(&app, org.ola, org.mia, "se2", "declined").await;
    const WAITING: &str = "Promotion proposed, waiting for a decision";
    const DECLINED: &str = "Promotion declined";
    let mia = sign_in_as(&app, MIA).await;
    let admin = app.sign_in(ADMIN).await;
    for session in [&mia, &admin] {
        let list = app
            .get("/nominations?status=all")
            .session(session)
            .send()
            .await
            .expect(StatusCode::OK)
            .body;
        assert!(list.contains(WAITING) && list.contains(DECLINED), "{list}");
        assert!(
            !list.contains("Promoted"),
            "a nomination is not a promotion: {list}"
        );
        for (id, person, label, other) in [
            (pending, org.noor, WAITING, DECLINED),
            (declined, org.ola, DECLINED, WAITING),
        ] {
            for path in [
                format!("/nominations/{id}"),
                format!("/people/{person}"),
                format!("/people/{person}/growth-record"),
            ] {
                let page = app
                    .get(&path)
                    .session(session)
                    .send()
                    .await
                    .expect(StatusCode::OK)
                    .body;
                assert!(page.contains(label), "{path} says {label}: {page}");
                assert!(!page.contains(other), "{path} does not say {other}");
            }
        }
    }
    let team = app
        .get("/team?chain=1")
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(team.contains(WAITING) && team.contains(DECLINED), "{team}");
    // The nominee sees neither on their own page.
    let noor = sign_in_as(&app, NOOR).await;
    let own = app
        .get(&format!("/people/{}", org.noor))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(!own.contains(WAITING));
}

/// The list of nominations and a nomination's own page follow one rule: for every viewer, the list
/// shows exactly the nominations `policy::see_nomination` lets them see.
#[tokio::test]
async fn the_list_shows_each_viewer_exactly_the_nominations_the_policy_lets_them_see() {
    use trellis::auth::policy;
    use trellis::auth::{Actor, Role};
    use trellis::growth::nominations;
    use trellis::people::directory;
    let (app, org) = world().await;
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(ADMIN.0)
        .fetch_one(app.state.db().pool())
        .await
        .expect("the admin");
    let mut all = Vec::new();
    for (person, by, status) in [
        (org.noor, org.mia, "pending"),
        (org.noor, org.mia, "approved"),
        (org.ola, org.noor, "declined"),
        (org.ola, org.mia, "withdrawn"),
        (org.ola, org.noor, "approved"),
        (org.pat, org.mia, "pending"),
        (admin_id, org.mia, "pending"),
        (admin_id, org.mia, "approved"),
    ] {
        let id = stored(&app, person, by, "principal", status).await;
        all.push((id, person, by, status == "approved"));
    }
    let mut admin = crate::plans::actor(admin_id, ADMIN.0);
    admin.role = Role::Admin;
    let viewers: Vec<Actor> = vec![
        admin,
        crate::plans::actor(org.mia, MIA),
        crate::plans::actor(org.noor, NOOR),
        crate::plans::actor(org.ola, OLA),
        crate::plans::actor(org.pat, PAT),
    ];
    for viewer in &viewers {
        let mut expected = Vec::new();
        for (id, person, by, approved) in &all {
            let relation = directory::relation(app.state.db(), viewer, *person)
                .await
                .expect("a relation");
            if policy::see_nomination(viewer, relation, Some(*by), *approved) {
                expected.push(*id);
            }
        }
        let mut listed: Vec<i64> = nominations::list(&app.state, viewer, None)
            .await
            .expect("the list")
            .nominations
            .iter()
            .map(|n| n.id)
            .collect();
        listed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(listed, expected, "{}", viewer.label);
    }
}
