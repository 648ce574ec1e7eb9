#![no_main]
//! The framework file reader: any text is read or refused with positioned diagnostics; what reads
//! is linted and written back.

use libfuzzer_sys::fuzz_target;
use trellis_fuzz::{on_small_stack, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    on_small_stack(|| match trellis_framework::yaml::read_with_positions(&text) {
        Ok((framework, positions)) => {
            let _ = trellis_framework::lint(&framework);
            for problem in trellis_framework::validate(&framework) {
                let _ = positions.of(&problem.path);
            }
            let written = trellis_framework::yaml::write(&framework);
            assert!(
                trellis_framework::yaml::read(&written).is_ok(),
                "what the writer writes reads back"
            );
        }
        Err(diagnostics) => assert!(!diagnostics.is_empty(), "a refusal says why"),
    });
});
