//! The people directory in the browser: the searchable list, a person's page with their position
//! timeline (for those who may see it), and the People team's forms to add people, change their
//! details and record positions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::BTreeSet;

use serde::Deserialize;

use crate::architecture::framework as framework_service;
use crate::auth::{Actor, policy};
use crate::domain::{PositionKind, Status};
use crate::error::{AppError, AppResult};
use crate::people::directory::{
    self as service, Missing, PeopleFilter, PeoplePage, PersonInput, PersonRecord, PositionInput,
};
use crate::people::invitations;
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission, refusal};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with, urlencode};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people", get(list).post(create))
        .route("/people/new", get(new_person))
        .route("/people/{id}", get(show).post(update))
        .route("/people/{id}/positions", post(record_position))
        .route("/people/{id}/role", post(set_role))
        .route("/people/invitations", post(invite))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    team: Option<String>,
    manager: Option<i64>,
    /// `1`: everyone below the manager, not only direct reports.
    chain: Option<String>,
    /// `1`: everyone below the viewer.
    mine: Option<String>,
    /// `track/level`, or `track/` for any level of a track.
    position: Option<String>,
    status: Option<String>,
    /// `position` or `manager`: only people without one.
    missing: Option<String>,
    page: Option<i64>,
    /// `all`: every person shown starts ticked for inviting.
    select: Option<String>,
}

impl ListQuery {
    fn filter(&self, actor: &Actor) -> Result<PeopleFilter, AppError> {
        let mine = self.mine.as_deref() == Some("1");
        let (track, level) = match self.position.as_deref().filter(|p| !p.is_empty()) {
            None => (None, None),
            Some(p) => match p.split_once('/') {
                Some((t, "")) => (Some(t.to_owned()), None),
                Some((t, l)) => (Some(t.to_owned()), Some(l.to_owned())),
                None => (Some(p.to_owned()), None),
            },
        };
        let status = match self
            .status
            .as_deref()
            .filter(|s| !s.is_empty() && *s != "all")
        {
            None => None,
            Some(s) => Some(Status::parse(s).ok_or_else(|| {
                AppError::invalid_field("status", format!("“{s}” is not a status"))
            })?),
        };
        let missing = match self
            .missing
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            None => None,
            Some(m) => Some(Missing::parse(m).ok_or_else(|| {
                AppError::invalid_field(
                    "missing",
                    format!("“{m}” is not something a person can lack here: position or manager"),
                )
            })?),
        };
        Ok(PeopleFilter {
            search: self.q.clone(),
            team: self.team.clone(),
            manager: if mine { actor.user_id } else { self.manager },
            whole_chain: mine || self.chain.as_deref() == Some("1"),
            track,
            level,
            status,
            missing,
            page: self.page.unwrap_or(1),
        })
    }

    /// The filter as (name, value) pairs, for the hidden fields of the invitation form, which
    /// shows the same list again when it is refused.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        for (name, value) in [
            ("q", &self.q),
            ("team", &self.team),
            ("chain", &self.chain),
            ("mine", &self.mine),
            ("position", &self.position),
            ("status", &self.status),
            ("missing", &self.missing),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((name, v.to_owned()));
            }
        }
        if let Some(m) = self.manager {
            pairs.push(("manager", m.to_string()));
        }
        if let Some(p) = self.page.filter(|p| *p > 1) {
            pairs.push(("page", p.to_string()));
        }
        pairs
    }

    /// The filter kept by the hidden fields of a form.
    fn from_fields(fields: &Fields) -> ListQuery {
        ListQuery {
            q: fields.optional("q"),
            team: fields.optional("team"),
            manager: fields.get("manager").and_then(|m| m.trim().parse().ok()),
            chain: fields.optional("chain"),
            mine: fields.optional("mine"),
            position: fields.optional("position"),
            status: fields.optional("status"),
            missing: fields.optional("missing"),
            page: fields.get("page").and_then(|p| p.trim().parse().ok()),
            select: None,
        }
    }

    /// This list, with its filter and page.
    fn href(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            return "/people".to_owned();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(name, value)| format!("{name}={}", urlencode(value)))
            .collect();
        format!("/people?{}", query.join("&"))
    }

    /// This list with everyone shown ticked, or with nobody ticked.
    fn with_selection(&self, all: bool) -> String {
        let href = self.href();
        match (all, href.contains('?')) {
            (false, _) => href,
            (true, true) => format!("{href}&select=all"),
            (true, false) => format!("{href}?select=all"),
        }
    }

    /// This query on another page, for the pagination links.
    fn on_page(&self, page: i64) -> String {
        let mut parts = vec![format!("page={page}")];
        let mut push = |name: &str, value: &Option<String>| {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{name}={}", urlencode(v)));
            }
        };
        push("q", &self.q);
        push("team", &self.team);
        push("chain", &self.chain);
        push("mine", &self.mine);
        push("position", &self.position);
        push("status", &self.status);
        push("missing", &self.missing);
        if let Some(m) = self.manager {
            parts.push(format!("manager={m}"));
        }
        format!("/people?{}", parts.join("&"))
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    layout: Layout,
    result: PeoplePage,
    q: String,
    team: String,
    teams: std::sync::Arc<Vec<String>>,
    position: String,
    positions: Vec<(String, Vec<Choice>)>,
    status: String,
    /// `position`, `manager` or empty.
    missing: String,
    my_team: bool,
    /// The viewer has an account (an organisation token has no team of its own).
    has_account: bool,
    previous: Option<String>,
    next: Option<String>,
    /// The viewer may invite people: the list has a box to tick on each line.
    can_invite: bool,
    /// The people ticked.
    selected: BTreeSet<i64>,
    /// The list with everyone shown ticked, and with nobody ticked.
    select_all_href: String,
    clear_href: String,
    /// The filter, kept by the invitation form.
    filter_fields: Vec<(&'static str, String)>,
    /// Why the invitation form was refused.
    invite_errors: Vec<String>,
    most_invited: usize,
}

