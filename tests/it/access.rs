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
//! Three more columns are an admin holding every kind of token: their own personal API token, an
//! organisation API token they created, and a SCIM token they created (all made over the API, as
//! an admin would). A token acts only for the account that created it, or for no person, so their
//! expectations follow from the columns above and a row states them only where they differ:
//! the admin's personal token answers as the admin in a browser (`Role::Admin`), the organisation
//! token as the organisation token of the command line (`Role::ApiToken`), the SCIM token as the
//! SCIM token (`Role::ScimToken`). `Row::admin_tokens` gives the three where that rule does not
//! hold.
//!
//! Subjects of person routes: Ola (herself for the person-themselves column, a report two levels
//! down the manager's chain), Noor (a direct report of the manager, and the person's own manager,
//! whose record she may not see), Pat (a peer outside the chain) and an id that does not exist.
//!
//! Each role runs the whole table on its own application, in table order: the rows that change
//! state for good (publishing, discarding, removing, signing out) come last, and rows that revoke
//! or redeem something act on throwaway objects made for them.
//!
//! `every_route_is_in_the_access_matrix` takes the routes the application serves from its route
//! table (`trellis::routes_served`) and fails when a route has no row here, so a new route cannot
//! ship without an access decision.

use crate::helpers::sign_in_as;
use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use trellis::auth::Actor;
use trellis::people::accounts::{self, LinkPurpose};

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
    /// The admin's own personal API token.
    AdminPersonalToken,
    /// An organisation API token created by the admin.
    AdminOrgToken,
    /// A SCIM token created by the admin.
    AdminScimToken,
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

/// The answers of the admin's personal API token, their organisation API token and their SCIM token.
type Row3 = [Expect; 3];

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
    /// An object one of the areas made for the table (a check-in, a goal, a 1:1, a survey…),
    /// by the name its `access_objects` gave it.
    Object(&'static str),
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
    /// The admin's tokens, where they do not answer as the columns they follow.
    tokens: Option<Row3>,
}

