//! A page on another origin cannot make a signed-in browser change anything in Trellis.

use std::future::IntoFuture;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::response::Html;
use axum::routing::get;
use trellis::architecture::framework as service;
use trellis::auth::Actor;

use crate::editing::edit_cell;
use crate::harness::{Session, journey};

/// A page that posts a form to Trellis as soon as it loads.
fn forging_page(action: &str, fields: &[(&str, &str)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{value}\">"))
        .collect();
    format!(
        "<!doctype html><title>Win a prize</title>\
         <form id=\"forged\" method=\"post\" action=\"{action}\">{inputs}</form>\
         <script>document.getElementById('forged').submit();</script>"
    )
}

/// Serves the forging pages from another port, which is another origin.
#[allow(clippy::disallowed_methods)] // Another site's router, not Trellis's route table.
async fn start_other_site(trellis: &str) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let publish = forging_page(
        &format!("{trellis}/draft/publish"),
        &[("note", "Published by someone else")],
    );
    let logout = forging_page(&format!("{trellis}/logout"), &[]);
    let router = Router::new()
        .route("/publish", get(move || async move { Html(publish) }))
        .route("/logout", get(move || async move { Html(logout) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).into_future().await;
    });
    Ok((base, server))
}

/// Opens the forging page and waits until Trellis has answered the forged request.
async fn forge(s: &Session, page: &str, path: &str) -> anyhow::Result<StatusCode> {
    let answered = |s: &Session| {
        s.app
            .seen()
            .into_iter()
            .find(|r| r.method == Method::POST && r.path == path)
            .map(|r| r.status)
    };
    s.driver.goto(page).await?;
    for _ in 0..200 {
        let at = s.driver.current_url().await?;
        if let Some(status) = answered(s)
            && at.path() == path
        {
            // What the browser saw of the same response, where it exposes it (Chromium shows an
            // error page of its own for an empty 403, where scripts do not run).
            let shown = s
                .script(
                    "const n = performance.getEntriesByType('navigation')[0]; \
                     return n && typeof n.responseStatus === 'number' ? n.responseStatus : null;",
                )
                .await
                .ok()
                .and_then(|v| v.as_u64());
            if let Some(code) = shown {
                anyhow::ensure!(
                    code == u64::from(status.as_u16()),
                    "the browser saw {code}, the server sent {status}"
                );
            }
            return Ok(status);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the page at {page} never posted to {path}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_from_another_site_is_refused_and_changes_nothing() {
    journey("cross-site-post", async |s| {
        // A pending draft, so that a forged publish would succeed if it got through.
        edit_cell(
            &s.app.state,
            "You write a runbook for every service you own.",
        )
        .await?;
        let (other, server) = start_other_site(&s.app.base).await?;
        s.sign_in_as_admin().await?;

        let status = forge(s, &format!("{other}/publish"), "/draft/publish").await?;
        anyhow::ensure!(
            status == StatusCode::FORBIDDEN,
            "a cross-site publish was answered {status}, not 403"
        );
        let versions = service::versions(&s.app.state, &Actor::command_line())
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
        anyhow::ensure!(
            versions.len() == 1,
            "a cross-site publish added a version: {} versions now",
            versions.len()
        );

        let status = forge(s, &format!("{other}/logout"), "/logout").await?;
        anyhow::ensure!(
            status == StatusCode::FORBIDDEN,
            "a cross-site sign-out was answered {status}, not 403"
        );
        s.open("/versions").await?;
        anyhow::ensure!(
            s.path().await? == "/versions",
            "the browser was signed out by another site"
        );
        s.find("form[action='/logout'] button").await?;
        let text = s.page_text().await?;
        anyhow::ensure!(
            !text.contains("Version 2"),
            "the history shows a version published by another site"
        );
        server.abort();
        Ok(())
    })
    .await;
}
