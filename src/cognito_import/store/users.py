"""Users as table rows: the one mapping from a user to its columns, the bulk insert and
the bulk lookups, shared by the import and AdminCreateUser.

A pool's unique values (its alias and username attributes: email, phone_number and
preferred_username at most) are columns of the user's own row, ``alias_<attribute>``,
each under a partial unique index on (pool, value): NULL where the attribute is not
unique in the pool or the user has no value. Checking one costs one index entry, as
a unique email column would; a value that ForceAliasCreation moved away is NULL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

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


# The attributes a pool can make unique, and the column holding each one's value.
UNIQUE_COLUMNS = {
    "email": "alias_email",
    "phone_number": "alias_phone_number",
    "preferred_username": "alias_preferred_username",
}


class UserColumns(NamedTuple):
    """A ``users`` row, field by field in column order. The ``alias_*`` fields hold the
    user's unique values through ``alias_key``."""

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
    alias_email: str | None
    alias_phone_number: str | None
    alias_preferred_username: str | None


USER_COLUMNS = UserColumns._fields
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Conflict(Exception):
    """A username or unique attribute value is already taken."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        super().__init__(attribute)


class PoolDeleted(Exception):
    """The pool is gone: nothing was written, and its rows went with it."""


def alias_key(value: str) -> str:
    """What an ``alias_*`` column holds for ``value``."""
    # A character is at most 4 bytes: most values need no encoding to be measured.
    if len(value) <= MAX_PLAIN_ALIAS_BYTES // 4 and not value.startswith(DIGEST_MARK):
        return value
    raw = value.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_PLAIN_ALIAS_BYTES and not value.startswith(DIGEST_MARK):
        return value
    return DIGEST_MARK + hashlib.sha256(raw).hexdigest()


def _keys(unique: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[str | None, ...]:
    """The ``alias_*`` fields, in column order, for these unique values."""
    values = dict(unique)
    return tuple(alias_key(values[a]) if values.get(a) else None for a in UNIQUE_COLUMNS)


def user_columns(user: User) -> UserColumns:
    email, phone, preferred = _keys(user.unique_values)
    return UserColumns(
        pool_id=user.pool_id,
        username_key=user.username_key,
        username=user.username,
        sub=user.sub,
        status=user.status,
        enabled=int(user.enabled),
        created=user.created,
        modified=user.modified,
        attributes=_dumps(user.attributes),
        mfa_enabled=int(user.mfa_enabled),
        password_hash=user.password_hash,
        hash_algorithm=user.hash_algorithm,
        alias_email=email,
        alias_phone_number=phone,
        alias_preferred_username=preferred,
    )


def imported_columns(
    pool_id: str, rows: Sequence[CheckedRow], algorithm: str | None, now: float
) -> list[UserColumns]:
    """Imported users: RESET_REQUIRED, or CONFIRMED when they came with a hash.

    Built positionally, in the field order above (``test_users_columns`` holds it to
    ``user_columns``): keyword construction was a tenth of a 500,000-row import's
    writer time.
    """
    new = tuple.__new__
    made = []
    for row in rows:
        hashed = row.password_hash is not None
        email = phone = preferred = None
        for attribute, value in row.unique_values:
            key = alias_key(value)
            if attribute == "email":
                email = key
            elif attribute == "phone_number":
                phone = key
            else:
                preferred = key
        made.append(
            new(
                UserColumns,
                (
                    pool_id,
                    row.username_key,
                    row.username,
                    row.sub,
                    CONFIRMED if hashed else RESET_REQUIRED,
                    1,
                    now,
                    now,
                    row.attributes_json,
                    1 if row.mfa_enabled else 0,
                    row.password_hash,
                    algorithm if hashed else None,
                    email,
                    phone,
                    preferred,
                ),
            )
        )
    return made


def insert(db: Database, tx: Tx, pool_id: str, users: Sequence[UserColumns]) -> None:
    """Bulk-insert a pool's users and count them. ``Conflict`` if a username or unique
    value is taken, ``PoolDeleted`` if the pool is gone; either way the caller's
    transaction must roll back.

    The pool's counter is updated first, which also locks the pool's row: a
    DeleteUserPool committed before leaves no row to update, and one that comes later
    waits for this transaction and then deletes these users with the rest. Without it,
    PostgreSQL could commit users whose pool was deleted in between.
    """
    if not tx.run(
        "UPDATE pools SET user_count = user_count + ? WHERE pool_id = ?", (len(users), pool_id)
    ):
        raise PoolDeleted(pool_id)
    if not users:
        return
    try:
        db.bulk_insert(tx, "users", USER_COLUMNS, users)
    except IntegrityError as exc:
        raise Conflict(_taken_attribute(str(exc))) from exc


def _taken_attribute(message: str) -> str:
    """What a unique-key error names: the attribute of its ``alias_`` column (SQLite:
    ``users.alias_email``; PostgreSQL: index ``users_alias_email``), else the username."""
    for attribute, column in UNIQUE_COLUMNS.items():
        if column in message:
            return attribute
    return "username"


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
    for attribute, by_key in by_attribute.items():
        column = UNIQUE_COLUMNS[attribute]
        sql = f"SELECT {column} FROM users WHERE pool_id = ? AND {column}"
        rows = db.select_in(tx, sql, (pool_id,), list(by_key))
        if rows:
            found[attribute] = {by_key[r[0]] for r in rows}
    return found
