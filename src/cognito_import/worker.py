"""The import worker: expires stale jobs, claims started ones, runs them one at a time."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid

from cognito_import.importer import Importer
from cognito_import.lifeline import die_with_parent
from cognito_import.runtime import Runtime, Signal, build_runtime
from cognito_import.settings import Settings

log = logging.getLogger("cognito_import.worker")


class Worker:
    def __init__(self, rt: Runtime, stopping: Signal | None = None) -> None:
        self.rt = rt
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping: Signal = stopping or threading.Event()

    def run_forever(self) -> None:
        rt = self.rt
        while not self.stopping.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("worker iteration failed; retrying")
                busy = False
            if not busy and not self.stopping.is_set():
                rt.wake.wait(rt.settings.poll_interval)
                rt.wake.clear()

    def run_once(self) -> bool:
        """Do one unit of work; True when there was some (so look for more at once)."""
        rt = self.rt
        now = rt.clock.now()
        for job_id in rt.store.jobs.expire_jobs(now, rt.settings.job_expiry):
            rt.blobs.delete(job_id)
        job = rt.store.jobs.claim_next(self.id, now, rt.settings.heartbeat_timeout)
        if job is None:
            return False
        log.info("importing %s (%s) from line %d", job.job_id, job.status, job.resume_line)
        Importer(rt, self.id, self.stopping).run(job)
        return True

    def stop(self) -> None:
        self.stopping.set()
        self.rt.wake.set()


def run_worker_process(
    settings: Settings, wake: Signal, stopping: Signal, parent: int, log_level: str
) -> None:
    """The worker of ``serve``, in a child process of its own: importing never competes
    with request handling for one interpreter lock."""
    die_with_parent(parent)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    # Nothing to do on SIGINT (Ctrl-C reaches the whole process group): the parent
    # decides when this process stops, through ``stopping``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    rt = build_runtime(settings, {})
    rt.wake = wake
    try:
        Worker(rt, stopping).run_forever()
    finally:
        rt.store.close()
