#![no_main]
//! Markdown rendering: any text becomes sanitised HTML.

use libfuzzer_sys::fuzz_target;
use trellis_fuzz::{on_small_stack, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    on_small_stack(|| {
        let md = trellis::markdown::Markdown::default();
        let html = md.block(&text);
        assert!(!html.contains("<script"), "no script survives");
        let _ = md.inline(&text);
    });
});
