"""ListUsers' filters over ``user_search`` (migration 0004): an index of each user's
searchable values that the import never has to keep up to date.

A 500,000-user import must stay fast, and an index kept up to date row by row made it
three times slower (every batch touched every page of every index). So the import only
counts its users (``pools.user_count``); ``pools.search_count`` is the number of users
``user_search`` covers, and while the two differ a filter scans the pool.

The table only ever lacks rows, never holds a wrong one: every change of a user that
goes through this module (AdminCreateUser, a seed, AdminDeleteUser, ``status_changed``) writes
its rows at once, whether the table is current or not, and only the import skips it.
So the worker's indexer (``imports/indexer.py``) can fill in what is missing in short
transactions (``next_chunk`` sizes them by time), in key order, with ``ON CONFLICT DO
NOTHING``, while the API goes on writing; at the end it counts the ``sub`` rows (one per user) and
marks the table current only if that equals the pool's user count, which an import
that ran in between makes false. Before, the first filtered ListUsers after an import
rebuilt the index in one transaction: 13 s on SQLite with every other writer waiting,
27 s on PostgreSQL, for 500,000 users.

Values are stored cut to ``CUT`` characters (PostgreSQL limits an index entry to 2,704
bytes); a filter value that long is checked again against the user's attributes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cognito_import.domain.filters import SEARCHABLE, UserFilter
from cognito_import.domain.jobs import IN_PROGRESS, PENDING, STOPPING
from cognito_import.domain.users import User
from cognito_import.store.db import Database, Row, Tx

CUT = 200
# A transaction of ``fill`` holds the pool's row lock, so it is what a concurrent
# AdminCreateUser may wait for: chunks are sized to take about ``CHUNK_SECONDS`` each.
# A fixed 5,000 users took 0.6 s a chunk on a slower 2-core machine with PostgreSQL, and
# AdminCreateUser waited 0.54 s at the median meanwhile (1.5 s at worst); a fixed size
# small enough for that machine would be needlessly slow on a fast one.
FIRST_CHUNK = 1_000
CHUNK_SECONDS = 0.05
MIN_CHUNK, MAX_CHUNK = 100, 20_000
_INSERT = "INSERT INTO user_search (pool_id, attribute, value, username_key)"
# Both databases; SQLite needs the SELECT's WHERE before it to parse it as an upsert.
_NOTHING = "ON CONFLICT DO NOTHING"
# Attribute values indexed from users.attributes, and the user columns indexed beside
# them under the filter's own name. Usernames have the primary key; ``status``
# (Enabled/Disabled) has two values and is scanned.
ATTRIBUTES = tuple(name for name, column in SEARCHABLE.items() if isinstance(column, tuple))
COLUMNS = {"sub": "sub", "cognito:user_status": "status"}
_IMPORTING = (PENDING, IN_PROGRESS, STOPPING)


def _always() -> bool:
    return True


def next_chunk(size: int, seconds: float) -> int:
    """The size that would have taken CHUNK_SECONDS at the pace ``size`` users took
    ``seconds``; it at most doubles at a step, so one quick chunk (a cached page, a pause
    of the other writers) does not make the next one long."""
    paced = size * CHUNK_SECONDS / max(seconds, 1e-6)
    return int(max(MIN_CHUNK, min(MAX_CHUNK, 2 * size, paced)))


@dataclass(frozen=True)
class Found:
    """What ``UserSearch.find`` read: the pool's columns asked for, and the matching
    users' rows, or None when the index does not cover the pool."""

    pool: Row
    rows: list[Row] | None


def indexed(flt: UserFilter) -> bool:
    return flt.attribute in ATTRIBUTES or flt.attribute in COLUMNS


