"""Batches commit whole: counters with their users, Stop after the batch in flight, and a
kill -9 mid-import that loses and repeats nothing.

The in-process tests use LiveServer with small batches. The crash tests run
``cognito-import`` as real subprocesses and SIGKILL them: no shutdown code runs, as when
a host dies; the outcome is compared with an uncrashed import of the same file.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cognito_import.domain.rows import alias_taken_reason, bool_reason
from tests.conftest import make_client
from tests.engine.helpers import (
    POLL,
    Process,
    build_csv,
    client,
    counts,
    create_pool,
    csv_header,
    describe,
    job_log,
    list_users,
    no_delay,
    processes,
    run_import,
    spawned_children,
    start_job,
    succeeded,
    user_row,
    usernames,
    wait_job,
)
from tests.live import LiveServer

TOO_MANY = "Too many users have failed or been skipped during the import."
STOPPED = "The Import Job was stopped by the developer."
ALIAS_POOL = {"AliasAttributes": ["email"]}


def crash_rows(count: int) -> list[dict[str, str]]:
    """Mostly good users, with outcomes that depend on rows committed earlier (maybe
    before a crash): repeated usernames, taken emails, and plain failures."""
    rows = []
    for i in range(count):
        kind = i % 20
        if kind == 5:
            rows.append(user_row(f"user{i:05d}", email_verified="maybe"))
        elif kind == 11 and i >= 7:
            rows.append(user_row(f"user{i - 7:05d}", name="repeat"))
        elif kind == 17 and i >= 300:
            rows.append(user_row(f"user{i:05d}", email=f"user{i - 300:05d}@example.com"))
        else:
            rows.append(user_row(f"user{i:05d}"))
    return rows


@pytest.fixture
def small_batches(database: str, tmp_path: Path) -> Iterator[LiveServer]:
    with no_delay(LiveServer(database, tmp_path / "data", batch_size=50)) as live:
        yield live


def test_counters_commit_with_their_users(small_batches: LiveServer) -> None:
    """While the import runs, what Describe counts and what the pool holds never
    disagree. Reads are separate requests, so each pool read is bracketed by two
    Describes: Imported(before) <= users <= Imported(after)."""
    cognito = make_client(small_batches)
    pool_id = create_pool(cognito, "counters")
    # All good and in username order, so the pool always holds a prefix of the file;
    # every 100th user is a probe, so ListUsers can count the prefix in a page or two.
    rows = [
        user_row(f"user{i:05d}", given_name="probe" if i % 100 == 0 else "") for i in range(12_000)
    ]
    job = start_job(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
    midway = 0
    while True:
        before = describe(cognito, pool_id, job["JobId"])["ImportedUsers"]
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        probes = list_users(cognito, pool_id, 'given_name = "probe"')
        after = describe(cognito, pool_id, job["JobId"])
        assert before <= pool["EstimatedNumberOfUsers"] <= after["ImportedUsers"]
        assert (before + 99) // 100 <= len(probes) <= (after["ImportedUsers"] + 99) // 100
        midway += 0 < before and after["Status"] == "InProgress"
        if after["Status"] == "Succeeded":
            break
        time.sleep(POLL / 5)
    assert midway >= 2, "the import finished before it could be watched"
    assert counts(after) == (len(rows), 0, 0)
    assert len(list_users(cognito, pool_id)) == len(rows)


def test_stop_keeps_what_was_committed(small_batches: LiveServer) -> None:
    cognito = make_client(small_batches)
    logs = make_client(small_batches, "logs")
    pool_id = create_pool(cognito, "stop")
    rows = [user_row(f"user{i:05d}") for i in range(20_000)]
    job = start_job(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
    wait_job(cognito, pool_id, job["JobId"], lambda j: j["ImportedUsers"] > 0)

    stopping = cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert stopping["UserImportJob"]["Status"] == "Stopping"
    stopped = wait_job(cognito, pool_id, job["JobId"], lambda j: j["Status"] != "Stopping")

    assert (stopped["Status"], stopped["CompletionMessage"]) == ("Stopped", STOPPED)
    imported = stopped["ImportedUsers"]
    assert 0 < imported < len(rows) and counts(stopped) == (imported, 0, 0)
    # Whole batches only, and exactly the first users of the file.
    assert imported % 50 == 0
    assert usernames(cognito, pool_id) == [f"user{i:05d}" for i in range(imported)]
    log = job_log(cognito, logs, pool_id, stopped)
    assert log == [succeeded(n) for n in range(2, 2 + imported)]
    time.sleep(0.2)
    assert describe(cognito, pool_id, job["JobId"]) == stopped


@pytest.mark.parametrize(
    ("settings", "status"), [({}, "Failed"), ({"failure_threshold": 0.9}, "Succeeded")]
)
def test_failure_threshold(
    database: str, tmp_path: Path, settings: dict[str, float], status: str
) -> None:
    """4 of 7 rows failed or skipped: over the default half, under a 0.9 threshold."""
    with no_delay(LiveServer(database, tmp_path / "data", **settings)) as live:
        cognito = make_client(live)
        pool_id = create_pool(cognito, "threshold")
        rows = [
            user_row("a"),
            user_row("b", email_verified="no"),
            user_row("a"),
            user_row("c"),
            user_row("d", cognito__mfa_enabled="yes"),
            user_row("e", email_verified="false"),
            user_row("f"),
        ]
        job = run_import(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
        message = TOO_MANY if status == "Failed" else "Import Job Completed Successfully."
        assert (job["Status"], job["CompletionMessage"], counts(job)) == (
            status,
            message,
            (3, 1, 3),
        )
        assert usernames(cognito, pool_id) == ["a", "c", "f"]


def test_exactly_half_failed_succeeds(server: LiveServer) -> None:
    cognito = make_client(no_delay(server))
    pool_id = create_pool(cognito, "half")
    rows = [user_row("a"), user_row("b", email_verified="no")]
    job = run_import(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
    assert (job["Status"], counts(job)) == ("Succeeded", (1, 0, 1))


# -- kill -9 ----------------------------------------------------------------------------

CRASH_ROWS = 20_000


def resumed_from(process: Process, job_id: str) -> int:
    """The line ``process`` last started ``job_id`` from (1: the start), 0 if never."""
    found = re.findall(rf"importing {job_id} \(InProgress\) from line (\d+)", process.output())
    return int(found[-1]) if found else 0


def crash_file(url: str) -> tuple[str, bytes]:
    cognito = client(url)
    pool_id = create_pool(cognito, "crash", **ALIAS_POOL)
    return pool_id, build_csv(csv_header(cognito, pool_id), crash_rows(CRASH_ROWS))


def kill_mid_import(process: Process, url: str, pool_id: str, job_id: str) -> Any:
    """SIGKILL ``process`` once a random number of users (up to 30% of the file) is
    committed, as the API at ``url`` shows; the job as it was just before."""
    cognito = client(url)
    after = random.randrange(1, CRASH_ROWS * 3 // 10)
    print(f"killing after {after} imported users")  # shown when the test fails
    deadline = time.monotonic() + 60
    while True:
        job = describe(cognito, pool_id, job_id)
        if job["ImportedUsers"] >= after:
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.005)
    process.kill()
    assert job["Status"] == "InProgress", "the import ended before the kill"
    return job


def assert_same_as_uncrashed(url: str, pool_id: str, job: Any, data: bytes) -> None:
    """The crashed job's outcome equals a fresh import of the same file in a new pool."""
    cognito = client(url)
    logs = client(url, "logs")
    again = create_pool(cognito, "uncrashed", **ALIAS_POOL)
    clean = run_import(cognito, again, data, name=job["JobName"], timeout=120)
    assert (job["Status"], counts(job)) == (clean["Status"], counts(clean))
    assert sum(counts(job)) == CRASH_ROWS
    users = [u["Username"] for u in list_users(cognito, pool_id)]
    assert len(users) == len(set(users)) == job["ImportedUsers"]
    assert sorted(users) == usernames(cognito, again)
    log = job_log(cognito, logs, pool_id, job)
    assert log == job_log(cognito, logs, again, clean)
    # Each line once, in order (the uncrashed log could share a bug; this cannot).
    assert [int(m.split(" - ")[0].rsplit(" ", 1)[1]) for m in log] == list(range(2, 2 + CRASH_ROWS))
    # The file's kinds of failure really happened, before and after the crash.
    reasons = {m.split(" - ", 1)[1] for m in log}
    assert {bool_reason("email_verified"), alias_taken_reason("email")} <= reasons


