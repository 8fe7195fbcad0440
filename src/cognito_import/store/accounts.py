"""Whole-account operations: reset (delete everything an account owns) and the reads
that ``export`` walks. Kept apart from ``PoolStore``, which serves single requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cognito_import.domain.pools import Pool
from cognito_import.domain.users import User
from cognito_import.store.db import Database
from cognito_import.store.pools import (
    POOL_COLUMNS,
    POOL_TABLES,
    USER_SELECT,
    pool_from_row,
    user_from_row,
)

_JOBS = "SELECT job_id FROM jobs WHERE account = ?"
_POOLS = "SELECT pool_id FROM pools WHERE account = ?"


@dataclass(frozen=True)
class Deleted:
    pools: int
    users: int
    jobs: int
    # The deleted jobs, whose uploaded files the caller removes from the blob store.
    job_ids: tuple[str, ...]


class AccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def reset(self, account: str) -> Deleted:
        """Delete the account's pools, users, jobs and job logs in one transaction.

        A job a worker is importing right now is deleted too: its next batch finds no
        job row, or no pool row to count its users in, and writes nothing
        (``JobStore.persist``), so no user of a deleted pool can reappear.
        """
        with self.db.write() as tx:
            job_ids = tuple(r[0] for r in tx.all(_JOBS, (account,)))
            for table in ("job_rows", "job_batches"):
                tx.run(f"DELETE FROM {table} WHERE job_id IN ({_JOBS})", (account,))
            jobs = tx.run("DELETE FROM jobs WHERE account = ?", (account,))
            users = tx.run(f"DELETE FROM users WHERE pool_id IN ({_POOLS})", (account,))
            for table in POOL_TABLES[1:]:
                tx.run(f"DELETE FROM {table} WHERE pool_id IN ({_POOLS})", (account,))
            pools = tx.run("DELETE FROM pools WHERE account = ?", (account,))
        return Deleted(pools=pools, users=users, jobs=jobs, job_ids=job_ids)

    def pool_owner(self, pool_id: str) -> str | None:
        """The account holding ``pool_id``, whichever it is: pool ids are global."""
        with self.db.read() as tx:
            row = tx.one("SELECT account FROM pools WHERE pool_id = ?", (pool_id,))
        return str(row[0]) if row else None

    def all_pools(self) -> list[Pool]:
        """Every pool of every account, in a stable order (account, then id)."""
        with self.db.read() as tx:
            rows = tx.all(f"SELECT {POOL_COLUMNS} FROM pools ORDER BY account, pool_id")
        return [pool_from_row(r) for r in rows]

    def users(self, pool_id: str, page: int = 1000) -> Iterator[User]:
        """A pool's users in username-key order, read a page at a time so a large pool
        is never held in memory whole."""
        after = ""
        while True:
            with self.db.read() as tx:
                rows = tx.all(
                    f"{USER_SELECT} WHERE pool_id = ? AND username_key > ?"
                    " ORDER BY username_key LIMIT ?",
                    (pool_id, after, page),
                )
            yield from (user_from_row(r) for r in rows)
            if len(rows) < page:
                return
            after = rows[-1][1]
