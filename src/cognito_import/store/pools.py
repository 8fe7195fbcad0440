"""Pools and users in SQL. Every method is one unit of work; none raises a driver error."""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence

from cognito_import.domain.attributes import VERIFIABLE
from cognito_import.domain.filters import UserFilter
from cognito_import.domain.pool_rules import config_from_json, config_to_json
from cognito_import.domain.pools import Pool, PoolConfig
from cognito_import.domain.users import User
from cognito_import.store.db import Database, IntegrityError, Params, Row, Tx, chunks
from cognito_import.store.search import UserSearch, indexed

QUICK_MATCHES = 8
_POOL_COLUMNS = "pool_id, account, region, name, created, modified, config, settings"
USER_COLUMNS = (
    "pool_id",
    "username_key",
    "username",
    "sub",
    "status",
    "enabled",
    "created",
    "modified",
    "attributes",
    "mfa_enabled",
    "password_hash",
    "hash_algorithm",
)
_USER_SELECT = "SELECT " + ", ".join(USER_COLUMNS) + " FROM users"
ALIAS_COLUMNS = ("pool_id", "attribute", "value", "username_key")


def alias_key(value: str) -> str:
    """What ``user_aliases.value`` holds: a digest, not the value. A 2,048-character
    attribute can exceed PostgreSQL's index entry limit (2,704 bytes), and the table is
    only ever searched by equality."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


class Conflict(Exception):
    """A username or unique attribute value is already taken."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        super().__init__(attribute)


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
    return User(
        pool_id=row[0],
        username_key=row[1],
        username=row[2],
        sub=row[3],
        status=row[4],
        enabled=bool(row[5]),
        created=row[6],
        modified=row[7],
        attributes=json.loads(row[8]),
        mfa_enabled=bool(row[9]),
        password_hash=row[10],
        hash_algorithm=row[11],
    )