@pytest.mark.slow
def test_kill_9_mid_import_resumes_without_loss_or_repeat(database: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with processes() as started:
        first = Process("serve", database, data_dir, "--batch-size", "200")
        started.append(first.wait_ready())
        pool_id, data = crash_file(first.url)
        job = start_job(client(first.url), pool_id, data, name="crash job")
        at_kill = kill_mid_import(first, first.url, pool_id, job["JobId"])

        second = Process("serve", database, data_dir, "--batch-size", "200")
        started.append(second.wait_ready())
        cognito = client(second.url)
        # Nothing moved while no process ran; what was committed is all there.
        assert describe(cognito, pool_id, job["JobId"])["ImportedUsers"] >= at_kill["ImportedUsers"]
        done = wait_job(cognito, pool_id, job["JobId"], timeout=120)
        assert resumed_from(second, job["JobId"]) > 2, second.output()
        assert_same_as_uncrashed(second.url, pool_id, done, data)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_worker_of_another_process_takes_over(database: str, tmp_path: Path) -> None:
    """Two worker processes and an API server without one, on one PostgreSQL: the
    worker that claimed the job is SIGKILLed mid-import; the other, already running,
    resumes the job once the dead one's heartbeat is a second old."""
    data_dir = tmp_path / "data"
    with processes() as started:
        api = Process("serve", database, data_dir, "--no-worker")
        started.append(api.wait_ready())
        pool_id, data = crash_file(api.url)
        workers = [Process("worker", database, data_dir, "--batch-size", "200") for _ in "ab"]
        started.extend(workers)
        job = start_job(client(api.url), pool_id, data, name="takeover")
        claimed = wait_job(
            client(api.url), pool_id, job["JobId"], lambda j: j["Status"] == "InProgress"
        )
        assert claimed["ImportedUsers"] < CRASH_ROWS
        deadline = time.monotonic() + 10
        while not any(resumed_from(w, job["JobId"]) for w in workers):
            assert time.monotonic() < deadline, [w.output() for w in workers]
            time.sleep(POLL)
        first, other = workers if resumed_from(workers[0], job["JobId"]) else workers[::-1]
        assert resumed_from(first, job["JobId"]) == 1 and other.popen.poll() is None
        kill_mid_import(first, api.url, pool_id, job["JobId"])

        done = wait_job(client(api.url), pool_id, job["JobId"], timeout=120)
        assert resumed_from(other, job["JobId"]) > 2, other.output()
        assert_same_as_uncrashed(api.url, pool_id, done, data)


def parser_processes() -> list[int]:
    """The parsers of the LiveServer worker running in this process."""
    return spawned_children(os.getpid())


@pytest.mark.slow
def test_a_killed_parser_never_hangs_the_job(database: str, tmp_path: Path) -> None:
    """kill -9 of one parser mid-import: the job goes on from its last committed batch
    and ends exactly as an undisturbed import of the same file."""
    settings = {"batch_size": 200, "parallel_rows": 1, "parsers": 2}
    with no_delay(LiveServer(database, tmp_path / "data", **settings)) as live:
        pool_id, data = crash_file(live.url)
        cognito = make_client(live)
        job = start_job(cognito, pool_id, data, name="parser kill")
        deadline = time.monotonic() + 30
        while not (parsers := parser_processes()):
            assert time.monotonic() < deadline, "no parser process started"
            time.sleep(0.005)
        wait_job(cognito, pool_id, job["JobId"], lambda j: j["ImportedUsers"] > 0)
        os.kill(random.choice(parsers), signal.SIGKILL)
        done = wait_job(cognito, pool_id, job["JobId"], timeout=60)
        assert done["Status"] != "InProgress"
        assert_same_as_uncrashed(live.url, pool_id, done, data)


def pool_rows(live: LiveServer, pool_id: str) -> dict[str, int]:
    """Rows left anywhere that belong to ``pool_id``, by table."""
    jobs = "SELECT job_id FROM jobs WHERE pool_id = ?"
    queries = {
        "pools": "SELECT COUNT(*) FROM pools WHERE pool_id = ?",
        "users": "SELECT COUNT(*) FROM users WHERE pool_id = ?",
        "user_aliases": "SELECT COUNT(*) FROM user_aliases WHERE pool_id = ?",
        "jobs": "SELECT COUNT(*) FROM jobs WHERE pool_id = ?",
        "job_rows": f"SELECT COUNT(*) FROM job_rows WHERE job_id IN ({jobs})",
        "job_batches": f"SELECT COUNT(*) FROM job_batches WHERE job_id IN ({jobs})",
    }
    with live.rt.store.db.read() as tx:
        return {table: int(tx.one(sql, (pool_id,))[0]) for table, sql in queries.items()}  # type: ignore[index]


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_deleting_the_pool_mid_import_leaves_no_row(
    database: str, tmp_path: Path, attempt: int
) -> None:
    """DeleteUserPool at a random moment of an import: nothing of the pool survives,
    neither users committed by a batch racing the delete nor the job's own rows."""
    with no_delay(LiveServer(database, tmp_path / "data", batch_size=200)) as live:
        pool_id, data = crash_file(live.url)
        cognito = make_client(live)
        job = start_job(cognito, pool_id, data, name="deleted under it")
        after = random.randrange(0, CRASH_ROWS // 2)
        print(f"deleting after {after} imported users")
        wait_job(cognito, pool_id, job["JobId"], lambda j: j["ImportedUsers"] >= after)
        cognito.delete_user_pool(UserPoolId=pool_id)
        # The worker runs one job at a time: once a later job of the account has
        # finished, the deleted pool's import has ended.
        other = create_pool(cognito, "after the delete")
        header = csv_header(cognito, other)
        assert run_import(cognito, other, build_csv(header, [user_row("x")]))["Status"] == (
            "Succeeded"
        )
        assert set(pool_rows(live, pool_id).values()) == {0}, pool_rows(live, pool_id)
