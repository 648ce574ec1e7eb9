//! The demo organisation: a framework with several tracks, published, and accounts to sign in with:
//! an admin, an employee and the employee's manager.

use crate::auth::password::Cost;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::services::{accounts, framework, people_import};
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
    people_import::import_csv(
        state,
        &operator,
        PEOPLE_CSV,
        people_import::ImportOptions::default(),
        &|_, _| {},
    )
    .await
    .map_err(|e| match e {
        people_import::ImportError::Rows(rows) => AppError::internal(format!(
            "the demo's people file has {} mistake(s)",
            rows.len()
        )),
        people_import::ImportError::App(e) => e,
    })?;
    Ok(())
}
