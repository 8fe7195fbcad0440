"""Import jobs and the worker over time: scheduling per account, expiry on read and
by the worker, and start and stop racing each other."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.jobs import (
    POLL,
    TERMINAL,
    assert_status,
    create_job,
    create_pool,
    describe,
    list_jobs,
    put_csv,
    raises_error,
    run_together,
    running_worker,
    s3_error,
    stored_uploads,
    uploaded_job,
    uploads_after_end,
    user_count,
    wait_for_status,
)
from tests.jobs.lifecycle_helpers import HOLDER, STOPPED, cannot_start, hold, start
from tests.live import OTHER_KEY, LiveServer

EXPIRED = "The user import job has expired."
RACE_ROUNDS = 20


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
        assert uploads_after_end(server, job["JobId"]) == []
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
        assert uploads_after_end(server, job["JobId"]) == []
