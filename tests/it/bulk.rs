//! Bulk actions: an admin invites many people at once, from the ticked lines of the directory, from
//! everyone not invited yet, or over the API with a list of ids; a manager (or an admin for any
//! manager) sets up 1:1s with a whole team at once. Each is one transaction with its audit events;
//! who was skipped is said by name with the reason; too many or nobody is refused.

use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::Actor;
use trellis::growth::one_on_ones::{self, StartInput};
use trellis::people::accounts::{self, LinkPurpose};
use trellis::people::directory::{self, PersonInput};
use trellis::people::invitations::MAX_PER_REQUEST;

use crate::helpers::{Organisation, Res, Session, TestApp};
use crate::plans::{MIA, NOOR, OLA, actor, sign_in_as};

/// The objects of the bulk rows of the access matrix: Mia, the manager whose own team the
/// manager's column sets up.
pub async fn access_objects(_app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    vec![("team_manager", org.mia)]
}

/// Adds someone to the directory, reporting to `manager` (an email), and returns their id.
async fn add_person(app: &TestApp, email: &str, name: &str, manager: &str) -> i64 {
    directory::save_person(
        app.state.db(),
        &Actor::command_line(),
        &PersonInput {
            email: email.into(),
            name: name.into(),
            manager_email: manager.into(),
            team: "Platform".into(),
            start_date: "2024-01-15".into(),
            ..PersonInput::default()
        },
    )
    .await
    .expect("a person")
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind.to_owned())
        .fetch_one(app.state.db().pool())
        .await
        .expect("a count")
}

async fn events(app: &TestApp, action: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM audit_events WHERE action = $1",
        action,
    )
    .await
}

async fn waiting_invitations(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM account_links WHERE purpose = $1 AND used_at IS NULL AND revoked_at IS NULL",
        "invite",
    )
    .await
}

/// The flash cookie a redirect sets, as `name=value`.
fn flash_cookie(res: &Res) -> String {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("trellis_flash="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no message was set: {:?}", res.headers))
        .to_owned()
}

/// Follows a redirect with the message it carries; returns the page.
async fn follow(app: &TestApp, session: &Session, res: &Res) -> Res {
    let cookie = flash_cookie(res);
    app.get(res.header("location"))
        .header("cookie", &format!("{}; {cookie}", session.0))
        .send()
        .await
        .expect(StatusCode::OK)
}

/// The organisation, with Ola signed in once (she has a password), Pat gone and Raj, a new report
/// of Noor's, without an email address.
struct World {
    app: TestApp,
    org: Organisation,
    raj: i64,
    admin: Session,
}

async fn world() -> World {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    sign_in_as(&app, OLA).await;
    let raj = add_person(&app, "raj@demo.trellis.test", "RAJ", NOOR).await;
    sqlx::query("UPDATE users SET email = '' WHERE id = $1")
        .bind(raj)
        .execute(app.state.db().pool())
        .await
        .expect("no email");
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
        .bind(org.pat)
        .execute(app.state.db().pool())
        .await
        .expect("Pat left");
    let admin = app.admin().await;
    World {
        app,
        org,
        raj,
        admin,
    }
}

#[tokio::test]
async fn an_admin_invites_the_people_ticked_and_reads_who_was_skipped_and_why() {
    let w = world().await;
    let ids = [w.org.mia, w.org.noor, w.org.ola, w.org.pat, w.raj].map(|i| i.to_string());
    let mut form = vec![("scope", "selected"), ("team", "Platform")];
    form.extend(ids.iter().map(|id| ("person", id.as_str())));
    let res = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&form)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        res.body.contains(
            "Invited 2 people. Copy each link below and pass it on: it is shown only this once. \
             Skipped 3 people: OLA signs in already; RAJ has no email address; PAT has left the \
             organisation."
        ),
        "{}",
        res.body
    );
    assert_eq!(res.header("cache-control"), "no-store");
    assert_eq!(res.body.matches("/account/link/trl_").count(), 2);
    assert!(res.body.contains("href=\"/people?team=Platform\""));
    assert_eq!(waiting_invitations(&w.app).await, 2);
    assert_eq!(events(&w.app, "account.link").await, 2);
    assert_eq!(events(&w.app, "account.invite_many").await, 1);
    let mia_links = count(
        &w.app,
        "SELECT COUNT(*) FROM account_links l JOIN users u ON u.id = l.user_id WHERE u.email = $1",
        MIA,
    )
    .await;
    assert_eq!(mia_links, 1);
}

