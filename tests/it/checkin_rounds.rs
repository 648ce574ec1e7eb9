//! Check-in rounds: who a round asks (everyone, a track, a reporting line), how each person's
//! state follows their check-in, what each role sees, the audit trail, closing, bad input, and
//! what the home and the team view say about a round.

use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::{Actor, Role, Via};
use trellis::growth::checkin_rounds::{self, RoundInput, RoundState};
use trellis::growth::checkins::{self, RatingInput};

use crate::helpers::{Organisation, TestApp};

/// A day far enough ahead for any round.
const LATER: &str = "2099-12-31";

fn person(id: i64, email: &str) -> Actor {
    Actor {
        user_id: Some(id),
        label: email.into(),
        name: email.into(),
        role: Role::Employee,
        via: Via::Session,
    }
}

fn mia(org: &Organisation) -> Actor {
    person(org.mia, "mia@demo.trellis.test")
}

fn noor(org: &Organisation) -> Actor {
    person(org.noor, "noor@demo.trellis.test")
}

fn ola(org: &Organisation) -> Actor {
    person(org.ola, "ola@demo.trellis.test")
}

fn input(name: &str, scope: &str, track: Option<&str>, manager: Option<i64>) -> RoundInput {
    RoundInput {
        name: name.into(),
        due_on: LATER.into(),
        scope: scope.into(),
        track: track.map(Into::into),
        manager,
    }
}

async fn start(app: &TestApp, actor: &Actor, input: RoundInput) -> i64 {
    checkin_rounds::create(&app.state, actor, &input)
        .await
        .expect("start a round")
}

/// The names of the people of a round the actor sees, with their states.
async fn people_of(app: &TestApp, actor: &Actor, id: i64) -> Vec<(String, RoundState)> {
    checkin_rounds::get(&app.state, actor, id, None)
        .await
        .expect("the round")
        .people
        .into_iter()
        .map(|p| (p.name, p.state))
        .collect()
}

async fn state_of(app: &TestApp, id: i64, name: &str) -> RoundState {
    people_of(app, &Actor::command_line(), id)
        .await
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("{name} is not in the round"))
}

fn all_rated(keys: &[String], rating: &str) -> Vec<(String, RatingInput)> {
    keys.iter()
        .map(|k| {
            (
                k.clone(),
                RatingInput {
                    rating: rating.into(),
                    comment: String::new(),
                    reason: String::new(),
                },
            )
        })
        .collect()
}

async fn se_keys(app: &TestApp) -> Vec<String> {
    let published =
        trellis::architecture::framework::require_published(&app.state, &Actor::command_line())
            .await
            .expect("a published framework");
    published
        .framework
        .track("software-engineering")
        .expect("the track")
        .competencies
        .iter()
        .map(|k| k.to_string())
        .collect()
}

async fn active_with_position(app: &TestApp, track: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE active = 1 AND track_key IS NOT NULL \
         AND level_key IS NOT NULL AND ($1 = '' OR track_key = $1)",
    )
    .bind(track.unwrap_or_default())
    .fetch_one(app.state.db().pool())
    .await
    .expect("count")
}

/// The rounds the access matrix (tests/it/access.rs) acts on: a round of the Software
/// Engineering track started by the People team, and throwaway rounds to close (Mia's line, by
/// her, and one by the People team).
pub async fn access_objects(app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    let admin = Actor::command_line();
    vec![
        (
            "round",
            start(
                app,
                &admin,
                input("Spring", "track", Some("software-engineering"), None),
            )
            .await,
        ),
        (
            "round-close-web",
            start(
                app,
                &mia(org),
                input("Mia's line", "line", None, Some(org.mia)),
            )
            .await,
        ),
        (
            "round-close-api",
            start(
                app,
                &mia(org),
                input("Mia's line too", "line", None, Some(org.mia)),
            )
            .await,
        ),
        (
            "round-admin-close",
            start(app, &admin, input("Whole company", "everyone", None, None)).await,
        ),
    ]
}

