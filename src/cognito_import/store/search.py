"""ListUsers' filters over ``user_search`` (migration 0004): an index of each user's
searchable values that the import never has to keep up to date.

A 500,000-user import must stay fast, and an index kept up to date row by row made it
three times slower (every batch touched every page of every index). So the import only
counts its users (``pools.user_count``); ``pools.search_count`` is the number of users
``user_search`` covers, and when the two differ the table is rebuilt for that pool in
one sorted pass by the first filtered ListUsers that needs it, unless a job of the pool
is still importing: then the filter scans, as before. The pass is one transaction: for
500,000 users it took 13 s on SQLite (other writers wait for it, within SQLite's 30 s
busy timeout) and 27 s on PostgreSQL (where only that pool's row is locked).
AdminCreateUser and AdminDeleteUser keep an up-to-date table up to date themselves
(one row per value), and mark it out of date otherwise. A change of a user's searchable
attributes after creation (no such operation exists yet) must do the same.

Values are stored cut to ``CUT`` characters (PostgreSQL limits an index entry to 2,704
bytes); a filter value that long is checked again against the user's attributes.
"""

from __future__ import annotations

from cognito_import.domain.filters import SEARCHABLE, UserFilter
from cognito_import.domain.jobs import IN_PROGRESS, PENDING, STOPPING
from cognito_import.domain.users import User
from cognito_import.store.db import Database, Row, Tx

CUT = 200
# Attribute values indexed from users.attributes, and the user columns indexed beside
# them under the filter's own name. Usernames have the primary key; ``status``
# (Enabled/Disabled) has two values and is scanned.
ATTRIBUTES = tuple(name for name, column in SEARCHABLE.items() if isinstance(column, tuple))
COLUMNS = {"sub": "sub", "cognito:user_status": "status"}
_IMPORTING = (PENDING, IN_PROGRESS, STOPPING)


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

    def added(self, tx: Tx, user: User) -> None:
        """After ``user`` was inserted and counted: index it if the table is current."""
        current = tx.run(
            "UPDATE pools SET search_count = search_count + 1"
            " WHERE pool_id = ? AND search_count = user_count - 1",
            (user.pool_id,),
        )
        if current:
            tx.many(
                "INSERT INTO user_search (pool_id, attribute, value, username_key)"
                " VALUES (?, ?, ?, ?)",
                [(user.pool_id, a, v[:CUT], user.username_key) for a, v in _values(user)],
            )

    def removed(self, tx: Tx, pool_id: str, username_key: str, deleted: int) -> None:
        """After a user was deleted and uncounted (``deleted`` users, 0 or 1)."""
        if not deleted:
            return
        current = tx.run(
            "UPDATE pools SET search_count = search_count - 1"
            " WHERE pool_id = ? AND search_count = user_count + 1",
            (pool_id,),
        )
        if not current:
            tx.run("UPDATE pools SET search_count = -1 WHERE pool_id = ?", (pool_id,))
        tx.run(
            "DELETE FROM user_search WHERE pool_id = ? AND username_key = ?",
            (pool_id, username_key),
        )

    # -- reading ---------------------------------------------------------------------

    def ready(self, pool_id: str) -> bool:
        """Whether ``user_search`` covers the pool, after rebuilding it if it is out of
        date and no job of the pool is importing."""
        if self.current(pool_id):
            return True
        with self.db.write() as tx:
            # A no-op update takes the pool's row lock on PostgreSQL (SQLite's BEGIN
            # IMMEDIATE already excludes other writers): concurrent rebuilds queue up
            # and find the work done, and no import batch commits halfway through.
            tx.run("UPDATE pools SET search_count = search_count WHERE pool_id = ?", (pool_id,))
            row = tx.one("SELECT user_count, search_count FROM pools WHERE pool_id = ?", (pool_id,))
            if row is None or row[0] == row[1]:
                return row is not None
            marks = ",".join("?" * len(_IMPORTING))
            if tx.one(
                f"SELECT 1 FROM jobs WHERE pool_id = ? AND status IN ({marks})",
                (pool_id, *_IMPORTING),
            ):
                return False
            self._rebuild(tx, pool_id, int(row[0]))
        return True

    def _rebuild(self, tx: Tx, pool_id: str, users: int) -> None:
        tx.run("DELETE FROM user_search WHERE pool_id = ?", (pool_id,))
        insert = "INSERT INTO user_search (pool_id, attribute, value, username_key) "
        for name, column in COLUMNS.items():
            tx.run(
                f"{insert} SELECT pool_id, ?, substr({column}, 1, {CUT}), username_key"
                f" FROM users WHERE pool_id = ? ORDER BY 3, 4",
                (name, pool_id),
            )
        marks = ",".join("?" * len(ATTRIBUTES))
        tx.run(
            f"{insert} SELECT u.pool_id, j.key, substr(j.value, 1, {CUT}), u.username_key"
            f" FROM users u, {self.db.attribute_pairs('u.attributes')} j"
            f" WHERE u.pool_id = ? AND j.key IN ({marks}) ORDER BY 2, 3, 4",
            (pool_id, *ATTRIBUTES),
        )
        tx.run("UPDATE pools SET search_count = ? WHERE pool_id = ?", (users, pool_id))

    def current(self, pool_id: str) -> bool:
        """Whether ``user_search`` covers the pool now (one short read)."""
        with self.db.read() as tx:
            counts = tx.one(
                "SELECT user_count, search_count FROM pools WHERE pool_id = ?", (pool_id,)
            )
        return counts is not None and counts[0] == counts[1]

    def find(self, pool_id: str, flt: UserFilter, after: str | None, limit: int) -> list[Row]:
        """Rows (users' columns) matching ``flt``, by username key, from the index."""
        join, where, params = self._matching(pool_id, flt, after)
        params.extend([limit, pool_id])
        # The page's keys first, from the index alone, then their users: a prefix that
        # thousands of users match costs a sort of their keys, not thousands of lookups.
        keys = (
            f"SELECT s.username_key AS k FROM user_search s{join}"
            f" WHERE {where} ORDER BY s.username_key LIMIT ?"
        )
        sql = (
            f"{self._select} FROM ({keys}) page JOIN users u"
            " ON u.pool_id = ? AND u.username_key = page.k ORDER BY u.username_key"
        )
        with self.db.read() as tx:
            return tx.all(sql, params)

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


def _values(user: User) -> list[tuple[str, str]]:
    pairs = [(name, str(getattr(user, column))) for name, column in COLUMNS.items()]
    pairs += [(name, user.attributes[name]) for name in ATTRIBUTES if name in user.attributes]
    return pairs