def prefix_end(prefix: str) -> str | None:
    """The least string greater than every string that starts with ``prefix`` (None if
    there is none): ``prefix`` with its last character incremented, skipping the
    surrogates, after dropping trailing U+10FFFF."""
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return None
    following = ord(stripped[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return stripped[:-1] + chr(following)


class UserSearch:
    def __init__(self, db: Database, user_columns: tuple[str, ...]) -> None:
        self.db = db
        self._select = "SELECT " + ", ".join(f"u.{c}" for c in user_columns)

    # -- upkeep, inside the callers' transactions ------------------------------------

    def added(self, tx: Tx, new: Sequence[User]) -> None:
        """After ``new`` users of one pool were inserted and counted: index them, and
        keep a current table current."""
        if not new:
            return
        tx.run(
            "UPDATE pools SET search_count = search_count + ?"
            " WHERE pool_id = ? AND search_count = user_count - ?",
            (len(new), new[0].pool_id, len(new)),
        )
        tx.many(_INSERT + " VALUES (?, ?, ?, ?)", [r for u in new for r in _rows(u)])

    def removed(self, tx: Tx, user: User) -> None:
        """After ``user`` was deleted and uncounted."""
        tx.run(
            "UPDATE pools SET search_count = search_count - 1"
            " WHERE pool_id = ? AND search_count = user_count + 1",
            (user.pool_id,),
        )
        # By value, through the primary key: by username_key alone is a scan of the
        # pool's whole index.
        tx.many(
            "DELETE FROM user_search WHERE pool_id = ? AND attribute = ? AND value = ?"
            " AND username_key = ?",
            _rows(user),
        )

    def stale_pools(self) -> list[str]:
        """Pools whose table is not current and that no job is importing into."""
        marks = ",".join("?" * len(_IMPORTING))
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT p.pool_id FROM pools p WHERE p.search_count <> p.user_count"
                " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.pool_id = p.pool_id"
                f" AND j.status IN ({marks})) ORDER BY p.pool_id",
                _IMPORTING,
            )
        return [str(r[0]) for r in rows]

    def fill(
        self, pool_id: str, chunk: int | None = None, going: Callable[[], bool] = _always
    ) -> bool:
        """Add the rows the table lacks for ``pool_id``, ``chunk`` users a transaction
        (by default as many as take about CHUNK_SECONDS), and mark it current if it then
        covers every user. True when it is current."""
        after = ""
        size = chunk or FIRST_CHUNK
        while going():
            began = time.perf_counter()
            with self.db.write() as tx:
                # Takes the pool's row lock on PostgreSQL, as every user insert does
                # first (SQLite's BEGIN IMMEDIATE already excludes other writers).
                if not tx.run(
                    "UPDATE pools SET search_count = search_count WHERE pool_id = ?", (pool_id,)
                ):
                    return False
                last = tx.one(
                    "SELECT username_key FROM users WHERE pool_id = ? AND username_key > ?"
                    " ORDER BY username_key LIMIT 1 OFFSET ?",
                    (pool_id, after, size - 1),
                )
                upto = None if last is None else str(last[0])
                self._fill_range(tx, pool_id, after, upto)
                if upto is None:
                    return self._mark_current(tx, pool_id)
            after = upto
            if chunk is None:
                size = next_chunk(size, time.perf_counter() - began)
        return False

    def _fill_range(self, tx: Tx, pool_id: str, after: str, upto: str | None) -> None:
        where = "u.pool_id = ? AND u.username_key > ?"
        params: list[object] = [pool_id, after]
        if upto is not None:
            where += " AND u.username_key <= ?"
            params.append(upto)
        for name, column in COLUMNS.items():
            tx.run(
                f"{_INSERT} SELECT u.pool_id, ?, substr(u.{column}, 1, {CUT}), u.username_key"
                f" FROM users u WHERE {where} ORDER BY 3, 4 {_NOTHING}",
                (name, *params),
            )
        marks = ",".join("?" * len(ATTRIBUTES))
        tx.run(
            f"{_INSERT} SELECT u.pool_id, j.key, substr(j.value, 1, {CUT}), u.username_key"
            f" FROM users u, {self.db.attribute_pairs('u.attributes')} j"
            f" WHERE {where} AND j.key IN ({marks}) ORDER BY 2, 3, 4 {_NOTHING}",
            (*params, *ATTRIBUTES),
        )

    def _mark_current(self, tx: Tx, pool_id: str) -> bool:
        # One sub row per user, and no row that is not a user's: the table covers the
        # pool exactly when the two counts agree. An import that ran while the chunks
        # were filled left rows missing behind them, and the table stays out of date.
        row = tx.one(
            "SELECT p.user_count, (SELECT COUNT(*) FROM user_search s WHERE s.pool_id ="
            " p.pool_id AND s.attribute = 'sub') FROM pools p WHERE p.pool_id = ?",
            (pool_id,),
        )
        if row is None or int(row[0]) != int(row[1]):
            return False
        tx.run("UPDATE pools SET search_count = user_count WHERE pool_id = ?", (pool_id,))
        return True

    def current(self, pool_id: str) -> bool:
        """Whether ``user_search`` covers the pool now (one short read)."""
        with self.db.read() as tx:
            counts = tx.one(
                "SELECT user_count, search_count FROM pools WHERE pool_id = ?", (pool_id,)
            )
        return counts is not None and counts[0] == counts[1]

    def find(
        self,
        pool_id: str,
        flt: UserFilter,
        after: str | None,
        limit: int,
        *,
        account: str | None = None,
        pool_columns: Sequence[str] = (),
    ) -> Found | None:
        """Rows (users' columns) matching ``flt``, by username key, from the index, with
        ``pool_columns`` of the pool's row; None if there is no such pool (of
        ``account``, when given). One statement: on PostgreSQL each is a round trip, and
        asking ``current`` first cost a third of a filtered ListUsers, and reading the
        pool apart about a tenth of what was left."""
        join, where, params = self._matching(pool_id, flt, after)
        # The page's keys first, from the index alone, then their users: a prefix that
        # thousands of users match costs a sort of their keys, not thousands of lookups.
        keys = (
            f"SELECT s.username_key AS k FROM user_search s{join}"
            f" WHERE {where} ORDER BY s.username_key LIMIT ?"
        )
        page = (
            f"{self._select} FROM ({keys}) page JOIN users u"
            " ON u.pool_id = ? AND u.username_key = page.k"
        )
        head = "".join(f", {c}" for c in pool_columns)
        pool_where = "pool_id = ?" + ("" if account is None else " AND account = ?")
        pool_params = [pool_id] if account is None else [pool_id, account]
        # One row with NULL users when the index is current and nothing matches, or
        # when it is not current (``ok`` false); no row when there is no such pool.
        sql = (
            f"SELECT c.*, x.* FROM (SELECT search_count = user_count AS ok{head} FROM pools"
            f" WHERE {pool_where}) c LEFT JOIN ({page}) x ON c.ok ORDER BY x.username_key"
        )
        with self.db.read() as tx:
            rows = tx.all(sql, [*pool_params, *params, limit, pool_id])
        if not rows:
            return None
        first = 1 + len(pool_columns)
        pool = tuple(rows[0][1:first])
        if not rows[0][0]:
            return Found(pool, None)
        return Found(pool, [r[first:] for r in rows if r[first + 1] is not None])

    def few(self, pool_id: str, flt: UserFilter, most: int) -> bool:
        """Whether at most ``most`` users match ``flt`` (a count that stops past it)."""
        join, where, params = self._matching(pool_id, flt, None)
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM user_search s{join} WHERE {where} LIMIT ?) m"
        with self.db.read() as tx:
            row = tx.one(sql, [*params, most + 1])
        return row is not None and int(row[0]) <= most

    def _matching(
        self, pool_id: str, flt: UserFilter, after: str | None
    ) -> tuple[str, str, list[object]]:
        """The join, WHERE clause and parameters of the index entries matching ``flt``."""
        where = ["s.pool_id = ?", "s.attribute = ?", "s.username_key > ?"]
        params: list[object] = [pool_id, flt.attribute, after or ""]
        value = flt.value
        if not flt.prefix or len(value) >= CUT:
            where.append("s.value = ?")
            params.append(value[:CUT])
        else:
            where.append("s.value >= ?")
            params.append(value)
            end = prefix_end(value)
            if end is not None:
                where.append("s.value < ?")
                params.append(end)
        join = ""
        if len(value) >= CUT:
            # The stored value is cut: compare the whole one (a rare, long filter).
            join = " JOIN users u ON u.pool_id = s.pool_id AND u.username_key = s.username_key"
            exact = self._exact(flt)
            if flt.prefix:
                where.append(f"substr({exact}, 1, ?) = ?")
                params.extend([len(value), value])
            else:
                where.append(f"{exact} = ?")
                params.append(value)
        return join, " AND ".join(where), params

    def _exact(self, flt: UserFilter) -> str:
        if flt.attribute in COLUMNS:
            return f"u.{COLUMNS[flt.attribute]}"
        return self.db.attribute_field(flt.attribute)


