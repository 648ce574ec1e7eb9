//! The test harness: a fresh application per test, on its own database, with request helpers that
//! speak for an anonymous visitor, a signed-in person or an API token.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use trellis::AppState;
use trellis::auth::password::Cost;
use trellis::auth::{Actor, Role};
use trellis::config::Config;
use trellis::db::{Db, migrations};
use trellis::people::accounts;

pub const ADMIN: (&str, &str) = ("admin@demo.trellis.test", "demo-admin-pass");
pub const EMPLOYEE: (&str, &str) = ("employee@demo.trellis.test", "demo-employee-pass");

pub struct TestApp {
    pub state: AppState,
    router: Router,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, empty database: a SQLite file in a temporary directory, or a new database on the
/// PostgreSQL server of `TEST_DATABASE_URL`.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let name = format!(
                "trellis_test_{}",
                trellis::auth::token::generate("")[..16].to_owned()
            );
            let admin = Db::connect(&url, 1)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(admin.pool())
                .await
                .expect("create a test database");
            admin.close().await;
            let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temporary directory");
            (trellis::config::sqlite_url_in(dir.path()), Some(dir))
        }
    }
}

impl TestApp {
    /// An application on an empty, migrated database.
    pub async fn empty() -> TestApp {
        TestApp::empty_with(|_| {}).await
    }

    /// An application on an empty database, with its configuration changed by `change` (rate limits
    /// are off unless it sets them).
    pub async fn empty_with(change: impl FnOnce(&mut Config)) -> TestApp {
        let (url, dir) = fresh_database().await;
        let db = Db::connect(&url, 4).await.expect("connect");
        migrations::migrate(&db).await.expect("migrate");
        let mut config = Config {
            database_url: url,
            bind: ([127, 0, 0, 1], 0).into(),
            base_url: "http://127.0.0.1".into(),
            pool_size: 4,
            password_cost: Cost::Test,
            limits: trellis::auth::limits::RateLimits::off(),
            lockout: trellis::people::accounts::Lockout::default(),
            smtp_url: None,
            mail_from: None,
        };
        change(&mut config);
        let state = AppState::new(db, config);
        TestApp {
            router: trellis::app(state.clone()),
            state,
            _dir: dir,
        }
    }

    /// An application on a database that was migrated to `version` only, filled by `fill` as a
    /// release of that schema would have left it, and then upgraded to the current schema.
    pub async fn upgraded_from(version: i64, fill: impl AsyncFnOnce(&Db)) -> TestApp {
        let (url, dir) = fresh_database().await;
        let db = Db::connect(&url, 4).await.expect("connect");
        migrations::migrate_to(&db, version)
            .await
            .expect("migrate to the earlier schema");
        fill(&db).await;
        migrations::migrate(&db).await.expect("upgrade");
        let config = Config {
            database_url: url,
            bind: ([127, 0, 0, 1], 0).into(),
            base_url: "http://127.0.0.1".into(),
            pool_size: 4,
            password_cost: Cost::Test,
            limits: trellis::auth::limits::RateLimits::off(),
            lockout: trellis::people::accounts::Lockout::default(),
            smtp_url: None,
            mail_from: None,
        };
        let state = AppState::new(db, config);
        TestApp {
            router: trellis::app(state.clone()),
            state,
            _dir: dir,
        }
    }

    /// An application with the demo organisation: its published framework and two accounts.
    pub async fn demo() -> TestApp {
        TestApp::demo_with(|_| {}).await
    }

