"""``serve``'s worker child: started with the server, replaced when it dies, stopped with
the server.

A worker child that dies (kill -9, out of memory) is replaced after a backoff, and the
jobs it held are handed back at once, so they go on within seconds rather than after
the heartbeat timeout; ``/health`` says the worker is down until the replacement runs.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import socket
from multiprocessing.process import BaseProcess

from cognito_import.errors import DatabaseUnavailable
from cognito_import.imports.signals import PipeSignal
from cognito_import.imports.worker import run_worker_process, worker_prefix
from cognito_import.runtime import Runtime

log = logging.getLogger("cognito_import.worker")

FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
# A child that ran this long before it died was not crash-looping: start again quickly.
STEADY_SECONDS = 60.0
CHECK_SECONDS = 0.25


class WorkerChild:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.wake = PipeSignal()
        self.stopping = PipeSignal(latching=True)
        rt.wake = self.wake
        self.child: BaseProcess | None = None
        self.deaths = 0

    @property
    def alive(self) -> bool:
        return self.child is not None and self.child.is_alive()

    def start(self) -> None:
        settings = self.rt.settings
        ctx = multiprocessing.get_context("spawn")
        self.child = ctx.Process(
            target=run_worker_process,
            args=(settings, self.wake, self.stopping, os.getpid(), settings.log_level),
            name="cognito-import-worker",
        )
        self.child.start()

    async def watch(self) -> None:
        """Replace the child whenever it dies, until the server stops."""
        loop = asyncio.get_running_loop()
        backoff = FIRST_BACKOFF
        while not self.stopping.is_set():
            started = loop.time()
            while self.alive and not self.stopping.is_set():
                await asyncio.sleep(CHECK_SECONDS)
            if self.stopping.is_set():
                return
            assert self.child is not None
            self.deaths += 1
            pid, code = self.child.pid, self.child.exitcode
            if loop.time() - started > STEADY_SECONDS:
                backoff = FIRST_BACKOFF
            log.error(
                "worker process %s died (exit code %s); a new one in %.1fs", pid, code, backoff
            )
            # Its jobs are nobody's now: hand them back for the next worker at once.
            prefix = worker_prefix(socket.gethostname(), pid or 0)
            try:
                await asyncio.to_thread(self.rt.store.jobs.release_worker, prefix)
            except DatabaseUnavailable:
                log.warning("could not hand back the jobs of %s: the heartbeat timeout will", pid)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            if not self.stopping.is_set():
                self.start()

    async def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.child is None:
            return
        # The batch in flight commits, then the job is handed back.
        await asyncio.to_thread(self.child.join, 60)
        if self.child.is_alive():
            self.child.kill()
            await asyncio.to_thread(self.child.join, 5)
