//! Check-ins: starting one against a position, both sides rating in private, sharing, comparing,
//! agreeing; who sees what (a side never sees the other's draft), pinned versions, and bad input,
//! over the pages and the API.

use crate::helpers::sign_in_as;
use axum::http::StatusCode;
use serde_json::{Value, json};
use trellis::architecture::framework;
use trellis::auth::{Actor, Role, Via};
use trellis::growth::checkins::{self, RatingInput};

use crate::helpers::{Organisation, Session, TestApp};

/// The competencies of the Software Engineering track, in the track's order.
const SE: [&str; 6] = [
    "ownership",
    "problem-solving",
    "technical-quality",
    "communication",
    "teamwork",
    "mentoring",
];

/// A person of the directory acting through the services, as a signed-in browser would.
fn person(id: i64, email: &str) -> Actor {
    Actor {
        user_id: Some(id),
        label: email.into(),
        name: email.into(),
        role: Role::Employee,
        via: Via::Session,
    }
}

fn ola(org: &Organisation) -> Actor {
    person(org.ola, "ola@demo.trellis.test")
}

fn noor(org: &Organisation) -> Actor {
    person(org.noor, "noor@demo.trellis.test")
}

/// The same rating for every competency of a track, as the services take them.
fn all_rated(keys: &[String], rating: &str) -> Vec<(String, RatingInput)> {
    keys.iter()
        .map(|k| {
            (
                k.clone(),
                RatingInput {
                    rating: rating.into(),
                    comment: format!("{rating} on {k}"),
                    reason: String::new(),
                },
            )
        })
        .collect()
}

/// The competency keys of a track of the published framework.
async fn track_keys(app: &TestApp, track: &str) -> Vec<String> {
    let published = framework::require_published(&app.state, &Actor::command_line())
        .await
        .expect("a published framework");
    published
        .framework
        .track(track)
        .expect("the track")
        .competencies
        .iter()
        .map(|k| k.to_string())
        .collect()
}

/// A check-in of Ola's against a position, started by her, with both sides' drafts complete
/// (`rated`), and shared by both (`shared`).
async fn ola_checkin(
    app: &TestApp,
    org: &Organisation,
    (track, level): (&str, &str),
    rated: bool,
    shared: bool,
) -> i64 {
    let id = checkins::start(&app.state, &ola(org), org.ola, track, level)
        .await
        .expect("start a check-in");
    if rated {
        let keys = track_keys(app, track).await;
        checkins::save_own_ratings(&app.state, &ola(org), id, &all_rated(&keys, "meets"))
            .await
            .expect("self-rating");
        checkins::save_own_ratings(
            &app.state,
            &noor(org),
            id,
            &all_rated(&keys, "working_towards"),
        )
        .await
        .expect("manager's rating");
    }
    if shared {
        checkins::share(&app.state, &ola(org), id)
            .await
            .expect("share the self-rating");
        checkins::share(&app.state, &noor(org), id)
            .await
            .expect("share the manager's rating");
    }
    id
}

/// The check-ins the access matrix (tests/it/access.rs) acts on, all Ola's: one open, one in
/// review, and throwaway ones for the rows that share and cancel for good.
pub async fn access_objects(app: &TestApp, org: &Organisation) -> Vec<(&'static str, i64)> {
    vec![
        (
            "checkin",
            ola_checkin(app, org, ("software-engineering", "se2"), false, false).await,
        ),
        (
            "checkin-review",
            ola_checkin(app, org, ("software-engineering", "se1"), true, true).await,
        ),
        (
            "checkin-share-web",
            ola_checkin(app, org, ("engineering-management", "em"), true, false).await,
        ),
        (
            "checkin-share-api",
            ola_checkin(app, org, ("engineering-management", "sem"), true, false).await,
        ),
        (
            "checkin-cancel-web",
            ola_checkin(app, org, ("product-management", "apm"), false, false).await,
        ),
        (
            "checkin-cancel-api",
            ola_checkin(app, org, ("product-management", "pm"), false, false).await,
        ),
    ]
}