#[tokio::test]
async fn a_round_covers_the_active_people_with_a_position_in_its_scope_when_it_starts() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let admin = Actor::command_line();
    // Someone without a position and someone who left are never asked.
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
        .bind(org.pat)
        .execute(app.state.db().pool())
        .await
        .expect("Pat leaves");

    let everyone = start(&app, &admin, input("Everyone", "everyone", None, None)).await;
    let round = checkin_rounds::get(&app.state, &admin, everyone, None)
        .await
        .expect("the round");
    assert_eq!(
        round.summary.progress.people,
        active_with_position(&app, None).await
    );
    assert!(round.people.iter().all(|p| p.name != "PAT"));
    assert_eq!(round.summary.scope_label, "Everyone");

    let track = start(
        &app,
        &admin,
        input("SE", "track", Some("software-engineering"), None),
    )
    .await;
    let round = checkin_rounds::get(&app.state, &admin, track, None)
        .await
        .expect("the round");
    assert_eq!(
        round.summary.progress.people,
        active_with_position(&app, Some("software-engineering")).await
    );
    assert_eq!(round.summary.scope_label, "The Software Engineering track");

    let line = start(
        &app,
        &admin,
        input("Mia's line", "line", None, Some(org.mia)),
    )
    .await;
    let names: Vec<String> = people_of(&app, &admin, line)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["NOOR", "OLA"],
        "everyone below Mia, not Mia herself"
    );

    // Someone who gets a position after the round started is not asked by it.
    let before = people_of(&app, &admin, track).await.len();
    sqlx::query("UPDATE users SET active = 1 WHERE id = $1")
        .bind(org.pat)
        .execute(app.state.db().pool())
        .await
        .expect("Pat is back");
    assert_eq!(people_of(&app, &admin, track).await.len(), before);
}

#[tokio::test]
async fn each_persons_state_follows_their_check_in_from_not_started_to_agreed() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let keys = se_keys(&app).await;
    // A check-in cancelled before the round does not count for it.
    let old = checkins::start(
        &app.state,
        &ola(&org),
        org.ola,
        "software-engineering",
        "se2",
    )
    .await
    .expect("an earlier check-in");
    checkins::cancel(&app.state, &ola(&org), old)
        .await
        .expect("cancelled");
    let round = start(&app, &mia(&org), input("Q1", "line", None, Some(org.mia))).await;
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::NotStarted);

    let id = checkins::start(
        &app.state,
        &ola(&org),
        org.ola,
        "software-engineering",
        "se1",
    )
    .await
    .expect("start");
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::Started);
    checkins::save_own_ratings(&app.state, &ola(&org), id, &all_rated(&keys, "meets"))
        .await
        .expect("self-rating");
    checkins::share(&app.state, &ola(&org), id)
        .await
        .expect("share");
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::SelfDone);
    checkins::save_own_ratings(&app.state, &noor(&org), id, &all_rated(&keys, "meets"))
        .await
        .expect("manager's rating");
    checkins::share(&app.state, &noor(&org), id)
        .await
        .expect("share");
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::ManagerDone);
    checkins::confirm(&app.state, &ola(&org), id)
        .await
        .expect("Ola confirms");
    checkins::confirm(&app.state, &noor(&org), id)
        .await
        .expect("Noor confirms");
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::Agreed);

    let r = checkin_rounds::get(&app.state, &mia(&org), round, None)
        .await
        .expect("the round");
    assert_eq!(
        (r.summary.progress.agreed, r.summary.progress.not_started),
        (1, 1)
    );
    let agreed = checkin_rounds::get(&app.state, &mia(&org), round, Some(RoundState::Agreed))
        .await
        .expect("filtered");
    assert_eq!(agreed.people.len(), 1);
    assert_eq!(agreed.people[0].href, format!("/checkins/{id}"));

    // A round started after that agreement asks Ola again.
    let next = start(&app, &mia(&org), input("Q2", "line", None, Some(org.mia))).await;
    sqlx::query("UPDATE checkin_rounds SET created_at = created_at + 10 WHERE id = $1")
        .bind(next)
        .execute(app.state.db().pool())
        .await
        .expect("the next round starts later");
    assert_eq!(state_of(&app, next, "OLA").await, RoundState::NotStarted);
}

