#![no_main]
//! The people CSV: any text is checked as a dry run checks it, against the engineering framework.

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use trellis_framework::Framework;
use trellis_fuzz::{on_small_stack, text};

static FRAMEWORK: LazyLock<Framework> = LazyLock::new(|| {
    trellis_framework::yaml::read(include_str!(
        "../../crates/framework/tests/fixtures/engineering.yaml"
    ))
    .expect("the fixture reads")
});

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let framework = &*FRAMEWORK;
    on_small_stack(|| {
        match trellis::people::import::check_file(&text, Some(framework)) {
            Ok(summary) => assert!(summary.dry_run),
            Err(errors) => assert!(!errors.is_empty(), "a refusal says why"),
        }
    });
});
