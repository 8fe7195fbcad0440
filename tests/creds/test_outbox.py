"""The outbox over HTTP (SigV4, one account's pools only) and ``cognito-import
messages``, which prints each message with its code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cognito_import.client.signed import SignedCallFailed
from tests.cli.served import aws_env, cli
from tests.creds.helpers import GOOD, make_pool, make_user, outbox, unsigned_client
from tests.live import OTHER_KEY, TEST_KEY, LiveServer


def _reset_code(server: LiveServer, cognito: Any, username: str = "jane") -> str:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id, username)
    cognito.admin_set_user_password(
        UserPoolId=s.pool_id, Username=username, Password=GOOD, Permanent=True
    )
    unsigned_client(server).forgot_password(ClientId=s.client_id, Username=username)
    return s.pool_id


def test_the_outbox_belongs_to_the_pools_account(server: LiveServer, cognito: Any) -> None:
    pool_id = _reset_code(server, cognito)
    assert len(outbox(server, pool_id)) == 1
    with pytest.raises(SignedCallFailed) as refused:
        outbox(server, pool_id, key=OTHER_KEY)
    assert str(refused.value) == f"ResourceNotFoundException: User pool {pool_id} does not exist."


def test_username_narrows_and_accepts_an_alias(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    for name in ("jane", "john"):
        make_user(cognito, s.pool_id, name)
        cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username=name)
    assert {m["Username"] for m in outbox(server, s.pool_id)} == {"jane", "john"}
    assert [m["Username"] for m in outbox(server, s.pool_id, "john")] == ["john"]
    assert outbox(server, s.pool_id, "nobody") == []


def _get(server: LiveServer, query: str, sign: bool = True) -> httpx.Response:
    url = f"{server.url}/_cognito-import/outbox{query}"
    request = AWSRequest("GET", url)
    if sign:
        creds = Credentials(TEST_KEY.key_id, TEST_KEY.secret)
        SigV4Auth(creds, "cognito-idp", "us-east-1").add_auth(request)
    return httpx.get(url, headers=dict(request.headers))


def test_bad_outbox_requests(server: LiveServer, cognito: Any) -> None:
    pool_id = _reset_code(server, cognito)
    unsigned = _get(server, f"?UserPoolId={pool_id}", sign=False)
    assert (unsigned.status_code, unsigned.json()["__type"]) == (
        400,
        "MissingAuthenticationTokenException",
    )
    missing = _get(server, "")
    assert (missing.status_code, missing.json()) == (
        400,
        {"__type": "InvalidParameterException", "message": "UserPoolId is required."},
    )
    unknown = _get(server, f"?UserPoolId={pool_id}&Other=1")
    assert unknown.json() == {
        "__type": "InvalidParameterException",
        "message": "Unknown parameter: Other",
    }


def test_messages_cli_prints_each_message_with_its_code(
    server: LiveServer, cognito: Any, tmp_path: Path
) -> None:
    pool_id = _reset_code(server, cognito)
    [message] = outbox(server, pool_id)
    env = aws_env(tmp_path, TEST_KEY.key_id, TEST_KEY.secret)
    done = cli("messages", "--user-pool-id", pool_id, "--endpoint-url", server.url, env=env)
    assert done.returncode == 0, done.stderr
    head, *body = done.stdout.splitlines()
    assert head.endswith(f"FORGOT_PASSWORD  jane  EMAIL jane@example.com  code: {message['Code']}")
    assert body == ["  Subject: Your verification code", f"  {message['Body']}"]
    narrowed = cli(
        "messages",
        "--user-pool-id",
        pool_id,
        "--username",
        "jane",
        "--json",
        "--endpoint-url",
        server.url,
        env=env,
    )
    assert json.loads(narrowed.stdout) == {"Messages": [message]}


def test_messages_cli_errors(server: LiveServer, cognito: Any, tmp_path: Path) -> None:
    pool_id = _reset_code(server, cognito)
    other = aws_env(tmp_path, OTHER_KEY.key_id, OTHER_KEY.secret)
    done = cli("messages", "--user-pool-id", pool_id, "--endpoint-url", server.url, env=other)
    assert (done.returncode, done.stderr.strip()) == (
        1,
        f"Error: ResourceNotFoundException: User pool {pool_id} does not exist.",
    )
    unknown = aws_env(tmp_path, "AKIAUNKNOWN000000000", "nope")
    done = cli("messages", "--user-pool-id", pool_id, "--endpoint-url", server.url, env=unknown)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: UnrecognizedClientException: ")
    gone = cli(
        "messages", "--user-pool-id", pool_id, "--endpoint-url", "http://127.0.0.1:9", env=other
    )
    assert gone.returncode == 1
    assert gone.stderr.startswith("Error: cannot reach http://127.0.0.1:9: ")


def test_messages_and_codes_go_with_their_pool_and_user(server: LiveServer, cognito: Any) -> None:
    pool_id = _reset_code(server, cognito)
    rows = "SELECT COUNT(*) FROM {} WHERE pool_id = ?"

    def count(table: str) -> int:
        with server.rt.store.db.read() as tx:
            found = tx.one(rows.format(table), (pool_id,))
        assert found is not None
        return int(found[0])

    assert (count("user_codes"), count("outbox")) == (1, 1)
    cognito.admin_delete_user(UserPoolId=pool_id, Username="jane")
    # The user's code goes with it; what was sent stays readable.
    assert (count("user_codes"), count("outbox")) == (0, 1)
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert count("outbox") == 0
    second = _reset_code(server, cognito)
    _reset_account(server)
    assert server.rt.store.outbox.messages(TEST_KEY.account, second, None) == []


def _reset_account(server: LiveServer) -> None:
    from cognito_import.cli.tools import signed_reset

    signed_reset(server.url, TEST_KEY.key_id, TEST_KEY.secret, "us-east-1", reseed=False)


def test_the_latest_messages_are_kept_in_order(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    for _ in range(3):
        cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username="jane")
    every = outbox(server, s.pool_id)
    assert [m["CreationDate"] for m in every] == sorted(m["CreationDate"] for m in every)
    latest = server.rt.store.outbox.messages(TEST_KEY.account, s.pool_id, None, limit=2)
    assert [m.message_id for m in latest] == [m["MessageId"] for m in every[1:]]
