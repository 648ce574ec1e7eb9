//! The rules a person keeps with the rest of the directory: their manager is someone in it, their
//! employee id is nobody else's, and managers make no loop. [`PersonInput::check`] holds the rules
//! of a person's own details; these need to know about others, which they ask of an [`Around`]: the
//! directory as it will be once the change lands. `write_person` answers from the database for one
//! person; the CSV import answers from the file and the directory held in memory, so that a file
//! of ten thousand rows is checked without a query per row. Each rule and its message is written
//! once, here.

use std::collections::HashMap;

use super::{PersonFields, PersonInput, non_empty};
use crate::domain::Email;
use crate::error::FieldError;

/// Who a person's details name, for the rules across people. Read from the input as
/// [`PersonInput::check`] reads it, also when the input has other mistakes, so that one run over a
/// file checks every row against the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// The person's email, when it is one.
    pub email: Option<String>,
    /// The manager's email, when it is one and not the person's own (which `check` refuses).
    pub manager: Option<String>,
    pub employee_id: Option<String>,
}

impl PersonInput {
    /// Who these details name, as far as they can be read.
    pub fn named(&self) -> Named {
        let email = Email::parse(&self.email).ok();
        let manager = self
            .manager()
            .and_then(Result::ok)
            .filter(|m| Some(m) != email.as_ref());
        Named {
            email: email.map(|e| e.as_str().to_owned()),
            manager: manager.map(|m| m.as_str().to_owned()),
            employee_id: non_empty(&self.employee_id),
        }
    }
}

impl PersonFields {
    /// Who these details name.
    pub fn named(&self) -> Named {
        Named {
            email: Some(self.email.as_str().to_owned()),
            manager: self
                .manager
                .as_ref()
                .filter(|m| **m != self.email)
                .map(|m| m.as_str().to_owned()),
            employee_id: self.employee_id.clone(),
        }
    }
}

/// The directory as it will be once a change lands (one person, or a whole file), as far as the
/// rules ask.
pub trait Around {
    /// Whether someone has this email.
    fn has(&self, email: &str) -> bool;
    /// The email of someone other than the people written who holds this employee id.
    fn holder_of(&self, employee_id: &str) -> Option<String>;
    /// The email of the manager of the person with this email.
    fn manager_of(&self, email: &str) -> Option<String>;
}

/// Where the rules looked, which their messages say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One person written on their own, against the directory.
    Person,
    /// A file of people written together, against the rest of the file and the directory.
    File,
}

/// A rule a person's details break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// Nobody has the manager's email.
    NoSuchManager(String),
    /// Someone else holds the employee id.
    EmployeeIdTaken { employee_id: String, holder: String },
    /// The managers make a loop: each person reports to the next and the last to the first, who is
    /// the person whose manager closes it.
    ManagerLoop(Vec<String>),
}

impl Broken {
    /// The field of the person's details at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Broken::NoSuchManager(_) | Broken::ManagerLoop(_) => "manager_email",
            Broken::EmployeeIdTaken { .. } => "employee_id",
        }
    }

    /// What is wrong, in words.
    pub fn message(&self, scope: Scope) -> String {
        match (self, scope) {
            (Broken::NoSuchManager(m), Scope::Person) => {
                format!("there is nobody with the email {m}")
            }
            (Broken::NoSuchManager(m), Scope::File) => {
                format!("there is nobody with the email {m} in the file or the directory")
            }
            (
                Broken::EmployeeIdTaken {
                    employee_id,
                    holder,
                },
                _,
            ) => format!("the employee id {employee_id} belongs to {holder} already"),
            (Broken::ManagerLoop(people), Scope::Person) => {
                let person = people.first().map_or("", String::as_str);
                let manager = people.get(1).map_or(person, String::as_str);
                format!(
                    "{manager} reports to {person} already, directly or through others: this would make a loop"
                )
            }
            (Broken::ManagerLoop(people), Scope::File) => {
                let mut names = people.clone();
                names.extend(people.first().cloned());
                format!("the managers make a loop: {}", names.join(" → "))
            }
        }
    }

    /// The field error a form or a file shows.
    pub fn error(&self, scope: Scope) -> FieldError {
        FieldError::new(self.field(), self.message(scope))
    }
}

/// A person's manager is someone of the directory.
pub fn manager_exists(named: &Named, around: &impl Around) -> Result<(), Broken> {
    match &named.manager {
        Some(m) if !around.has(m) => Err(Broken::NoSuchManager(m.clone())),
        _ => Ok(()),
    }
}

