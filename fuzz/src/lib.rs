//! What the fuzz targets share: each input is handled on a thread with a small stack, so that an
//! unbounded recursion overflows at inputs of a size the fuzzer builds, not only at megabytes.

use trellis_framework::import::{Format, Options, SourceFile, detect, import};

/// The stack of the thread each input runs on: a quarter of a server's worker thread.
pub const STACK: usize = 512 * 1024;

/// Runs `f` on a thread with a [`STACK`]-byte stack; a panic there is a crash.
pub fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(s, f)
            .expect("a thread starts")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// The input as text, lossily: every importer reads UTF-8 text.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Imports `data` as one file of `format`, and guesses its format, as the server does on failure.
pub fn import_one(format: Format, name: &str, data: &[u8]) {
    let text = text(data);
    on_small_stack(|| {
        let files = [SourceFile::new(name, text.as_str())];
        if let Ok(imported) = import(format, &files, &Options::default()) {
            // What an importer produces is a framework that passes validation.
            assert_eq!(
                trellis_framework::validate(&imported.framework),
                Vec::new(),
                "an imported framework is valid"
            );
        }
        let _ = detect(&text, name);
    });
}