fn row(method: &'static str, path: &'static str, expect: Row7) -> Row {
    Row {
        method,
        path,
        query: "",
        subject: Subject::None,
        payload: Payload::Empty,
        expect,
        tokens: None,
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
    /// What `role` gets for this row.
    fn expectation(&self, role: Role) -> Expect {
        let column = |r: Role| ROLES.iter().position(|x| *x == r).expect("a column");
        let (followed, index) = match role {
            Role::AdminPersonalToken => (Role::Admin, 0),
            Role::AdminOrgToken => (Role::ApiToken, 1),
            Role::AdminScimToken => (Role::ScimToken, 2),
            other => return self.expect[column(other)],
        };
        match self.tokens {
            Some(tokens) => tokens[index],
            None => self.expect[column(followed)],
        }
    }

    /// The answers of the admin's three tokens, where they differ from the columns they follow.
    fn admin_tokens(mut self, tokens: Row3) -> Row {
        self.tokens = Some(tokens);
        self
    }

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
        get("/favicon.ico", PUBLIC),
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
        get("/api/docs/{*rest}", PUBLIC),
        get("/api/schema/framework-v1.json", PUBLIC),
        // One's own account: people in a browser, not tokens.
        get("/account/password", [SIGN_IN, OK, OK, OK, OK, NO, NO]).admin_tokens([NO, NO, NO]),
        // A wrong current password: judged (422) only for those who may change one.
        post(
            "/account/password",
            [SIGN_IN, code(422), code(422), code(422), code(422), NO, NO],
        )
        .admin_tokens([NO, NO, NO])
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
        get("/admin", ADMIN_PAGE),
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
        post(
            "/admin/tokens",
            [SIGN_IN, NO, NO, NO, code(201), NO, NO],
        )
        .admin_tokens([code(201), NO, NO])
        .form(&[("name", "mine by form"), ("scope", "api"), ("owner", "me")]),
        post("/admin/tokens/{id}/revoke", ADMIN_PAGE).of(Token),
        get("/api/v1/tokens", ADMIN_API),
        post(
            "/api/v1/tokens",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(serde_json::json!({ "name": "made by api", "scope": "api" })),
        // A personal token: anyone who is a person makes one for themselves; a token with no person
        // behind it has nobody to give it.
        post(
            "/api/v1/tokens",
            [UNAUTH, code(201), code(201), code(201), code(201), NO, NO],
        )
        .admin_tokens([code(201), NO, NO])
        .json(serde_json::json!({ "name": "mine", "scope": "api", "personal": true })),
        // Naming someone else for a token is refused to everyone who may make one.
        post(
            "/api/v1/tokens",
            [UNAUTH, code(422), code(422), code(422), code(422), code(422), NO],
        )
        .json(serde_json::json!({ "name": "as Noor", "scope": "api", "user": "noor@demo.trellis.test" })),
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
    ];
    // The areas' rows: growth (check-ins, evidence, readiness, plans, 1:1s, the team view,
    // nominations) and the rollout (self-check, roadmap, pilot, surveys, dashboard).
    rows.extend(area_rows());
    rows.extend(vec![
        // What changes the draft or the versions for good, last.
        post("/draft/discard", ADMIN_PAGE),
        post("/draft/tracks/{track}/rows/{competency}/remove", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/levels/{level}/remove", ADMIN_FORM).empty_form(),
        post("/draft/tracks/{track}/remove", ADMIN_FORM).empty_form(),
        post("/draft/competencies/{key}/remove", ADMIN_FORM).empty_form(),
        post("/draft/categories/{key}/remove", ADMIN_FORM).empty_form(),
        post("/draft/grades/{key}/remove", ADMIN_FORM).empty_form(),
    ]);
    // Signing out ends the session the rest of the table would use: the very last row.
    rows.push(post("/logout", [code(303); 7]));
    rows
}

/// The rows of each area, in the order the areas were built. Each area's rows act on the objects
/// its `access_objects` made, or on throwaway ones, so that they run in any order.
fn area_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    // The KPI dashboard: the organisation's figures for admins and organisation tokens; a manager's
    // for their reporting line, but Mia's (Noor and Ola) is smaller than the anonymity threshold,
    // so she is refused with 422; people without reports get 403.
    // Below the anonymity threshold the page explains why it shows no figures; the download refuses.
    const DASHBOARD_PAGE: Row7 = [SIGN_IN, NO, OK, NO, OK, OK, NO];
    const DASHBOARD_CSV: Row7 = [SIGN_IN, NO, code(422), NO, OK, OK, NO];
    const DASHBOARD_API: Row7 = [UNAUTH, NO, code(422), NO, OK, OK, NO];
    rows.extend(vec![
        get("/dashboard", DASHBOARD_PAGE),
        get("/dashboard.csv", DASHBOARD_CSV),
        get("/api/v1/dashboard", DASHBOARD_API),
        get("/api/v1/dashboard.csv", DASHBOARD_API),
    ]);
    // Check-ins: private to Ola, her chain (Noor, and Mia above her) and admins. The two sides
    // (Ola, her chain) start and rate them; admins and organisation tokens read them but take no
    // side; whoever started one (Ola) or an admin cancels it. Writes act on Ola's check-ins made
    // by `checkins::access_objects`, a throwaway one for each row that shares or cancels for good.
    const CHECKIN_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, OK, OK, NO];
    const CHECKIN_API: Row7 = [UNAUTH, HIDDEN, OK, OK, OK, OK, NO];
    const CHECKIN_SIDES_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, NO, NO, NO];
    const CHECKIN_SIDES_API: Row7 = [UNAUTH, HIDDEN, OK, OK, NO, NO, NO];
    const CHECKIN_CANCEL_PAGE: Row7 = [SIGN_IN, HIDDEN, NO, OK, OK, OK, NO];
    const CHECKIN_CANCEL_API: Row7 = [UNAUTH, HIDDEN, NO, OK, OK, OK, NO];
    let checkin = || Subject::Object("checkin");
    let one_rating = || serde_json::json!({ "ratings": { "ownership": { "rating": "meets" } } });
    rows.extend(vec![
        get("/people/{id}/checkins", CHECKIN_PAGE).of(Subject::Ola),
        get(
            "/people/{id}/checkins",
            [SIGN_IN, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(Subject::Noor),
        get(
            "/people/{id}/checkins",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Subject::Pat),
        get("/people/{id}/checkins", PAGE_MISSING).of(Subject::Missing),
        get("/api/v1/people/{id}/checkins", CHECKIN_API).of(Subject::Ola),
        get(
            "/api/v1/people/{id}/checkins",
            [UNAUTH, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Subject::Pat),
        get("/api/v1/people/{id}/checkins", API_MISSING).of(Subject::Missing),
        get("/checkins/{id}", CHECKIN_PAGE).of(checkin()),
        get("/checkins/{id}", PAGE_MISSING).of(Subject::Missing),
        get("/api/v1/checkins/{id}", CHECKIN_API).of(checkin()),
        get("/api/v1/checkins/{id}", API_MISSING).of(Subject::Missing),
        post("/people/{id}/checkins", CHECKIN_SIDES_PAGE)
            .of(Subject::Ola)
            .form(&[("target", "software-engineering/principal")]),
        post(
            "/people/{id}/checkins",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, NO, NO, NO],
        )
        .of(Subject::Pat)
        .form(&[("target", "software-engineering/principal")]),
        post(
            "/api/v1/people/{id}/checkins",
            [UNAUTH, HIDDEN, code(201), code(201), NO, NO, NO],
        )
        .of(Subject::Ola)
        .json(serde_json::json!({ "track": "customer-success", "level": "csm" })),
        post("/checkins/{id}/rating", CHECKIN_SIDES_PAGE)
            .of(checkin())
            .form(&[
                ("competency", "ownership"),
                ("rating-ownership", "meets"),
                ("comment-ownership", "Checked by the access matrix"),
            ]),
        post("/checkins/{id}/ratings", CHECKIN_SIDES_PAGE)
            .of(checkin())
            .form(&[("rating-ownership", "meets")]),
        post("/checkins/{id}", CHECKIN_SIDES_PAGE)
            .of(checkin())
            .form(&[("rating-ownership", "meets"), ("intent", "save")]),
        put(
            "/api/v1/checkins/{id}/self-ratings",
            [UNAUTH, HIDDEN, NO, OK, NO, NO, NO],
        )
        .of(checkin())
        .json(one_rating()),
        put(
            "/api/v1/checkins/{id}/manager-ratings",
            [UNAUTH, HIDDEN, OK, NO, NO, NO, NO],
        )
        .of(checkin())
        .json(one_rating()),
        post("/checkins/{id}/share", CHECKIN_SIDES_PAGE).of(Subject::Object("checkin-share-web")),
        post("/api/v1/checkins/{id}/share", CHECKIN_SIDES_API)
            .of(Subject::Object("checkin-share-api")),
        post("/checkins/{id}/agreed", CHECKIN_SIDES_PAGE)
            .of(Subject::Object("checkin-review"))
            .form(&[
                ("competency", "ownership"),
                ("rating", "exceeds"),
                ("reason", ""),
            ]),
        patch("/api/v1/checkins/{id}/agreed-ratings", CHECKIN_SIDES_API)
            .of(Subject::Object("checkin-review"))
            .json(serde_json::json!({ "ratings": { "teamwork": { "rating": "meets" } } })),
        post("/checkins/{id}/confirm", CHECKIN_SIDES_PAGE).of(Subject::Object("checkin-review")),
        post("/api/v1/checkins/{id}/confirm", CHECKIN_SIDES_API)
            .of(Subject::Object("checkin-review")),
        post("/checkins/{id}/cancel", CHECKIN_CANCEL_PAGE)
            .of(Subject::Object("checkin-cancel-web")),
        post("/api/v1/checkins/{id}/cancel", CHECKIN_CANCEL_API)
            .of(Subject::Object("checkin-cancel-api")),
    ]);
    // The rollout (readiness self-check, roadmap, pilot): the People team's, in pages and the API.
    // Edits act on `rollout::access_objects`' items, a throwaway one for each removal; the pilot
    // rows keep the Grow features open to everyone, so that later rows are not affected.
    const ROLLOUT_SELF_CHECK: &[(&str, &str)] = &[
        ("competencies", "yes"),
        ("levels", "defined"),
        ("tracks", "no"),
        ("benefit_development", "4"),
        ("benefit_culture", "3"),
        ("benefit_recruiting", "3"),
        ("benefit_roadmaps", "5"),
        ("benefit_reviews", "2"),
        ("benefit_retention", "4"),
        ("top_benefit", "roadmaps"),
        ("why", "People ask what comes next."),
        ("stage", "development"),
    ];
    let roadmap_item = || Subject::Object("roadmap_item");
    let rollout_self_check = || {
        serde_json::json!({
            "competencies_defined": true, "levels": "flat", "tracks_exist": false,
            "benefits": { "development": 4, "culture": 3, "recruiting": 3, "roadmaps": 5,
                          "reviews": 2, "retention": 4 },
            "top_benefit": "roadmaps", "top_benefit_why": "People ask what comes next.",
            "stage": "planning"
        })
    };
    rows.extend(vec![
        get("/admin/rollout", ADMIN_PAGE),
        get("/admin/rollout/self-check", ADMIN_PAGE),
        post("/admin/rollout/self-check", ADMIN_PAGE).form(ROLLOUT_SELF_CHECK),
        get("/admin/rollout/self-check/compare", ADMIN_PAGE),
        get("/admin/rollout/self-check/{id}", ADMIN_PAGE).of(Subject::Object("self_check")),
        get(
            "/admin/rollout/self-check/{id}",
            [SIGN_IN, NO, NO, NO, HIDDEN, HIDDEN, NO],
        )
        .of(Subject::Missing),
        get("/admin/rollout/roadmap", ADMIN_PAGE),
        get("/admin/rollout/roadmap.csv", ADMIN_PAGE),
        get("/admin/rollout/roadmap/print", ADMIN_PAGE),
        post("/admin/rollout/roadmap/stages/{stage}", ADMIN_PAGE).form(&[
            ("status", "in_progress"),
            ("starts_on", "2030-01-01"),
            ("ends_on", "2030-02-01"),
        ]),
        post("/admin/rollout/roadmap/stages/{stage}/items", ADMIN_PAGE)
            .form(&[("title", "Added by the access matrix")]),
        post("/admin/rollout/roadmap/items/{id}", ADMIN_PAGE)
            .of(roadmap_item())
            .form(&[("title", "Renamed by the access matrix")]),
        post("/admin/rollout/roadmap/items/{id}/move", ADMIN_PAGE)
            .of(roadmap_item())
            .form(&[("direction", "up")]),
        post("/admin/rollout/roadmap/items/{id}/tick", ADMIN_PAGE)
            .of(roadmap_item())
            .form(&[("done", "1")]),
        post("/admin/rollout/roadmap/items/{id}/tick", PAGE_MISSING_WRITE)
            .of(Subject::Missing)
            .form(&[("done", "1")]),
        post("/admin/rollout/roadmap/items/{id}/remove", ADMIN_PAGE)
            .of(Subject::Object("roadmap_item_removed")),
        get("/admin/rollout/pilot", ADMIN_PAGE),
        post("/admin/rollout/pilot", ADMIN_PAGE).form(&[("audience", "everyone"), ("teams", "")]),
        post("/admin/rollout/pilot/release", ADMIN_PAGE),
        get("/api/v1/rollout/self-checks", ADMIN_API),
        post(
            "/api/v1/rollout/self-checks",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(rollout_self_check()),
        get("/api/v1/rollout/self-checks/latest", ADMIN_API),
        get("/api/v1/rollout/roadmap", ADMIN_API),
        get("/api/v1/rollout/roadmap.csv", ADMIN_API),
        put("/api/v1/rollout/roadmap/stages/{stage}", ADMIN_API)
            .json(serde_json::json!({ "status": "in_progress" })),
        post(
            "/api/v1/rollout/roadmap/stages/{stage}/items",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(serde_json::json!({ "title": "Added by the access matrix" })),
        put("/api/v1/rollout/roadmap/items/{id}", ADMIN_API)
            .of(roadmap_item())
            .json(serde_json::json!({ "title": "Renamed by the access matrix" })),
        post("/api/v1/rollout/roadmap/items/{id}/move", ADMIN_API)
            .of(roadmap_item())
            .json(serde_json::json!({ "direction": "down" })),
        post("/api/v1/rollout/roadmap/items/{id}/tick", ADMIN_API)
            .of(roadmap_item())
            .json(serde_json::json!({ "done": false })),
        delete("/api/v1/rollout/roadmap/items/{id}", ADMIN_API)
            .of(Subject::Object("roadmap_item_deleted")),
        delete("/api/v1/rollout/roadmap/items/{id}", API_MISSING_WRITE).of(Subject::Missing),
        get("/api/v1/rollout/pilot", ADMIN_API),
        put("/api/v1/rollout/pilot", ADMIN_API)
            .json(serde_json::json!({ "audience": "everyone", "team_ids": [] })),
    ]);
    // Home, team view, nominations and growth records (issue 4). A home and a team are one's own
    // (anyone signed in has one; an organisation token acts for nobody: 404). Nominations, made by
    // Mia (`nominations::access_objects`): Ola's pending one is hidden from her and from peers,
    // her approved one is hers to read; the People team decides (declining, so that no position
    // changes), the nominator withdraws, and only then, in table order, Mia nominates Ola and Noor
    // again (one nomination waits per person). Growth records follow Ola's private records.
    const OWN_PAGE: Row7 = [SIGN_IN, OK, OK, OK, OK, HIDDEN, NO];
    const OWN_API: Row7 = [UNAUTH, OK, OK, OK, OK, HIDDEN, NO];
    const PRIVATE_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, OK, OK, NO];
    const PRIVATE_API: Row7 = [UNAUTH, HIDDEN, OK, OK, OK, OK, NO];
    const DECIDE_PAGE: Row7 = [SIGN_IN, HIDDEN, NO, HIDDEN, OK, OK, NO];
    const DECIDE_API: Row7 = [UNAUTH, HIDDEN, NO, HIDDEN, OK, OK, NO];
    const WITHDRAW_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, HIDDEN, NO, NO, NO];
    const WITHDRAW_API: Row7 = [UNAUTH, HIDDEN, OK, HIDDEN, NO, NO, NO];
    let pending = || Subject::Object("nomination");
    let approved = || Subject::Object("nomination-approved");
    let noors = || Subject::Object("nomination-noor");
    rows.extend(vec![
        get("/home", OWN_PAGE),
        get("/api/v1/me/home", OWN_API),
        get("/team", OWN_PAGE),
        get("/api/v1/team", OWN_API),
        get("/nominations", PAGE),
        get("/api/v1/nominations", API),
        get(
            "/nominations/{id}",
            [SIGN_IN, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(pending()),
        get(
            "/api/v1/nominations/{id}",
            [UNAUTH, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(pending()),
        get("/nominations/{id}", PRIVATE_PAGE).of(approved()),
        get("/api/v1/nominations/{id}", PRIVATE_API).of(approved()),
        get(
            "/people/{id}/nominations/new",
            [SIGN_IN, HIDDEN, OK, HIDDEN, NO, NO, NO],
        )
        .of(Subject::Noor),
        get(
            "/people/{id}/nominations/new",
            [SIGN_IN, HIDDEN, OK, NO, NO, NO, NO],
        )
        .of(Subject::Ola),
        post("/nominations/{id}/decision", DECIDE_PAGE)
            .of(pending())
            .form(&[("decision", "decline"), ("note", "Not yet")]),
        post("/api/v1/nominations/{id}/decision", DECIDE_API)
            .of(noors())
            .json(serde_json::json!({ "decision": "decline", "note": "Not yet" })),
        post("/nominations/{id}/withdraw", WITHDRAW_PAGE).of(pending()),
        post("/api/v1/nominations/{id}/withdraw", WITHDRAW_API).of(noors()),
        post(
            "/people/{id}/nominations",
            [SIGN_IN, HIDDEN, OK, NO, NO, NO, NO],
        )
        .of(Subject::Ola)
        .form(&[
            ("position", "software-engineering/se2"),
            ("effective_on", ""),
            ("case_text", "Checked by the access matrix"),
        ]),
        post(
            "/api/v1/people/{id}/nominations",
            [UNAUTH, HIDDEN, code(201), HIDDEN, NO, NO, NO],
        )
        .of(Subject::Noor)
        .json(serde_json::json!({
            "track": "software-engineering", "level": "principal",
            "case_text": "Checked by the access matrix"
        })),
        get("/people/{id}/growth-record", PRIVATE_PAGE).of(Subject::Ola),
        get("/people/{id}/growth-record.json", PRIVATE_PAGE).of(Subject::Ola),
        get("/api/v1/people/{id}/growth-record", PRIVATE_API).of(Subject::Ola),
        get(
            "/people/{id}/growth-record",
            [SIGN_IN, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(Subject::Noor),
        get(
            "/api/v1/people/{id}/growth-record",
            [UNAUTH, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Subject::Pat),
        get("/people/{id}/growth-record.json", PAGE_MISSING).of(Subject::Missing),
        get("/api/v1/people/{id}/growth-record", API_MISSING).of(Subject::Missing),
    ]);
    // Pulse surveys: the People team makes, opens, closes and removes them; everyone with an
    // account answers the open one once (a token without a person has nothing to answer); results
    // and the trend are for admins (and managers, for teams wholly below them: Mia has none, as
    // Platform also holds herself and Pat). Objects from `surveys::access_objects`.
    let survey = |name: &'static str| Subject::Object(name);
    const ANSWER_PAGE: Row7 = [SIGN_IN, OK, OK, OK, OK, NO, NO];
    const ANSWER_API: Row7 = [UNAUTH, code(204), code(204), code(204), code(204), NO, NO];
    rows.extend(vec![
        get("/surveys", PAGE),
        get("/api/v1/surveys/open", API),
        get("/surveys/{id}", ANSWER_PAGE).of(survey("survey_open")),
        get(
            "/surveys/{id}",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO, NO],
        )
        .of(Subject::Missing),
        post("/surveys/{id}", ANSWER_PAGE)
            .of(survey("survey_open"))
            .empty_form(),
        post("/api/v1/surveys/{id}/responses", ANSWER_API)
            .of(survey("survey_open_api"))
            .json(serde_json::json!({ "answers": {} })),
        get("/admin/surveys", ADMIN_PAGE),
        get("/admin/surveys/new", ADMIN_PAGE),
        post("/admin/surveys", ADMIN_PAGE).form(&[
            ("template", "career-tracks-pulse"),
            ("title", "Made by the access matrix"),
            ("audience", "everyone"),
        ]),
        get("/admin/surveys/{id}", ADMIN_PAGE).of(survey("survey_scheduled")),
        get("/admin/surveys/{id}", PAGE_MISSING_WRITE).of(Subject::Missing),
        post("/admin/surveys/{id}", ADMIN_PAGE)
            .of(survey("survey_scheduled"))
            .form(&[("title", "Renamed by the access matrix"), ("intro", "")]),
        post("/admin/surveys/{id}/questions", ADMIN_PAGE)
            .of(survey("survey_scheduled"))
            .form(&[("kind", "scale"), ("prompt", "Added by the access matrix")]),
        post("/admin/survey-questions/{id}", ADMIN_PAGE)
            .of(survey("survey_question"))
            .form(&[("kind", "text"), ("prompt", "Changed by the access matrix")]),
        post("/admin/survey-questions/{id}/move", ADMIN_PAGE)
            .of(survey("survey_question"))
            .form(&[("direction", "down")]),
        post("/admin/survey-questions/{id}/remove", ADMIN_PAGE)
            .of(survey("survey_question_to_remove")),
        post("/admin/surveys/{id}/open", ADMIN_PAGE).of(survey("survey_to_open")),
        post("/admin/surveys/{id}/close", ADMIN_PAGE).of(survey("survey_to_close")),
        get("/admin/surveys/{id}/results", ADMIN_PAGE).of(survey("survey_closed")),
        post("/admin/surveys/{id}/remove", ADMIN_PAGE).of(survey("survey_to_remove")),
        get("/api/v1/surveys", ADMIN_API),
        post(
            "/api/v1/surveys",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(serde_json::json!({ "title": "Made by the API" })),
        get("/api/v1/surveys/trend", ADMIN_API),
        get("/api/v1/surveys/{id}", ADMIN_API).of(survey("survey_scheduled")),
        get("/api/v1/surveys/{id}", API_MISSING_WRITE).of(Subject::Missing),
        put("/api/v1/surveys/{id}", ADMIN_API)
            .of(survey("survey_scheduled"))
            .json(serde_json::json!({ "title": "Renamed by the API" })),
        put("/api/v1/surveys/{id}/questions", ADMIN_API)
            .of(survey("survey_scheduled"))
            .json(serde_json::json!([{ "kind": "scale", "prompt": "Replaced by the API" }])),
        post("/api/v1/surveys/{id}/open", ADMIN_API).of(survey("survey_to_open_api")),
        post("/api/v1/surveys/{id}/close", ADMIN_API).of(survey("survey_to_close_api")),
        get("/api/v1/surveys/{id}/results", ADMIN_API).of(survey("survey_closed")),
        delete(
            "/api/v1/surveys/{id}",
            [UNAUTH, NO, NO, NO, code(204), code(204), NO],
        )
        .of(survey("survey_to_remove_api")),
    ]);
    // Check-in rounds: followed by admins (every round) and managers (the rounds that ask someone
    // below them: Mia, for the Software Engineering round, which asks Noor and Ola); people without
    // reports are refused the list and get 404 for a round. A manager starts rounds for their own
    // line only (a track is refused); a round is closed by whoever started it (Mia's line rounds)
    // or an admin. Rows act on the rounds made by `checkin_rounds::access_objects`.
    const ROUNDS_PAGE: Row7 = [SIGN_IN, NO, OK, NO, OK, OK, NO];
    const ROUNDS_API: Row7 = [UNAUTH, NO, OK, NO, OK, OK, NO];
    const ROUND_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, HIDDEN, OK, OK, NO];
    const ROUND_API: Row7 = [UNAUTH, HIDDEN, OK, HIDDEN, OK, OK, NO];
    const ROUND_FORM: &[(&str, &str)] = &[
        ("name", "Made in the browser"),
        ("due_on", "2099-12-31"),
        ("scope", "track"),
        ("track", "software-engineering"),
    ];
    let round = |name: &'static str| Subject::Object(name);
    rows.extend(vec![
        get("/checkin-rounds", ROUNDS_PAGE),
        post("/checkin-rounds", [SIGN_IN, NO, NO, NO, OK, OK, NO]).form(ROUND_FORM),
        get("/api/v1/checkin-rounds", ROUNDS_API),
        post(
            "/api/v1/checkin-rounds",
            [UNAUTH, NO, NO, NO, code(201), code(201), NO],
        )
        .json(
            serde_json::json!({ "name": "Made by the API", "due_on": "2099-12-31",
                                  "scope": "track", "track": "software-engineering" }),
        ),
        get("/checkin-rounds/{id}", ROUND_PAGE).of(round("round")),
        get("/checkin-rounds/{id}", PAGE_MISSING).of(Subject::Missing),
        get("/api/v1/checkin-rounds/{id}", ROUND_API).of(round("round")),
        get("/api/v1/checkin-rounds/{id}", API_MISSING).of(Subject::Missing),
        post("/checkin-rounds/{id}/close", ROUND_PAGE).of(round("round-close-web")),
        post(
            "/checkin-rounds/{id}/close",
            [SIGN_IN, HIDDEN, NO, HIDDEN, OK, OK, NO],
        )
        .of(round("round-admin-close")),
        post("/api/v1/checkin-rounds/{id}/close", ROUND_API).of(round("round-close-api")),
    ]);
    // Development plans and 1:1s (see `plan_rows` and `one_on_one_rows`).
    rows.extend(plan_rows());
    rows.extend(one_on_one_rows());
    rows.extend(evidence_readiness_rows());
    rows.extend(bulk_rows());
    rows
}

/// The objects each area makes for its rows, by name.
async fn area_objects(
    app: &TestApp,
    org: &Organisation,
) -> std::collections::HashMap<&'static str, i64> {
    let mut objects = std::collections::HashMap::new();
    // Check-ins.
    objects.extend(crate::checkins::access_objects(app, org).await);
    // Check-in rounds.
    objects.extend(crate::checkin_rounds::access_objects(app, org).await);
    // Pulse surveys.
    objects.extend(crate::surveys::access_objects(app, org).await);
    // Nominations.
    objects.extend(crate::nominations::access_objects(app, org).await);
    // The rollout.
    objects.extend(crate::rollout::access_objects(app, org).await);
    // Development plans and 1:1s.
    objects.extend(crate::plans::access_objects(app, org).await);
    objects.extend(crate::one_on_ones::access_objects(app, org).await);
    // Evidence.
    objects.extend(crate::evidence::access_objects(app, org).await);
    // Bulk actions.
    objects.extend(crate::bulk::access_objects(app, org).await);
    objects
}

/// Bulk actions: inviting many people at once is the People team's; 1:1s with a whole team are
/// set up by its manager (Mia for her own team), or by an admin for any manager (Noor's team). A
/// JSON body's or form's `{id}` is the row's subject.
fn bulk_rows() -> Vec<Row> {
    use Subject::{Missing, Noor, Object, Ola};
    const TEAM_FORM: &[(&str, &str)] = &[("cadence_days", "14"), ("first_on", "")];
    const OWN_TEAM: Row7 = [SIGN_IN, NO, OK, NO, OK, OK, NO];
    const OTHERS_TEAM: Row7 = [SIGN_IN, NO, NO, NO, OK, OK, NO];
    const OWN_TEAM_API: Row7 = [UNAUTH, NO, OK, NO, OK, OK, NO];
    const OTHERS_TEAM_API: Row7 = [UNAUTH, NO, NO, NO, OK, OK, NO];
    let mia = || Object("team_manager");
    vec![
        post("/people/invitations", ADMIN_PAGE)
            .of(Ola)
            .form(&[("scope", "selected"), ("person", "{id}")]),
        post("/api/v1/people/invitations", ADMIN_API)
            .of(Ola)
            .json(serde_json::json!({ "people": ["{id}"] })),
        get("/people/{id}/one-on-ones/team", OWN_TEAM).of(mia()),
        get("/people/{id}/one-on-ones/team", OTHERS_TEAM).of(Noor),
        get(
            "/people/{id}/one-on-ones/team",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO],
        )
        .of(Missing),
        post("/people/{id}/one-on-ones/team", OWN_TEAM)
            .of(mia())
            .form(TEAM_FORM),
        post("/people/{id}/one-on-ones/team", OTHERS_TEAM)
            .of(Noor)
            .form(TEAM_FORM),
        post(
            "/people/{id}/one-on-ones/team",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO],
        )
        .of(Missing)
        .form(TEAM_FORM),
        post("/api/v1/people/{id}/one-on-ones/team", OWN_TEAM_API)
            .of(mia())
            .json(serde_json::json!({ "cadence_days": 14 })),
        post("/api/v1/people/{id}/one-on-ones/team", OTHERS_TEAM_API)
            .of(Noor)
            .json(serde_json::json!({ "cadence_days": 14 })),
        post("/api/v1/people/{id}/one-on-ones/team", API_MISSING)
            .of(Missing)
            .json(serde_json::json!({ "cadence_days": 14 })),
    ]
}

/// Development plans: private to Ola, her chain (Noor, and Mia above her) and admins. Ola writes
/// her goals, their actions and progress notes; her chain reads, comments and proposes goals;
/// admins and organisation tokens only read. Rows act on Ola's goal and its actions, made by
/// `plans::access_objects`, a throwaway action for each row that removes one.
fn plan_rows() -> Vec<Row> {
    use Subject::{Missing, Noor, Object, Ola, Pat};
    const READ_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, OK, OK, NO];
    const READ_API: Row7 = [UNAUTH, HIDDEN, OK, OK, OK, OK, NO];
    const CONTRIBUTE_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, NO, NO, NO];
    const CONTRIBUTE_API: Row7 = [UNAUTH, HIDDEN, code(201), code(201), NO, NO, NO];
    const OWNER_PAGE: Row7 = [SIGN_IN, HIDDEN, NO, OK, NO, NO, NO];
    const OWNER_API: Row7 = [UNAUTH, HIDDEN, NO, OK, NO, NO, NO];
    const GOAL_FORM: &[(&str, &str)] = &[
        ("title", "Speak at the engineering guild"),
        ("competency", "communication"),
        ("position", ""),
        ("due_on", ""),
        ("status", "in_progress"),
    ];
    let goal = || Object("goal");
    vec![
        get("/people/{id}/plan", READ_PAGE).of(Ola),
        get("/people/{id}/plan", [SIGN_IN, HIDDEN, OK, HIDDEN, OK, OK, NO]).of(Noor),
        get("/people/{id}/plan", [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO]).of(Pat),
        get("/people/{id}/plan", PAGE_MISSING).of(Missing),
        get("/api/v1/people/{id}/goals", READ_API).of(Ola),
        get(
            "/api/v1/people/{id}/goals",
            [UNAUTH, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Pat),
        get("/api/v1/people/{id}/goals", API_MISSING).of(Missing),
        post("/people/{id}/plan/goals", CONTRIBUTE_PAGE)
            .of(Ola)
            .form(GOAL_FORM),
        post(
            "/people/{id}/plan/goals",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, NO, NO, NO],
        )
        .of(Pat)
        .form(GOAL_FORM),
        post(
            "/people/{id}/plan/goals",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO],
        )
        .of(Missing)
        .form(GOAL_FORM),
        post("/api/v1/people/{id}/goals", CONTRIBUTE_API)
            .of(Ola)
            .json(serde_json::json!({ "title": "Speak at the guild", "competencies": ["communication"] })),
        get("/goals/{id}", READ_PAGE).of(goal()),
        get("/goals/{id}", PAGE_MISSING).of(Missing),
        get("/api/v1/goals/{id}", READ_API).of(goal()),
        get("/api/v1/goals/{id}", API_MISSING).of(Missing),
        post("/goals/{id}", OWNER_PAGE).of(goal()).form(GOAL_FORM),
        patch("/api/v1/goals/{id}", OWNER_API)
            .of(goal())
            .json(serde_json::json!({ "status": "in_progress" })),
        post("/goals/{id}/actions", OWNER_PAGE)
            .of(goal())
            .form(&[("title", "Draft the talk"), ("due_on", "")]),
        post(
            "/api/v1/goals/{id}/actions",
            [UNAUTH, HIDDEN, NO, code(201), NO, NO, NO],
        )
        .of(goal())
        .json(serde_json::json!({ "title": "Rehearse the talk" })),
        post("/goals/{id}/notes", CONTRIBUTE_PAGE)
            .of(goal())
            .form(&[("body", "Going well.")]),
        post("/api/v1/goals/{id}/notes", CONTRIBUTE_API)
            .of(goal())
            .json(serde_json::json!({ "body": "Going well." })),
        post("/goal-actions/{id}/done", OWNER_PAGE)
            .of(Object("goal_action"))
            .form(&[("done", "1")]),
        patch("/api/v1/goal-actions/{id}", OWNER_API)
            .of(Object("goal_action"))
            .json(serde_json::json!({ "done": false })),
        post("/goal-actions/{id}/remove", OWNER_PAGE).of(Object("goal_action_removed_by_page")),
        post("/goals/{id}/delete", OWNER_PAGE).of(Object("goal_deleted_by_page")),
        post("/goals/{id}/delete", PAGE_MISSING).of(Missing),
        delete("/api/v1/goals/{id}", OWNER_API).of(Object("goal_deleted_by_api")),
        delete("/api/v1/goals/{id}", API_MISSING).of(Missing),
        delete("/api/v1/goal-actions/{id}", OWNER_API).of(Object("goal_action_removed_by_api")),
    ]
}

/// 1:1s: Noor (the manager) and Ola (her report) write in their series; Mia, above Noor in Ola's
/// chain, and admins and organisation tokens read its shared content and write nothing; everyone
/// else gets a 404. A series is started by a manager with a direct report or by the report (the
/// rows find the series `one_on_ones::access_objects` made). Completing a meeting comes last: Ola
/// completes hers with Noor, Mia hers with Noor (which Ola may not see).
fn one_on_one_rows() -> Vec<Row> {
    use Subject::{Missing, Noor, Object, Pat};
    const READ_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, OK, OK, NO];
    const READ_API: Row7 = [UNAUTH, HIDDEN, OK, OK, OK, OK, NO];
    const WRITE_PAGE: Row7 = [SIGN_IN, HIDDEN, NO, OK, NO, NO, NO];
    const WRITE_API: Row7 = [UNAUTH, HIDDEN, NO, OK, NO, NO, NO];
    const START_FORM: &[(&str, &str)] = &[("cadence_days", "14"), ("first_on", "")];
    let series = || Object("one_on_one");
    let meeting = || Object("meeting");
    let point = || Object("talking_point");
    let item = || Object("action_item");
    vec![
        get("/one-on-ones", PAGE),
        get("/api/v1/one-on-ones", API),
        post(
            "/people/{id}/one-on-ones",
            [SIGN_IN, NO, OK, OK, NO, NO, NO],
        )
        .of(Noor)
        .form(START_FORM),
        post(
            "/people/{id}/one-on-ones",
            [SIGN_IN, NO, NO, NO, NO, NO, NO],
        )
        .of(Pat)
        .form(START_FORM),
        post(
            "/people/{id}/one-on-ones",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, NO, NO],
        )
        .of(Missing)
        .form(START_FORM),
        post(
            "/api/v1/people/{id}/one-on-ones",
            [UNAUTH, NO, OK, OK, NO, NO, NO],
        )
        .of(Noor)
        .json(serde_json::json!({})),
        get("/one-on-ones/{id}", READ_PAGE).of(series()),
        get("/one-on-ones/{id}", PAGE_MISSING).of(Missing),
        get("/api/v1/one-on-ones/{id}", READ_API).of(series()),
        get("/api/v1/one-on-ones/{id}", API_MISSING).of(Missing),
        get("/one-on-ones/meetings/{id}", READ_PAGE).of(meeting()),
        get("/one-on-ones/meetings/{id}", PAGE_MISSING).of(Missing),
        get("/api/v1/one-on-ones/meetings/{id}", READ_API).of(meeting()),
        post("/one-on-ones/meetings/{id}/talking-points", WRITE_PAGE)
            .of(meeting())
            .form(&[
                ("body", "Conference budget"),
                ("goal", ""),
                ("competency", ""),
            ]),
        post(
            "/api/v1/one-on-ones/meetings/{id}/talking-points",
            [UNAUTH, HIDDEN, NO, code(201), NO, NO, NO],
        )
        .of(meeting())
        .json(serde_json::json!({ "body": "Conference budget" })),
        post("/one-on-ones/talking-points/{id}/move", WRITE_PAGE)
            .of(point())
            .form(&[("direction", "down")]),
        post("/one-on-ones/talking-points/{id}/discussed", WRITE_PAGE)
            .of(point())
            .form(&[("discussed", "1")]),
        patch("/api/v1/one-on-ones/talking-points/{id}", WRITE_API)
            .of(point())
            .json(serde_json::json!({ "discussed": false })),
        post("/one-on-ones/talking-points/{id}/remove", WRITE_PAGE)
            .of(Object("talking_point_removed_by_page")),
        delete("/api/v1/one-on-ones/talking-points/{id}", WRITE_API)
            .of(Object("talking_point_removed_by_api")),
        post("/one-on-ones/meetings/{id}/shared-notes", WRITE_PAGE)
            .of(meeting())
            .form(&[("shared_notes", "We talked about the budget.")]),
        put("/api/v1/one-on-ones/meetings/{id}/shared-notes", WRITE_API)
            .of(meeting())
            .json(serde_json::json!({ "notes": "We talked about the budget." })),
        post("/one-on-ones/meetings/{id}/private-note", WRITE_PAGE)
            .of(meeting())
            .form(&[("private_note", "Ask about the move.")]),
        put("/api/v1/one-on-ones/meetings/{id}/private-note", WRITE_API)
            .of(meeting())
            .json(serde_json::json!({ "body": "Ask about the move." })),
        post("/one-on-ones/meetings/{id}/action-items", WRITE_PAGE)
            .of(meeting())
            .form(&[("title", "Send the budget form"), ("due_on", "")]),
        post(
            "/api/v1/one-on-ones/meetings/{id}/action-items",
            [UNAUTH, HIDDEN, NO, code(201), NO, NO, NO],
        )
        .of(meeting())
        .json(serde_json::json!({ "title": "Send the budget form" })),
        post("/one-on-ones/action-items/{id}/done", WRITE_PAGE)
            .of(item())
            .form(&[("done", "1")]),
        patch("/api/v1/one-on-ones/action-items/{id}", WRITE_API)
            .of(item())
            .json(serde_json::json!({ "done": false })),
        post("/one-on-ones/meetings/{id}/date", WRITE_PAGE)
            .of(meeting())
            .form(&[("scheduled_on", "2030-01-07")]),
        patch("/api/v1/one-on-ones/meetings/{id}", WRITE_API)
            .of(meeting())
            .json(serde_json::json!({ "scheduled_on": "2030-01-14" })),
        post("/one-on-ones/meetings/{id}/complete", WRITE_PAGE).of(meeting()),
        post(
            "/api/v1/one-on-ones/meetings/{id}/complete",
            [UNAUTH, HIDDEN, OK, HIDDEN, NO, NO, NO],
        )
        .of(Object("mia_meeting")),
    ]
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
    /// The objects the areas made, by name (see [`Subject::Object`]).
    objects: std::collections::HashMap<&'static str, i64>,
}

