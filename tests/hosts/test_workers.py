"""Worker processes anywhere, sharing only PostgreSQL: at most one job InProgress per
account across all of them, accounts in parallel, a dead worker's job taken over, and a
failing job's attempts counted across processes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.engine.helpers import (
    Process,
    build_csv,
    client,
    counts,
    create_pool,
    csv_header,
    describe,
    processes,
    start_job,
    user_row,
    usernames,
    wait_job,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ACCOUNTS = [f"{n:012d}" for n in (111111111111, 222222222222, 333333333333, 444444444444)]
KEYS = [
    (f"AKIAHOSTS00000000{n}", f"hosts-secret-{n}", account)
    for n, account in enumerate(ACCOUNTS, start=100)
]


def _key_options() -> list[str]:
    return [arg for k in KEYS for arg in ("--access-key", ":".join(k))]


def _rows(count: int, prefix: str = "u") -> list[dict[str, str]]:
    return [
        user_row(f"{prefix}{n}", phone_number="555-0100")
        if n % 101 == 3
        else user_row(f"{prefix}{n}")
        for n in range(count)
    ]


def _query(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def test_four_accounts_at_once_on_two_workers(pg_url: str, tmp_path: Path) -> None:
    with processes() as started:
        api = Process("serve", pg_url, tmp_path / "api", "--no-worker", *_key_options())
        started.append(api)
        api.wait_ready()
        clients = [client(api.url, key=key[:2]) for key in KEYS]
        jobs: list[tuple[Any, str, str]] = []
        for n, cognito in enumerate(clients):
            pool = create_pool(cognito, f"acct{n}")
            header = csv_header(cognito, pool)
            # Two jobs per account: the second must wait for the first.
            for k in range(2):
                data = build_csv(header, _rows(6_000, f"j{k}-"))
                jobs.append((cognito, pool, start_job(cognito, pool, data, f"job{k}")["JobId"]))
        seen: list[list[tuple[str, str]]] = []
        sampling = threading.Event()

        def sample() -> None:
            with psycopg.connect(pg_url, autocommit=True) as conn:
                while not sampling.is_set():
                    rows = conn.execute(
                        "SELECT account, worker FROM jobs WHERE status = 'InProgress'"
                    ).fetchall()
                    seen.append([(str(a), str(w)) for a, w in rows])
                    time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            for n in range(2):
                started.append(Process("worker", pg_url, tmp_path / f"w{n}", "--batch-size", "500"))
            finished = [wait_job(c, p, j, timeout=180) for c, p, j in jobs]
        finally:
            sampling.set()
            sampler.join()
        for job in finished:
            assert (job["Status"], counts(job)) == ("Succeeded", (6_000 - 60, 0, 60)), job
        for cognito, pool, _ in jobs[::2]:
            assert len(usernames(cognito, pool)) == 2 * (6_000 - 60)
    # Never two jobs of one account running at once, across both workers...
    assert all(max(Counter(a for a, _ in s).values(), default=0) <= 1 for s in seen)
    # ... while two accounts did run at once, on the two workers.
    assert any(len({w for _, w in s}) == 2 for s in seen)


def test_kill_9_of_the_worker_holding_a_job_another_takes_it_over(
    pg_url: str, tmp_path: Path
) -> None:
    with processes() as started:
        api = Process("serve", pg_url, tmp_path / "api", "--no-worker", *_key_options())
        started.append(api)
        api.wait_ready()
        cognito = client(api.url, key=KEYS[0][:2])
        first = Process("worker", pg_url, tmp_path / "w0", "--batch-size", "1000")
        started.append(first)
        calm = create_pool(cognito, "calm")
        data = build_csv(csv_header(cognito, calm), _rows(40_000))
        calm_job = wait_job(cognito, calm, start_job(cognito, calm, data)["JobId"], timeout=180)
        second = Process("worker", pg_url, tmp_path / "w1", "--batch-size", "1000")
        started.append(second)
        pool = create_pool(cognito, "crash")
        job_id = start_job(cognito, pool, data)["JobId"]
        wait_job(cognito, pool, job_id, lambda j: j["ImportedUsers"] >= 5_000, timeout=120)
        (holder,) = _query(pg_url, "SELECT worker FROM jobs WHERE job_id = %s", (job_id,))[0]
        victim = next(w for w in (first, second) if f":{w.popen.pid}:" in str(holder))
        victim.kill()
        done = wait_job(cognito, pool, job_id, timeout=180)
        assert done["Status"] == "Succeeded", done
        assert counts(done) == counts(calm_job)
        assert usernames(cognito, pool) == usernames(cognito, calm)
        survivor = second if victim is first else first
        assert f"importing {job_id} (InProgress)" in survivor.output()
        assert describe(cognito, pool, job_id)["CompletionMessage"] == calm_job["CompletionMessage"]


def test_a_failing_job_is_failed_after_three_attempts_across_two_workers(
    pg_url: str, tmp_path: Path
) -> None:
    with processes() as started:
        api = Process("serve", pg_url, tmp_path / "api", "--no-worker", *_key_options())
        started.append(api)
        api.wait_ready()
        cognito = client(api.url, key=KEYS[0][:2])
        pool = create_pool(cognito, "failing")
        # Every batch now meets a database error (not a lost connection): each run of the
        # job raises, after checking the whole file (so an attempt takes a moment).
        _query(pg_url, "ALTER TABLE job_batches RENAME TO job_batches_gone")
        job_id = start_job(cognito, pool, build_csv(csv_header(cognito, pool), _rows(30_000)))[
            "JobId"
        ]
        first = Process("worker", pg_url, tmp_path / "w0")
        started.append(first)
        attempts = "SELECT attempts FROM jobs WHERE job_id = %s"
        deadline = time.monotonic() + 60
        while _query(pg_url, attempts, (job_id,))[0][0] < 1:
            assert time.monotonic() < deadline, first.output()
            time.sleep(0.005)
        # A restart (a crash, here) keeps the count: the next worker goes on from it.
        first.kill()
        second = Process("worker", pg_url, tmp_path / "w1")
        started.append(second)
        done = wait_job(cognito, pool, job_id, timeout=60)
        assert done["Status"] == "Failed"
        assert done["CompletionMessage"].startswith("The import stopped on an internal error (")
        assert _query(pg_url, attempts, (job_id,)) == [(3,)]
        failures = [p.output().count(f"import of {job_id} failed") for p in (first, second)]
        assert sum(failures) == 3 and all(failures), failures
