#![no_main]
//! SCIM filters: any text is parsed or refused as an invalid filter; what parses is translated to
//! SQL for users and groups and matched against a value, as PATCH paths are.

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use trellis::scim::filter;
use trellis_fuzz::{on_small_stack, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    on_small_stack(|| {
        match filter::parse(&text) {
            Ok(f) => {
                for columns in [filter::user_columns as filter::Columns, filter::group_columns] {
                    if let Ok(condition) = filter::to_sql(&f, columns) {
                        let placeholders = condition.sql.matches('$').count();
                        assert!(placeholders >= condition.binds.len());
                    }
                }
                let item = json!({"value": "a@x.test", "type": "work", "primary": true, "display": "A"});
                let _ = filter::matches(&f, &item);
            }
            Err(e) => assert_eq!(e.scim_type, Some("invalidFilter")),
        }
        let _ = filter::parse_path(&text);
    });
});