/// The demo plus a small organisation: Mia manages Noor, who manages Ola; Pat is elsewhere.
async fn world() -> World {
    let app = TestApp::demo().await;
    let operator = Actor::command_line();
    let db = app.state.db();
    let org = app.organisation().await;
    let objects = area_objects(&app, &org).await;
    let Organisation { ola, noor, pat, .. } = org;
    let token_id = accounts::issue_api_token(
        db,
        &operator,
        "throwaway",
        "api",
        accounts::TokenOwner::Organisation,
    )
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
        objects,
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
        Role::AdminPersonalToken => admin_token(w, true, "api").await,
        Role::AdminOrgToken => admin_token(w, false, "api").await,
        Role::AdminScimToken => admin_token(w, false, "scim").await,
    }
}

/// A token the admin creates over the API, signed in: their own, or the organisation's.
async fn admin_token(w: &World, personal: bool, scope: &str) -> Credentials {
    let admin = w.app.sign_in(ADMIN).await;
    let res = w
        .app
        .post("/api/v1/tokens")
        .session(&admin)
        .json(&serde_json::json!({ "name": "held by the admin", "scope": scope, "personal": personal }))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    Credentials::Bearer(res.json()["secret"].as_str().expect("a secret").to_owned())
}

impl World {
    /// The row's path with every parameter filled in, and its query.
    /// The id that fills `{id}` in a row's path and payload.
    fn subject_id(&self, row: &Row) -> String {
        match row.subject {
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
            Subject::Object(name) => self
                .objects
                .get(name)
                .unwrap_or_else(|| panic!("no object `{name}` was made for the table"))
                .to_string(),
        }
    }

