"""AWS JSON 1.1 on the wire: request ids, the error envelope, unknown operations, bodies
that are not what the model says, AWS's validation wording, and a contract test that every
registered operation answers with its botocore output shape."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from botocore.model import Shape

from cognito_import.protocol.shapes import service_model
from cognito_import.worker import Worker
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

ROLE_ARN = "arn:aws:iam::111111111111:role/CognitoImport"


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
    COGNITO_TARGET + "InitiateAuth",
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


# --- contract: every registered operation answers with its output shape ----------------


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "structure": dict,
    "map": dict,
    "list": list,
    "string": str,
    "blob": str,
    "boolean": bool,
    "integer": int,
    "long": int,
    "timestamp": (int, float),
    "double": (int, float),
    "float": (int, float),
}


def _json_type_fits(kind: str, value: object) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    return isinstance(value, _JSON_TYPES[kind])


def _conformance(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    if not _json_type_fits(kind, value):
        problems.append(f"{path}: {value!r} is not a {kind}")
        return
    if kind == "structure":
        for key, item in value.items():
            if key not in shape.members:
                problems.append(f"{path}.{key}: not a member of {shape.name}")
            else:
                _conformance(shape.members[key], item, f"{path}.{key}", problems)
    elif kind == "list":
        for index, item in enumerate(value):
            _conformance(shape.member, item, f"{path}[{index}]", problems)
    elif kind == "map":
        for key, item in value.items():
            _conformance(shape.value, item, f"{path}[{key!r}]", problems)
    elif kind == "string" and shape.enum and value not in shape.enum:
        problems.append(f"{path}: {value!r} is not one of {shape.enum}")


def _registered(server: LiveServer) -> dict[str, set[str]]:
    """The operations the running app dispatches, per model, read from the app itself."""
    app: Any = server.server.config.app
    route = next(r for r in app.routes if getattr(r, "path", None) == "/")
    services = route.endpoint.__self__.services.values()
    return {s.model_name: set(s.handlers) for s in services}


class Recorder:
    """Calls operations over raw HTTP and checks each JSON body against the model."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.seen: dict[str, set[str]] = {"cognito-idp": set(), "logs": set()}
        self.problems: list[str] = []

    def __call__(self, operation: str, params: dict[str, Any], model: str = "cognito-idp") -> Any:
        target = (COGNITO_TARGET if model == "cognito-idp" else "Logs_20140328.") + operation
        request = sign(self.server, target, json.dumps(params).encode(), service=model)
        response = send(self.server, request)
        assert response.status_code == 200, (operation, response.text)
        body = response.json()
        shape = service_model(model).operation_model(operation).output_shape
        if shape is None:
            assert body == {}, operation
        else:
            _conformance(shape, body, operation, self.problems)
        self.seen[model].add(operation)
        return body


def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_every_registered_operation_answers_with_its_output_shape(
    database: str, tmp_path: Path
) -> None:
    # No background worker: the test runs the real worker itself, so a started job is
    # still Pending when it is stopped and the other one is imported when the logs are read.
    with LiveServer(database, tmp_path / "data", run_worker=False) as server:
        rec = Recorder(server)
        schema = [
            {
                "Name": "tier",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MaxLength": "5"},
            },
            {"Name": "age", "AttributeDataType": "Number"},
        ]
        pool = rec(
            "CreateUserPool",
            {
                "PoolName": "contract",
                "Schema": schema,
                "AutoVerifiedAttributes": ["email"],
                "AliasAttributes": ["email"],
                "UsernameConfiguration": {"CaseSensitive": False},
            },
        )["UserPool"]
        pool_id = pool["Id"]
        rec("DescribeUserPool", {"UserPoolId": pool_id})
        rec("ListUserPools", {"MaxResults": 10})
        rec(
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": "alice",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
            },
        )
        rec("AdminGetUser", {"UserPoolId": pool_id, "Username": "alice"})
        header = rec("GetCSVHeader", {"UserPoolId": pool_id})["CSVHeader"]
        values = {
            "cognito:username": "bob",
            "email": "bob@example.com",
            "email_verified": "true",
            "cognito:mfa_enabled": "false",
        }
        csv = ",".join(header) + "\n" + ",".join(values.get(c, "") for c in header) + "\n"
        jobs = []
        for name in ("imported", "stopped"):
            job = rec(
                "CreateUserImportJob",
                {"UserPoolId": pool_id, "JobName": name, "CloudWatchLogsRoleArn": ROLE_ARN},
            )["UserImportJob"]
            upload = httpx.put(
                job["PreSignedUrl"],
                content=csv.encode(),
                headers={"x-amz-server-side-encryption": "aws:kms"},
            )
            assert upload.status_code == 200, upload.text
            rec("StartUserImportJob", {"UserPoolId": pool_id, "JobId": job["JobId"]})
            jobs.append(job["JobId"])
        rec("StopUserImportJob", {"UserPoolId": pool_id, "JobId": jobs[1]})
        worker = Worker(server.rt)
        _wait_for(lambda: not worker.run_once())
        done = rec("DescribeUserImportJob", {"UserPoolId": pool_id, "JobId": jobs[0]})
        assert done["UserImportJob"]["Status"] in ("Succeeded", "Failed")
        rec("ListUserImportJobs", {"UserPoolId": pool_id, "MaxResults": 10})
        rec("ListUsers", {"UserPoolId": pool_id, "Limit": 10})
        group = f"/aws/cognito/userpools/{pool_id}/contract"
        rec("DescribeLogGroups", {}, "logs")
        streams = rec("DescribeLogStreams", {"logGroupName": group}, "logs")["logStreams"]
        stream = next(s["logStreamName"] for s in streams if s["logStreamName"].startswith(jobs[0]))
        events = rec(
            "GetLogEvents",
            {"logGroupName": group, "logStreamName": stream, "startFromHead": True},
            "logs",
        )["events"]
        assert events, "an imported job has log events"
        rec("FilterLogEvents", {"logGroupName": group}, "logs")
        rec("AdminDeleteUser", {"UserPoolId": pool_id, "Username": "alice"})
        rec("DeleteUserPool", {"UserPoolId": pool_id})

        assert rec.problems == []
        assert rec.seen == _registered(server)
