"""AWS JSON 1.1 on the wire: request ids, the error envelope, unknown operations, bodies
that are not what the model says, AWS's validation wording, and internal errors."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import psycopg

from tests.api import (
    COGNITO_TARGET,
    JSON_CONTENT_TYPE,
    account_state,
    call,
    refused,
    send,
    sign,
)
from tests.live import LiveServer


def assert_error(response: httpx.Response, status: int, code: str, message: str) -> None:
    """The whole error envelope: status, exact body, and the three headers."""
    assert response.status_code == status
    assert response.headers["content-type"] == JSON_CONTENT_TYPE
    assert response.json() == {"__type": code, "message": message}
    assert response.headers["x-amzn-ErrorType"] == f"{code}:"
    assert response.headers["x-amzn-ErrorMessage"] == message
    assert response.headers["x-amzn-RequestId"]


def envelope(response: httpx.Response) -> tuple[int, str, Any, str, str]:
    """Everything an error response says, as one comparable value."""
    return (
        response.status_code,
        response.headers["content-type"],
        response.json(),
        response.headers.get("x-amzn-ErrorType", ""),
        response.headers.get("x-amzn-ErrorMessage", ""),
    )


def expected_envelope(code: str, message: str, status: int = 400) -> tuple[int, str, Any, str, str]:
    return (status, JSON_CONTENT_TYPE, {"__type": code, "message": message}, f"{code}:", message)


def test_every_response_carries_a_fresh_request_id(server: LiveServer, cognito: Any) -> None:
    responses = [
        call(server, "ListUserPools", {"MaxResults": 1}),
        call(server, "DescribeUserPool", {"UserPoolId": "us-east-1_AAAAAAAAA"}),
        call(server, "NoSuchOperation", {}),
        call(server, "ListUserPools", {"MaxResults": 61}),
        httpx.post(server.url + "/", content=b"{}", headers={"X-Amz-Target": "x"}),
    ]
    assert [r.status_code for r in responses] == [200, 400, 400, 400, 400]
    ids = [r.headers["x-amzn-RequestId"] for r in responses]
    assert all(ids) and len(set(ids)) == len(ids)
    assert responses[0].headers["content-type"] == JSON_CONTENT_TYPE
    # boto3 reads it into ResponseMetadata.
    meta = cognito.list_user_pools(MaxResults=1)["ResponseMetadata"]
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]


def test_error_envelope(server: LiveServer) -> None:
    response = call(server, "DescribeUserPool", {"UserPoolId": "us-east-1_AAAAAAAAA"})
    assert_error(
        response,
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_AAAAAAAAA does not exist.",
    )


UNKNOWN_TARGETS = [
    COGNITO_TARGET + "NoSuchOperation",
    # In the model, but not something this service does.
    COGNITO_TARGET + "SignUp",
    "DynamoDB_20120810.ListTables",
    "ListUserPools",
]


def test_unknown_operation(server: LiveServer, cognito: Any) -> None:
    before = account_state(cognito)
    got = {t: envelope(send(server, sign(server, t, b"{}"))) for t in UNKNOWN_TARGETS}
    assert got == {
        t: expected_envelope("UnknownOperationException", f"Operation {t} is not supported.")
        for t in UNKNOWN_TARGETS
    }
    assert account_state(cognito) == before


def test_missing_target_is_an_unknown_operation(server: LiveServer) -> None:
    response = send(server, sign(server, "", b"{}"))
    assert_error(response, 400, "UnknownOperationException", "Operation (none) is not supported.")


SERIALIZATION: list[tuple[str, bytes, str]] = [
    ("ListUserPools", b"{not json", "The request body is not valid JSON."),
    ("ListUserPools", b"\xff\xfe", "The request body is not valid JSON."),
    ("ListUserPools", b"[]", "Start of list found where not expected."),
    ("ListUserPools", b'"MaxResults"', "STRING_VALUE can not be converted to a Structure"),
    ("ListUserPools", b'{"MaxResults": "2"}', "STRING_VALUE can not be converted to an Integer"),
    ("ListUserPools", b'{"MaxResults": 2.5}', "NUMBER_VALUE can not be converted to an Integer"),
    ("DescribeUserPool", b'{"UserPoolId": 5}', "NUMBER_VALUE can not be converted to a String"),
    ("DescribeUserPool", b'{"UserPoolId": true}', "BOOLEAN_VALUE can not be converted to a String"),
    (
        "CreateUserPool",
        b'{"PoolName": "p", "Schema": {"Name": "x"}}',
        "Start of structure or map found where not expected.",
    ),
    (
        "CreateUserPool",
        b'{"PoolName": "p", "Schema": [{"Name": ["x"]}]}',
        "Start of list found where not expected.",
    ),
    (
        "CreateUserPool",
        b'{"PoolName": "p", "UsernameConfiguration": {"CaseSensitive": "no"}}',
        "STRING_VALUE can not be converted to a Boolean",
    ),
]


def test_bodies_the_model_cannot_read(server: LiveServer, cognito: Any) -> None:
    cognito.create_user_pool(PoolName="existing")
    before = account_state(cognito)
    got = {
        (operation, body): envelope(send(server, sign(server, COGNITO_TARGET + operation, body)))
        for operation, body, _ in SERIALIZATION
    }
    assert got == {
        (operation, body): expected_envelope("SerializationException", message)
        for operation, body, message in SERIALIZATION
    }
    assert account_state(cognito) == before


VALIDATION: list[tuple[str, dict[str, Any], str]] = [
    (
        "ListUserImportJobs",
        {"UserPoolId": "us-east-1_AAAAAAAAA", "MaxResults": 61},
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    ),
    (
        "ListUserImportJobs",
        {"UserPoolId": "bad pool id!", "MaxResults": 0},
        "2 validation errors detected: Value 'bad pool id!' at 'userPoolId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+; "
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1",
    ),
    (
        "ListUserImportJobs",
        {},
        "2 validation errors detected: Value null at 'userPoolId' failed to satisfy "
        "constraint: Member must not be null; Value null at 'maxResults' failed to satisfy "
        "constraint: Member must not be null",
    ),
    (
        # One error per broken constraint, even of the same value.
        "ListUserPools",
        {"MaxResults": 10, "NextToken": ""},
        "2 validation errors detected: Value '' at 'nextToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value '' at 'nextToken' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+",
    ),
    (
        "DescribeUserPool",
        {"UserPoolId": "x" * 56},
        f"2 validation errors detected: Value '{'x' * 56}' at 'userPoolId' failed to satisfy "
        "constraint: Member must have length less than or equal to 55; "
        f"Value '{'x' * 56}' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
    ),
    (
        "CreateUserPool",
        {"PoolName": "p", "AutoVerifiedAttributes": ["email", "address"]},
        "1 validation error detected: Value '[email, address]' at 'autoVerifiedAttributes' "
        "failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy "
        "enum value set: [phone_number, email]]",
    ),
    (
        # A JSON null is an absent member, so a required one is reported as null.
        "DescribeUserPool",
        {"UserPoolId": None},
        "1 validation error detected: Value null at 'userPoolId' failed to satisfy "
        "constraint: Member must not be null",
    ),
]


def test_model_constraints_with_aws_wording(server: LiveServer, cognito: Any) -> None:
    before = account_state(cognito)
    got = [envelope(call(server, operation, params)) for operation, params, _ in VALIDATION]
    assert got == [
        expected_envelope("InvalidParameterException", message) for _, _, message in VALIDATION
    ]
    assert account_state(cognito) == before


def test_control_characters_in_a_message_keep_the_connection(
    server: LiveServer, cognito: Any
) -> None:
    # The message echoes the value; the header must still be a legal single line.
    response = call(server, "CreateUserPool", {"PoolName": "bad\nname\x07 "})
    body = response.json()
    assert response.status_code == 400
    assert body["message"] == (
        "1 validation error detected: Value 'bad\nname\x07 ' at 'poolName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )
    assert response.headers["x-amzn-ErrorMessage"] == (
        "1 validation error detected: Value 'bad name  ' at 'poolName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )
    # Non-ASCII text stays exact in the body; the header carries an ASCII rendering.
    response = call(server, "CreateUserPool", {"PoolName": "Jöb"})
    assert response.json()["message"].startswith("1 validation error detected: Value 'Jöb' at")
    assert "Value 'J?b' at" in response.headers["x-amzn-ErrorMessage"]
    assert account_state(cognito) == {}


def test_unknown_members_are_ignored(server: LiveServer, cognito: Any) -> None:
    response = call(
        server,
        "CreateUserPool",
        {
            "PoolName": "tolerant",
            "FutureMember": {"Anything": [1, 2]},
            "Schema": [{"Name": "tier", "AttributeDataType": "String", "FutureFlag": True}],
            "UsernameConfiguration": None,
        },
    )
    assert response.status_code == 200
    pool = response.json()["UserPool"]
    assert "FutureMember" not in pool
    assert "custom:tier" in [a["Name"] for a in pool["SchemaAttributes"]]
    assert [p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]] == [pool["Id"]]


def _drop_users_table(database: str) -> None:
    if database.startswith("sqlite:///"):
        with sqlite3.connect(database.removeprefix("sqlite:///")) as conn:
            conn.execute("DROP TABLE users")
        return
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("DROP TABLE users")


def test_internal_error_is_a_500_envelope(server: LiveServer, cognito: Any) -> None:
    """A database that loses a table under the running server: the one legitimate way
    to make the server fail without changing its code."""
    pool_id = cognito.create_user_pool(PoolName="broken")["UserPool"]["Id"]
    _drop_users_table(server.settings.database or "")
    response = call(server, "ListUsers", {"UserPoolId": pool_id})
    assert_error(response, 500, "InternalErrorException", "An internal error occurred.")
    assert refused(lambda: cognito.list_users(UserPoolId=pool_id)) == (
        "InternalErrorException",
        500,
        "An internal error occurred.",
    )
    # The server keeps serving what does not need the lost table.
    assert [p["Id"] for p in cognito.list_user_pools(MaxResults=1)["UserPools"]] == [pool_id]
