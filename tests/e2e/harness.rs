//! What every journey needs: the real application on a loopback port with the demo organisation,
//! Debian's chromedriver on a port of its own, and a headless Chromium with a fresh profile. All of
//! it is stopped when the journey ends, whether it passed or not.

use std::future::IntoFuture;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use thirtyfour::prelude::*;
use tokio::task::JoinHandle;
use trellis::AppState;
use trellis::auth::password::Cost;
use trellis::config::Config;
use trellis::db::{Db, migrations};

/// How long a journey waits for something to appear before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub const ADMIN_EMAIL: &str = "admin@demo.trellis.test";
pub const ADMIN_PASSWORD: &str = "demo-admin-pass";

/// A request the application answered, as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub status: StatusCode,
}

/// The application, served on 127.0.0.1 from a fresh SQLite database seeded with the demo.
pub struct App {
    pub base: String,
    pub state: AppState,
    seen: Arc<Mutex<Vec<Seen>>>,
    server: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl App {
    async fn start() -> anyhow::Result<App> {
        let dir = tempfile::tempdir()?;
        let url = trellis::config::sqlite_url_in(dir.path());
        let db = Db::connect(&url, 4).await?;
        migrations::migrate(&db).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = AppState::new(
            db,
            Config {
                database_url: url,
                bind: addr,
                base_url: format!("http://{addr}"),
                pool_size: 4,
                password_cost: Cost::Test,
                limits: trellis::auth::limits::RateLimits::off(),
                lockout: trellis::people::accounts::Lockout::default(),
                smtp_url: None,
                mail_from: None,
            },
        );
        trellis::demo::seed(&state, Cost::Test)
            .await
            .map_err(|e| anyhow!("seeding the demo failed: {e}"))?;
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = seen.clone();
        let router = trellis::app(state.clone()).layer(middleware::from_fn(
            move |req: Request, next: Next| {
                let record = record.clone();
                async move {
                    let method = req.method().clone();
                    let path = req.uri().path().to_owned();
                    let res = next.run(req).await;
                    if let Ok(mut seen) = record.lock() {
                        seen.push(Seen {
                            method,
                            path,
                            status: res.status(),
                        });
                    }
                    res
                }
            },
        ));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).into_future().await;
        });
        Ok(App {
            base: format!("http://{addr}"),
            state,
            seen,
            server,
            _dir: dir,
        })
    }

    /// The address of a page.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every request answered so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// chromedriver, started in a process group of its own so that the browser it starts goes with it.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    fn start() -> anyhow::Result<Chromedriver> {
        let program =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port()?;
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(&program)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .with_context(|| {
                    format!("cannot start {program} (install the Debian package chromium-driver)")
                })?
        };
        let driver = Chromedriver { child, port };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if started.elapsed() > PATIENCE {
                bail!("chromedriver did not listen on {addr} within {PATIENCE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The negative id names the whole process group: chromedriver and every browser process.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Where screenshots go: `target/e2e-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("e2e-screenshots")
}

/// axe-core's source, read once: from `TRELLIS_AXE`, or `axe/axe.min.js` in the target directory,
/// where `scripts/install-axe` (run by `scripts/test`) puts it.
fn axe_source() -> anyhow::Result<&'static str> {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(source) = SOURCE.get() {
        return Ok(source);
    }
    let path = match std::env::var_os("TRELLIS_AXE") {
        Some(path) => PathBuf::from(path),
        None => screenshot_dir().with_file_name("axe").join("axe.min.js"),
    };
    let source = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading axe-core from {}: run scripts/install-axe (scripts/test does)",
            path.display()
        )
    })?;
    Ok(SOURCE.get_or_init(|| source))
}

/// A browser pointed at a running application.
pub struct Session {
    pub driver: WebDriver,
    pub app: App,
    // Dropped after the driver, so that an unfinished session can still be closed.
    _chromedriver: Chromedriver,
    _profile: tempfile::TempDir,
}

/// Headless Chromium with its own profile, the same for every journey.
fn chrome_capabilities(
    profile: &tempfile::TempDir,
) -> anyhow::Result<thirtyfour::ChromeCapabilities> {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))?;
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1400,1000",
    ] {
        caps.add_arg(arg)?;
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
    Ok(caps)
}

