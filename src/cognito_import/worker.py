"""The import worker: expires stale jobs, claims started ones, runs them one at a time."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from cognito_import.importer import Importer
from cognito_import.runtime import Runtime

log = logging.getLogger("cognito_import.worker")


class Worker:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()

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
