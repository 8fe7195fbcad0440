"""Workers on PostgreSQL wait on ``LISTEN``: the transaction that makes a job claimable
(a Start, a Stop, a job handed back or finished) sends a ``NOTIFY``, so a worker on any
host starts within milliseconds instead of at its next poll. The poll stays, slower, as
the fallback: for a notification lost with a connection, and for what no transaction
announces (a heartbeat that went stale, a job past its expiry). Listening writes
nothing, so an idle worker still writes nothing."""

from __future__ import annotations

import logging
import threading

import psycopg

from cognito_import.runtime import Signal
from cognito_import.store.postgres import WORK_CHANNEL

log = logging.getLogger("cognito_import.worker")

# How often the listening thread looks at ``stopping`` between notifications.
_CHECK = 1.0
_RECONNECT_MAX = 5.0


def fallback_poll(listen_poll: float, heartbeat_timeout: float) -> float:
    """Seconds between the polls of a listening worker: slow, but soon enough after a
    heartbeat goes stale for a dead worker's job to be taken over."""
    return min(listen_poll, heartbeat_timeout / 3)


def start_listener(url: str, wake: Signal, stopping: Signal) -> threading.Thread:
    thread = threading.Thread(
        target=_listen, args=(url, wake, stopping), name="listen", daemon=True
    )
    thread.start()
    return thread


def _listen(url: str, wake: Signal, stopping: Signal) -> None:
    backoff = 0.2
    while not stopping.is_set():
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"LISTEN {WORK_CHANNEL}")
                backoff = 0.2
                # Whatever was announced while this connection was not listening.
                wake.set()
                while not stopping.is_set():
                    for _ in conn.notifies(timeout=_CHECK, stop_after=1):
                        wake.set()
        except psycopg.Error:
            log.warning("work notifications lost; listening again in %.1fs", backoff)
            stopping.wait(backoff)
            backoff = min(backoff * 2, _RECONNECT_MAX)
