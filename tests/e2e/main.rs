//! Browser journeys: what only a real browser shows. Each test starts the application on a loopback
//! port with the demo organisation, Debian's chromedriver and a headless Chromium, walks through one
//! thing a person does, and stops all three.
//!
//! They need `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian packages `chromium` and
//! `chromium-driver`; `CHROMIUM` and `CHROMEDRIVER` point elsewhere) and run only with the `e2e`
//! feature: `cargo test --features e2e --test e2e` (`scripts/test` does this).

mod harness;

mod bulk;
mod checkin;
mod checkin_round;
mod checkin_share;
mod cross_site;
mod editing;
mod first_week;
mod look;
mod one_on_one;
mod people_import;
mod people_team;
mod phone;
mod plan_goal;
mod reading;
mod roadmap_timeline;
mod rollout;
mod signing_in;
mod survey;
mod team;
mod template_merge;
