//! Fills a benchmark database (the organisation of `gen_people`, on the framework of
//! `gen_framework`, published as version 1) with two years of growth: for every active person with a
//! position, eight quarterly check-ins rated by themselves and their manager and agreed, on all 15
//! competencies of their track; two development goals; one piece of evidence; and a 1:1 series with
//! their manager holding a past meeting (with a growth talking point and an action item) and the next
//! one; and a closed pulse survey answered by 60,000 people. The data is synthetic and the same on
//! every run.
//!
//! It also gives two accounts the password `bench-password-1234`: the team lead `person000120`
//! (twelve reports) and the first of their reports, and prints `TEAM_LEAD=EMAIL` and
//! `EMPLOYEE=EMAIL` for the benchmark script.
//!
//! `cargo run --release --example gen_growth -- DATABASE_URL`

use std::fmt::Write as _;
use std::process::ExitCode;

use sqlx::Row;
use trellis::db::Db;

/// A small, fixed pseudo-random sequence, so that every run writes the same rows.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

const COMPETENCIES: usize = 15;
const QUARTERS: [&str; 8] = [
    "2025-02-14",
    "2025-05-15",
    "2025-08-14",
    "2025-11-13",
    "2026-02-12",
    "2026-05-14",
    "2026-08-13",
    "2026-11-12",
];
const RATINGS: [&str; 4] = ["below", "working_towards", "meets", "exceeds"];
/// Rows per INSERT statement.
const BATCH: usize = 400;

struct Person {
    id: i64,
    manager: Option<i64>,
    track: String,
    level: String,
}

