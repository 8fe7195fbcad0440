"""What the job-lifecycle test modules (``test_lifecycle.py`` and
``test_scheduling_and_expiry.py``) share: Start and Stop, their refusals, and a job held
by another worker."""

from __future__ import annotations

from typing import Any

from cognito_import.domain.jobs import ImportJob
from tests.live import LiveServer

STOPPED = "The Import Job was stopped by the developer."
HOLDER = "another-worker"


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
