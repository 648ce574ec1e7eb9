#!/usr/bin/env python3
"""Kills a Trellis server with SIGKILL in the middle of a concurrent write load, again and again,
and checks after each restart that every write the server answered with 2xx is still there.

Run by scripts/crash-test, which builds the binary and provides the database:

    crash_load.py --binary target/debug/trellis --database-url URL --kills 50 --port 18080

Standard library only. The load, from several clients at once over HTTP:
  - people added one by one (POST /api/v1/people, organisation token);
  - people CSV imports of two new people each (POST /api/v1/people/import);
  - framework draft edits, each adding a category (POST /api/v1/draft/edits);
  - check-in ratings: each of a few people saves their own side of a check-in over and over
    (PUT /api/v1/checkins/ID/self-ratings, signed in with a session), the comment numbering the
    write, so that the stored one must be at least the last answered.
Every answered write is remembered for the whole run: after each restart, all of them, from every
round so far, must be there. Exits 1 on any loss.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

PASSWORD = "crash test password 1"
TRACK, LEVEL, COMPETENCY = "software-engineering", "se1", "ownership"
RATERS = 3


class Server:
    def __init__(self, binary, env, port, log):
        self.binary, self.env, self.port, self.log = binary, env, port, log
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server stopped on start (exit {self.proc.returncode})")
            try:
                status, _, _ = request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("the server did not answer /healthz within 60 s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def request(port, method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.getheaders(), res.read().decode("utf-8", "replace")
    finally:
        conn.close()


def cli(binary, env, *args, stdin=None):
    out = subprocess.run(
        [binary, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"trellis {' '.join(args)} failed:\n{out.stdout}{out.stderr}")
    return out.stdout


class Ledger:
    """The writes the server acknowledged, kept for the whole run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.people = set()  # emails added one by one or by import
        self.categories = set()  # draft category keys
        self.ratings = {}  # rater -> highest acknowledged write number
        self.acked = 0
        self.refused = []  # answers that were neither 2xx nor a lost connection

    def add(self, kind, value):
        with self.lock:
            self.acked += 1
            if kind == "person":
                self.people.add(value)
            elif kind == "category":
                self.categories.add(value)
            else:
                rater, n = value
                self.ratings[rater] = max(self.ratings.get(rater, 0), n)

    def refuse(self, what):
        with self.lock:
            self.refused.append(what)


def client(kind, index, port, token, session, checkin, round_no, ledger, stop):
    """One client: writes until the server goes away (or the round is stopped)."""
    auth = {"Authorization": f"Bearer {token}"}
    n = 0
    while not stop.is_set():
        n += 1
        tag = f"r{round_no}c{index}n{n}"
        try:
            if kind == "person":
                email = f"p-{tag}@crash.test"
                body = json.dumps({"email": email, "name": f"Person {tag}"})
                status, _, text = request(
                    port, "POST", "/api/v1/people", body,
                    {**auth, "Content-Type": "application/json"})
                done = [("person", email)]
            elif kind == "import":
                a, b = f"i-{tag}-a@crash.test", f"i-{tag}-b@crash.test"
                body = f"email,name\r\n{a},Import {tag} A\r\n{b},Import {tag} B\r\n"
                status, _, text = request(
                    port, "POST", "/api/v1/people/import", body,
                    {**auth, "Content-Type": "text/csv"})
                done = [("person", a), ("person", b)]
            elif kind == "draft":
                key = f"crash-{tag}"
                body = json.dumps({"op": "add_category", "key": key, "name": f"Crash {tag}"})
                status, _, text = request(
                    port, "POST", "/api/v1/draft/edits", body,
                    {**auth, "Content-Type": "application/json"})
                done = [("category", key)]
            else:
                # A write number that only grows over the whole run: the round and the step.
                number = round_no * 1_000_000 + n
                body = json.dumps({"ratings": {COMPETENCY: {
                    "rating": random.choice(["below", "working_towards", "meets", "exceeds"]),
                    "comment": f"crash-{index}-{number}",
                }}})
                status, _, text = request(
                    port, "PUT", f"/api/v1/checkins/{checkin}/self-ratings", body,
                    {"Cookie": session, "Content-Type": "application/json"})
                done = [("rating", (index, number))]
        except (OSError, http.client.HTTPException):
            return  # the server went away: this write was not answered
        if 200 <= status < 300:
            for k, v in done:
                ledger.add(k, v)
        elif status == 429:
            time.sleep(0.05)
        else:
            ledger.refuse(f"{kind} {status}: {text[:300]}")
            return


