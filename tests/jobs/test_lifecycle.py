"""Start, Stop and the worker: every status of the model reached and seen through
Describe and List, every refused transition, and stopping a pending or running job."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_import.imports.job import JobRunner
from cognito_import.imports.worker import Worker
from tests.conftest import make_client
from tests.jobs import (
    TERMINAL,
    assert_status,
    create_job,
    create_pool,
    describe,
    header,
    list_jobs,
    no_upload_message,
    put_csv,
    raises_error,
    running_worker,
    uploaded_job,
    uploads_after_end,
    user_count,
    wait_for_status,
)
from tests.jobs.csvs import build_csv, failing_row, user_row
from tests.jobs.lifecycle_helpers import (
    HOLDER,
    STOPPED,
    cannot_start,
    cannot_stop,
    hold,
    start,
    stop,
)
from tests.live import LiveServer

SUCCEEDED = "Import Job Completed Successfully."
TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."


def test_start_without_an_upload_is_refused(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool)
    raises_error(
        "PreconditionNotMetException",
        no_upload_message(job["JobId"]),
        cognito.start_user_import_job,
        UserPoolId=pool,
        JobId=job["JobId"],
    )
    assert list_jobs(cognito, pool) == [job]


def test_a_job_walks_pending_in_progress_succeeded(idle: LiveServer) -> None:
    cognito = make_client(idle)
    pool = create_pool(cognito)
    job = uploaded_job(cognito, pool, rows=3)
    assert_status(cognito, pool, job["JobId"], "Created")

    pending = start(cognito, pool, job["JobId"])
    assert pending["Status"] == "Pending"
    assert set(pending) - set(job) == {"StartDate"}
    assert assert_status(cognito, pool, job["JobId"], "Pending") == pending

    idle.clock.advance(2)
    hold(idle, job["JobId"])
    running = assert_status(cognito, pool, job["JobId"], "InProgress")
    assert running["StartDate"].timestamp() >= pending["StartDate"].timestamp() + 2  # re-stamped

    # The holder hands the job back (a clean shutdown); a worker here finishes it.
    idle.rt.store.jobs.release(job["JobId"], HOLDER)
    with running_worker(idle.rt):
        done = wait_for_status(cognito, pool, job["JobId"], TERMINAL)
    assert done == assert_status(cognito, pool, job["JobId"], "Succeeded")
    assert done["CompletionMessage"] == SUCCEEDED
    assert done["StartDate"] == running["StartDate"]
    assert done["CompletionDate"] >= done["StartDate"]
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (3, 0, 0)
    assert user_count(cognito, pool) == 3


def test_the_servers_worker_runs_started_jobs(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    columns = header(cognito, pool)
    job = uploaded_job(cognito, pool, rows=2)
    pending = start(cognito, pool, job["JobId"])
    done = wait_for_status(cognito, pool, job["JobId"], TERMINAL)
    assert (done["Status"], done["CompletionMessage"]) == ("Succeeded", SUCCEEDED)
    assert done["StartDate"] >= pending["StartDate"]

    failing = create_job(cognito, pool, "mostly-bad")
    rows = [user_row(9), *(failing_row(n) for n in range(3))]
    assert put_csv(failing["PreSignedUrl"], build_csv(columns, rows)).status_code == 200
    start(cognito, pool, failing["JobId"])
    failed = wait_for_status(cognito, pool, failing["JobId"], TERMINAL)
    assert (failed["Status"], failed["CompletionMessage"]) == ("Failed", TOO_MANY_FAILED)
    assert (failed["ImportedUsers"], failed["SkippedUsers"], failed["FailedUsers"]) == (1, 0, 3)
    assert_status(cognito, pool, failing["JobId"], "Failed")
    assert user_count(cognito, pool) == 3


def test_start_and_stop_are_refused_in_every_other_status(idle: LiveServer) -> None:
    cognito = make_client(idle)
    pool = create_pool(cognito)
    columns = header(cognito, pool)
    jobs: dict[str, Any] = {"Expired": create_job(cognito, pool, "expired")}
    idle.clock.advance(61)
    with running_worker(idle.rt):
        for status, rows in (("Succeeded", [user_row(1)]), ("Failed", [failing_row(1)])):
            job = create_job(cognito, pool, status)
            assert put_csv(job["PreSignedUrl"], build_csv(columns, rows)).status_code == 200
            start(cognito, pool, job["JobId"])
            jobs[status] = wait_for_status(cognito, pool, job["JobId"], [status])
    jobs["Created"] = create_job(cognito, pool, "never-uploaded")
    jobs["Stopped"] = uploaded_job(cognito, pool, name="stopped")
    start(cognito, pool, jobs["Stopped"]["JobId"])
    stop(cognito, pool, jobs["Stopped"]["JobId"])
    running = uploaded_job(cognito, pool, name="running")
    start(cognito, pool, running["JobId"])
    hold(idle, running["JobId"])
    jobs["Pending"] = uploaded_job(cognito, pool, name="pending")
    start(cognito, pool, jobs["Pending"]["JobId"])
    jobs["InProgress"] = running

    for status in jobs:
        jobs[status] = assert_status(cognito, pool, jobs[status]["JobId"], status)
    before = list_jobs(cognito, pool)
    assert {job["Status"] for job in before} == {*jobs}
    for status, job in jobs.items():
        if status != "Created":
            raises_error(
                "PreconditionNotMetException",
                cannot_start(job["JobId"], status),
                cognito.start_user_import_job,
                UserPoolId=pool,
                JobId=job["JobId"],
            )
        if status not in ("Pending", "InProgress"):
            raises_error(
                "PreconditionNotMetException",
                cannot_stop(job["JobId"], status),
                cognito.stop_user_import_job,
                UserPoolId=pool,
                JobId=job["JobId"],
            )
    assert list_jobs(cognito, pool) == before

    stopping = stop(cognito, pool, running["JobId"])
    assert stopping["Status"] == "Stopping"
    assert "CompletionDate" not in stopping
    assert assert_status(cognito, pool, running["JobId"], "Stopping") == stopping
    for call, message in (
        (cognito.start_user_import_job, cannot_start(running["JobId"], "Stopping")),
        (cognito.stop_user_import_job, cannot_stop(running["JobId"], "Stopping")),
    ):
        raises_error(
            "PreconditionNotMetException", message, call, UserPoolId=pool, JobId=running["JobId"]
        )
    assert describe(cognito, pool, running["JobId"]) == stopping


def test_stopping_a_pending_job_stops_it_at_once(idle: LiveServer) -> None:
    cognito = make_client(idle)
    pool = create_pool(cognito)
    job = uploaded_job(cognito, pool)
    pending = start(cognito, pool, job["JobId"])
    stopped = stop(cognito, pool, job["JobId"])
    assert stopped["Status"] == "Stopped"
    assert stopped["CompletionMessage"] == STOPPED
    assert stopped["StartDate"] == pending["StartDate"]
    assert stopped["CompletionDate"] >= pending["StartDate"]
    assert (stopped["ImportedUsers"], stopped["SkippedUsers"], stopped["FailedUsers"]) == (0, 0, 0)
    assert assert_status(cognito, pool, job["JobId"], "Stopped") == stopped
    assert idle.rt.blobs.uploads(job["JobId"]) == []
    # A worker finds nothing to do: a stopped job never runs.
    assert Worker(idle.rt).run_once() is False
    assert describe(cognito, pool, job["JobId"]) == stopped
    assert user_count(cognito, pool) == 0


def test_stopping_a_running_job_ends_it_after_the_batch_in_flight(idle: LiveServer) -> None:
    cognito = make_client(idle)
    pool = create_pool(cognito)
    job = uploaded_job(cognito, pool, rows=5)
    start(cognito, pool, job["JobId"])
    claimed = hold(idle, job["JobId"])
    stopping = stop(cognito, pool, job["JobId"])
    assert stopping["Status"] == "Stopping"
    assert_status(cognito, pool, job["JobId"], "Stopping")
    # The holder, mid-import, commits the batch it has in hand (one row), sees the stop.
    JobRunner(idle.rt, HOLDER, threading.Event()).run(claimed)
    stopped = assert_status(cognito, pool, job["JobId"], "Stopped")
    assert stopped["CompletionMessage"] == STOPPED
    assert (stopped["ImportedUsers"], stopped["SkippedUsers"], stopped["FailedUsers"]) == (1, 0, 0)
    assert user_count(cognito, pool) == 1
    assert idle.rt.blobs.uploads(job["JobId"]) == []


def test_stop_while_the_servers_worker_imports(database: str, tmp_path: Path) -> None:
    with LiveServer(database, tmp_path / "data", batch_size=1) as server:
        cognito = make_client(server)
        for _ in range(3):
            pool = create_pool(cognito)
            job = uploaded_job(cognito, pool, rows=2000)
            start(cognito, pool, job["JobId"])
            seen = wait_for_status(cognito, pool, job["JobId"], ["InProgress", *TERMINAL])
            if seen["Status"] != "InProgress":
                continue  # finished before we looked: try again with a new job
            try:
                stopping = stop(cognito, pool, job["JobId"])
            except ClientError:
                continue  # finished between our two calls
            break
        else:
            pytest.fail("never caught the job InProgress")
        assert stopping["Status"] == "Stopping"
        stopped = wait_for_status(cognito, pool, job["JobId"], TERMINAL)
        assert (stopped["Status"], stopped["CompletionMessage"]) == ("Stopped", STOPPED)
        # The batch in flight (one row) commits; nothing after it.
        assert stopped["ImportedUsers"] - stopping["ImportedUsers"] in (0, 1)
        assert stopped["ImportedUsers"] < 2000
        assert stopped["ImportedUsers"] == user_count(cognito, pool)
        assert uploads_after_end(server, job["JobId"]) == []
