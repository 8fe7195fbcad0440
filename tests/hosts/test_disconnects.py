"""A lost database connection is the infrastructure's fault: the worker reconnects and
goes on without spending the job's attempts, and the API answers with an error every
SDK retries, never a 500. ``pg_terminate_backend`` is what an administrator, a restart
or a failover does to the connections."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from botocore.config import Config

from tests.conftest import PG_URL
from tests.engine.helpers import (
    Process,
    build_csv,
    counts,
    create_pool,
    csv_header,
    job_log,
    processes,
    start_job,
    user_row,
    usernames,
    wait_job,
)
from tests.live import TEST_KEY

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROWS = 40_000


def _rows() -> list[dict[str, str]]:
    """Mostly good rows, with failures and skips in every batch."""
    rows = []
    for n in range(ROWS):
        if n % 97 == 5:
            rows.append(user_row(f"u{n}", phone_number="555-0100"))  # failed
        elif n % 89 == 7:
            rows.append(user_row(f"u{n - 1}"))  # a username taken earlier: skipped
        else:
            rows.append(user_row(f"u{n}"))
    return rows


def _retrying(url: str, service: str, statuses: list[int]) -> Any:
    """A client as a user has one (the SDK's standard retries), recording the HTTP
    status of every attempt."""
    made = boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=TEST_KEY.key_id,
        aws_secret_access_key=TEST_KEY.secret,
        config=Config(retries={"max_attempts": 10, "mode": "standard"}),
    )

    def record(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response_dict is not None:
            statuses.append(int(response_dict["status_code"]))

    made.meta.events.register("response-received", record)
    return made


def _terminate(tag: str) -> int:
    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name"
            " LIKE %s AND pid <> pg_backend_pid()",
            (f"{tag}%",),
        ).fetchall()
    return len(rows)


def _named(url: str, name: str) -> str:
    return f"{url}&application_name={name}"


def test_terminated_connections_do_not_fail_the_import_nor_any_request(
    pg_url: str, tmp_path: Path
) -> None:
    tag = f"hosts-{time.monotonic_ns()}"
    statuses: list[int] = []
    with processes() as started:
        api = Process("serve", _named(pg_url, f"{tag}-api"), tmp_path / "a", "--no-worker")
        started.append(api)
        api.wait_ready()
        cognito = _retrying(api.url, "cognito-idp", statuses)
        logs = _retrying(api.url, "logs", statuses)
        data = build_csv(csv_header(cognito, create_pool(cognito, "calm")), _rows())
        worker_args = ("--batch-size", "1000")
        worker = Process("worker", _named(pg_url, f"{tag}-worker"), tmp_path / "w", *worker_args)
        started.append(worker)
        # The undisturbed run, for what the disturbed one must give.
        calm = create_pool(cognito, "calm-2")
        job = start_job(cognito, calm, data)
        calm_job = wait_job(cognito, calm, job["JobId"], timeout=120)
        assert calm_job["Status"] == "Succeeded"
        assert counts(calm_job)[1] > 0 and counts(calm_job)[2] > 0

        pool = create_pool(cognito, "stormy")
        job = start_job(cognito, pool, data)
        reading = threading.Event()
        errors: list[BaseException] = []

        def read_all_along() -> None:
            while not reading.is_set():
                try:
                    cognito.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])
                    cognito.list_users(UserPoolId=pool, Limit=5)
                except BaseException as exc:
                    errors.append(exc)
                    return

        reader = threading.Thread(target=read_all_along)
        reader.start()
        try:
            for killed in range(3):
                # Spread over the import: after 0, 8,000 and 16,000 users.
                def far_enough(j: Any, at: int = killed * 8_000) -> bool:
                    done = j["Status"] != "InProgress"
                    return bool(j["Status"] != "Pending" and (j["ImportedUsers"] >= at or done))

                wait_job(cognito, pool, job["JobId"], far_enough, timeout=120)
                assert _terminate(tag) > 0
                time.sleep(0.3)
            done = wait_job(cognito, pool, job["JobId"], timeout=180)
        finally:
            reading.set()
            reader.join()
        assert errors == []
        assert (done["Status"], counts(done)) == ("Succeeded", counts(calm_job)), done
        assert "500" not in {str(s) for s in statuses}, sorted(set(statuses))
        assert usernames(cognito, pool) == usernames(cognito, calm)
        calm_log = [m for m in job_log(cognito, logs, calm, calm_job)]
        assert job_log(cognito, logs, pool, done) == calm_log
        # Not one of the job's three attempts went on the lost connections.
        with psycopg.connect(pg_url, autocommit=True) as conn:
            row = conn.execute("SELECT attempts FROM jobs WHERE job_id = %s", (job["JobId"],))
            assert row.fetchone() == (0,)
        assert "internal error" not in api.output()
        assert "Traceback" not in api.output(), api.output()