impl Session {
    async fn start() -> anyhow::Result<Session> {
        let app = App::start().await?;
        // The port chosen for chromedriver is free when chosen but may be taken before chromedriver
        // listens on it (by another journey's application): then the session cannot start, and a
        // new chromedriver on another port is tried.
        let mut attempt = 1;
        let (driver, chromedriver, profile) = loop {
            let chromedriver = Chromedriver::start()?;
            let profile = tempfile::tempdir()?;
            match WebDriver::new(
                format!("http://127.0.0.1:{}", chromedriver.port),
                chrome_capabilities(&profile)?,
            )
            .await
            {
                Ok(driver) => break (driver, chromedriver, profile),
                Err(_) if attempt < 3 => attempt += 1,
                Err(e) => {
                    return Err(e).context("starting a Chromium session through chromedriver");
                }
            }
        };
        Ok(Session {
            driver,
            app,
            _chromedriver: chromedriver,
            _profile: profile,
        })
    }

    async fn finish(self) {
        let Session {
            driver,
            app,
            _chromedriver,
            _profile,
        } = self;
        let _ = tokio::time::timeout(Duration::from_secs(10), driver.quit()).await;
        app.server.abort();
        drop(_chromedriver);
    }

    /// Opens a page of the application and waits for it to load.
    pub async fn open(&self, path: &str) -> anyhow::Result<()> {
        self.driver
            .goto(self.app.url(path))
            .await
            .with_context(|| format!("opening {path}"))?;
        self.check_accessibility().await
    }

