"""``--smtp-url``: the outbox's email messages also go to an SMTP server (aiosmtpd,
started here), from a background thread, so a request never waits for SMTP."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_client
from tests.creds.helpers import GOOD, make_pool, make_user, outbox, unsigned_client
from tests.live import LiveServer


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _wait(check: Any, what: str) -> None:
    # Waits for the background sender; a deadline against hanging, not a speed check.
    deadline = time.monotonic() + 30
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.02)


def _forgot(server: LiveServer) -> str:
    cognito = make_client(server)
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    cognito.admin_set_user_password(
        UserPoolId=s.pool_id, Username="jane", Password=GOOD, Permanent=True
    )
    unsigned_client(server).forgot_password(ClientId=s.client_id, Username="jane")
    return s.pool_id


def test_messages_are_sent_by_smtp(database: str, tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with LiveServer(database, tmp_path / "data", smtp_url=f"smtp://127.0.0.1:{port}") as server:
        pool_id = _forgot(server)
        _wait(lambda: outbox(server, pool_id)[0]["Smtp"] == "sent", "the SMTP delivery")
        [message] = outbox(server, pool_id)
    [mail] = inbox.mails
    assert mail["To"] == "jane@example.com"
    assert mail["Subject"] == "Your verification code"
    assert message["Code"] in str(mail.get_payload())


def test_a_dead_or_stalled_smtp_server_never_holds_a_request(database: str, tmp_path: Path) -> None:
    # A listener that accepts and never answers: the SMTP greeting never comes.
    with socket.socket() as stalled:
        stalled.bind(("127.0.0.1", 0))
        stalled.listen()
        url = f"smtp://127.0.0.1:{stalled.getsockname()[1]}"
        with LiveServer(database, tmp_path / "data", smtp_url=url) as server:
            pool_id = _forgot(server)
            # The request was answered while the sender still waits for the greeting.
            assert outbox(server, pool_id)[0]["Smtp"] == "pending"
    dead = f"smtp://127.0.0.1:{_free_port()}"
    with LiveServer(database, tmp_path / "data2", smtp_url=dead) as server:
        pool_id = _forgot(server)
        _wait(lambda: outbox(server, pool_id)[0]["Smtp"] == "failed", "the failed delivery")


def test_without_smtp_messages_stay_in_the_outbox(server: LiveServer) -> None:
    pool_id = _forgot(server)
    assert outbox(server, pool_id)[0]["Smtp"] == "off"


def test_a_message_smtp_cannot_carry_fails_alone(
    database: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    # A subject with a line break passes the model's pattern but no mail header takes
    # it: that message fails, and the sender goes on with the next.
    inbox, port = smtp
    with LiveServer(database, tmp_path / "data", smtp_url=f"smtp://127.0.0.1:{port}") as server:
        cognito = make_client(server)
        broken = cognito.create_user_pool(
            PoolName="broken",
            VerificationMessageTemplate={
                "EmailSubject": "Your code\nBcc: everyone@example.com",
                "EmailMessage": "Your code is {####}.",
                "DefaultEmailOption": "CONFIRM_WITH_CODE",
            },
        )["UserPool"]["Id"]
        client = cognito.create_user_pool_client(UserPoolId=broken, ClientName="web")
        make_user(cognito, broken)
        cognito.admin_set_user_password(
            UserPoolId=broken, Username="jane", Password=GOOD, Permanent=True
        )
        unsigned_client(server).forgot_password(
            ClientId=client["UserPoolClient"]["ClientId"], Username="jane"
        )
        _wait(lambda: outbox(server, broken)[0]["Smtp"] == "failed", "the refused message")
        pool_id = _forgot(server)
        _wait(lambda: outbox(server, pool_id)[0]["Smtp"] == "sent", "the next message")
    assert [m["Subject"] for m in inbox.mails] == ["Your verification code"]
