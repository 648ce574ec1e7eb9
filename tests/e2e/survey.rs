//! A pulse survey: an employee finds it on their home page and answers it; once it has enough
//! answers, an admin closes it and reads the results.

use anyhow::{Context, anyhow};
use thirtyfour::prelude::*;
use trellis::auth::{Actor, Role, Via};
use trellis::people::directory::{self, PersonInput};
use trellis::rollout::surveys::{self, AnswerInput, QuestionKind, Start, SurveyInput};

use crate::harness::{ADMIN_EMAIL, ADMIN_PASSWORD, journey};

const EMPLOYEE_EMAIL: &str = "employee@demo.trellis.test";
const EMPLOYEE_PASSWORD: &str = "demo-employee-pass";
/// The browser has left the sign-in page for the first page after it.
const SIGNED_IN: &str = "location.pathname !== '/login' && document.readyState === 'complete'";

/// The career tracks pulse, open today for everyone, with five answers already in.
async fn seed(state: &trellis::AppState) -> anyhow::Result<i64> {
    let operator = Actor::command_line();
    let today = trellis::domain::Day::today().to_string();
    // The respondents are in the directory before the survey opens: its audience is the people it
    // had when it opened.
    let mut respondents = Vec::new();
    for i in 0..5 {
        let email = format!("respondent{i}@demo.trellis.test");
        let person = directory::save_person(
            state.db(),
            &operator,
            &PersonInput {
                email: email.clone(),
                name: format!("Respondent {i}"),
                team: "Platform".into(),
                ..PersonInput::default()
            },
        )
        .await
        .map_err(|e| anyhow!("adding a respondent: {e}"))?;
        respondents.push(Actor {
            user_id: Some(person),
            label: email,
            name: format!("Respondent {i}"),
            role: Role::Employee,
            via: Via::Session,
        });
    }
    let id = surveys::create(
        state,
        &operator,
        Start::Pulse,
        &SurveyInput {
            opens_on: today.clone(),
            closes_on: today,
            ..SurveyInput::default()
        },
        &[],
    )
    .await
    .map_err(|e| anyhow!("creating the survey: {e}"))?;
    for actor in &respondents {
        let questions = surveys::to_answer(state.db(), actor, id)
            .await
            .map_err(|e| anyhow!("reading the survey: {e}"))?
            .questions;
        let answers = questions
            .iter()
            .map(|q| match q.kind {
                QuestionKind::Scale => (q.id, "2".to_owned()),
                QuestionKind::Text => (q.id, String::new()),
            })
            .collect();
        surveys::answer(state.db(), actor, id, &AnswerInput { answers })
            .await
            .map_err(|e| anyhow!("answering: {e}"))?;
    }
    Ok(id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employee_answers_from_home_and_an_admin_reads_the_results() {
    journey("survey", async |s| {
        let id = seed(&s.app.state).await?;
        // The employee finds the survey on their home page.
        s.open("/login").await?;
        s.submit_login(EMPLOYEE_EMAIL, EMPLOYEE_PASSWORD).await?;
        s.wait_for("signing in", SIGNED_IN).await?;
        s.open("/home").await?;
        s.find(&format!("a[href='/surveys/{id}']"))
            .await?
            .click()
            .await?;
        s.wait_for_path(&format!("/surveys/{id}")).await?;
        let statements = s
            .driver
            .find_all(By::Css("form#answers input[type=radio][value='5']"))
            .await?;
        if statements.len() != 5 {
            return Err(anyhow!(
                "expected five statements to rate, found {}",
                statements.len()
            ));
        }
        for radio in statements {
            radio.click().await?;
        }
        s.find("form#answers textarea")
            .await?
            .send_keys("Put an example next to every expectation.")
            .await?;
        s.find("form#answers button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for("the thanks", "document.querySelector('p.success') !== null")
            .await?;
        let thanks = s.page_text().await?;
        if !thanks.contains("You have answered this survey") {
            return Err(anyhow!("no thanks after answering: {thanks}"));
        }
        s.open("/home").await?;
        let offered = s
            .driver
            .find_all(By::Css(format!("a[href='/surveys/{id}']")))
            .await?;
        if !offered.is_empty() {
            return Err(anyhow!("the home page still offers the answered survey"));
        }
        // The admin closes the survey and reads the results.
        s.find("form.signout button[type=submit]")
            .await?
            .click()
            .await?;
        s.wait_for_path("/login").await?;
        s.submit_login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        s.wait_for("signing in", SIGNED_IN).await?;
        s.open(&format!("/admin/surveys/{id}")).await?;
        s.find(&format!("form[action='/admin/surveys/{id}/close'] button"))
            .await?
            .click()
            .await?;
        s.driver
            .accept_alert()
            .await
            .context("confirming that the survey closes")?;
        s.wait_for_path(&format!("/admin/surveys/{id}/results"))
            .await?;
        let results = s.page_text().await?;
        for expected in [
            "6 answers in this group",
            "I know what the career track for my role looks like.",
            "Put an example next to every expectation.",
            "2.50",
        ] {
            if !results.contains(expected) {
                return Err(anyhow!("the results do not show `{expected}`: {results}"));
            }
        }
        for respondent in [
            "Respondent 0",
            "respondent0@demo.trellis.test",
            "Sam Employee",
        ] {
            if results.contains(respondent) {
                return Err(anyhow!("the results name {respondent}"));
            }
        }
        Ok(())
    })
    .await;
}