impl ListPage {
    fn is_selected(&self, id: &i64) -> bool {
        self.selected.contains(id)
    }
}

/// The positions of the published framework, grouped by track, as `track/level` choices.
async fn position_choices(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, Vec<Choice>)>, AppError> {
    let published = framework_service::published(state, actor).await?;
    Ok(published
        .map(|p| {
            p.framework
                .tracks
                .iter()
                .map(|t| {
                    let mut levels = vec![Choice::new(
                        format!("{}/", t.key),
                        format!("Any level of {}", t.name),
                    )];
                    levels.extend(
                        t.levels
                            .iter()
                            .map(|l| Choice::new(format!("{}/{}", t.key, l.key), l.title.clone())),
                    );
                    (t.name.clone(), levels)
                })
                .collect()
        })
        .unwrap_or_default())
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render_list(&state, &actor, &q, None, Vec::new()).await
}

/// The directory page; `selected` are the people ticked on a refused invitation form (else those
/// the query ticks), and `invite_errors` why it was refused (422).
async fn render_list(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
    selected: Option<BTreeSet<i64>>,
    invite_errors: Vec<String>,
) -> PageResult {
    let filter = q.filter(actor)?;
    let result = service::list(state, actor, &filter).await?;
    let my_team = filter.whole_chain && filter.manager.is_some() && filter.manager == actor.user_id;
    let positions = if policy::filter_people_by_position(actor, my_team) {
        position_choices(state, actor).await?
    } else {
        Vec::new()
    };
    let teams = result.teams.clone();
    let can_invite = policy::manage_accounts(actor).is_ok();
    let selected = selected.unwrap_or_else(|| {
        if can_invite && q.select.as_deref() == Some("all") {
            result.people.iter().map(|p| p.id).collect()
        } else {
            BTreeSet::new()
        }
    });
    let status = if invite_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        layout: Layout::new("People", "people", Some(actor)),
        previous: (result.page > 1).then(|| q.on_page(result.page - 1)),
        next: (result.page < result.pages).then(|| q.on_page(result.page + 1)),
        result,
        q: q.q.clone().unwrap_or_default(),
        team: q.team.clone().unwrap_or_default(),
        teams,
        position: q.position.clone().unwrap_or_default(),
        positions,
        status: q.status.clone().unwrap_or_default(),
        missing: q.missing.clone().unwrap_or_default(),
        my_team,
        has_account: actor.user_id.is_some(),
        can_invite,
        selected,
        select_all_href: q.with_selection(true),
        clear_href: q.with_selection(false),
        filter_fields: q.pairs(),
        invite_errors,
        most_invited: invitations::MAX_PER_REQUEST,
    };
    render_with(status, &page)
}

#[derive(Template)]
#[template(path = "people/invitations.html")]
struct InvitationsPage {
    layout: Layout,
    invited: Vec<InvitedView>,
    skipped: Vec<invitations::Skipped>,
    /// Whether Trellis emails links here.
    mail_configured: bool,
    back: String,
}

/// A person just invited, with their link and whether it was emailed.
struct InvitedView {
    name: String,
    email: String,
    url: String,
    /// `None` without an SMTP server; else whether the email went, or why not.
    mailed: Option<Result<(), String>>,
    expires_at: i64,
}

