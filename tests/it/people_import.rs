//! Importing the people directory from CSV (command line, API, browser) and exporting it again.

use axum::http::StatusCode;
use trellis::auth::Actor;
use trellis::people::import::{self, ImportError, ImportOptions, ImportSummary, RowError};

use crate::helpers::TestApp;

const DRY: ImportOptions = ImportOptions {
    dry_run: true,
    deactivate_missing: false,
};
const APPLY: ImportOptions = ImportOptions {
    dry_run: false,
    deactivate_missing: false,
};

async fn import(
    app: &TestApp,
    csv: &str,
    options: ImportOptions,
) -> Result<ImportSummary, ImportError> {
    import::import_csv(&app.state, &Actor::command_line(), csv, options, &|_, _| {}).await
}

async fn export(app: &TestApp) -> String {
    import::export_csv(&app.state, &Actor::command_line())
        .await
        .expect("export")
}

fn row_errors(result: Result<ImportSummary, ImportError>) -> Vec<RowError> {
    match result {
        Err(ImportError::Rows(rows)) => rows,
        Err(ImportError::App(e)) => panic!("expected row errors, got {e}"),
        Ok(s) => panic!("expected row errors, got {s:?}"),
    }
}

/// A small organisation: Mia manages Noor; both engineers in Platform.
const ORGANISATION: &str = "\
email,name,employee_id,manager_email,team,track,level,start_date,status
mia@demo.trellis.test,Mia Chen,E1,,Platform,software-engineering,principal,2023-04-01,active
noor@demo.trellis.test,Noor Ali,E2,mia@demo.trellis.test,Platform,software-engineering,se1,2024-01-15,active
";

#[tokio::test]
async fn every_bad_input_is_reported_with_its_line_and_column_and_changes_nothing() {
    let app = TestApp::demo().await;
    import(&app, ORGANISATION, APPLY).await.expect("setup");
    let before = export(&app).await;
    let good = "ok@demo.trellis.test";
    let cases: Vec<(String, (usize, &str, &str))> = vec![
        (
            format!(
                "email,manager_email\n{good},\nana@demo.trellis.test,ghost@demo.trellis.test\n"
            ),
            (
                3,
                "manager_email",
                "there is nobody with the email ghost@demo.trellis.test in the file or the directory",
            ),
        ),
        (
            format!(
                "email,manager_email\n{good},\na@x.test,b@x.test\nb@x.test,c@x.test\nc@x.test,a@x.test\n"
            ),
            (
                3,
                "manager_email",
                "the managers make a loop: a@x.test → b@x.test → c@x.test → a@x.test",
            ),
        ),
        (
            // Mia now reports to Noor, who reports to Mia in the directory.
            "email,manager_email\nmia@demo.trellis.test,noor@demo.trellis.test\n".into(),
            (
                2,
                "manager_email",
                "the managers make a loop: mia@demo.trellis.test → noor@demo.trellis.test → mia@demo.trellis.test",
            ),
        ),
        (
            format!("email,track,level\n{good},,\nana@x.test,astronaut,se1\n"),
            (3, "track", "there is no published track “astronaut”"),
        ),
        (
            format!("email,track,level\n{good},,\nana@x.test,software-engineering,se9\n"),
            (
                3,
                "level",
                "the Software Engineering track has no level “se9”",
            ),
        ),
        (
            format!("email,start_date\n{good},\nana@x.test,01/02/2024\n"),
            (
                3,
                "start_date",
                "“01/02/2024” is not a date written YYYY-MM-DD",
            ),
        ),
        (
            format!("email\n{good}\nnot-an-email\n"),
            (3, "email", "“not-an-email” is not an email address"),
        ),
        (
            format!("email\n{good}\nana@x.test\nANA@x.test\n"),
            (4, "email", "ana@x.test is on line 3 already"),
        ),
        (
            format!("name,team\nAna,{good}\n"),
            (
                1,
                "email",
                "the header has no email column: every row needs the person's email",
            ),
        ),
        (
            // A quoted name over two lines: the next row starts on line 5.
            format!("email,name\n{good},\"Ada\nLovelace\"\nana@x.test,Ana\nbad,Bad\n"),
            (5, "email", "“bad” is not an email address"),
        ),
        (
            format!("Email,Start Date\n{good},\nana@x.test,2024-13-01\n"),
            (
                3,
                "Start Date",
                "“2024-13-01” is not a date written YYYY-MM-DD",
            ),
        ),
    ];
    for (csv, (line, column, message)) in cases {
        for options in [DRY, APPLY] {
            let errors = row_errors(import(&app, &csv, options).await);
            assert_eq!(
                errors,
                vec![RowError {
                    line,
                    column: column.into(),
                    message: message.into()
                }],
                "{csv}"
            );
        }
        assert_eq!(export(&app).await, before, "{csv}");
    }
}