#[tokio::test]
async fn a_closed_round_keeps_the_states_it_had_when_it_closed() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let keys = se_keys(&app).await;
    let db = app.state.db().pool();
    let round = start(&app, &mia(&org), input("Q3", "line", None, Some(org.mia))).await;
    let id = checkins::start(
        &app.state,
        &ola(&org),
        org.ola,
        "software-engineering",
        "se1",
    )
    .await
    .expect("start");
    checkins::save_own_ratings(&app.state, &ola(&org), id, &all_rated(&keys, "meets"))
        .await
        .expect("self-rating");
    checkins::share(&app.state, &ola(&org), id)
        .await
        .expect("share");
    // The round started, then the check-in, then Ola shared, then the round closed: each a while
    // before what follows, so that nothing below falls within the second of closing.
    for sql in [
        "UPDATE checkin_rounds SET created_at = created_at - 300 WHERE id = $1",
        "UPDATE checkins SET created_at = created_at - 200, self_shared_at = self_shared_at - 200 \
         WHERE person_id = (SELECT person_id FROM checkins WHERE id = $1)",
    ] {
        let bind = if sql.contains("checkin_rounds") {
            round
        } else {
            id
        };
        sqlx::query(sql)
            .bind(bind)
            .execute(db)
            .await
            .expect("earlier");
    }
    checkin_rounds::close(&app.state, &mia(&org), round)
        .await
        .expect("closed");
    sqlx::query("UPDATE checkin_rounds SET closed_at = closed_at - 100 WHERE id = $1")
        .bind(round)
        .execute(db)
        .await
        .expect("closed a while ago");
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::SelfDone);
    assert_eq!(state_of(&app, round, "NOOR").await, RoundState::NotStarted);

    // After closing, Noor rates and both agree; Noor starts a check-in of her own.
    checkins::save_own_ratings(&app.state, &noor(&org), id, &all_rated(&keys, "meets"))
        .await
        .expect("manager's rating");
    checkins::share(&app.state, &noor(&org), id)
        .await
        .expect("share");
    checkins::confirm(&app.state, &ola(&org), id)
        .await
        .expect("Ola confirms");
    checkins::confirm(&app.state, &noor(&org), id)
        .await
        .expect("Noor confirms");
    checkins::start(
        &app.state,
        &noor(&org),
        org.noor,
        "software-engineering",
        "se2",
    )
    .await
    .expect("Noor's own check-in");

    // The closed round still reads as it stood: Ola's self-assessment shared, Noor not started.
    assert_eq!(state_of(&app, round, "OLA").await, RoundState::SelfDone);
    assert_eq!(state_of(&app, round, "NOOR").await, RoundState::NotStarted);
    let r = checkin_rounds::get(&app.state, &mia(&org), round, None)
        .await
        .expect("the round");
    assert_eq!(
        (
            r.summary.progress.agreed,
            r.summary.progress.self_done,
            r.summary.progress.not_started
        ),
        (0, 1, 1)
    );
    // A round still open counts the agreement.
    let open = start(&app, &mia(&org), input("Q4", "line", None, Some(org.mia))).await;
    sqlx::query("UPDATE checkin_rounds SET created_at = created_at - 400 WHERE id = $1")
        .bind(open)
        .execute(db)
        .await
        .expect("started before the agreement");
    assert_eq!(state_of(&app, open, "OLA").await, RoundState::Agreed);
    assert_eq!(state_of(&app, open, "NOOR").await, RoundState::Started);
}