/// Invites the people ticked on the list, or everyone not invited yet, in one action. With an SMTP
/// server, each link is emailed and the list comes back with a message saying how many were
/// invited and who was skipped and why. Without one (or when an email could not be sent), a page
/// shows the same message and the links, once, for the admin to pass on.
async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    policy::manage_accounts(&actor)?;
    let q = ListQuery::from_fields(&fields);
    let ticked = fields.all("person");
    let ids: Vec<i64> = ticked
        .iter()
        .filter_map(|raw| raw.trim().parse().ok())
        .collect();
    let result = invite_chosen(&state, &actor, &fields, &ids, ticked.len()).await;
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e @ AppError::Invalid { .. }) => {
            let messages = e.field_errors().into_iter().map(|fe| fe.message).collect();
            return render_list(
                &state,
                &actor,
                &q,
                Some(ids.into_iter().collect()),
                messages,
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    let invited = send_invitations(&state, &actor, &outcome.invited).await;
    let all_mailed = invited.iter().all(|i| matches!(i.mailed, Some(Ok(()))));
    let back = q.href();
    if all_mailed {
        let message = invitations::summary(&outcome, "Their invitation links were emailed.");
        return Ok(crate::web::flash::redirect(
            &back,
            message,
            Some(("/admin/accounts", "See who has signed in")),
        ));
    }
    let delivery = if state.mailer().is_some() {
        "Some emails could not be sent: copy those links below and pass them on."
    } else {
        "Copy each link below and pass it on: it is shown only this once."
    };
    let mut layout = Layout::new("Invitations", "people", Some(&actor));
    layout.flash = Some(crate::web::flash::Flash {
        message: crate::text::sentence(&invitations::summary(&outcome, delivery)),
        next: None,
    });
    render_with(
        StatusCode::OK,
        &InvitationsPage {
            layout,
            invited,
            skipped: outcome.skipped,
            mail_configured: state.mailer().is_some(),
            back,
        },
    )
    .map(crate::people::web::account::private)
}

/// Invites the people ticked, or everyone not invited yet when the form says so; ticks that are
/// not ids are refused.
async fn invite_chosen(
    state: &AppState,
    actor: &Actor,
    fields: &Fields,
    ids: &[i64],
    ticked: usize,
) -> AppResult<invitations::Outcome> {
    if ids.len() != ticked {
        return Err(AppError::invalid_field(
            "person",
            "the people ticked were not understood: show the list again and tick them again",
        ));
    }
    let selection = if fields.get("scope") == Some("uninvited") {
        invitations::Selection::NotYetInvited
    } else {
        invitations::Selection::People(ids.to_vec())
    };
    invitations::invite(state.db(), actor, &selection).await
}

/// Emails each invitation link when there is an SMTP server, and keeps each link to show.
async fn send_invitations(
    state: &AppState,
    actor: &Actor,
    links: &[crate::people::accounts::IssuedLink],
) -> Vec<InvitedView> {
    let base_url = &state.config().base_url;
    let mut invited = Vec::with_capacity(links.len());
    for link in links {
        let mailed = match state.mailer() {
            Some(mailer) => Some(
                crate::mail::send_issued(mailer, base_url, link, actor)
                    .await
                    .map(|_| ()),
            ),
            None => None,
        };
        invited.push(InvitedView {
            name: link.name.clone(),
            email: link.email.clone(),
            url: crate::mail::link_url(base_url, &link.secret),
            mailed,
            expires_at: link.expires_at,
        });
    }
    invited
}

#[derive(Template)]
#[template(path = "people/person.html")]
struct PersonPage {
    layout: Layout,
    person: PersonRecord,
    is_admin: bool,
    errors: Vec<ErrorLink>,
    details: FormView,
    position: FormView,
    role: FormView,
    roles: Vec<Choice>,
    positions: Vec<(String, Vec<Choice>)>,
    current_position: String,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    /// Their nominations the viewer may see.
    nominations: Vec<crate::growth::nominations::NominationSummary>,
}

impl PersonPage {
    /// The person's role for the role form, which only admins get (and who see the role).
    fn role_value(&self) -> &'static str {
        self.person.role.map_or("employee", |r| r.as_str())
    }
}

fn kind_choices() -> Vec<Choice> {
    PositionKind::ALL
        .into_iter()
        .map(|k| Choice::new(k.as_str(), k.label()))
        .collect()
}

fn status_choices() -> Vec<Choice> {
    [Status::Active, Status::Left]
        .into_iter()
        .map(|s| {
            Choice::new(
                s.as_str(),
                if s == Status::Active {
                    "Active"
                } else {
                    "Left"
                },
            )
        })
        .collect()
}

