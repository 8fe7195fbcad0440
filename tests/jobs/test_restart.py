"""A server stopped and started again on the same data dir and database: jobs, statuses,
counters, uploads and pagination tokens survive, and work goes on where it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.conftest import make_client
from tests.jobs import (
    TERMINAL,
    assert_status,
    create_job,
    create_pool,
    header,
    list_jobs,
    put_csv,
    running_worker,
    uploaded_job,
    uploads_after_end,
    user_count,
    wait_for_status,
)
from tests.jobs.csvs import users_csv
from tests.live import TEST_KEY, LiveServer


def without_host(job: Any) -> Any:
    """The job with its URL reduced to what must survive: the server's port (and so the
    URL's signature) is new after a restart."""
    parts = urlsplit(job["PreSignedUrl"])
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "X-Amz-Signature"]
    return {**job, "PreSignedUrl": (parts.path, query)}


def test_jobs_and_uploads_survive_a_restart(database: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with LiveServer(database, data, run_worker=False) as first:
        cognito = make_client(first)
        pool = create_pool(cognito)
        succeeded = uploaded_job(cognito, pool, rows=2, prefix="done", name="succeeded")
        with running_worker(first.rt):
            cognito.start_user_import_job(UserPoolId=pool, JobId=succeeded["JobId"])
            wait_for_status(cognito, pool, succeeded["JobId"], ["Succeeded"])
        stopped = uploaded_job(cognito, pool, prefix="stopped", name="stopped")
        cognito.start_user_import_job(UserPoolId=pool, JobId=stopped["JobId"])
        cognito.stop_user_import_job(UserPoolId=pool, JobId=stopped["JobId"])
        pending = uploaded_job(cognito, pool, rows=3, prefix="pending", name="pending")
        cognito.start_user_import_job(UserPoolId=pool, JobId=pending["JobId"])
        ready = uploaded_job(cognito, pool, rows=4, prefix="ready", name="ready")
        empty = create_job(cognito, pool, "empty")
        before = list_jobs(cognito, pool)
        first_page = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=2)
        token = first_page["PaginationToken"]
        second_page = cognito.list_user_import_jobs(
            UserPoolId=pool, MaxResults=2, PaginationToken=token
        )["UserImportJobs"]

    with LiveServer(database, data, run_worker=False) as second:
        cognito = make_client(second)
        after = list_jobs(cognito, pool)
        assert [without_host(job) for job in after] == [without_host(job) for job in before]
        assert all(job["PreSignedUrl"].startswith(second.url) for job in after)
        assert [job["Status"] for job in after] == [
            "Created",
            "Created",
            "Pending",
            "Stopped",
            "Succeeded",
        ]
        # A token from before the restart still pages (its signing key is stored).
        again = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=2, PaginationToken=token)
        assert [without_host(job) for job in again["UserImportJobs"]] == [
            without_host(job) for job in second_page
        ]
        assert user_count(cognito, pool) == 2

        cognito.start_user_import_job(UserPoolId=pool, JobId=ready["JobId"])
        url = assert_status(cognito, pool, empty["JobId"], "Created")["PreSignedUrl"]
        assert put_csv(url, users_csv(header(cognito, pool), 5, "late")).status_code == 200
        cognito.start_user_import_job(UserPoolId=pool, JobId=empty["JobId"])
        with running_worker(second.rt):
            finished = {
                job["JobId"]: wait_for_status(cognito, pool, job["JobId"], TERMINAL)
                for job in (pending, ready, empty)
            }
        assert [(job["Status"], job["ImportedUsers"]) for job in finished.values()] == [
            ("Succeeded", 3),
            ("Succeeded", 4),
            ("Succeeded", 5),
        ]
        assert_status(cognito, pool, stopped["JobId"], "Stopped")
        assert_status(cognito, pool, succeeded["JobId"], "Succeeded")
        assert user_count(cognito, pool) == 2 + 3 + 4 + 5


def test_a_job_importing_at_shutdown_resumes_after_restart(database: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Enough one-row batches that the import outlasts the shutdown on either database.
    rows = 6000 if database.startswith("sqlite") else 2000
    with LiveServer(database, data, batch_size=1) as first:
        cognito = make_client(first)
        pool = create_pool(cognito)
        job = uploaded_job(cognito, pool, rows=rows)
        cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        wait_for_status(cognito, pool, job["JobId"], ["InProgress"])
    # The worker stopped after its batch in flight and handed the job back.

    with LiveServer(database, data, run_worker=False, batch_size=100) as second:
        cognito = make_client(second)
        paused = assert_status(cognito, pool, job["JobId"], "InProgress")
        assert 0 < paused["ImportedUsers"] < rows
        assert user_count(cognito, pool) == paused["ImportedUsers"]
        stored = second.rt.store.jobs.get_job(job["JobId"])
        assert stored is not None and stored.worker is None
        with running_worker(second.rt):
            done = wait_for_status(cognito, pool, job["JobId"], TERMINAL)
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", rows)
        assert (done["SkippedUsers"], done["FailedUsers"]) == (0, 0)
        assert done["StartDate"] == paused["StartDate"]
        assert user_count(cognito, pool) == rows


def test_a_restarted_worker_deletes_the_uploads_no_job_needs(database: str, tmp_path: Path) -> None:
    """A process killed between the commit that ends a job (or deletes its pool) and the
    deletion of its upload leaves the file behind; the next worker to start deletes it,
    and keeps the upload of a job that still needs it."""
    data = tmp_path / "data"
    with LiveServer(database, data, run_worker=False, blob_store="data-dir") as first:
        cognito = make_client(first)
        pool = create_pool(cognito)
        ended = uploaded_job(cognito, pool, name="ended")
        kept = uploaded_job(cognito, pool, rows=2, prefix="kept", name="kept")
        doomed = create_pool(cognito, "doomed")
        orphan = uploaded_job(cognito, doomed, name="orphan")
        # The commits the killed process made, without the deletions that followed them.
        assert first.rt.store.jobs.expire(ended["JobId"], first.clock.now()) is not None
        assert first.rt.store.pools.delete_pool(TEST_KEY.account, doomed)
        for job in (ended, kept, orphan):
            assert len(first.rt.blobs.uploads(job["JobId"])) == 1

    with LiveServer(database, data, blob_store="data-dir") as second:
        assert uploads_after_end(second, ended["JobId"]) == []
        assert uploads_after_end(second, orphan["JobId"]) == []
        assert len(second.rt.blobs.uploads(kept["JobId"])) == 1
        cognito = make_client(second)
        cognito.start_user_import_job(UserPoolId=pool, JobId=kept["JobId"])
        done = wait_for_status(cognito, pool, kept["JobId"], TERMINAL)
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 2)
