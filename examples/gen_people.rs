//! Writes the benchmark organisation as a people CSV in the import's columns: N people (100,000 by
//! default) in a realistic management tree (one chief executive, then layers of managers with five to
//! ten reports each; `person000120` has exactly twelve), spread over the first 40 tracks of
//! `gen_framework`'s framework, in 200 teams.
//! The data is synthetic and the same on every run.
//!
//! `cargo run --release --example gen_people -- OUT.csv [PEOPLE]`

use std::fmt::Write as _;
use std::io::Write as _;

/// The manager whose team the benchmark's team view shows: exactly twelve direct reports.
const TEAM_LEAD: usize = 120;

/// A small, fixed pseudo-random sequence, so that every run writes the same file.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

const FIRST: [&str; 16] = [
    "Ada", "Bo", "Cai", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kit", "Lia", "Mo",
    "Nia", "Oz", "Pia",
];
const LAST: [&str; 16] = [
    "Arden", "Birch", "Cove", "Dale", "Ember", "Fenn", "Glade", "Heath", "Isle", "Jett", "Knoll",
    "Lark", "Moss", "North", "Oak", "Pike",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: gen_people OUT.csv [PEOPLE]");
        std::process::exit(2);
    };
    let people: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let mut seq = Sequence(0x2545_f491_4f6c_dd1d);
    let mut csv = String::with_capacity(people * 120);
    csv.push_str("email,name,employee_id,manager_email,team,track,level,start_date,status\n");
    // Breadth-first: person i's manager is an earlier person, each manager taking 5 to 10 reports.
    let mut manager_of = vec![None; people];
    let mut next_manager = 0usize;
    let mut left_for_manager = 0u64;
    for (i, slot) in manager_of.iter_mut().enumerate().skip(1) {
        if left_for_manager == 0 {
            next_manager += usize::from(i > 1);
            left_for_manager = if next_manager == TEAM_LEAD {
                12
            } else {
                5 + seq.next(6)
            };
        }
        *slot = Some(next_manager.min(i - 1));
        left_for_manager -= 1;
    }
    for (i, manager) in manager_of.iter().enumerate() {
        let name = format!(
            "{} {} {i}",
            FIRST[(i * 7) % FIRST.len()],
            LAST[(i * 11 / 3) % LAST.len()]
        );
        let manager_email = manager
            .map(|m| format!("person{m:06}@bench.trellis.test"))
            .unwrap_or_default();
        let track = 1 + seq.next(40);
        let level = 1 + seq.next(8);
        let team = 1 + i / 500;
        let year = 2015 + seq.next(11);
        let month = 1 + seq.next(12);
        let day = 1 + seq.next(28);
        // One in twenty has left, except in the team lead's team, which stays at twelve.
        let leaves = seq.next(20) == 0;
        let status = if leaves && *manager != Some(TEAM_LEAD) {
            "left"
        } else {
            "active"
        };
        let _ = writeln!(
            csv,
            "person{i:06}@bench.trellis.test,{name},E{i:06},{manager_email},Team {team:03},track-{track:02},t{track:02}-l{level},{year}-{month:02}-{day:02},{status}"
        );
    }
    let written = std::fs::File::create(&out).and_then(|mut f| f.write_all(csv.as_bytes()));
    if let Err(e) = written {
        eprintln!("cannot write {out}: {e}");
        std::process::exit(1);
    }
    println!("{out}: {people} people");
}
