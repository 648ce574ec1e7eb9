//! Writes a large, valid framework file for benchmarks: 50 tracks × 8 levels × 15 competencies.
//!
//! ```text
//! cargo run --release --example gen_framework -- OUT.yaml [TRACKS LEVELS COMPETENCIES]
//! ```
//!
//! The content is deterministic, so two runs write the same file.

use std::fmt::Write as _;
use std::process::ExitCode;

const CATEGORIES: [(&str, &str); 4] = [
    ("impact", "Impact"),
    ("craft", "Craft"),
    ("collaboration", "Collaboration"),
    ("leadership", "Leadership"),
];

const VERBS: [&str; 8] = [
    "You deliver",
    "You plan",
    "You review",
    "You explain",
    "You improve",
    "You measure",
    "You document",
    "You coordinate",
];

const SCOPES: [&str; 8] = [
    "your own tasks",
    "features within your team",
    "projects that span two teams",
    "the roadmap of a product area",
    "work across a department",
    "programmes across the organisation",
    "the direction of a business unit",
    "the strategy of the whole company",
];

struct Size {
    tracks: usize,
    levels: usize,
    competencies: usize,
}

fn generate(size: &Size) -> String {
    let mut out = String::with_capacity(4 << 20);
    let w = &mut out;
    // Writing into a String cannot fail.
    let _ = writeln!(w, "trellis: 1");
    let _ = writeln!(w, "name: Benchmark framework");
    let _ = writeln!(
        w,
        "description: A generated framework of {} tracks, {} levels each and {} competencies.",
        size.tracks, size.levels, size.competencies
    );
    let _ = writeln!(w, "\ncategories:");
    for (key, name) in CATEGORIES {
        let _ = writeln!(w, "  - key: {key}\n    name: {name}");
    }
    let _ = writeln!(w, "\ncompetencies:");
    for c in 1..=size.competencies {
        let (category, _) = CATEGORIES[(c - 1) % CATEGORIES.len()];
        let _ = writeln!(w, "  - key: competency-{c:02}");
        let _ = writeln!(w, "    name: Competency {c:02}");
        let _ = writeln!(w, "    category: {category}");
        let _ = writeln!(
            w,
            "    description: What competency {c:02} asks of people, from first steps to mastery."
        );
    }
    let _ = writeln!(w, "\ngrades:");
    for g in 1..=size.levels {
        let _ = writeln!(w, "  - key: g{g}\n    name: Grade {g}");
    }
    let _ = writeln!(w, "\ntracks:");
    for t in 1..=size.tracks {
        let management = t % 5 == 0;
        let _ = writeln!(w, "  - key: track-{t:02}");
        let _ = writeln!(w, "    name: Track {t:02}");
        let _ = writeln!(w, "    family: Family {}", (t - 1) / 10 + 1);
        let _ = writeln!(
            w,
            "    kind: {}",
            if management {
                "management"
            } else {
                "individual-contributor"
            }
        );
        let _ = writeln!(
            w,
            "    description: Generated track {t:02} with {} levels.",
            size.levels
        );
        let keys: Vec<String> = (1..=size.competencies)
            .map(|c| format!("competency-{c:02}"))
            .collect();
        let _ = writeln!(w, "    competencies: [{}]", keys.join(", "));
        let _ = writeln!(w, "    levels:");
        for l in 1..=size.levels {
            let _ = writeln!(w, "      - key: t{t:02}-l{l}");
            let _ = writeln!(w, "        title: Track {t:02} level {l}");
            let _ = writeln!(w, "        grade: g{l}");
            let _ = writeln!(
                w,
                "        summary: Level {l} of track {t:02}, where the scope grows with every step."
            );
            let _ = writeln!(
                w,
                "        pay: {{ currency: EUR, min: {}, mid: {}, max: {} }}",
                40_000 + l * 10_000,
                45_000 + l * 10_000,
                50_000 + l * 10_000
            );
            let _ = writeln!(w, "        expectations:");
            for c in 1..=size.competencies {
                let verb = VERBS[(c + t) % VERBS.len()];
                let scope = SCOPES[(l - 1) % SCOPES.len()];
                let _ = writeln!(w, "          competency-{c:02}:");
                let _ = writeln!(
                    w,
                    "            - {verb} {scope} with care (competency {c:02}, level {l})."
                );
                let _ = writeln!(
                    w,
                    "            - You ask for feedback on **{scope}** and act on it."
                );
                if l > 1 {
                    let _ = writeln!(
                        w,
                        "            - You help others at level {} grow in competency {c:02}.",
                        l - 1
                    );
                }
            }
        }
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: gen_framework OUT.yaml [TRACKS LEVELS COMPETENCIES]");
        return ExitCode::from(2);
    };
    let number = |i: usize, default: usize| -> usize {
        args.get(i)
            .and_then(|s| s.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let size = Size {
        tracks: number(1, 50),
        levels: number(2, 8),
        competencies: number(3, 15),
    };
    let yaml = generate(&size);
    if let Err(e) = std::fs::write(path, &yaml) {
        eprintln!("cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {path}: {} tracks × {} levels × {} competencies, {} bytes",
        size.tracks,
        size.levels,
        size.competencies,
        yaml.len()
    );
    ExitCode::SUCCESS
}
