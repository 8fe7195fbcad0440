"""Everything a handler or the worker needs, built once per process."""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from cognito_import.blobs import FileBlobStore
from cognito_import.clock import Clock, Ids, RandomIds, SystemClock
from cognito_import.mail import Mailer
from cognito_import.protocol.keys import AccessKey
from cognito_import.settings import Settings
from cognito_import.store import Store

if TYPE_CHECKING:
    from cognito_import.seed import Seed


class Signal(Protocol):
    """What threading.Event and multiprocessing's Event both offer."""

    def set(self) -> None: ...

    def clear(self) -> None: ...

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass
class Runtime:
    settings: Settings
    store: Store
    blobs: FileBlobStore
    keys: Mapping[str, AccessKey]
    # Signs pagination tokens so that a forged one is recognised.
    token_secret: bytes
    clock: Clock = field(default_factory=SystemClock)
    ids: Ids = field(default_factory=RandomIds)
    # Set when there may be new work for the worker (a job was started or stopped), so
    # it need not wait for its next poll; a pipe when the worker is a child process
    # (``imports/signals.py``), which setting never blocks.
    wake: Signal = field(default_factory=threading.Event)
    # Whether this server's worker child is running, for /health; None when the server
    # has no worker child (``--no-worker``, or the worker thread of the tests).
    worker_alive: Callable[[], bool] | None = None
    # What ``serve --seed`` created at start; a reset puts it back.
    seed: Seed | None = None
    # Reset codes, temporary passwords and SRP salts: the system's CSPRNG in service.
    rng: random.Random = field(default_factory=random.SystemRandom)
    # Sends the outbox's email messages by SMTP too (``--smtp-url``); None without it.
    mailer: Mailer | None = None

    def close(self) -> None:
        if self.mailer is not None:
            self.mailer.close()
        self.store.close()


def build_runtime(
    settings: Settings,
    keys: Mapping[str, AccessKey],
    clock: Clock | None = None,
    ids: Ids | None = None,
) -> Runtime:
    from cognito_import.store import open_store

    store = open_store(settings.database, settings.data_dir)
    secret = store.put_state_once("token_secret", secrets.token_hex(32))
    return Runtime(
        settings=settings,
        store=store,
        blobs=FileBlobStore(settings.data_dir / "uploads"),
        keys=keys,
        token_secret=bytes.fromhex(secret),
        clock=clock or SystemClock(),
        ids=ids or RandomIds(),
        mailer=Mailer(settings.smtp_url, store.outbox) if settings.smtp_url else None,
    )
