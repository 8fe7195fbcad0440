"""Import jobs, their committed batches and per-row outcomes, in SQL.

State changes are compare-and-set (``WHERE status IN (...)``), so two clients starting
and stopping the same job at once leave exactly one outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from cognito_import.domain import jobs as J
from cognito_import.domain.batches import DecidedBatch
from cognito_import.domain.jobs import ImportJob
from cognito_import.store import users
from cognito_import.store.db import Database, IntegrityError, Row, Tx

_FIELDS = [f.name for f in fields(ImportJob)]
_COLUMNS = ", ".join(_FIELDS)
_SELECT = f"SELECT {_COLUMNS} FROM jobs"


def _values(job: ImportJob) -> list[object]:
    # PostgreSQL refuses a boolean for the INTEGER flag column; SQLite would store either.
    return [int(v) if isinstance(v, bool) else v for v in (getattr(job, n) for n in _FIELDS)]


_STOP = _FIELDS.index("stop_requested")
# Claims that lose a race for an account to another worker, in a row, before giving up
# until the next wake-up.
_CLAIM_TRIES = 5


def _job(row: Row) -> ImportJob:
    # Positional: the columns are selected in field order, and building a dict of
    # keywords first was half of ListUserImportJobs' time.
    values = list(row)
    values[_STOP] = bool(values[_STOP])
    return ImportJob(*values)


def _expired(now: float) -> dict[str, object]:
    """What expiry changes, whether the worker or a read finds the job due."""
    return {
        "status": J.EXPIRED,
        "completed": now,
        "message": J.MSG_EXPIRED,
        "upload_size": None,
        "upload_name": None,
    }


@dataclass(frozen=True)
class RowOutcome:
    line: int
    outcome: str  # SKIPPED, FAILED, or BLANK (a blank line: no event, no count)
    reason: str


class _NotOwner(Exception):
    pass


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert_job(self, job: ImportJob, limit: int) -> bool:
        """Insert unless the pool already has ``limit`` jobs; False when it has."""
        with self.db.write() as tx:
            row = tx.one("SELECT COUNT(*) FROM jobs WHERE pool_id = ?", (job.pool_id,))
            if row and int(row[0]) >= limit:
                return False
            marks = ", ".join("?" * len(_FIELDS))
            tx.run(f"INSERT INTO jobs ({_COLUMNS}) VALUES ({marks})", _values(job))
        return True

    def get_job(self, job_id: str) -> ImportJob | None:
        with self.db.read() as tx:
            row = tx.one(f"{_SELECT} WHERE job_id = ?", (job_id,))
        return _job(row) if row else None

    def list_jobs(
        self, pool_id: str, before: tuple[float, str] | None, limit: int
    ) -> list[ImportJob]:
        """Newest first; ``before`` is the (created, job_id) of the last job already seen."""
        if before is None:
            sql = f"{_SELECT} WHERE pool_id = ? ORDER BY created DESC, job_id DESC LIMIT ?"
            params: tuple[object, ...] = (pool_id, limit)
        else:
            sql = (
                f"{_SELECT} WHERE pool_id = ? AND (created < ? OR (created = ? AND job_id < ?))"
                " ORDER BY created DESC, job_id DESC LIMIT ?"
            )
            params = (pool_id, before[0], before[0], before[1], limit)
        with self.db.read() as tx:
            return [_job(r) for r in tx.all(sql, params)]

    def transition(
        self, job_id: str, expected: Sequence[str], uploaded: bool = False, **changes: object
    ) -> ImportJob | None:
        """Apply ``changes`` if the job's status is one of ``expected`` (and, with
        ``uploaded``, it has an upload); the new job, or None when it did not hold (the
        caller re-reads to say why)."""
        with self.db.write() as tx:
            return self._transition(tx, job_id, expected, changes, uploaded)

    def _transition(
        self,
        tx: Tx,
        job_id: str,
        expected: Sequence[str],
        changes: dict[str, object],
        uploaded: bool = False,
    ) -> ImportJob | None:
        sets = ", ".join(f"{name} = ?" for name in changes)
        marks = ", ".join("?" * len(expected))
        upload = " AND upload_name IS NOT NULL" if uploaded else ""
        count = tx.run(
            f"UPDATE jobs SET {sets} WHERE job_id = ? AND status IN ({marks}){upload}",
            [*changes.values(), job_id, *expected],
        )
        if not count:
            return None
        if changes.get("status") in (J.PENDING, J.STOPPING) or changes.get("stop_requested"):
            self.db.notify_work(tx)
        if changes.get("status") in J.ENDED:
            self._drop_blobs(tx, job_id)
        row = tx.one(f"{_SELECT} WHERE job_id = ?", (job_id,))
        return _job(row) if row else None

    def record_upload(self, job_id: str, name: str, size: int) -> tuple[bool, str | None]:
        """Make ``name`` the job's upload if the job is still Created: (True, the name it
        replaces, for the caller to delete), or (False, None) when the job has moved on
        and the new file must be deleted instead.

        A compare-and-set on the previous name as well as the status, so that of two
        uploads racing each other, each learns exactly which file it replaced.
        """
        while True:
            job = self.get_job(job_id)
            if job is None or job.status != J.CREATED:
                return False, None
            with self.db.write() as tx:
                count = tx.run(
                    "UPDATE jobs SET upload_name = ?, upload_size = ? WHERE job_id = ?"
                    " AND status = ? AND COALESCE(upload_name, '') = ?",
                    (name, size, job_id, J.CREATED, job.upload_name or ""),
                )
            if count:
                return True, job.upload_name

    def expire(self, job_id: str, now: float) -> ImportJob | None:
        """Move one job that is still Created to Expired; None if it was not Created."""
        with self.db.write() as tx:
            return self._transition(tx, job_id, [J.CREATED], _expired(now))

    def expire_jobs(self, now: float, expiry: float) -> list[str]:
        """Move every job still Created past its expiry to Expired; their ids. Looks
        first without writing: an idle worker polls this."""
        due = "SELECT job_id FROM jobs WHERE status = ? AND created <= ?"
        with self.db.read() as tx:
            if not tx.all(due, (J.CREATED, now - expiry)):
                return []
        with self.db.write() as tx:
            ids = [r[0] for r in tx.all(due, (J.CREATED, now - expiry))]
            for job_id in ids:
                self._transition(tx, job_id, [J.CREATED], _expired(now))
        return ids

    def without_uploads(self, job_ids: Sequence[str]) -> list[str]:
        """Which of these jobs need no upload any more: ended, or gone with their pool."""
        with self.db.read() as tx:
            sql = "SELECT job_id, status FROM jobs WHERE job_id"
            rows = self.db.select_in(tx, sql, (), job_ids)
        live = {r[0] for r in rows if r[1] not in J.ENDED}
        return sorted(set(job_ids) - live)

    def claim_next(self, worker: str, now: float, stale_after: float) -> ImportJob | None:
        """Take the oldest Pending job of an account that has none running, or a running
        job whose worker stopped sending heartbeats (it died: resume where it committed).
        Looks first without writing, so that an idle worker writes nothing."""
        with self.db.read() as tx:
            if not tx.one(
                "SELECT 1 FROM jobs WHERE status = ? OR (status IN (?, ?)"
                " AND (heartbeat IS NULL OR heartbeat < ?)) LIMIT 1",
                (J.PENDING, J.IN_PROGRESS, J.STOPPING, now - stale_after),
            ):
                return None
        for _ in range(_CLAIM_TRIES):
            try:
                with self.db.write() as tx:
                    return self._claim(tx, worker, now, stale_after)
            except IntegrityError:
                # Another worker started a job of the same account meanwhile: the index
                # of one running job per account refused this one. Look again.
                continue
        return None

    def _claim(self, tx: Tx, worker: str, now: float, stale_after: float) -> ImportJob | None:
        # On PostgreSQL, rows another worker is claiming are skipped, not waited for;
        # SQLite has one writer at a time anyway.
        lock = self.db.skip_locked
        self.db.lock_claims(tx)
        stale = now - stale_after
        row = tx.one(
            f"{_SELECT} WHERE status IN (?, ?) AND (heartbeat IS NULL OR heartbeat < ?)"
            f" ORDER BY started LIMIT 1{lock}",
            (J.IN_PROGRESS, J.STOPPING, stale),
        )
        if row is not None:
            job = _job(row)
            return self._transition(
                tx, job.job_id, [job.status], {"worker": worker, "heartbeat": now}
            )
        row = tx.one(
            f"{_SELECT} j WHERE status = ? AND NOT EXISTS (SELECT 1 FROM jobs r"
            " WHERE r.account = j.account AND r.status IN (?, ?))"
            f" ORDER BY started, created LIMIT 1{lock}",
            (J.PENDING, J.IN_PROGRESS, J.STOPPING),
        )
        if row is None:
            return None
        job = _job(row)
        # Re-stamped as AWS does, but never before the Start: ``now`` was read
        # before this transaction, and the Start may have committed since.
        started = max(now, job.started or now)
        return self._transition(
            tx,
            job.job_id,
            [J.PENDING],
            {"status": J.IN_PROGRESS, "started": started, "worker": worker, "heartbeat": now},
        )

    def persist(
        self, job: ImportJob, worker: str, batch: DecidedBatch, now: float
    ) -> ImportJob | None:
        """Write a decided batch: its users and their unique values, its outcomes, its
        line range, the job's counters and resume point, all in one transaction. The
        job as committed; None, with nothing written, if this worker no longer owns a
        running job. ``users.Conflict`` (nothing written) if a username or value it
        accepts is taken after all; ``users.PoolDeleted`` if the pool is gone.
        """
        db = self.db
        created, aliases = users.imported_columns(
            job.pool_id, batch.accepted, job.hash_algorithm, now
        )
        try:
            with db.write() as tx:
                row = tx.one(f"{_SELECT} WHERE job_id = ?", (job.job_id,))
                current = _job(row) if row else None
                if current is None or current.worker != worker or current.status not in J.RUNNING:
                    raise _NotOwner
                users.insert(db, tx, job.pool_id, created, aliases)
                self._progress(tx, job.job_id, batch, len(created), now)
                row = tx.one(f"{_SELECT} WHERE job_id = ?", (job.job_id,))
        except _NotOwner:
            return None
        return _job(row) if row else None

    def _progress(
        self, tx: Tx, job_id: str, batch: DecidedBatch, imported: int, now: float
    ) -> None:
        if batch.outcomes:
            self.db.bulk_insert(
                tx,
                "job_rows",
                ("job_id", "line", "outcome", "reason"),
                [(job_id, o.line, o.outcome, o.reason) for o in batch.outcomes],
            )
        tx.run(
            "INSERT INTO job_batches (job_id, first_line, last_line, committed)"
            " VALUES (?, ?, ?, ?)",
            (job_id, batch.first_line, batch.last_line, now),
        )
        tx.run(
            "UPDATE jobs SET imported = imported + ?, skipped = skipped + ?,"
            " failed = failed + ?, resume_offset = ?, resume_line = ?, heartbeat = ?"
            " WHERE job_id = ?",
            (
                imported,
                batch.skipped,
                batch.failed,
                batch.resume_offset,
                batch.last_line + 1,
                now,
                job_id,
            ),
        )

    def _drop_blobs(self, tx: Tx, job_id: str) -> None:
        """An ended job's uploads in PostgreSQL (``blobs/postgres.py``) go in the same
        transaction that ends it: nobody ever sees an ended job whose upload is still
        kept. Other blob stores delete after the commit (``BlobStore.delete``)."""
        if self.db.dialect == "postgresql":
            tx.run("DELETE FROM blobs WHERE job_id = ?", (job_id,))

    def beat(self, job_id: str, worker: str, now: float) -> bool:
        """The running job's heartbeat, on a timer while its worker is alive, however
        long a batch takes; False if the job is no longer this worker's."""
        with self.db.write() as tx:
            return (
                tx.run(
                    "UPDATE jobs SET heartbeat = ? WHERE job_id = ? AND worker = ?",
                    (now, job_id, worker),
                )
                > 0
            )

    def count_attempt(self, job_id: str, worker: str) -> int | None:
        """Count a run of the job that raised; the attempts so far, or None if the job
        is no longer this worker's."""
        with self.db.write() as tx:
            if not tx.run(
                "UPDATE jobs SET attempts = attempts + 1 WHERE job_id = ? AND worker = ?",
                (job_id, worker),
            ):
                return None
            row = tx.one("SELECT attempts FROM jobs WHERE job_id = ?", (job_id,))
        return int(row[0]) if row else None

    def release(self, job_id: str, worker: str) -> None:
        """Give a running job back (clean shutdown) so the next worker resumes it at once."""
        with self.db.write() as tx:
            if tx.run(
                "UPDATE jobs SET worker = NULL, heartbeat = NULL WHERE job_id = ? AND worker = ?",
                (job_id, worker),
            ):
                self.db.notify_work(tx)

    def release_worker(self, prefix: str) -> int:
        """Give back every running job held by a worker whose id starts with ``prefix``
        (a worker process known to be dead); how many."""
        with self.db.write() as tx:
            count = tx.run(
                "UPDATE jobs SET worker = NULL, heartbeat = NULL"
                " WHERE status IN (?, ?) AND substr(worker, 1, ?) = ?",
                (J.IN_PROGRESS, J.STOPPING, len(prefix), prefix),
            )
            if count:
                self.db.notify_work(tx)
        return count

    def finish(self, job_id: str, worker: str, status: str, message: str, now: float) -> bool:
        """End a running job this worker owns. A job that is ``Stopping`` ends ``Stopped``
        whatever the worker concluded: a Stop accepted after the last batch committed has
        already told the developer ``Stopping``, and a stop is never undone."""
        sql = (
            "UPDATE jobs SET status = ?, message = ?, completed = ?, worker = NULL,"
            " heartbeat = NULL WHERE job_id = ? AND worker = ? AND status = ?"
        )
        with self.db.write() as tx:
            count = tx.run(sql, (status, message, now, job_id, worker, J.IN_PROGRESS))
            if not count:
                count = tx.run(sql, (J.STOPPED, J.MSG_STOPPED, now, job_id, worker, J.STOPPING))
            if count:
                # The account's next Pending job, if any, is claimable now.
                self.db.notify_work(tx)
                self._drop_blobs(tx, job_id)
        return count > 0

    # -- the per-row log ---------------------------------------------------------------

    def batches(self, job_id: str) -> list[tuple[int, int, float]]:
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT first_line, last_line, committed FROM job_batches WHERE job_id = ?"
                " ORDER BY first_line",
                (job_id,),
            )
        return [(int(a), int(b), float(c)) for a, b, c in rows]

    def outcomes(self, job_id: str, first_line: int, last_line: int) -> list[RowOutcome]:
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT line, outcome, reason FROM job_rows WHERE job_id = ? AND line >= ?"
                " AND line <= ? ORDER BY line",
                (job_id, first_line, last_line),
            )
        return [RowOutcome(int(a), b, c) for a, b, c in rows]
