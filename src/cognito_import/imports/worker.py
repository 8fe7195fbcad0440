"""The import worker: expires stale jobs, claims started ones, runs them one at a time."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid

from cognito_import.domain.jobs import FAILED
from cognito_import.errors import DatabaseUnavailable
from cognito_import.imports.indexer import Indexer
from cognito_import.imports.job import JobRunner
from cognito_import.imports.lifeline import die_with_parent
from cognito_import.imports.listen import fallback_poll, start_listener
from cognito_import.runtime import Runtime, Signal, build_runtime
from cognito_import.settings import Settings

log = logging.getLogger("cognito_import.worker")

# Tries of one job that raised before it is failed rather than handed back again.
MAX_ATTEMPTS = 3
# Waits between tries to reach a database that dropped the connection: doubling from
# the first up to the last, so a restart is noticed soon and a long outage costs little.
RECONNECT_FIRST = 0.2
RECONNECT_MAX = 5.0
# How often a worker looks for uploads no job needs. The first look is at its start:
# a process killed between the commit that ended a job and the deletion of its uploads
# (data dir or S3; PostgreSQL's go in that commit) leaves them behind.
SWEEP_SECONDS = 3600.0


def worker_prefix(host: str, pid: int) -> str:
    """How the ids of a process's workers begin: its parent can hand back the jobs of a
    worker process that died."""
    return f"{host}:{pid}:"


class Worker:
    def __init__(self, rt: Runtime, stopping: Signal | None = None) -> None:
        self.rt = rt
        self.id = worker_prefix(socket.gethostname(), os.getpid()) + uuid.uuid4().hex[:8]
        self.stopping: Signal = stopping or threading.Event()
        self.heartbeat = _Heartbeat(rt, self.id, self.stopping)
        self.indexer = Indexer(rt, self.stopping, rt.settings.index_interval)
        self._next_sweep = 0.0

    def run_forever(self) -> None:
        rt = self.rt
        self.heartbeat.thread.start()
        self.indexer.thread.start()
        poll = rt.settings.poll_interval
        if rt.store.db.dialect == "postgresql" and rt.settings.database:
            start_listener(rt.settings.database, rt.wake, self.stopping)
            poll = fallback_poll(rt.settings.listen_poll_interval, rt.settings.heartbeat_timeout)
        backoff = RECONNECT_FIRST
        while not self.stopping.is_set():
            try:
                busy = self.run_once()
                backoff = RECONNECT_FIRST
            except DatabaseUnavailable:
                log.warning("database connection lost; trying again in %.1fs", backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, RECONNECT_MAX)
                continue
            except Exception:
                log.exception("worker iteration failed; retrying")
                busy = False
            if not busy and not self.stopping.is_set():
                rt.wake.wait(poll)
                rt.wake.clear()
        # The indexer ends with its worker, between two chunks: left polling, it would
        # reopen connections to a store its owner has closed.
        self.indexer.poke()
        self.indexer.thread.join(timeout=30)

    def run_once(self) -> bool:
        """Do one unit of work; True when there was some (so look for more at once)."""
        rt = self.rt
        now = rt.clock.now()
        for job_id in rt.store.jobs.expire_jobs(now, rt.settings.job_expiry):
            rt.blobs.delete(job_id)
        if time.monotonic() >= self._next_sweep:
            self.sweep_uploads()
        job = rt.store.jobs.claim_next(self.id, now, rt.settings.heartbeat_timeout)
        if job is None:
            return False
        log.info("importing %s (%s) from line %d", job.job_id, job.status, job.resume_line)
        self.heartbeat.job_id = job.job_id
        try:
            JobRunner(rt, self.id, self.stopping).run(job)
        except DatabaseUnavailable:
            # The batch in flight rolled back with the connection: the job is fine, and
            # the lost connection is no attempt of its.
            log.warning("%s: database connection lost; handing the job back", job.job_id)
            self._hand_back(job.job_id)
        except Exception as exc:
            self._failed(job.job_id, exc)
        finally:
            self.heartbeat.job_id = None
            self.indexer.poke()
        return True

    def sweep_uploads(self) -> list[str]:
        """Delete the uploads of jobs that ended (or went with their pool) without
        deleting them; those jobs' ids. Safe beside other workers and running PUTs: an
        ended job reads no upload and takes no new one, and deleting twice is harmless."""
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        rt = self.rt
        stored = rt.blobs.job_ids()
        ended = rt.store.jobs.without_uploads(sorted(stored)) if stored else []
        for job_id in ended:
            rt.blobs.delete(job_id)
        if ended:
            log.info("deleted the uploads left by %d ended jobs", len(ended))
        return ended

    def _hand_back(self, job_id: str) -> None:
        """Release the job once the database answers again, so that the next claim (this
        worker's or another's) resumes it from its last committed batch at once."""
        backoff = RECONNECT_FIRST
        while not self.stopping.is_set():
            try:
                self.rt.store.jobs.release(job_id, self.id)
                return
            except DatabaseUnavailable:
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, RECONNECT_MAX)
        # Stopping with the database away: the heartbeat timeout hands the job on.

    def _failed(self, job_id: str, exc: Exception) -> None:
        """A batch that raised rolled back whole, so retrying is safe; but one that can
        never succeed would be retried forever, blocking every later job of the
        account. Hand it back for a retry, and fail it after ``MAX_ATTEMPTS``."""
        log.exception("import of %s failed", job_id)
        rt = self.rt
        # Counted in the jobs table: shared by every worker, kept across restarts.
        attempts = rt.store.jobs.count_attempt(job_id, self.id)
        if attempts is None:
            return
        if attempts < MAX_ATTEMPTS:
            rt.store.jobs.release(job_id, self.id)
            return
        message = f"The import stopped on an internal error ({type(exc).__name__})."
        if rt.store.jobs.finish(job_id, self.id, FAILED, message, rt.clock.now()):
            rt.blobs.delete(job_id)

    def stop(self) -> None:
        self.stopping.set()
        self.rt.wake.set()


class _Heartbeat:
    """Beats for the job its worker is running, on a timer a third of the heartbeat
    timeout apart, for as long as the worker lives: a slow batch must not look like a
    dead worker, whose job another worker would then take over. One thread (and so one
    database connection) for the worker's whole life."""

    def __init__(self, rt: Runtime, worker: str, stopping: Signal) -> None:
        self.rt = rt
        self.worker = worker
        self.stopping = stopping
        self.job_id: str | None = None
        self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def _run(self) -> None:
        interval = self.rt.settings.heartbeat_timeout / 3
        while not self.stopping.wait(interval):
            job_id = self.job_id
            if job_id is None:
                continue
            try:
                self.rt.store.jobs.beat(job_id, self.worker, self.rt.clock.now())
            except Exception:
                # A missed beat is retried at the next; the import itself goes on.
                log.warning("heartbeat of %s failed", job_id, exc_info=True)


def run_worker_process(
    settings: Settings, wake: Signal, stopping: Signal, parent: int, log_level: str
) -> None:
    """The worker of ``serve``, in a child process of its own: importing never competes
    with request handling for one interpreter lock."""
    die_with_parent(parent)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    # Nothing to do on SIGINT or SIGTERM (Ctrl-C, `timeout` and `kill -- -PGID` reach
    # the whole process group): the parent decides when this process stops, through
    # ``stopping``, and finishes the batch in flight first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    rt = build_runtime(settings, {})
    rt.wake = wake
    try:
        Worker(rt, stopping).run_forever()
    finally:
        rt.store.close()
