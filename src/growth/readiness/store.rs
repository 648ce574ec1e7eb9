//! Writing recomputed results: only those whose digest changed come here, in multi-row upserts.

use super::READINESS_COLUMNS;
use super::page::Evaluated;
use super::recompute::Totals;
use crate::db::Tx;
use crate::error::AppResult;

/// Rows per statement when writing results: one parameter each (the reasons). The numbers, the
/// status, the keys and the digest are written out in the statement: numbers, statuses and
/// digests are ours, and keys hold only `a-z`, `0-9` and `-` (checked again here).
const STORE_ROWS: usize = 168;

/// A key as an SQL literal, or NULL; a value that is not a key (which the directory never holds)
/// is written as NULL rather than trusted.
fn key_literal(key: Option<&str>) -> String {
    match key {
        Some(k)
            if !k.is_empty()
                && k.len() <= trellis_framework::Key::MAX_LEN
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            format!("'{k}'")
        }
        _ => "NULL".to_owned(),
    }
}

/// Writes results with multi-row upserts. Only changed results come here (their digest differs),
/// so they get a new time, except a row written before digests were kept whose status, position,
/// check-in and reasons are the same: it keeps the time it was reached. The rows of people who
/// left are kept as they were when they left: the dashboard's attrition by readiness reads them.
pub(super) async fn store(tx: &mut Tx, evaluated: Evaluated) -> AppResult<Totals> {
    for chunk in evaluated.changed.chunks(STORE_ROWS) {
        let mut sql = String::with_capacity(160 * chunk.len() + 768);
        sql.push_str(&format!(
            "INSERT INTO readiness ({READINESS_COLUMNS}, digest) VALUES "
        ));
        for (i, c) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let digest = if c.digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                format!("'{}'", c.digest)
            } else {
                "NULL".to_owned()
            };
            sql.push_str(&format!(
                "({}, '{}', {}, {}, {}, {}, ${}, {}, {digest})",
                c.person,
                c.status.as_str(),
                key_literal(c.track.as_deref()),
                key_literal(c.level.as_deref()),
                key_literal(c.next_level.as_deref()),
                c.checkin_id
                    .map_or_else(|| "NULL".to_owned(), |v| v.to_string()),
                i + 1,
                c.computed_at,
            ));
        }
        sql.push_str(
            " ON CONFLICT (person_id) DO UPDATE SET \
             computed_at = CASE WHEN readiness.digest IS NOT NULL \
               OR readiness.status <> excluded.status \
               OR readiness.reasons <> excluded.reasons \
               OR readiness.checkin_id IS DISTINCT FROM excluded.checkin_id \
               OR readiness.track_key IS DISTINCT FROM excluded.track_key \
               OR readiness.level_key IS DISTINCT FROM excluded.level_key \
               OR readiness.next_level_key IS DISTINCT FROM excluded.next_level_key \
               THEN excluded.computed_at ELSE readiness.computed_at END, \
             status = excluded.status, track_key = excluded.track_key, \
             level_key = excluded.level_key, next_level_key = excluded.next_level_key, \
             checkin_id = excluded.checkin_id, reasons = excluded.reasons, \
             digest = excluded.digest",
        );
        // Every statement is different: not worth keeping prepared.
        let mut q = sqlx::query(&sql).persistent(false);
        for c in chunk {
            q = q.bind(c.reasons.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(Totals {
        evaluated: evaluated.people,
        changed: evaluated.changed.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_are_written_as_literals() {
        assert_eq!(key_literal(Some("eng-2")), "'eng-2'");
        for not_a_key in ["", "Eng", "a'b", "a b", "x;--"] {
            assert_eq!(key_literal(Some(not_a_key)), "NULL", "{not_a_key}");
        }
        let long = "k".repeat(trellis_framework::Key::MAX_LEN + 1);
        assert_eq!(key_literal(Some(&long)), "NULL");
        assert_eq!(key_literal(None), "NULL");
    }
}