    /// The path of the page the browser shows.
    pub async fn path(&self) -> anyhow::Result<String> {
        Ok(self.driver.current_url().await?.path().to_owned())
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> anyhow::Result<WebElement> {
        self.driver
            .query(By::Css(css))
            .wait(PATIENCE, Duration::from_millis(100))
            .first()
            .await
            .with_context(|| format!("no element matches `{css}`"))
    }

    /// Runs a script in the page and returns its value.
    pub async fn script(&self, js: &str) -> anyhow::Result<serde_json::Value> {
        Ok(self.driver.execute(js, Vec::new()).await?.json().clone())
    }

    /// Sets a date field to a day written YYYY-MM-DD, as choosing it in the browser's date picker
    /// would: typing into a date field follows the browser's locale, not the value's format.
    pub async fn fill_date(&self, selector: &str, day: &str) -> anyhow::Result<()> {
        let js = format!(
            "const f = document.querySelector({sel}); if (!f) return false; \
             f.value = {day}; f.dispatchEvent(new Event('input', {{ bubbles: true }})); \
             f.dispatchEvent(new Event('change', {{ bubbles: true }})); return f.value === {day};",
            sel = serde_json::Value::from(selector),
            day = serde_json::Value::from(day),
        );
        anyhow::ensure!(
            self.script(&js).await?.as_bool() == Some(true),
            "the date field {selector} did not take {day}"
        );
        Ok(())
    }

    /// Waits until a JavaScript expression is true in the page.
    pub async fn wait_for(&self, what: &str, expression: &str) -> anyhow::Result<()> {
        let script = format!("return Boolean({expression});");
        let started = Instant::now();
        loop {
            // A page that is navigating may refuse scripts for a moment: try again.
            if let Ok(ret) = self.driver.execute(&script, Vec::new()).await
                && ret.json().as_bool() == Some(true)
            {
                return Ok(());
            }
            if started.elapsed() > PATIENCE {
                let url = self.driver.current_url().await.map(|u| u.to_string());
                bail!("waited {PATIENCE:?} for {what}; the browser is at {url:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the browser shows a page at this path.
    pub async fn wait_for_path(&self, path: &str) -> anyhow::Result<()> {
        let expression = format!(
            "location.pathname === {} && document.readyState === 'complete'",
            serde_json::Value::from(path)
        );
        self.wait_for(&format!("the page {path}"), &expression)
            .await?;
        self.check_accessibility().await
    }

    /// Runs axe-core, the accessibility engine, on the page the browser shows, and fails with
    /// every violation it finds (each rule with its impact, what it asks and where it failed).
    /// `open` and `wait_for_path` call it on every page a journey visits; a journey calls it
    /// itself after changing a page in place. Documents other than HTML (a CSV download shown as
    /// text) are not checked.
    pub async fn check_accessibility(&self) -> anyhow::Result<()> {
        let html = self
            .script("return document.contentType === 'text/html';")
            .await?;
        if html.as_bool() != Some(true) {
            return Ok(());
        }
        let loaded = self
            .script("return typeof window.axe === 'object';")
            .await?;
        if loaded.as_bool() != Some(true) {
            self.driver
                .execute(format!("{}\nreturn true;", axe_source()?), Vec::new())
                .await
                .context("loading axe-core into the page")?;
        }
        let found = self
            .driver
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => ({
                        id: v.id,
                        impact: v.impact,
                        help: v.help,
                        where: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                    }))))
                    .catch(e => done({ error: String(e) }));"#,
                Vec::new(),
            )
            .await
            .context("running axe-core")?;
        let found = found.json();
        if let Some(error) = found.get("error") {
            bail!("axe-core could not check the page: {error}");
        }
        let violations = found.as_array().cloned().unwrap_or_default();
        if violations.is_empty() {
            return Ok(());
        }
        let url = self.driver.current_url().await?;
        let list: Vec<String> = violations
            .iter()
            .map(|v| {
                format!(
                    "{} ({}): {} at {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                    v["where"]
                )
            })
            .collect();
        bail!(
            "axe-core found {} accessibility violations on {}:\n  {}",
            list.len(),
            url.path(),
            list.join("\n  ")
        )
    }

    /// The visible text of the page.
    pub async fn page_text(&self) -> anyhow::Result<String> {
        Ok(self.find("body").await?.text().await?)
    }

    /// Fills in the sign-in form and submits it.
    pub async fn submit_login(&self, email: &str, password: &str) -> anyhow::Result<()> {
        let email_field = self.find("#email").await?;
        email_field.clear().await?;
        email_field.send_keys(email).await?;
        let password_field = self.find("#password").await?;
        password_field.clear().await?;
        password_field.send_keys(password).await?;
        self.find("form[action='/login'] button[type=submit]")
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Signs in as the demo admin and waits for the page after signing in.
    pub async fn sign_in_as_admin(&self) -> anyhow::Result<()> {
        self.open("/login").await?;
        self.submit_login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        self.wait_for_path("/home").await
    }

    /// Shows pages in a viewport of a phone's size: 390 by 844 CSS pixels, portrait.
    pub async fn as_phone(&self) -> anyhow::Result<()> {
        self.viewport(390, 844).await
    }

    /// Shows pages at the desktop size the journeys start with.
    pub async fn as_desktop(&self) -> anyhow::Result<()> {
        self.viewport(1400, 1000).await
    }

    /// Sizes the window so that the page itself (the viewport) is `width` by `height`: the
    /// window's own frame takes some of its size, measured once and added.
    async fn viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        self.driver.set_window_rect(0, 0, width, height).await?;
        let inner = self
            .script("return [window.innerWidth, window.innerHeight];")
            .await?;
        let seen = |i: usize, or: u32| {
            inner
                .get(i)
                .and_then(|v| v.as_u64())
                .map_or(or, |v| v as u32)
        };
        let (w, h) = (seen(0, width), seen(1, height));
        if (w, h) != (width, height) {
            self.driver
                .set_window_rect(
                    0,
                    0,
                    (2 * width).saturating_sub(w),
                    (2 * height).saturating_sub(h),
                )
                .await?;
        }
        Ok(())
    }

    /// Saves a PNG of the browser window under `target/e2e-screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        self.driver.screenshot(&path).await?;
        Ok(path)
    }
}

/// Runs one journey in a fresh browser against a fresh application, then stops both. A journey
/// that fails leaves a screenshot of where it was, named after it.
pub async fn journey(name: &str, steps: impl AsyncFnOnce(&Session) -> anyhow::Result<()>) {
    let session = match Session::start().await {
        Ok(s) => s,
        Err(e) => panic!("{name}: cannot start the browser and the application: {e:#}"),
    };
    let outcome = steps(&session).await;
    let mut shot = None;
    if outcome.is_err() {
        shot = session
            .screenshot(&format!("failed-{name}"))
            .await
            .ok()
            .map(|p| p.display().to_string());
    }
    session.finish().await;
    if let Err(e) = outcome {
        match shot {
            Some(path) => panic!("{name}: {e:#}\n(screenshot: {path})"),
            None => panic!("{name}: {e:#}"),
        }
    }
}
