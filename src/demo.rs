//! The demo organisation: a framework with several tracks, published, and two accounts to sign in with.

use crate::auth::password::Cost;
use crate::auth::{Actor, Role};
use crate::error::AppResult;
use crate::services::{accounts, framework};
use crate::state::AppState;

/// The demo framework, a file in the documented YAML format.
pub const FRAMEWORK_YAML: &str = include_str!("../demo/framework.yaml");

/// A demo account, printed when the demo starts.
pub struct Login {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub name: &'static str,
}

pub const LOGINS: [Login; 2] = [
    Login {
        email: "admin@demo.trellis.test",
        password: "demo-admin-pass",
        role: Role::Admin,
        name: "Alex Admin (People team)",
    },
    Login {
        email: "employee@demo.trellis.test",
        password: "demo-employee-pass",
        role: Role::Employee,
        name: "Sam Employee",
    },
];

/// Fills an empty database with the demo organisation and publishes its framework.
pub async fn seed(state: &AppState, cost: Cost) -> AppResult<()> {
    let operator = Actor::command_line();
    for login in &LOGINS {
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
