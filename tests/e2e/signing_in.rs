//! Signing in, with the mouse and with the keyboard.

use thirtyfour::prelude::*;

use crate::harness::{ADMIN_EMAIL, ADMIN_PASSWORD, journey};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_admin_signs_in_and_lands_on_their_home() {
    journey("sign-in", async |s| {
        s.open("/login").await?;
        s.submit_login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        s.wait_for_path("/home").await?;
        let text = s.page_text().await?;
        anyhow::ensure!(
            text.contains("Hello, Alex Admin"),
            "the home page does not greet the admin:\n{text}"
        );
        s.find("form[action='/logout'] button").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_shows_the_error_and_keeps_the_email() {
    journey("wrong-password", async |s| {
        s.open("/login").await?;
        s.submit_login(ADMIN_EMAIL, "not-the-password").await?;
        let error = s.find("#login-error").await?;
        let message = error.text().await?;
        anyhow::ensure!(!message.trim().is_empty(), "the error message is empty");
        anyhow::ensure!(
            s.path().await? == "/login",
            "a wrong password left the sign-in page"
        );
        let email = s.find("#email").await?.value().await?;
        anyhow::ensure!(
            email.as_deref() == Some(ADMIN_EMAIL),
            "the email field holds {email:?} instead of what was typed"
        );
        let password = s.find("#password").await?.value().await?;
        anyhow::ensure!(
            password.as_deref().unwrap_or_default().is_empty(),
            "the password was sent back into the form"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tab_moves_through_email_password_and_sign_in_in_order() {
    journey("keyboard-sign-in", async |s| {
        s.open("/login").await?;
        // Start from the top of the page: the first link, as if the page had just been reached.
        s.script("document.querySelector('a.skip, a[href]').focus(); return null;")
            .await?;
        let describe = "const e = document.activeElement; \
            return e.id || (e.tagName.toLowerCase() + ':' + (e.textContent || '').trim());";
        let mut order = Vec::new();
        for _ in 0..12 {
            s.driver
                .action_chain()
                .send_keys(Key::Tab)
                .perform()
                .await?;
            let focused = s.script(describe).await?;
            order.push(focused.as_str().unwrap_or_default().to_owned());
            if order.last().is_some_and(|f| f == "button:Sign in") {
                break;
            }
        }
        let at = order.iter().position(|f| f == "email");
        let sequence: Vec<&str> = at
            .map(|i| order[i..].iter().take(3).map(String::as_str).collect())
            .unwrap_or_default();
        anyhow::ensure!(
            sequence == ["email", "password", "button:Sign in"],
            "Tab went through {order:?}; expected email, password, then the Sign in button"
        );
        // And Enter on the focused button signs in.
        s.find("#email").await?.send_keys(ADMIN_EMAIL).await?;
        s.find("#password").await?.send_keys(ADMIN_PASSWORD).await?;
        s.find("form[action='/login'] button[type=submit]")
            .await?
            .send_keys(Key::Enter)
            .await?;
        s.wait_for_path("/home").await?;
        Ok(())
    })
    .await;
}
