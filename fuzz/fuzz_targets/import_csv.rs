#![no_main]
//! The Csv importer: any text imports into a valid framework or is refused with its position.

use libfuzzer_sys::fuzz_target;
use trellis_framework::import::Format;

fuzz_target!(|data: &[u8]| {
    trellis_fuzz::import_one(Format::Csv, "cells.csv", data);
});