/// The id at the end of a redirect to a check-in.
fn checkin_id(location: &str) -> i64 {
    location
        .trim_start_matches("/checkins/")
        .split(['?', '#'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a check-in address: {location}"))
}

/// The whole ratings form with one rating for every SE competency.
fn ratings_form(rating: &str, comment: &str) -> Vec<(String, String)> {
    let mut fields = vec![("from".to_owned(), "ratings".to_owned())];
    for k in SE {
        fields.push((format!("rating-{k}"), rating.to_owned()));
        fields.push((format!("reason-{k}"), String::new()));
        fields.push((format!("comment-{k}"), format!("{comment} ({k})")));
    }
    fields
}

fn as_pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn a_check_in_runs_from_start_to_agreement_over_the_pages() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let ola = sign_in_as(&app, "ola@demo.trellis.test").await;
    let noor = sign_in_as(&app, "noor@demo.trellis.test").await;

    // The person page links to the check-ins; the start form suggests the next level.
    let person = app
        .get(&format!("/people/{}", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        person
            .body
            .contains(&format!("/people/{}/checkins", org.ola))
    );
    let list = app
        .get(&format!("/people/{}/checkins", org.ola))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("Next level: Software Engineer II"));
    assert!(list.body.contains("No check-ins yet."));
    let started = app
        .post(&format!("/people/{}/checkins", org.ola))
        .session(&ola)
        .form(&[("target", "software-engineering/se2")])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let id = checkin_id(started.header("location"));
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Rate yourself"));
    assert!(
        page.body
            .contains("Rated against version 1 of the framework")
    );
    assert!(
        page.body.contains(r#"hx-trigger="change""#),
        "ratings save as they change"
    );

    // One competency saved as it changes (htmx), then the whole form with a button.
    let saved = app
        .post(&format!("/checkins/{id}/rating"))
        .session(&ola)
        .header("hx-request", "true")
        .form(&[
            ("competency", "ownership"),
            ("rating-ownership", "exceeds"),
            ("comment-ownership", "I ran the incident review"),
            ("reason-ownership", ""),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(saved.body.contains("Saved"), "{}", saved.body);
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("I ran the incident review"));
    let mut form = ratings_form("meets", "Self comment");
    form.retain(|(k, _)| k != "rating-mentoring");
    form.push(("rating-mentoring".into(), "not_applicable".into()));
    form.retain(|(k, _)| k != "reason-mentoring");
    form.push(("reason-mentoring".into(), "Nobody joined the team".into()));
    app.post(&format!("/checkins/{id}/ratings"))
        .session(&ola)
        .form(&as_pairs(&form))
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    // Sharing from the form saves it and locks the side.
    app.post(&format!("/checkins/{id}/share"))
        .session(&ola)
        .form(&as_pairs(&form))
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Your ratings are shared"));
    assert!(!page.body.contains("Save and share"), "the side is locked");

    // The manager rates and shares in one go.
    let manager_page = app
        .get(&format!("/checkins/{id}"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(manager_page.body.contains("Rate OLA"));
    let mut manager_form = ratings_form("meets", "Manager comment");
    manager_form.retain(|(k, _)| k != "rating-teamwork");
    manager_form.push(("rating-teamwork".into(), "working_towards".into()));
    app.post(&format!("/checkins/{id}/share"))
        .session(&noor)
        .form(&as_pairs(&manager_form))
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);

    // Both see the comparison with the disagreements marked.
    for who in [&ola, &noor] {
        let page = app
            .get(&format!("/checkins/{id}"))
            .session(who)
            .send()
            .await
            .expect(StatusCode::OK);
        assert!(page.body.contains("Compare and agree"));
        assert!(page.body.contains("Self comment (ownership)"));
        assert!(page.body.contains("Manager comment (ownership)"));
        assert!(
            page.body
                .contains(r#"<tr id="row-teamwork" class="differs">"#)
        );
        assert!(
            page.body
                .contains(r#"<tr id="row-mentoring" class="differs">"#)
        );
        assert!(page.body.contains(r#"<tr id="row-ownership">"#));
        assert!(page.body.contains("2 competencies are rated differently."));
    }
    // They agree: teamwork meets after all; both confirm.
    app.post(&format!("/checkins/{id}/agreed"))
        .session(&ola)
        .form(&[
            ("competency", "teamwork"),
            ("rating", "meets"),
            ("reason", ""),
        ])
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/checkins/{id}/confirm"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/checkins/{id}/confirm"))
        .session(&ola)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("The check-in is locked."));
    assert!(page.body.contains("Agreed ratings"));
    assert!(!page.body.contains(r#"class="agree-form""#), "locked");
    // The trail tells the story.
    for step in [
        "Started a check-in for OLA against Software Engineer II",
        "Shared the self-rating",
        "Shared the manager&#39;s rating",
        "Both sides have shared",
        "Set the agreed rating of Teamwork to Meets (was Working towards)",
        "The check-in is agreed",
    ] {
        assert!(page.body.contains(step), "the trail lacks `{step}`");
    }
    let list = app
        .get(&format!("/people/{}/checkins", org.ola))
        .session(&noor)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("checkin-status-agreed"));

    // Readiness was recomputed in the same transaction, on this check-in.
    let readiness: Option<i64> =
        sqlx::query_scalar("SELECT checkin_id FROM readiness WHERE person_id = $1")
            .bind(org.ola)
            .fetch_one(app.state.db().pool())
            .await
            .expect("a readiness row");
    assert_eq!(readiness, Some(id));
    let latest = checkins::latest_agreed(app.state.db(), org.ola)
        .await
        .expect("read")
        .expect("an agreed check-in");
    assert_eq!(latest.id, id);
    assert_eq!(latest.level, "se2");
    assert_eq!(latest.agreed_ratings["teamwork"].rating.as_str(), "meets");
    assert_eq!(latest.agreed_ratings["mentoring"].rating.as_str(), "meets");
}

#[tokio::test]
async fn a_check_in_runs_from_start_to_agreement_over_the_api() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let ola = app.token_for("ola@demo.trellis.test").await;
    let noor = app.token_for("noor@demo.trellis.test").await;
    let started = app
        .post(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&noor)
        .json(&json!({ "track": "software-engineering", "level": "se2" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    let id = started["id"].as_i64().expect("an id");
    assert_eq!(started["status"], "open");
    assert_eq!(started["version_number"], 1);
    assert_eq!(started["your_side"], "manager");
    assert_eq!(started["competencies"].as_array().map(Vec::len), Some(6));
    let ratings = |rating: &str| {
        let mut r = serde_json::Map::new();
        for k in SE {
            r.insert(
                k.into(),
                json!({ "rating": rating, "comment": format!("{rating}!") }),
            );
        }
        json!({ "ratings": r })
    };
    app.put(&format!("/api/v1/checkins/{id}/self-ratings"))
        .bearer(&ola)
        .json(&ratings("exceeds"))
        .send()
        .await
        .expect(StatusCode::OK);
    app.put(&format!("/api/v1/checkins/{id}/manager-ratings"))
        .bearer(&noor)
        .json(&ratings("meets"))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post(&format!("/api/v1/checkins/{id}/share"))
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::OK);
    let review = app
        .post(&format!("/api/v1/checkins/{id}/share"))
        .bearer(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(review["status"], "review");
    assert_eq!(review["self_ratings"]["ownership"]["rating"], "exceeds");
    assert_eq!(
        review["agreed_ratings"]["ownership"]["rating"], "meets",
        "the agreed rating starts as the manager's"
    );
    app.patch(&format!("/api/v1/checkins/{id}/agreed-ratings"))
        .bearer(&ola)
        .json(&json!({ "ratings": { "ownership": { "rating": "exceeds" } } }))
        .send()
        .await
        .expect(StatusCode::OK);
    let half = app
        .post(&format!("/api/v1/checkins/{id}/confirm"))
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(half["status"], "review");
    assert!(half["self_confirmed_at"].is_i64());
    let agreed = app
        .post(&format!("/api/v1/checkins/{id}/confirm"))
        .bearer(&noor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(agreed["status"], "agreed");
    assert_eq!(
        agreed["agreed_on"].as_str(),
        Some(trellis::domain::Day::today().to_string().as_str())
    );
    assert_eq!(agreed["agreed_ratings"]["ownership"]["rating"], "exceeds");
    assert_eq!(agreed["manager_name"], "NOOR");
    let list = app
        .get(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&ola)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["status"], "agreed");
    assert_eq!(list[0]["target"]["level_title"], "Software Engineer II");
    // Agreed is locked.
    app.patch(&format!("/api/v1/checkins/{id}/agreed-ratings"))
        .bearer(&noor)
        .json(&json!({ "ratings": { "ownership": { "rating": "meets" } } }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    app.post(&format!("/api/v1/checkins/{id}/cancel"))
        .bearer(&noor)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
}

#[tokio::test]
async fn neither_side_sees_the_others_ratings_until_both_have_shared() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = checkins::start(
        &app.state,
        &ola(&org),
        org.ola,
        "software-engineering",
        "se2",
    )
    .await
    .expect("start");
    let say = |comment: &str| RatingInput {
        rating: "meets".into(),
        comment: comment.into(),
        reason: String::new(),
    };
    checkins::save_rating(&app.state, &ola(&org), id, "ownership", &say("SELF-SECRET"))
        .await
        .expect("self");
    checkins::save_rating(
        &app.state,
        &noor(&org),
        id,
        "ownership",
        &say("MANAGER-SECRET"),
    )
    .await
    .expect("manager");
    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let noor_session = sign_in_as(&app, "noor@demo.trellis.test").await;
    let mia_session = sign_in_as(&app, "mia@demo.trellis.test").await;
    let admin = app.admin().await;
    let ola_token = app.token_for("ola@demo.trellis.test").await;
    let noor_token = app.token_for("noor@demo.trellis.test").await;
    let org_token = app.token("api").await;

    let page = |s: Session| {
        let app = &app;
        async move {
            app.get(&format!("/checkins/{id}"))
                .session(&s)
                .send()
                .await
                .expect(StatusCode::OK)
                .body
        }
    };
    let api = |t: String| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/checkins/{id}"))
                .bearer(&t)
                .send()
                .await
                .expect(StatusCode::OK)
                .json()
        }
    };
    let check = async |stage: &str| {
        let own = page(ola_session.clone()).await;
        assert!(
            own.contains("SELF-SECRET"),
            "{stage}: the person sees theirs"
        );
        assert!(
            !own.contains("MANAGER-SECRET"),
            "{stage}: the person sees the manager's draft"
        );
        for manager in [noor_session.clone(), mia_session.clone()] {
            let body = page(manager).await;
            assert!(
                body.contains("MANAGER-SECRET"),
                "{stage}: the chain sees its own"
            );
            assert!(
                !body.contains("SELF-SECRET"),
                "{stage}: the chain sees the self-rating"
            );
        }
        let admin_page = page(admin.clone()).await;
        assert!(!admin_page.contains("SELF-SECRET") && !admin_page.contains("MANAGER-SECRET"));
        let mine = api(ola_token.clone()).await;
        assert_eq!(mine["self_ratings"]["ownership"]["comment"], "SELF-SECRET");
        assert_eq!(mine["manager_ratings"], Value::Null, "{stage}");
        assert!(!mine.to_string().contains("MANAGER-SECRET"), "{stage}");
        let theirs = api(noor_token.clone()).await;
        assert_eq!(theirs["self_ratings"], Value::Null, "{stage}");
        assert!(!theirs.to_string().contains("SELF-SECRET"), "{stage}");
        let organisation = api(org_token.clone()).await;
        assert_eq!(organisation["self_ratings"], Value::Null);
        assert_eq!(organisation["manager_ratings"], Value::Null);
    };
    check("drafts").await;

    // One side shared: still nothing of the other side.
    let keys = track_keys(&app, "software-engineering").await;
    let mut all = all_rated(&keys, "meets");
    all[0].1.comment = "SELF-SECRET".into();
    checkins::save_own_ratings(&app.state, &ola(&org), id, &all)
        .await
        .expect("self");
    checkins::share(&app.state, &ola(&org), id)
        .await
        .expect("share");
    check("self shared").await;

    // Both shared: both sides are visible to all who see the check-in.
    let mut all = all_rated(&keys, "meets");
    all[0].1.comment = "MANAGER-SECRET".into();
    checkins::save_own_ratings(&app.state, &noor(&org), id, &all)
        .await
        .expect("manager");
    checkins::share(&app.state, &noor(&org), id)
        .await
        .expect("share");
    for s in [ola_session.clone(), noor_session.clone(), admin.clone()] {
        let body = page(s).await;
        assert!(body.contains("SELF-SECRET") && body.contains("MANAGER-SECRET"));
    }
    let mine = api(ola_token.clone()).await;
    assert_eq!(
        mine["manager_ratings"]["ownership"]["comment"],
        "MANAGER-SECRET"
    );
}

#[tokio::test]
async fn someone_outside_the_chain_gets_404_for_everything() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), true, false).await;
    let peer = app.employee().await;
    for path in [
        format!("/checkins/{id}"),
        format!("/people/{}/checkins", org.ola),
    ] {
        let res = app
            .get(&path)
            .session(&peer)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        assert!(!res.body.contains("OLA"), "nothing leaks on {path}");
    }
    app.post(&format!("/checkins/{id}/rating"))
        .session(&peer)
        .header("hx-request", "true")
        .form(&[("competency", "ownership"), ("rating-ownership", "below")])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    app.post(&format!("/people/{}/checkins", org.ola))
        .session(&peer)
        .form(&[("target", "software-engineering/se1")])
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let token = app.token_for("employee@demo.trellis.test").await;
    let missing = app
        .get(&format!("/api/v1/checkins/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND)
        .json();
    let nothing = app
        .get("/api/v1/checkins/987654")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND)
        .json();
    assert_eq!(missing, nothing, "the same answer as for no check-in");
    for (method, path) in [
        ("POST", format!("/api/v1/checkins/{id}/share")),
        ("POST", format!("/api/v1/checkins/{id}/cancel")),
        ("GET", format!("/api/v1/people/{}/checkins", org.ola)),
    ] {
        let req = if method == "GET" {
            app.get(&path)
        } else {
            app.post(&path)
        };
        req.bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    // Ola does not see her manager's check-ins either.
    let noors = checkins::start(
        &app.state,
        &noor(&org),
        org.noor,
        "software-engineering",
        "principal",
    )
    .await
    .expect("Noor's own check-in");
    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    app.get(&format!("/checkins/{noors}"))
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_skip_level_manager_sees_and_rates_the_managers_side() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let mia = sign_in_as(&app, "mia@demo.trellis.test").await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Rate OLA"));
    let mut form = ratings_form("working_towards", "Mia says");
    form.retain(|(k, _)| k != "from");
    app.post(&format!("/checkins/{id}/ratings"))
        .session(&mia)
        .form(&as_pairs(&form))
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/checkins/{id}/share"))
        .session(&mia)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let token = app.token_for("mia@demo.trellis.test").await;
    let seen = app
        .get(&format!("/api/v1/checkins/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(seen["manager_name"], "MIA");
    assert!(seen["manager_shared_at"].is_i64());
    assert_eq!(
        seen["manager_ratings"]["teamwork"]["comment"],
        "Mia says (teamwork)"
    );
    // Mia also starts one for Ola herself.
    app.post(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&token)
        .json(&json!({ "track": "engineering-management", "level": "em" }))
        .send()
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_shared_side_is_locked() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), true, false).await;
    checkins::share(&app.state, &ola(&org), id)
        .await
        .expect("share");
    let session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let fragment = app
        .post(&format!("/checkins/{id}/rating"))
        .session(&session)
        .header("hx-request", "true")
        .form(&[("competency", "ownership"), ("rating-ownership", "below")])
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert!(fragment.body.contains("Not saved"), "{}", fragment.body);
    assert!(fragment.body.contains("shared and locked"));
    app.post(&format!("/checkins/{id}/ratings"))
        .session(&session)
        .form(&as_pairs(&ratings_form("below", "late")))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    app.post(&format!("/checkins/{id}/share"))
        .session(&session)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let token = app.token_for("ola@demo.trellis.test").await;
    let problem = app
        .put(&format!("/api/v1/checkins/{id}/self-ratings"))
        .bearer(&token)
        .json(&json!({ "ratings": { "ownership": { "rating": "below" } } }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert_eq!(problem.header("content-type"), "application/problem+json");
    let kept = checkins::get(&app.state, &ola(&org), id)
        .await
        .expect("get");
    assert_eq!(
        kept.self_ratings.expect("her own")["ownership"]
            .rating
            .as_str(),
        "meets"
    );
    // The other side still rates.
    checkins::save_rating(
        &app.state,
        &noor(&org),
        id,
        "ownership",
        &RatingInput {
            rating: "exceeds".into(),
            ..RatingInput::default()
        },
    )
    .await
    .expect("the manager's side is open");
}

#[tokio::test]
async fn a_check_in_keeps_the_version_it_started_on() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let edit: trellis_framework::Edit = serde_json::from_value(json!({
        "op": "set_cell",
        "track": "software-engineering",
        "level": "se2",
        "competency": "ownership",
        "expectations": ["You write a brand-new runbook for every service."],
    }))
    .expect("an edit");
    framework::apply_edit(&app.state, &Actor::command_line(), &edit)
        .await
        .expect("edit the draft");
    framework::publish(&app.state, &Actor::command_line(), "Runbooks")
        .await
        .expect("publish version 2");
    let session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        page.body
            .contains("Rated against version 1 of the framework")
    );
    assert!(page.body.contains(r#"id="newer-version""#));
    assert!(
        page.body
            .contains("Version 2 of the framework has been published")
    );
    assert!(!page.body.contains("brand-new runbook"));
    let v1 = framework::framework_at(
        &app.state,
        &Actor::command_line(),
        framework::Revision::Version(1),
    )
    .await
    .expect("version 1");
    let old_bullet = &v1
        .framework
        .track("software-engineering")
        .and_then(|t| t.level("se2"))
        .and_then(|l| {
            l.expectations
                .iter()
                .find(|(k, _)| k.as_str() == "ownership")
        })
        .expect("the old cell")
        .1[0];
    let first_words: String = old_bullet.chars().take(30).collect();
    assert!(page.body.contains(&first_words), "shows `{first_words}`");
    // A check-in started now uses version 2.
    let token = app.token_for("ola@demo.trellis.test").await;
    let new = app
        .post(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&token)
        .json(&json!({ "track": "software-engineering", "level": "principal" }))
        .send()
        .await
        .expect(StatusCode::CREATED)
        .json();
    assert_eq!(new["version_number"], 2);
    assert_eq!(new["newer_version"], Value::Null);
    let old = app
        .get(&format!("/api/v1/checkins/{id}"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(old["version_number"], 1);
    assert_eq!(old["newer_version"], 2);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_reason() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let token = app.token_for("ola@demo.trellis.test").await;
    let put = |body: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.put(&format!("/api/v1/checkins/{id}/self-ratings"))
                .bearer(&token)
                .json(&body)
                .send()
                .await
        }
    };
    let fields = |res: crate::helpers::Res| -> Vec<String> {
        let p = res.expect(StatusCode::UNPROCESSABLE_ENTITY).json();
        p["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        fields(put(json!({ "ratings": { "juggling": { "rating": "meets" } } })).await),
        ["ratings.juggling"]
    );
    assert_eq!(
        fields(put(json!({ "ratings": { "ownership": { "rating": "great" } } })).await),
        ["ratings.ownership.rating"]
    );
    assert_eq!(
        fields(put(json!({ "ratings": { "ownership": { "rating": "not_applicable" } } })).await),
        ["ratings.ownership.reason"]
    );
    assert_eq!(
        fields(
            put(json!({ "ratings": { "ownership": { "rating": "meets", "comment": "x".repeat(20_001) } } }))
                .await
        ),
        ["ratings.ownership.comment"]
    );
    // A body that is not the shape asked for is a problem too, never a 500.
    let shape = put(json!({ "ratings": { "ownership": { "rating": 3 } } })).await;
    assert_eq!(
        shape.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        shape.body
    );
    put(json!({ "stars": 5 }))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // Writing the other side.
    app.put(&format!("/api/v1/checkins/{id}/manager-ratings"))
        .bearer(&token)
        .json(&json!({ "ratings": { "ownership": { "rating": "meets" } } }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Sharing an incomplete side.
    let incomplete = app
        .post(&format!("/api/v1/checkins/{id}/share"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert!(
        incomplete["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Ownership")),
        "{incomplete}"
    );
    // Agreeing before the review.
    app.post(&format!("/api/v1/checkins/{id}/confirm"))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    // Starting: an unknown position, and a second open check-in for the same one.
    let unknown = app
        .post(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&token)
        .json(&json!({ "track": "software-engineering", "level": "se9" }))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    assert_eq!(unknown["errors"][0]["field"], "level");
    let twice = app
        .post(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&token)
        .json(&json!({ "track": "software-engineering", "level": "se2" }))
        .send()
        .await
        .expect(StatusCode::CONFLICT)
        .json();
    assert!(
        twice["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&format!("continue check-in {id}"))),
        "{twice}"
    );

    // The same mistakes in the browser: the form again, with the reason beside the field.
    let session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let mut form = ratings_form("meets", "fine");
    form.retain(|(k, _)| k != "rating-ownership");
    form.push(("rating-ownership".into(), "not_applicable".into()));
    let refused = app
        .post(&format!("/checkins/{id}/ratings"))
        .session(&session)
        .form(&as_pairs(&form))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Say why Ownership does not apply"));
    assert!(
        refused
            .body
            .contains(r#"id="ratings_reason-ownership_error""#)
    );
    assert!(
        refused.body.contains("fine (teamwork)"),
        "what was typed is kept"
    );
    let fragment = app
        .post(&format!("/checkins/{id}/rating"))
        .session(&session)
        .header("hx-request", "true")
        .form(&[("competency", "ownership"), ("rating-ownership", "great")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fragment.body.contains("is not a rating"));
    let again = app
        .post(&format!("/people/{}/checkins", org.ola))
        .session(&session)
        .form(&[("target", "software-engineering/se2")])
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    assert!(again.body.contains(&format!(r#"href="/checkins/{id}""#)));
    assert!(again.body.contains("Continue the open check-in"));
    let nowhere = app
        .post(&format!("/people/{}/checkins", org.ola))
        .session(&session)
        .form(&[("target", "")])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.body.contains(r#"id="start_target_error""#));
}

#[tokio::test]
async fn changing_an_agreed_rating_asks_the_other_side_to_confirm_again() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), true, true).await;
    checkins::confirm(&app.state, &ola(&org), id)
        .await
        .expect("Ola confirms");
    let to = |rating: &str| {
        vec![(
            "ownership".to_owned(),
            RatingInput {
                rating: rating.into(),
                ..RatingInput::default()
            },
        )]
    };
    checkins::set_agreed(&app.state, &noor(&org), id, &to("exceeds"))
        .await
        .expect("Noor changes one");
    let c = checkins::get(&app.state, &noor(&org), id)
        .await
        .expect("get");
    assert_eq!(c.self_confirmed_at, None, "Ola confirms again");
    checkins::confirm(&app.state, &noor(&org), id)
        .await
        .expect("Noor confirms");
    let c = checkins::get(&app.state, &noor(&org), id)
        .await
        .expect("get");
    assert_eq!(c.status.as_str(), "review", "Ola has not confirmed this");
    // Setting the same rating again changes nothing and keeps Noor's confirmation.
    checkins::set_agreed(&app.state, &ola(&org), id, &to("exceeds"))
        .await
        .expect("no change");
    checkins::confirm(&app.state, &ola(&org), id)
        .await
        .expect("Ola confirms");
    let c = checkins::get(&app.state, &ola(&org), id)
        .await
        .expect("get");
    assert_eq!(c.status.as_str(), "agreed");
    assert_eq!(
        c.agreed_ratings.expect("visible")["ownership"]
            .rating
            .as_str(),
        "exceeds"
    );
    assert!(c.agreed_at.is_some() && c.agreed_on.is_some());
    // An agreed rating that does not apply needs a reason; an empty one is refused.
    let other = ola_checkin(
        &app,
        &org,
        ("software-engineering", "principal"),
        true,
        true,
    )
    .await;
    let refused = checkins::set_agreed(&app.state, &ola(&org), other, &to("not_applicable")).await;
    assert!(matches!(
        refused,
        Err(trellis::error::AppError::Invalid { .. })
    ));
    let refused = checkins::set_agreed(&app.state, &ola(&org), other, &to("")).await;
    assert!(matches!(
        refused,
        Err(trellis::error::AppError::Invalid { .. })
    ));
}

#[tokio::test]
async fn only_the_starter_or_an_admin_cancels_an_unfinished_check_in() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let noor_session = sign_in_as(&app, "noor@demo.trellis.test").await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&noor_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!page.body.contains("Cancel the check-in"));
    app.post(&format!("/checkins/{id}/cancel"))
        .session(&noor_session)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let ola_session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Cancel the check-in"));
    app.post(&format!("/checkins/{id}/cancel"))
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&ola_session)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("This check-in was cancelled"));
    assert!(page.body.contains("Cancelled the check-in"));
    // Cancelled: a new one for the same position may start; the cancelled one stays locked.
    let token = app.token_for("noor@demo.trellis.test").await;
    app.post(&format!("/api/v1/people/{}/checkins", org.ola))
        .bearer(&token)
        .json(&json!({ "track": "software-engineering", "level": "se2" }))
        .send()
        .await
        .expect(StatusCode::CREATED);
    app.put(&format!("/api/v1/checkins/{id}/manager-ratings"))
        .bearer(&token)
        .json(&json!({ "ratings": {} }))
        .send()
        .await
        .expect(StatusCode::CONFLICT);
    let by_noor = checkins::start(
        &app.state,
        &noor(&org),
        org.ola,
        "software-engineering",
        "principal",
    )
    .await
    .expect("Noor starts one");
    let admin = app.admin().await;
    app.post(&format!("/checkins/{by_noor}/cancel"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    app.post(&format!("/checkins/{by_noor}/cancel"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::CONFLICT);
}

#[tokio::test]
async fn admins_outside_the_chain_read_but_take_no_side() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), true, false).await;
    let admin = app.admin().await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("Ratings in progress"));
    assert!(!page.body.contains("Save and share"));
    app.post(&format!("/checkins/{id}/share"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post(&format!("/people/{}/checkins", org.ola))
        .session(&admin)
        .form(&[("target", "software-engineering/principal")])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let list = app
        .get(&format!("/people/{}/checkins", org.ola))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(!list.body.contains("Start the check-in"));
    assert!(list.body.contains("Software Engineer II"));
}

#[tokio::test]
async fn outside_the_pilot_check_ins_are_closed() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    // A pilot with a team Ola is not in.
    let team: i64 = sqlx::query_scalar(
        "INSERT INTO teams (name, name_key, created_at) VALUES ('Pilots', 'pilots', 0) RETURNING id",
    )
    .fetch_one(app.state.db().pool())
    .await
    .expect("a team");
    trellis::rollout::pilot::set_audience(
        app.state.db(),
        &Actor::command_line(),
        trellis::rollout::pilot::PILOT,
        &[team],
    )
    .await
    .expect("a pilot");
    let session = sign_in_as(&app, "ola@demo.trellis.test").await;
    app.get(&format!("/checkins/{id}"))
        .session(&session)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    app.get(&format!("/checkins/{id}"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn evidence_shows_beside_the_competencies_it_supports() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let item = trellis::growth::evidence::add(
        &app.state,
        &ola(&org),
        org.ola,
        &trellis::growth::evidence::EvidenceInput {
            kind: "document".into(),
            title: "Billing migration write-up".into(),
            url: "https://example.test/billing".into(),
            competencies: vec!["ownership".into()],
            ..Default::default()
        },
    )
    .await
    .expect("evidence");
    let session = sign_in_as(&app, "noor@demo.trellis.test").await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&session)
        .send()
        .await
        .expect(StatusCode::OK);
    let ownership = page
        .body
        .split(r#"id="c-ownership""#)
        .nth(1)
        .and_then(|rest| rest.split("</fieldset>").next())
        .expect("the ownership fieldset");
    assert!(ownership.contains(&format!(r#"href="/evidence/{item}""#)));
    assert!(ownership.contains("Billing migration write-up"));
    let teamwork = page
        .body
        .split(r#"id="c-teamwork""#)
        .nth(1)
        .and_then(|rest| rest.split("</fieldset>").next())
        .expect("the teamwork fieldset");
    assert!(!teamwork.contains("Billing migration"));
    let json = checkins::get(&app.state, &noor(&org), id)
        .await
        .expect("get");
    assert_eq!(json.evidence["ownership"][0].id, item);
    assert!(!json.evidence.contains_key("teamwork"));
}

#[tokio::test]
async fn autosaves_at_the_same_time_keep_every_rating() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let actor = ola(&org);
    let saves = SE.iter().map(|key| {
        let (state, actor) = (app.state.clone(), actor.clone());
        async move {
            let input = RatingInput {
                rating: "exceeds".into(),
                comment: format!("about {key}"),
                reason: String::new(),
            };
            checkins::save_rating(&state, &actor, id, key, &input).await
        }
    });
    for result in futures_util::future::join_all(saves).await {
        result.expect("every autosave lands");
    }
    let c = checkins::get(&app.state, &actor, id).await.expect("get");
    let mine = c.self_ratings.expect("her own");
    assert_eq!(mine.len(), SE.len(), "{mine:?}");
    assert!(SE.iter().all(|k| mine[*k].comment == format!("about {k}")));
}

#[tokio::test]
async fn sharing_an_unfinished_rating_stays_on_the_check_in_with_what_was_typed() {
    let app = TestApp::demo().await;
    let org = app.organisation().await;
    let session = sign_in_as(&app, "ola@demo.trellis.test").await;
    let id = ola_checkin(&app, &org, ("software-engineering", "se2"), false, false).await;
    let page = app
        .get(&format!("/checkins/{id}"))
        .session(&session)
        .send()
        .await
        .expect(StatusCode::OK);
    // The form posts to the check-in's own address, checks before it asks to confirm, and no
    // button sends it elsewhere.
    assert!(page.body.contains(&format!(
        r#"method="post" action="/checkins/{id}" class="checkin-form""#
    )));
    assert!(
        page.body
            .contains(r#"name="intent" value="share" data-check-sharing="share-check""#)
    );
    assert!(page.body.contains(r#"data-needed-for-sharing="Ownership""#));
    assert!(!page.body.contains("formaction="));
    // Without JavaScript: one competency rated, a comment typed on another, then "Save and share".
    let refused = app
        .post(&format!("/checkins/{id}"))
        .session(&session)
        .form(&[
            ("from", "ratings"),
            ("intent", "share"),
            ("rating-ownership", "meets"),
            ("comment-ownership", "Still thinking about this one"),
            ("reason-ownership", ""),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Rate every competency before sharing. Not rated yet: "),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(" and Mentoring."), "{}", refused.body);
    assert!(refused.body.contains("Still thinking about this one"));
    assert!(
        refused.body.contains("Save and share"),
        "still open to rate"
    );
    // Nothing was shared; what was rated was saved.
    let c = checkins::get(&app.state, &ola(&org), id)
        .await
        .expect("the check-in");
    assert!(c.self_shared_at.is_none());
    // "Save ratings" answers at the same address; "Save and share" on a whole form shares.
    let mut form = ratings_form("meets", "Done");
    form.push(("intent".into(), "save".into()));
    app.post(&format!("/checkins/{id}"))
        .session(&session)
        .form(&as_pairs(&form))
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    form.retain(|(k, _)| k != "intent");
    form.push(("intent".into(), "share".into()));
    let shared = app
        .post(&format!("/checkins/{id}"))
        .session(&session)
        .form(&as_pairs(&form))
        .send()
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(shared.header("location"), format!("/checkins/{id}"));
    let c = checkins::get(&app.state, &ola(&org), id)
        .await
        .expect("the check-in");
    assert!(c.self_shared_at.is_some());
}
