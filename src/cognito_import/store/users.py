"""Users as table rows: the one mapping from a user to its rows, the bulk insert and the
bulk lookups, shared by the import and AdminCreateUser.

A pool's unique values (its alias and username attributes) are rows of
``user_aliases``, keyed (pool, attribute, value): the key does the uniqueness check.
SQLite keeps that table WITHOUT ROWID, so a value costs one B-tree entry, as a unique
index would; a pool with nothing unique pays nothing (columns on the users' rows, tried
instead, cost every pool three more columns and partial indexes: 2.9 s of a
500,000-user import's writer time in the default pool).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NamedTuple

import orjson

from cognito_import.domain.batches import CheckedRow
from cognito_import.domain.users import CONFIRMED, RESET_REQUIRED, User
from cognito_import.store.db import Database, IntegrityError, Tx

# A value longer than this many UTF-8 bytes is stored as its digest: PostgreSQL refuses
# index entries over 2,704 bytes, and a 2,048-character 4-byte alias is 8 KiB. Shorter
# values are stored as they are, so that a file's values, often in order, land on
# neighbouring index pages instead of at a random page each.
MAX_PLAIN_ALIAS_BYTES = 512
# A digest is marked so that it can never equal a plain value: a plain value that
# starts with the mark is digested too.
DIGEST_MARK = "sha256:"


class UserColumns(NamedTuple):
    """A ``users`` row, field by field in column order."""

    pool_id: str
    username_key: str
    username: str
    sub: str
    status: str
    enabled: int
    created: float
    modified: float
    attributes: str
    mfa_enabled: int
    password_hash: str | None
    hash_algorithm: str | None


class AliasColumns(NamedTuple):
    """A ``user_aliases`` row: ``value`` as compared, stored through ``alias_key``."""

    pool_id: str
    attribute: str
    value: str
    username_key: str


USER_COLUMNS = UserColumns._fields
# Tables of per-user state keyed (pool_id, username_key), deleted with the user.
USER_SIDE_TABLES = ("user_codes", "temporary_passwords", "refresh_tokens")
ALIAS_COLUMNS = AliasColumns._fields


def encode_attributes(attributes: dict[str, str]) -> str:
    """The stored form of a user's attributes (``users.attributes``): compact JSON,
    non-ASCII as itself. orjson, not the json module: this runs for every imported row,
    and took 4.4 us of a parser's 21 us a row with json against 1.2 us with orjson (the
    same text: every value obeys the text rule, so no surrogate reaches it)."""
    return orjson.dumps(attributes).decode()


def decode_attributes(stored: str) -> dict[str, str]:
    decoded: dict[str, str] = orjson.loads(stored)
    return decoded


class Conflict(Exception):
    """A username or unique attribute value is already taken."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        super().__init__(attribute)


class PoolDeleted(Exception):
    """The pool is gone: nothing was written, and its rows went with it."""


def alias_key(value: str) -> str:
    """What ``user_aliases.value`` holds for ``value``."""
    # A character is at most 4 bytes: most values need no encoding to be measured.
    if len(value) <= MAX_PLAIN_ALIAS_BYTES // 4 and not value.startswith(DIGEST_MARK):
        return value
    raw = value.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_PLAIN_ALIAS_BYTES and not value.startswith(DIGEST_MARK):
        return value
    return DIGEST_MARK + hashlib.sha256(raw).hexdigest()


def user_columns(user: User) -> UserColumns:
    return UserColumns(
        pool_id=user.pool_id,
        username_key=user.username_key,
        username=user.username,
        sub=user.sub,
        status=user.status,
        enabled=int(user.enabled),
        created=user.created,
        modified=user.modified,
        attributes=encode_attributes(user.attributes),
        mfa_enabled=int(user.mfa_enabled),
        password_hash=user.password_hash,
        hash_algorithm=user.hash_algorithm,
    )


def user_aliases(user: User) -> list[AliasColumns]:
    return [
        AliasColumns(user.pool_id, a, v, user.username_key) for a, v in user.unique_values.items()
    ]


def imported_columns(
    pool_id: str, rows: Sequence[CheckedRow], algorithm: str | None, now: float
) -> tuple[list[UserColumns], list[AliasColumns]]:
    """Imported users, RESET_REQUIRED or CONFIRMED when they came with a hash, and
    their unique values.

    Built positionally, in the field order above (``test_users_columns`` holds it to
    ``user_columns``): keyword construction was a tenth of a 500,000-row import's
    writer time.
    """
    new = tuple.__new__
    made = [
        new(
            UserColumns,
            (
                pool_id,
                row.username_key,
                row.username,
                row.sub,
                RESET_REQUIRED if row.password_hash is None else CONFIRMED,
                1,
                now,
                now,
                row.attributes_json,
                1 if row.mfa_enabled else 0,
                row.password_hash,
                None if row.password_hash is None else algorithm,
            ),
        )
        for row in rows
    ]
    aliases = [
        new(AliasColumns, (pool_id, attribute, value, row.username_key))
        for row in rows
        for attribute, value in row.unique_values
    ]
    return made, aliases


def insert(
    db: Database,
    tx: Tx,
    pool_id: str,
    users: Sequence[UserColumns],
    aliases: Sequence[AliasColumns],
) -> None:
    """Bulk-insert a pool's users and their unique values (raw: stored through
    ``alias_key``) and count them. ``Conflict`` if a username or value is taken,
    ``PoolDeleted`` if the pool is gone; either way the caller's transaction must roll
    back.

    The pool's counter is updated first, which also locks the pool's row: a
    DeleteUserPool committed before leaves no row to update, and one that comes later
    waits for this transaction and then deletes these users with the rest. Without it,
    PostgreSQL could commit users whose pool was deleted in between.
    """
    if not tx.run(
        "UPDATE pools SET user_count = user_count + ? WHERE pool_id = ?", (len(users), pool_id)
    ):
        raise PoolDeleted(pool_id)
    try:
        if users:
            db.bulk_insert(tx, "users", USER_COLUMNS, users)
        if aliases:
            db.bulk_insert(
                tx,
                "user_aliases",
                ALIAS_COLUMNS,
                # Plain tuples: NamedTuple._replace was 2% of an alias pool's import.
                [(a[0], a[1], alias_key(a[2]), a[3]) for a in aliases],
            )
    except IntegrityError as exc:
        raise Conflict("alias" if "user_aliases" in str(exc) else "username") from exc


def existing_usernames(db: Database, tx: Tx, pool_id: str, keys: Sequence[str]) -> set[str]:
    """Which of these username keys the pool holds."""
    sql = "SELECT username_key FROM users WHERE pool_id = ? AND username_key"
    return {r[0] for r in db.select_in(tx, sql, (pool_id,), keys)}


def existing_values(
    db: Database, tx: Tx, pool_id: str, pairs: Sequence[tuple[str, str]]
) -> dict[str, set[str]]:
    """Which of these (attribute, value) pairs the pool holds, by attribute."""
    by_attribute: dict[str, dict[str, str]] = {}
    for attribute, value in pairs:
        by_attribute.setdefault(attribute, {})[alias_key(value)] = value
    found: dict[str, set[str]] = {}
    sql = "SELECT value FROM user_aliases WHERE pool_id = ? AND attribute = ? AND value"
    for attribute, by_key in by_attribute.items():
        rows = db.select_in(tx, sql, (pool_id, attribute), list(by_key))
        if rows:
            found[attribute] = {by_key[r[0]] for r in rows}
    return found
