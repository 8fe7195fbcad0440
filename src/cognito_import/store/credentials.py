"""A user's credential, status and enabled flag, and the reset codes, in SQL.

Every method is one transaction that first updates the user's row: when the user is
gone the update touches nothing and the method writes nothing else either, returning
False (or ``NO_USER``). Messages passed in are written to the outbox in the same
transaction, so a message exists exactly when the change that sends it was made.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from cognito_import.domain.codes import MAX_ATTEMPTS
from cognito_import.store import outbox
from cognito_import.store.db import Database, Tx
from cognito_import.store.search import status_changed

OK = "ok"
NO_USER = "no user"
NO_CODE = "no code"
MISMATCH = "mismatch"
EXPIRED = "expired"
SPENT = "attempts spent"

_USER = "pool_id = ? AND username_key = ?"


@dataclass(frozen=True)
class Credential:
    """What ``users.password_hash`` and ``hash_algorithm`` hold, and the status beside."""

    algorithm: str | None
    encoded: str | None
    status: str
    # When a temporary password stops working (FORCE_CHANGE_PASSWORD), else None.
    temporary_expires: float | None = None


def new_user_extras(
    tx: Tx,
    pool_id: str,
    key: str,
    temporary_expires: float | None,
    messages: Sequence[outbox.Sent],
) -> None:
    """What AdminCreateUser writes beside a new user's row, in its transaction."""
    if temporary_expires is not None:
        tx.run(
            "INSERT INTO temporary_passwords (pool_id, username_key, expires) VALUES (?, ?, ?)",
            (pool_id, key, temporary_expires),
        )
    for sent in messages:
        outbox.insert(tx, sent)


class CredentialStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _update_user(self, tx: Tx, pool_id: str, key: str, c: Credential, now: float) -> bool:
        # The user's row lock before its status is read: two concurrent changes of one
        # user would otherwise both move the index row from the same old status.
        tx.run(f"UPDATE users SET status = status WHERE {_USER}", (pool_id, key))
        before = tx.one(f"SELECT status FROM users WHERE {_USER}", (pool_id, key))
        if before is None or not tx.run(
            f"UPDATE users SET password_hash = ?, hash_algorithm = ?, status = ?, modified = ?"
            f" WHERE {_USER}",
            (c.encoded, c.algorithm, c.status, now, pool_id, key),
        ):
            return False
        if before[0] != c.status:
            status_changed(tx, pool_id, key, str(before[0]), c.status)
        tx.run(f"DELETE FROM temporary_passwords WHERE {_USER}", (pool_id, key))
        if c.temporary_expires is not None:
            tx.run(
                "INSERT INTO temporary_passwords (pool_id, username_key, expires) VALUES (?, ?, ?)",
                (pool_id, key, c.temporary_expires),
            )
        return True

    def set_credential(
        self,
        pool_id: str,
        key: str,
        credential: Credential,
        now: float,
        messages: Sequence[outbox.Sent] = (),
    ) -> bool:
        """Replace the user's credential and status; outstanding reset codes are spent
        (a password set some other way ends the reset)."""
        with self.db.write() as tx:
            if not self._update_user(tx, pool_id, key, credential, now):
                return False
            tx.run(f"DELETE FROM user_codes WHERE {_USER}", (pool_id, key))
            for sent in messages:
                outbox.insert(tx, sent)
        return True

    def issue_code(
        self,
        pool_id: str,
        key: str,
        purpose: str,
        digest: str,
        expires: float,
        messages: Sequence[outbox.Sent],
        reset: Credential | None = None,
        now: float = 0.0,
    ) -> bool:
        """Make ``digest`` the user's one outstanding code for ``purpose`` (a new code
        replaces the old and its count of wrong attempts); with ``reset``, also set
        that credential and status (AdminResetUserPassword)."""
        with self.db.write() as tx:
            if reset is not None:
                if not self._update_user(tx, pool_id, key, reset, now):
                    return False
            elif not tx.one(f"SELECT 1 FROM users WHERE {_USER}", (pool_id, key)):
                return False
            tx.run(
                "INSERT INTO user_codes (pool_id, username_key, purpose, digest, expires,"
                " attempts) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (pool_id, username_key,"
                " purpose) DO UPDATE SET digest = excluded.digest, expires = excluded.expires,"
                " attempts = 0",
                (pool_id, key, purpose, digest, expires),
            )
            for sent in messages:
                outbox.insert(tx, sent)
        return True

    def redeem_code(
        self,
        pool_id: str,
        key: str,
        purpose: str,
        digest: str,
        now: float,
        credential: Credential,
    ) -> str:
        """Check the code and, when it is right, set ``credential`` and spend the code,
        all in one transaction. A wrong code counts an attempt (that write is kept);
        any other outcome writes nothing."""
        with self.db.write() as tx:
            # The code's row lock first: concurrent guesses on PostgreSQL would all read
            # the same count of attempts, and one right code could be spent twice.
            tx.run(
                f"UPDATE user_codes SET attempts = attempts WHERE {_USER} AND purpose = ?",
                (pool_id, key, purpose),
            )
            row = tx.one(
                f"SELECT digest, expires, attempts FROM user_codes WHERE {_USER} AND purpose = ?",
                (pool_id, key, purpose),
            )
            if row is None:
                return NO_CODE
            stored, expires, attempts = str(row[0]), float(row[1]), int(row[2])
            if attempts >= MAX_ATTEMPTS:
                return SPENT
            if not hmac.compare_digest(stored, digest):
                tx.run(
                    f"UPDATE user_codes SET attempts = attempts + 1 WHERE {_USER} AND purpose = ?",
                    (pool_id, key, purpose),
                )
                return MISMATCH
            if now >= expires:
                return EXPIRED
            if not self._update_user(tx, pool_id, key, credential, now):
                return NO_USER
            tx.run(f"DELETE FROM user_codes WHERE {_USER}", (pool_id, key))
        return OK

    def set_enabled(self, pool_id: str, key: str, enabled: bool, now: float) -> bool:
        with self.db.write() as tx:
            return bool(
                tx.run(
                    f"UPDATE users SET enabled = ?, modified = ? WHERE {_USER}",
                    (int(enabled), now, pool_id, key),
                )
            )

    def replace_imported(
        self,
        pool_id: str,
        key: str,
        old: tuple[str, str],
        new: tuple[str, str],
    ) -> bool:
        """After an imported hash matched at sign-in: store the server's own (``SRP``)
        credential instead, unless the credential changed meanwhile. Status and
        modification date stay: the user changed nothing."""
        with self.db.write() as tx:
            return bool(
                tx.run(
                    f"UPDATE users SET hash_algorithm = ?, password_hash = ? WHERE {_USER}"
                    " AND hash_algorithm = ? AND password_hash = ?",
                    (*new, pool_id, key, *old),
                )
            )

    def temporary_expired(self, pool_id: str, key: str, now: float) -> bool:
        """Whether the user's temporary password has stopped working."""
        with self.db.read() as tx:
            row = tx.one(f"SELECT expires FROM temporary_passwords WHERE {_USER}", (pool_id, key))
        return row is not None and now >= float(row[0])
