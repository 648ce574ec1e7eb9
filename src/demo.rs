//! The demo organisation: a framework with several tracks, published, and accounts to sign in with:
//! an admin, an employee and the employee's manager.

use crate::architecture::framework;
use crate::auth::password::Cost;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::people::accounts;
use crate::people::import;
use crate::state::AppState;

/// The demo framework, a file in the documented YAML format.
pub const FRAMEWORK_YAML: &str = include_str!("../demo/framework.yaml");

/// The demo organisation's people, as an HRIS would export them.
pub const PEOPLE_CSV: &str = include_str!("../demo/people.csv");

/// A demo account, printed when the demo starts.
pub struct Login {
    /// Who the account stands for in the demo: admin, employee, manager.
    pub who: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub name: &'static str,
}

pub const LOGINS: [Login; 2] = [
    Login {
        who: "admin",
        email: "admin@demo.trellis.test",
        password: "demo-admin-pass",
        role: Role::Admin,
        name: "Alex Admin (People team)",
    },
    Login {
        who: "employee",
        email: "employee@demo.trellis.test",
        password: "demo-employee-pass",
        role: Role::Employee,
        name: "Sam Employee",
    },
];

/// The accounts [`seed_directory`] adds: Sam's manager.
pub const DIRECTORY_LOGINS: [Login; 1] = [Login {
    who: "manager",
    email: "iris.brook@demo.trellis.test",
    password: "demo-manager-pass",
    role: Role::Employee,
    name: "Iris Brook",
}];

/// Fills an empty database with the demo organisation and publishes its framework.
pub async fn seed(state: &AppState, cost: Cost) -> AppResult<()> {
    create_logins(state, &LOGINS, cost).await?;
    let operator = Actor::command_line();
    framework::import_yaml(
        state,
        &operator,
        FRAMEWORK_YAML,
        &framework::ImportOptions {
            dry_run: false,
            prune: false,
            take: Default::default(),
            publish_note: Some("The demo organisation's first framework.".into()),
        },
    )
    .await?;
    Ok(())
}

async fn create_logins(state: &AppState, logins: &[Login], cost: Cost) -> AppResult<()> {
    let operator = Actor::command_line();
    for login in logins {
        accounts::create_user(
            state.db(),
            &operator,
            accounts::NewUser {
                email: login.email.into(),
                name: login.name.into(),
                role: login.role,
                password: login.password.into(),
            },
            cost,
        )
        .await?;
    }
    Ok(())
}

/// Adds the demo organisation's people, with their teams, managers and positions, and the
/// [`DIRECTORY_LOGINS`], to a database [`seed`] filled.
pub async fn seed_directory(state: &AppState, cost: Cost) -> AppResult<()> {
    create_logins(state, &DIRECTORY_LOGINS, cost).await?;
    let operator = Actor::command_line();
    import::import_csv(
        state,
        &operator,
        PEOPLE_CSV,
        import::ImportOptions::default(),
        &|_, _| {},
    )
    .await
    .map_err(|e| match e {
        import::ImportError::Rows(rows) => AppError::internal(format!(
            "The demo's people file has {}.",
            crate::text::count(rows.len(), "mistake", "mistakes")
        )),
        import::ImportError::App(e) => e,
    })?;
    Ok(())
}

/// A few months of growth on top of [`seed_directory`], so that the home page, the team view and
/// the dashboard have something to show: Sam and Iris agreed a check-in on Sam's level, Sam has
/// evidence, a goal with actions and a 1:1 series with Iris with an agenda; June agreed a
/// check-in against the level above hers that makes her ready. Oskar has nothing yet, which the
/// team view flags. Everything goes through the services, as people using the pages would.
pub async fn seed_growth(state: &AppState) -> AppResult<()> {
    let sam = person(state, "employee@demo.trellis.test").await?;
    let iris = person(state, "iris.brook@demo.trellis.test").await?;
    let june = person(state, "june.hale@demo.trellis.test").await?;
    seed_checkins(state, &sam, &iris, &june).await?;
    seed_evidence(state, &sam).await?;
    let goal = seed_goal(state, &sam, &iris).await?;
    seed_one_on_one(state, &sam, &iris, goal).await
}

