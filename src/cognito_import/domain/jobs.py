"""Import jobs: statuses, the transitions between them, and the texts AWS shows."""

from __future__ import annotations

import re
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
# A job in one of these never changes again, reads no upload and takes no new one.
ENDED = frozenset({STOPPED, SUCCEEDED, FAILED, EXPIRED})

MSG_SUCCEEDED = "Import Job Completed Successfully."
MSG_TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."
MSG_STOPPED = "The Import Job was stopped by the developer."
MSG_EXPIRED = "The user import job has expired."
# The developer guide's cause for a job that fails because of its role.
MSG_ROLE_UNUSABLE = (
    "The Amazon CloudWatch Logs role cannot be assumed, doesn't have the correct "
    "access policy, or has been deleted."
)
MSG_POOL_DELETED = "The user pool has been deleted."

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
    # Runs of this job that raised (an internal error, not a row's outcome).
    attempts: int = 0

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


# Region prefixes of the partitions other than "aws" (botocore's endpoint data).
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
)
# IAM role ARNs: arn:<partition>:iam::<account>:role/<path><name>, the name 1 to 64 of
# IAM's name characters, the path "/" or "/segments/".
_ROLE_ARN = re.compile(r"arn:([a-z-]+):iam::[0-9]{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")


def partition(region: str) -> str:
    return next((name for prefix, name in _PARTITIONS if region.startswith(prefix)), "aws")


def role_usable(arn: str, region: str) -> bool:
    """Whether ``arn`` can be the CloudWatch Logs role of a job in ``region``.

    AWS's model accepts any ARN at CreateUserImportJob, and the job fails when it
    starts and the role cannot be assumed. No role is assumed here, so a role that could
    be (an IAM role ARN in the pool's partition) is taken as one that is; anything else
    (a user, an assumed-role session, another partition) fails the job as AWS would.
    """
    match = _ROLE_ARN.fullmatch(arn)
    return match is not None and match.group(1) == partition(region)