    fn uri(&self, row: &Row) -> String {
        let id = self.subject_id(row);
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
            .replace("{*rest}", "swagger-ui.css")
            .replace("{secret}", &self.link)
            .replace("{stage}", "planning")
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
        let id = self.subject_id(row);
        let (content_type, body) = match &row.payload {
            Payload::Empty => (None, String::new()),
            Payload::Form(fields) => (
                Some("application/x-www-form-urlencoded".to_owned()),
                fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", enc(k), enc(&v.replace("{id}", &id))))
                    .collect::<Vec<_>>()
                    .join("&"),
            ),
            Payload::Json(v) => (
                Some("application/json".to_owned()),
                v.to_string().replace("\"{id}\"", &id),
            ),
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
    let w = world().await;
    let who = credentials(&w, role).await;
    let mut wrong = Vec::new();
    for row in matrix() {
        let expect = row.expectation(role);
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

#[tokio::test]
async fn an_admins_personal_token_acts_as_the_admin_and_nobody_else() {
    run_as(Role::AdminPersonalToken).await;
}

#[tokio::test]
async fn an_organisation_token_made_by_an_admin_acts_for_no_person() {
    run_as(Role::AdminOrgToken).await;
}

#[tokio::test]
async fn a_scim_token_made_by_an_admin_only_provisions() {
    run_as(Role::AdminScimToken).await;
}

/// The (method, path) of every route the application serves, from the route table its router is
/// built from.
fn served_routes() -> BTreeSet<(String, String)> {
    trellis::routes_served()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path))
        .collect()
}

#[test]
fn every_route_is_in_the_access_matrix() {
    let declared = served_routes();
    assert!(
        declared.contains(&("GET".into(), "/api/v1/people/{id}/positions".into())),
        "the API's routes are listed under /api/v1"
    );
    assert!(
        declared.contains(&("PATCH".into(), "/scim/v2/Users/{id}".into())),
        "SCIM's routes are listed under /scim/v2"
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
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        stale.is_empty(),
        "rows of the access matrix for routes that no longer exist:\n{}",
        stale.join("\n")
    );
}

/// The route table is what the router serves: every path it lists answers 405 (method not allowed)
/// to each method it does not list for that path, so no handler hides behind a listed path (as one
/// would if `routes!` grouped operations of different paths), and each GET it lists is routed.
#[tokio::test]
async fn the_route_table_is_what_the_router_serves() {
    let app = TestApp::empty().await;
    let served = served_routes();
    let paths: BTreeSet<&String> = served.iter().map(|(_, path)| path).collect();
    for path in paths {
        // Any value reaches the route: the method is judged before the parameters are read.
        let mut uri = String::new();
        let mut rest = path.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("a closed parameter") + open;
            uri.push_str(&rest[..open]);
            uri.push('1');
            rest = &rest[close + 1..];
        }
        uri.push_str(rest);
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let listed = served.contains(&(method.to_owned(), path.clone()));
            if listed && method != "GET" {
                continue;
            }
            let req = match method {
                "GET" => app.get(&uri),
                "POST" => app.post(&uri),
                "PUT" => app.put(&uri),
                "PATCH" => app.patch(&uri),
                _ => app.delete(&uri),
            };
            let status = req.send().await.status;
            if listed {
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but not in the route table"
                );
            }
        }
    }
}

