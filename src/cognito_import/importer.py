"""Runs one claimed import job: stream the CSV, check rows, commit users in batches.

Each batch commits its users, its row outcomes, the job's counters and the byte offset to
resume from in one transaction. A crash loses at most the batch in flight, and the next
claim resumes exactly after the last committed line: nothing lost, nothing twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from cognito_import.domain import jobs as J
from cognito_import.domain.csvfile import CsvFileError, iter_lines, prescan, read_header
from cognito_import.domain.jobs import ImportJob
from cognito_import.domain.pools import Pool
from cognito_import.domain.rows import (
    SKIPPED_EXISTS,
    HeaderPlan,
    RowUser,
    alias_taken_reason,
    check_row,
    plan_header,
)
from cognito_import.domain.users import CONFIRMED, RESET_REQUIRED, User
from cognito_import.runtime import Runtime
from cognito_import.store.db import Tx
from cognito_import.store.jobs import Batch, RowOutcome

log = logging.getLogger("cognito_import.importer")

# AWS is silent on a file with nothing to import; a job that imports nobody is no success.
NO_DATA_ROWS = "The CSV file has no data rows after the header."

SKIPPED = "SKIPPED"
FAILED = "FAILED"
BLANK = "BLANK"


def printable(message: str) -> str:
    """A file-level message may quote the file (header names): escape what a text column
    cannot hold (NUL, refused by PostgreSQL) or a terminal would act on."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


@dataclass
class _Pending:
    """Rows read since the last commit."""

    first_line: int
    last_line: int = 0
    end_offset: int = 0
    rows: list[tuple[int, RowUser]] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    count: int = 0


class Importer:
    def __init__(self, rt: Runtime, worker: str, shutdown: threading.Event) -> None:
        self.rt = rt
        self.worker = worker
        # Set on server shutdown: stop after the batch in flight and hand the job back.
        self.shutdown = shutdown

    def run(self, job: ImportJob) -> None:
        rt = self.rt
        if job.status == J.STOPPING:
            self._finish(job, J.STOPPED, J.MSG_STOPPED)
            return
        pool = rt.store.pools.get_pool(job.account, job.pool_id)
        upload = job.upload_name
        if pool is None or upload is None or not rt.blobs.exists(upload):
            self._finish(job, J.FAILED, "The user pool or the uploaded CSV file no longer exists.")
            return
        # The name recorded when the job was started: a later PUT cannot replace it.
        with rt.blobs.open(upload) as fp:
            try:
                scan = prescan(fp, rt.settings.max_rows)
                fp.seek(0)
                header = read_header(fp)
                plan = plan_header(header.columns, pool.config, job.hash_algorithm)
            except CsvFileError as exc:
                self._finish(job, J.FAILED, printable(exc.message))
                return
            if not scan.data_rows:
                self._finish(job, J.FAILED, NO_DATA_ROWS)
                return
            if job.resume_offset:
                offset, line = job.resume_offset, job.resume_line
            else:
                offset, line = header.end_offset, 2
            current = self._stream(job, pool, plan, fp, offset, line)
        if current is None:
            return
        if current.stop_requested or current.status == J.STOPPING:
            self._finish(current, J.STOPPED, J.MSG_STOPPED)
            return
        status, message = J.final_status(
            current.imported, current.skipped, current.failed, rt.settings.failure_threshold
        )
        self._finish(current, status, message)

    def _stream(
        self, job: ImportJob, pool: Pool, plan: HeaderPlan, fp: BinaryIO, offset: int, line: int
    ) -> ImportJob | None:
        """Import from ``offset``; the job as last committed, or None if the job was
        stopped (already finished here) or taken over by another worker."""
        batch_size = self.rt.settings.batch_size
        pending = _Pending(first_line=line, end_offset=offset)
        current: ImportJob | None = job
        for row in iter_lines(fp, offset, line):
            pending.last_line = row.number
            pending.end_offset = row.end_offset
            if row.error is not None:
                pending.outcomes.append(RowOutcome(row.number, FAILED, row.error))
            elif row.values is None:
                pending.outcomes.append(RowOutcome(row.number, BLANK, ""))
            else:
                checked = check_row(plan, row.values)
                if isinstance(checked, str):
                    pending.outcomes.append(RowOutcome(row.number, FAILED, checked))
                else:
                    pending.rows.append((row.number, checked))
            pending.count += 1
            if pending.count >= batch_size:
                current = self._commit(job, pool, pending)
                if current is None or current.stop_requested:
                    return current
                if self.shutdown.is_set():
                    self.rt.store.jobs.release(job.job_id, self.worker)
                    return None
                pending = _Pending(first_line=row.number + 1, end_offset=row.end_offset)
        if pending.count:
            current = self._commit(job, pool, pending)
        return current

    def _commit(self, job: ImportJob, pool: Pool, pending: _Pending) -> ImportJob | None:
        rt = self.rt
        now = rt.clock.now()

        def prepare(tx: Tx) -> Batch:
            return _resolve(rt, tx, job, pool, pending, now)

        return rt.store.jobs.commit_batch(job.job_id, prepare, self.worker, now)

    def _finish(self, job: ImportJob, status: str, message: str) -> None:
        if self.rt.store.jobs.finish(job.job_id, self.worker, status, message, self.rt.clock.now()):
            self.rt.blobs.delete(job.job_id)


def _resolve(
    rt: Runtime, tx: Tx, job: ImportJob, pool: Pool, pending: _Pending, now: float
) -> Batch:
    """Decide SKIPPED/FAILED/SUCCEEDED for the checked rows against the pool as it is
    inside the batch's transaction (and against earlier rows of the same batch)."""
    pools = rt.store.pools
    outcomes = list(pending.outcomes)
    keys = [r.username_key for _, r in pending.rows]
    existing = pools.existing_keys(tx, pool.id, keys)
    taken: dict[str, set[str]] = {}
    for attribute in pool.config.unique_attributes:
        values = [
            r.unique_values[attribute] for _, r in pending.rows if attribute in r.unique_values
        ]
        taken[attribute] = (
            pools.existing_values(tx, pool.id, attribute, values) if values else set()
        )
    users: list[User] = []
    new_uuid: Callable[[], str] = rt.ids.uuid
    for number, row in pending.rows:
        if row.username_key in existing:
            outcomes.append(RowOutcome(number, SKIPPED, SKIPPED_EXISTS))
            continue
        clash = next((a for a, v in row.unique_values.items() if v in taken[a]), None)
        if clash is not None:
            outcomes.append(RowOutcome(number, FAILED, alias_taken_reason(clash)))
            continue
        existing.add(row.username_key)
        for attribute, value in row.unique_values.items():
            taken[attribute].add(value)
        users.append(
            User(
                pool_id=pool.id,
                username=row.username,
                username_key=row.username_key,
                sub=new_uuid(),
                status=CONFIRMED if row.password_hash else RESET_REQUIRED,
                enabled=True,
                created=now,
                modified=now,
                attributes=row.attributes,
                mfa_enabled=row.mfa_enabled,
                password_hash=row.password_hash,
                hash_algorithm=job.hash_algorithm if row.password_hash else None,
                unique_values=row.unique_values,
            )
        )
    skipped = sum(1 for o in outcomes if o.outcome == SKIPPED)
    failed = sum(1 for o in outcomes if o.outcome == FAILED)
    return Batch(
        job_id=job.job_id,
        first_line=pending.first_line,
        last_line=pending.last_line,
        resume_offset=pending.end_offset,
        users=users,
        outcomes=outcomes,
        imported=len(users),
        skipped=skipped,
        failed=failed,
    )