/// Sam's agreed check-in on his level and June's against the level above hers.
async fn seed_checkins(
    state: &AppState,
    sam: &DemoPerson,
    iris: &DemoPerson,
    june: &DemoPerson,
) -> AppResult<()> {
    use crate::growth::checkins::RatingInput;
    let rate = |pairs: &[(&str, &str, &str)]| -> Vec<(String, RatingInput)> {
        pairs
            .iter()
            .map(|(key, rating, comment)| {
                (
                    (*key).to_owned(),
                    RatingInput {
                        rating: (*rating).to_owned(),
                        comment: (*comment).to_owned(),
                        reason: String::new(),
                    },
                )
            })
            .collect()
    };
    agreed_checkin(
        state,
        (sam, iris),
        "se1",
        &rate(SAM_OWN),
        &rate(SAM_BY_IRIS),
    )
    .await?;
    agreed_checkin(
        state,
        (june, iris),
        "principal",
        &rate(JUNE_TOWARDS_PRINCIPAL),
        &rate(JUNE_TOWARDS_PRINCIPAL),
    )
    .await?;

    Ok(())
}

/// Sam's side of his check-in: competency, rating, comment.
const SAM_OWN: &[(&str, &str, &str)] = &[
    (
        "ownership",
        "meets",
        "I took the export fix from the bug report to production.",
    ),
    (
        "problem-solving",
        "meets",
        "I split the search work into day-sized steps.",
    ),
    (
        "technical-quality",
        "meets",
        "Every change came with tests.",
    ),
    (
        "communication",
        "working_towards",
        "My updates at the daily meeting run long.",
    ),
    ("teamwork", "meets", "I review two pull requests a week."),
];

/// Iris's side of Sam's check-in.
const SAM_BY_IRIS: &[(&str, &str, &str)] = &[
    (
        "ownership",
        "meets",
        "The export fix shipped and was checked in production.",
    ),
    (
        "problem-solving",
        "meets",
        "Good questions when stuck, with what was tried.",
    ),
    (
        "technical-quality",
        "exceeds",
        "The test suite for search is now the team's model.",
    ),
    (
        "communication",
        "working_towards",
        "Pull request descriptions often miss the why.",
    ),
    (
        "teamwork",
        "meets",
        "Reviews are timely and explain each request.",
    ),
];

/// June's check-in against the level above hers, the same on both sides.
const JUNE_TOWARDS_PRINCIPAL: &[(&str, &str, &str)] = &[
    (
        "ownership",
        "meets",
        "Led the billing migration from plan to clean-up.",
    ),
    (
        "problem-solving",
        "exceeds",
        "Found the root cause of the nightly timeouts.",
    ),
    (
        "technical-quality",
        "meets",
        "Set the review checklist the team now uses.",
    ),
    (
        "communication",
        "meets",
        "Wrote the migration's decision record.",
    ),
    (
        "teamwork",
        "working_towards",
        "Still the only one who knows the billing jobs.",
    ),
    ("mentoring", "meets", "Onboarded Oskar."),
];

