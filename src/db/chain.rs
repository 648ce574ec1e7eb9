//! The management chain in SQL: who is below a manager, and who is above a person. The one place
//! these recursive queries are written, for every backend, with one depth limit.
//!
//! Each function returns a parenthesised subquery selecting user ids, to follow `IN` or `NOT IN`;
//! its argument is the placeholder the caller binds the person's id to (`$1`, `$3`, ...).

/// How many levels a chain is followed. Loops are refused when a manager is set, so this only
/// bounds the work a damaged directory could cause; no organisation is this deep.
pub const MAX_DEPTH: u32 = 1000;

/// Everyone below the manager bound as `manager`, at any depth (not the manager).
pub fn below(manager: &str) -> String {
    format!(
        "(WITH RECURSIVE down(id, depth) AS ( \
           SELECT id, 1 FROM users WHERE manager_id = {manager} \
           UNION ALL SELECT c.id, down.depth + 1 FROM users c JOIN down ON c.manager_id = down.id \
           WHERE down.depth < {MAX_DEPTH}) SELECT id FROM down)"
    )
}

/// Everyone above the person bound as `person`: their manager, their manager's manager, and so on
/// (not the person).
pub fn above(person: &str) -> String {
    format!(
        "(WITH RECURSIVE up(id, manager_id, depth) AS ( \
           SELECT id, manager_id, 1 FROM users WHERE id = {person} \
           UNION ALL SELECT u.id, u.manager_id, up.depth + 1 FROM users u JOIN up ON u.id = up.manager_id \
           WHERE up.depth < {MAX_DEPTH}) SELECT manager_id FROM up WHERE manager_id IS NOT NULL)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_query_binds_the_placeholder_it_is_given_once() {
        for sql in [below("$3"), above("$3")] {
            assert_eq!(sql.matches("$3").count(), 1, "{sql}");
            assert!(sql.starts_with('(') && sql.ends_with(')'));
            assert!(sql.contains(&MAX_DEPTH.to_string()));
        }
    }
}
