"""Migration 0005: ``user_aliases`` keyed on the value alone, the value stored as itself
where it fits the index (``users.alias_key``) rather than as a digest.

A value cost three B-trees on SQLite (the rowid table, the primary key, an index by
user) and three structures on PostgreSQL (heap, primary key, index by user); it now
costs one B-tree on SQLite (WITHOUT ROWID) and two on PostgreSQL. Deleting a user's
values goes through the primary key (``PoolStore.delete_user``), so the index by user
is gone.

SQL cannot write the values alone: each is recomputed from the user's attributes by the
domain's rule (``unique_values``, which lower-cases emails as Python does, not as each
database's ``lower()`` would), and checked against the stored digest before it replaces
it.
"""

from __future__ import annotations

import hashlib
import json

from cognito_import.domain.users import unique_values
from cognito_import.store.db import Database, Tx
from cognito_import.store.users import ALIAS_COLUMNS, DIGEST_MARK, AliasColumns, alias_key

NAME = "0005_alias_values"
CREATE = (
    "CREATE TABLE user_aliases (pool_id TEXT NOT NULL, attribute TEXT NOT NULL,"
    " value TEXT NOT NULL, username_key TEXT NOT NULL,"
    " PRIMARY KEY (pool_id, attribute, value)){rowid}"
)


def migrate(db: Database, tx: Tx) -> None:
    rows = tx.all(
        "SELECT a.pool_id, a.attribute, a.value, a.username_key, u.attributes"
        " FROM user_aliases a JOIN users u"
        " ON u.pool_id = a.pool_id AND u.username_key = a.username_key"
    )
    converted = [_convert(*row) for row in rows]
    tx.run("DROP TABLE user_aliases")
    tx.run(CREATE.format(rowid=" WITHOUT ROWID" if db.dialect == "sqlite" else ""))
    if converted:
        db.bulk_insert(tx, "user_aliases", ALIAS_COLUMNS, converted)


def _convert(
    pool_id: str, attribute: str, digest: str, username_key: str, attributes: str
) -> AliasColumns:
    value = unique_values(frozenset({attribute}), json.loads(attributes)).get(attribute)
    raw = value.encode("utf-8", "surrogatepass") if value else b""
    if value and hashlib.sha256(raw).hexdigest() == digest:
        return AliasColumns(pool_id, attribute, alias_key(value), username_key)
    # Not the digest of the user's value (it cannot be: attributes never change without
    # their alias row), kept in the digest form, where no plain value can match it.
    return AliasColumns(pool_id, attribute, DIGEST_MARK + digest, username_key)
