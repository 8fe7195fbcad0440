"""What may run on the event loop: short reads only.

The JSON endpoint runs the quick reads of SQLite on the event loop (the hop to a worker
thread and back costs more than the read). Work that could stall the loop there (a write,
which may wait for the database's write lock while the worker commits a batch, or a scan
of a whole pool) calls ``leave_loop()`` first: on the loop it raises ``OffLoop`` before
anything is done, and the endpoint runs the operation again, whole, in the threadpool.
The store calls it, so no handler has to remember to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ON_LOOP: ContextVar[bool] = ContextVar("cognito_import_on_loop", default=False)


class OffLoop(Exception):
    """Work that must not run on the event loop was about to start; nothing is done yet."""


@contextmanager
def on_loop() -> Iterator[None]:
    """Marks the code inside as running on the event loop."""
    token = _ON_LOOP.set(True)
    try:
        yield
    finally:
        # Reset before a threadpool copies this context into its thread.
        _ON_LOOP.reset(token)


def running_on_loop() -> bool:
    """Whether a check of the cost of what follows is worth its round trip."""
    return _ON_LOOP.get()


def leave_loop() -> None:
    """Called just before a write or a long read: on the loop, abandons the operation."""
    if _ON_LOOP.get():
        raise OffLoop
