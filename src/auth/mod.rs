//! Who is asking: passwords, sessions, API tokens, the [`Actor`] every handler receives, and the policy
//! that decides what an actor may do.

pub mod actor;
pub mod cache;
pub mod limits;
pub mod password;
pub mod policy;
pub mod token;

pub use actor::{Actor, Role, TokenScope, Via};
