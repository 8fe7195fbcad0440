"""Migration 0005: a pool's unique values move from the ``user_aliases`` table into the
users' own rows (``alias_email``, ``alias_phone_number``, ``alias_preferred_username``,
see ``store/users.py``), stored as themselves where they fit the index rather than as a
digest.

A value in its own table cost three B-trees on SQLite (rowid table, primary key, index
by user) and three structures on PostgreSQL; a column under a partial unique index
costs one index entry, as the import's floor does with a unique email column.

SQL cannot write the values alone: each is recomputed from the user's attributes by the
domain's rule (``unique_values``, which lower-cases emails as Python does, not as each
database's ``lower()`` would), and checked against the stored digest before it is used.
"""

from __future__ import annotations

import hashlib
import json

from cognito_import.domain.users import unique_values
from cognito_import.store.db import Database, Tx
from cognito_import.store.users import DIGEST_MARK, UNIQUE_COLUMNS, alias_key

NAME = "0005_alias_columns"


def migrate(db: Database, tx: Tx) -> None:
    for column in UNIQUE_COLUMNS.values():
        tx.run(f"ALTER TABLE users ADD COLUMN {column} TEXT")
    rows = tx.all(
        "SELECT a.pool_id, a.attribute, a.value, a.username_key, u.attributes"
        " FROM user_aliases a JOIN users u"
        " ON u.pool_id = a.pool_id AND u.username_key = a.username_key"
    )
    by_column: dict[str, list[tuple[str, str, str]]] = {}
    for pool_id, attribute, digest, username_key, attributes in rows:
        stored = _stored(attribute, digest, attributes)
        by_column.setdefault(UNIQUE_COLUMNS[attribute], []).append((stored, pool_id, username_key))
    for column, updates in by_column.items():
        tx.many(f"UPDATE users SET {column} = ? WHERE pool_id = ? AND username_key = ?", updates)
    tx.run("DROP TABLE user_aliases")
    for column in UNIQUE_COLUMNS.values():
        tx.run(
            f"CREATE UNIQUE INDEX users_{column} ON users (pool_id, {column})"
            f" WHERE {column} IS NOT NULL"
        )


def _stored(attribute: str, digest: str, attributes: str) -> str:
    value = unique_values(frozenset({attribute}), json.loads(attributes)).get(attribute)
    raw = value.encode("utf-8", "surrogatepass") if value else b""
    if value and hashlib.sha256(raw).hexdigest() == digest:
        return alias_key(value)
    # Not the digest of the user's value (it cannot be: attributes never change without
    # their alias row), kept in the digest form, where no plain value can match it.
    return DIGEST_MARK + digest
