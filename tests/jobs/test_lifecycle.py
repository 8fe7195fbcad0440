"""Start, Stop and the worker: every status of the model reached and seen through
Describe and List, every refused transition, scheduling per account, expiry, and start
and stop racing each other."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_import.domain.jobs import ImportJob
from cognito_import.importer import Importer
from cognito_import.worker import Worker
from tests.conftest import make_client
from tests.jobs import (
    POLL,
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
    run_together,
    running_worker,
    s3_error,
    stored_uploads,
    uploaded_job,
    user_count,
    wait_for_status,
)
from tests.jobs.csvs import build_csv, failing_row, user_row
from tests.live import OTHER_KEY, LiveServer

SUCCEEDED = "Import Job Completed Successfully."
TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."
STOPPED = "The Import Job was stopped by the developer."
EXPIRED = "The user import job has expired."
HOLDER = "another-worker"
RACE_ROUNDS = 20


def cannot_start(job_id: str, status: str) -> str:
    return f"Import job {job_id} cannot be started: its status is {status}."


def cannot_stop(job_id: str, status: str) -> str:
    return f"Import job {job_id} cannot be stopped: its status is {status}."


def hold(server: LiveServer, job_id: str) -> ImportJob:
    """Another worker (a ``cognito-import worker`` elsewhere) claims the job: it is
    InProgress, and stays so while that worker's heartbeat is fresh."""
    rt = server.rt
    claimed = rt.store.jobs.claim_next(HOLDER, rt.clock.now(), rt.settings.heartbeat_timeout)
    assert claimed is not None and claimed.job_id == job_id
    return claimed


def start(cognito: Any, pool: str, job_id: str) -> Any:
    return cognito.start_user_import_job(UserPoolId=pool, JobId=job_id)["UserImportJob"]


def stop(cognito: Any, pool: str, job_id: str) -> Any:
    return cognito.stop_user_import_job(UserPoolId=pool, JobId=job_id)["UserImportJob"]


