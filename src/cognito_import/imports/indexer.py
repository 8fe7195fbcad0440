"""The worker's indexer: brings ListUsers' index (``store/search.py``) up to date for
pools that an import left behind it, in the background, so that no request waits for
it. A filter scans the pool meanwhile, with the same answer."""

from __future__ import annotations

import logging
import threading

from cognito_import.runtime import Runtime, Signal

log = logging.getLogger("cognito_import.indexer")


class Indexer:
    """One thread per worker. It looks for out-of-date pools when poked (an import just
    ended) and every ``interval`` seconds (a pool another worker imported into, one an
    earlier version left out of date), which costs one short read and writes nothing
    when every pool is current."""

    def __init__(self, rt: Runtime, stopping: Signal, interval: float) -> None:
        self.rt = rt
        self.stopping = stopping
        self.interval = interval
        self._poked = threading.Event()
        self.thread = threading.Thread(target=self._run, name="indexer", daemon=True)

    def poke(self) -> None:
        self._poked.set()

    def _run(self) -> None:
        while not self.stopping.is_set():
            self._poked.wait(self.interval)
            self._poked.clear()
            if self.stopping.is_set():
                return
            try:
                self.catch_up()
            except Exception:
                # The index is derived data: a failed pass is retried at the next.
                log.warning("indexing failed; retrying later", exc_info=True)

    def catch_up(self) -> None:
        search = self.rt.store.pools.search
        stale = search.stale_pools()
        for pool_id in stale:
            if self.stopping.is_set():
                return
            if search.fill(pool_id, going=lambda: not self.stopping.is_set()):
                log.info("index of %s is current", pool_id)
        if stale:
            # An import and its index pass are the large writes: afterwards, SQLite's
            # WAL (hundreds of MB by then) is cut back.
            self.rt.store.db.shrink_journal()
