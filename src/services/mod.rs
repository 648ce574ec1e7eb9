//! The use cases. Each public function checks the policy, opens the transaction, does the work and
//! records the audit event; the web pages, the API and the command line all call these.

pub mod accounts;
pub mod anonymity;
pub mod audit;
pub mod catalog;
pub mod checkin_rounds;
pub mod checkins;
pub mod evidence;
pub mod framework;
pub mod growth_home;
pub mod growth_record;
pub mod invitations;
pub mod kpis;
pub mod nominations;
pub mod one_on_ones;
pub mod people;
pub mod people_import;
pub mod pilot;
pub mod plans;
pub mod provisioning;
pub mod readiness;
pub mod release;
pub mod roadmap;
pub mod self_check;
pub mod surveys;
pub mod team;