async fn person_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let person = service::person(state, actor, id).await?;
    let nominations = crate::growth::nominations::of_person(state, actor, id).await?;
    let manages_people = policy::manage_people(actor).is_ok();
    let positions = if manages_people {
        position_choices(state, actor)
            .await?
            .into_iter()
            .map(|(t, levels)| {
                (
                    t,
                    levels
                        .into_iter()
                        .filter(|c| !c.value.ends_with('/'))
                        .collect(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let current_position = person
        .private
        .as_ref()
        .and_then(|p| p.position.as_ref())
        .map(|p| format!("{}/{}", p.track, p.level))
        .unwrap_or_default();
    let page = PersonPage {
        layout: Layout::new(person.name.clone(), "people", Some(actor)),
        is_admin: manages_people,
        errors: forms.summary(),
        details: forms.form("details"),
        position: forms.form("position"),
        role: forms.form("role"),
        roles: vec![
            Choice::new("employee", "Employee"),
            Choice::new(
                "admin",
                "Admin (People team: edits the framework and manages people)",
            ),
        ],
        positions,
        current_position,
        kinds: kind_choices(),
        statuses: status_choices(),
        nominations,
        person,
    };
    render_with(status, &page)
}

async fn show(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    person_page(&state, &actor, id, Forms::default(), StatusCode::OK).await
}

fn person_input(f: &Fields) -> PersonInput {
    PersonInput {
        email: f.text("email"),
        name: f.text("name"),
        employee_id: f.text("employee_id"),
        team: f.text("team"),
        manager_email: f.text("manager_email"),
        start_date: f.text("start_date"),
        status: f.text("status"),
        left_on: f.text("left_on"),
    }
}

async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    policy::manage_people(&actor)?;
    let current = service::person(&state, &actor, id).await?;
    let mut input = person_input(&fields);
    // The email identifies the person; it is not changed from this form.
    input.email = current.email.clone();
    match service::save_person(state.db(), &actor, &input).await {
        Ok(_) => {
            // Someone marked as left is signed out at once here (the sessions ended with the
            // change); other servers forget them within the actor cache's lifetime.
            state.actors().forget_user(id);
            Ok(crate::web::flash::redirect(
                &format!("/people/{id}"),
                "Your changes to this person were saved.",
                Some(("/people", "Back to the directory")),
            ))
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("details".into(), fields, errors));
            person_page(&state, &actor, id, forms, status).await
        }
    }
}

async fn record_position(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    policy::manage_people(&actor)?;
    let position = fields.text("position");
    let (track, level) = position.split_once('/').unwrap_or((position.as_str(), ""));
    let input = PositionInput {
        track: track.to_owned(),
        level: level.to_owned(),
        effective_on: fields.text("effective_on"),
        kind: fields.text("kind"),
        note: fields.text("note"),
    };
    match service::record_position(&state, &actor, id, &input).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/people/{id}#timeline"),
            "The position was recorded.",
            Some((
                &format!("/people/{id}#timeline"),
                "See their position history",
            )),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "track" || e.field == "level" {
                        e.field = "position".into();
                    }
                    e
                })
                .collect();
            let forms = Forms::refused(Submission::new("position".into(), fields, errors));
            person_page(&state, &actor, id, forms, status).await
        }
    }
}

async fn set_role(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    policy::manage_people(&actor)?;
    let role = crate::auth::Role::parse(&fields.text("role"))
        .ok_or_else(|| AppError::invalid_field("role", "choose admin or employee"));
    let result = match role {
        Ok(role) => service::set_role(&state, &actor, id, role).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/people/{id}#role"),
            "Their role was changed.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("role".into(), fields, errors));
            person_page(&state, &actor, id, forms, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "people/new.html")]
struct NewPage {
    layout: Layout,
    errors: Vec<ErrorLink>,
    details: FormView,
    statuses: Vec<Choice>,
}

async fn new_person(actor: Actor) -> PageResult {
    policy::manage_people(&actor)?;
    render_with(
        StatusCode::OK,
        &NewPage {
            layout: Layout::new("Add a person", "people", Some(&actor)),
            errors: Vec::new(),
            details: Forms::default().form("details"),
            statuses: status_choices(),
        },
    )
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    policy::manage_people(&actor)?;
    match service::create_person(state.db(), &actor, &person_input(&fields)).await {
        Ok(id) => Ok(crate::web::flash::redirect(
            &format!("/people/{id}"),
            "The person was added to the directory.",
            Some(("/admin/accounts", "Invite them to sign in")),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("details".into(), fields, errors));
            render_with(
                status,
                &NewPage {
                    layout: Layout::new("Add a person", "people", Some(&actor)),
                    errors: forms.summary(),
                    details: forms.form("details"),
                    statuses: status_choices(),
                },
            )
        }
    }
}