def sign_in(port, email):
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD})
    status, headers, text = request(
        port, "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 303:
        raise SystemExit(f"signing in as {email} answered {status}: {text[:300]}")
    for name, value in headers:
        if name.lower() == "set-cookie":
            return value.split(";", 1)[0]
    raise SystemExit(f"signing in as {email} set no cookie")


def find_id(value, email):
    """The id of the object with this email anywhere in a JSON answer."""
    if isinstance(value, dict):
        if value.get("email") == email and "id" in value:
            return value["id"]
        value = list(value.values())
    if isinstance(value, list):
        for v in value:
            found = find_id(v, email)
            if found is not None:
                return found
    return None


def verify(args, env, port, ledger, sessions, checkins):
    """Every acknowledged write is there; returns a list of what is missing."""
    missing = []
    exported = cli(args.binary, env, "people", "export")
    emails = {line.split(",", 1)[0] for line in exported.splitlines()[1:]}
    missing += [f"person {e}" for e in sorted(ledger.people - emails)]
    draft = cli(args.binary, env, "framework", "export")
    keys = set(re.findall(r"key: (crash-[a-z0-9]+)", draft))
    missing += [f"draft category {k}" for k in sorted(ledger.categories - keys)]
    for rater, acked in ledger.ratings.items():
        status, _, text = request(
            port, "GET", f"/api/v1/checkins/{checkins[rater]}",
            headers={"Cookie": sessions[rater]})
        stored = [int(n) for n in re.findall(rf"crash-{rater}-(\d+)", text)]
        if status != 200 or not stored or max(stored) < acked:
            missing.append(
                f"rating of rater {rater}: acknowledged write {acked}, stored {stored} ({status})")
    return missing


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--port", type=int, default=18080)
    p.add_argument("--name", default="database")
    p.add_argument("--min-delay", type=float, default=0.3)
    p.add_argument("--max-delay", type=float, default=1.5)
    args = p.parse_args()

    env = dict(os.environ)
    env.update({
        "DATABASE_URL": args.database_url,
        "TRELLIS_RATE_API": "off",
        "TRELLIS_RATE_SIGN_IN": "off",
        "TRELLIS_RATE_SCIM": "off",
        "TRELLIS_LOG": env.get("TRELLIS_LOG", "error"),
    })
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cli(args.binary, env, "migrate")
    cli(args.binary, env, "framework", "import", os.path.join(repo, "demo", "framework.yaml"),
        "--publish", "--note", "Crash test")
    raters = [f"rater{i}@crash.test" for i in range(RATERS)]
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as pw:
        pw.write(PASSWORD + "\n")
        pw.flush()
        for email in raters:
            cli(args.binary, env, "user", "create", "--email", email, "--role", "employee",
                "--password-file", pw.name)
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as csv:
        csv.write("email,name,track,level,start_date\n")
        for i, email in enumerate(raters):
            csv.write(f"{email},Rater {i},{TRACK},{LEVEL},2024-01-15\n")
        csv.flush()
        cli(args.binary, env, "people", "import", csv.name)
    token = cli(args.binary, env, "token", "create", "--name", "crash test").strip()

    log = tempfile.NamedTemporaryFile("w+", prefix="trellis-crash-", suffix=".log", delete=False)
    server = Server(args.binary, env, args.port, log)
    server.start()
    sessions, checkins = [], []
    auth = {"Authorization": f"Bearer {token}"}
    for email in raters:
        sessions.append(sign_in(args.port, email))
        status, _, text = request(args.port, "GET", f"/api/v1/people?q={urllib.parse.quote(email)}",
                                  headers=auth)
        person = find_id(json.loads(text), email) if status == 200 else None
        if person is None:
            raise SystemExit(f"cannot find {email}: {status} {text[:300]}")
        status, _, text = request(
            args.port, "POST", f"/api/v1/people/{person}/checkins",
            json.dumps({"track": TRACK, "level": LEVEL}),
            {"Cookie": sessions[-1], "Content-Type": "application/json"})
        if status != 201:
            raise SystemExit(f"starting a check-in for {email} answered {status}: {text[:300]}")
        checkins.append(json.loads(text)["id"])

    ledger = Ledger()
    kinds = ["person", "person", "import", "draft"] + ["rating"] * RATERS
    started = time.time()
    failed = False
    for round_no in range(1, args.kills + 1):
        stop = threading.Event()
        threads = []
        raters_seen = 0
        for i, kind in enumerate(kinds):
            index = raters_seen if kind == "rating" else i
            session = sessions[index] if kind == "rating" else None
            checkin = checkins[index] if kind == "rating" else None
            if kind == "rating":
                raters_seen += 1
            t = threading.Thread(target=client, args=(
                kind, index, args.port, token, session, checkin, round_no, ledger, stop))
            t.start()
            threads.append(t)
        time.sleep(random.uniform(args.min_delay, args.max_delay))
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        server.start()
        missing = verify(args, env, args.port, ledger, sessions, checkins)
        if ledger.refused:
            print(f"{args.name}: round {round_no}: answers that were not 2xx:", file=sys.stderr)
            for r in ledger.refused[:10]:
                print(f"  {r}", file=sys.stderr)
            failed = True
        if missing:
            print(f"{args.name}: round {round_no}: {len(missing)} acknowledged write(s) lost:",
                  file=sys.stderr)
            for m in missing[:20]:
                print(f"  {m}", file=sys.stderr)
            failed = True
        print(f"{args.name}: kill {round_no}/{args.kills}: {ledger.acked} acknowledged writes "
              f"so far, none lost" if not missing else "", flush=True)
        if failed:
            break
    server.kill()
    took = time.time() - started
    if failed:
        print(f"{args.name}: FAILED (server log: {log.name})", file=sys.stderr)
        return 1
    os.unlink(log.name)
    print(f"{args.name}: {args.kills} kills, {ledger.acked} acknowledged writes "
          f"({len(ledger.people)} people, {len(ledger.categories)} draft edits, "
          f"{sum(1 for _ in ledger.ratings)} raters), none lost, in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