#[tokio::test]
async fn lines_are_the_files_own_with_lf_and_crlf_line_ends() {
    let app = TestApp::demo().await;
    let good = "ok@demo.trellis.test";
    // (file with LF line ends, the lines of its mistakes)
    let cases: Vec<(String, Vec<usize>)> = vec![
        (format!("email\n{good}\nnot-an-email\n"), vec![3]),
        (format!("email\n{good}\nnot-an-email"), vec![3]),
        (
            format!("email\nbad-1\n{good}\nbad-2\n\nbad-3\n"),
            vec![2, 4, 6],
        ),
        (
            // Quoted values over two and three lines: rows start later than they are counted.
            format!("email,name\n{good},\"Ada\nLovelace\"\nbad-1,\"One\nTwo\nThree\"\nbad-2,Bad\n"),
            vec![4, 7],
        ),
        (
            format!("email,name\n{good},\"A \"\"quoted\"\"\nname\"\nana@x.test,Ana\nbad,Bad\n"),
            vec![5],
        ),
    ];
    for (lf, lines) in cases {
        let crlf = lf.replace('\n', "\r\n");
        for csv in [&lf, &crlf] {
            let errors = row_errors(import(&app, csv, DRY).await);
            let found: Vec<usize> = errors.iter().map(|e| e.line).collect();
            assert_eq!(found, lines, "{csv:?}: {errors:?}");
            assert!(errors.iter().all(|e| e.column == "email"), "{errors:?}");
        }
    }
    // A row with stray quotes is placed on its own line too.
    for csv in [
        "email,name\nok@x.test,Ok\n\"bad@x.test,\"Bad\" Name\n".to_owned(),
        "email,name\r\nok@x.test,Ok\r\n\"bad@x.test,\"Bad\" Name\r\n".to_owned(),
    ] {
        let errors = row_errors(import(&app, &csv, DRY).await);
        assert!(errors.iter().all(|e| e.line == 3), "{csv:?}: {errors:?}");
    }
}

#[tokio::test]
async fn every_mistake_of_a_file_is_reported_at_once() {
    let app = TestApp::demo().await;
    let csv = "email,start_date,track,level\nbad,someday,,\nok@x.test,,nowhere,se1\n";
    let errors: Vec<String> = row_errors(import(&app, csv, DRY).await)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            "2: email: “bad” is not an email address",
            "2: start_date: “someday” is not a date written YYYY-MM-DD",
            "3: track: there is no published track “nowhere”",
        ]
    );
}

#[tokio::test]
async fn an_import_adds_people_with_managers_teams_and_first_positions() {
    let app = TestApp::demo().await;
    // The report comes before the manager: the import writes managers first.
    let csv = "\
email,name,manager_email,team,track,level,start_date
noor@demo.trellis.test,Noor Ali,mia@demo.trellis.test,Platform,Software Engineering,Software Engineer I,2024-01-15
mia@demo.trellis.test,Mia Chen,,platform,software-engineering,principal,2023-04-01
";
    let dry = import(&app, csv, DRY).await.expect("dry run");
    assert_eq!((dry.created, dry.positions_recorded), (2, 2));
    assert_eq!(dry.changes.len(), 2);
    assert!(export(&app).await.lines().count() == 3, "dry run wrote");
    let done = import(&app, csv, APPLY).await.expect("import");
    assert_eq!(
        (done.created, done.updated, done.positions_recorded),
        (2, 0, 2)
    );
    let exported = export(&app).await;
    assert!(
        exported.contains(
            "noor@demo.trellis.test,Noor Ali,,mia@demo.trellis.test,Platform,software-engineering,se1,2024-01-15,active"
        ),
        "{exported}"
    );
    // The first position is a hire from the start date.
    let admin = app.admin().await;
    let list = app
        .get("/api/v1/people?q=noor")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let id = list["people"][0]["id"].as_i64().expect("an id");
    let history = app
        .get(&format!("/api/v1/people/{id}/positions"))
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(history[0]["kind"], "hire", "{history}");
    assert_eq!(history[0]["effective_on"], "2024-01-15", "{history}");
    let audit = trellis::audit::recent(app.state.db(), &Actor::command_line(), 20)
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "person.create").count(), 2);
    assert_eq!(
        actions.iter().filter(|a| **a == "position.record").count(),
        2
    );
    assert!(actions.contains(&"people.import"), "{actions:?}");
}

