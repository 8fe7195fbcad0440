"""The floor: the least work that puts the file's users into a database, in one process.

Parse with the ``csv`` module, build each row's attributes as JSON and a uuid4 ``sub``,
insert with ``executemany`` (or COPY on PostgreSQL) in 50,000-row transactions into a
fresh table keyed on (pool, username), with a unique (pool, email) index when the pool
shape it stands for keeps emails unique (alias or username attribute) and none for the
default pool, so that both sides do the same uniqueness work. No validation, no
counters, no log, no resume offsets. SQLite is set up as our store sets it up (WAL,
synchronous NORMAL); PostgreSQL uses psycopg, in a fresh schema.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.common import pg_schema

TRANSACTION_ROWS = 50_000
POOL = "us-east-1_Floor0001"
CREATE_TABLE = (
    "CREATE TABLE users (pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL, "
    "email TEXT, attributes TEXT NOT NULL, PRIMARY KEY (pool_id, username))"
)
CREATE_UNIQUE_EMAIL = "CREATE UNIQUE INDEX users_email ON users (pool_id, email)"


def _schema(unique_email: bool) -> list[str]:
    return [CREATE_TABLE, CREATE_UNIQUE_EMAIL] if unique_email else [CREATE_TABLE]


INSERT = "INSERT INTO users (pool_id, username, sub, email, attributes) VALUES (?, ?, ?, ?, ?)"

Row = tuple[str, str, str, str | None, str]


@dataclass(frozen=True)
class FloorResult:
    database: str
    rows: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds


def batches(path: Path) -> Iterator[list[Row]]:
    with open(path, newline="", encoding="utf-8") as fp:
        reader = csv.reader(fp, quoting=csv.QUOTE_NONE, escapechar="\\")
        header = next(reader)
        username_at = header.index("cognito:username")
        email_at = header.index("email")
        batch: list[Row] = []
        for values in reader:
            attributes = {name: value for name, value in zip(header, values, strict=True) if value}
            batch.append(
                (
                    POOL,
                    values[username_at],
                    str(uuid.uuid4()),
                    values[email_at] or None,
                    json.dumps(attributes),
                )
            )
            if len(batch) == TRANSACTION_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch


def _timed(database: str, load: Callable[[], int]) -> FloorResult:
    started = time.perf_counter()
    rows = load()
    return FloorResult(database, rows, time.perf_counter() - started)


def sqlite_floor(path: Path, unique_email: bool = True) -> FloorResult:
    with tempfile.TemporaryDirectory(prefix="floor-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "floor.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")
        for sql in _schema(unique_email):
            conn.execute(sql)

        def load() -> int:
            total = 0
            for batch in batches(path):
                conn.execute("BEGIN")
                conn.executemany(INSERT, batch)
                conn.execute("COMMIT")
                total += len(batch)
            return total

        try:
            return _timed("SQLite", load)
        finally:
            conn.close()


def postgres_floor(
    path: Path, base_url: str, copy: bool = False, unique_email: bool = True
) -> FloorResult:
    """``executemany`` (psycopg pipelines it), or with ``copy`` the COPY protocol."""
    with pg_schema(base_url) as (_, url), psycopg.connect(url, autocommit=True) as conn:
        for sql in _schema(unique_email):
            conn.execute(sql)
        insert = INSERT.replace("?", "%s")

        def load() -> int:
            total = 0
            for batch in batches(path):
                with conn.transaction(), conn.cursor() as cur:
                    if copy:
                        _copy(cur, batch)
                    else:
                        cur.executemany(insert, batch)
                total += len(batch)
            return total

        return _timed("PostgreSQL (COPY)" if copy else "PostgreSQL", load)


def _copy(cur: psycopg.Cursor[Any], batch: list[Row]) -> None:
    with cur.copy("COPY users (pool_id, username, sub, email, attributes) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)
