//! The access matrix: every route of the application × every role, with the answer each role gets.
//!
//! How to read an expectation:
//!
//! - `OK`: allowed and done, a 2xx, or a 3xx that goes anywhere but the sign-in page. State-changing
//!   requests send a valid request, so that the status reflects the authorisation decision and not
//!   the validation of the input.
//! - `ALLOWED`: allowed, for requests whose valid input is hard to build (the editor's forms, which
//!   get an empty form): a 2xx, a 3xx that is not to sign in, or 422 ("allowed, invalid input").
//!   Refused requests answer 403, never 422: input is only judged for those who may send it.
//! - `SIGN_IN`: a page asked for by a visitor who is not signed in: 303 to `/login`.
//! - `UNAUTH`: the API asked without credentials: 401 with a problem document.
//! - `SCIM_UNAUTH`: SCIM asked without credentials: 401 with a SCIM error (`application/scim+json`).
//! - `NO`: 403, the role may not do this (and the object's existence is no secret: the directory
//!   is open to everyone signed in).
//! - `HIDDEN`: 404, for a private object the role may not see, exactly as for one that does not
//!   exist, so that its existence does not leak.
//! - `code(n)`: exactly the status `n`.
//!
//! Roles (columns, in this order): an anonymous visitor; an employee with no reports, outside the
//! organisation below; a manager (Mia, who manages Noor, who manages Ola); the person themselves
//! (Ola, asking about her own record); an admin; an organisation API token (scope `api`); a token
//! of scope `scim`.
//!
//! Subjects of person routes: Ola (herself for the person-themselves column, a report two levels
//! down the manager's chain), Noor (a direct report of the manager, and the person's own manager,
//! whose record she may not see), Pat (a peer outside the chain) and an id that does not exist.
//!
//! Each role runs the whole table on its own application, in table order: the rows that change
//! state for good (publishing, discarding, removing, signing out) come last, and rows that revoke
//! or redeem something act on throwaway objects made for them.
//!
//! `every_route_is_in_the_access_matrix` reads the routers in `src/` and fails when a route has no
//! row here, so a new route cannot ship without an access decision.

use std::collections::BTreeSet;
use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use trellis::auth::Actor;
use trellis::services::accounts::{self, LinkPurpose};

use crate::helpers::{ADMIN, EMPLOYEE, Organisation, Session, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    Employee,
    Manager,
    Myself,
    Admin,
    ApiToken,
    ScimToken,
}

const ROLES: [Role; 7] = [
    Role::Anonymous,
    Role::Employee,
    Role::Manager,
    Role::Myself,
    Role::Admin,
    Role::ApiToken,
    Role::ScimToken,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Allowed,
    SignIn,
    Unauth,
    ScimUnauth,
    Forbidden,
    Hidden,
    Code(u16),
}

const OK: Expect = Expect::Ok;
const ALLOWED: Expect = Expect::Allowed;
const SIGN_IN: Expect = Expect::SignIn;
const UNAUTH: Expect = Expect::Unauth;
const SCIM_UNAUTH: Expect = Expect::ScimUnauth;
const NO: Expect = Expect::Forbidden;
const HIDDEN: Expect = Expect::Hidden;

const fn code(n: u16) -> Expect {
    Expect::Code(n)
}

type Row7 = [Expect; 7];

/// Open to everyone, signed in or not.
const PUBLIC: Row7 = [OK; 7];
/// Pages for everyone signed in with rights to read (not SCIM tokens).
const PAGE: Row7 = [SIGN_IN, OK, OK, OK, OK, OK, NO];
/// The API for everyone signed in with rights to read.
const API: Row7 = [UNAUTH, OK, OK, OK, OK, OK, NO];
/// Pages of the People team.
const ADMIN_PAGE: Row7 = [SIGN_IN, NO, NO, NO, OK, OK, NO];
/// The API of the People team.
const ADMIN_API: Row7 = [UNAUTH, NO, NO, NO, OK, OK, NO];
/// Forms of the People team sent empty (the editor).
const ADMIN_FORM: Row7 = [SIGN_IN, NO, NO, NO, ALLOWED, ALLOWED, NO];
/// A page that does not exist for any role that may read pages.
/// SCIM: for `scim` tokens only; sessions and `api` tokens are refused, even an admin's.
const SCIM: Row7 = [SCIM_UNAUTH, NO, NO, NO, NO, NO, OK];
const SCIM_MISSING: Row7 = [SCIM_UNAUTH, NO, NO, NO, NO, NO, HIDDEN];
const PAGE_MISSING: Row7 = [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO];
const API_MISSING: Row7 = [UNAUTH, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO];

