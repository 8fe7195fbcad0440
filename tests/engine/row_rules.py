"""The runner and the pieces of the row-rule tables (``test_row_rules_*.py``): Cognito's
row rules end to end, a line of CSV in, its outcome and exact log line out.

Each case runs a real import job on its own pool of one shared server per database
(the ``live`` fixture in this folder's ``conftest.py``) and reads the result back the
way a user would: Describe for the counts, GetLogEvents for the log,
ListUsers/AdminGetUser for the pool. Reasons that are AWS's documented texts are spelled
out literally; our own texts come from ``domain/rows.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import make_client
from tests.engine.helpers import (
    attributes,
    create_pool,
    csv_header,
    csv_line,
    failed,
    job_log,
    run_import,
    usernames,
)
from tests.live import LiveServer
from tests.preflight import assert_validate_equals_log, validate_live

PHONE = "+14325551212"

CASE_INSENSITIVE = {"UsernameConfiguration": {"CaseSensitive": False}}
CASE_SENSITIVE = {"UsernameConfiguration": {"CaseSensitive": True}}

# Column values, or a function of the header that writes the line itself.
Row = Mapping[str, str] | Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class Case:
    id: str
    rows: tuple[Row, ...]
    log: tuple[str, ...]
    # Every user in the pool afterwards: username -> attributes (without sub), or None
    # where only presence matters.
    users: Mapping[str, Mapping[str, str] | None]
    pool: Mapping[str, Any] = field(default_factory=dict)
    job: Mapping[str, Any] = field(default_factory=dict)
    # Created with AdminCreateUser before the import: username -> attributes.
    existing: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    status: str = "RESET_REQUIRED"


def one_failure(id: str, row: Row, reason: str, **kw: Any) -> Case:
    """A single row that fails: nothing reaches the pool but what was there."""
    existing = kw.get("existing", {})
    return Case(id, (row,), (failed(2, reason),), dict.fromkeys(existing), **kw)


def mail(username: str) -> dict[str, str]:
    return {"email": f"{username.lower()}@example.com", "email_verified": "true"}


def run_case(live: LiveServer, case: Case) -> None:
    """Import the case's rows into a new pool of ``live`` and check the outcome."""
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, f"rules-{case.id}"[:128], **case.pool)
    for username, attrs in case.existing.items():
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
            MessageAction="SUPPRESS",
        )
    header = csv_header(cognito, pool_id)
    if case.job:
        header.append("cognito:password_hash")
    lines = [line(header) if callable(line) else csv_line(header, line) for line in case.rows]
    data = "\n".join([",".join(header), *lines, ""]).encode()
    algorithm = case.job.get("PasswordHashingAlgorithm")
    # The pre-flight first, on the pool as the import will find it.
    checked = validate_live(
        live, pool_id, data, *(["--password-hashing-algorithm", algorithm] if algorithm else [])
    )

    job = run_import(cognito, pool_id, data, name=f"job-{case.id}"[:128], **case.job)

    log = job_log(cognito, logs, pool_id, job)
    assert log == list(case.log)
    assert_validate_equals_log(checked, log, job["Status"])
    outcomes = [message.split("]")[0][1:] for message in case.log]
    imported, skipped_, failed_ = (outcomes.count(o) for o in ("SUCCEEDED", "SKIPPED", "FAILED"))
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (
        imported,
        skipped_,
        failed_,
    )
    # A single skip or failure is more than half of these small files.
    expected_status = "Succeeded" if imported * 2 >= len(outcomes) else "Failed"
    assert job["Status"] == expected_status
    assert usernames(cognito, pool_id) == sorted(case.users)
    for username, expected in case.users.items():
        if expected is None:
            continue
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        got = attributes(user)
        sub = got.pop("sub")
        assert len(sub) == 36
        assert got == expected
        if username not in case.existing:
            assert (user["UserStatus"], user["Enabled"]) == (case.status, True)