#[tokio::test]
async fn upsert_by_email_updates_people_in_place() {
    let app = TestApp::demo().await;
    import(&app, ORGANISATION, APPLY).await.expect("setup");
    let before = export(&app).await;
    // Only some columns: the others stay as they are. The email's case does not matter.
    let csv = "EMAIL,Team,Level,Track\nNOOR@demo.trellis.test,Growth,se2,software-engineering\n";
    let summary = import(&app, csv, APPLY).await.expect("import");
    assert_eq!(
        (summary.created, summary.updated, summary.positions_recorded),
        (0, 1, 1)
    );
    assert_eq!(
        summary.changes[0].change,
        "team: Platform → Growth; position: Software Engineer II (Software Engineering)"
    );
    let after = export(&app).await;
    assert_eq!(after.lines().count(), before.lines().count());
    assert!(
        after.contains("noor@demo.trellis.test,Noor Ali,E2,mia@demo.trellis.test,Growth,software-engineering,se2,2024-01-15,active"),
        "{after}"
    );
}

#[tokio::test]
async fn deactivate_missing_marks_absent_people_as_left_and_ends_their_sessions() {
    let app = TestApp::demo().await;
    import(&app, ORGANISATION, APPLY).await.expect("setup");
    let admin = app.admin().await;
    let employee = app.employee().await;
    app.get("/people")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::OK);
    let csv = "email\nmia@demo.trellis.test\nnoor@demo.trellis.test\n";
    let dry = app
        .post("/api/v1/people/import?dry_run=true&deactivate_missing=true")
        .session(&admin)
        .text("text/csv", csv)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    // The admin running the import is kept.
    assert_eq!(dry["deactivated"], 1, "{dry}");
    assert_eq!(dry["changes"][0]["email"], "employee@demo.trellis.test");
    let done = app
        .post("/api/v1/people/import?deactivate_missing=true")
        .session(&admin)
        .text("text/csv", csv)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(done["deactivated"], 1, "{done}");
    let exported = export(&app).await;
    assert!(
        exported.contains("employee@demo.trellis.test,Sam Employee,,,,,,,left"),
        "{exported}"
    );
    let sessions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1",
    )
    .bind("employee@demo.trellis.test")
    .fetch_one(app.state.db().pool())
    .await
    .expect("count sessions");
    assert_eq!(sessions, 0);
    let res = app.get("/people").session(&employee).send().await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "the session still works");
    // Their reports are not in the file either: a file with nobody in it is refused.
    let empty = import(
        &app,
        "email\n",
        ImportOptions {
            dry_run: false,
            deactivate_missing: true,
        },
    )
    .await;
    assert_eq!(row_errors(empty)[0].line, 1);
}

#[tokio::test]
async fn a_lattice_bulk_assignment_file_assigns_tracks_and_levels() {
    let app = TestApp::demo().await;
    import(&app, ORGANISATION, APPLY).await.expect("setup");
    let csv = "\
Employee name,Employee email,Track name,Level name
Noor,noor@demo.trellis.test,Engineering Management,Engineering Manager
Mia,mia@demo.trellis.test,Software Engineering,Principal Engineer
";
    let summary = import(&app, csv, APPLY).await.expect("import");
    assert_eq!(summary.shape, "lattice");
    assert_eq!(
        (
            summary.updated,
            summary.unchanged,
            summary.positions_recorded
        ),
        (1, 1, 1)
    );
    assert_eq!(summary.ignored_columns, ["Employee name"]);
    assert!(
        export(&app)
            .await
            .contains("noor@demo.trellis.test,Noor Ali,E2,mia@demo.trellis.test,Platform,engineering-management,em,"),
    );
    // A bulk assignment assigns; it does not add people.
    let unknown = "Employee email,Track name,Level name\nnew@x.test,Software Engineering,Software Engineer I\n";
    let errors = row_errors(import(&app, unknown, DRY).await);
    assert_eq!(
        (errors[0].line, errors[0].column.as_str()),
        (2, "Employee email")
    );
}

#[tokio::test]
async fn export_then_import_changes_nothing() {
    let app = TestApp::demo().await;
    import(&app, ORGANISATION, APPLY).await.expect("setup");
    import(
        &app,
        "email,name,team,status\nold@demo.trellis.test,\"Old, Timer\",\"Team \"\"A\"\"\",left\n",
        APPLY,
    )
    .await
    .expect("a person who left");
    let exported = export(&app).await;
    let dry = import(&app, &exported, DRY).await.expect("dry run");
    assert_eq!(dry.rows, 5);
    assert_eq!(
        (
            dry.created,
            dry.updated,
            dry.positions_recorded,
            dry.deactivated,
            dry.unchanged
        ),
        (0, 0, 0, 0, 5),
        "{:?}",
        dry.changes
    );
    assert!(!dry.changes_anything());
    import(&app, &exported, APPLY).await.expect("import");
    assert_eq!(export(&app).await, exported);
}

