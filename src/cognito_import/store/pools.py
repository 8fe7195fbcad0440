"""Pools and users in SQL. Every method is one unit of work; none raises a driver error."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence

from cognito_import.domain.attributes import VERIFIABLE
from cognito_import.domain.filters import UserFilter
from cognito_import.domain.pool_rules import config_from_json, config_to_json
from cognito_import.domain.pools import Pool, PoolConfig
from cognito_import.domain.users import User, unique_values
from cognito_import.loop import leave_loop, running_on_loop
from cognito_import.store import users
from cognito_import.store.db import Database, Row, Tx
from cognito_import.store.search import UserSearch, indexed
from cognito_import.store.users import (
    USER_COLUMNS,
    Conflict,
    UserColumns,
    alias_key,
    decode_attributes,
    encode_attributes,
)

QUICK_MATCHES = 8
# Every table of rows that belong to one pool, deleted with it.
POOL_TABLES = (
    "users",
    "user_aliases",
    "user_search",
    "pool_clients",
    "pool_keys",
    "refresh_tokens",
    *users.USER_SIDE_TABLES,
    "outbox",
)
_POOL_FIELDS = ("pool_id", "account", "region", "name", "created", "modified", "config", "settings")
_POOL_COLUMNS = ", ".join(_POOL_FIELDS)
_USER_SELECT = "SELECT " + ", ".join(USER_COLUMNS) + " FROM users"


@functools.lru_cache(maxsize=1024)
def _config(text: str) -> PoolConfig:
    # A pool's config never changes after creation, and PoolConfig is immutable, so the
    # parse (about 100 µs, on every request naming a pool) is done once per config text.
    return config_from_json(json.loads(text))


def _pool(row: Row) -> Pool:
    return Pool(
        id=row[0],
        account=row[1],
        region=row[2],
        name=row[3],
        created=row[4],
        modified=row[5],
        config=_config(row[6]),
        settings=json.loads(row[7]),
    )


def _user(row: Row) -> User:
    c = UserColumns(*row)
    return User(
        pool_id=c.pool_id,
        username_key=c.username_key,
        username=c.username,
        sub=c.sub,
        status=c.status,
        enabled=bool(c.enabled),
        created=c.created,
        modified=c.modified,
        attributes=decode_attributes(c.attributes),
        mfa_enabled=bool(c.mfa_enabled),
        password_hash=c.password_hash,
        hash_algorithm=c.hash_algorithm,
    )


# The row shapes, for the whole-account reads of ``store.accounts``.
POOL_COLUMNS = _POOL_COLUMNS
USER_SELECT = _USER_SELECT
pool_from_row = _pool
user_from_row = _user


class PoolStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.search = UserSearch(db, USER_COLUMNS)

    # -- pools -----------------------------------------------------------------------

    def insert_pool(self, pool: Pool) -> None:
        config = json.dumps(config_to_json(pool.config))
        with self.db.write() as tx:
            tx.run(
                f"INSERT INTO pools ({_POOL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    pool.id,
                    pool.account,
                    pool.region,
                    pool.name,
                    pool.created,
                    pool.modified,
                    config,
                    json.dumps(pool.settings),
                ),
            )
            # An empty pool's index is current: no pass of the indexer needed.
            tx.run("UPDATE pools SET search_count = 0 WHERE pool_id = ?", (pool.id,))

    def get_pool(self, account: str, pool_id: str) -> Pool | None:
        found = self.get_pool_counted(account, pool_id)
        return found[0] if found else None

    def get_pool_counted(self, account: str, pool_id: str) -> tuple[Pool, int] | None:
        """The pool and its user count, in one statement: DescribeUserPool's two reads
        were two round trips on PostgreSQL."""
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_POOL_COLUMNS}, user_count FROM pools WHERE pool_id = ? AND account = ?",
                (pool_id, account),
            )
        return (_pool(row), int(row[-1])) if row else None

    def get_pool_by_id(self, pool_id: str) -> Pool | None:
        """A pool whatever its account: for unsigned requests, which name a client or
        carry a token rather than an account's key."""
        with self.db.read() as tx:
            row = tx.one(f"SELECT {_POOL_COLUMNS} FROM pools WHERE pool_id = ?", (pool_id,))
        return _pool(row) if row else None

    def list_pools(self, account: str, region: str, after: str | None, limit: int) -> list[Pool]:
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT {_POOL_COLUMNS} FROM pools WHERE account = ? AND region = ?"
                " AND pool_id > ? ORDER BY pool_id LIMIT ?",
                (account, region, after or "", limit),
            )
        return [_pool(r) for r in rows]

    def delete_pool(self, account: str, pool_id: str) -> bool:
        with self.db.write() as tx:
            if not tx.run(
                "DELETE FROM pools WHERE pool_id = ? AND account = ?", (pool_id, account)
            ):
                return False
            for table in POOL_TABLES:
                tx.run(f"DELETE FROM {table} WHERE pool_id = ?", (pool_id,))
            jobs = "SELECT job_id FROM jobs WHERE pool_id = ?"
            tables = ("job_rows", "job_batches")
            # PostgreSQL's uploads (blobs/postgres.py) go with their jobs, in this commit.
            for table in (*tables, "blobs") if self.db.dialect == "postgresql" else tables:
                tx.run(f"DELETE FROM {table} WHERE job_id IN ({jobs})", (pool_id,))
            tx.run("DELETE FROM jobs WHERE pool_id = ?", (pool_id,))
        return True

    def count_users(self, pool_id: str) -> int:
        with self.db.read() as tx:
            row = tx.one("SELECT user_count FROM pools WHERE pool_id = ?", (pool_id,))
        return int(row[0]) if row else 0

    # -- users -----------------------------------------------------------------------

    def insert_user(
        self,
        user: User,
        take_over: frozenset[str] = frozenset(),
        then: Callable[[Tx], None] | None = None,
    ) -> None:
        """Insert one user and its unique values; ``Conflict`` names what was taken.

        Values of the attributes in ``take_over`` move to the new user instead: their
        holder loses them and its ``<attribute>_verified`` becomes ``false``, which is
        what AdminCreateUser's ForceAliasCreation does to the previous owner. ``then``
        writes what goes with the user in the same transaction (its invitation).
        """
        db = self.db
        with db.write() as tx:
            if users.existing_usernames(db, tx, user.pool_id, [user.username_key]):
                raise Conflict("username")
            kept = [(a, v) for a, v in user.unique_values.items() if a not in take_over]
            held = users.existing_values(db, tx, user.pool_id, kept)
            clash = next((a for a, _ in kept if a in held), None)
            if clash is not None:
                raise Conflict(clash)
            for attribute in sorted(take_over & user.unique_values.keys()):
                self._release(tx, user, attribute)
            users.insert(db, tx, user.pool_id, [users.user_columns(user)], users.user_aliases(user))
            self.search.added(tx, [user])
            if then is not None:
                then(tx)

    def insert_users(self, pool_id: str, new: Sequence[User]) -> None:
        """Insert users of one pool in one transaction (a seed's); ``Conflict`` if any
        username or unique value is taken, and then none is inserted."""
        with self.db.write() as tx:
            users.insert(
                self.db,
                tx,
                pool_id,
                [users.user_columns(u) for u in new],
                [a for u in new for a in users.user_aliases(u)],
            )
            self.search.added(tx, new)

    def _release(self, tx: Tx, user: User, attribute: str) -> None:
        key = (user.pool_id, attribute, alias_key(user.unique_values[attribute]))
        where = "pool_id = ? AND attribute = ? AND value = ?"
        row = tx.one(f"SELECT username_key FROM user_aliases WHERE {where}", key)
        if row is None:
            return
        tx.run(f"DELETE FROM user_aliases WHERE {where}", key)
        holder = (user.pool_id, row[0])
        found = tx.one(
            "SELECT attributes FROM users WHERE pool_id = ? AND username_key = ?", holder
        )
        if found is None:
            return
        attributes = decode_attributes(found[0])
        attributes[VERIFIABLE.get(attribute, attribute + "_verified")] = "false"
        tx.run(
            "UPDATE users SET attributes = ?, modified = ? WHERE pool_id = ? AND username_key = ?",
            (
                encode_attributes(attributes),
                user.modified,
                *holder,
            ),
        )

    def refresh_statistics(self) -> None:
        self.db.refresh_statistics(("users", "user_aliases"))

    def held(
        self, pool_id: str, keys: Sequence[str], pairs: Sequence[tuple[str, str]]
    ) -> tuple[set[str], dict[str, set[str]]]:
        """Which of these username keys and (attribute, value) pairs the pool holds."""
        db = self.db
        with db.read() as tx:
            names = users.existing_usernames(db, tx, pool_id, keys) if keys else set()
            values = users.existing_values(db, tx, pool_id, pairs) if pairs else {}
        return names, values

    def get_user(self, pool_id: str, username_key: str) -> User | None:
        with self.db.read() as tx:
            row = tx.one(
                f"{_USER_SELECT} WHERE pool_id = ? AND username_key = ?", (pool_id, username_key)
            )
        return _user(row) if row else None

    def find_user_by_alias(self, pool_id: str, attribute: str, value: str) -> User | None:
        with self.db.read() as tx:
            row = tx.one(
                "SELECT username_key FROM user_aliases WHERE pool_id = ? AND attribute = ?"
                " AND value = ?",
                (pool_id, attribute, alias_key(value)),
            )
        return self.get_user(pool_id, row[0]) if row else None

    def delete_user(self, pool_id: str, username_key: str) -> bool:
        """Delete a user and the unique values it holds. These are found from its
        attributes by the rule that stored them, through the values' primary key; one
        that ForceAliasCreation moved to another user is no longer this user's."""
        key = (pool_id, username_key)
        with self.db.write() as tx:
            found = tx.one(f"{_USER_SELECT} WHERE pool_id = ? AND username_key = ?", key)
            config = tx.one("SELECT config FROM pools WHERE pool_id = ?", (pool_id,))
            if found is None or config is None:
                return False
            user = _user(found)
            held = unique_values(_config(config[0]).unique_attributes, user.attributes)
            for attribute, value in held.items():
                tx.run(
                    "DELETE FROM user_aliases WHERE pool_id = ? AND attribute = ? AND value = ?"
                    " AND username_key = ?",
                    (pool_id, attribute, alias_key(value), username_key),
                )
            deleted = tx.run("DELETE FROM users WHERE pool_id = ? AND username_key = ?", key)
            for table in users.USER_SIDE_TABLES:
                tx.run(f"DELETE FROM {table} WHERE pool_id = ? AND username_key = ?", key)
            tx.run(
                "UPDATE pools SET user_count = user_count - ? WHERE pool_id = ?",
                (deleted, pool_id),
            )
            if deleted:
                self.search.removed(tx, user)
        return deleted > 0

    def pool_users(
        self, account: str, pool_id: str, flt: UserFilter | None, after: str | None, limit: int
    ) -> tuple[Pool, list[User]] | None:
        """``account``'s pool and ``list_users`` of it; None if it has no such pool. One
        statement when the index answers ``flt``: a filtered ListUsers on PostgreSQL was
        two round trips, the pool's and the page's, and about a tenth slower for it."""
        if flt is None or not indexed(flt):
            pool = self.get_pool(account, pool_id)
            if pool is None:
                return None
            if flt is not None and flt.column == "username":
                flt = flt.with_value(pool.config.username_key(flt.value))
            return pool, self.list_users(pool_id, flt, after, limit)
        self._off_loop_unless_quick(pool_id, flt)
        found = self.search.find(
            pool_id, flt, after, limit, account=account, pool_columns=_POOL_FIELDS
        )
        if found is None:
            return None
        if found.rows is None:
            return _pool(found.pool), self._scan(pool_id, flt, after, limit)
        return _pool(found.pool), [_user(r) for r in found.rows]

    def list_users(
        self, pool_id: str, flt: UserFilter | None, after: str | None, limit: int
    ) -> list[User]:
        """Users ordered by username key, after the key ``after``, matching ``flt``.

        Filters on ``sub``, ``cognito:user_status`` and the searchable attributes are
        answered from ``user_search`` when it covers the pool (``store.search``);
        usernames from the primary key; anything else scans the pool.
        """
        if flt is not None:
            self._off_loop_unless_quick(pool_id, flt)
        if flt is not None and indexed(flt):
            found = self.search.find(pool_id, flt, after, limit)
            if found is not None and found.rows is not None:
                return [_user(r) for r in found.rows]
        return self._scan(pool_id, flt, after, limit)

    def _off_loop_unless_quick(self, pool_id: str, flt: UserFilter) -> None:
        if running_on_loop() and not self.quick(pool_id, flt):
            # A scan of the pool or a long page of matches: off the event loop.
            leave_loop()

    def _scan(
        self, pool_id: str, flt: UserFilter | None, after: str | None, limit: int
    ) -> list[User]:
        where = ["pool_id = ?", "username_key > ?"]
        params: list[object] = [pool_id, after or ""]
        if flt is not None and flt.column == "enabled":
            flags = sorted(int(f) for f in flt.enabled_values())
            where.append(f"enabled IN ({','.join('?' * len(flags))})" if flags else "1 = 0")
            params.extend(flags)
        elif flt is not None:
            column = self._filter_column(flt)
            if flt.prefix:
                # substr, not LIKE: no escaping of % and _, and no collation surprises.
                where.append(f"substr({column}, 1, ?) = ?")
                params.extend([len(flt.value), flt.value])
            else:
                where.append(f"{column} = ?")
                params.append(flt.value)
        params.append(limit)
        sql = f"{_USER_SELECT} WHERE {' AND '.join(where)} ORDER BY username_key LIMIT ?"
        with self.db.read() as tx:
            rows = tx.all(sql, params)
        return [_user(r) for r in rows]

    def quick(self, pool_id: str, flt: UserFilter) -> bool:
        """Whether ``list_users`` answers ``flt`` in about the time of one user: a
        username equality (the primary key), or a filter that the index, as it stands,
        says matches at most ``QUICK_MATCHES`` users. Not a scan, nor a rebuild of the
        index, nor a page of 60 matches to sort and shape, which on the event loop would
        hold up every other request for milliseconds each."""
        if flt.column == "username":
            return not flt.prefix
        return (
            indexed(flt)
            and self.search.current(pool_id)
            and self.search.few(pool_id, flt, QUICK_MATCHES)
        )

    def _filter_column(self, flt: UserFilter) -> str:
        """The SQL expression a filter compares."""
        if isinstance(flt.column, str):
            return {"username": "username_key", "sub": "sub", "user_status": "status"}[flt.column]
        return self.db.attribute_field(flt.column[1])
