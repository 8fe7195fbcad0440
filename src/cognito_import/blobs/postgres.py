"""Uploads in PostgreSQL itself: the default with ``--database postgresql://``, so that
every API and worker process reads what any of them received, sharing nothing else.

A blob is a row in ``blobs`` and its bytes in ``blob_chunks``, one row per MiB. The PUT
streams into its own connection and transaction, a chunk at a time: a refused, broken
or killed upload rolls back and leaves nothing, and a committed one appears whole.
Readers fetch one chunk at a time, so a 100 MB file is never in memory at once.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

import psycopg

from cognito_import.blobs import DATABASE, BlobMissing, counted
from cognito_import.blobs.chunked import PieceReader, buffered
from cognito_import.errors import DatabaseUnavailable
from cognito_import.store.db import Database

log = logging.getLogger("cognito_import.blobs")

CHUNK = 1024 * 1024
# A reader's connection lost (a restarted or failed-over server) is reopened this many
# times per chunk: reading is idempotent, and a parser would otherwise fail the job.
READ_RETRIES = 5


@dataclass(frozen=True)
class PgRef:
    url: str
    name: str

    def open(self) -> BinaryIO:
        conn = _Reconnecting(self.url)
        row = conn.fetch("SELECT size, chunk_size FROM blobs WHERE name = %s", (self.name,))
        if row is None:
            conn.close()
            raise BlobMissing(self.name)
        size, chunk = int(row[0]), int(row[1])

        def fetch(start: int, end: int) -> bytes:
            found = conn.fetch(
                "SELECT data FROM blob_chunks WHERE name = %s AND seq = %s",
                (self.name, start // chunk),
            )
            if found is None:
                raise OSError(f"chunk {start // chunk} of {self.name} is missing")
            data: bytes = bytes(found[0])
            return data

        return buffered(PieceReader(size, chunk, fetch, conn.close))


class _Reconnecting:
    """An autocommit connection for reads that reconnects when the server drops it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: psycopg.Connection[tuple[Any, ...]] | None = None

    def fetch(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        for attempt in range(READ_RETRIES + 1):
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = psycopg.connect(self.url, autocommit=True)
                return self.conn.execute(sql, params).fetchone()
            except psycopg.OperationalError as exc:
                if attempt == READ_RETRIES:
                    raise DatabaseUnavailable(str(exc)) from exc
                log.warning("blob read lost its connection; reconnecting", exc_info=True)
                self.close()
                time.sleep(min(0.1 * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class PgBlobStore:
    kind = DATABASE

    def __init__(self, url: str, db: Database) -> None:
        self.url = url
        self.db = db

    def open_writer(self, job_id: str) -> PgWriter:
        return PgWriter(self.url, job_id, f"{job_id}.{secrets.token_hex(16)}.csv")

    def ref(self, name: str) -> PgRef:
        return PgRef(self.url, name)

    def open(self, name: str) -> BinaryIO:
        return self.ref(name).open()

    def exists(self, name: str) -> bool:
        with self.db.read() as tx:
            return tx.one("SELECT 1 FROM blobs WHERE name = ?", (name,)) is not None

    def uploads(self, job_id: str) -> list[str]:
        with self.db.read() as tx:
            rows = tx.all("SELECT name FROM blobs WHERE job_id = ? ORDER BY name", (job_id,))
        return [str(r[0]) for r in rows]

    def job_ids(self) -> set[str]:
        with self.db.read() as tx:
            return {str(r[0]) for r in tx.all("SELECT DISTINCT job_id FROM blobs")}

    def delete_upload(self, name: str) -> None:
        with self.db.write() as tx:
            tx.run("DELETE FROM blobs WHERE name = ?", (name,))

    def delete(self, job_id: str) -> None:
        with self.db.write() as tx:
            tx.run("DELETE FROM blobs WHERE job_id = ?", (job_id,))

    def close(self) -> None:
        pass


@contextmanager
def _connection_lost() -> Iterator[None]:
    try:
        yield
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(str(exc)) from exc


class PgWriter:
    """One transaction on a connection of its own for the whole upload: the pooled
    connections stay free for requests, however slow the client sends."""

    def __init__(self, url: str, job_id: str, name: str) -> None:
        self.name = name
        self.size = 0
        self._seq = 0
        self._pending = bytearray()
        with _connection_lost():
            self._conn = psycopg.connect(url)
            try:
                self._conn.execute(
                    "INSERT INTO blobs (name, job_id, size, chunk_size) VALUES (%s, %s, 0, %s)",
                    (name, job_id, CHUNK),
                )
            except BaseException:
                self._conn.close()
                raise

    def write(self, chunk: bytes, limit: int) -> None:
        self.size = counted(self.size, chunk, limit)
        self._pending += chunk
        while len(self._pending) >= CHUNK:
            self._flush(bytes(self._pending[:CHUNK]))
            del self._pending[:CHUNK]

    def _flush(self, data: bytes) -> None:
        with _connection_lost():
            self._conn.execute(
                "INSERT INTO blob_chunks (name, seq, data) VALUES (%s, %s, %s)",
                (self.name, self._seq, data),
            )
        self._seq += 1

    def commit(self) -> str:
        with _connection_lost(), self._conn:
            if self._pending:
                self._flush(bytes(self._pending))
                self._pending.clear()
            self._conn.execute("UPDATE blobs SET size = %s WHERE name = %s", (self.size, self.name))
        # Leaving ``with conn`` committed (or, on an error, rolled back) and closed it.
        return self.name

    def discard(self) -> None:
        # Closing without a commit rolls the whole upload back.
        self._conn.close()