/// Evidence and readiness. Evidence is private to Ola, her chain (Noor, and Mia above her) and
/// admins; Ola and her chain add it; only its author (Ola) changes or removes it; a manager in the
/// chain confirms it; Ola asks a colleague to confirm one item, which shows that item to them:
/// the demo's employee was asked about the `evidence_asked`, `evidence_decline` and
/// `evidence_*withdraw` items made by `evidence::access_objects`. Readiness and gaps are private
/// like the rest; the rules and recomputing everyone are the People team's.
fn evidence_readiness_rows() -> Vec<Row> {
    use Subject::{Missing, Noor, Object, Ola, Pat};
    const READ_PAGE: Row7 = [SIGN_IN, HIDDEN, OK, OK, OK, OK, NO];
    const READ_API: Row7 = [UNAUTH, HIDDEN, OK, OK, OK, OK, NO];
    const ASKED_PAGE: Row7 = [SIGN_IN, OK, OK, OK, OK, OK, NO];
    const ASKED_API: Row7 = [UNAUTH, OK, OK, OK, OK, OK, NO];
    const AUTHOR_PAGE: Row7 = [SIGN_IN, HIDDEN, NO, OK, NO, NO, NO];
    const AUTHOR_API: Row7 = [UNAUTH, HIDDEN, NO, OK, NO, NO, NO];
    const ITEM: &[(&str, &str)] = &[
        ("kind", "document"),
        ("title", "Design note for the importer"),
        ("url", "https://docs.example.com/importer"),
        ("happened_on", "2026-01-20"),
        ("note", ""),
        ("competencies", "ownership"),
    ];
    let item = || {
        serde_json::json!({
            "kind": "note", "title": "Ran the incident review", "competencies": ["ownership"]
        })
    };
    let employee = || serde_json::json!({ "email": EMPLOYEE.0 });
    vec![
        // Evidence pages.
        get("/people/{id}/evidence", READ_PAGE).of(Ola),
        get(
            "/people/{id}/evidence",
            [SIGN_IN, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Pat),
        get("/people/{id}/evidence", PAGE_MISSING).of(Missing),
        post(
            "/people/{id}/evidence",
            [SIGN_IN, HIDDEN, OK, OK, NO, NO, NO],
        )
        .of(Ola)
        .form(ITEM),
        get("/evidence/asked", [SIGN_IN, OK, OK, OK, OK, OK, NO]),
        get("/evidence/{id}", READ_PAGE).of(Object("evidence")),
        get("/evidence/{id}", ASKED_PAGE).of(Object("evidence_asked")),
        get("/evidence/{id}", PAGE_MISSING).of(Missing),
        post("/evidence/{id}", AUTHOR_PAGE)
            .of(Object("evidence_edit"))
            .form(ITEM),
        post("/evidence/{id}/remove", AUTHOR_PAGE).of(Object("evidence_remove")),
        post(
            "/evidence/{id}/confirm",
            [SIGN_IN, HIDDEN, OK, NO, NO, NO, NO],
        )
        .of(Object("evidence"))
        .form(&[("comment", "Seen it in review.")]),
        post("/evidence/{id}/confirm", [SIGN_IN, OK, OK, NO, NO, NO, NO])
            .of(Object("evidence_asked"))
            .form(&[("comment", "")]),
        // After the confirmations above: those who confirmed withdraw; the others have nothing
        // to withdraw (409); a token without a person is refused.
        post(
            "/evidence/{id}/unconfirm",
            [SIGN_IN, OK, OK, code(409), code(409), NO, NO],
        )
        .of(Object("evidence_asked")),
        post("/evidence/{id}/decline", [SIGN_IN, OK, NO, NO, NO, NO, NO])
            .of(Object("evidence_decline")),
        post("/evidence/{id}/ask", AUTHOR_PAGE)
            .of(Object("evidence"))
            .form(&[("colleague", "pat@demo.trellis.test")]),
        post("/evidence/{id}/withdraw", [SIGN_IN, NO, NO, OK, NO, NO, NO])
            .of(Object("evidence_withdraw"))
            .form(&[("colleague", EMPLOYEE.0)]),
        // Evidence over the API.
        get("/api/v1/people/{id}/evidence", READ_API).of(Ola),
        get(
            "/api/v1/people/{id}/evidence",
            [UNAUTH, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(Noor),
        get("/api/v1/people/{id}/evidence", API_MISSING).of(Missing),
        post(
            "/api/v1/people/{id}/evidence",
            [UNAUTH, HIDDEN, code(201), code(201), NO, NO, NO],
        )
        .of(Ola)
        .json(item()),
        get("/api/v1/evidence/asked", ASKED_API),
        get("/api/v1/evidence/{id}", READ_API).of(Object("evidence")),
        get("/api/v1/evidence/{id}", ASKED_API).of(Object("evidence_asked")),
        put("/api/v1/evidence/{id}", AUTHOR_API)
            .of(Object("evidence_api_edit"))
            .json(item()),
        delete(
            "/api/v1/evidence/{id}",
            [UNAUTH, HIDDEN, NO, code(204), NO, NO, NO],
        )
        .of(Object("evidence_api_remove")),
        post(
            "/api/v1/evidence/{id}/confirmation",
            [UNAUTH, OK, OK, NO, NO, NO, NO],
        )
        .of(Object("evidence_asked"))
        .json(serde_json::json!({ "comment": "We paired on it." })),
        delete(
            "/api/v1/evidence/{id}/confirmation",
            [UNAUTH, code(204), code(204), code(409), code(409), NO, NO],
        )
        .of(Object("evidence_asked")),
        post(
            "/api/v1/evidence/{id}/decline",
            [UNAUTH, code(204), NO, NO, NO, NO, NO],
        )
        .of(Object("evidence_api_decline")),
        post("/api/v1/evidence/{id}/requests", AUTHOR_API)
            .of(Object("evidence"))
            .json(serde_json::json!({ "email": "noor@demo.trellis.test" })),
        post(
            "/api/v1/evidence/{id}/requests/withdraw",
            [UNAUTH, NO, NO, OK, NO, NO, NO],
        )
        .of(Object("evidence_api_withdraw"))
        .json(employee()),
        // Readiness and gaps.
        get("/people/{id}/readiness", READ_PAGE).of(Ola),
        get(
            "/people/{id}/readiness",
            [SIGN_IN, HIDDEN, OK, HIDDEN, OK, OK, NO],
        )
        .of(Noor),
        get("/people/{id}/readiness", PAGE_MISSING).of(Missing),
        get("/people/{id}/gaps", READ_PAGE).of(Ola),
        get("/people/{id}/gaps", READ_PAGE)
            .of(Ola)
            .query("position=product-management/pm"),
        get("/api/v1/people/{id}/readiness", READ_API).of(Ola),
        get(
            "/api/v1/people/{id}/readiness",
            [UNAUTH, HIDDEN, HIDDEN, HIDDEN, OK, OK, NO],
        )
        .of(Pat),
        get("/api/v1/people/{id}/gaps", READ_API)
            .of(Ola)
            .query("track=software-engineering&level=se2"),
        // The rules and recomputing everyone: the People team's.
        get("/admin/readiness", ADMIN_PAGE),
        post("/admin/readiness/{track}", ADMIN_PAGE).form(&[
            ("next_level_share", "70"),
            ("all_meet_current", "1"),
            ("required", "ownership"),
        ]),
        post("/admin/readiness/{track}/reset", ADMIN_PAGE),
        post("/admin/readiness/recompute", ADMIN_PAGE),
        get("/api/v1/readiness/rules", ADMIN_API),
        put("/api/v1/readiness/rules/{track}", ADMIN_API).json(serde_json::json!({
            "next_level_share": 50, "all_meet_current": false, "required": []
        })),
        delete("/api/v1/readiness/rules/{track}", ADMIN_API),
        post("/api/v1/readiness/recompute", ADMIN_API),
    ]
}
