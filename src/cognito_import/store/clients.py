"""App clients and the pools' token signing keys in SQL."""

from __future__ import annotations

import json

from cognito_import.domain.clients import AppClient
from cognito_import.store.db import Database, Row

_COLUMNS = "client_id, pool_id, name, secret, created, modified, config"


def _client(row: Row) -> AppClient:
    return AppClient(
        client_id=row[0],
        pool_id=row[1],
        name=row[2],
        secret=row[3],
        created=row[4],
        modified=row[5],
        settings=json.loads(row[6]),
    )


class ClientStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, client: AppClient) -> bool:
        """Store a new client; False when its pool is gone (deleted meanwhile)."""
        with self.db.write() as tx:
            if tx.one("SELECT 1 FROM pools WHERE pool_id = ?", (client.pool_id,)) is None:
                return False
            tx.run(
                f"INSERT INTO pool_clients ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    client.client_id,
                    client.pool_id,
                    client.name,
                    client.secret,
                    client.created,
                    client.modified,
                    json.dumps(client.settings),
                ),
            )
        return True

    def update(self, client: AppClient) -> bool:
        with self.db.write() as tx:
            changed = tx.run(
                "UPDATE pool_clients SET name = ?, modified = ?, config = ?"
                " WHERE client_id = ? AND pool_id = ?",
                (
                    client.name,
                    client.modified,
                    json.dumps(client.settings),
                    client.client_id,
                    client.pool_id,
                ),
            )
        return changed > 0

    def get(self, client_id: str) -> AppClient | None:
        with self.db.read() as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM pool_clients WHERE client_id = ?", (client_id,))
        return None if row is None else _client(row)

    def list(self, pool_id: str, after: str | None, limit: int) -> list[AppClient]:
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT {_COLUMNS} FROM pool_clients WHERE pool_id = ? AND client_id > ?"
                " ORDER BY client_id LIMIT ?",
                (pool_id, after or "", limit),
            )
        return [_client(r) for r in rows]

    def delete(self, pool_id: str, client_id: str) -> bool:
        """Delete the client and the sign-in sessions it issued."""
        with self.db.write() as tx:
            deleted = tx.run(
                "DELETE FROM pool_clients WHERE client_id = ? AND pool_id = ?",
                (client_id, pool_id),
            )
            tx.run("DELETE FROM refresh_tokens WHERE client_id = ?", (client_id,))
        return deleted > 0

    def signing_key(self, pool_id: str, kid: str, private_pem: str) -> tuple[str, str]:
        """The pool's signing key: the one given, unless the pool has one already (another
        process made it first); returns the stored ``(kid, private_pem)``."""
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO pool_keys (pool_id, kid, private_pem) VALUES (?, ?, ?)"
                " ON CONFLICT (pool_id) DO NOTHING",
                (pool_id, kid, private_pem),
            )
            row = tx.one("SELECT kid, private_pem FROM pool_keys WHERE pool_id = ?", (pool_id,))
        assert row is not None
        return str(row[0]), str(row[1])

    def stored_key(self, pool_id: str) -> tuple[str, str] | None:
        with self.db.read() as tx:
            row = tx.one("SELECT kid, private_pem FROM pool_keys WHERE pool_id = ?", (pool_id,))
        return None if row is None else (str(row[0]), str(row[1]))
