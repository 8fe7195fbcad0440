"""PostgreSQL through psycopg 3: a bounded pool of connections, COPY for bulk inserts."""

from __future__ import annotations

import functools
import select
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from cognito_import.errors import DatabaseUnavailable
from cognito_import.loop import leave_loop
from cognito_import.store.db import IntegrityError, Lender, Params, Row, Tx

# Workers LISTEN here (imports/listen.py); sent in the transaction that makes a job
# claimable, so it arrives exactly when the change is visible.
WORK_CHANNEL = "cognito_import_work"
# Connections lent to threads at once: one per thread (40 under 40 clients) took the
# PostgreSQL server past max_connections (100) with two servers and a test run, and a
# query is round trips that a few connections overlap as well as forty.
POOL_SIZE = 10


@functools.cache
def _translate(sql: str) -> str:
    # Our SQL never contains a literal '?' or '%', so a plain rewrite is exact.
    return sql.replace("?", "%s")


def _usable(conn: psycopg.Connection[Row]) -> bool:
    """Whether a pooled connection is still worth lending. An idle connection has
    nothing to read unless the server ended it (``pg_terminate_backend``, a restart):
    it then sent its last error and closed. One poll, no round trip, so a request
    never spends itself on a connection already lost."""
    if conn.closed:
        return False
    try:
        readable = select.select([conn.fileno()], [], [], 0)[0]
    except (OSError, ValueError, psycopg.Error):
        readable = [True]
    if readable:
        conn.close()
        return False
    return True


class _PgTx:
    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self._conn = conn
        self.cursor = conn.cursor()

    def one(self, sql: str, params: Params = ()) -> Row | None:
        return self.cursor.execute(_translate(sql), params).fetchone()

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        return self.cursor.execute(_translate(sql), params).fetchall()

    def run(self, sql: str, params: Params = ()) -> int:
        try:
            return self.cursor.execute(_translate(sql), params).rowcount
        except psycopg.errors.UniqueViolation as exc:
            raise IntegrityError(str(exc)) from exc

    def many(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            self.cursor.executemany(_translate(sql), rows)
        except psycopg.errors.UniqueViolation as exc:
            raise IntegrityError(str(exc)) from exc


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self._conns: Lender[psycopg.Connection[Row]] = Lender(
            lambda: psycopg.connect(self.url, autocommit=True),
            _usable,
            POOL_SIZE,
        )

    @contextmanager
    def read(self) -> Iterator[_PgTx]:
        # Autocommit, no BEGIN/COMMIT: every read unit here is one statement, and the
        # two extra round trips were most of a Describe on PostgreSQL.
        try:
            with self._conns.lend() as conn:
                yield _PgTx(conn)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    @contextmanager
    def write(self) -> Iterator[_PgTx]:
        leave_loop()
        try:
            with self._conns.lend() as conn:
                with conn.transaction():
                    yield _PgTx(conn)
        except psycopg.errors.UniqueViolation as exc:
            raise IntegrityError(str(exc)) from exc
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    def attribute_field(self, name: str) -> str:
        assert name.replace("_", "").isalnum(), name
        # COLLATE "C": code point order whatever the database's collation, as in
        # user_search.value.
        return f"((attributes::jsonb ->> '{name}') COLLATE \"C\")"

    def attribute_pairs(self, column: str) -> str:
        return f"jsonb_each_text({column}::jsonb)"

    # Workers claim side by side; the unique index of one running job per account
    # (migration 0007) refuses the loser of a race for one account.
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def lock_claims(self, tx: Tx) -> None:
        return None

    def notify_work(self, tx: Tx) -> None:
        tx.one(f"SELECT pg_notify('{WORK_CHANNEL}', '')")

    def bulk_insert(
        self, tx: Tx, table: str, columns: Sequence[str], rows: Sequence[Params]
    ) -> None:
        assert isinstance(tx, _PgTx)
        try:
            with tx.cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation as exc:
            raise IntegrityError(str(exc)) from exc

    def select_in(self, tx: Tx, sql: str, params: Params, values: Sequence[Any]) -> list[Row]:
        if not values:
            return []
        # One array parameter: one statement, one plan, whatever the number of values.
        return tx.all(f"{sql} = ANY(?)", (*params, list(values)))

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        # Without it the planner keeps the statistics of the table before the import
        # (autovacuum analyzes a minute later at best), answers the batch lookups by
        # reading the whole pool's index, and a file with collisions took 18x the clean
        # one. An ANALYZE samples 30,000 rows: tens of milliseconds.
        with self.write() as tx:
            tx.run(f"ANALYZE {', '.join(tables)}")

    def shrink_journal(self) -> None:
        # PostgreSQL recycles its WAL segments itself.
        return None

    def close(self) -> None:
        self._conns.close()
