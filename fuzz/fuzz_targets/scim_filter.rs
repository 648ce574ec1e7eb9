#![no_main]
//! SCIM filters: any text is parsed or refused as an invalid filter; what parses is read as a
//! condition on people and on teams, translated to SQL, and matched against a value, as PATCH
//! paths are.

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use trellis::people::provisioning::query;
use trellis::people::scim::filter;
use trellis_fuzz::{on_small_stack, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    on_small_stack(|| {
        match filter::parse(&text) {
            Ok(f) => {
                let conditions = [
                    filter::people(&f).ok().map(|p| query::people(&p)),
                    filter::teams(&f).ok().map(|t| query::teams(&t)),
                ];
                for condition in conditions.into_iter().flatten() {
                    let condition = condition.expect("a filter read as the directory's translates");
                    let placeholders = condition.sql.matches('$').count();
                    assert!(placeholders >= condition.binds.len());
                }
                let item = json!({"value": "a@x.test", "type": "work", "primary": true, "display": "A"});
                let _ = filter::matches(&f, &item);
            }
            Err(e) => assert_eq!(e.scim_type, Some("invalidFilter")),
        }
        let _ = filter::parse_path(&text);
    });
});