fn ratings(seq: &mut Sequence, bias: u64) -> String {
    let mut json = String::from("{");
    for c in 1..=COMPETENCIES {
        // Mostly meets, some working towards, a few exceeds or below.
        let roll = seq.next(10) + bias;
        let rating = match roll {
            0 => RATINGS[0],
            1..=3 => RATINGS[1],
            4..=9 => RATINGS[2],
            _ => RATINGS[3],
        };
        if c > 1 {
            json.push(',');
        }
        let _ = write!(json, r#""competency-{c:02}":{{"rating":"{rating}"}}"#);
    }
    json.push('}');
    json
}

fn next_level(level: &str) -> String {
    // Levels are `tNN-lK`, K from 1 to 8.
    match level.rsplit_once("-l") {
        Some((track, k)) => {
            let k: u32 = k.parse().unwrap_or(1);
            format!("{track}-l{}", (k + 1).min(8))
        }
        None => level.to_owned(),
    }
}

/// Runs INSERTs of `rows` (each a parenthesised tuple) in statements of [`BATCH`] rows.
async fn insert(tx: &mut trellis::db::Tx, head: &str, rows: &[String]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(BATCH) {
        let sql = format!("{head} VALUES {}", chunk.join(","));
        sqlx::raw_sql(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn run(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(url, 2).await?;
    let people: Vec<Person> = sqlx::query(
        "SELECT id, manager_id, track_key, level_key FROM users \
         WHERE active = 1 AND track_key IS NOT NULL AND level_key IS NOT NULL ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| Person {
        id: r.get("id"),
        manager: r.get("manager_id"),
        track: r.get("track_key"),
        level: r.get("level_key"),
    })
    .collect();
    let now = trellis::db::now();
    let mut seq = Sequence(0x9e37_79b9_7f4a_7c15);
    let mut tx = db.begin().await?;

    // Check-ins: ids are assigned in insertion order, so person by person, quarter by quarter.
    let mut rows = Vec::with_capacity(BATCH);
    let mut checkins = 0usize;
    for p in &people {
        for (q, day) in QUARTERS.iter().enumerate() {
            // The last two quarters look at the next level.
            let level = if q >= 6 {
                next_level(&p.level)
            } else {
                p.level.clone()
            };
            let bias = (q as u64) / 3;
            let own = ratings(&mut seq, bias);
            let manager = ratings(&mut seq, bias);
            let at = now - (QUARTERS.len() - q) as i64 * 91 * 86_400;
            rows.push(format!(
                "({}, {}, {}, 1, 'agreed', {}, {}, {}, {}, {}, {at}, {at}, {at}, {}, {at}, {at})",
                p.id,
                quote(&p.track),
                quote(&level),
                p.id,
                p.manager.map_or("NULL".into(), |m| m.to_string()),
                quote(&own),
                quote(&manager),
                quote(&manager),
                quote(day),
            ));
            checkins += 1;
            if rows.len() == BATCH {
                insert(
                    &mut tx,
                    "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, \
                     started_by, manager_id, self_ratings, manager_ratings, agreed_ratings, \
                     self_shared_at, manager_shared_at, agreed_at, agreed_on, created_at, updated_at)",
                    &rows,
                )
                .await?;
                rows.clear();
            }
        }
    }
    insert(
        &mut tx,
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, \
         started_by, manager_id, self_ratings, manager_ratings, agreed_ratings, \
         self_shared_at, manager_shared_at, agreed_at, agreed_on, created_at, updated_at)",
        &rows,
    )
    .await?;

    // Goals: one in progress (due in the future) and one done; each tied to two competencies.
    let mut goals = Vec::new();
    for p in &people {
        for (status, due) in [("in_progress", "2027-03-31"), ("done", "2026-06-30")] {
            goals.push(format!(
                "({}, 'Grow competency {:02}', {}, {}, '{status}', '{due}', {}, {now}, {now})",
                p.id,
                1 + seq.next(COMPETENCIES as u64),
                quote(&p.track),
                quote(&next_level(&p.level)),
                p.id,
            ));
        }
    }
    insert(
        &mut tx,
        "INSERT INTO goals (person_id, title, track_key, level_key, status, due_on, created_by, \
         created_at, updated_at)",
        &goals,
    )
    .await?;
    sqlx::raw_sql(
        "INSERT INTO goal_competencies (goal_id, competency_key) \
         SELECT id, 'competency-' || substr(title, length(title) - 1, 2) FROM goals",
    )
    .execute(&mut *tx)
    .await?;

    // Evidence: one item per person, supporting two competencies.
    let mut evidence = Vec::new();
    for p in &people {
        evidence.push(format!(
            "({}, 'pull_request', 'Reworked the release checklist', \
             'https://example.test/review/{}', '2026-10-01', {}, {now}, {now})",
            p.id, p.id, p.id
        ));
    }
    insert(
        &mut tx,
        "INSERT INTO evidence (person_id, kind, title, url, happened_on, created_by, created_at, \
         updated_at)",
        &evidence,
    )
    .await?;
    sqlx::raw_sql(
        "INSERT INTO evidence_competencies (evidence_id, competency_key) \
         SELECT id, 'competency-01' FROM evidence UNION ALL \
         SELECT id, 'competency-02' FROM evidence",
    )
    .execute(&mut *tx)
    .await?;

    // 1:1s: a series per person with a manager, a meeting held three weeks ago and the next one.
    let mut series = Vec::new();
    for p in &people {
        if let Some(m) = p.manager {
            series.push(format!("({m}, {}, 14, {now})", p.id));
        }
    }
    insert(
        &mut tx,
        "INSERT INTO one_on_one_series (manager_id, report_id, cadence_days, created_at)",
        &series,
    )
    .await?;
    sqlx::raw_sql(&format!(
        "INSERT INTO one_on_ones (series_id, scheduled_on, status, shared_notes, held_at, created_at, updated_at) \
         SELECT id, '2026-11-05', 'held', 'We talked about the next level.', {now}, {now}, {now} FROM one_on_one_series; \
         INSERT INTO one_on_ones (series_id, scheduled_on, status, shared_notes, created_at, updated_at) \
         SELECT id, '2026-12-03', 'upcoming', '', {now}, {now} FROM one_on_one_series; \
         INSERT INTO talking_points (meeting_id, author_id, body, competency_key, discussed, position, created_at) \
         SELECT o.id, s.report_id, 'What the next level asks of me', 'competency-03', 1, 1, {now} \
         FROM one_on_ones o JOIN one_on_one_series s ON s.id = o.series_id WHERE o.status = 'held'; \
         INSERT INTO action_items (series_id, meeting_id, title, owner_id, due_on, created_at) \
         SELECT s.id, o.id, 'Draft a design review checklist', s.report_id, '2026-12-01', {now} \
         FROM one_on_ones o JOIN one_on_one_series s ON s.id = o.series_id WHERE o.status = 'held';"
    ))
    .execute(&mut *tx)
    .await?;
    // A closed pulse survey of five scale questions and a free-text one, answered by the first
    // 60,000 people: responses carry their author's team and track, never the author.
    let survey: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO surveys (title, intro, audience, opens_on, closes_on, threshold, results_key, \
         created_at, updated_at) VALUES ('Career tracks pulse', '', '{{\"kind\":\"everyone\"}}', \
         '2026-11-02', '2026-11-16', 5, 'bench-pulse', {now}, {now}) RETURNING id"
    ))
    .fetch_one(&mut *tx)
    .await?;
    let prompts = [
        "I know what my career track looks like.",
        "I can find my career track when I need it.",
        "My manager and I use it to plan my development.",
        "I understand what the next level asks of me.",
        "The track describes my work fairly.",
    ];
    let mut questions: Vec<String> = prompts
        .iter()
        .enumerate()
        .map(|(i, p)| format!("({survey}, {}, 'scale', {})", i + 1, quote(p)))
        .collect();
    questions.push(format!(
        "({survey}, 6, 'text', 'What would make the tracks more useful to you?')"
    ));
    insert(
        &mut tx,
        "INSERT INTO survey_questions (survey_id, position, kind, prompt)",
        &questions,
    )
    .await?;
    let teams: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, team_id FROM users WHERE active = 1 ORDER BY id LIMIT 60000")
            .fetch_all(&mut *tx)
            .await?;
    let track_of: std::collections::HashMap<i64, &str> =
        people.iter().map(|p| (p.id, p.track.as_str())).collect();
    let mut responses = Vec::with_capacity(teams.len());
    let mut participants = Vec::with_capacity(teams.len());
    for (i, (person, team)) in teams.iter().enumerate() {
        // Distinct ids in no particular order: i times an odd number, modulo 2^31.
        let id = ((i as u64 + 1) * 2_654_435_761) % (1 << 31);
        let mut answers = String::from("[");
        for _ in 0..prompts.len() {
            let _ = write!(answers, "{},", 2 + seq.next(4));
        }
        answers.push_str(if seq.next(4) == 0 {
            "\"More examples of real work at each level.\"]"
        } else {
            "null]"
        });
        responses.push(format!(
            "({id}, {survey}, {}, {}, 0, {})",
            team.map_or("NULL".into(), |t| t.to_string()),
            track_of.get(person).map_or("NULL".into(), |t| quote(t)),
            quote(&answers)
        ));
        participants.push(format!("({id}, {survey}, {person})"));
    }
    insert(
        &mut tx,
        "INSERT INTO survey_responses (id, survey_id, team_id, track_key, pilot, answers)",
        &responses,
    )
    .await?;
    insert(
        &mut tx,
        "INSERT INTO survey_participants (id, survey_id, user_id)",
        &participants,
    )
    .await?;
    sqlx::query("UPDATE surveys SET responses = $1 WHERE id = $2")
        .bind(responses.len() as i64)
        .bind(survey)
        .execute(&mut *tx)
        .await?;

    // The accounts the benchmark signs in with.
    let lead = "person000120@bench.trellis.test";
    let employee: String = sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN users m ON m.id = u.manager_id \
         WHERE m.email = $1 AND u.active = 1 AND u.track_key IS NOT NULL ORDER BY u.id LIMIT 1",
    )
    .bind(lead)
    .fetch_one(&mut *tx)
    .await?;
    let hash = trellis::auth::password::hash(
        "bench-password-1234".into(),
        trellis::auth::password::Cost::Test,
    )
    .await?;
    for email in [lead, employee.as_str()] {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
            .bind(&hash)
            .bind(email)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    db.close().await;
    println!("SURVEY={survey}");
    println!("TEAM_LEAD={lead}");
    println!("EMPLOYEE={employee}");
    println!(
        "{} people: {checkins} check-ins, {} goals, {} evidence items, {} 1:1 series, \
         a survey of {} responses",
        people.len(),
        goals.len(),
        evidence.len(),
        series.len(),
        responses.len()
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: gen_growth DATABASE_URL");
        return ExitCode::from(2);
    };
    match run(&url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_growth: {e}");
            ExitCode::FAILURE
        }
    }
}
