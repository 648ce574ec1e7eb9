//! The use cases. Each public function checks the policy, opens the transaction, does the work and
//! records the audit event; the web pages, the API and the command line all call these.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod framework;
pub mod people;
pub mod people_import;
pub mod provisioning;
pub mod release;
