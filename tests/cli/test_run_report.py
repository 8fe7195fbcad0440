"""``run`` (plain lines without a terminal, a moving bar in one, Ctrl-C stops the job)
and ``report`` (one row per data line, with and without the CSV, CSV and JSON Lines)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.helpers import (
    DATABASES,
    create_pool,
    csv_header,
    csv_line,
    describe,
    run_import,
    shared_server,
    user_row,
)
from tests.live import LiveServer
from tests.preflight import command, in_terminal, invoke, tool_env

COLUMNS = ["line", "outcome", "reason", "username", "email", "phone_number", "sub"]
SUCCEEDED = "The import succeeded."
SKIPPED = "The user already exists."


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    # Small batches: a 20,000-row import then takes long enough to watch and to stop.
    with shared_server(request.param, tmp_path_factory.mktemp("run"), batch_size=100) as server:
        yield server


def client(live: LiveServer) -> Any:
    from tests.conftest import make_client

    return make_client(live)


def report_json(live: LiveServer, pool_id: str, job_id: str, users: Path) -> list[Any]:
    args = ["--user-pool-id", pool_id, "--job-id", job_id, "--csv", str(users)]
    ran = invoke(["report", *args, "--endpoint-url", live.url, "--format", "json"])
    assert ran.code == 0, ran
    return [json.loads(line) for line in ran.stdout.splitlines()]


def every_outcome(cognito: Any, pool_id: str) -> bytes:
    """Succeeded, skipped (in the pool, and earlier in the file), failed, a blank line."""
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="jane",
        UserAttributes=[{"Name": "email", "Value": "jane@example.com"}],
        MessageAction="SUPPRESS",
    )
    header = csv_header(cognito, pool_id)
    rows = [
        user_row("john", phone_number="+12345550100"),
        user_row("jane"),
        user_row("bad", phone_number="555-0100"),
        user_row("john", email="john2@example.com"),
    ]
    lines = [csv_line(header, r) for r in rows]
    return "\n".join([",".join(header), *lines[:2], "", *lines[2:], ""]).encode()


EXPECTED = [
    (2, "SUCCEEDED", SUCCEEDED, "john", "john@example.com", "+12345550100"),
    (3, "SKIPPED", SKIPPED, "jane", "jane@example.com", ""),
    (5, "FAILED", "Invalid phone number format.", "bad", "bad@example.com", "555-0100"),
    (6, "SKIPPED", SKIPPED, "john", "john2@example.com", ""),
]


def test_report_with_and_without_the_csv(live: LiveServer, tmp_path: Path) -> None:
    cognito = client(live)
    pool_id = create_pool(cognito, "report-every-outcome")
    data = every_outcome(cognito, pool_id)
    users = tmp_path / "users.csv"
    users.write_bytes(data)
    job = run_import(cognito, pool_id, data, name="every-outcome")
    john = cognito.admin_get_user(UserPoolId=pool_id, Username="john")["UserAttributes"][0]
    assert john["Name"] == "sub"
    base = ["report", "--user-pool-id", pool_id, "--job-id", job["JobId"]]
    base += ["--endpoint-url", live.url]

    joined = invoke([*base, "--csv", str(users)])
    assert joined.code == 0, joined
    table = list(csv.reader(io.StringIO(joined.stdout)))
    assert table[0] == COLUMNS
    subs = ["" if e[1] != "SUCCEEDED" else john["Value"] for e in EXPECTED]
    assert [tuple(r) for r in table[1:]] == [
        (str(e[0]), *e[1:], sub) for e, sub in zip(EXPECTED, subs, strict=True)
    ]

    bare = invoke([*base, "--format", "json"])
    assert bare.code == 0, bare
    assert [json.loads(line) for line in bare.stdout.splitlines()] == [
        dict(zip(COLUMNS, (e[0], e[1], e[2], "", "", "", ""), strict=True)) for e in EXPECTED
    ]

    out = tmp_path / "report.jsonl"
    written = invoke([*base, "--csv", str(users), "--format", "json", "-o", str(out)])
    assert (written.code, written.stdout, written.stderr) == (0, "", f"wrote 4 rows to {out}\n")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["sub"] for r in rows] == subs
    assert [r["username"] for r in rows] == [e[3] for e in EXPECTED]


def test_report_reads_subs_of_many_users_by_pages(live: LiveServer, tmp_path: Path) -> None:
    cognito = client(live)
    pool_id = create_pool(cognito, "report-many")
    header = csv_header(cognito, pool_id)
    rows = [csv_line(header, user_row(f"user{i:03}")) for i in range(150)]
    data = "\n".join([",".join(header), *rows, ""]).encode()
    users = tmp_path / "many.csv"
    users.write_bytes(data)
    job = run_import(cognito, pool_id, data, name="many")
    got = {r["username"]: r["sub"] for r in report_json(live, pool_id, job["JobId"], users)}
    pool = {}
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool_id):
        pool.update({u["Username"]: u["Attributes"][0]["Value"] for u in page["Users"]})
    assert len(got) == 150 and got == pool


def test_run_without_a_terminal_prints_plain_lines(live: LiveServer, tmp_path: Path) -> None:
    cognito = client(live)
    pool_id = create_pool(cognito, "run-plain")
    header = csv_header(cognito, pool_id)
    clean = tmp_path / "clean.csv"
    rows = [csv_line(header, user_row(f"u{i}")) for i in range(3000)]
    clean.write_text("\n".join([",".join(header), *rows, ""]))
    target = ["--user-pool-id", pool_id, "--endpoint-url", live.url]

    ran = command(["run", str(clean), *target, "--job-name", "plain"])
    assert ran.code == 0, ran
    lines = ran.stdout.splitlines()
    assert re.fullmatch(
        r"created (import-\w{10}) \(plain\) in \S+; uploading .*clean.csv", lines[0]
    )
    assert "\x1b" not in ran.stdout  # no terminal, no escape codes
    states = [line.split(":")[0] for line in lines[1:-2]]
    assert states[-1] == "Succeeded" and set(states) <= {"Pending", "InProgress", "Succeeded"}
    assert lines[-3].startswith("Succeeded: 3,000 of 3,000 rows · imported 3,000 · skipped 0")
    assert re.fullmatch(
        r"import-\w{10} Succeeded: Import Job Completed Successfully\. · imported 3,000 "
        r"· skipped 0 · failed 0",
        lines[-2],
    )
    assert lines[-1].startswith("  started ")

    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(every_outcome(cognito, pool_id))
    out = tmp_path / "run-report.csv"
    again = command(["run", str(mixed), *target, "--no-progress", "--report", str(out)])
    assert again.code == 1, again
    tail = again.stdout.splitlines()[-5:]
    assert re.fullmatch(
        r"import-\w{10} Failed: Too many users have failed or been skipped during the "
        r"import\. · imported 1 · skipped 2 · failed 1",
        tail[0],
    )
    assert tail[2:] == [
        "  [SKIPPED] Line Number 3 - The user already exists.",
        "  [FAILED] Line Number 5 - Invalid phone number format.",
        "  [SKIPPED] Line Number 6 - The user already exists.",
    ]
    assert again.stderr.endswith(f"wrote 4 rows to {out}\n")
    job_id = tail[0].split()[0]
    reported = invoke(["report", *target, "--job-id", job_id, "--csv", str(mixed)])
    assert out.read_text() == reported.stdout
    assert reported.stdout.count("\n") == 5


def big_file(cognito: Any, pool_id: str, path: Path, rows: int) -> None:
    header = csv_header(cognito, pool_id)
    lines = [csv_line(header, user_row(f"p{i:05}")) for i in range(rows)]
    path.write_text("\n".join([",".join(header), *lines, ""]))


def imported_counts(output: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"imported ([0-9,]+)", output)]


def test_run_in_a_terminal_shows_a_moving_bar(live: LiveServer, tmp_path: Path) -> None:
    cognito = client(live)
    pool_id = create_pool(cognito, "run-bar")
    users = tmp_path / "bar.csv"
    big_file(cognito, pool_id, users, 20_000)
    code, output = in_terminal(
        ["run", str(users), "--user-pool-id", pool_id, "--endpoint-url", live.url], tool_env()
    )
    assert code == 0, output
    assert "━" in output  # rich's bar
    seen = imported_counts(output)
    moving = sorted(set(seen))
    assert len([n for n in moving if 0 < n < 20_000]) >= 2, output
    assert seen == sorted(seen)
    assert "Succeeded: Import Job Completed Successfully." in output
    assert re.search(r"[0-9,]+ rows/s", output)


# Enough rows that the import is still running when the Stop arrives: 20,000 took 0.28 s
# once the engine got faster, and the job had Succeeded before Ctrl-C reached it.
STOP_ROWS = 100_000


def test_ctrl_c_in_a_terminal_stops_the_job(live: LiveServer, tmp_path: Path) -> None:
    cognito = client(live)
    pool_id = create_pool(cognito, "run-stop")
    users = tmp_path / "stop.csv"
    big_file(cognito, pool_id, users, STOP_ROWS)
    typed: list[bytes] = []

    def ctrl_c_once_importing(output: str) -> bytes | None:
        if not typed and any(0 < n for n in imported_counts(output)):
            typed.append(b"\x03")
            return b"\x03"
        return None

    code, output = in_terminal(
        ["run", str(users), "--user-pool-id", pool_id, "--endpoint-url", live.url],
        tool_env(),
        ctrl_c_once_importing,
    )
    assert typed and code == 1, output
    assert "Ctrl-C: stopping import-" in output
    job_id = re.findall(r"import-\w{10}", output)[0]
    job = describe(cognito, pool_id, job_id)
    assert job["Status"] == "Stopped"
    assert job["CompletionMessage"] == "The Import Job was stopped by the developer."
    assert 0 < job["ImportedUsers"] < STOP_ROWS
    assert f"{job_id} Stopped: The Import Job was stopped by the developer." in output
    outcomes = [r["outcome"] for r in report_json(live, pool_id, job_id, users)]
    assert len(outcomes) == STOP_ROWS
    assert outcomes.count("SUCCEEDED") == job["ImportedUsers"]
    assert outcomes.count("NOT_PROCESSED") == STOP_ROWS - job["ImportedUsers"]
