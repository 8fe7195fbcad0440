"""The worker's upkeep: attempts of a failing job counted in the jobs table (shared by
every worker, kept across restarts), a heartbeat on a timer however slow a batch is,
and an idle worker that never takes the write lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cognito_import.imports.worker import MAX_ATTEMPTS, Worker
from tests.conftest import make_client
from tests.engine.helpers import (
    build_csv,
    create_pool,
    csv_header,
    describe,
    no_delay,
    start_job,
    user_row,
    wait_job,
)
from tests.live import LiveServer


def attempts(live: LiveServer, job_id: str) -> int:
    with live.rt.store.db.read() as tx:
        row = tx.one("SELECT attempts FROM jobs WHERE job_id = ?", (job_id,))
    assert row is not None
    return int(row[0])


def test_attempts_are_counted_with_the_job_across_workers(database: str, tmp_path: Path) -> None:
    with LiveServer(database, tmp_path / "data", run_worker=False) as live:
        cognito = make_client(live)
        pool_id = create_pool(cognito, "failing")
        job = start_job(cognito, pool_id, build_csv(csv_header(cognito, pool_id), [user_row("a")]))
        # Every batch now raises a database error after its users were inserted.
        with live.rt.store.db.write() as tx:
            tx.run("ALTER TABLE job_batches RENAME TO job_batches_gone")
        try:
            # Two workers taking turns, the second one new each time, as after restarts.
            for attempt in range(1, MAX_ATTEMPTS + 1):
                worker = Worker(live.rt)
                assert worker.run_once()
                assert attempts(live, job["JobId"]) == attempt
                # Handed back (no worker, still InProgress) until the last attempt.
                status = describe(cognito, pool_id, job["JobId"])["Status"]
                assert status == ("Failed" if attempt == MAX_ATTEMPTS else "InProgress")
        finally:
            with live.rt.store.db.write() as tx:
                tx.run("ALTER TABLE job_batches_gone RENAME TO job_batches")
        done = describe(cognito, pool_id, job["JobId"])
        assert done["Status"] == "Failed"
        assert done["CompletionMessage"].startswith("The import stopped on an internal error (")
        assert not Worker(live.rt).run_once()  # nothing left to do: no fourth attempt


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_the_heartbeat_goes_on_while_a_batch_is_stuck(database: str, tmp_path: Path) -> None:
    """A batch held up (here by a lock on its pool's row) must not look like a dead
    worker: the heartbeat keeps beating, so no other worker takes the job over."""
    settings: dict[str, Any] = {"batch_size": 100, "heartbeat_timeout": 0.9}
    with no_delay(LiveServer(database, tmp_path / "data", **settings)) as live:
        cognito = make_client(live)
        pool_id = create_pool(cognito, "slow")
        rows = [user_row(f"u{i:04d}") for i in range(1000)]
        job = start_job(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
        with psycopg.connect(database) as conn:
            conn.execute("SELECT 1 FROM pools WHERE pool_id = %s FOR UPDATE", (pool_id,))
            time.sleep(2.0)  # over twice the heartbeat timeout
            with live.rt.store.db.read() as tx:
                row = tx.one(
                    "SELECT heartbeat, imported, worker FROM jobs WHERE job_id = ?",
                    (job["JobId"],),
                )
            assert row is not None
            heartbeat, imported, holder = row
            assert imported < 1000, "the import finished before the lock was taken"
            assert live.clock.now() - float(heartbeat) < 0.9
            assert holder is not None
        done = wait_job(cognito, pool_id, job["JobId"])
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 1000)


def test_an_idle_worker_never_takes_the_write_lock(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with LiveServer(database, tmp_path / "data", run_worker=False) as live:
        cognito = make_client(live)
        create_pool(cognito, "idle")  # a pool, no started job
        worker = Worker(live.rt)
        holder = live.rt.store.db  # another connection holds SQLite's one write lock
        with holder.write():
            polls: list[bool] = []
            poller = threading.Thread(target=lambda: polls.extend(worker.run_once() for _ in "abc"))
            poller.start()
            poller.join(timeout=5)
            assert not poller.is_alive(), "an idle poll waited for the write lock"
        assert polls == [False, False, False]
