"""Time and id sources, injected so that tests can control them."""

from __future__ import annotations

import secrets
import string
import threading
import time
import uuid
from typing import Protocol

ALPHANUMERIC = string.ascii_letters + string.digits


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class OffsetClock:
    """The system clock shifted by an adjustable offset: tests move time forward without
    waiting (job expiry, pre-signed URL expiry) while the server keeps running."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def now(self) -> float:
        return time.time() + self._offset


class Ids(Protocol):
    def alphanumeric(self, length: int) -> str: ...

    def uuid(self) -> str: ...


class RandomIds:
    def alphanumeric(self, length: int) -> str:
        return "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))

    def uuid(self) -> str:
        return str(uuid.uuid4())