@pytest.fixture
def idle(database: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server without its worker, so that jobs stay where the test puts them; one-row
    batches (a stop lands after exactly one), and jobs that expire after a minute."""
    with LiveServer(
        database, tmp_path / "data", run_worker=False, batch_size=1, job_expiry=60
    ) as live:
        yield live


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
    Importer(idle.rt, HOLDER, threading.Event()).run(claimed)
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
        assert server.rt.blobs.uploads(job["JobId"]) == []


def test_one_job_per_account_runs_others_wait_oldest_first(idle: LiveServer) -> None:
    cognito = make_client(idle)
    other = make_client(idle, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)
    first_pool, second_pool = create_pool(cognito, "first"), create_pool(cognito, "second")
    foreign_pool = create_pool(other)
    busy = uploaded_job(cognito, first_pool, name="busy")
    start(cognito, first_pool, busy["JobId"])
    hold(idle, busy["JobId"])
    waiting = uploaded_job(cognito, second_pool, name="waiting")
    start(cognito, second_pool, waiting["JobId"])
    later = uploaded_job(cognito, first_pool, prefix="later", name="later")
    start(cognito, first_pool, later["JobId"])
    foreign = uploaded_job(other, foreign_pool, name="foreign")
    start(other, foreign_pool, foreign["JobId"])

    with running_worker(idle.rt):
        # The other account's job runs although this account's jobs are blocked.
        wait_for_status(other, foreign_pool, foreign["JobId"], ["Succeeded"])
        assert_status(cognito, first_pool, busy["JobId"], "InProgress")
        assert_status(cognito, second_pool, waiting["JobId"], "Pending")
        assert_status(cognito, first_pool, later["JobId"], "Pending")
        idle.rt.store.jobs.release(busy["JobId"], HOLDER)  # its worker shuts down
        done = {
            job["JobId"]: wait_for_status(cognito, pool, job["JobId"], ["Succeeded"])
            for job, pool in ((busy, first_pool), (waiting, second_pool), (later, first_pool))
        }
    busy_done, waiting_done, later_done = done.values()
    # One at a time, in the order they were started.
    assert waiting_done["StartDate"] >= busy_done["CompletionDate"]
    assert later_done["StartDate"] >= waiting_done["CompletionDate"]


def test_an_unstarted_job_expires_on_read_and_is_refused_after(
    database: str, tmp_path: Path
) -> None:
    # No worker: Describe and List alone must show the expiry.
    with LiveServer(database, tmp_path / "data", job_expiry=60, run_worker=False) as server:
        cognito = make_client(server)
        pool = create_pool(cognito)
        uploaded = uploaded_job(cognito, pool, name="uploaded")
        empty = create_job(cognito, pool, "empty")
        server.clock.advance(59)
        assert_status(cognito, pool, uploaded["JobId"], "Created")
        in_time = uploaded_job(cognito, pool, name="in-time")
        assert stored_uploads(server, uploaded["JobId"]) == 1
        server.clock.advance(2)
        assert_status(cognito, pool, in_time["JobId"], "Created")

        expired = describe(cognito, pool, uploaded["JobId"])
        assert expired["Status"] == "Expired"
        assert expired["CompletionMessage"] == EXPIRED
        assert "StartDate" not in expired
        assert expired["CompletionDate"].timestamp() >= uploaded["CreationDate"].timestamp() + 60
        assert stored_uploads(server, uploaded["JobId"]) == 0
        listed = {job["JobId"]: job for job in list_jobs(cognito, pool)}
        assert listed[uploaded["JobId"]] == expired
        assert listed[empty["JobId"]]["Status"] == "Expired"
        assert listed[in_time["JobId"]]["Status"] == "Created"
        for job in (uploaded, empty):
            raises_error(
                "PreconditionNotMetException",
                cannot_start(job["JobId"], "Expired"),
                cognito.start_user_import_job,
                UserPoolId=pool,
                JobId=job["JobId"],
            )
        # The URL itself is still within its 899 seconds; the job is not Created.
        late = put_csv(uploaded["PreSignedUrl"], b"x")
        assert s3_error(late) == (403, "AccessDenied", "Access Denied")
        assert stored_uploads(server, uploaded["JobId"]) == 0
        assert describe(cognito, pool, uploaded["JobId"]) == expired


def test_the_worker_expires_jobs_nobody_looks_at(database: str, tmp_path: Path) -> None:
    with LiveServer(database, tmp_path / "data", job_expiry=60) as server:
        cognito = make_client(server)
        pool = create_pool(cognito)
        job = uploaded_job(cognito, pool)
        server.clock.advance(61)
        deadline = time.monotonic() + 10
        while (stored := server.rt.store.jobs.get_job(job["JobId"])) is not None and (
            stored.status != "Expired"
        ):
            assert time.monotonic() < deadline, "the worker did not expire the job"
            time.sleep(POLL)
        assert stored is not None and stored.message == EXPIRED
        assert stored_uploads(server, job["JobId"]) == 0
        seen = assert_status(cognito, pool, job["JobId"], "Expired")
        assert seen["CompletionDate"].timestamp() == pytest.approx(stored.completed, abs=0.001)


def test_start_and_stop_racing_leave_one_consistent_outcome(
    server: LiveServer, cognito: Any
) -> None:
    for _ in range(RACE_ROUNDS):
        pool = create_pool(cognito)
        job = uploaded_job(cognito, pool, rows=2)
        clients = [make_client(server) for _ in range(4)]
        params = {"UserPoolId": pool, "JobId": job["JobId"]}
        answers = run_together(
            *(
                functools.partial(getattr(client, operation), **params)
                for client, operation in zip(
                    clients, ["start_user_import_job", "stop_user_import_job"] * 2, strict=True
                )
            )
        )
        results = [
            ("ok", answer["UserImportJob"])
            if not isinstance(answer, ClientError)
            else (answer.response["Error"]["Code"], answer.response["Error"]["Message"])
            for answer in answers
        ]
        starts, stops = results[0::2], results[1::2]
        final = wait_for_status(cognito, pool, job["JobId"], TERMINAL)

        assert sorted(kind for kind, _ in starts) == ["PreconditionNotMetException", "ok"]
        assert next(answer for kind, answer in starts if kind == "ok")["Status"] == "Pending"
        stopped = [answer for kind, answer in stops if kind == "ok"]
        assert len(stopped) <= 1
        for kind, answer in [*starts, *stops]:
            if kind != "ok":
                assert kind == "PreconditionNotMetException"
                assert answer.startswith(f"Import job {job['JobId']} cannot be ")
        if stopped:
            assert stopped[0]["Status"] in ("Stopped", "Stopping")
            assert (final["Status"], final["CompletionMessage"]) == ("Stopped", STOPPED)
        else:
            assert (final["Status"], final["ImportedUsers"]) == ("Succeeded", 2)
        if stopped and stopped[0]["Status"] == "Stopped":
            assert final["ImportedUsers"] == 0  # stopped before any worker had it
        assert final["ImportedUsers"] == user_count(cognito, pool)
        assert final["SkippedUsers"] == final["FailedUsers"] == 0
        assert stored_uploads(server, job["JobId"]) == 0
