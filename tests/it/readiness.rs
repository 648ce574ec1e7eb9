//! Readiness and gap analysis: every result with its reasons, the rules admins set per track,
//! what recomputes readiness, who sees it, and the gaps to any position with their goal forms.

use axum::http::StatusCode;
use serde_json::json;
use trellis::auth::Actor;
use trellis::growth::readiness;

use crate::evidence::sign_in_as;
use crate::helpers::{Organisation, Session, TestApp, demo_yaml_with};

const TRACK: &str = "software-engineering";

/// Stores an agreed check-in of `person` against `level` of the software engineering track,
/// pinned to version 1, agreed at `at`, and recomputes their readiness as agreeing does.
async fn agreed(app: &TestApp, person: i64, level: &str, ratings: &[(&str, &str)], at: i64) -> i64 {
    let json: serde_json::Map<String, serde_json::Value> = ratings
        .iter()
        .map(|(k, r)| {
            let mut entry = json!({ "rating": r, "comment": "talked it through" });
            if *r == "not_applicable" {
                entry["reason"] = json!("no such work this year");
            }
            ((*k).to_owned(), entry)
        })
        .collect();
    let db = app.state.db();
    let mut tx = db.begin().await.expect("a transaction");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, \
         agreed_ratings, agreed_at, agreed_on, created_at, updated_at) \
         VALUES ($1, $2, $3, 1, 'agreed', $4, $5, '2026-06-01', $5, $5) RETURNING id",
    )
    .bind(person)
    .bind(TRACK)
    .bind(level)
    .bind(serde_json::Value::Object(json).to_string())
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .expect("a check-in");
    readiness::recompute_person(&mut tx, &app.state, person)
        .await
        .expect("recompute");
    tx.commit().await.expect("commit");
    id
}

/// Ola's check-in against Software Engineer II: three of six meet or exceed (50 %), and
/// teamwork is below.
const MIXED: &[(&str, &str)] = &[
    ("ownership", "meets"),
    ("problem-solving", "exceeds"),
    ("technical-quality", "meets"),
    ("communication", "working_towards"),
    ("teamwork", "below"),
    ("mentoring", "working_towards"),
];

/// Four of six meet (66 %), nothing below.
const GOOD: &[(&str, &str)] = &[
    ("ownership", "meets"),
    ("problem-solving", "exceeds"),
    ("technical-quality", "meets"),
    ("communication", "meets"),
    ("teamwork", "working_towards"),
    ("mentoring", "working_towards"),
];

struct World {
    app: TestApp,
    org: Organisation,
    noor: Session,
    ola: Session,
    pat: Session,
    mia: Session,
}

async fn world() -> World {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    World {
        noor: sign_in_as(&app, "noor@demo.trellis.test").await,
        ola: sign_in_as(&app, "ola@demo.trellis.test").await,
        pat: sign_in_as(&app, "pat@demo.trellis.test").await,
        mia: sign_in_as(&app, "mia@demo.trellis.test").await,
        app,
        org,
    }
}

async fn readiness_of(w: &World, who: &Session, person: i64) -> serde_json::Value {
    w.app
        .get(&format!("/api/v1/people/{person}/readiness"))
        .session(who)
        .send()
        .await
        .expect(StatusCode::OK)
        .json()
}

fn reason<'a>(r: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    r["readiness"]["reasons"]
        .as_array()
        .and_then(|rs| rs.iter().find(|x| x["code"] == code))
        .unwrap_or_else(|| panic!("a `{code}` reason in {r}"))
}

