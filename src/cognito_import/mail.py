"""``--smtp-url smtp://HOST:PORT``: the outbox's email messages also go out by SMTP.

A request never waits for SMTP: the handler commits the message to the outbox, then
hands it to one sender thread through a queue and answers. The thread sends each
message in its own SMTP session with a ``SMTP_TIMEOUT``-second socket timeout, and
records the outcome in the outbox (``smtp``: ``pending``, ``sent`` or ``failed``), so a
slow or dead SMTP server costs nothing but late or failed mail. SMS messages stay in
the outbox only (``smtp``: ``off``). Messages still queued when the server stops are
sent first, for at most ``DRAIN_SECONDS``; any left stay ``pending``.
"""

from __future__ import annotations

import logging
import queue
import smtplib
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from urllib.parse import urlsplit

from cognito_import.domain.messages import EMAIL
from cognito_import.store.outbox import FAILED, SENT, OutboxStore, Sent

SMTP_TIMEOUT = 10.0
DRAIN_SECONDS = 5.0
QUEUE_LIMIT = 10_000
SENDER = "no-reply@cognito-import.invalid"

log = logging.getLogger("cognito_import.mail")


def parse_smtp_url(url: str) -> tuple[str, int]:
    """HOST and PORT of ``smtp://HOST[:PORT]`` (port 25 by default); ValueError else."""
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise ValueError(f"not an smtp://HOST:PORT URL: {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.username:
        raise ValueError(f"an SMTP URL is smtp://HOST:PORT and nothing more: {url!r}")
    return parts.hostname, parts.port or 25


class Mailer:
    def __init__(self, url: str, outbox: OutboxStore) -> None:
        self.host, self.port = parse_smtp_url(url)
        self.outbox = outbox
        self._queue: queue.Queue[Sent | None] = queue.Queue(QUEUE_LIMIT)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, messages: Sequence[Sent]) -> None:
        """Queue committed messages for sending; returns at once."""
        for sent in messages:
            if sent.message.medium != EMAIL:
                continue
            self._start()
            try:
                self._queue.put_nowait(sent)
            except queue.Full:
                log.warning("SMTP queue full: message %s not sent", sent.message_id)
                self.outbox.mark(sent.message_id, FAILED)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="smtp", daemon=True)
                self._thread.start()

    def close(self) -> None:
        with self._lock:
            thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(DRAIN_SECONDS)

    def _run(self) -> None:
        while True:
            sent = self._queue.get()
            if sent is None:
                return
            try:
                self._send(sent)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("SMTP delivery of %s failed: %s", sent.message_id, exc)
                outcome = FAILED
            except Exception:
                # A message the email package refuses (a header with a line break from
                # a pool's template): this one fails, the sender goes on for the rest.
                log.exception("SMTP message %s could not be built", sent.message_id)
                outcome = FAILED
            else:
                outcome = SENT
            try:
                self.outbox.mark(sent.message_id, outcome)
            except Exception as exc:  # the store closed while a stalled send ran on
                log.warning("SMTP outcome of %s not recorded: %s", sent.message_id, exc)

    def _send(self, sent: Sent) -> None:
        mail = EmailMessage()
        mail["From"] = SENDER
        mail["To"] = sent.message.destination
        mail["Subject"] = sent.message.subject
        mail["Message-ID"] = f"<{sent.message_id}@cognito-import.invalid>"
        mail.set_content(sent.message.body)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
            smtp.send_message(mail)
