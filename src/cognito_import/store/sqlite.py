"""SQLite: WAL mode, one connection per thread, ``BEGIN IMMEDIATE`` for writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cognito_import.store.db import IntegrityError, Params, PerThread, Row, Tx, chunks


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
        self._conns = PerThread(self._connect, lambda conn: True)

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
        # Checkpoint when the WAL holds 40 MB rather than SQLite's 4 MB: an import batch
        # dirties pages all over the users' indexes, and each checkpoint copies and
        # fsyncs them; fewer checkpoints took a tenth off a 500,000-user import's writes.
        conn.execute("PRAGMA wal_autocheckpoint=10000")
        return conn

    @contextmanager
    def read(self) -> Iterator[_SqliteTx]:
        # No BEGIN/COMMIT: every read unit is one statement, atomic on its own.
        yield _SqliteTx(self._conns.get())

    @contextmanager
    def write(self) -> Iterator[_SqliteTx]:
        conn = self._conns.get()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def json_field(self, column: str) -> str:
        return f"json_extract({column}, ?)"

    def json_key(self, key: str) -> str:
        return '$."' + key.replace('"', '\\"') + '"'

    def lock_claims(self, tx: Tx) -> None:
        # BEGIN IMMEDIATE already makes this the only writer.
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

    def close(self) -> None:
        self._conns.close()
