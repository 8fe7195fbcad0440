"""Storage: one ``Store`` over SQLite or PostgreSQL, the same SQL for both."""

from __future__ import annotations

from pathlib import Path

from cognito_import.store.accounts import AccountStore
from cognito_import.store.clients import ClientStore
from cognito_import.store.credentials import CredentialStore
from cognito_import.store.db import Database
from cognito_import.store.jobs import JobStore
from cognito_import.store.migrate import apply_migrations
from cognito_import.store.outbox import OutboxStore
from cognito_import.store.pools import PoolStore
from cognito_import.store.sessions import SessionStore


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.pools = PoolStore(db)
        self.jobs = JobStore(db)
        self.accounts = AccountStore(db)
        self.clients = ClientStore(db)
        self.sessions = SessionStore(db)
        self.credentials = CredentialStore(db)
        self.outbox = OutboxStore(db)

    def put_state_once(self, name: str, value: str) -> str:
        """Store ``value`` unless one is stored already; returns the stored value, so
        that several processes starting together agree on one."""
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO server_state (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO NOTHING",
                (name, value),
            )
            row = tx.one("SELECT value FROM server_state WHERE name = ?", (name,))
        assert row is not None
        return str(row[0])

    def close(self) -> None:
        self.db.close()


def open_database(url: str | None, data_dir: Path) -> Database:
    if url is None or url == "":
        from cognito_import.store.sqlite import SqliteDatabase

        return SqliteDatabase(data_dir / "cognito-import.sqlite3")
    if url.startswith("sqlite:///"):
        from cognito_import.store.sqlite import SqliteDatabase

        return SqliteDatabase(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        from cognito_import.store.postgres import PostgresDatabase

        return PostgresDatabase(url)
    raise ValueError(f"unsupported --database URL {url!r}: use sqlite:///PATH or postgresql://...")


def open_store(url: str | None, data_dir: Path) -> Store:
    db = open_database(url, data_dir)
    apply_migrations(db)
    return Store(db)


__all__ = ["Store", "open_database", "open_store"]
