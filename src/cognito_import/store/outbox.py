"""The outbox: every message a pool would have sent, kept per account and pool.

Messages are written in the transaction of the change that sends them (a reset code
exists in the outbox exactly when it exists in ``user_codes``), and read back by the
SigV4-authenticated ``GET /_cognito-import/outbox`` and ``cognito-import messages``.
The outbox holds what the recipient would read, codes included: it is the recipient's
mailbox, not the server's record of codes (those are digests, ``store/credentials``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cognito_import.domain.messages import Message
from cognito_import.store.db import Database, Tx

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
NOT_SENT = "off"

_COLUMNS = (
    "message_id, account, pool_id, username, created, kind, medium, destination, subject,"
    " body, code, smtp"
)


@dataclass(frozen=True)
class Sent:
    """A message in the outbox, with who it was for and what SMTP made of it."""

    message_id: str
    account: str
    pool_id: str
    username: str
    created: float
    message: Message
    smtp: str


def insert(tx: Tx, sent: Sent) -> None:
    m = sent.message
    tx.run(
        f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sent.message_id,
            sent.account,
            sent.pool_id,
            sent.username,
            sent.created,
            m.kind,
            m.medium,
            m.destination,
            m.subject,
            m.body,
            m.code,
            sent.smtp,
        ),
    )


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def messages(
        self, account: str, pool_id: str, username: str | None, limit: int = 1000
    ) -> list[Sent]:
        """The pool's latest ``limit`` messages, oldest first, of ``account`` only."""
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE account = ? AND pool_id = ?"
        params: list[object] = [account, pool_id]
        if username is not None:
            sql += " AND username = ?"
            params.append(username)
        sql += " ORDER BY created DESC, message_id DESC LIMIT ?"
        params.append(limit)
        with self.db.read() as tx:
            rows = tx.all(sql, params)
        return [
            Sent(r[0], r[1], r[2], r[3], r[4], Message(r[5], r[6], r[7], r[8], r[9], r[10]), r[11])
            for r in reversed(rows)
        ]

    def mark(self, message_id: str, smtp: str) -> None:
        with self.db.write() as tx:
            tx.run("UPDATE outbox SET smtp = ? WHERE message_id = ?", (smtp, message_id))
