"""SigV4 on every request (the three auth errors, clock skew) and account isolation."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.api import (
    COGNITO_TARGET,
    JSON_CONTENT_TYPE,
    account_state,
    refused,
    send,
    sign,
)
from tests.conftest import REGION, make_client
from tests.live import OTHER_KEY, TEST_KEY, LiveServer

BAD_SIGNATURE = (
    "InvalidSignatureException",
    400,
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details.",
)


@pytest.fixture
def other(server: LiveServer) -> Any:
    return make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)


def _everything(cognito: Any, other: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return account_state(cognito), account_state(other)


def _seed(cognito: Any) -> str:
    pool_id: str = cognito.create_user_pool(PoolName="mine")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice")
    return pool_id


def test_unsigned_request(server: LiveServer, cognito: Any, other: Any) -> None:
    _seed(cognito)
    before = _everything(cognito, other)
    raw = httpx.post(
        server.url + "/",
        content=json.dumps({"PoolName": "sneaky"}).encode(),
        headers={
            "Content-Type": JSON_CONTENT_TYPE,
            "X-Amz-Target": COGNITO_TARGET + "CreateUserPool",
        },
    )
    assert raw.status_code == 400
    assert raw.json() == {
        "__type": "MissingAuthenticationTokenException",
        "message": "Missing Authentication Token",
    }
    unsigned = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=server.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    assert refused(lambda: unsigned.create_user_pool(PoolName="sneaky")) == (
        "MissingAuthenticationTokenException",
        400,
        "Missing Authentication Token",
    )
    assert _everything(cognito, other) == before


def test_unknown_access_key(server: LiveServer, cognito: Any, other: Any) -> None:
    _seed(cognito)
    before = _everything(cognito, other)
    stranger = make_client(server, key_id="AKIAUNKNOWNKEY000000", secret=TEST_KEY.secret)
    for attempt in (
        lambda: stranger.create_user_pool(PoolName="sneaky"),
        lambda: stranger.list_user_pools(MaxResults=10),
    ):
        assert refused(attempt) == (
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid.",
        )
    assert _everything(cognito, other) == before


def test_wrong_secret(server: LiveServer, cognito: Any, other: Any) -> None:
    pool_id = _seed(cognito)
    before = _everything(cognito, other)
    forger = make_client(server, key_id=TEST_KEY.key_id, secret="not-the-secret")
    assert refused(lambda: forger.create_user_pool(PoolName="sneaky")) == BAD_SIGNATURE
    assert refused(lambda: forger.delete_user_pool(UserPoolId=pool_id)) == BAD_SIGNATURE
    assert _everything(cognito, other) == before


def test_tampered_body_or_target(server: LiveServer, cognito: Any, other: Any) -> None:
    pool_id = _seed(cognito)
    before = _everything(cognito, other)
    signed = sign(server, COGNITO_TARGET + "CreateUserPool", b'{"PoolName": "honest"}')
    response = send(server, signed, body=b'{"PoolName": "tampered"}')
    assert (response.status_code, response.json()["__type"]) == (400, BAD_SIGNATURE[0])
    assert response.json()["message"] == BAD_SIGNATURE[2]
    # A harmless Describe turned into a Delete after signing.
    describe = json.dumps({"UserPoolId": pool_id}).encode()
    request = sign(server, COGNITO_TARGET + "DescribeUserPool", describe)
    request.headers.replace_header("X-Amz-Target", COGNITO_TARGET + "DeleteUserPool")
    response = send(server, request)
    assert (response.status_code, response.json()["__type"]) == (400, BAD_SIGNATURE[0])
    assert _everything(cognito, other) == before


def test_signature_for_another_service(server: LiveServer, cognito: Any) -> None:
    before = account_state(cognito)
    request = sign(server, COGNITO_TARGET + "CreateUserPool", b'{"PoolName": "x"}', service="logs")
    response = send(server, request)
    assert response.status_code == 400
    assert response.json() == {
        "__type": "InvalidSignatureException",
        "message": "Credential should be scoped to correct service: 'cognito-idp'. ",
    }
    assert account_state(cognito) == before


AMZ = r"(\d{8}T\d{6}Z)"


def _amz_seconds(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("skew", "pattern"),
    [
        # The server's clock is 16 minutes ahead: the request looks old.
        (16 * 60, rf"Signature expired: {AMZ} is now earlier than {AMZ} \({AMZ} - 15 min\.\)"),
        # The server's clock is 16 minutes behind: the request looks early.
        (
            -16 * 60,
            rf"Signature not yet current: {AMZ} is still later than {AMZ} \({AMZ} \+ 15 min\.\)",
        ),
    ],
    ids=["expired", "not-yet-current"],
)
def test_clock_skew_over_15_minutes(
    server: LiveServer, cognito: Any, skew: int, pattern: str
) -> None:
    _seed(cognito)
    before = account_state(cognito)
    server.clock.advance(skew)
    request = sign(server, COGNITO_TARGET + "CreateUserPool", b'{"PoolName": "late"}')
    response = send(server, request)
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidSignatureException"
    match = re.fullmatch(pattern, response.json()["message"])
    assert match is not None, response.json()["message"]
    signed_at, limit, server_now = (_amz_seconds(g) for g in match.groups())
    assert match.group(1) == request.headers["X-Amz-Date"]
    assert limit == server_now + (900 if skew < 0 else -900)
    assert abs(server_now - (signed_at + skew)) <= 5
    assert refused(lambda: cognito.create_user_pool(PoolName="late"))[:2] == (
        "InvalidSignatureException",
        400,
    )
    server.clock.advance(-skew)
    assert account_state(cognito) == before


def test_clock_skew_within_15_minutes_is_accepted(server: LiveServer, cognito: Any) -> None:
    server.clock.advance(14 * 60)
    assert cognito.create_user_pool(PoolName="on-time")["UserPool"]["Name"] == "on-time"
    server.clock.advance(-28 * 60)
    assert [p["Name"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]] == ["on-time"]


def test_accounts_never_see_each_other(cognito: Any, other: Any) -> None:
    pool_id = _seed(cognito)
    theirs = other.create_user_pool(PoolName="theirs")["UserPool"]["Id"]
    mine_before = account_state(cognito)
    missing = ("ResourceNotFoundException", 400, f"User pool {pool_id} does not exist.")
    for attempt in (
        lambda: other.describe_user_pool(UserPoolId=pool_id),
        lambda: other.delete_user_pool(UserPoolId=pool_id),
        lambda: other.admin_get_user(UserPoolId=pool_id, Username="alice"),
        lambda: other.admin_create_user(UserPoolId=pool_id, Username="mallory"),
        lambda: other.admin_delete_user(UserPoolId=pool_id, Username="alice"),
        lambda: other.list_users(UserPoolId=pool_id),
        # An indexed filter reads the pool with the page, in one statement.
        lambda: other.list_users(UserPoolId=pool_id, Filter='email = "alice@example.com"'),
        lambda: other.list_users(UserPoolId=pool_id, Filter='sub ^= "a"'),
        lambda: other.get_csv_header(UserPoolId=pool_id),
        lambda: other.create_user_import_job(
            UserPoolId=pool_id,
            JobName="steal",
            CloudWatchLogsRoleArn="arn:aws:iam::222222222222:role/x",
        ),
    ):
        assert refused(attempt) == missing
    assert [p["Id"] for p in other.list_user_pools(MaxResults=60)["UserPools"]] == [theirs]
    assert [p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]] == [pool_id]
    assert account_state(cognito) == mine_before
    # The same pool id means nothing to the other account even with its own pools present.
    assert refused(lambda: cognito.describe_user_pool(UserPoolId=theirs)) == (
        "ResourceNotFoundException",
        400,
        f"User pool {theirs} does not exist.",
    )
