"""A contract test: every registered operation answers with its botocore output shape."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from botocore.model import Shape

from cognito_import.imports.worker import Worker
from cognito_import.protocol.shapes import service_model
from tests.api import COGNITO_TARGET, send, sign
from tests.live import TEST_KEY, LiveServer
from tests.signin.contract import exercise_sign_in

ROLE_ARN = "arn:aws:iam::111111111111:role/CognitoImport"


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
                "UserAttributes": [
                    {"Name": "email", "Value": "alice@example.com"},
                    {"Name": "email_verified", "Value": "true"},
                ],
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
        exercise_sign_in(rec, pool_id, server.rt.store, TEST_KEY.account)
        rec("AdminDeleteUser", {"UserPoolId": pool_id, "Username": "alice"})
        rec("DeleteUserPool", {"UserPoolId": pool_id})

        assert rec.problems == []
        assert rec.seen == _registered(server)