#[tokio::test]
async fn the_export_defuses_formulas_from_the_directory_and_reads_back_unchanged() {
    let app = TestApp::demo().await;
    // What an HRIS or an identity provider might send as names, ids and teams.
    import(
        &app,
        "email,name,employee_id,team\n\
         f1@demo.trellis.test,\"=HYPERLINK(\"\"https://evil.example\"\",\"\"Open\"\")\",+E1,@Team\n\
         f2@demo.trellis.test,-2+3,=E2,-Ops\n\
         f3@demo.trellis.test,''=already quoted,'s-Hertogenbosch,Team\n",
        APPLY,
    )
    .await
    .expect("setup");
    let exported = export(&app).await;
    let cells: Vec<Vec<String>> = csv::Reader::from_reader(exported.as_bytes())
        .records()
        .map(|r| r.expect("a row").iter().map(str::to_owned).collect())
        .collect();
    for row in &cells {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {exported}"
            );
        }
    }
    assert!(exported.contains("\"'=HYPERLINK("), "{exported}");
    assert!(exported.contains("'+E1,,'@Team"), "{exported}");
    assert!(exported.contains("''=already quoted"), "{exported}");
    // The apostrophes are the export's own: reading the file back changes nothing.
    let dry = import(&app, &exported, DRY).await.expect("dry run");
    assert!(!dry.changes_anything(), "{:?}", dry.changes);
    import(&app, &exported, APPLY).await.expect("import");
    assert_eq!(export(&app).await, exported);
    for (email, name) in [
        (
            "f1@demo.trellis.test",
            "=HYPERLINK(\"https://evil.example\",\"Open\")",
        ),
        ("f3@demo.trellis.test", "'=already quoted"),
    ] {
        let stored: String = sqlx::query_scalar("SELECT name FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(app.state.db().pool())
            .await
            .expect("a name");
        assert_eq!(stored, name);
    }
}

#[tokio::test]
async fn the_api_lists_every_row_error_in_a_problem() {
    let app = TestApp::demo().await;
    let token = app.token("api").await;
    let res = app
        .post("/api/v1/people/import")
        .bearer(&token)
        .text(
            "text/csv",
            "email,manager_email\nana@x.test,ghost@x.test\nbad,\n",
        )
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.header("content-type"), "application/problem+json");
    let problem = res.json();
    assert_eq!(problem["errors"][0]["field"], "line 2: manager_email");
    assert_eq!(problem["errors"][1]["field"], "line 3: email");
    assert_eq!(
        problem["detail"],
        "The file has 2 problems; nothing was changed."
    );
    let csv = app
        .get("/api/v1/people/export")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.body.starts_with(
            "email,name,employee_id,manager_email,team,track,level,start_date,status\n"
        )
    );
}