#[tokio::test]
async fn admins_see_everyone_managers_their_line_and_others_no_round() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let admin = Actor::command_line();
    let round = start(&app, &admin, input("Everyone", "everyone", None, None)).await;

    let mia_sees: Vec<String> = people_of(&app, &mia(&org), round)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(mia_sees, ["NOOR", "OLA"]);
    let noor_sees: Vec<String> = people_of(&app, &noor(&org), round)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(noor_sees, ["OLA"]);
    let counted = checkin_rounds::list(&app.state, &noor(&org))
        .await
        .expect("Noor's rounds");
    assert_eq!(counted[0].progress.people, 1, "counts of her line only");

    // Ola has no reports: no round page, no list; her own part is on her home.
    let err = checkin_rounds::get(&app.state, &ola(&org), round, None)
        .await
        .expect_err("hidden");
    assert_eq!(err.status(), StatusCode::NOT_FOUND);
    let err = checkin_rounds::list(&app.state, &ola(&org))
        .await
        .expect_err("refused");
    assert_eq!(err.status(), StatusCode::FORBIDDEN);

    // A round of Pat's alone is none of Mia's business.
    let pat_round = start(
        &app,
        &admin,
        input("Pat", "track", Some("software-engineering"), None),
    )
    .await;
    sqlx::query("DELETE FROM checkin_round_people WHERE round_id = $1 AND person_id <> $2")
        .bind(pat_round)
        .bind(org.pat)
        .execute(app.state.db().pool())
        .await
        .expect("only Pat");
    let err = checkin_rounds::get(&app.state, &mia(&org), pat_round, None)
        .await
        .expect_err("hidden");
    assert_eq!(err.status(), StatusCode::NOT_FOUND);
    assert!(
        checkin_rounds::list(&app.state, &mia(&org))
            .await
            .expect("Mia's rounds")
            .iter()
            .all(|r| r.id != pat_round)
    );

    // A manager starts rounds for their own line only; closing is for whoever started it.
    let err = checkin_rounds::create(
        &app.state,
        &mia(&org),
        &input("All", "everyone", None, None),
    )
    .await
    .expect_err("refused");
    assert_eq!(err.status(), StatusCode::FORBIDDEN);
    let err = checkin_rounds::create(
        &app.state,
        &noor(&org),
        &input("Mia's", "line", None, Some(org.mia)),
    )
    .await
    .expect_err("not her line");
    assert_eq!(err.status(), StatusCode::FORBIDDEN);
    let err = checkin_rounds::close(&app.state, &mia(&org), round)
        .await
        .expect_err("not hers to close");
    assert_eq!(err.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn starting_and_closing_a_round_are_audited_and_a_closed_round_asks_nobody() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let mia_session = sign_in_as(&app, "mia@demo.trellis.test").await;
    let manager = org.mia.to_string();
    let res = app
        .post("/checkin-rounds")
        .session(&mia_session)
        .form(&[
            ("name", "Autumn <review>"),
            ("due_on", LATER),
            ("scope", "line"),
            ("manager", manager.as_str()),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = res.header("location").to_owned();
    let id: i64 = location
        .trim_start_matches("/checkin-rounds/")
        .parse()
        .expect("a round's address");
    let page = app
        .get(&location)
        .session(&mia_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        res.header("set-cookie").contains("trellis_flash="),
        "the page says it was started"
    );
    assert!(
        page.body.contains("<h1>Autumn &#60;review&#62;</h1>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Not started"));

    let object = format!("checkin_round:{id}");
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT action, summary FROM audit_events WHERE object = $1 ORDER BY id")
            .bind(&object)
            .fetch_all(app.state.db().pool())
            .await
            .expect("the audit log");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "checkin_round.start");
    assert!(
        events[0].1.contains("MIA's reporting line") && events[0].1.contains("asking 2 people"),
        "{events:?}"
    );

    // Ola's home asks for her check-in until the round is closed.
    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let home = app
        .get("/home")
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        home.body.contains(&format!("Check-in due by {LATER}")),
        "{}",
        home.body
    );

    app.post(&format!("/checkin-rounds/{id}/close"))
        .session(&mia_session)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let action: String = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE object = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(&object)
    .fetch_one(app.state.db().pool())
    .await
    .expect("the audit log");
    assert_eq!(action, "checkin_round.close");
    let home = app
        .get("/home")
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!home.body.contains("Check-in due by"));
    // Closing twice says it is closed already.
    let err = checkin_rounds::close(&app.state, &mia(&org), id)
        .await
        .expect_err("closed already");
    assert_eq!(err.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_round_without_a_name_or_with_a_past_due_date_is_shown_again_with_the_reasons() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let res = app
        .post("/checkin-rounds")
        .session(&admin)
        .form(&[
            ("name", "  "),
            ("due_on", "2020-01-01"),
            ("scope", "track"),
            ("track", "software-engineering"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("The round was not started"));
    assert!(res.body.contains("Give the round a name"));
    assert!(
        res.body
            .contains("2020-01-01 is in the past: choose today or a later day.")
    );
    assert!(
        res.body.contains(r#"value="2020-01-01""#),
        "the input is kept"
    );
    assert!(res.body.contains(r#"value="track" checked"#));
    assert!(
        res.body
            .contains(r#"value="software-engineering" selected"#)
    );

    let res = app
        .post("/checkin-rounds")
        .session(&admin)
        .form(&[
            ("name", "<b>Bold</b>"),
            ("due_on", LATER),
            ("scope", "track"),
            ("track", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Choose the track whose people the round asks.")
    );
    assert!(res.body.contains("&#60;b&#62;Bold&#60;/b&#62;"));
    let rounds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM checkin_rounds")
        .fetch_one(app.state.db().pool())
        .await
        .expect("count");
    assert_eq!(rounds, 0);

    // The API answers with a problem naming each field.
    let token = app.token("api").await;
    let res = app
        .post("/api/v1/checkin-rounds")
        .bearer(&token)
        .json(&json!({ "name": "", "due_on": "yesterday", "scope": "everyone" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = res.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["name", "due_on"]);
}

#[tokio::test]
async fn the_api_starts_a_round_and_reads_its_progress() {
    let app = TestApp::demo().await;
    app.organisation().await;
    let token = app.token("api").await;
    let res = app
        .post("/api/v1/checkin-rounds")
        .bearer(&token)
        .json(
            &json!({ "name": "Spring", "due_on": LATER, "scope": "track",
                       "track": "software-engineering" }),
        )
        .send()
        .await
        .expect(StatusCode::CREATED);
    let round = res.json();
    let id = round["id"].as_i64().expect("an id");
    assert_eq!(
        round["progress"]["people"],
        round["progress"]["not_started"]
    );
    let list = app
        .get("/api/v1/checkin-rounds")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(list[0]["id"], id);
    let none = app
        .get(&format!("/api/v1/checkin-rounds/{id}?state=agreed"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(none["people"], json!([]));
    app.get(&format!("/api/v1/checkin-rounds/{id}?state=finished"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_home_and_the_team_view_say_what_a_round_asks() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    start(&app, &mia(&org), input("Q3", "line", None, Some(org.mia))).await;

    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let home = app
        .get("/home")
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(home.body.contains("Start your check-in for the round “Q3”"));
    assert!(
        home.body
            .contains(r#"name="target" value="software-engineering/se1""#)
    );

    let noor_session = sign_in_as(&app, "noor@demo.trellis.test").await;
    let home = app
        .get("/home")
        .session(&noor_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        home.body.contains("1 report still to rate, of 1,"),
        "{}",
        home.body
    );
    let team = app
        .get("/api/v1/team")
        .bearer(&app.token_for("noor@demo.trellis.test").await)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let kinds: Vec<&str> = team["members"][0]["attention"]
        .as_array()
        .expect("attention")
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"round_checkin"), "{kinds:?}");

    // Once Ola starts it, the round no longer flags her as not started.
    let home = app
        .post(&format!("/people/{}/checkins", org.ola))
        .session(&ola_session)
        .form(&[("target", "software-engineering/se1")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert!(home.header("location").starts_with("/checkins/"));
    let team = app
        .get("/api/v1/team")
        .bearer(&app.token_for("noor@demo.trellis.test").await)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert!(!team.to_string().contains("round_checkin"), "{team}");
}

#[tokio::test]
async fn a_database_of_the_previous_release_upgrades_and_takes_rounds() {
    // Someone with a position, as the previous release stored them.
    let app = TestApp::upgraded_from(16, async |db: &trellis::db::Db| {
        sqlx::query(
            "INSERT INTO users (email, name, role, created_at, track_key, level_key) \
             VALUES ('kim@upgrade.test', 'Kim', 'employee', 1700000000, 'software-engineering', 'se1')",
        )
        .execute(db.pool())
        .await
        .expect("insert a person");
    })
    .await;
    let id = start(
        &app,
        &Actor::command_line(),
        input("After upgrade", "everyone", None, None),
    )
    .await;
    let round = checkin_rounds::get(&app.state, &Actor::command_line(), id, None)
        .await
        .expect("the round");
    assert_eq!(round.summary.progress.people, 1);
    assert_eq!(round.people[0].state, RoundState::NotStarted);
}

#[tokio::test]
async fn a_round_of_more_people_than_its_page_lists_says_so_and_counts_everyone() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let db = app.state.db().pool();
    let round = start(
        &app,
        &mia(&org),
        input("Everyone", "line", None, Some(org.mia)),
    )
    .await;
    // More people than the page lists, added to the round as starting it would have.
    let extra = checkin_rounds::PEOPLE_SHOWN + 5;
    for chunk in (0..extra).collect::<Vec<_>>().chunks(100) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('many{i:04}@demo.trellis.test', 'Person {i:04}', 'person {i:04}', 'employee', 1, 0)"
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO users (email, name, name_key, role, active, created_at) VALUES {}",
            values.join(", ")
        ))
        .execute(db)
        .await
        .expect("people");
    }
    sqlx::query(
        "INSERT INTO checkin_round_people (round_id, person_id) \
         SELECT $1, id FROM users WHERE email LIKE 'many%'",
    )
    .bind(round)
    .execute(db)
    .await
    .expect("in the round");
    let r = checkin_rounds::get(&app.state, &Actor::command_line(), round, None)
        .await
        .expect("the round");
    assert_eq!(r.people.len(), checkin_rounds::PEOPLE_SHOWN);
    assert!(r.truncated);
    assert_eq!(
        r.summary.progress.people,
        extra as i64 + 2,
        "the counts cover everyone"
    );
    let admin = app.admin().await;
    let page = app
        .get(&format!("/checkin-rounds/{round}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("Only the first 500 people by name are listed here"),
        "{}",
        page.body
    );
    // A round that fits lists everyone and says nothing of the kind.
    let small = start(
        &app,
        &mia(&org),
        input("Small", "line", None, Some(org.mia)),
    )
    .await;
    let r = checkin_rounds::get(&app.state, &Actor::command_line(), small, None)
        .await
        .expect("the round");
    assert!(!r.truncated);
    assert_eq!(r.people.len(), 2);
}
