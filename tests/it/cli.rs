//! The command line, run as a user would run it.

use std::process::Command;

fn trellis(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trellis"));
    cmd.env("TRELLIS_DATA_DIR", dir.join("data"))
        .env_remove("DATABASE_URL")
        .current_dir(dir);
    cmd
}

#[test]
fn framework_check_prints_every_problem_with_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.yaml");
    std::fs::write(
        &file,
        "trellis: 1\nname: Bad\ncompetencies:\n  - key: ownership\n    nam: Ownership\ntracks:\n  - key: t\n    name: T\n    kind: individual-contributor\n    levels: []\n",
    )
    .expect("write");
    let out = trellis(dir.path())
        .args(["framework", "check"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let prefix = format!("{}:5:5: ", file.display());
    assert!(stderr.contains(&prefix), "{stderr}");
    assert!(stderr.contains("did you mean `name`"), "{stderr}");
    assert!(stderr.contains("level"), "{stderr}");
}

#[test]
fn framework_check_accepts_the_demo_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = trellis(dir.path())
        .args([
            "framework",
            "check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/demo/framework.yaml"),
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok (4 tracks"));
}

#[test]
fn import_publish_and_export_round_trip_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/framework.yaml");
    let dry = trellis(dir.path())
        .args(["framework", "import", demo, "--dry-run"])
        .output()
        .expect("run");
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(String::from_utf8_lossy(&dry.stdout).contains("dry run: nothing was changed"));

    let import = trellis(dir.path())
        .args([
            "framework",
            "import",
            demo,
            "--publish",
            "--note",
            "First version",
        ])
        .output()
        .expect("run");
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(String::from_utf8_lossy(&import.stdout).contains("published as version 1"));

    let out = dir.path().join("out.yaml");
    let export = trellis(dir.path())
        .args(["framework", "export", "--published", "-o"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let exported = std::fs::read_to_string(&out).expect("exported file");

    let again = trellis(dir.path())
        .args(["framework", "import", "--publish", "--note", "Again"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(again.status.success());
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(again.contains("no changes"), "{again}");
    assert!(again.contains("nothing new to publish"), "{again}");
    let second = trellis(dir.path())
        .args(["framework", "export"])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&second.stdout), exported);
}

#[test]
fn a_failed_import_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/framework.yaml");
    let ok = trellis(dir.path())
        .args(["framework", "import", demo])
        .output()
        .expect("run");
    assert!(ok.status.success());
    let before = trellis(dir.path())
        .args(["framework", "export"])
        .output()
        .expect("run");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "trellis: 1\nname: X\ntracks:\n  - key: x\n    name: X\n    kind: sideways\n",
    )
    .expect("write");
    let failed = trellis(dir.path())
        .args(["framework", "import"])
        .arg(&bad)
        .output()
        .expect("run");
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("nothing was changed"));
    let after = trellis(dir.path())
        .args(["framework", "export"])
        .output()
        .expect("run");
    assert_eq!(before.stdout, after.stdout);
}

#[test]
fn user_create_reads_the_password_from_a_file_and_refuses_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "a long enough password\n").expect("write");
    let create = || {
        trellis(dir.path())
            .args([
                "user",
                "create",
                "--email",
                "Boss@Example.test",
                "--role",
                "admin",
                "--password-file",
            ])
            .arg(&pw)
            .output()
            .expect("run")
    };
    let first = create();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("boss@example.test"));
    let second = create();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("exists already"));
}

#[test]
fn token_create_prints_a_token_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = trellis(dir.path())
        .args(["token", "create", "--name", "ci", "--scope", "api"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .starts_with("tra_")
    );
}

#[test]
fn backup_and_restore_round_trip_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/framework.yaml");
    let run = |data: &str, args: &[&str]| {
        trellis(dir.path())
            .env("TRELLIS_DATA_DIR", dir.path().join(data))
            .args(args)
            .output()
            .expect("run")
    };
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(run(
        "one",
        &["framework", "import", demo, "--publish", "--note", "First"],
    ));
    let file = dir.path().join("trellis.backup");
    let file = file.to_str().expect("a path");
    assert!(ok(run("one", &["backup", file])).contains("tables"));
    assert!(ok(run("two", &["restore", file])).contains("restored"));
    let published = |data| ok(run(data, &["framework", "export", "--published"]));
    assert_eq!(published("one"), published("two"));
    let again = run("two", &["restore", file]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("the database is not empty"), "{stderr}");
}
