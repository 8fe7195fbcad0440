"""SQLite: WAL mode, a bounded pool of connections, ``BEGIN IMMEDIATE`` for writes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cognito_import.loop import leave_loop
from cognito_import.store.db import IntegrityError, Lender, Params, PerThread, Row, Tx, chunks

# Connections lent to worker threads at once. Each holds a page cache of up to 16 MiB, so
# one per thread grew the server by that much per concurrent client (40 threadpool
# threads: 720 MB); SQLite runs one statement per connection, and two cores gain nothing
# from more than a few at a time.
POOL_SIZE = 6


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def one(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        return self._conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: Params = ()) -> int:
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc

    def many(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc


class SqliteDatabase:
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # The event loop's thread runs short reads itself and must never wait for a
        # connection, so it keeps one of its own; other threads borrow from the pool.
        self._loop_conns = PerThread(self._connect, lambda conn: True)
        self._pool = Lender(self._connect, lambda conn: True, POOL_SIZE)

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are opened explicitly, so reads never hold a
        # transaction open and never block the writer.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process kill (only power loss can drop the
        # last commits); FULL would fsync every batch for no gain against kill -9.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        # 16 MiB a connection: enough for the import's index pages, and the request
        # threads each have a connection too (64 MiB each pushed a 500k import's
        # processes past 300 MB).
        conn.execute("PRAGMA cache_size=-16384")
        # Checkpoint when the WAL holds 400 MB rather than SQLite's 4 MB. An import batch
        # dirties pages all over the users' indexes: with keys in no order (emails as
        # usernames or aliases) nearly every leaf page of each, every batch. A commit
        # appends them to the WAL, a checkpoint copies and fsyncs them, and a page that
        # many batches rewrote is copied once per checkpoint. 40 MB (10,000 pages) took
        # a tenth off the default pool's import against 4 MB; against 40 MB, 400 MB was
        # faster in each of 3 alternated pairs of 500,000-row imports into an
        # email-username pool, by 1.2 to 4.5 s (medians 24.9 s -> 23.8 s). The WAL file
        # keeps its largest size until ``shrink_journal``; letting each checkpoint cut
        # it back instead (journal_size_limit) was slower in 2 of 3 pairs, by 1.3-3.7 s.
        conn.execute("PRAGMA wal_autocheckpoint=100000")
        return conn

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            with self._pool.lend() as conn:
                yield conn
            return
        yield self._loop_conns.get()

    @contextmanager
    def read(self) -> Iterator[_SqliteTx]:
        # No BEGIN/COMMIT: every read unit is one statement, atomic on its own.
        with self._conn() as conn:
            yield _SqliteTx(conn)

    @contextmanager
    def write(self) -> Iterator[_SqliteTx]:
        # A write may wait for the lock behind the worker's batch: never on the event loop.
        leave_loop()
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def attribute_field(self, name: str) -> str:
        assert name.replace("_", "").isalnum(), name
        # BINARY collation compares UTF-8 bytes: code point order.
        return f"json_extract(attributes, '$.\"{name}\"')"

    def attribute_pairs(self, column: str) -> str:
        return f"json_each({column})"

    skip_locked = ""

    def lock_claims(self, tx: Tx) -> None:
        # BEGIN IMMEDIATE already makes this the only writer.
        return None

    def notify_work(self, tx: Tx) -> None:
        # Workers on SQLite share a host with the server, which wakes them by a pipe.
        return None

    def bulk_insert(
        self, tx: Tx, table: str, columns: Sequence[str], rows: Sequence[Params]
    ) -> None:
        marks = ",".join("?" * len(columns))
        tx.many(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)

    def select_in(self, tx: Tx, sql: str, params: Params, values: Sequence[Any]) -> list[Row]:
        found: list[Row] = []
        # SQLite allows 32,766 bound parameters; 900 keeps each statement's plan small.
        for part in chunks(values, 900):
            marks = ",".join("?" * len(part))
            found.extend(tx.all(f"{sql} IN ({marks})", (*params, *part)))
        return found

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        # SQLite plans these primary-key probes the same way whatever the table's size.
        return None

    def shrink_journal(self) -> None:
        # Waits (busy_timeout) for readers still on the WAL: called from the worker's
        # indexer after an import's pass, never from a request.
        with self._pool.lend() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._loop_conns.close()
        self._pool.close()
