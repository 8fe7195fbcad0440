"""One row per data line: a job's log joined with its CSV and the pool's subs, written
as CSV or JSON Lines. ``report`` builds it from a finished (or running) job; ``validate``
writes its would-be outcomes in the same shape, so one reader reads both."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, TextIO

from cognito_import.client.aws import ToolError, list_users
from cognito_import.domain.attributes import USERNAME_COLUMN
from cognito_import.domain.csvfile import CsvFileError, iter_lines, read_header
from cognito_import.domain.log_events import parse_event_message
from cognito_import.domain.pools import PoolConfig

COLUMNS = ("line", "outcome", "reason", "username", "email", "phone_number", "sub")
SUCCEEDED = "SUCCEEDED"
# A line of the CSV that the job's log does not name: the job stopped or failed first.
NOT_PROCESSED = "NOT_PROCESSED"
NOT_PROCESSED_REASON = "The job ended before this line was imported."
# Up to this many imported rows, AdminGetUser each (as the issue names it); beyond it,
# ListUsers pages of 60 read the same subs in a sixtieth of the calls.
ADMIN_GET_LIMIT = 100


@dataclass(frozen=True)
class ReportRow:
    line: int
    outcome: str
    reason: str
    username: str = ""
    email: str = ""
    phone_number: str = ""
    sub: str = ""


Identity = tuple[str, str, str]  # username, email, phone_number as the CSV has them


def read_identities(path: Path) -> dict[int, Identity]:
    """Line number -> the identity columns of each data line of a CSV, split by the
    import's own dialect; lines it could not split are absent."""
    try:
        with open(path, "rb") as fp:
            header = read_header(fp)
            index = {c: i for i, c in enumerate(header.columns)}
            picks = [index.get(c) for c in (USERNAME_COLUMN, "email", "phone_number")]
            found: dict[int, Identity] = {}
            for line in iter_lines(fp, header.end_offset, 2):
                values = line.values
                if values is None or len(values) != len(header.columns):
                    continue
                u, e, p = ("" if i is None else values[i] for i in picks)
                found[line.number] = (u, e, p)
            return found
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from None
    except CsvFileError as exc:
        raise ToolError(f"{path}: {exc.message}") from None


def parse_log(messages: Iterable[str]) -> list[tuple[int, str, str]]:
    events = []
    for message in messages:
        parsed = parse_event_message(message)
        if parsed is not None:
            events.append(parsed)
    return events


def subs_of(cognito: Any, pool_id: str, config: PoolConfig, usernames: list[str]) -> dict[str, str]:
    """Username (as the pool compares it) -> sub, for the imported rows' users."""
    if len(usernames) <= ADMIN_GET_LIMIT:
        return {config.username_key(u): _admin_sub(cognito, pool_id, u) for u in usernames}
    found: dict[str, str] = {}
    for user in list_users(cognito, pool_id, ["sub"]):
        sub = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "sub"), "")
        found[config.username_key(user["Username"])] = sub
    return found


def _admin_sub(cognito: Any, pool_id: str, username: str) -> str:
    from botocore.exceptions import ClientError

    try:
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    except ClientError as exc:
        # Deleted (or renamed) since the import: the row keeps its outcome, without a sub.
        if exc.response.get("Error", {}).get("Code") == "UserNotFoundException":
            return ""
        raise
    return next((a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"), "")


def join(
    events: list[tuple[int, str, str]],
    identities: dict[int, Identity] | None,
    subs: dict[str, str],
    config: PoolConfig,
) -> list[ReportRow]:
    """The report's rows in line order: every logged line, and with the CSV every data
    line the log does not name (NOT_PROCESSED)."""
    rows: dict[int, ReportRow] = {}
    for line, outcome, reason in events:
        username, email, phone = (identities or {}).get(line, ("", "", ""))
        sub = subs.get(config.username_key(username), "") if outcome == SUCCEEDED else ""
        rows[line] = ReportRow(line, outcome, reason, username, email, phone, sub)
    for line, (username, email, phone) in (identities or {}).items():
        if line not in rows:
            rows[line] = ReportRow(
                line, NOT_PROCESSED, NOT_PROCESSED_REASON, username, email, phone
            )
    return [rows[line] for line in sorted(rows)]


def imported_usernames(
    events: list[tuple[int, str, str]], identities: dict[int, Identity]
) -> list[str]:
    return [
        identities[line][0]
        for line, outcome, _ in events
        if outcome == SUCCEEDED and line in identities and identities[line][0]
    ]


def write_rows(rows: Iterable[ReportRow], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(COLUMNS, astuple(row), strict=True))) + "\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(astuple(row) for row in rows)


def outcome_rows(
    outcomes: Iterable[tuple[int, str, str]], identities: dict[int, Identity]
) -> Iterator[ReportRow]:
    """``validate``'s rows that would not import, with their identity columns."""
    for line, outcome, reason in outcomes:
        username, email, phone = identities.get(line, ("", "", ""))
        yield ReportRow(line, outcome, reason, username, email, phone)


def job_report(
    clients: Any, pool: dict[str, Any], job: dict[str, Any], csv_path: Path | None
) -> list[ReportRow]:
    """``report``'s rows for a job: its whole log, with the CSV's identity columns and
    the imported users' subs when the CSV is given."""
    from cognito_import.client.aws import log_group, log_messages, log_stream
    from cognito_import.domain.pool_rules import config_from_description

    identities = read_identities(csv_path) if csv_path is not None else None
    config = config_from_description(pool)
    events = parse_log(log_messages(clients.logs, log_group(pool), log_stream(job)))
    subs: dict[str, str] = {}
    if identities is not None:
        names = imported_usernames(events, identities)
        subs = subs_of(clients.cognito, pool["Id"], config, names)
    return join(events, identities, subs, config)
