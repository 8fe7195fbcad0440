"""Sign-in sessions: one row per refresh token, which every ID and access token issued
from it names by its ``origin_jti``; revoking the row revokes them all."""

from __future__ import annotations

from dataclasses import dataclass

from cognito_import.store.db import Database, Row

_COLUMNS = "origin_jti, token_hash, pool_id, client_id, username_key, auth_time, expires, revoked"


@dataclass(frozen=True)
class Session:
    origin_jti: str
    token_hash: str
    pool_id: str
    client_id: str
    username_key: str
    auth_time: float
    expires: float
    revoked: bool


def _session(row: Row) -> Session:
    return Session(
        origin_jti=row[0],
        token_hash=row[1],
        pool_id=row[2],
        client_id=row[3],
        username_key=row[4],
        auth_time=row[5],
        expires=row[6],
        revoked=bool(row[7]),
    )


class SessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, session: Session, sub: str) -> bool:
        """Record a sign-in's session if its user (that very user: ``sub``) still exists;
        False, with nothing written, if it was deleted meanwhile. The user's row lock
        orders this with AdminDeleteUser, which deletes a user's sessions with it: a
        session committed after the deletion would outlive its user, and give tokens to
        the next user created under the same name."""
        with self.db.write() as tx:
            if not tx.run(
                "UPDATE users SET status = status WHERE pool_id = ? AND username_key = ?"
                " AND sub = ?",
                (session.pool_id, session.username_key, sub),
            ):
                return False
            tx.run(
                f"INSERT INTO refresh_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session.origin_jti,
                    session.token_hash,
                    session.pool_id,
                    session.client_id,
                    session.username_key,
                    session.auth_time,
                    session.expires,
                    int(session.revoked),
                ),
            )
        return True

    def by_token(self, token_hash: str) -> Session | None:
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_COLUMNS} FROM refresh_tokens WHERE token_hash = ?", (token_hash,)
            )
        return None if row is None else _session(row)

    def by_origin(self, origin_jti: str) -> Session | None:
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_COLUMNS} FROM refresh_tokens WHERE origin_jti = ?", (origin_jti,)
            )
        return None if row is None else _session(row)

    def revoke(self, origin_jti: str) -> None:
        with self.db.write() as tx:
            tx.run("UPDATE refresh_tokens SET revoked = 1 WHERE origin_jti = ?", (origin_jti,))

    def revoke_user(self, pool_id: str, username_key: str) -> None:
        """Every session of the user: GlobalSignOut and AdminUserGlobalSignOut."""
        with self.db.write() as tx:
            tx.run(
                "UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ? AND username_key = ?",
                (pool_id, username_key),
            )