def user_row(user: User) -> tuple[object, ...]:
    return (
        user.pool_id,
        user.username_key,
        user.username,
        user.sub,
        user.status,
        int(user.enabled),
        user.created,
        user.modified,
        json.dumps(user.attributes, ensure_ascii=False, separators=(",", ":")),
        int(user.mfa_enabled),
        user.password_hash,
        user.hash_algorithm,
    )


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

    def get_pool(self, account: str, pool_id: str) -> Pool | None:
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_POOL_COLUMNS} FROM pools WHERE pool_id = ? AND account = ?",
                (pool_id, account),
            )
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
            for table in ("users", "user_aliases", "user_search"):
                tx.run(f"DELETE FROM {table} WHERE pool_id = ?", (pool_id,))
            jobs = "SELECT job_id FROM jobs WHERE pool_id = ?"
            for table in ("job_rows", "job_batches"):
                tx.run(f"DELETE FROM {table} WHERE job_id IN ({jobs})", (pool_id,))
            tx.run("DELETE FROM jobs WHERE pool_id = ?", (pool_id,))
        return True

    def count_users(self, pool_id: str) -> int:
        with self.db.read() as tx:
            row = tx.one("SELECT user_count FROM pools WHERE pool_id = ?", (pool_id,))
        return int(row[0]) if row else 0

    # -- users -----------------------------------------------------------------------

    def insert_user(self, user: User, take_over: frozenset[str] = frozenset()) -> None:
        """Insert one user and its unique values; ``Conflict`` names what was taken.

        Values of the attributes in ``take_over`` move to the new user instead: their
        holder loses them and its ``<attribute>_verified`` becomes ``false``, which is
        what AdminCreateUser's ForceAliasCreation does to the previous owner.
        """
        with self.db.write() as tx:
            kept = [(a, v) for a, v in user_unique_pairs([user]) if a not in take_over]
            taken = self.taken(tx, user.pool_id, [user.username_key], kept)
            if taken:
                raise Conflict(taken[0])
            for attribute in sorted(take_over & user.unique_values.keys()):
                self._release(tx, user, attribute)
            self.insert_users(tx, [user])
            self.search.added(tx, user)

    def _release(self, tx: Tx, user: User, attribute: str) -> None:
        where = "pool_id = ? AND attribute = ? AND value = ?"
        value = alias_key(user.unique_values[attribute])
        row = tx.one(
            f"SELECT username_key FROM user_aliases WHERE {where}", (user.pool_id, attribute, value)
        )
        if row is None:
            return
        tx.run(f"DELETE FROM user_aliases WHERE {where}", (user.pool_id, attribute, value))
        holder = (user.pool_id, row[0])
        found = tx.one(
            "SELECT attributes FROM users WHERE pool_id = ? AND username_key = ?", holder
        )
        if found is None:
            return
        attributes = json.loads(found[0])
        attributes[VERIFIABLE.get(attribute, attribute + "_verified")] = "false"
        tx.run(
            "UPDATE users SET attributes = ?, modified = ? WHERE pool_id = ? AND username_key = ?",
            (
                json.dumps(attributes, ensure_ascii=False, separators=(",", ":")),
                user.modified,
                *holder,
            ),
        )

    def taken(
        self, tx: Tx, pool_id: str, keys: Sequence[str], pairs: Sequence[tuple[str, str]]
    ) -> list[str]:
        """What of these usernames/unique values already exists: ``"username"`` or the
        attribute name, one entry per hit."""
        hits: list[str] = []
        for part in chunks(keys, 500):
            marks = ",".join("?" * len(part))
            rows = tx.all(
                f"SELECT username_key FROM users WHERE pool_id = ? AND username_key IN ({marks})",
                (pool_id, *part),
            )
            hits.extend("username" for _ in rows)
        for attribute, value in pairs:
            if tx.one(
                "SELECT 1 FROM user_aliases WHERE pool_id = ? AND attribute = ? AND value = ?",
                (pool_id, attribute, alias_key(value)),
            ):
                hits.append(attribute)
        return hits

    def existing_keys(self, tx: Tx, pool_id: str, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in chunks(keys, 900):
            marks = ",".join("?" * len(part))
            rows = tx.all(
                f"SELECT username_key FROM users WHERE pool_id = ? AND username_key IN ({marks})",
                (pool_id, *part),
            )
            found.update(r[0] for r in rows)
        return found

    def existing_values(
        self, tx: Tx, pool_id: str, attribute: str, values: Sequence[str]
    ) -> set[str]:
        by_key = {alias_key(v): v for v in values}
        found: set[str] = set()
        for part in chunks(list(by_key), 900):
            marks = ",".join("?" * len(part))
            rows = tx.all(
                "SELECT value FROM user_aliases WHERE pool_id = ? AND attribute = ?"
                f" AND value IN ({marks})",
                (pool_id, attribute, *part),
            )
            found.update(by_key[r[0]] for r in rows)
        return found

    def insert_users(self, tx: Tx, users: Sequence[User]) -> None:
        aliases = [
            (u.pool_id, attribute, value, u.username_key)
            for u in users
            for attribute, value in u.unique_values.items()
        ]
        self.insert_rows(tx, [user_row(u) for u in users], aliases)

    def insert_rows(
        self, tx: Tx, user_rows: Sequence[Params], alias_rows: Sequence[tuple[str, str, str, str]]
    ) -> None:
        """Bulk-insert ``users`` rows and their unique values (raw; stored digested).
        ``Conflict`` if any is taken: the caller rolls back what this wrote."""
        try:
            if user_rows:
                self.db.bulk_insert(tx, "users", USER_COLUMNS, user_rows)
                for pool_id, added in Counter(row[0] for row in user_rows).items():
                    tx.run(
                        "UPDATE pools SET user_count = user_count + ? WHERE pool_id = ?",
                        (added, pool_id),
                    )
            if alias_rows:
                self.db.bulk_insert(
                    tx,
                    "user_aliases",
                    ALIAS_COLUMNS,
                    [(p, a, alias_key(v), k) for p, a, v, k in alias_rows],
                )
        except IntegrityError as exc:
            raise Conflict("username" if "users" in str(exc) else "alias") from exc

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
        with self.db.write() as tx:
            deleted = tx.run(
                "DELETE FROM users WHERE pool_id = ? AND username_key = ?", (pool_id, username_key)
            )
            tx.run(
                "DELETE FROM user_aliases WHERE pool_id = ? AND username_key = ?",
                (pool_id, username_key),
            )
            tx.run(
                "UPDATE pools SET user_count = user_count - ? WHERE pool_id = ?",
                (deleted, pool_id),
            )
            self.search.removed(tx, pool_id, username_key, deleted)
        return deleted > 0

    def list_users(
        self, pool_id: str, flt: UserFilter | None, after: str | None, limit: int
    ) -> list[User]:
        """Users ordered by username key, after the key ``after``, matching ``flt``.

        Filters on ``sub``, ``cognito:user_status`` and the searchable attributes are
        answered from ``user_search`` when it covers the pool (``store.search``);
        usernames from the primary key; anything else scans the pool.
        """
        if flt is not None and indexed(flt) and self.search.ready(pool_id):
            return [_user(r) for r in self.search.find(pool_id, flt, after, limit)]
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


def user_unique_pairs(users: Iterable[User]) -> list[tuple[str, str]]:
    return [(a, v) for u in users for a, v in u.unique_values.items()]