#[tokio::test]
async fn select_everyone_shown_ticks_the_people_the_filter_shows_and_no_one_else() {
    let w = world().await;
    let page = w
        .app
        .get("/people?q=noor&select=all")
        .session(&w.admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.body.matches(" checked>").count(), 1, "{}", page.body);
    assert!(page.body.contains(&format!(
        "value=\"{}\" id=\"pick-{}\" checked",
        w.org.noor, w.org.noor
    )));
    assert!(page.body.contains("name=\"q\" value=\"noor\""));
    let plain = w
        .app
        .get("/people?q=noor")
        .session(&w.admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(plain.body.matches(" checked>").count(), 0);
    assert!(
        plain
            .body
            .contains("href=\"/people?q=noor&#38;select=all\""),
        "{}",
        plain.body
    );
    // Employees get no boxes to tick.
    let employee = w.app.employee().await;
    let theirs = w
        .app
        .get("/people?select=all")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!theirs.body.contains("/people/invitations"));
}

#[tokio::test]
async fn everyone_not_invited_yet_leaves_out_who_signs_in_or_has_an_invitation_waiting() {
    let w = world().await;
    accounts::issue_link(
        w.app.state.db(),
        &Actor::command_line(),
        MIA,
        LinkPurpose::Invite,
    )
    .await
    .expect("Mia's invitation");
    let res = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&[("scope", "uninvited")])
        .send()
        .await
        .expect(StatusCode::OK);
    // Noor is invited; Raj is chosen too but has no address; Mia has her link, Ola a password,
    // Pat has left, the demo's accounts sign in.
    assert!(
        res.body.contains("Invited 1 person.") && res.body.contains("RAJ has no email address"),
        "{}",
        res.body
    );
    assert_eq!(res.body.matches("/account/link/trl_").count(), 1);
    assert_eq!(waiting_invitations(&w.app).await, 2);
    // Raj is still without an invitation, and still without an address: with no link to show,
    // the list comes back with the message.
    let again = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&[("scope", "uninvited")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(again.header("location"), "/people");
    let list = follow(&w.app, &w.admin, &again).await;
    assert!(
        list.body
            .contains("Nobody was invited. Skipped 1 person: RAJ has no email address."),
        "{}",
        list.body
    );
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(w.raj)
        .execute(w.app.state.db().pool())
        .await
        .expect("Raj removed");
    let none = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&[("scope", "uninvited")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.body.contains("Everyone has been invited already"),
        "{}",
        none.body
    );
}

