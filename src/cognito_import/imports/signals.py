"""Signals between ``serve`` and its worker child that never block the sender.

``multiprocessing.Event`` is a lock and a condition: a child killed while waiting on one
leaves it held, and the next ``set()`` (a StartUserImportJob in the request path, or
the shutdown) then waits forever. A pipe has no lock: setting writes a byte without
blocking, and a dead or busy reader can only make the write fail or find the pipe full,
both of which mean the reader has been told already or will never need telling.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection


class PipeSignal:
    """What ``threading.Event`` offers, across a spawn boundary, set from one side only.

    ``latching``: once set it stays set (a stop request); otherwise ``clear`` takes the
    pending wake-ups (new work), and the next ``wait`` waits for a new one.
    """

    def __init__(self, latching: bool = False) -> None:
        reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
        os.set_blocking(writer.fileno(), False)
        self.reader: Connection = reader
        self.writer: Connection = writer
        self.latching = latching

    def set(self) -> None:
        try:
            self.writer.send_bytes(b"1")
        except (BlockingIOError, BrokenPipeError, OSError):
            # Full: wake-ups are pending already. Broken: nobody is left to wake.
            pass

    def is_set(self) -> bool:
        return self.reader.poll(0)

    def wait(self, timeout: float | None = None) -> bool:
        return self.reader.poll(timeout)

    def clear(self) -> None:
        if self.latching:
            return
        while self.reader.poll(0):
            self.reader.recv_bytes()
