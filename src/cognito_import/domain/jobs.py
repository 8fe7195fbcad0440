"""Import jobs: statuses, the transitions between them, and the texts AWS shows."""

from __future__ import annotations

from dataclasses import dataclass

CREATED = "Created"
PENDING = "Pending"
IN_PROGRESS = "InProgress"
STOPPING = "Stopping"
STOPPED = "Stopped"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
EXPIRED = "Expired"

RUNNING = frozenset({IN_PROGRESS, STOPPING})

MSG_SUCCEEDED = "Import Job Completed Successfully."
MSG_TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."
MSG_STOPPED = "The Import Job was stopped by the developer."
MSG_EXPIRED = "The user import job has expired."

MAX_JOBS_PER_POOL = 1000
JOB_ID_PREFIX = "import-"
JOB_ID_RANDOM_LENGTH = 10


@dataclass(frozen=True)
class ImportJob:
    job_id: str
    account: str
    region: str
    pool_id: str
    name: str
    role_arn: str
    status: str
    created: float
    presign_key: str
    hash_algorithm: str | None = None
    started: float | None = None
    completed: float | None = None
    message: str | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    upload_size: int | None = None
    resume_offset: int = 0
    resume_line: int = 1
    stop_requested: bool = False
    worker: str | None = None
    heartbeat: float | None = None
    # The blob holding the current upload (each upload gets a name of its own).
    upload_name: str | None = None

    def is_expired(self, now: float, expiry_seconds: float) -> bool:
        return self.status == CREATED and now >= self.created + expiry_seconds


def final_status(imported: int, skipped: int, failed: int, threshold: float) -> tuple[str, str]:
    """Succeeded unless more than ``threshold`` of the data rows were skipped or failed.

    AWS publishes no rule; every public data point fits this one (cognito-facts 5.5), and
    PRODUCT.md makes the threshold a setting.
    """
    total = imported + skipped + failed
    if total and (skipped + failed) / total > threshold:
        return FAILED, MSG_TOO_MANY_FAILED
    return SUCCEEDED, MSG_SUCCEEDED