    /// The demo organisation, with the configuration changed by `change`.
    pub async fn demo_with(change: impl FnOnce(&mut Config)) -> TestApp {
        let app = TestApp::empty_with(change).await;
        trellis::demo::seed(&app.state, Cost::Test)
            .await
            .expect("seed the demo");
        app
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        Req::new(self, Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        Req::new(self, Method::POST, path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        Req::new(self, Method::DELETE, path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        Req::new(self, Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> Req<'_> {
        Req::new(self, Method::PUT, path)
    }

    /// Signs in through the login form and returns the session cookie.
    pub async fn sign_in(&self, (email, password): (&str, &str)) -> Session {
        let res = self
            .post("/login")
            .form(&[("email", email), ("password", password)])
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "sign in as {email}: {}",
            res.body
        );
        let cookie = res
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Session(cookie)
    }

    pub async fn admin(&self) -> Session {
        self.sign_in(ADMIN).await
    }

    pub async fn employee(&self) -> Session {
        self.sign_in(EMPLOYEE).await
    }

    /// An organisation-wide API token of the given scope, made at the command line.
    pub async fn token(&self, scope: &str) -> String {
        accounts::create_api_token(
            self.state.db(),
            &Actor::command_line(),
            "test",
            scope,
            accounts::TokenOwner::Organisation,
        )
        .await
        .expect("create a token")
    }

    /// The given account's own personal API token, created by them, signed in.
    pub async fn token_for(&self, email: &str) -> String {
        accounts::create_api_token(
            self.state.db(),
            &self.session_actor(email).await,
            "personal",
            "api",
            accounts::TokenOwner::Creator,
        )
        .await
        .expect("create a token")
    }

    /// The actor of a browser session of the given account, as signing in makes it.
    pub async fn session_actor(&self, email: &str) -> Actor {
        use sqlx::Row;
        let row = sqlx::query("SELECT id, name, role FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(self.state.db().pool())
            .await
            .expect("an account");
        let role: String = row.get("role");
        Actor {
            user_id: Some(row.get("id")),
            label: email.to_owned(),
            name: row.get("name"),
            role: Role::parse(&role).unwrap_or(Role::Employee),
            via: trellis::auth::Via::Session,
        }
    }

    /// Creates an account directly, for tests that need more than the demo's two.
    pub async fn create_user(&self, email: &str, role: Role) {
        accounts::create_user(
            self.state.db(),
            &Actor::command_line(),
            accounts::NewUser {
                email: email.into(),
                name: String::new(),
                role,
                password: "a long test password".into(),
            },
            Cost::Test,
        )
        .await
        .expect("create a user");
    }
}

/// A session cookie (`name=value`).
#[derive(Clone)]
pub struct Session(pub String);

/// A request being built.
pub struct Req<'a> {
    app: &'a TestApp,
    builder: axum::http::request::Builder,
    body: Body,
}

impl<'a> Req<'a> {
    fn new(app: &'a TestApp, method: Method, path: &str) -> Req<'a> {
        Req {
            app,
            builder: Request::builder().method(method).uri(path),
            body: Body::empty(),
        }
    }

    pub fn session(mut self, s: &Session) -> Self {
        self.builder = self.builder.header(header::COOKIE, &s.0);
        self
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self
            .builder
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn form(mut self, fields: &[(&str, &str)]) -> Self {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.body = Body::from(body);
        self
    }

    pub fn json(mut self, value: &serde_json::Value) -> Self {
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/json");
        self.body = Body::from(value.to_string());
        self
    }

    pub fn text(mut self, content_type: &str, body: &str) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, content_type);
        self.body = Body::from(body.to_owned());
        self
    }

    /// A multipart form; each part is (name, optional file name, content).
    pub fn multipart(mut self, parts: &[(&str, Option<&str>, &str)]) -> Self {
        let boundary = "trellis-test-boundary";
        let mut body = String::new();
        for (name, file, content) in parts {
            body.push_str(&format!("--{boundary}\r\n"));
            match file {
                Some(f) => body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/yaml\r\n\r\n"
                )),
                None => body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                )),
            }
            body.push_str(content);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.builder = self.builder.header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        self.body = Body::from(body);
        self
    }

    pub async fn send(self) -> Res {
        let req = self.builder.body(self.body).expect("a valid request");
        let res = self
            .app
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res
            .into_body()
            .collect()
            .await
            .expect("a readable body")
            .to_bytes();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

fn enc(s: &str) -> String {
    trellis::web::urlencode(s).replace('/', "%2F")
}

/// A response, read whole.
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }
}

/// The demo framework file with a change, for import tests.
pub fn demo_yaml_with(from: &str, to: &str) -> String {
    let yaml = trellis::demo::FRAMEWORK_YAML;
    assert!(yaml.contains(from), "the demo file has `{from}`");
    yaml.replacen(from, to, 1)
}

/// A small organisation on top of the demo: Mia manages Noor, who manages Ola; Pat works elsewhere.
/// All four are on the Software Engineering track, in team Platform.
pub struct Organisation {
    pub mia: i64,
    pub noor: i64,
    pub ola: i64,
    pub pat: i64,
}

impl TestApp {
    pub async fn organisation(&self) -> Organisation {
        use trellis::people::directory::{self, PersonInput, PositionInput};
        let operator = Actor::command_line();
        let db = self.state.db();
        let add = |email: &str, manager: &str| PersonInput {
            email: email.into(),
            name: email.split('@').next().unwrap_or_default().to_uppercase(),
            manager_email: manager.into(),
            team: "Platform".into(),
            start_date: "2024-01-15".into(),
            ..PersonInput::default()
        };
        let mut ids = Vec::new();
        for (email, manager) in [
            ("mia@demo.trellis.test", ""),
            ("noor@demo.trellis.test", "mia@demo.trellis.test"),
            ("ola@demo.trellis.test", "noor@demo.trellis.test"),
            ("pat@demo.trellis.test", ""),
        ] {
            ids.push(
                directory::save_person(db, &operator, &add(email, manager))
                    .await
                    .expect("a person"),
            );
        }
        for (id, level) in ids.iter().zip(["principal", "se2", "se1", "se1"]) {
            directory::record_position(
                &self.state,
                &operator,
                *id,
                &PositionInput {
                    track: "software-engineering".into(),
                    level: level.into(),
                    effective_on: "2024-01-15".into(),
                    ..PositionInput::default()
                },
            )
            .await
            .expect("a position");
        }
        Organisation {
            mia: ids[0],
            noor: ids[1],
            ola: ids[2],
            pat: ids[3],
        }
    }
}

/// Gives a person of the directory a password and signs them in.
pub async fn sign_in_as(app: &TestApp, email: &str) -> Session {
    let hash = trellis::auth::password::hash(
        "a long test password".into(),
        trellis::auth::password::Cost::Test,
    )
    .await
    .expect("hash");
    sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
        .bind(hash)
        .bind(email)
        .execute(app.state.db().pool())
        .await
        .expect("set a password");
    app.sign_in((email, "a long test password")).await
}
