//! Which people or teams a provisioning client lists, as a value: conditions on the attributes that
//! may be filtered on, each with its comparison and its value already read and typed. The SCIM
//! adapter (`people::scim::filter`) builds it from a filter's text; [`super::query`] turns it into
//! SQL. Nothing here knows how the directory is stored.

/// A condition on the attributes `A` of one kind of resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter<A> {
    And(Box<Filter<A>>, Box<Filter<A>>),
    Or(Box<Filter<A>>, Box<Filter<A>>),
    Not(Box<Filter<A>>),
    /// The attribute has a value.
    Present(A),
    /// The attribute compared with a value. The value suits the attribute's [`Kind`], and the
    /// comparison is one the kind takes (see [`Kind::takes`]).
    Compare(A, Op, Value),
    /// Every resource (`true`) or none: an id compared with something no id can be.
    Always(bool),
}

/// A condition on people.
pub type PersonFilter = Filter<PersonAttr>;
/// A condition on teams.
pub type TeamFilter = Filter<TeamAttr>;

/// How an attribute compares with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    StartsWith,
    EndsWith,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    /// Whether the comparison looks inside a text (contains, starts with, ends with).
    pub fn is_substring(self) -> bool {
        matches!(self, Op::Contains | Op::StartsWith | Op::EndsWith)
    }

    /// Whether the comparison is equality or its opposite.
    pub fn is_equality(self) -> bool {
        matches!(self, Op::Eq | Op::Ne)
    }
}

/// A value compared with an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// No value (`null`): a text attribute is equal to it when it is absent or empty.
    Empty,
    Text(String),
    Id(i64),
    Flag(bool),
}

/// What an attribute holds, which decides what it may be compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text compared without regard to case, with any comparison; with [`Value::Empty`], `eq`
    /// or `ne` only.
    Text,
    /// Text compared exactly (RFC 7643's `caseExact`); the same comparisons as [`Kind::Text`].
    ExactText,
    /// An id: compared with an id by equality or order, never as a text.
    Id,
    /// A team's members, compared with a person's id by `eq` (the team has them) or `ne`.
    Member,
    /// True or false, compared by `eq` or `ne`.
    Flag,
}

impl Kind {
    /// Whether an attribute of this kind takes the comparison with the value.
    pub fn takes(self, op: Op, value: &Value) -> bool {
        match (self, value) {
            (Kind::Text | Kind::ExactText, Value::Text(_)) => true,
            (Kind::Text | Kind::ExactText, Value::Empty) => op.is_equality(),
            (Kind::Id, Value::Id(_)) => !op.is_substring(),
            (Kind::Member, Value::Id(_)) | (Kind::Flag, Value::Flag(_)) => op.is_equality(),
            _ => false,
        }
    }
}

/// The attributes of a person that may be filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonAttr {
    Id,
    /// The user name: the email, or the client's own user name when it is not one.
    UserName,
    /// The client's own id of the person.
    ExternalId,
    Email,
    /// The kind of the email, which is always a work email.
    EmailType,
    /// Whether the email is the primary one, which it always is.
    EmailPrimary,
    /// Whether the person is active; neither true nor false when a client left it unassigned.
    Active,
    DisplayName,
    /// The whole name.
    FormattedName,
    EmployeeNumber,
    /// The team's name.
    Department,
    /// The manager's id.
    Manager,
}

impl PersonAttr {
    pub fn kind(self) -> Kind {
        match self {
            PersonAttr::Id | PersonAttr::Manager => Kind::Id,
            PersonAttr::ExternalId | PersonAttr::EmployeeNumber => Kind::ExactText,
            PersonAttr::EmailPrimary | PersonAttr::Active => Kind::Flag,
            PersonAttr::UserName
            | PersonAttr::Email
            | PersonAttr::EmailType
            | PersonAttr::DisplayName
            | PersonAttr::FormattedName
            | PersonAttr::Department => Kind::Text,
        }
    }
}

/// The attributes of a team that may be filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAttr {
    Id,
    /// The team's name.
    DisplayName,
    /// The client's own id of the team.
    ExternalId,
    /// The people in the team, by id.
    Member,
}

impl TeamAttr {
    pub fn kind(self) -> Kind {
        match self {
            TeamAttr::Id => Kind::Id,
            TeamAttr::DisplayName => Kind::Text,
            TeamAttr::ExternalId => Kind::ExactText,
            TeamAttr::Member => Kind::Member,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_takes_the_comparisons_its_values_allow() {
        let text = Value::Text("x".into());
        assert!(Kind::Text.takes(Op::Contains, &text));
        assert!(Kind::ExactText.takes(Op::Gt, &text));
        assert!(Kind::Text.takes(Op::Ne, &Value::Empty));
        assert!(!Kind::Text.takes(Op::Gt, &Value::Empty));
        assert!(!Kind::Text.takes(Op::Eq, &Value::Id(1)));
        assert!(Kind::Id.takes(Op::Ge, &Value::Id(1)));
        assert!(!Kind::Id.takes(Op::Contains, &Value::Id(1)));
        assert!(Kind::Member.takes(Op::Ne, &Value::Id(1)));
        assert!(!Kind::Member.takes(Op::Lt, &Value::Id(1)));
        assert!(Kind::Flag.takes(Op::Eq, &Value::Flag(true)));
        assert!(!Kind::Flag.takes(Op::Eq, &Value::Id(1)));
        assert!(!Kind::Flag.takes(Op::Gt, &Value::Flag(true)));
    }
}
