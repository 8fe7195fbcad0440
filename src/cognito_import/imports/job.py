"""Runs one claimed import job: check the file, then parse, decide and persist it batch
by batch, then finish the job.

Each batch commits its users, its row outcomes, the job's counters and the byte offset
to resume from in one transaction. A crash loses at most the batch in flight, and the
next claim resumes exactly after the last committed line: nothing lost, nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

from cognito_import.domain import jobs as J
from cognito_import.domain.batches import ParsedBatch
from cognito_import.domain.csvfile import CsvFileError
from cognito_import.domain.jobs import ImportJob
from cognito_import.domain.pools import Pool
from cognito_import.imports import pipeline
from cognito_import.imports.decide import Taken, asked_of_pool, decide
from cognito_import.imports.parse import check_file
from cognito_import.runtime import Runtime, Signal
from cognito_import.store.users import Conflict, PoolDeleted

log = logging.getLogger("cognito_import.imports")

# A parser killed from outside is restarted from the last committed batch this often
# in one run of a job before the job is handed back to the worker's retry count.
PARSER_RESTARTS = 3
# A batch decided against the pool can still meet a value another writer (an
# AdminCreateUser) committed in between: it is decided again this often.
CONFLICT_RETRIES = 5


class JobRunner:
    def __init__(self, rt: Runtime, worker: str, shutdown: Signal) -> None:
        self.rt = rt
        self.worker = worker
        # Set on server shutdown: stop after the batch in flight and hand the job back.
        self.shutdown = shutdown
        # Whether to ask the pool before persisting (see ``_persist``). Only speed
        # depends on it, never an outcome.
        self.ask_pool = False
        self.data_rows = 0
        # Users imported when the planner's statistics were last refreshed.
        self.refreshed_at = 0

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
        if not J.role_usable(job.role_arn, job.region):
            self._finish(job, J.FAILED, J.MSG_ROLE_UNUSABLE)
            return
        source = self._source(job, pool)
        if source is None:
            return
        current = self._import(job, source)
        if current is None:
            return
        if current.stop_requested or current.status == J.STOPPING:
            self._finish(current, J.STOPPED, J.MSG_STOPPED)
            return
        status, message = J.final_status(
            current.imported, current.skipped, current.failed, rt.settings.failure_threshold
        )
        self._finish(current, status, message)

    def _source(self, job: ImportJob, pool: Pool) -> pipeline.Source | None:
        """The rows left to import; None (the job failed) when the file is unusable."""
        rt = self.rt
        # The name recorded when the job was started: a later PUT cannot replace it.
        blob = rt.blobs.ref(job.upload_name or "")
        with blob.open() as fp:
            try:
                scan, header = check_file(fp, pool.config, job.hash_algorithm, rt.settings.max_rows)
            except CsvFileError as exc:
                self._finish(job, J.FAILED, exc.message)
                return None
        self.data_rows = scan.data_rows
        if job.resume_offset:
            offset, line = job.resume_offset, job.resume_line
        else:
            offset, line = header.end_offset, 2
        return pipeline.Source(
            blob,
            header.columns,
            pool.config,
            job.hash_algorithm,
            offset,
            line,
            rt.settings.batch_size,
        )

    def _import(self, job: ImportJob, source: pipeline.Source) -> ImportJob | None:
        """Every batch of ``source``, restarting the parsers from the last committed
        batch if one is killed; the job as last committed, or None if it is no longer
        this worker's to finish."""
        rt = self.rt
        current: ImportJob | None = job
        for restart in range(PARSER_RESTARTS + 1):
            assert current is not None
            left = self.data_rows - (source.line - 2)
            processes = rt.settings.parsers if left >= rt.settings.parallel_rows else 0
            parsed = pipeline.batches(source, processes)
            try:
                return self._write(current, parsed)
            except pipeline.ParserDied as exc:
                if self.shutdown.is_set():
                    # Stopping anyway (a signal to the process group reaches the
                    # parsers too): hand the job back rather than start new parsers.
                    rt.store.jobs.release(job.job_id, self.worker)
                    return None
                if restart == PARSER_RESTARTS:
                    raise
                log.warning("%s: %s; going on from the last committed batch", job.job_id, exc)
                current = rt.store.jobs.get_job(job.job_id)
                if current is None or current.worker != self.worker:
                    return None
                source = _resumed(source, current)
            except PoolDeleted:
                # Its rows, this job's with them, went with the pool: nothing to finish.
                log.warning("%s: %s", job.job_id, J.MSG_POOL_DELETED)
                self._finish(job, J.FAILED, J.MSG_POOL_DELETED)
                return None
            finally:
                parsed.close()
        return None

    def _write(self, job: ImportJob, parsed: Iterator[ParsedBatch]) -> ImportJob | None:
        """Decide and commit the batches in order; the job as last committed, or None if
        the job was taken over by another worker or handed back for a shutdown."""
        current: ImportJob | None = job
        for batch in parsed:
            assert current is not None
            imported = current.imported
            current = self._persist(job, batch, imported)
            if current is None or current.stop_requested:
                return current
            if self.shutdown.is_set():
                self.rt.store.jobs.release(job.job_id, self.worker)
                return None
        return current

    def _persist(self, job: ImportJob, batch: ParsedBatch, imported: int) -> ImportJob | None:
        """Decide ``batch`` and commit it.

        Asking the pool costs an indexed probe per username and value; most batches of
        a migration collide with nothing, so the first try assumes the pool holds none
        of them. The database's unique keys prove that assumption or refuse the insert;
        either way the outcome is the one ``decide`` gives against the real pool. Once
        the pool has collided, it is asked first until a batch finds nothing.
        """
        store, now = self.rt.store, self.rt.clock.now()
        if not self.ask_pool:
            decision = decide(batch, Taken())
            contested = decision.value_failed_usernames
            if not contested or not store.pools.held(job.pool_id, contested, [])[0]:
                try:
                    return store.jobs.persist(job, self.worker, decision.batch, now)
                except Conflict:
                    pass
        if imported >= 2 * max(self.refreshed_at, 5_000):
            # Each doubling of the pool: lookups stay index probes as it grows.
            store.pools.refresh_statistics()
            self.refreshed_at = imported
        keys, pairs = asked_of_pool(batch)
        for _ in range(CONFLICT_RETRIES):
            usernames, values = store.pools.held(job.pool_id, keys, pairs)
            self.ask_pool = bool(usernames or values)
            decision = decide(batch, Taken(usernames, values))
            try:
                return store.jobs.persist(job, self.worker, decision.batch, now)
            except Conflict:
                log.info(
                    "%s: lines %d-%d met a concurrent write",
                    job.job_id,
                    batch.first_line,
                    batch.last_line,
                )
        raise RuntimeError(
            f"lines {batch.first_line}-{batch.last_line} kept meeting concurrent writes"
        )

    def _finish(self, job: ImportJob, status: str, message: str) -> None:
        if self.rt.store.jobs.finish(job.job_id, self.worker, status, message, self.rt.clock.now()):
            self.rt.blobs.delete(job.job_id)


def _resumed(source: pipeline.Source, job: ImportJob) -> pipeline.Source:
    if not job.resume_offset:
        return source
    return replace(source, offset=job.resume_offset, line=job.resume_line)
