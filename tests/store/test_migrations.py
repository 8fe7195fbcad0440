"""Migrations: applied once, in order; one that fails leaves nothing of itself behind
and is not recorded; 0005 moves unique values into the users' rows, digests turned
into plain values."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cognito_import.domain.pool_rules import config_to_json
from cognito_import.domain.users import User
from cognito_import.store import Store, open_database
from cognito_import.store.db import Database
from cognito_import.store.migrate import (
    CODE_MIGRATIONS,
    MigrationError,
    apply_migrations,
    default_folder,
)
from cognito_import.store.users import Conflict
from tests.store.conftest import ALIAS_CONFIG


def _names(db: Database) -> list[str]:
    with db.read() as tx:
        return sorted(r[0] for r in tx.all("SELECT name FROM schema_migrations"))


def test_a_failing_migration_is_not_recorded_or_half_applied(database: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_t.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);")
    (folder / "0002_bad.sql").write_text(
        "CREATE TABLE u (id INTEGER);\n"
        "INSERT INTO t (id) VALUES (1);\nINSERT INTO t (id) VALUES (1);"
    )
    db = open_database(database, tmp_path / "data")
    try:
        with pytest.raises(MigrationError, match="0002_bad"):
            apply_migrations(db, folder)
        assert _names(db) == ["0001_t.sql"]
        with db.read() as tx:
            assert tx.all("SELECT id FROM t") == []
        # The table the failed migration created was rolled back with it.
        (folder / "0002_bad.sql").write_text("CREATE TABLE u (id INTEGER);")
        assert apply_migrations(db, folder) == ["0002_bad.sql"]
        assert apply_migrations(db, folder) == []
        assert _names(db) == ["0001_t.sql", "0002_bad.sql"]
    finally:
        db.close()


def test_0005_turns_digests_into_values(database: str, tmp_path: Path) -> None:
    db = open_database(database, tmp_path / "data")
    apply_migrations(db, default_folder())  # the SQL migrations only: the 0003 schema
    emails = {"a": "Jane@Example.com", "b": "\U0001f600" * 200 + "@x.io"}
    with db.write() as tx:
        tx.run(
            "INSERT INTO pools (pool_id, account, region, name, created, modified, config,"
            " settings) VALUES ('us-east-1_Old000001', '1', 'us-east-1', 'p', 1, 1, ?, '{}')",
            (json.dumps(config_to_json(ALIAS_CONFIG)),),
        )
        for name, email in emails.items():
            tx.run(
                "INSERT INTO users (pool_id, username_key, username, sub, status, enabled,"
                " created, modified, attributes, mfa_enabled) VALUES"
                " ('us-east-1_Old000001', ?, ?, ?, 'RESET_REQUIRED', 1, 1, 1, ?, 0)",
                (name, name, "sub-" + name, json.dumps({"email": email})),
            )
            digest = hashlib.sha256(email.lower().encode()).hexdigest()
            tx.run(
                "INSERT INTO user_aliases (pool_id, attribute, value, username_key)"
                " VALUES ('us-east-1_Old000001', 'email', ?, ?)",
                (digest, name),
            )
    assert apply_migrations(db) == list(CODE_MIGRATIONS)
    store = Store(db)
    try:
        for name, email in emails.items():
            found = store.pools.find_user_by_alias("us-east-1_Old000001", "email", email.lower())
            assert found is not None and found.username == name
        with db.read() as tx:
            values = sorted(r[0] for r in tx.all("SELECT alias_email FROM users"))
        assert values[0] == "jane@example.com" and values[1].startswith("sha256:")
        # The unique index holds for the migrated values.
        with pytest.raises(Conflict):
            store.pools.insert_user(
                User(
                    pool_id="us-east-1_Old000001",
                    username="c",
                    username_key="c",
                    sub="sub-c",
                    status="RESET_REQUIRED",
                    enabled=True,
                    created=1.0,
                    modified=1.0,
                    attributes={"email": "jane@example.com"},
                    unique_values={"email": "jane@example.com"},
                )
            )
    finally:
        store.close()
