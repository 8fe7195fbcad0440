"""The thin seam between our SQL and a driver: one cursor-like API for both databases.

SQL is written once, with ``?`` placeholders; the PostgreSQL driver rewrites them to
``%s``. Dialect differences that cannot be papered over (JSON field access, bulk insert,
claiming jobs) are methods of the ``Database`` implementations, nowhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Generic, Protocol, TypeVar

Row = tuple[Any, ...]
Params = Sequence[Any]


class IntegrityError(Exception):
    """A unique constraint was violated; raised instead of the driver's own error."""


class Tx(Protocol):
    def one(self, sql: str, params: Params = ()) -> Row | None: ...

    def all(self, sql: str, params: Params = ()) -> list[Row]: ...

    def run(self, sql: str, params: Params = ()) -> int: ...

    def many(self, sql: str, rows: Iterable[Params]) -> None: ...


class Database(Protocol):
    dialect: str
    # Appended to the SELECT of a claim: rows another transaction holds are passed over.
    skip_locked: str

    def read(self) -> AbstractContextManager[Tx]:
        """A read-only unit of work. Every use runs a single statement, so no snapshot
        spans statements (PostgreSQL reads run in autocommit)."""
        ...

    def write(self) -> AbstractContextManager[Tx]:
        """A transaction: committed on normal exit, rolled back on an exception. Only one
        writer at a time per database on SQLite; row locks on PostgreSQL."""
        ...

    def attribute_field(self, name: str) -> str:
        """SQL for the text of attribute ``name`` in ``users.attributes``, compared by code
        point on both databases. ``name`` is one of the fixed searchable attribute names,
        never client text."""
        ...

    def attribute_pairs(self, column: str) -> str:
        """A table function over the JSON object in ``column``: one row per member, with
        columns ``key`` and ``value`` (text)."""
        ...

    def lock_claims(self, tx: Tx) -> None:
        """Whatever else a claim needs in its transaction to be safe across processes."""
        ...

    def notify_work(self, tx: Tx) -> None:
        """Tell the waiting workers, when ``tx`` commits, that a job may be theirs."""
        ...

    def bulk_insert(
        self, tx: Tx, table: str, columns: Sequence[str], rows: Sequence[Params]
    ) -> None:
        """Insert many rows as fast as the driver allows, inside ``tx``."""
        ...

    def select_in(self, tx: Tx, sql: str, params: Params, values: Sequence[Any]) -> list[Row]:
        """Rows of ``sql`` (which ends in the column to match, say ``... AND name``)
        for which that column is one of ``values``: one indexed probe per value."""
        ...

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Let the planner see how large ``tables`` have grown (a bulk load outruns the
        database's own statistics)."""
        ...

    def shrink_journal(self) -> None:
        """Give back the disk space a large write left in the journal (SQLite's WAL);
        nothing where there is none to give."""
        ...

    def close(self) -> None: ...


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


class PerThread(Generic[C]):
    """One connection per thread, made on first use by ``connect``: the request threads,
    the worker and the event loop each get their own, and ``close`` ends them all."""

    def __init__(self, connect: Callable[[], C], usable: Callable[[C], bool]) -> None:
        self._connect = connect
        self._usable = usable
        self._local = threading.local()
        self._all: list[C] = []
        self._lock = threading.Lock()

    def get(self) -> C:
        conn: C | None = getattr(self._local, "conn", None)
        if conn is None or not self._usable(conn):
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class Lender(Generic[C]):
    """At most ``size`` connections, each lent to one thread at a time. A thread that
    already holds one (a read inside its own write) gets the same one back, so it sees
    its own uncommitted writes and never waits for itself."""

    def __init__(self, connect: Callable[[], C], usable: Callable[[C], bool], size: int) -> None:
        self._connect = connect
        self._usable = usable
        self._slots = threading.BoundedSemaphore(size)
        self._free: list[C] = []
        self._all: list[C] = []
        self._lock = threading.Lock()
        self._held = threading.local()

    @contextmanager
    def lend(self) -> Iterator[C]:
        held: C | None = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        with self._slots:
            with self._lock:
                conn = self._free.pop() if self._free else None
            if conn is not None and not self._usable(conn):
                with self._lock:  # a connection the server closed: make a new one
                    self._all.remove(conn)
                conn = None
            if conn is None:
                conn = self._connect()
                with self._lock:
                    self._all.append(conn)
            self._held.conn = conn
            try:
                yield conn
            finally:
                self._held.conn = None
                with self._lock:
                    self._free.append(conn)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._free.clear()


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