fn blockers(reason: &serde_json::Value) -> Vec<&str> {
    reason["competencies"]
        .as_array()
        .map(|cs| cs.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_status_comes_with_its_reasons() {
    let w = world().await;
    // Recording the organisation's positions computed their readiness already.
    let ola = readiness::of_person(w.app.state.db(), w.org.ola)
        .await
        .expect("read")
        .expect("computed when the position was recorded");
    assert_eq!(ola.status, readiness::Status::NoCheckIn);
    assert_eq!(ola.next_level.as_deref(), Some("se2"));
    assert!(
        ola.reasons[0]
            .message
            .contains("no agreed check-in against Software Engineer I or Software Engineer II")
    );
    let mia = readiness_of(&w, &w.mia, w.org.mia).await;
    assert_eq!(mia["readiness"]["status"], "top_of_track");
    assert!(
        reason(&mia, "top_of_track")["message"]
            .as_str()
            .is_some_and(
                |m| m.contains("Principal Engineer is the highest level of Software Engineering")
            )
    );
    // The demo's employee holds no position.
    let admin = w.app.admin().await;
    let sam: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'employee@demo.trellis.test'")
            .fetch_one(w.app.state.db().pool())
            .await
            .expect("Sam");
    let none = readiness_of(&w, &admin, sam).await;
    assert_eq!(none["readiness"]["status"], "no_position");
    assert!(
        !none["readiness"]["reasons"]
            .as_array()
            .expect("reasons")
            .is_empty()
    );
    // Not yet: the share and the competency below the current level are named.
    agreed(&w.app, w.org.ola, "se2", MIXED, 1_000).await;
    let r = readiness_of(&w, &w.ola, w.org.ola).await;
    assert_eq!(r["readiness"]["status"], "not_yet");
    let share = reason(&r, "next_level_share");
    assert_eq!(share["met"], json!(false));
    assert_eq!(
        share["share"],
        json!({"meeting": 3, "counted": 6, "reached": 50, "needed": 60})
    );
    assert_eq!(blockers(share), ["Communication", "Teamwork", "Mentoring"]);
    let current = reason(&r, "current_level");
    assert_eq!(blockers(current), ["Teamwork"]);
    assert!(
        current["message"]
            .as_str()
            .is_some_and(|m| m.contains("Software Engineer I"))
    );
    assert_eq!(r["next_level_title"], "Software Engineer II");
    let page = w
        .app
        .get(&format!("/people/{}/readiness", w.org.ola))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Not yet ready"));
    assert!(page.body.contains(
        "Share of the next level met: 50 %. The rule asks for at least 60 %, so it is 10 points short."
    ));
    assert!(
        page.body
            .contains("Teamwork <span class=\"muted\">(Below expectations)</span>")
    );
    assert!(
        page.body.contains("/checkins/"),
        "links the check-in judged on"
    );
    // A newer check-in is the one that counts: ready, and still explained.
    let newer = agreed(&w.app, w.org.ola, "se2", GOOD, 2_000).await;
    let r = readiness_of(&w, &w.ola, w.org.ola).await;
    assert_eq!(r["readiness"]["status"], "ready");
    assert_eq!(r["readiness"]["checkin_id"], json!(newer));
    assert_eq!(
        reason(&r, "next_level_share")["share"]["reached"],
        json!(66)
    );
    assert!(
        reason(&r, "current_level")["met"]
            .as_bool()
            .unwrap_or(false)
    );
    let page = w
        .app
        .get(&format!("/people/{}/readiness", w.org.ola))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Ready for the next level"));
}

#[tokio::test]
async fn a_check_in_against_the_next_level_never_overrules_one_against_the_current_level() {
    let w = world().await;
    // Agreed the same second: against her own level, teamwork is working towards it...
    let current: Vec<(&str, &str)> = [
        ("ownership", "meets"),
        ("problem-solving", "meets"),
        ("technical-quality", "meets"),
        ("communication", "meets"),
        ("teamwork", "working_towards"),
    ]
    .into();
    let own = agreed(&w.app, w.org.ola, "se1", &current, 5_000).await;
    // ...while the check-in against the next level, on its own, would make her ready.
    let next = agreed(&w.app, w.org.ola, "se2", GOOD, 5_000).await;
    // An older check-in against a level above both does not count either.
    agreed(&w.app, w.org.ola, "principal", GOOD, 4_000).await;
    let check = |r: &serde_json::Value| {
        assert_eq!(r["readiness"]["status"], "not_yet", "{r}");
        let cur = reason(r, "current_level");
        assert_eq!(cur["met"], json!(false));
        assert_eq!(cur["checkin_id"], json!(own));
        assert_eq!(blockers(cur), ["Teamwork"]);
        let share = reason(r, "next_level_share");
        assert_eq!(share["met"], json!(true));
        assert_eq!(share["checkin_id"], json!(next));
        let judged: Vec<(i64, &str)> = r["checkins"]
            .as_array()
            .expect("the check-ins judged on")
            .iter()
            .map(|c| {
                (
                    c["id"].as_i64().unwrap_or(0),
                    c["judges"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            judged,
            [(own, "the current level"), (next, "the next level")]
        );
    };
    check(&readiness_of(&w, &w.ola, w.org.ola).await);
    // Recomputing the whole organisation picks the same check-ins.
    let admin = w.app.admin().await;
    sqlx::query("DELETE FROM readiness")
        .execute(w.app.state.db().pool())
        .await
        .expect("cleared");
    w.app
        .post("/api/v1/readiness/recompute")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    check(&readiness_of(&w, &w.ola, w.org.ola).await);
    // The page names each check-in with its date and a link, and says the rule.
    let page = w
        .app
        .get(&format!("/people/{}/readiness", w.org.ola))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains(&format!(
        "For the current level: the <a href=\"/checkins/{own}\">check-in against Software Engineer I</a>, agreed on 2026-06-01."
    )), "{}", page.body);
    assert!(page.body.contains(&format!(
        "For the next level: the <a href=\"/checkins/{next}\">check-in against Software Engineer II</a>, agreed on 2026-06-01."
    )));
    assert!(
        page.body
            .contains("the current level is judged on the most recent agreed check-in against it")
    );
    // The bar shows where the threshold is, and says it in words.
    assert!(page.body.contains(
        "Share of the next level met: 66 %. The rule asks for at least 60 %, so this is met."
    ));
    assert!(page.body.contains(r#"class="share-threshold" x="119""#));
    assert!(page.body.contains("Needed: 60 %"));
    // A newer check-in against her own level that meets it makes her ready.
    let all_meet: Vec<(&str, &str)> = current.iter().map(|(k, _)| (*k, "meets")).collect();
    agreed(&w.app, w.org.ola, "se1", &all_meet, 6_000).await;
    let r = readiness_of(&w, &w.ola, w.org.ola).await;
    assert_eq!(r["readiness"]["status"], "ready", "{r}");
}

#[tokio::test]
async fn a_check_in_against_the_current_level_cannot_judge_the_next() {
    let w = world().await;
    let all_meet: Vec<(&str, &str)> = [
        "ownership",
        "problem-solving",
        "technical-quality",
        "communication",
        "teamwork",
    ]
    .into_iter()
    .map(|k| (k, "meets"))
    .collect();
    agreed(&w.app, w.org.pat, "se1", &all_meet, 1_000).await;
    let r = readiness_of(&w, &w.pat, w.org.pat).await;
    assert_eq!(r["readiness"]["status"], "not_yet");
    assert_eq!(reason(&r, "current_level")["met"], json!(true));
    let next = reason(&r, "next_level_check_in");
    assert!(next["message"].as_str().is_some_and(|m| {
        m.contains("No agreed check-in against the next level (Software Engineer II)")
    }));
    // A check-in of another track, or one still open, does not count.
    sqlx::query(
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, agreed_ratings, \
         created_at, updated_at) VALUES ($1, 'software-engineering', 'se2', 1, 'open', '{}', 5000, 5000), \
         ($1, 'product-management', 'pm', 1, 'agreed', '{}', 5000, 5000)",
    )
    .bind(w.org.pat)
    .execute(w.app.state.db().pool())
    .await
    .expect("more check-ins");
    let admin = w.app.admin().await;
    w.app
        .post("/api/v1/readiness/recompute")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    let again = readiness_of(&w, &w.pat, w.org.pat).await;
    assert_eq!(
        again["readiness"]["checkin_id"],
        r["readiness"]["checkin_id"]
    );
}

#[tokio::test]
async fn admins_set_the_rule_of_a_track_and_everyone_on_it_is_recomputed() {
    let w = world().await;
    agreed(&w.app, w.org.ola, "se2", GOOD, 1_000).await;
    assert_eq!(
        readiness_of(&w, &w.ola, w.org.ola).await["readiness"]["status"],
        "ready"
    );
    let admin = w.app.admin().await;
    let rule = w
        .app
        .put(&format!("/api/v1/readiness/rules/{TRACK}"))
        .session(&admin)
        .json(&json!({"next_level_share": 70, "all_meet_current": true, "required": []}))
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(rule["configured"], json!(true));
    assert_eq!(rule["rule"]["next_level_share"], json!(70));
    let r = readiness_of(&w, &w.ola, w.org.ola).await;
    assert_eq!(
        r["readiness"]["status"], "not_yet",
        "recomputed with the rule"
    );
    assert_eq!(reason(&r, "next_level_share")["share"]["needed"], json!(70));
    // Required competencies, from the page form.
    w.app
        .post(&format!("/admin/readiness/{TRACK}"))
        .session(&admin)
        .form(&[
            ("next_level_share", "50"),
            ("all_meet_current", "1"),
            ("required", "mentoring"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let r = readiness_of(&w, &w.ola, w.org.ola).await;
    assert_eq!(r["readiness"]["status"], "not_yet");
    assert_eq!(reason(&r, "next_level_share")["met"], json!(true));
    let required = reason(&r, "required");
    assert_eq!(blockers(required), ["Mentoring"]);
    assert_eq!(r["rule"]["required"], json!(["mentoring"]));
    // Mistakes, on the page and over the API.
    for (share, message) in [
        ("abc", "not a whole percentage"),
        ("150", "from 0 to 100"),
        ("-1", "from 0 to 100"),
    ] {
        let page = w
            .app
            .post(&format!("/admin/readiness/{TRACK}"))
            .session(&admin)
            .form(&[("next_level_share", share), ("all_meet_current", "1")])
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(message), "{share}");
        assert!(
            page.body.contains(&format!("value=\"{share}\"")),
            "the value is kept"
        );
    }
    for (body, field) in [
        (json!({"next_level_share": 101}), "next_level_share"),
        (json!({"next_level_share": -5}), "next_level_share"),
        (json!({"required": ["juggling"]}), "required"),
        (json!({"required": ["strategy"]}), "required"),
    ] {
        let problem = w
            .app
            .put(&format!("/api/v1/readiness/rules/{TRACK}"))
            .session(&admin)
            .json(&body)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .json();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    w.app
        .put("/api/v1/readiness/rules/no-such-track")
        .session(&admin)
        .json(&json!({}))
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    // Only admins.
    for who in [&w.ola, &w.noor, &w.mia] {
        w.app
            .put(&format!("/api/v1/readiness/rules/{TRACK}"))
            .session(who)
            .json(&json!({}))
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        w.app
            .get("/admin/readiness")
            .session(who)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let page = w
        .app
        .get("/admin/readiness")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Software Engineering") && page.body.contains("(set on "));
    // Back to the default: Ola is ready again.
    let reset = w
        .app
        .delete(&format!("/api/v1/readiness/rules/{TRACK}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(reset["configured"], json!(false));
    assert_eq!(reset["rule"]["next_level_share"], json!(60));
    assert_eq!(
        readiness_of(&w, &w.ola, w.org.ola).await["readiness"]["status"],
        "ready"
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE object = $1 ORDER BY id")
            .bind(format!("track:{TRACK}"))
            .fetch_all(w.app.state.db().pool())
            .await
            .expect("audit");
    assert_eq!(
        actions,
        ["readiness.rule", "readiness.rule", "readiness.rule_reset"]
    );
}

#[tokio::test]
async fn recording_a_position_recomputes_readiness() {
    let w = world().await;
    agreed(&w.app, w.org.ola, "se2", GOOD, 1_000).await;
    let admin = w.app.admin().await;
    w.app
        .post(&format!("/api/v1/people/{}/positions", w.org.ola))
        .session(&admin)
        .json(&json!({"track": TRACK, "level": "se2", "effective_on": "2026-07-01"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let r = readiness_of(&w, &w.ola, w.org.ola).await;
    assert_eq!(r["readiness"]["level"], "se2");
    assert_eq!(r["readiness"]["next_level"], "principal");
    // The check-in against Software Engineer II is now against her own level.
    assert_eq!(r["readiness"]["status"], "not_yet");
    assert!(
        reason(&r, "next_level_check_in")["message"]
            .as_str()
            .is_some_and(|m| m.contains("(Principal Engineer)"))
    );
}

#[tokio::test]
async fn readiness_is_for_the_person_their_chain_and_admins() {
    let w = world().await;
    let admin = w.app.admin().await;
    let employee = w.app.employee().await;
    let token = w.app.token("api").await;
    for who in [&w.ola, &w.noor, &w.mia, &admin] {
        w.app
            .get(&format!("/people/{}/readiness", w.org.ola))
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK);
        w.app
            .get(&format!("/api/v1/people/{}/readiness", w.org.ola))
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK);
    }
    w.app
        .get(&format!("/api/v1/people/{}/readiness", w.org.ola))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    for who in [&w.pat, &employee] {
        w.app
            .get(&format!("/people/{}/readiness", w.org.ola))
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        w.app
            .get(&format!("/api/v1/people/{}/readiness", w.org.ola))
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        w.app
            .get(&format!(
                "/api/v1/people/{}/gaps?track={TRACK}&level=se2",
                w.org.ola
            ))
            .session(who)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    // Noor's manager is Mia: Noor does not see Mia's.
    w.app
        .get(&format!("/people/{}/readiness", w.org.mia))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .get("/people/987654/readiness")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recomputing_everyone_is_for_admins_and_covers_the_active_directory() {
    let w = world().await;
    let admin = w.app.admin().await;
    w.app
        .post("/api/v1/readiness/recompute")
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    w.app
        .post("/admin/readiness/recompute")
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE active = 1")
        .fetch_one(w.app.state.db().pool())
        .await
        .expect("count");
    let res = w
        .app
        .post("/api/v1/readiness/recompute")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(res["people"], json!(active));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM readiness")
        .fetch_one(w.app.state.db().pool())
        .await
        .expect("count");
    assert_eq!(stored, active);
    let redirect = w
        .app
        .post("/admin/readiness/recompute")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = redirect.header("location").to_owned();
    assert_eq!(location, format!("/admin/readiness?recomputed={active}"));
    let page = w
        .app
        .get(&location)
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("The readiness of {active} people was recomputed"))
    );
    // Through the service, as the command line calls it. A result that did not change keeps the
    // time it was reached; one that changed gets a new one.
    sqlx::query("UPDATE readiness SET computed_at = 1")
        .execute(w.app.state.db().pool())
        .await
        .expect("age the results");
    let n = readiness::recompute_all(&w.app.state, &Actor::command_line())
        .await
        .expect("recompute");
    assert_eq!(i64::try_from(n).ok(), Some(active));
    let since = |person: i64| {
        let app = &w.app;
        async move {
            readiness::of_person(app.state.db(), person)
                .await
                .expect("read")
                .expect("stored")
                .computed_at
        }
    };
    assert_eq!(since(w.org.ola).await, 1);
    agreed(&w.app, w.org.ola, "se2", GOOD, 1_000).await;
    assert!(since(w.org.ola).await > 1);
    assert_eq!(since(w.org.pat).await, 1);
}

/// An organisation larger than a page of the recompute (10,000 people), so that pages are read,
/// evaluated and written in turn: every result is right, a second recompute changes nothing, and
/// the results of people who left stay as they were when they left.
#[tokio::test]
async fn an_organisation_of_several_pages_is_recomputed_whole() {
    let w = world().await;
    let db = w.app.state.db();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 45000) \
         INSERT INTO users (email, name, role, active, created_at, track_key, level_key, name_key) \
         SELECT 'bulk' || CAST(i AS TEXT) || '@example.test', 'Bulk ' || CAST(i AS TEXT), \
                'employee', CASE WHEN i % 100 = 0 THEN 0 ELSE 1 END, 1, \
                'software-engineering', 'se1', 'bulk' FROM n",
    )
    .execute(db.pool())
    .await
    .expect("people");
    let ratings: serde_json::Map<String, serde_json::Value> = GOOD
        .iter()
        .map(|(k, r)| ((*k).to_owned(), json!({ "rating": r })))
        .collect();
    // A third of them agreed a check-in against the next level that makes them ready.
    sqlx::query(
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, \
         agreed_ratings, agreed_at, agreed_on, created_at, updated_at) \
         SELECT id, 'software-engineering', 'se2', 1, 'agreed', $1, 1000, '2026-06-01', 1000, 1000 \
         FROM users WHERE email LIKE 'bulk%' AND id % 3 = 0",
    )
    .bind(serde_json::Value::Object(ratings).to_string())
    .execute(db.pool())
    .await
    .expect("check-ins");
    // Those who left keep the result they had.
    sqlx::query(
        "INSERT INTO readiness (person_id, status, reasons, computed_at) \
         SELECT id, 'ready', '[]', 5 FROM users WHERE email LIKE 'bulk%' AND active = 0",
    )
    .execute(db.pool())
    .await
    .expect("results of leavers");
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(db.pool())
            .await
            .expect("a count")
    };
    let active = count("SELECT COUNT(*) FROM users WHERE active = 1").await;
    let n = readiness::recompute_all(&w.app.state, &Actor::command_line())
        .await
        .expect("recompute");
    assert_eq!(i64::try_from(n).ok(), Some(active));
    let bulk_ready =
        count("SELECT COUNT(*) FROM users WHERE email LIKE 'bulk%' AND active = 1 AND id % 3 = 0")
            .await;
    assert!(bulk_ready > 14_000);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM readiness r JOIN users u ON u.id = r.person_id \
             WHERE u.email LIKE 'bulk%' AND u.active = 1 AND r.status = 'ready' AND r.checkin_id IS NOT NULL"
        )
        .await,
        bulk_ready
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM readiness r JOIN users u ON u.id = r.person_id \
             WHERE u.email LIKE 'bulk%' AND u.active = 1 AND r.status = 'no_check_in'"
        )
        .await,
        count("SELECT COUNT(*) FROM users WHERE email LIKE 'bulk%' AND active = 1 AND id % 3 <> 0")
            .await
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM readiness WHERE digest IS NULL AND computed_at <> 5").await,
        0,
        "every result written carries its digest"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM readiness r JOIN users u ON u.id = r.person_id \
             WHERE u.active = 0 AND r.computed_at = 5 AND r.status = 'ready'"
        )
        .await,
        450
    );
    // Nothing changed since: nothing is written again, so every result keeps its time.
    sqlx::query("UPDATE readiness SET computed_at = 7 WHERE computed_at <> 5")
        .execute(db.pool())
        .await
        .expect("age the results");
    readiness::recompute_all(&w.app.state, &Actor::command_line())
        .await
        .expect("recompute again");
    assert_eq!(
        count("SELECT COUNT(*) FROM readiness WHERE computed_at NOT IN (5, 7)").await,
        0
    );
    // A rule that asks for every competency at the next level changes the results of the ready
    // ones, and only theirs.
    let admin = w.app.admin().await;
    w.app
        .put(&format!("/api/v1/readiness/rules/{TRACK}"))
        .session(&admin)
        .json(&json!({ "next_level_share": 100, "all_meet_current": true, "required": [] }))
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM readiness r JOIN users u ON u.id = r.person_id \
             WHERE u.email LIKE 'bulk%' AND r.status = 'not_yet' AND r.computed_at NOT IN (5, 7)"
        )
        .await,
        bulk_ready
    );
}

#[tokio::test]
async fn the_gap_analysis_compares_any_position_and_offers_a_goal_per_gap() {
    let w = world().await;
    let checkin = agreed(&w.app, w.org.ola, "se2", MIXED, 1_000).await;
    let gaps = w
        .app
        .get(&format!(
            "/api/v1/people/{}/gaps?track={TRACK}&level=se2",
            w.org.ola
        ))
        .session(&w.noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(gaps["target"]["level_title"], "Software Engineer II");
    assert_eq!(gaps["current"]["level_title"], "Software Engineer I");
    let rows = gaps["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6);
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["competency"] == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    assert_eq!(row("ownership")["gap"], json!(false));
    assert_eq!(row("ownership")["rating"], "meets");
    assert_eq!(row("ownership")["source"]["checkin_id"], json!(checkin));
    assert_eq!(row("ownership")["source"]["same_position"], json!(true));
    assert_eq!(row("teamwork")["gap"], json!(true));
    assert_eq!(
        row("teamwork")["goal_title"],
        "Grow Teamwork to Software Engineer II"
    );
    assert!(
        row("teamwork")["target"][0]
            .as_str()
            .is_some_and(|b| b.starts_with("You agree interfaces"))
    );
    assert!(
        row("teamwork")["current"][0]
            .as_str()
            .is_some_and(|b| b.starts_with("You review at least one"))
    );
    assert_eq!(row("mentoring")["current_not_applicable"], json!(true));
    assert_eq!(gaps["gaps"], json!(3));
    // The page defaults to the next level, each gap with its one-click goal.
    let page = w
        .app
        .get(&format!("/people/{}/gaps", w.org.ola))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Gaps of OLA to Software Engineer II"));
    assert!(
        page.body
            .contains(&format!(r#"action="/people/{}/plan/goals""#, w.org.ola))
    );
    assert!(
        page.body
            .contains(r#"name="title" value="Grow Teamwork to Software Engineer II""#)
    );
    assert!(page.body.contains(r#"name="competency" value="teamwork""#));
    assert!(
        page.body
            .contains(r#"name="track" value="software-engineering""#)
    );
    assert!(page.body.contains(r#"name="level" value="se2""#));
    assert!(page.body.contains(r#"name="from_gap" value="1""#));
    assert_eq!(page.body.matches("Create a goal</button>").count(), 3);
    // The form as the page sends it makes the goal on Ola's plan.
    let created = w
        .app
        .post(&format!("/people/{}/plan/goals", w.org.ola))
        .session(&w.ola)
        .form(&[
            ("title", "Grow Teamwork to Software Engineer II"),
            ("competency", "teamwork"),
            ("track", TRACK),
            ("level", "se2"),
            ("from_gap", "1"),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let goal = w
        .app
        .get(created.header("location"))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(goal.body.contains("Grow Teamwork to Software Engineer II"));
    // Another position: nothing rated against it.
    let principal = w
        .app
        .get(&format!(
            "/people/{}/gaps?position={TRACK}/principal",
            w.org.ola
        ))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(principal.body.contains("Gaps of OLA to Principal Engineer"));
    assert_eq!(principal.body.matches("Create a goal</button>").count(), 6);
    // Bad input.
    for query in [
        "track=sales&level=se2",
        "track=software-engineering&level=staff",
    ] {
        let problem = w
            .app
            .get(&format!("/api/v1/people/{}/gaps?{query}", w.org.ola))
            .session(&w.ola)
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY)
            .json();
        assert!(
            problem["errors"][0]["field"] == "track" || problem["errors"][0]["field"] == "level"
        );
    }
    w.app
        .get(&format!("/api/v1/people/{}/gaps", w.org.ola))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);
    // Someone without a position: the page asks which position to compare with.
    let admin = w.app.admin().await;
    let sam: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'employee@demo.trellis.test'")
            .fetch_one(w.app.state.db().pool())
            .await
            .expect("Sam");
    let page = w
        .app
        .get(&format!("/people/{sam}/gaps"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("holds no position yet"));
    assert!(!page.body.contains("Create a goal"));
}

#[tokio::test]
async fn a_rating_counts_for_another_position_whose_expectations_read_the_same() {
    let w = world().await;
    agreed(&w.app, w.org.ola, "se2", MIXED, 1_000).await;
    // Version 2 words Principal Engineer's teamwork exactly as version 1 words Software Engineer II's.
    let yaml = demo_yaml_with(
        "            - You bring engineers, product managers and managers from several teams together to agree on one plan.\n            - When teams disagree on a shared design, you help them reach a decision and you record it.",
        "            - You agree interfaces and dates with engineers on other teams when your project depends on them.\n            - When your team disagrees on a technical question, you lay out the options and get a decision by an agreed date.",
    );
    trellis::architecture::framework::import_yaml(
        &w.app.state,
        &Actor::command_line(),
        &yaml,
        &trellis::architecture::framework::ImportOptions {
            dry_run: false,
            prune: false,
            take: trellis_framework::merge::Take::all(),
            publish_note: Some("Principal teamwork reworded".into()),
        },
    )
    .await
    .expect("publish version 2");
    let gaps = w
        .app
        .get(&format!(
            "/api/v1/people/{}/gaps?track={TRACK}&level=principal",
            w.org.ola
        ))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let rows = gaps["rows"].as_array().expect("rows");
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["competency"] == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    assert_eq!(row("teamwork")["rating"], "below");
    assert_eq!(row("teamwork")["source"]["same_position"], json!(false));
    assert_eq!(row("teamwork")["source"]["position"]["level"], "se2");
    assert_eq!(
        row("ownership")["rating"],
        json!(null),
        "worded differently at Principal"
    );
    assert_eq!(row("ownership")["gap"], json!(true));
    let page = w
        .app
        .get(&format!(
            "/people/{}/gaps?position={TRACK}/principal",
            w.org.ola
        ))
        .session(&w.ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("against Software Engineer II with the same expectations")
    );
}

#[test]
fn the_command_line_recomputes_the_whole_organisation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trellis"))
            .env("TRELLIS_DATA_DIR", dir.path().join("data"))
            .env_remove("DATABASE_URL")
            .args(args)
            .output()
            .expect("run trellis");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let root = env!("CARGO_MANIFEST_DIR");
    run(&[
        "framework",
        "import",
        &format!("{root}/demo/framework.yaml"),
        "--publish",
        "--note",
        "first",
    ]);
    run(&["people", "import", &format!("{root}/demo/people.csv")]);
    let out = run(&["readiness", "recompute"]);
    let people = std::fs::read_to_string(format!("{root}/demo/people.csv"))
        .expect("the demo people")
        .lines()
        .filter(|l| l.ends_with(",active"))
        .count();
    assert!(
        out.starts_with(&format!("recomputed the readiness of {people} people")),
        "{out}"
    );
}