#[tokio::test]
async fn nobody_ticked_or_an_unknown_person_is_refused_with_the_list_and_the_ticks_kept() {
    let w = world().await;
    let before = events(&w.app, "account.link").await;
    let nobody = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&[("scope", "selected"), ("q", "noor")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains("No one was chosen"), "{}", nobody.body);
    assert!(nobody.body.contains("name=\"q\" value=\"noor\""));
    let mia = w.org.mia.to_string();
    let unknown = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&[
            ("scope", "selected"),
            ("person", &mia),
            ("person", "987654"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .body
            .contains("There is nobody in the directory with the id 987654"),
        "{}",
        unknown.body
    );
    assert!(
        unknown
            .body
            .contains(&format!("value=\"{mia}\" id=\"pick-{mia}\" checked"))
    );
    let garbled = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&[("scope", "selected"), ("person", "<b>x</b>")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!garbled.body.contains("<b>x</b>"));
    assert_eq!(events(&w.app, "account.link").await, before);
    assert_eq!(waiting_invitations(&w.app).await, 0);
}

#[tokio::test]
async fn more_people_than_the_limit_are_refused_and_nobody_is_invited() {
    let w = world().await;
    let ids: Vec<i64> = (1..=i64::try_from(MAX_PER_REQUEST + 1).expect("small")).collect();
    let token = w.app.token("api").await;
    let res = w
        .app
        .post("/api/v1/people/invitations")
        .bearer(&token)
        .json(&json!({ "people": ids }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.header("content-type"),
        "application/problem+json",
        "{}",
        res.body
    );
    assert!(
        res.body.contains("101 people were chosen") && res.body.contains("at most 100"),
        "{}",
        res.body
    );
    let strings: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut form = vec![("scope", "selected")];
    form.extend(strings.iter().map(|id| ("person", id.as_str())));
    let page = w
        .app
        .post("/people/invitations")
        .session(&w.admin)
        .form(&form)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("101 people were chosen"),
        "{}",
        page.body
    );
    assert_eq!(waiting_invitations(&w.app).await, 0);
    assert_eq!(events(&w.app, "account.invite_many").await, 0);
}

#[tokio::test]
async fn the_api_invites_a_list_of_people_and_answers_with_their_links_and_the_skipped() {
    let w = world().await;
    let token = w.app.token("api").await;
    let res = w
        .app
        .post("/api/v1/people/invitations")
        .bearer(&token)
        .json(&json!({ "people": [w.org.noor, w.org.ola, w.org.noor] }))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(res["invited"].as_array().map(Vec::len), Some(1));
    assert_eq!(res["invited"][0]["name"], "NOOR");
    assert_eq!(res["invited"][0]["emailed"], false);
    assert!(
        res["invited"][0]["link"]
            .as_str()
            .is_some_and(|l| l.contains("/account/link/trl_"))
    );
    assert_eq!(res["skipped"][0]["name"], "OLA");
    assert_eq!(res["skipped"][0]["reason"], "already_signs_in");
    assert_eq!(
        res["message"],
        "Invited 1 person. Pass each link on: Trellis sends no email here. Skipped 1 person: \
         OLA signs in already."
    );
    let empty = w
        .app
        .post("/api/v1/people/invitations")
        .bearer(&token)
        .json(&json!({ "people": [] }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("No one was chosen"), "{}", empty.body);
    let wrong = w
        .app
        .post("/api/v1/people/invitations")
        .bearer(&token)
        .json(&json!({ "people": "everyone" }))
        .send()
        .await;
    assert!(wrong.status.is_client_error(), "{}", wrong.body);
}

#[tokio::test]
async fn only_the_people_team_invites_and_only_a_manager_or_an_admin_sets_up_a_teams_1to1s() {
    let w = world().await;
    let noor = sign_in_as(&w.app, NOOR).await;
    let mia = sign_in_as(&w.app, MIA).await;
    let ola = w.app.sign_in((OLA, "a long test password")).await;
    let employee = w.app.employee().await;
    let target = w.org.mia.to_string();
    for who in [&noor, &mia, &ola, &employee] {
        w.app
            .post("/people/invitations")
            .session(who)
            .form(&[("scope", "selected"), ("person", &target)])
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let personal = w.app.token_for(NOOR).await;
    w.app
        .post("/api/v1/people/invitations")
        .bearer(&personal)
        .json(&json!({ "people": [w.org.mia] }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let scim = w.app.token("scim").await;
    w.app
        .post("/api/v1/people/invitations")
        .bearer(&scim)
        .json(&json!({ "people": [w.org.mia] }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Noor's team: Noor herself and admins; not Mia above her, not Ola, not an employee.
    let team = format!("/people/{}/one-on-ones/team", w.org.noor);
    for (who, status) in [
        (&noor, StatusCode::OK),
        (&w.admin, StatusCode::OK),
        (&mia, StatusCode::FORBIDDEN),
        (&ola, StatusCode::FORBIDDEN),
        (&employee, StatusCode::FORBIDDEN),
    ] {
        w.app.get(&team).session(who).send().await.expect(status);
    }
    w.app
        .post(&team)
        .session(&mia)
        .form(&[("cadence_days", "14"), ("first_on", "")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(events(&w.app, "one_on_one.start_team").await, 0);
    w.app
        .get("/people/987654/one-on-ones/team")
        .session(&w.admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_manager_sets_up_1to1s_with_the_whole_team_and_those_who_have_them_are_skipped() {
    let w = world().await;
    let sam = add_person(&w.app, "sam@demo.trellis.test", "SAM", NOOR).await;
    one_on_ones::start_series(
        &w.app.state,
        &actor(w.org.noor, NOOR),
        w.org.ola,
        &StartInput::default(),
    )
    .await
    .expect("Noor and Ola's series");
    let noor = sign_in_as(&w.app, NOOR).await;
    let page = w
        .app
        .get(&format!("/people/{}/one-on-ones/team", w.org.noor))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Set up 1:1s with your team"));
    assert!(page.body.contains("Skipped: 1:1s already"));
    assert!(
        page.body.contains("Start 1:1s with 2 people"),
        "{}",
        page.body
    );
    let res = w
        .app
        .post(&format!("/people/{}/one-on-ones/team", w.org.noor))
        .session(&noor)
        .form(&[("cadence_days", "7"), ("first_on", "2030-01-07")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/team");
    let team = follow(&w.app, &noor, &res).await;
    assert!(
        team.body.contains(
            "Started 1:1s with 2 people, every week from 2030-01-07: RAJ and SAM. Skipped 1 \
             person who has 1:1s already: OLA."
        ),
        "{}",
        team.body
    );
    assert_eq!(team.body.matches("2030-01-07</a>").count(), 2);
    let list = w
        .app
        .get("/one-on-ones")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("SAM") && list.body.contains("RAJ"));
    assert_eq!(list.body.matches("every 7 days").count(), 2);
    assert_eq!(events(&w.app, "one_on_one.start").await, 3);
    assert_eq!(events(&w.app, "one_on_one.start_team").await, 1);
    let series: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM one_on_one_series WHERE manager_id = $1 AND report_id = $2",
    )
    .bind(w.org.noor)
    .bind(sam)
    .fetch_one(w.app.state.db().pool())
    .await
    .expect("a count");
    assert_eq!(series, 1);
    // Everyone has 1:1s now: setting up again starts none and says so.
    let again = w
        .app
        .post(&format!("/people/{}/one-on-ones/team", w.org.noor))
        .session(&noor)
        .form(&[("cadence_days", "7"), ("first_on", "2030-01-07")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let said = follow(&w.app, &noor, &again).await;
    assert!(
        said.body.contains(
            "No 1:1s were started. Skipped 3 people who have 1:1s already: OLA, RAJ and SAM."
        ),
        "{}",
        said.body
    );
}

#[tokio::test]
async fn an_admin_sets_up_1to1s_for_any_managers_team() {
    let w = world().await;
    let res = w
        .app
        .post(&format!("/people/{}/one-on-ones/team", w.org.noor))
        .session(&w.admin)
        .form(&[("cadence_days", "14"), ("first_on", "")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        res.header("location"),
        format!("/team?manager={}", w.org.noor)
    );
    let started: Vec<String> = sqlx::query_scalar(
        "SELECT u.name FROM one_on_one_series s JOIN users u ON u.id = s.report_id \
         WHERE s.manager_id = $1 ORDER BY u.name_key",
    )
    .bind(w.org.noor)
    .fetch_all(w.app.state.db().pool())
    .await
    .expect("the series");
    assert_eq!(started, ["OLA", "RAJ"]);
    let summary: String = sqlx::query_scalar(
        "SELECT summary FROM audit_events WHERE action = 'one_on_one.start' ORDER BY id LIMIT 1",
    )
    .fetch_one(w.app.state.db().pool())
    .await
    .expect("an event");
    assert!(summary.contains("for NOOR"), "{summary}");
    let noor = sign_in_as(&w.app, NOOR).await;
    let list = w
        .app
        .get("/one-on-ones")
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("OLA") && list.body.contains("RAJ"));
}

#[tokio::test]
async fn a_bad_cadence_or_day_shows_the_form_again_with_the_reason_and_starts_nothing() {
    let w = world().await;
    let noor = sign_in_as(&w.app, NOOR).await;
    let res = w
        .app
        .post(&format!("/people/{}/one-on-ones/team", w.org.noor))
        .session(&noor)
        .form(&[("cadence_days", "400"), ("first_on", "2030-02-31")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("The cadence is a number of days from 1 to 365"),
        "{}",
        res.body
    );
    assert!(res.body.contains("value=\"2030-02-31\""), "{}", res.body);
    let series: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM one_on_one_series")
        .fetch_one(w.app.state.db().pool())
        .await
        .expect("a count");
    assert_eq!(series, 0);
    assert_eq!(events(&w.app, "one_on_one.start_team").await, 0);
}

#[tokio::test]
async fn the_api_sets_up_1to1s_with_a_whole_team_and_refuses_a_bad_day() {
    let w = world().await;
    let token = w.app.token_for(NOOR).await;
    let path = format!("/api/v1/people/{}/one-on-ones/team", w.org.noor);
    let bad = w
        .app
        .post(&path)
        .bearer(&token)
        .json(&json!({ "cadence_days": 7, "first_on": "2030-02-30" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(bad["errors"][0]["field"], "first_on", "{bad}");
    assert_eq!(
        events(&w.app, "one_on_one.start").await,
        0,
        "nothing started"
    );
    let done = w
        .app
        .post(&path)
        .bearer(&token)
        .json(&json!({ "cadence_days": 7, "first_on": "2030-01-07" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let started: Vec<&str> = done["started"]
        .as_array()
        .expect("the series started")
        .iter()
        .map(|s| s["report"]["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(started, ["OLA", "RAJ"], "{done}");
    assert_eq!(done["cadence_days"], 7);
    assert_eq!(done["first_on"], "2030-01-07");
    assert_eq!(done["skipped"], json!([]));
    let again = w
        .app
        .post(&path)
        .bearer(&token)
        .json(&json!({ "cadence_days": 7, "first_on": "2030-01-07" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(again["started"], json!([]));
    assert_eq!(again["skipped"].as_array().expect("skipped").len(), 2);
    // Ola manages nobody and may not set up 1:1s for Noor's team.
    let ola = w.app.token_for(OLA).await;
    w.app
        .post(&path)
        .bearer(&ola)
        .json(&json!({ "cadence_days": 7 }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}