/// Two pieces of Sam's evidence.
async fn seed_evidence(state: &AppState, sam: &DemoPerson) -> AppResult<()> {
    use crate::growth::evidence;
    let sam_actor = &sam.actor;
    for (kind, title, url, competencies) in [
        (
            "pull_request",
            "Tests for the search ranking",
            "https://example.com/code/search/pull/214",
            vec!["technical-quality"],
        ),
        (
            "feedback",
            "Thanks from the support team for the export fix",
            "",
            vec!["ownership", "teamwork"],
        ),
    ] {
        evidence::add(
            state,
            sam_actor,
            sam.id,
            &evidence::EvidenceInput {
                kind: kind.into(),
                title: title.into(),
                url: url.into(),
                note: String::new(),
                happened_on: day_from_today(-20),
                competencies: competencies.into_iter().map(str::to_owned).collect(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Sam's goal with its actions and Iris's note on it; the goal's id.
async fn seed_goal(state: &AppState, sam: &DemoPerson, iris: &DemoPerson) -> AppResult<i64> {
    use crate::growth::plans;
    let sam_actor = &sam.actor;
    let goal = plans::create_goal(
        state,
        sam_actor,
        sam.id,
        &plans::GoalInput {
            title: "Give short, clear updates".into(),
            description: "Say what changed, why, and what is next, in under a minute at the daily \
                          meeting and in every pull request description."
                .into(),
            competencies: vec!["communication".into()],
            track: "software-engineering".into(),
            level: "se2".into(),
            due_on: day_from_today(90),
            status: "in_progress".into(),
        },
        false,
    )
    .await?;
    for (title, days) in [
        (
            "Write the next five pull request descriptions from the team's template",
            14,
        ),
        ("Ask June for feedback on three daily updates", 30),
    ] {
        plans::add_action(
            state,
            sam_actor,
            goal,
            &plans::ActionInput {
                title: title.into(),
                due_on: day_from_today(days),
            },
        )
        .await?;
    }
    plans::add_note(
        state,
        &iris.actor,
        goal,
        "Good goal. Try writing the update down before the meeting for the first weeks.",
    )
    .await?;
    Ok(goal)
}

/// Iris's 1:1 series with Sam, with talking points on the goal and an action item.
async fn seed_one_on_one(
    state: &AppState,
    sam: &DemoPerson,
    iris: &DemoPerson,
    goal: i64,
) -> AppResult<()> {
    use crate::growth::one_on_ones;
    let sam_actor = &sam.actor;
    let series = one_on_ones::start_series(
        state,
        &iris.actor,
        sam.id,
        &one_on_ones::StartInput {
            cadence_days: "14".into(),
            first_on: day_from_today(3),
        },
    )
    .await?;
    let meeting = one_on_ones::series(state, &iris.actor, series.series)
        .await?
        .current
        .id;
    one_on_ones::add_talking_point(
        state,
        sam_actor,
        meeting,
        &one_on_ones::PointInput {
            body: "How did my updates go this week?".into(),
            goal: Some(goal),
            competency: "communication".into(),
        },
    )
    .await?;
    one_on_ones::add_talking_point(
        state,
        &iris.actor,
        meeting,
        &one_on_ones::PointInput {
            body: "What would you like to lead next quarter?".into(),
            goal: None,
            competency: "ownership".into(),
        },
    )
    .await?;
    one_on_ones::add_action_item(
        state,
        &iris.actor,
        meeting,
        &one_on_ones::ItemInput {
            title: "Share the team's pull request template".into(),
            owner: Some(iris.id),
            due_on: day_from_today(2),
        },
    )
    .await?;
    Ok(())
}

/// A demo person and how they act in the services.
struct DemoPerson {
    id: i64,
    actor: Actor,
}

async fn person(state: &AppState, email: &str) -> AppResult<DemoPerson> {
    let row = sqlx::query_as::<_, accounts::ActorRow>(
        "SELECT id, email, name, role FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(state.db().pool())
    .await?
    .ok_or_else(|| AppError::internal(format!("the demo has no {email}")))?;
    let actor = row.into_actor(crate::auth::Via::Session);
    Ok(DemoPerson {
        id: actor.user_id.unwrap_or_default(),
        actor,
    })
}

/// A check-in of `people.0` against `level` of their track, rated by them and by their manager
/// `people.1`, shared by both and agreed on the manager's ratings.
async fn agreed_checkin(
    state: &AppState,
    (employee, manager): (&DemoPerson, &DemoPerson),
    level: &str,
    own: &[(String, crate::growth::checkins::RatingInput)],
    managers: &[(String, crate::growth::checkins::RatingInput)],
) -> AppResult<i64> {
    use crate::growth::checkins;
    let id = checkins::start(
        state,
        &employee.actor,
        employee.id,
        "software-engineering",
        level,
    )
    .await?;
    checkins::save_own_ratings(state, &employee.actor, id, own).await?;
    checkins::share(state, &employee.actor, id).await?;
    checkins::save_own_ratings(state, &manager.actor, id, managers).await?;
    checkins::share(state, &manager.actor, id).await?;
    checkins::confirm(state, &manager.actor, id).await?;
    checkins::confirm(state, &employee.actor, id).await?;
    Ok(id)
}

/// `YYYY-MM-DD`, `days` from today (before it when negative).
fn day_from_today(days: i64) -> String {
    crate::domain::Day::today().plus_days(days).to_string()
}