def status_changed(tx: Tx, pool_id: str, username_key: str, before: str, after: str) -> None:
    """After a user's status changed: its row moves, by the primary key (an UPDATE by
    username_key would scan every status row of the pool)."""
    name = "cognito:user_status"
    # The pool's row lock, as every insert and the indexer's chunks take it: a chunk
    # that read the old status cannot commit its row after this deletes it.
    tx.run("UPDATE pools SET search_count = search_count WHERE pool_id = ?", (pool_id,))
    tx.run(
        "DELETE FROM user_search WHERE pool_id = ? AND attribute = ? AND value = ?"
        " AND username_key = ?",
        (pool_id, name, before[:CUT], username_key),
    )
    # Written whether the index is current or not: it only ever lacks rows.
    tx.run(f"{_INSERT} VALUES (?, ?, ?, ?) {_NOTHING}", (pool_id, name, after[:CUT], username_key))


def _rows(user: User) -> list[tuple[str, str, str, str]]:
    """The user's rows of the table."""
    pairs = [(name, str(getattr(user, column))) for name, column in COLUMNS.items()]
    pairs += [(name, user.attributes[name]) for name in ATTRIBUTES if name in user.attributes]
    return [(user.pool_id, name, value[:CUT], user.username_key) for name, value in pairs]