/// A person's employee id is nobody else's.
pub fn employee_id_free(named: &Named, around: &impl Around) -> Result<(), Broken> {
    let Some(employee_id) = &named.employee_id else {
        return Ok(());
    };
    match around.holder_of(employee_id) {
        Some(holder) => Err(Broken::EmployeeIdTaken {
            employee_id: employee_id.clone(),
            holder,
        }),
        None => Ok(()),
    }
}

/// The loops of managers that following each person's managers up finds, each once, from the
/// people given in order: a person can only close a loop by a change of their own manager, so the
/// people written are where to start.
pub fn manager_loops<'a>(
    people: impl IntoIterator<Item = &'a str>,
    around: &impl Around,
) -> Vec<Broken> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Seen {
        OnThePath,
        Done,
    }
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut loops = Vec::new();
    for start in people {
        if seen.contains_key(start) {
            continue;
        }
        let mut path: Vec<String> = Vec::new();
        let mut at = Some(start.to_owned());
        while let Some(email) = at {
            match seen.get(&email) {
                Some(Seen::Done) => break,
                Some(Seen::OnThePath) => {
                    if let Some(pos) = path.iter().position(|e| *e == email) {
                        loops.push(Broken::ManagerLoop(path[pos..].to_vec()));
                    }
                    break;
                }
                None => {
                    seen.insert(email.clone(), Seen::OnThePath);
                    at = around.manager_of(&email);
                    path.push(email);
                }
            }
        }
        for e in path {
            seen.insert(e, Seen::Done);
        }
    }
    loops
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory as a list of (person, manager).
    struct Tree(Vec<(&'static str, Option<&'static str>)>);

    impl Around for Tree {
        fn has(&self, email: &str) -> bool {
            self.0.iter().any(|(p, _)| *p == email)
        }
        fn holder_of(&self, employee_id: &str) -> Option<String> {
            (employee_id == "E1").then(|| "eve@x.test".to_owned())
        }
        fn manager_of(&self, email: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(p, _)| *p == email)
                .and_then(|(_, m)| m.map(str::to_owned))
        }
    }

    #[test]
    fn a_loop_of_managers_is_found_once_and_named_from_where_it_was_entered() {
        let tree = Tree(vec![
            ("a@x.test", Some("b@x.test")),
            ("b@x.test", Some("c@x.test")),
            ("c@x.test", Some("a@x.test")),
            ("d@x.test", Some("a@x.test")),
        ]);
        let loops = manager_loops(["a@x.test", "b@x.test", "d@x.test"], &tree);
        assert_eq!(
            loops,
            vec![Broken::ManagerLoop(vec![
                "a@x.test".into(),
                "b@x.test".into(),
                "c@x.test".into()
            ])]
        );
        assert_eq!(
            loops[0].message(Scope::File),
            "the managers make a loop: a@x.test → b@x.test → c@x.test → a@x.test"
        );
        assert_eq!(
            loops[0].message(Scope::Person),
            "b@x.test reports to a@x.test already, directly or through others: this would make a loop"
        );
        assert!(manager_loops(["d@x.test"], &Tree(vec![("d@x.test", None)])).is_empty());
    }

    #[test]
    fn managers_exist_and_employee_ids_are_nobody_elses() {
        let tree = Tree(vec![("a@x.test", None)]);
        let named = |manager: &str, employee_id: &str| Named {
            email: Some("n@x.test".into()),
            manager: Some(manager.into()),
            employee_id: Some(employee_id.into()),
        };
        assert_eq!(manager_exists(&named("a@x.test", "E2"), &tree), Ok(()));
        let missing = manager_exists(&named("z@x.test", "E2"), &tree).expect_err("nobody");
        assert_eq!(missing.field(), "manager_email");
        assert_eq!(
            missing.message(Scope::File),
            "there is nobody with the email z@x.test in the file or the directory"
        );
        assert_eq!(employee_id_free(&named("a@x.test", "E2"), &tree), Ok(()));
        let taken = employee_id_free(&named("a@x.test", "E1"), &tree).expect_err("taken");
        assert_eq!(
            taken.error(Scope::Person).message,
            "the employee id E1 belongs to eve@x.test already"
        );
    }

    #[test]
    fn who_details_name_is_read_as_check_reads_it() {
        let input = PersonInput {
            email: " Ada@X.test ".into(),
            manager_email: "ADA@x.test".into(),
            employee_id: " E7 ".into(),
            start_date: "someday".into(),
            ..PersonInput::default()
        };
        assert_eq!(
            input.named(),
            Named {
                email: Some("ada@x.test".into()),
                manager: None,
                employee_id: Some("E7".into()),
            }
        );
        let input = PersonInput {
            email: "ada@x.test".into(),
            manager_email: "Mia@x.test".into(),
            ..PersonInput::default()
        };
        let fields = input.check().expect("valid");
        assert_eq!(fields.named(), input.named());
    }
}