#[tokio::test]
async fn employees_may_not_import_or_export() {
    let app = TestApp::demo().await;
    let employee = app.employee().await;
    app.get("/people/import")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/people/export.csv")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post("/api/v1/people/import")
        .session(&employee)
        .text("text/csv", "email\nx@x.test\n")
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    app.get("/api/v1/people/export")
        .session(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_browser_previews_then_applies_the_same_file() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let page = app
        .get("/people/import")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csv = "email,name,team\nrosa@demo.trellis.test,Rosa <b>Parks</b>,Platform\n";
    let preview = app
        .post("/people/import")
        .session(&admin)
        .multipart(&[("file", Some("hris.csv"), csv), ("step", None, "preview")])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        preview.body.contains("<strong>1</strong> added"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("Rosa &lt;b&gt;Parks&lt;/b&gt;")
            || !preview.body.contains("<b>Parks")
    );
    assert!(!preview.body.contains("<b>Parks</b>"));
    assert!(preview.body.contains("name=\"step\" value=\"apply\""));
    assert!(export(&app).await.lines().count() == 3, "a preview wrote");
    let applied = app
        .post("/people/import")
        .session(&admin)
        .multipart(&[
            ("filename", None, "hris.csv"),
            ("content", None, csv),
            ("step", None, "apply"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        applied.body.contains("hris.csv was imported"),
        "{}",
        applied.body
    );
    let list = app
        .get("/people?q=rosa")
        .session(&admin)
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(list.body.contains("rosa@demo.trellis.test"));

    let bad = app
        .post("/people/import")
        .session(&admin)
        .multipart(&[
            (
                "file",
                Some("hris.csv"),
                "email,start_date\nx@x.test,soon\n",
            ),
            ("step", None, "preview"),
        ])
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("hris.csv:2: start_date:</code> “soon” is not a date written YYYY-MM-DD"),
        "{}",
        bad.body
    );
}

/// One file with one of each mistake, the first row's name quoted over two lines: one run reports
/// every problem of every kind, each on the file's own line, the same through the API.
#[tokio::test]
async fn one_run_reports_every_kind_of_problem_on_the_files_own_lines() {
    let app = TestApp::demo().await;
    let csv = "\
email,name,employee_id,manager_email,start_date,track,level
ana@x.test,\"Ana
Lopez\",E1,ghost@x.test,someday,software-engineering,nolevel
bo@x.test,Bo,E2,cy@x.test,,,
cy@x.test,Cy,E2,bo@x.test,,,
ana@x.test,Ana again,E9,,,,
dee@x.test,Dee,E7,,,nowhere,se1
fay@x.test,Fay,,ana@x.test,,,
";
    let errors = row_errors(import(&app, csv, DRY).await);
    let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        found,
        [
            (2, "start_date"),
            (2, "level"),
            (2, "manager_email"),
            (4, "manager_email"),
            (5, "employee_id"),
            (6, "email"),
            (7, "track"),
        ],
        "{errors:#?}"
    );
    let message = |line: usize, column: &str| {
        errors
            .iter()
            .find(|e| e.line == line && e.column == column)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    };
    assert!(message(2, "manager_email").contains("ghost@x.test"));
    assert!(message(4, "manager_email").contains("bo@x.test → cy@x.test → bo@x.test"));
    assert!(message(5, "employee_id").contains("line 4"));
    assert!(message(6, "email").contains("line 2"));

    let token = app.token("api").await;
    let problem = app
        .post("/api/v1/people/import?dry_run=true")
        .bearer(&token)
        .text("text/csv", csv)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .json();
    let fields: Vec<String> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    let expected: Vec<String> = found
        .iter()
        .map(|(line, column)| format!("line {line}: {column}"))
        .collect();
    assert_eq!(fields, expected);
}

/// What a browser sends back of a hidden textarea: its text as parsed, without the one line break
/// the parser drops after the opening tag, with CRLF line ends.
fn textarea_content(page: &str) -> String {
    let start = page
        .find("<textarea name=\"content\" hidden>")
        .expect("textarea")
        + "<textarea name=\"content\" hidden>".len();
    let end = start + page[start..].find("</textarea>").expect("end");
    // The parser reads every line end as a line feed; the form sends each as CRLF.
    let parsed = page[start..end].replace("\r\n", "\n").replace('\r', "\n");
    let raw = parsed.strip_prefix('\n').unwrap_or(&parsed);
    let mut text = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        text.push_str(&rest[..at]);
        let end = at + rest[at..].find(';').expect("entity end");
        let entity = &rest[at + 1..end];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "amp" => '&',
            "apos" => '\'',
            _ => entity
                .strip_prefix('#')
                .and_then(|n| n.parse::<u32>().ok())
                .and_then(char::from_u32)
                .expect("a known entity"),
        };
        text.push(c);
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    text.replace('\n', "\r\n")
}

/// A file starting with an empty line, a quoted value over two lines and CRLF line ends: the
/// preview and the result show each change on the same line.
#[tokio::test]
async fn the_preview_and_the_result_name_the_same_lines() {
    let app = TestApp::demo().await;
    let admin = app.admin().await;
    let csv = "\r\nemail,name,team\r\nrosa@x.test,\"Rosa\r\nParks\",Platform\r\nlee@x.test,Lee,Platform\r\n";
    let preview = app
        .post("/people/import")
        .session(&admin)
        .multipart(&[("file", Some("hris.csv"), csv), ("step", None, "preview")])
        .send()
        .await
        .expect(StatusCode::OK);
    let lines = |body: &str| -> Vec<String> {
        body.split("<tr><td>")
            .skip(1)
            .map(|row| row.split("</td>").next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(lines(&preview.body), ["3", "5"], "{}", preview.body);
    let content = textarea_content(&preview.body);
    let applied = app
        .post("/people/import")
        .session(&admin)
        .multipart(&[
            ("filename", None, "hris.csv"),
            ("content", None, &content),
            ("step", None, "apply"),
        ])
        .send()
        .await
        .expect(StatusCode::OK);
    assert!(
        applied.body.contains("hris.csv was imported"),
        "{}",
        applied.body
    );
    assert_eq!(lines(&applied.body), ["3", "5"], "{}", applied.body);
}