/// Who fills `{id}` in a row's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    None,
    /// Herself for the person-themselves column, a skip-level report of the manager.
    Ola,
    /// The manager's direct report, and Ola's manager.
    Noor,
    /// Outside the chain.
    Pat,
    /// An id nobody has.
    Missing,
    /// A throwaway API token, made to be revoked.
    Token,
    /// A template of the gallery.
    Template,
    /// The team everyone of the organisation is in, as a SCIM group.
    Team,
    /// A SCIM resource type.
    ResourceType,
    /// A SCIM schema.
    Schema,
}

#[derive(Debug, Clone)]
enum Payload {
    Empty,
    Form(Vec<(&'static str, &'static str)>),
    Json(serde_json::Value),
    Text(&'static str, &'static str),
    Multipart(Vec<(&'static str, Option<&'static str>, &'static str)>),
}

#[derive(Debug, Clone)]
struct Row {
    method: &'static str,
    path: &'static str,
    query: &'static str,
    subject: Subject,
    payload: Payload,
    expect: Row7,
}

fn row(method: &'static str, path: &'static str, expect: Row7) -> Row {
    Row {
        method,
        path,
        query: "",
        subject: Subject::None,
        payload: Payload::Empty,
        expect,
    }
}

fn get(path: &'static str, expect: Row7) -> Row {
    row("GET", path, expect)
}

fn post(path: &'static str, expect: Row7) -> Row {
    row("POST", path, expect)
}

fn put(path: &'static str, expect: Row7) -> Row {
    row("PUT", path, expect)
}

fn delete(path: &'static str, expect: Row7) -> Row {
    row("DELETE", path, expect)
}

fn patch(path: &'static str, expect: Row7) -> Row {
    row("PATCH", path, expect)
}

impl Row {
    fn query(mut self, query: &'static str) -> Row {
        self.query = query;
        self
    }

    fn of(mut self, subject: Subject) -> Row {
        self.subject = subject;
        self
    }

    fn form(mut self, fields: &[(&'static str, &'static str)]) -> Row {
        self.payload = Payload::Form(fields.to_vec());
        self
    }

    /// An empty form: for the editor, whose valid input depends on the draft.
    fn empty_form(self) -> Row {
        self.form(&[])
    }

    fn json(mut self, value: serde_json::Value) -> Row {
        self.payload = Payload::Json(value);
        self
    }

    fn text(mut self, content_type: &'static str, text: &'static str) -> Row {
        self.payload = Payload::Text(content_type, text);
        self
    }

    fn multipart(mut self, parts: &[(&'static str, Option<&'static str>, &'static str)]) -> Row {
        self.payload = Payload::Multipart(parts.to_vec());
        self
    }
}

const PERSON_FORM: &[(&str, &str)] = &[
    ("name", "Renamed Person"),
    ("employee_id", ""),
    ("team", "Platform"),
    ("manager_email", ""),
    ("start_date", "2024-01-15"),
    ("status", "active"),
    ("left_on", ""),
];

const POSITION_FORM: &[(&str, &str)] = &[
    ("position", "software-engineering/se1"),
    ("effective_on", "2024-01-15"),
    ("kind", ""),
    ("note", ""),
];

/// Every route with what each role gets, in the order each role's application runs them.
fn matrix() -> Vec<Row> {
    use Subject::{Missing, Noor, Ola, Pat, ResourceType, Schema, Team, Template, Token};
    let mut rows = vec![
        // Public by design.
        get("/", [SIGN_IN, OK, OK, OK, OK, OK, OK]),
        get("/healthz", PUBLIC),
        get("/static/{file}", PUBLIC),
        get("/help/framework-format", PUBLIC),
        get("/login", PUBLIC),
        post("/login", [code(303); 7]).form(&[("email", EMPLOYEE.0), ("password", EMPLOYEE.1)]),
        get("/account/link/{secret}", PUBLIC),
        // Mismatched passwords: judged (422) without using the link up.
        post("/account/link/{secret}", [code(422); 7]).form(&[
            ("password", "a long new password"),
            ("confirm", "a different long password"),
        ]),
        get("/api/openapi.json", PUBLIC),
        get("/api/docs", PUBLIC),
        get("/api/docs/", PUBLIC),
        get("/api/schema/framework-v1.json", PUBLIC),
        // One's own account: people in a browser, not tokens.
        get("/account/password", [SIGN_IN, OK, OK, OK, OK, NO, NO]),
        // A wrong current password: judged (422) only for those who may change one.
        post(
            "/account/password",
            [SIGN_IN, code(422), code(422), code(422), code(422), NO, NO],
        )
        .form(&[
            ("current", "not the current password"),
            ("new", "a long new password"),
            ("confirm", "a long new password"),
        ]),
        get("/api/v1/me", [UNAUTH, OK, OK, OK, OK, OK, OK]),
        // The published framework: open to the whole organisation.
        get("/tracks", PAGE),
        get("/tracks/{track}", PAGE),
        get("/tracks/{track}/levels/{level}", PAGE),
        get("/competencies", PAGE),
        get("/compare", PAGE).query("from=software-engineering/se1&to=software-engineering/se2"),
        get("/versions", PAGE),
        get("/versions/diff", PAGE).query("from=1&to=1"),
        get("/versions/{number}/export.yaml", PAGE),
        get("/versions/{number}/export.csv", PAGE),
        get("/versions/{number}/export-markdown.zip", PAGE),
        get("/draft/templates/{id}/source.yaml", PAGE).of(Template),
        get("/api/v1/framework", API),
        get("/api/v1/tracks", API),
        get("/api/v1/tracks/{track}", API),
        get("/api/v1/tracks/{track}/levels/{level}", API),
        get("/api/v1/competencies", API),
        get("/api/v1/compare", API)
            .query("from=software-engineering/se1&to=software-engineering/se2"),
        get("/api/v1/versions", API),
        get("/api/v1/versions/diff", API).query("from=1&to=1"),
        get("/api/v1/framework.yaml", API),
        // The directory: open to everyone signed in; positions are private.
        get("/people", PAGE),
        get("/people/new", ADMIN_PAGE),
        get("/people/{id}", PAGE).of(Ola),
        get("/people/{id}", PAGE).of(Noor),
        get("/people/{id}", PAGE).of(Pat),
        get("/people/{id}", PAGE_MISSING).of(Missing),
        get("/api/v1/people", API),
        get("/api/v1/people/{id}", API).of(Ola),
        get("/api/v1/people/{id}", API).of(Noor),
        get("/api/v1/people/{id}", API).of(Pat),
        get("/api/v1/people/{id}", API_MISSING).of(Missing),
        get(
            "/api/v1/people/{id}/positions",
            [UNAUTH, HIDDEN, OK, OK, OK, OK, NO],
        )
        .of(Ola),
        get(
            "/api/v1/people/{id}/positions",
            [UNAUTH, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(Noor),
        get(
            "/api/v1/people/{id}/positions",
            [UNAUTH, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Pat),
        get("/api/v1/people/{id}/positions", API_MISSING).of(Missing),
        // The People team's writes to the directory.
        post("/people", ADMIN_PAGE).form(&[
            ("email", "added.by.form@demo.trellis.test"),
            ("name", "Added By Form"),
            ("employee_id", ""),
            ("team", "Platform"),
            ("manager_email", ""),
            ("start_date", "2026-02-01"),
            ("status", "active"),
        ]),
        post("/people/{id}", ADMIN_PAGE).of(Ola).form(PERSON_FORM),
        post("/people/{id}", ADMIN_PAGE).of(Pat).form(PERSON_FORM),
        post("/people/{id}", PAGE_MISSING_WRITE)
            .of(Missing)
            .form(PERSON_FORM),
        post("/people/{id}/positions", ADMIN_PAGE)
            .of(Ola)
            .form(POSITION_FORM),
        post("/people/{id}/positions", ADMIN_PAGE)
            .of(Pat)
            .form(POSITION_FORM),
        post("/people/{id}/positions", PAGE_MISSING_WRITE)
            .of(Missing)
            .form(POSITION_FORM),
        post("/people/{id}/role", ADMIN_PAGE)
            .of(Ola)
            .form(&[("role", "employee")]),
        post("/people/{id}/role", PAGE_MISSING_WRITE)
            .of(Missing)
            .form(&[("role", "employee")]),
        post(
            "/api/v1/people",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(serde_json::json!({ "email": "added.by.api@demo.trellis.test" })),
        put("/api/v1/people/{id}", ADMIN_API)
            .of(Ola)
            .json(serde_json::json!({ "name": "Renamed Person", "team": "Platform" })),
        put("/api/v1/people/{id}", ADMIN_API)
            .of(Pat)
            .json(serde_json::json!({ "name": "Renamed Person", "team": "Platform" })),
        put("/api/v1/people/{id}", API_MISSING_WRITE)
            .of(Missing)
            .json(serde_json::json!({ "name": "Renamed Person" })),
        post(
            "/api/v1/people/{id}/positions",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .of(Ola)
        .json(position_json()),
        post(
            "/api/v1/people/{id}/positions",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .of(Pat)
        .json(position_json()),
        post("/api/v1/people/{id}/positions", API_MISSING_WRITE)
            .of(Missing)
            .json(position_json()),
        // The directory as a file: positions are in it, so it is the People team's.
        get("/people/import", ADMIN_PAGE),
        post("/people/import", ADMIN_PAGE).multipart(&[
            ("file", Some("people.csv"), PEOPLE_CSV),
            ("step", None, "preview"),
        ]),
        get("/people/export.csv", ADMIN_PAGE),
        post("/api/v1/people/import", ADMIN_API)
            .query("dry_run=true")
            .text("text/csv", PEOPLE_CSV),
        get("/api/v1/people/export", ADMIN_API),
        // Accounts, tokens and the audit log: the People team's.
        get("/admin", [code(303); 7]),
        get("/admin/accounts", ADMIN_PAGE),
        post("/admin/accounts/links", ADMIN_PAGE)
            .form(&[("email", "noor@demo.trellis.test"), ("purpose", "invite")]),
        get("/admin/audit", ADMIN_PAGE),
        get("/admin/audit.csv", ADMIN_PAGE),
        get("/admin/tokens", ADMIN_PAGE),
        post(
            "/admin/tokens",
            [SIGN_IN, NO, NO, NO, code(201), code(201), NO],
        )
        .form(&[("name", "made by form"), ("scope", "api")]),
        post("/admin/tokens/{id}/revoke", ADMIN_PAGE).of(Token),
        get("/api/v1/tokens", ADMIN_API),
        post(
            "/api/v1/tokens",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(serde_json::json!({ "name": "made by api", "scope": "api" })),
        delete(
            "/api/v1/tokens/{id}",
            [UNAUTH, NO, NO, NO, code(204), code(204), NO],
        )
        .of(Token),
        get("/api/v1/audit", ADMIN_API),
        // The draft and its editor: the People team's.
        get("/draft", ADMIN_PAGE),
        get("/draft/library", ADMIN_PAGE),
        get("/draft/tracks/{track}", ADMIN_PAGE),
        get(
            "/draft/tracks/{track}/cells/{level}/{competency}",
            ADMIN_PAGE,
        ),
        get(
            "/draft/tracks/{track}/cells/{level}/{competency}/edit",
            ADMIN_PAGE,
        ),
        get("/draft/export.yaml", ADMIN_PAGE),
        get("/draft/export.csv", ADMIN_PAGE),
        get("/draft/export-markdown.zip", ADMIN_PAGE),
        get("/draft/publish", ADMIN_PAGE),
        get("/draft/import", ADMIN_PAGE),
        post("/draft/import", ADMIN_PAGE).multipart(&[
            ("file", Some("framework.yaml"), DEMO_YAML),
            ("step", None, "preview"),
        ]),
        get("/draft/templates", ADMIN_PAGE),
        get("/draft/templates/{id}", ADMIN_PAGE).of(Template),
        post("/draft/templates/{id}", ADMIN_PAGE)
            .of(Template)
            .form(&[("track", "data-science"), ("step", "preview")]),
        get("/api/v1/draft", ADMIN_API),
        get("/api/v1/draft/lint", ADMIN_API),
        get("/api/v1/templates", ADMIN_API),
        post("/api/v1/draft/templates/{id}", ADMIN_API)
            .of(Template)
            .query("dry_run=true")
            .json(serde_json::json!({ "tracks": ["data-science"] })),
        post("/api/v1/draft/import", ADMIN_API)
            .query("dry_run=true")
            .text("application/yaml", DEMO_YAML),
        post("/api/v1/draft/edits", ADMIN_API).json(serde_json::json!({
            "op": "set_framework", "name": "Northwind career tracks"
        })),
        // Publishing, while the draft differs from the latest version and has no problems.
        post("/api/v1/draft/publish", ADMIN_API)
            .json(serde_json::json!({ "note": "Checked by the access matrix" })),
        post("/draft/framework", ADMIN_PAGE).form(&[
            ("name", "Northwind career tracks, again"),
            ("description", ""),
        ]),
        post("/draft/publish", ADMIN_PAGE).form(&[("note", "Checked by the access matrix")]),
        // The rest of the editor's forms, sent empty.
        post("/draft/lint", ADMIN_FORM).empty_form(),
        post("/draft/tracks", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/rename", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/move", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/levels", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/levels/{level}", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/levels/{level}/move", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/rows", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/rows/{competency}/move", ADMIN_FORM).empty_form(),
        post(
            "/draft/tracks/{track}/cells/{level}/{competency}",
            ADMIN_FORM,
        )
        .empty_form(),
        post("/draft/categories", ADMIN_FORM).empty_form(),
        post("/draft/categories/{key}", ADMIN_FORM).empty_form(),
        post("/draft/categories/{key}/move", ADMIN_FORM).empty_form(),
        post("/draft/competencies", ADMIN_FORM).empty_form(),
        post("/draft/competencies/{key}", ADMIN_FORM).empty_form(),
        post("/draft/competencies/{key}/move", ADMIN_FORM).empty_form(),
        post("/draft/grades", ADMIN_FORM).empty_form(),
        post("/draft/grades/{key}", ADMIN_FORM).empty_form(),
        post("/draft/grades/{key}/move", ADMIN_FORM).empty_form(),
        // SCIM provisioning.
        get("/scim/v2/ServiceProviderConfig", SCIM),
        get("/scim/v2/ResourceTypes", SCIM),
        get("/scim/v2/ResourceTypes/{id}", SCIM).of(ResourceType),
        get("/scim/v2/Schemas", SCIM),
        get("/scim/v2/Schemas/{id}", SCIM).of(Schema),
        get("/scim/v2/Users", SCIM).query("filter=userName%20eq%20%22ola%40demo.trellis.test%22"),
        post("/scim/v2/Users/.search", SCIM).json(serde_json::json!({
            "schemas": [SCIM_SEARCH], "filter": "userName eq \"ola@demo.trellis.test\""
        })),
        post(
            "/scim/v2/Users",
            [SCIM_UNAUTH, NO, NO, NO, NO, NO, code(201)],
        )
        .json(serde_json::json!({
            "schemas": [SCIM_USER], "userName": "made.by.scim@demo.trellis.test",
            "name": { "formatted": "Made By Scim" }, "active": true
        })),
        get("/scim/v2/Users/{id}", SCIM).of(Ola),
        get("/scim/v2/Users/{id}", SCIM_MISSING).of(Missing),
        put("/scim/v2/Users/{id}", SCIM).of(Ola).json(scim_ola()),
        put("/scim/v2/Users/{id}", SCIM_MISSING)
            .of(Missing)
            .json(scim_ola()),
        patch("/scim/v2/Users/{id}", SCIM)
            .of(Ola)
            .json(scim_rename("Ola")),
        patch("/scim/v2/Users/{id}", SCIM_MISSING)
            .of(Missing)
            .json(scim_rename("Ola")),
        get("/scim/v2/Groups", SCIM),
        post("/scim/v2/Groups/.search", SCIM).json(serde_json::json!({
            "schemas": [SCIM_SEARCH], "filter": "displayName eq \"Platform\""
        })),
        post(
            "/scim/v2/Groups",
            [SCIM_UNAUTH, NO, NO, NO, NO, NO, code(201)],
        )
        .json(serde_json::json!({ "schemas": [SCIM_GROUP], "displayName": "Made by SCIM" })),
        get("/scim/v2/Groups/{id}", SCIM).of(Team),
        get("/scim/v2/Groups/{id}", SCIM_MISSING).of(Missing),
        put("/scim/v2/Groups/{id}", SCIM)
            .of(Team)
            .json(serde_json::json!({ "schemas": [SCIM_GROUP], "displayName": "Platform" })),
        put("/scim/v2/Groups/{id}", SCIM_MISSING)
            .of(Missing)
            .json(serde_json::json!({ "schemas": [SCIM_GROUP], "displayName": "Nowhere" })),
        patch("/scim/v2/Groups/{id}", SCIM)
            .of(Team)
            .json(scim_rename("Platform")),
        patch("/scim/v2/Groups/{id}", SCIM_MISSING)
            .of(Missing)
            .json(scim_rename("Platform")),
        // Searching every resource type at once is not implemented: the same answer for everyone.
        post("/scim/v2/.search", [code(501); 7]).json(serde_json::json!({
            "schemas": [SCIM_SEARCH], "filter": "displayName eq \"Platform\""
        })),
        delete("/scim/v2/Users/{id}", SCIM_MISSING).of(Missing),
        delete(
            "/scim/v2/Users/{id}",
            [SCIM_UNAUTH, NO, NO, NO, NO, NO, code(204)],
        )
        .of(Pat),
        delete("/scim/v2/Groups/{id}", SCIM_MISSING).of(Missing),
        delete(
            "/scim/v2/Groups/{id}",
            [SCIM_UNAUTH, NO, NO, NO, NO, NO, code(204)],
        )
        .of(Team),
        // What changes the draft or the versions for good, last.
        post("/draft/discard", ADMIN_PAGE),
        post("/draft/tracks/{track}/rows/{competency}/remove", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/levels/{level}/remove", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/remove", ADMIN_FORM).empty_form(),
        post("/draft/competencies/{key}/remove", ADMIN_FORM).empty_form(),
        post("/draft/categories/{key}/remove", ADMIN_FORM).empty_form(),
        post("/draft/grades/{key}/remove", ADMIN_FORM).empty_form(),
    ];
    // Signing out ends the session the rest of the table would use: the very last row.
    rows.push(post("/logout", [code(303); 7]));
    rows
}

/// A write to a person who does not exist: refused to those who may not write, 404 to those who may.
const PAGE_MISSING_WRITE: Row7 = [SIGN_IN, NO, NO, NO, HIDDEN, HIDDEN, NO];
const API_MISSING_WRITE: Row7 = [UNAUTH, NO, NO, NO, HIDDEN, HIDDEN, NO];

const DEMO_YAML: &str = trellis::demo::FRAMEWORK_YAML;

const PEOPLE_CSV: &str = "email,name,team\nimported@demo.trellis.test,Imported Person,Platform\n";

const SCIM_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const SCIM_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SCIM_SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// Ola as an identity provider sends her, unchanged.
fn scim_ola() -> serde_json::Value {
    serde_json::json!({
        "schemas": [SCIM_USER], "userName": "ola@demo.trellis.test",
        "name": { "formatted": "OLA" }, "active": true
    })
}

fn scim_rename(name: &str) -> serde_json::Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": "displayName", "value": name }]
    })
}

fn position_json() -> serde_json::Value {
    serde_json::json!({
        "track": "software-engineering", "level": "se1", "effective_on": "2024-01-15"
    })
}

/// Paths served by a router the completeness check cannot read (the API documentation UI).
const NOT_IN_SOURCE: &[&str] = &["/api/openapi.json", "/api/docs", "/api/docs/"];

/// The world each role's table runs in.
struct World {
    app: TestApp,
    router: axum::Router,
    ola: i64,
    noor: i64,
    pat: i64,
    token_id: i64,
    link: String,
    team: i64,
}

/// The demo plus a small organisation: Mia manages Noor, who manages Ola; Pat is elsewhere.
async fn world() -> World {
    let app = TestApp::demo().await;
    let operator = Actor::command_line();
    let db = app.state.db();
    let Organisation { ola, noor, pat, .. } = app.organisation().await;
    let token_id = accounts::issue_api_token(db, &operator, "throwaway", "api", None)
        .await
        .expect("a throwaway token")
        .id;
    let link = accounts::issue_link(db, &operator, "pat@demo.trellis.test", LinkPurpose::Invite)
        .await
        .expect("an invitation link")
        .secret;
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name_key = 'platform'")
        .fetch_one(db.pool())
        .await
        .expect("the team");
    World {
        team,
        router: trellis::app(app.state.clone()),
        app,
        ola,
        noor,
        pat,
        token_id,
        link,
    }
}

/// Gives a directory person a password and signs them in.
async fn sign_in_as(app: &TestApp, email: &str) -> Session {
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

enum Credentials {
    None,
    Session(Session),
    Bearer(String),
}

async fn credentials(w: &World, role: Role) -> Credentials {
    match role {
        Role::Anonymous => Credentials::None,
        Role::Employee => Credentials::Session(w.app.sign_in(EMPLOYEE).await),
        Role::Manager => Credentials::Session(sign_in_as(&w.app, "mia@demo.trellis.test").await),
        Role::Myself => Credentials::Session(sign_in_as(&w.app, "ola@demo.trellis.test").await),
        Role::Admin => Credentials::Session(w.app.sign_in(ADMIN).await),
        Role::ApiToken => Credentials::Bearer(w.app.token("api").await),
        Role::ScimToken => Credentials::Bearer(w.app.token("scim").await),
    }
}

impl World {
    /// The row's path with every parameter filled in, and its query.
    fn uri(&self, row: &Row) -> String {
        let id = match row.subject {
            Subject::None => String::new(),
            Subject::Ola => self.ola.to_string(),
            Subject::Noor => self.noor.to_string(),
            Subject::Pat => self.pat.to_string(),
            Subject::Missing => "987654".into(),
            Subject::Token => self.token_id.to_string(),
            Subject::Template => "data".into(),
            Subject::Team => self.team.to_string(),
            Subject::ResourceType => "User".into(),
            Subject::Schema => SCIM_USER.into(),
        };
        let key = if row.path.contains("/categories/") {
            "craft"
        } else if row.path.contains("/competencies/") {
            "mentoring"
        } else {
            "g6"
        };
        let path = row
            .path
            .replace("{id}", &id)
            .replace("{track}", "software-engineering")
            .replace("{level}", "se1")
            .replace("{competency}", "technical-quality")
            .replace("{number}", "1")
            .replace("{file}", "app.css")
            .replace("{secret}", &self.link)
            .replace("{key}", key);
        assert!(
            !path.contains('{'),
            "a parameter of {} is not filled in",
            row.path
        );
        if row.query.is_empty() {
            path
        } else {
            format!("{path}?{}", row.query)
        }
    }

    async fn send(&self, row: &Row, who: &Credentials) -> (StatusCode, String, String, String) {
        let method = Method::from_bytes(row.method.as_bytes()).expect("a method");
        let mut req = Request::builder().method(method).uri(self.uri(row));
        match who {
            Credentials::None => {}
            Credentials::Session(s) => req = req.header(header::COOKIE, &s.0),
            Credentials::Bearer(t) => {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
        }
        let (content_type, body) = match &row.payload {
            Payload::Empty => (None, String::new()),
            Payload::Form(fields) => (
                Some("application/x-www-form-urlencoded".to_owned()),
                fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
            ),
            Payload::Json(v) => (Some("application/json".to_owned()), v.to_string()),
            Payload::Text(ct, text) => (Some((*ct).to_owned()), (*text).to_owned()),
            Payload::Multipart(parts) => {
                let boundary = "access-matrix-boundary";
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
                (
                    Some(format!("multipart/form-data; boundary={boundary}")),
                    body,
                )
            }
        };
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).expect("a request"))
            .await
            .expect("the router answers");
        let status = res.status();
        let header_of = |name: header::HeaderName| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let location = header_of(header::LOCATION);
        let content_type = header_of(header::CONTENT_TYPE);
        let bytes = res.into_body().collect().await.expect("a body").to_bytes();
        let body: String = String::from_utf8_lossy(&bytes).chars().take(300).collect();
        (status, location, content_type, body)
    }
}

fn enc(s: &str) -> String {
    trellis::web::urlencode(s).replace('/', "%2F")
}

/// Whether the answer is what the expectation allows.
fn meets(expect: Expect, status: StatusCode, location: &str, content_type: &str) -> bool {
    let to_sign_in = status.is_redirection() && location.starts_with("/login");
    let done = status.is_success() || (status.is_redirection() && !to_sign_in);
    match expect {
        Expect::Ok => done,
        Expect::Allowed => done || status == StatusCode::UNPROCESSABLE_ENTITY,
        Expect::SignIn => status == StatusCode::SEE_OTHER && to_sign_in,
        Expect::Unauth => {
            status == StatusCode::UNAUTHORIZED && content_type == "application/problem+json"
        }
        Expect::ScimUnauth => {
            status == StatusCode::UNAUTHORIZED && content_type == "application/scim+json"
        }
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::Hidden => status == StatusCode::NOT_FOUND,
        Expect::Code(n) => status.as_u16() == n,
    }
}

/// Runs the whole table as one role and fails with every cell that differs.
async fn run_as(role: Role) {
    let column = ROLES.iter().position(|r| *r == role).expect("a role");
    let w = world().await;
    let who = credentials(&w, role).await;
    let mut wrong = Vec::new();
    for row in matrix() {
        let expect = row.expect[column];
        let (status, location, content_type, body) = w.send(&row, &who).await;
        if !meets(expect, status, &location, &content_type) {
            wrong.push(format!(
                "{} {} ({:?}): expected {expect:?}, got {status} {location} {content_type}: {body}",
                row.method,
                w.uri(&row),
                row.subject
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{role:?} got {} unexpected answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn anonymous_visitors_reach_only_public_routes() {
    run_as(Role::Anonymous).await;
}

#[tokio::test]
async fn employees_read_the_directory_and_framework_but_nothing_private_or_administrative() {
    run_as(Role::Employee).await;
}

#[tokio::test]
async fn managers_see_the_private_records_of_their_whole_chain_and_no_one_else() {
    run_as(Role::Manager).await;
}

#[tokio::test]
async fn people_see_their_own_private_record_but_not_their_managers() {
    run_as(Role::Myself).await;
}

#[tokio::test]
async fn admins_reach_every_route() {
    run_as(Role::Admin).await;
}

#[tokio::test]
async fn organisation_api_tokens_act_with_admin_rights_but_not_as_a_person() {
    run_as(Role::ApiToken).await;
}

#[tokio::test]
async fn scim_tokens_reach_provisioning_and_nothing_else() {
    run_as(Role::ScimToken).await;
}

/// The (method, path) of every route the routers in `src/` declare, with the prefixes they are
/// nested under.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = BTreeSet::new();
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let prefix = if relative.starts_with("api/") {
            "/api/v1"
        } else if relative.starts_with("scim/") {
            "/scim/v2"
        } else {
            ""
        };
        let text: String = std::fs::read_to_string(&file)
            .expect("read a source file")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (path, methods) in route_calls(&text, &relative) {
            let full = if path.starts_with("/api/") || path.starts_with("/scim/") {
                path
            } else {
                format!("{prefix}{path}")
            };
            for method in methods {
                routes.insert((method, full.clone()));
            }
        }
    }
    routes
}

/// The `.route("PATH", handlers)` calls of a source file: each path with the methods of its
/// handler chain.
fn route_calls(text: &str, file: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let args = &rest[..closing_paren(rest)];
        let trimmed = args.trim_start();
        let path = trimmed
            .strip_prefix('"')
            .and_then(|s| s.split_once('"'))
            .map(|(p, _)| p.to_owned())
            .unwrap_or_else(|| panic!("{file}: a route whose path is not a literal: {args}"));
        let methods = handler_methods(args);
        assert!(
            !methods.is_empty(),
            "{file}: no method found for the route {path}"
        );
        found.push((path, methods));
    }
    found
}

/// Where the call whose arguments `s` starts closes: the index of its `)`.
fn closing_paren(s: &str) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' if depth == 0 => return i,
            ')' => depth -= 1,
            _ => {}
        }
    }
    s.len()
}

/// The HTTP methods named in a handler chain such as `get(show).post(save)`.
fn handler_methods(args: &str) -> Vec<String> {
    let mut methods = Vec::new();
    for name in ["get", "post", "put", "delete", "patch"] {
        let call = format!("{name}(");
        let mut from = 0;
        while let Some(i) = args[from..].find(&call) {
            let at = from + i;
            let before = args[..at].chars().next_back();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                methods.push(name.to_uppercase());
                break;
            }
            from = at + call.len();
        }
    }
    methods
}

#[test]
fn every_route_is_in_the_access_matrix() {
    let declared = declared_routes();
    assert!(
        declared.contains(&("GET".into(), "/api/v1/people/{id}/positions".into())),
        "the scan finds the API's routes under /api/v1"
    );
    let in_matrix: BTreeSet<(String, String)> = matrix()
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<String> = declared
        .difference(&in_matrix)
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access decision in tests/it/access.rs:\n{}",
        missing.join("\n")
    );
    let stale: Vec<String> = in_matrix
        .difference(&declared)
        .filter(|(_, p)| !NOT_IN_SOURCE.contains(&p.as_str()))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        stale.is_empty(),
        "rows of the access matrix for routes that no longer exist:\n{}",
        stale.join("\n")
    );
}
