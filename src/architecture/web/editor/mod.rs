//! The framework editor (admins): the draft's home page with its tracks, the competency library, and
//! each track with its levels, rows and matrix, whose cells are edited in place with htmx.
//!
//! Every change is one [`Edit`] sent through [`service::apply_edit`] by [`Editor::submit`], the one
//! way a form of the editor is handled. A plain form submission gets a 303 back to where the form
//! was; a refused one gets the page again (422) with the form as it was sent and each message next to
//! its field. htmx requests (the matrix cells) get fragments instead of pages. Who may edit is for the
//! service to decide: every page and form starts by reading the draft, which non-admins may not.

mod cells;
mod home;
mod library;
mod track;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect};
use trellis_framework::edit::{Edit, EditError};
use trellis_framework::{Framework, Key};

pub use self::home::{Checks, checks};
use crate::architecture::framework::{self as service, Draft};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::forms::{Choice, Fields, Forms, Step, Submission};
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(home::routes())
        .merge(library::routes())
        .merge(track::routes())
        .merge(cells::routes())
}

/// What every editor handler needs: the state, who is editing, and whether htmx sent the request
/// (then the answer is a fragment of the page rather than the page).
pub struct Editor {
    state: AppState,
    actor: Actor,
    htmx: bool,
}

impl FromRequestParts<AppState> for Editor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let actor = Actor::from_request_parts(parts, state).await?;
        let htmx = parts
            .headers
            .get("hx-request")
            .is_some_and(|v| v.as_bytes() == b"true");
        Ok(Editor {
            state: state.clone(),
            actor,
            htmx,
        })
    }
}

/// A cell of a track's matrix.
#[derive(Clone)]
pub struct CellAt {
    pub track: Key,
    pub level: Key,
    pub competency: Key,
}

impl CellAt {
    /// The id of the cell's element in the matrix, and of its form.
    pub fn dom_id(&self) -> String {
        format!("cell-{}-{}", self.level, self.competency)
    }
}

/// The page a form lives on: shown again when the form's edit is refused.
pub enum Place {
    Home,
    Library,
    Track(Key),
    Cell(CellAt),
}

impl Place {
    fn url(&self) -> String {
        match self {
            Place::Home => "/draft".to_owned(),
            Place::Library => "/draft/library".to_owned(),
            Place::Track(track) => format!("/draft/tracks/{track}"),
            Place::Cell(cell) => format!("/draft/tracks/{}", cell.track),
        }
    }
}

/// A form: its page, its id (also the id of the element around it), and where a successful plain
/// submission goes (the form itself unless told otherwise).
pub struct At {
    place: Place,
    form: String,
    then: Option<String>,
}

impl At {
    pub fn new(place: Place, form: impl Into<String>) -> At {
        At {
            place,
            form: form.into(),
            then: None,
        }
    }

    /// Goes to another element of the same page after success: the list, after a removal.
    pub fn then_to(mut self, id: &str) -> At {
        self.then = Some(format!("{}#{id}", self.place.url()));
        self
    }

    /// Goes to another page after success: a new track's own page.
    pub fn then_to_page(mut self, url: String) -> At {
        self.then = Some(url);
        self
    }

    fn location(&self) -> String {
        self.then
            .clone()
            .unwrap_or_else(|| format!("{}#{}", self.place.url(), self.form))
    }
}

impl Editor {
    /// The draft, for admins only.
    pub async fn draft(&self) -> AppResult<Draft> {
        service::draft(&self.state, &self.actor).await
    }

    /// Handles a form of the editor: builds the edit from what was sent and the current draft,
    /// applies it, and answers with the next page, or the form again with its messages.
    pub async fn submit(
        self,
        at: At,
        fields: Fields,
        build: impl FnOnce(&Fields, &Framework) -> Result<Edit, EditError>,
    ) -> PageResult {
        let draft = self.draft().await?;
        let outcome = match build(&fields, &draft.snapshot.framework) {
            Ok(edit) => service::apply_edit(&self.state, &self.actor, &edit)
                .await
                .map(drop),
            Err(e) => Err(e.into()),
        };
        match outcome {
            Ok(()) => self.done(&at).await,
            Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
                let status = e.status();
                let forms = Forms::refused(Submission::new(at.form, fields, e.field_errors()));
                self.show(&at.place, forms, status).await
            }
            Err(e) => Err(e),
        }
    }

    async fn done(&self, at: &At) -> PageResult {
        match &at.place {
            Place::Cell(cell) if self.htmx => cells::display(self, cell, true).await,
            _ => Ok(Redirect::to(&at.location()).into_response()),
        }
    }

    async fn show(&self, place: &Place, forms: Forms, status: StatusCode) -> PageResult {
        match place {
            Place::Home => home::page(self, forms, status).await,
            Place::Library => library::page(self, forms, status).await,
            Place::Track(track) => track::page(self, track, forms, status).await,
            Place::Cell(cell) => cells::form(self, cell, forms, status).await,
        }
    }
}

/// A key from the address; a malformed one names nothing that exists.
pub fn path_key(raw: &str, what: &str) -> AppResult<Key> {
    Key::parse(raw).map_err(|_| AppError::not_found(format!("the {what} “{raw}”")))
}

pub fn whole(message: impl Into<String>) -> EditError {
    EditError {
        field: None,
        message: message.into(),
    }
}

/// The position of the item with `key`, or why there is none.
pub fn index_of<T>(
    items: &[T],
    key_of: impl Fn(&T) -> &Key,
    key: &Key,
    what: &str,
) -> Result<usize, EditError> {
    items
        .iter()
        .position(|t| key_of(t) == key)
        .ok_or_else(|| whole(format!("there is no {what} “{key}”")))
}

/// Where the item at `i` goes to move one place up or down among the items `in_group` (its family,
/// its category), which the page shows together.
pub fn step_to<T>(
    items: &[T],
    i: usize,
    step: Step,
    in_group: impl Fn(&T) -> bool,
) -> Result<usize, EditError> {
    let found = match step {
        Step::Earlier => (0..i).rev().find(|&j| in_group(&items[j])),
        Step::Later => (i + 1..items.len()).find(|&j| in_group(&items[j])),
    };
    found.ok_or_else(|| match step {
        Step::Earlier => whole("it is already the first"),
        Step::Later => whole("it is already the last"),
    })
}

/// Whether each item of a list shown as one group is the first and the last, for the move buttons.
pub fn ends(i: usize, len: usize) -> (bool, bool) {
    (i == 0, i + 1 == len)
}

/// The category a competency is shown under: its own if the library has it, else none.
pub fn shown_category<'a>(fw: &'a Framework, competency: &str) -> Option<&'a Key> {
    fw.competency(competency)
        .and_then(|c| c.category.as_ref())
        .filter(|k| fw.category(k.as_str()).is_some())
}

pub fn kind_choices() -> Vec<Choice> {
    trellis_framework::TrackKind::ALL
        .into_iter()
        .map(|k| Choice::new(k.as_str(), k.label()))
        .collect()
}
