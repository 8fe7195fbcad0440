"""Runs one claimed import job: stream the CSV, check rows, commit users in batches.

Each batch commits its users, its row outcomes, the job's counters and the byte offset to
resume from in one transaction. A crash loses at most the batch in flight, and the next
claim resumes exactly after the last committed line: nothing lost, nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from cognito_import import pipeline
from cognito_import.domain import jobs as J
from cognito_import.domain.batches import FAILED, SKIPPED, Outcome, ParsedBatch, Row
from cognito_import.domain.csvfile import CsvFileError, prescan, read_header
from cognito_import.domain.jobs import ImportJob
from cognito_import.domain.pools import Pool
from cognito_import.domain.rows import SKIPPED_EXISTS, alias_taken_reason, plan_header
from cognito_import.domain.users import CONFIRMED, RESET_REQUIRED
from cognito_import.runtime import Runtime, Signal
from cognito_import.store.db import Tx
from cognito_import.store.jobs import Batch

log = logging.getLogger("cognito_import.importer")


# AWS is silent on a file with nothing to import; a job that imports nobody is no success.
NO_DATA_ROWS = "The CSV file has no data rows after the header."


def printable(message: str) -> str:
    """A file-level message may quote the file (header names): escape what a text column
    cannot hold (NUL, refused by PostgreSQL) or a terminal would act on."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


class Importer:
    def __init__(self, rt: Runtime, worker: str, shutdown: Signal) -> None:
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
        path = rt.blobs.path(upload)
        with open(path, "rb") as fp:
            try:
                scan = prescan(fp, rt.settings.max_rows)
                fp.seek(0)
                header = read_header(fp)
                plan_header(header.columns, pool.config, job.hash_algorithm)
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
        left = scan.data_rows - (line - 2)
        processes = rt.settings.parsers if left >= rt.settings.parallel_rows else 0
        source = pipeline.Source(
            path,
            header.columns,
            pool.config,
            job.hash_algorithm,
            offset,
            line,
            rt.settings.batch_size,
        )
        parsed = pipeline.batches(source, processes)
        try:
            current = self._write(job, pool, parsed)
        finally:
            parsed.close()
        if current is None:
            return
        if current.stop_requested or current.status == J.STOPPING:
            self._finish(current, J.STOPPED, J.MSG_STOPPED)
            return
        status, message = J.final_status(
            current.imported, current.skipped, current.failed, rt.settings.failure_threshold
        )
        self._finish(current, status, message)

    def _write(self, job: ImportJob, pool: Pool, parsed: Iterator[ParsedBatch]) -> ImportJob | None:
        """Commit the batches in order; the job as last committed, or None if the job
        was taken over by another worker or handed back for a shutdown."""
        current: ImportJob | None = job
        for batch in parsed:
            current = self._commit(job, pool, batch)
            if current is None or current.stop_requested:
                return current
            if self.shutdown.is_set():
                self.rt.store.jobs.release(job.job_id, self.worker)
                return None
        return current

    def _commit(self, job: ImportJob, pool: Pool, parsed: ParsedBatch) -> ImportJob | None:
        rt = self.rt
        now = rt.clock.now()

        def build(tx: Tx, precise: bool) -> Batch:
            return _build(rt, tx, job, pool, parsed, now, precise)

        return rt.store.jobs.commit_batch(job.job_id, build, self.worker, now)

    def _finish(self, job: ImportJob, status: str, message: str) -> None:
        if self.rt.store.jobs.finish(job.job_id, self.worker, status, message, self.rt.clock.now()):
            self.rt.blobs.delete(job.job_id)


def _build(
    rt: Runtime,
    tx: Tx,
    job: ImportJob,
    pool: Pool,
    parsed: ParsedBatch,
    now: float,
    precise: bool,
) -> Batch:
    """The batch to write. Not ``precise``: every checked row is imported (the fast
    path, right unless something collides). ``precise``: rows are decided against the
    pool as it is inside this transaction: SKIPPED when the username exists, FAILED
    when a unique value is taken."""
    rows = parsed.rows
    outcomes = list(parsed.outcomes)
    if precise:
        rows, decided = _against_pool(rt, tx, pool, rows)
        outcomes.extend(decided)
    algorithm = job.hash_algorithm
    pool_id = pool.id
    user_rows = [
        (
            pool_id,
            key,
            name,
            sub,
            CONFIRMED if pw else RESET_REQUIRED,
            1,
            now,
            now,
            attrs,
            mfa,
            pw,
            algorithm if pw else None,
        )
        for _, key, name, sub, attrs, mfa, pw, _ in rows
    ]
    alias_rows = [
        (pool_id, attribute, value, key)
        for _, key, _, _, _, _, _, uniques in rows
        if uniques
        for attribute, value in uniques.items()
    ]
    skipped = sum(1 for o in outcomes if o[1] == SKIPPED)
    failed = sum(1 for o in outcomes if o[1] == FAILED)
    return Batch(
        job_id=job.job_id,
        first_line=parsed.first_line,
        last_line=parsed.last_line,
        resume_offset=parsed.end_offset,
        user_rows=user_rows,
        alias_rows=alias_rows,
        outcomes=outcomes,
        skipped=skipped,
        failed=failed,
    )


def _against_pool(
    rt: Runtime, tx: Tx, pool: Pool, rows: list[Row]
) -> tuple[list[Row], list[Outcome]]:
    pools = rt.store.pools
    existing = pools.existing_keys(tx, pool.id, [r[1] for r in rows])
    taken: dict[str, set[str]] = {}
    for attribute in pool.config.unique_attributes:
        values = [r[7][attribute] for r in rows if r[7] and attribute in r[7]]
        taken[attribute] = (
            pools.existing_values(tx, pool.id, attribute, values) if values else set()
        )
    kept: list[Row] = []
    decided: list[Outcome] = []
    for row in rows:
        line, key, uniques = row[0], row[1], row[7]
        if key in existing:
            decided.append((line, SKIPPED, SKIPPED_EXISTS))
            continue
        clash = next((a for a, v in (uniques or {}).items() if v in taken[a]), None)
        if clash is not None:
            decided.append((line, FAILED, alias_taken_reason(clash)))
            continue
        kept.append(row)
    return kept, decided
